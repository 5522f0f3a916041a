//! `sctui search` and the store commands under stress, as a script sees them: searches past
//! their budget, queries a shell or FTS5 would misread, the store used by two processes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jiff::Timestamp;
use sctui_store::SessionRecord;

use crate::common::{self, describe};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");

/// `sctui --offline <args>` with its own HOME.
fn offline(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.arg("--offline").args(args).output().expect("run sctui")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The store `sctui --offline` uses in `home`, filled with `names`.
fn stored(home: &Path, names: &[String]) -> PathBuf {
    let out = offline(home, &["store", "path"]);
    assert!(out.status.success(), "{}", describe(&out));
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    // as the app opens it (its index cleaned by the app's sanitiser)
    let store = sctui::store::open_at(&path).unwrap().store;
    let sessions: Vec<SessionRecord> = names
        .iter()
        .enumerate()
        .map(|(i, name)| SessionRecord {
            id: format!("s{i}"),
            display_name: Some(name.clone()),
            created: None,
            modified: None,
        })
        .collect();
    store.put_sessions(&sessions, Timestamp::now()).unwrap();
    path
}

#[test]
fn a_search_past_its_timeout_stops_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..3000).map(|i| format!("beacon hunt {i}")).collect();
    stored(home.path(), &names);
    let out = offline(home.path(), &["search", "--timeout", "0.000001", "beacon"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        stderr(&out).contains("took longer than"),
        "{}",
        describe(&out)
    );
    // with its default budget the same search answers
    let out = offline(home.path(), &["search", "beacon", "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = offline(home.path(), &["search", "--timeout", "0", "beacon"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn queries_starting_with_a_dash_or_full_of_operators_are_taken_as_meant() {
    let home = tempfile::tempdir().unwrap();
    stored(
        home.path(),
        &[
            "powershell -EncodedCommand seen".to_string(),
            "phishing test".to_string(),
            "phishing real".to_string(),
        ],
    );
    // a query beginning with `-` is a query, not a flag (with or without `--`)
    for args in [
        &["search", "-EncodedCommand", "-o", "json"][..],
        &["search", "-o", "json", "--", "-EncodedCommand"][..],
    ] {
        let out = offline(home.path(), args);
        assert!(out.status.success(), "{}", describe(&out));
        let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    }
    // a leading NOT leaves out what the user said, from the rest
    let out = offline(home.path(), &["search", "NOT test phishing", "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    assert_eq!(hits[0]["sessionId"], "s2", "{hits}");
    // hundreds of operators: sctui's words, the query cut, a usage error
    let query = format!("phishing{}", " NOT x".repeat(300));
    let out = offline(home.path(), &["search", &query]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let said = stderr(&out);
    assert!(said.contains("too many words"), "{said}");
    assert!(!said.contains("fts5") && said.len() < 250, "{said}");
}

/// A name whose display drops an escape sequence: its snippet cannot show the part the name's
/// display hides (a match inside the sequence used to cut it in two, each half cleaned alone).
#[test]
fn snippets_are_sanitised_like_the_name() {
    let home = tempfile::tempdir().unwrap();
    stored(
        home.path(),
        &[
            "Report \u{1b}]8;;https://evil.example/hidden\u{7}click\u{1b}]8;;\u{7} here"
                .to_string(),
        ],
    );
    let out = offline(home.path(), &["search", "click", "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let snippet = hits[0]["snippet"]["text"].as_str().unwrap();
    assert!(!snippet.contains("evil"), "{snippet}");
    assert!(!snippet.contains('\u{1b}'), "{snippet}");
    assert!(snippet.contains("click"), "{snippet}");
    let out = offline(home.path(), &["search", "click"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(!table.contains("evil"), "{table}");
}

/// `store clear` while another process (here: this test) has the store open refuses, naming the
/// process; `--force` deletes it, and the process that had it open writes nothing more into the
/// deleted file: it says so instead.
#[test]
fn clear_refuses_while_the_store_is_open_elsewhere_and_a_forced_clear_stops_its_writes() {
    let home = tempfile::tempdir().unwrap();
    let path = stored(home.path(), &["kept".to_string()]);
    let open = sctui::store::open_at(&path).unwrap().store;
    let out = offline(home.path(), &["store", "clear"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let said = stderr(&out);
    assert!(
        said.contains(&format!("pid {}", std::process::id())) && said.contains("--force"),
        "{said}"
    );
    assert!(path.exists(), "nothing was deleted");

    let out = offline(home.path(), &["store", "clear", "--force"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!path.exists());
    let session = SessionRecord {
        id: "late".into(),
        display_name: Some("written after the clear".into()),
        created: None,
        modified: None,
    };
    let error = open.put_sessions(&[session], Timestamp::now()).unwrap_err();
    assert!(error.is_gone(), "{error:?}");
    assert!(
        error.to_string().contains("nothing more is kept"),
        "{error}"
    );
    drop(open);
    // with no one holding it, a clear needs no force
    stored(home.path(), &["again".to_string()]);
    let out = offline(home.path(), &["store", "clear"]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// Past `ulimit -f` a write fails like a full disk, with a message; the signal the kernel sends
/// (SIGXFSZ) no longer kills the process.
#[cfg(unix)]
#[test]
fn a_file_size_limit_fails_the_write_like_a_full_disk_instead_of_killing() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("sh");
    common::isolate(&mut cmd, home.path());
    let out = cmd
        .args(["-c", "ulimit -f 4 && exec \"$0\" \"$@\"", BIN])
        // a sync against the demo writes a new store (a read never creates one)
        .args(["--demo", "sync"])
        .output()
        .expect("run sctui under ulimit -f");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stderr(&out).contains("size limit"), "{}", describe(&out));
}

#[test]
fn commands_started_at_once_on_a_fresh_machine_all_open_the_new_store() {
    // A script starts several sctui commands at once before any store exists: each must open
    // the new file, none fail as busy or set it aside as not a sctui store.
    for _ in 0..10 {
        let home = tempfile::tempdir().unwrap();
        let runs: Vec<_> = (0..6)
            .map(|_| {
                let mut cmd = Command::new(BIN);
                common::isolate(&mut cmd, home.path());
                cmd.args(["--offline", "promptbook", "runs", "-o", "json"])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("run sctui")
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", describe(&out));
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
            assert!(
                !stderr(&out).contains("started a new one"),
                "{}",
                describe(&out)
            );
        }
    }
}
