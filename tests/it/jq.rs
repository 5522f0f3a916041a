//! `--jq`: the README's and docs/export.md's examples print what `jq` prints for the same input
//! (the expected outputs are written by hand from jq's manual: no `jq` is installed or run), and
//! the flag behaves as a script expects from the real binary (usage errors with the position,
//! `--raw`, and the output equal to filtering `--output json` by hand).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{self, describe};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");
const README: &str = include_str!("../../README.md");
const EXPORT_DOC: &str = include_str!("../../docs/export.md");

/// What each documented command prints with `--output json`, cut to what the examples use.
fn input_of(command: &str) -> Value {
    match command {
        "sessions list" => json!([
            {"id": "a1", "displayName": "Phishing triage",
             "createdDateTime": "2025-09-17T19:23:41Z", "lastModifiedDateTime": "2025-09-17T19:28:21Z"},
            {"id": "b2", "displayName": null,
             "createdDateTime": "2025-09-16T08:00:00Z", "lastModifiedDateTime": "2025-09-16T08:05:00Z"},
            {"id": "c3", "displayName": null,
             "createdDateTime": "2025-09-15T10:00:00Z", "lastModifiedDateTime": "2025-09-15T10:00:00Z"}
        ]),
        "prompts list" => json!([
            {"id": "p1", "type": "prompt", "content": "Who am I?", "skillName": null,
             "latestEvaluation": {"id": "e1", "state": "completed",
                                  "result": {"content": "You are Jordan.", "type": "success"}}},
            {"id": "p2", "type": "prompt", "content": "And next?", "skillName": null,
             "latestEvaluation": null}
        ]),
        "search" => json!([
            {"sessionId": "a1", "sessionName": "Phishing triage", "in": "turn", "position": 0},
            {"sessionId": "b2", "sessionName": null, "in": "name"},
            {"sessionId": "a1", "sessionName": "Phishing triage", "in": "turn", "position": 2}
        ]),
        "sessions export" => json!({
            "id": "a1", "displayName": "Phishing triage",
            "prompts": [
                {"id": "p1", "type": "prompt", "content": "Who am I?",
                 "evaluations": [{"id": "e1", "state": "completed",
                                  "result": {"content": "You are Jordan.", "type": "success"}}]},
                {"id": "p2", "type": "prompt", "content": "Block it?",
                 "evaluations": [{"id": "e2", "state": "completed",
                                  "result": {"content": "Blocked.", "type": "error"}}]}
            ]
        }),
        "sessions export --all" => json!({
            "file": "week.csv", "format": "csv", "sessions": 4, "questions": 9
        }),
        other => panic!("no input for `{other}`: add one"),
    }
}

/// Each documented expression and what `jq` prints for [`input_of`] its command.
const EXPECTED: &[(&str, &str)] = &[
    (".[] | select(.displayName == null) | .id", "b2\nc3\n"),
    (
        "map({id, state: .latestEvaluation.state})",
        "[\n  {\n    \"id\": \"p1\",\n    \"state\": \"completed\"\n  },\n  {\n    \"id\": \"p2\",\n    \"state\": null\n  }\n]\n",
    ),
    ("[.[].sessionId] | unique | length", "2\n"),
    (
        ".prompts[].evaluations[0].result.type",
        "\"success\"\n\"error\"\n",
    ),
    (".questions", "9\n"),
];

/// Every `sctui … --jq '…'` line of a document: the command, the expression, and `--raw`.
fn examples(doc: &str) -> Vec<(String, String, bool)> {
    doc.lines()
        .filter_map(|line| {
            let line = line.split("  #").next()?;
            let at = line.find("--jq '")?;
            let expression = line[at + 6..].split('\'').next()?.to_string();
            let words: Vec<&str> = line.split_whitespace().collect();
            let mut command: Vec<&str> = words
                .iter()
                .skip(1)
                .skip_while(|w| w.starts_with("--"))
                .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
                .copied()
                .collect();
            if command == ["sessions", "export"] && words.contains(&"--all") {
                command.push("--all");
            }
            Some((command.join(" "), expression, line.contains("--raw")))
        })
        .collect()
}

#[test]
fn documented_examples_print_what_jq_prints() {
    let mut documented = examples(README);
    assert_eq!(
        documented.len(),
        3,
        "the README's --jq lines: {documented:?}"
    );
    documented.extend(examples(EXPORT_DOC));
    assert!(documented.len() >= 8, "{documented:?}");
    for (command, expression, raw) in documented {
        let expected = EXPECTED
            .iter()
            .find(|(e, _)| *e == expression)
            .unwrap_or_else(|| panic!("`{expression}` has no hand-written jq output here"))
            .1;
        let printed = sctui::jq::Filter::parse(&expression)
            .unwrap_or_else(|e| panic!("`{expression}`: {e}"))
            .apply(&input_of(&command), raw)
            .unwrap();
        assert_eq!(printed, expected, "sctui {command} --jq '{expression}'");
    }
}

fn sctui(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.arg("--demo");
    cmd
}

#[test]
fn the_binary_filters_its_json_and_reports_mistakes_as_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let list = sctui(home.path())
        .args(["sessions", "list", "--all", "-o", "json"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", describe(&list));
    let sessions: Value = serde_json::from_slice(&list.stdout).unwrap();
    let by_hand: String = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}\n", s["id"].as_str().unwrap()))
        .collect();
    let out = sctui(home.path())
        .args(["sessions", "list", "--all", "--jq", ".[].id", "--raw"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), by_hand);

    let out = sctui(home.path())
        .args(["sessions", "list", "--jq", ".[0] | {id"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`{` is never closed at column 8"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing printed: {}", describe(&out));

    for args in [
        &["sessions", "list", "-o", "table", "--jq", "."][..],
        &["sessions", "list", "--raw"][..],
        &["whoami", "--jq", "env.HOME"][..],
    ] {
        let out = sctui(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
    }
    let out = sctui(home.path())
        .args(["sessions", "list", "--jq", ".[0].nothing[]"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the jq expression failed"),
        "{}",
        describe(&out)
    );
}

#[test]
fn promptbook_commands_filter_their_json_too() {
    let home = tempfile::tempdir().unwrap();
    let books =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/promptbooks/microsoft");
    let book = books.join("Tanium_-_CVE_Search_with_Report.json");
    let book = book.to_str().unwrap();
    let shown = sctui(home.path())
        .args(["promptbook", "show", book, "-o", "json"])
        .output()
        .unwrap();
    assert!(shown.status.success(), "{}", describe(&shown));
    let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let out = sctui(home.path())
        .args(["promptbook", "show", book, "--jq", ".prompts | length"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        shown["prompts"].as_array().unwrap().len().to_string()
    );
    let out = sctui(home.path())
        .args(["promptbook", "lint", book, "--jq", ".[0].problems | type"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "\"array\"");
    let out = sctui(home.path())
        .args(["promptbook", "runs", "--jq", "length"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "0");
}
