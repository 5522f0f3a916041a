//! `sctui search` and the store commands under stress, as a script sees them: searches past
//! their budget or stopped by Ctrl-C, queries a shell or FTS5 would misread, the store used by
//! two processes, a store that can only be read, damage inside the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jiff::Timestamp;
use sctui_store::SessionRecord;

use crate::common::{self, describe};

// the store's own test helpers: damage in a store file, huge answers
#[path = "../../crates/store/tests/common/answers.rs"]
mod answers;
#[path = "../../crates/store/tests/common/damage.rs"]
mod damage;
use answers::repetitive;

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

/// `sctui` runs that cannot write the store at `path` (in `home`): by permissions when not root
/// (file 0444, folder 0555, put back when dropped); root ignores permissions, so as root each
/// run is made as `nobody` (util-linux's `setpriv`) over root's 0644 file in 0755 folders.
#[cfg(unix)]
struct Unwritable {
    home: PathBuf,
    folder: PathBuf,
    /// As root: the binary where `nobody` may run it, and the state and cache folders it may
    /// write (its log).
    as_nobody: Option<(PathBuf, tempfile::TempDir, tempfile::TempDir)>,
}

#[cfg(unix)]
impl Unwritable {
    fn new(home: &Path, path: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let chmod = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        let folder = path.parent().unwrap().to_path_buf();
        // the folder is this process's: its owner is who runs the test
        if std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(home).unwrap()) != 0 {
            chmod(path, 0o444);
            chmod(&folder, 0o555);
            return Self {
                home: home.into(),
                folder,
                as_nobody: None,
            };
        }
        chmod(path, 0o644);
        for dir in path.ancestors().skip(1).take_while(|d| d.starts_with(home)) {
            chmod(dir, 0o755);
        }
        let scratch = || {
            let dir = tempfile::tempdir().unwrap();
            std::os::unix::fs::chown(dir.path(), Some(65534), Some(65534)).unwrap();
            dir
        };
        let bin = scratch();
        let exe = bin.path().join("sctui");
        if std::fs::hard_link(BIN, &exe).is_err() {
            std::fs::copy(BIN, &exe).unwrap();
        }
        Self {
            home: home.into(),
            folder,
            as_nobody: Some((exe, bin, scratch())),
        }
    }

    /// `sctui <args>` with `home`'s HOME, unable to write the store.
    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = match &self.as_nobody {
            None => Command::new(BIN),
            Some((exe, _, _)) => {
                let mut cmd = Command::new("setpriv");
                cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(exe);
                cmd
            }
        };
        common::isolate(&mut cmd, &self.home);
        if let Some((_, _, scratch)) = &self.as_nobody {
            cmd.env("XDG_STATE_HOME", scratch.path().join("state"))
                .env("XDG_CACHE_HOME", scratch.path().join("cache"));
        }
        cmd.args(args)
            .output()
            .expect("run sctui (as root: setpriv, from util-linux)")
    }
}

#[cfg(unix)]
impl Drop for Unwritable {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        // so the temporary folder can be removed
        let _ = std::fs::set_permissions(&self.folder, std::fs::Permissions::from_mode(0o700));
    }
}

/// A store on a read-only file system or without write permission: `--offline search`, `store
/// stats`, `sessions list` and `get` read it exactly as when it could be written, and `sync` is
/// refused before it starts, saying once that the store can only be read.
#[cfg(unix)]
#[test]
fn a_store_that_cannot_be_written_is_read_offline_and_a_sync_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let sctui = |args: &[&str]| {
        let mut cmd = Command::new(BIN);
        common::isolate(&mut cmd, home.path());
        cmd.args(args).output().expect("run sctui")
    };
    let out = sctui(&["--demo", "sync", "--conversations"]);
    assert!(out.status.success(), "{}", describe(&out));
    let list = sctui(&["--demo", "--offline", "sessions", "list", "-o", "json"]);
    assert!(list.status.success(), "{}", describe(&list));
    let sessions: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let first = &sessions[0];
    let id = first["id"].as_str().unwrap().to_string();
    let word = first["displayName"]
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.len())
        .unwrap()
        .to_string();
    let reads: [&[&str]; 4] = [
        &["--demo", "--offline", "search", &word, "-o", "json"],
        &["--demo", "--offline", "store", "stats", "-o", "json"],
        &["--demo", "--offline", "sessions", "list", "-o", "json"],
        &["--demo", "--offline", "prompts", "list", &id, "-o", "json"],
    ];
    let writable: Vec<Output> = reads.iter().map(|args| sctui(args)).collect();
    let out = sctui(&["--demo", "store", "path"]);
    let path = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());

    let unwritable = Unwritable::new(home.path(), &path);
    for (args, before) in reads.iter().zip(&writable) {
        assert!(before.status.success(), "{}", describe(before));
        let out = unwritable.run(args);
        assert!(out.status.success(), "{args:?}: {}", describe(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&before.stdout),
            "{args:?} reads the same"
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", describe(&out));
    }
    let hits: serde_json::Value = serde_json::from_slice(&writable[0].stdout).unwrap();
    assert!(!hits.as_array().unwrap().is_empty(), "{hits}");
    let out = unwritable.run(&["--demo", "sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let said = stderr(&out);
    assert_eq!(said.matches("can only be read").count(), 1, "{said}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Synced"),
        "{}",
        describe(&out)
    );
}

/// Damage inside the store file (not at its header; opening does not read it) shows on the
/// first search: `--offline search` says the store was damaged, where the damaged copy is kept
/// and that a new one was started, and answers from the new one; the next search is quiet.
#[test]
fn a_search_that_meets_damage_inside_the_store_sets_it_aside_and_answers() {
    let home = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..3000)
        .map(|i| format!("beacon hunt {i} lateral movement from host {}", i * 7))
        .collect();
    let path = stored(home.path(), &names);
    damage::damage_the_index_pages(&path);

    let out = offline(home.path(), &["search", "beacon"]);
    assert!(out.status.success(), "{}", describe(&out));
    let said = stderr(&out);
    let kept = said
        .split("moved it to ")
        .nth(1)
        .and_then(|rest| rest.split(" and started a new one").next())
        .unwrap_or_else(|| panic!("says where the damaged copy is: {said}"));
    assert!(said.contains("damaged"), "{said}");
    assert!(Path::new(kept).exists(), "the damaged copy is kept: {said}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No match in 0 stored sessions"),
        "{}",
        describe(&out)
    );
    let out = offline(home.path(), &["search", "beacon"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(out.stderr.is_empty(), "{}", describe(&out));
}

/// How many huge answers the Ctrl-C test stores, and what it searches for in them: enough work
/// that the search is still running when the signal comes.
const HUGE_ANSWERS: usize = 4;
const HUGE_QUERY: &str = "\"beacon process\" OR \"process beacon\"";

/// Ctrl-C (SIGINT) while `sctui search` works through huge answers ends it within a second,
/// with 130 (128 + SIGINT) as a shell expects, whatever time the search had left.
#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_search_over_huge_answers_within_a_second() {
    use std::time::{Duration, Instant};
    let home = tempfile::tempdir().unwrap();
    let path = stored(home.path(), &["huge answers".to_string()]);
    let store = sctui::store::open_at(&path).unwrap().store;
    let answer = repetitive(4 << 20);
    for i in 0..HUGE_ANSWERS {
        let turn = sctui_store::TurnRecord {
            prompt_id: format!("p{i}"),
            prompt_json: format!(r#"{{"id":"p{i}","type":"prompt"}}"#),
            evaluation_json: None,
            question: Some("which hosts beacon?".into()),
            answer: Some(answer.clone()),
            asked: None,
        };
        store
            .put_conversation(&format!("h{i}"), None, &[turn], true, Timestamp::now())
            .unwrap();
    }
    drop(store);

    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home.path());
    let mut search = cmd
        .env("SCTUI_LOG", "debug")
        .args(["--offline", "search", "--timeout", "600", HUGE_QUERY])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run sctui");
    // the signal goes when the search has started (its log line), not before
    let log = home.path().join("state").join("sctui").join("sctui.log");
    let started = Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("searching the store")) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the search never started"
        );
        assert!(search.try_wait().unwrap().is_none(), "sctui ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &search.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = search.try_wait().unwrap() {
            break status;
        }
        if sent.elapsed() > Duration::from_secs(10) {
            let _ = search.kill();
            panic!("SIGINT did not end the search within 10 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = sent.elapsed();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(took < Duration::from_secs(1), "ended {took:?} after SIGINT");
}
