//! `sctui promptbook` as a script uses it, on real files: Microsoft's published books (UTF-8 and
//! PowerShell's UTF-16) and our own, listed, shown and linted with the documented exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{self, describe};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/promptbooks")
}

fn published() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("microsoft"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn sctui(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.args(args).output().expect("run sctui")
}

#[test]
fn every_published_book_lints_and_shows() {
    let home = tempfile::tempdir().unwrap();
    let mut args = vec!["promptbook", "lint"];
    let files = published();
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    let out = sctui(home.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches(": runnable").count(),
        files.len(),
        "{stdout}"
    );
    for name in &names {
        let shown = sctui(home.path(), &["promptbook", "show", name]);
        assert!(shown.status.success(), "{}", describe(&shown));
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(text.contains("Steps:") && text.contains("  1. "), "{text}");
    }
}

#[test]
fn show_json_of_a_utf16_book_is_the_same_book_in_utf8() {
    let home = tempfile::tempdir().unwrap();
    let utf16 = fixtures().join("microsoft/Tanium_-_CVE_Search_with_Report.json");
    let first = sctui(
        home.path(),
        &["promptbook", "show", utf16.to_str().unwrap(), "-o", "json"],
    );
    assert!(first.status.success(), "{}", describe(&first));
    let text = String::from_utf8(first.stdout.clone()).expect("UTF-8 output");
    assert!(
        text.starts_with("{\n  \"name\": \"Tanium - CVE Search with Report\""),
        "{text}"
    );
    assert!(
        text.contains("information on <CVE>"),
        "escapes are decoded: {text}"
    );
    // the printed book, saved and shown again, prints the same bytes
    let copy = home.path().join("copy.json");
    std::fs::write(&copy, &first.stdout).unwrap();
    let second = sctui(
        home.path(),
        &["promptbook", "show", copy.to_str().unwrap(), "-o", "json"],
    );
    assert_eq!(second.stdout, first.stdout);
    let original = String::from_utf16(
        &std::fs::read(&utf16).unwrap()[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let original: serde_json::Value = serde_json::from_str(&original).unwrap();
    let printed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(printed, original, "every field, as PowerShell wrote it");
}

#[test]
fn lint_exits_1_and_names_each_problem_with_its_place() {
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"name":"Bad","prompts":[{"promptType":"Prompt","content":"who is <User>?"},
            {"promptType":"Skill","content":"x"}],
            "promptbookinputs":[{"name":"user","description":"user"}]}"#,
    )
    .unwrap();
    let good = fixtures().join("microsoft/Sample_Template.json");
    let out = sctui(
        home.path(),
        &[
            "promptbook",
            "lint",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("bad.json: step 1: error: input <User> is used but not declared"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad.json: step 2: error: a Skill step cannot run through Graph"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad.json: input <user>: warning: declared but not used"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sample_Template.json: runnable"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 2 promptbooks is not runnable"));

    // warnings pass, unless --strict
    let tanium = fixtures().join("microsoft/Tanium_-_Asset_Inventory.json");
    let lenient = sctui(
        home.path(),
        &["promptbook", "lint", tanium.to_str().unwrap()],
    );
    assert_eq!(lenient.status.code(), Some(0), "{}", describe(&lenient));
    let strict = sctui(
        home.path(),
        &["promptbook", "lint", "--strict", tanium.to_str().unwrap()],
    );
    assert_eq!(strict.status.code(), Some(1), "{}", describe(&strict));

    let json = sctui(
        home.path(),
        &["promptbook", "lint", bad.to_str().unwrap(), "-o", "json"],
    );
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value[0]["runnable"], false);
    assert_eq!(value[0]["problems"][0]["step"], 1);
}

#[test]
fn the_library_is_the_config_folders_promptbooks_and_the_demos_own() {
    let home = tempfile::tempdir().unwrap();
    let library = home.path().join("config/sctui/promptbooks");
    std::fs::create_dir_all(&library).unwrap();
    std::fs::copy(
        fixtures().join("sctui-utf16-powershell.json"),
        library.join("device.json"),
    )
    .unwrap();
    std::fs::write(library.join("broken.json"), "{ not json").unwrap();
    let out = sctui(home.path(), &["promptbook", "list"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("NAME "), "{stdout}");
    assert!(
        stdout.contains("sctui – Gerät prüfen (UTF-16)  hostname, days"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("broken.json"),
        "unreadable files are named"
    );
    // a library book by name
    let shown = sctui(home.path(), &["promptbook", "show", "device"]);
    assert!(shown.status.success(), "{}", describe(&shown));

    let demo = sctui(home.path(), &["--demo", "promptbook", "list", "-o", "json"]);
    let books: serde_json::Value = serde_json::from_slice(&demo.stdout).unwrap();
    let names: Vec<&str> = books
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Sign-in triage") && names.contains(&"Capacity drill"),
        "{names:?}"
    );

    let missing = sctui(home.path(), &["promptbook", "show", "no such book"]);
    assert_eq!(missing.status.code(), Some(4), "{}", describe(&missing));
}

/// `sctui promptbook run|runs|resume|new` against a standalone `sctui fake-graph`.
mod against_the_fake {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    use serde_json::Value;

    use super::fixtures;
    use crate::cli::Fake;
    use crate::common::describe;

    fn book() -> String {
        fixtures()
            .join("microsoft/Incident_Prioritization.json")
            .display()
            .to_string()
    }

    /// The questions of a session, in order.
    fn questions(fake: &Fake, session: &str) -> Vec<String> {
        let prompts = fake.json(&["prompts", "list", session, "-o", "json"]);
        prompts
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["content"].as_str().unwrap().to_string())
            .collect()
    }

    fn session_count(fake: &Fake) -> usize {
        let list = fake.json(&["sessions", "list", "--all", "-o", "json"]);
        list.as_array().unwrap().len()
    }

    #[test]
    fn a_run_asks_each_step_in_order_and_writes_its_reports() {
        let fake = Fake::start_with(None, &["--eval-seconds", "0"]);
        let md = fake.home.path().join("triage.md");
        let out = fake.run(&[
            "promptbook",
            "run",
            &book(),
            "--input",
            "incidentID=4242",
            "--report",
            md.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with("run 1  succeeded  5/5 steps  session "),
            "{stdout}"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("Run 1: \"Incident Prioritization\", 5 steps"),
            "{stderr}"
        );
        assert_eq!(stderr.matches("✓ ").count(), 5, "{stderr}");

        let runs = fake.json(&["promptbook", "runs", "-o", "json"]);
        assert_eq!(runs[0]["id"], 1);
        assert_eq!(runs[0]["state"], "succeeded");
        assert_eq!(runs[0]["inputs"]["incidentID"], "4242");
        let session = runs[0]["session"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            runs[0]["session"]["displayName"],
            "Incident Prioritization (incidentID=4242)"
        );
        let asked = questions(&fake, &session);
        assert_eq!(asked.len(), 5);
        assert!(
            asked[1].starts_with("For the users involved in 4242, "),
            "{asked:?}"
        );

        let report = std::fs::read_to_string(&md).unwrap();
        assert!(
            report.starts_with("# Incident Prioritization\n"),
            "{report}"
        );
        assert!(report.contains("  - `incidentID`: 4242"), "{report}");
        assert!(
            report.contains("## Step 5: succeeded (result: success"),
            "{report}"
        );

        // the report again, later, from the store alone
        let json = fake.home.path().join("again.json");
        let again = fake.run(&[
            "--offline",
            "promptbook",
            "resume",
            "1",
            "--report",
            json.to_str().unwrap(),
        ]);
        assert_eq!(again.status.code(), Some(0), "{}", describe(&again));
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(value["promptbook"], "Incident Prioritization");
        assert_eq!(value["session"]["id"], session.as_str());
        assert_eq!(value["steps"].as_array().unwrap().len(), 5);
        assert_eq!(value["steps"][4]["state"], "succeeded");
        assert_eq!(value["steps"][1]["prompt"], asked[1].as_str());

        // and a book made back from the session asks the same questions
        let made = fake.home.path().join("made.json");
        let new = fake.run(&[
            "promptbook",
            "new",
            "--from-session",
            &session,
            "--out",
            made.to_str().unwrap(),
            "--input",
            "incidentID=4242",
        ]);
        assert_eq!(new.status.code(), Some(0), "{}", describe(&new));
        let lint = fake.run(&["promptbook", "lint", made.to_str().unwrap()]);
        assert_eq!(lint.status.code(), Some(0), "{}", describe(&lint));
        let shown = fake.json(&["promptbook", "show", made.to_str().unwrap(), "-o", "json"]);
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(book()).unwrap()).unwrap();
        for i in 0..5 {
            assert_eq!(
                shown["prompts"][i]["content"],
                original["prompts"][i]["content"]
            );
        }
        assert_eq!(shown["promptbookinputs"][0]["name"], "incidentID");
        let refused = fake.run(&[
            "promptbook",
            "new",
            "--from-session",
            &session,
            "--out",
            made.to_str().unwrap(),
        ]);
        assert_eq!(refused.status.code(), Some(2), "an existing file is kept");
    }

    #[test]
    fn a_missing_input_is_a_usage_error_and_nothing_is_sent() {
        let fake = Fake::start_with(None, &["--eval-seconds", "0"]);
        let before = session_count(&fake);
        let out = fake.run(&["promptbook", "run", &book()]);
        assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("missing input <incidentID> (ID of incident)"),
            "{stderr}"
        );
        let unknown = fake.run(&["promptbook", "run", &book(), "--input", "incidentId=1"]);
        assert_eq!(unknown.status.code(), Some(2), "{}", describe(&unknown));
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("no input <incidentId>"));
        assert_eq!(session_count(&fake), before, "no session was created");
    }

    #[test]
    fn a_step_without_an_answer_exits_7_and_resume_evaluates_it_again() {
        let fake = Fake::start_with(None, &["--eval-seconds", "0"]);
        let out = fake.run(&[
            "promptbook",
            "run",
            &book(),
            "--input",
            "incidentID=4242 [fail:timedOut]",
        ]);
        assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("✗ 2/5"), "{stderr}");
        assert!(
            stderr.contains("step 2 ended without an answer (completed, timedOut)"),
            "{stderr}"
        );
        assert!(stderr.contains("sctui promptbook resume 1"), "{stderr}");
        let runs = fake.json(&["promptbook", "runs", "-o", "json"]);
        assert_eq!(runs[0]["state"], "failed");
        let session = runs[0]["session"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            questions(&fake, &session).len(),
            2,
            "the steps after it were not run"
        );

        let again = fake.run(&["promptbook", "resume", "1", "-o", "json"]);
        assert_eq!(again.status.code(), Some(7), "{}", describe(&again));
        let report: Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(report["steps"][1]["evaluations"], 2, "evaluated again");
        assert_eq!(questions(&fake, &session).len(), 2, "and not posted again");
    }

    #[test]
    fn a_killed_run_resumes_without_posting_a_prompt_twice() {
        // Each step takes 3 s, so a poll that is slow on a loaded machine still sees the run
        // part-way through (5 steps: 15 s in all).
        let fake = Fake::start_with(None, &["--eval-seconds", "3"]);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sctui"));
        crate::common::isolate(&mut cmd, fake.home.path());
        let mut child = cmd
            .env("SCTUI_ACCESS_TOKEN", "t")
            .args([
                "--graph-url",
                &fake.url,
                "promptbook",
                "run",
                &book(),
                "--input",
                "incidentID=7",
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(fake.home.path().join("run.stderr")).unwrap())
            .spawn()
            .unwrap();
        // kill it once step 1 has its answer, while a later step runs (its prompt posted, its
        // evaluation followed)
        let started = Instant::now();
        loop {
            let runs = fake.json(&["promptbook", "runs", "-o", "json"]);
            if runs.as_array().is_some_and(|r| !r.is_empty())
                && runs[0]["succeeded"].as_u64().is_some_and(|n| n >= 1)
            {
                break;
            }
            let exited = child.try_wait().unwrap();
            assert!(
                exited.is_none() && started.elapsed() < Duration::from_secs(120),
                "the run never finished its first step (exit: {exited:?}; runs: {runs}); it printed:\n{}",
                std::fs::read_to_string(fake.home.path().join("run.stderr")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // while it runs, a second process cannot drive it too
        let twice = fake.run(&["promptbook", "resume", "1"]);
        assert_eq!(twice.status.code(), Some(1), "{}", describe(&twice));
        let refused = String::from_utf8_lossy(&twice.stderr);
        assert!(
            refused.contains(&format!(
                "run 1 is being run by another sctui process (pid {})",
                child.id()
            )),
            "{refused}"
        );
        let runs = fake.json(&["promptbook", "runs", "-o", "json"]);
        assert_eq!(runs[0]["state"], "running", "driven: {runs}");
        child.kill().unwrap();
        child.wait().unwrap();
        let runs = fake.json(&["promptbook", "runs", "-o", "json"]);
        assert_eq!(
            runs[0]["state"], "interrupted",
            "no process drives it any more: {runs}"
        );
        assert_eq!(runs[0]["interrupted"], "the sctui process running it ended");
        let out = fake.run(&["promptbook", "resume", "1"]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let session = runs[0]["session"]["id"].as_str().unwrap().to_string();
        let asked = questions(&fake, &session);
        let book: Value = serde_json::from_str(&std::fs::read_to_string(book()).unwrap()).unwrap();
        let expected: Vec<String> = book["prompts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["content"].as_str().unwrap().replace("<incidentID>", "7"))
            .collect();
        assert_eq!(asked, expected, "each step asked once, in order");
    }

    #[test]
    fn a_batch_runs_each_row_in_its_own_session_with_a_report_each() {
        let fake = Fake::start_with(None, &["--eval-seconds", "0"]);
        let rows = fake.home.path().join("rows.csv");
        std::fs::write(&rows, "incidentID\n101\n102\n\"10,3\"\n").unwrap();
        let reports = fake.home.path().join("reports");
        let out = fake.run(&[
            "promptbook",
            "run",
            &book(),
            "--inputs-file",
            rows.to_str().unwrap(),
            "--parallel",
            "2",
            "--report",
            reports.to_str().unwrap(),
            "-o",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = summary.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        let mut sessions = std::collections::HashSet::new();
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row["row"], i + 1);
            assert_eq!(row["result"], "succeeded");
            let session = row["session"].as_str().unwrap().to_string();
            let asked = questions(&fake, &session);
            assert_eq!(asked.len(), 5);
            let id = ["101", "102", "10,3"][i];
            assert!(
                asked[1].contains(&format!("involved in {id},")),
                "{asked:?}"
            );
            sessions.insert(session);
            for ext in ["md", "json"] {
                assert!(reports.join(format!("row-{:03}.{ext}", i + 1)).is_file());
            }
        }
        assert_eq!(sessions.len(), 3, "one session per row");
        let bad = fake.home.path().join("bad.csv");
        std::fs::write(&bad, "incidentId\n1\n").unwrap();
        let refused = fake.run(&[
            "promptbook",
            "run",
            &book(),
            "--inputs-file",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    }
}
