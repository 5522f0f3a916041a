//! The store against real files in a temporary folder: layout and permissions, the schema's
//! life (migrations, bad files set aside), the list and conversations, search, two writers.

use std::path::{Path, PathBuf};

#[path = "common/damage.rs"]
mod damage;

use jiff::{Timestamp, ToSpan};
use sctui_store::{
    BadFile, EvaluationRecord, HitKind, PluginRecord, SessionRecord, Store, StoreKey, TurnRecord,
    clear, current_version,
};

fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("store")
        .join(StoreKey::new("demo", "demo", "default").file_name());
    let opened = Store::open(&path).unwrap();
    assert!(opened.recovered.is_none());
    (dir, path, opened.store)
}

fn session(id: &str, name: Option<&str>, modified: &str) -> SessionRecord {
    SessionRecord {
        id: id.into(),
        display_name: name.map(Into::into),
        created: Some(modified.into()),
        modified: Some(modified.into()),
    }
}

fn turn(id: &str, question: &str, answer: &str) -> TurnRecord {
    TurnRecord {
        prompt_id: id.into(),
        prompt_json: format!(r#"{{"id":"{id}","type":"prompt","content":{question:?}}}"#),
        evaluation_json: Some(format!(r#"{{"id":"e-{id}","state":"completed"}}"#)),
        question: Some(question.into()),
        answer: Some(answer.into()),
        asked: None,
    }
}

/// The stored list's ids, in its order.
fn stored_ids(store: &Store) -> Vec<String> {
    store
        .sessions()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

fn now() -> Timestamp {
    Timestamp::now()
}

#[test]
fn bundled_sqlite_has_fts5() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE t USING fts5(x); INSERT INTO t VALUES ('hello world');",
    )
    .unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM t WHERE t MATCH 'world'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 1);
}

#[cfg(unix)]
#[test]
fn file_is_private_in_a_private_folder_and_in_wal_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path, store) = temp_store();
    store
        .put_sessions(&[session("a", Some("x"), "2025-01-01T00:00:00Z")], now())
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    assert!(wal.exists(), "WAL file next to the store");
    assert_eq!(mode(&wal) & 0o077, 0, "the WAL is private too");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, current_version());
}

#[test]
fn processes_opening_a_new_store_at_once_all_open_it() {
    // Several sctui processes start at once on a fresh machine (a script runs the CLI while the
    // TUI starts): each one opens the same new file; none may fail on the others' set-up.
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store").join("new.sqlite3");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let openers: Vec<_> = (0..4)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open(&path).map(|opened| opened.recovered.map(|r| r.reason.to_string()))
                })
            })
            .collect();
        for opener in openers {
            let opened = opener.join().unwrap();
            assert!(
                matches!(opened, Ok(None)),
                "round {round}: {opened:?} (a new store is neither busy nor bad)"
            );
        }
    }
}

#[test]
fn default_dir_is_under_the_platform_data_dir() {
    let dir = sctui_store::default_dir().unwrap();
    assert!(dir.ends_with("store"), "{}", dir.display());
    assert!(
        dir.parent().unwrap().ends_with("sctui"),
        "{}",
        dir.display()
    );
}

#[test]
fn the_stored_list_puts_unknown_times_last_and_equal_times_newest_stored_first() {
    let (_dir, _path, store) = temp_store();
    let mut undated = session("undated", Some("No time"), "x");
    undated.modified = None;
    store
        .put_sessions(
            &[
                undated,
                session("twin-a", None, "2025-02-01T00:00:00Z"),
                session("old", None, "2025-01-01T00:00:00Z"),
                session("twin-b", None, "2025-02-01T00:00:00.0000000Z"),
                session("new", None, "2025-03-01T00:00:00Z"),
            ],
            now(),
        )
        .unwrap();
    assert_eq!(
        stored_ids(&store),
        ["new", "twin-b", "twin-a", "old", "undated"]
    );
}

#[test]
fn sessions_round_trip_newest_first_and_a_complete_listing_drops_the_gone() {
    let (_dir, _path, store) = temp_store();
    let t0 = now();
    store
        .put_sessions(
            &[
                session("old", Some("Old hunt"), "2025-01-01T00:00:00.0000000Z"),
                session("new", None, "2025-03-01T10:00:00.1234567Z"),
                session("mid", Some("Mid"), "2025-02-01T00:00:00Z"),
            ],
            t0,
        )
        .unwrap();
    assert_eq!(stored_ids(&store), ["new", "mid", "old"]);
    let stored = store.sessions().unwrap();
    assert_eq!(
        stored[0].modified.as_deref(),
        Some("2025-03-01T10:00:00.1234567Z")
    );
    assert_eq!(stored[0].display_name, None);
    assert_eq!(store.list_info().unwrap().known, 3);
    assert_eq!(store.list_info().unwrap().complete, None);

    // a later full listing sees "new" and "mid" only: "old" is gone from Graph
    let t1 = t0 + 1.second();
    store
        .put_sessions(
            &[session("new", Some("Named now"), "2025-03-02T00:00:00Z")],
            t1,
        )
        .unwrap();
    store
        .put_sessions(&[session("mid", Some("Mid"), "2025-02-01T00:00:00Z")], t1)
        .unwrap();
    let gone = store.finish_listing(t1).unwrap();
    assert_eq!(gone, ["old"]);
    let info = store.list_info().unwrap();
    assert_eq!(info.known, 2);
    assert!(info.complete.is_some());
    assert!(
        store.search("Old", 10).unwrap().is_empty(),
        "its name left the index"
    );
    assert_eq!(
        store.search("named", 10).unwrap().len(),
        1,
        "the new name is indexed"
    );
}

#[test]
fn conversations_round_trip_and_know_when_they_are_stale() {
    let (_dir, _path, store) = temp_store();
    assert_eq!(store.conversation("s1").unwrap(), None);
    assert!(store.conversation_is_stale("s1", Some("m1")).unwrap());
    let turns = [turn("p1", "first?", "one"), turn("p2", "second?", "two")];
    store
        .put_conversation("s1", Some("m1"), &turns, true, now())
        .unwrap();
    let stored = store.conversation("s1").unwrap().unwrap();
    assert_eq!(stored.turns.len(), 2);
    assert_eq!(stored.turns[0].prompt_json, turns[0].prompt_json);
    assert_eq!(stored.turns[1].evaluation_json, turns[1].evaluation_json);
    assert_eq!(stored.session_modified.as_deref(), Some("m1"));
    assert!(!store.conversation_is_stale("s1", Some("m1")).unwrap());
    assert!(store.conversation_is_stale("s1", Some("m2")).unwrap());
    // a conversation stored while an answer was running is fetched again
    store
        .put_conversation("s1", Some("m1"), &turns[..1], false, now())
        .unwrap();
    assert!(store.conversation_is_stale("s1", Some("m1")).unwrap());
    assert_eq!(store.conversation("s1").unwrap().unwrap().turns.len(), 1);
    assert!(
        store.search("second", 10).unwrap().is_empty(),
        "replaced turns leave the index"
    );
    // the conversation made a bare session row; a listing fills it in
    store
        .put_sessions(&[session("s1", Some("Named"), "m1")], now())
        .unwrap();
    assert_eq!(store.sessions().unwrap().len(), 1);
    store.remove_session("s1").unwrap();
    assert_eq!(store.conversation("s1").unwrap(), None);
    assert!(store.search("first", 10).unwrap().is_empty());
}

#[test]
fn identifiers_analysts_type_are_found_as_typed() {
    let (_dir, _path, store) = temp_store();
    store
        .put_sessions(
            &[session("s1", Some("Hunt"), "2025-01-01T00:00:00Z")],
            now(),
        )
        .unwrap();
    let answer = "Technique T1059.001 (PowerShell) seen; see CVE-2024-3400. Source 10.0.0.15, \
                  then 192.168.1.7.\n```kql\nDeviceProcessEvents | where ProcessCommandLine has_any \
                  (\"-EncodedCommand\")\n```";
    store
        .put_conversation(
            "s1",
            None,
            &[turn("p1", "What ran on host-7?", answer)],
            true,
            now(),
        )
        .unwrap();
    for found in [
        "T1059.001",
        "t1059.001",
        "CVE-2024-3400",
        "10.0.0.15",
        "192.168.1.7",
        "DeviceProcessEvents",
        "has_any",
        "-EncodedCommand",
        "host-7",
        "\"ProcessCommandLine has_any\"",
        "CVE-2024*",
        "DeviceProc*",
    ] {
        let hits = store.search(found, 10).unwrap();
        assert_eq!(hits.len(), 1, "{found} should be found");
    }
    // a subnet's leading parts find its addresses (a phrase of whole parts), a shorter part does not
    assert_eq!(store.search("192.168.1", 10).unwrap().len(), 1);
    for missing in [
        "T1059.002",
        "CVE-2024-3401",
        "10.0.0.1",
        "192.168.1.70",
        "has_all",
    ] {
        let hits = store.search(missing, 10).unwrap();
        assert!(hits.is_empty(), "{missing} should not be found: {hits:?}");
    }
}

#[test]
fn hits_rank_name_over_answer_then_newest_and_carry_a_highlighted_snippet() {
    let (_dir, _path, store) = temp_store();
    store
        .put_sessions(
            &[
                session("older", Some("Phishing triage"), "2025-01-01T00:00:00Z"),
                session("newer", Some("Other"), "2025-02-01T00:00:00Z"),
                session("newest", Some("Another"), "2025-03-01T00:00:00Z"),
            ],
            now(),
        )
        .unwrap();
    let mut asked = turn("p1", "what now", "Looks like phishing to me.");
    asked.asked = Some("2025-02-01T00:00:00Z".parse().unwrap());
    store
        .put_conversation("newer", None, &[asked.clone()], true, now())
        .unwrap();
    asked.prompt_id = "p2".into();
    asked.asked = Some("2025-03-01T00:00:00Z".parse().unwrap());
    store
        .put_conversation("newest", None, &[asked], true, now())
        .unwrap();

    let hits = store.search("phishing", 10).unwrap();
    let order: Vec<_> = hits.iter().map(|h| h.session_id.as_str()).collect();
    assert_eq!(order, ["older", "newest", "newer"], "{hits:#?}");
    assert_eq!(hits[0].kind, HitKind::Name);
    assert_eq!(
        hits[1].kind,
        HitKind::Turn {
            position: 0,
            prompt_id: "p2".into()
        }
    );
    let snippet = &hits[1].snippet;
    assert_eq!(snippet.text, "Looks like phishing to me.");
    assert_eq!(snippet.highlights, vec![(11, 19)]);
    assert_eq!(hits[1].session_name.as_deref(), Some("Another"));
    assert_eq!(store.search("phishing", 1).unwrap().len(), 1, "limit holds");
    assert!(store.search("  ", 10).unwrap().is_empty());
    assert!(
        store.search("\"unclosed OR", 10).is_ok(),
        "no query is a syntax error"
    );
}

#[test]
fn highlight_markers_in_server_text_cannot_forge_highlights() {
    let (_dir, _path, store) = temp_store();
    store
        .put_conversation(
            "s",
            None,
            &[turn("p", "q", "a \u{E000}fake\u{E001} mark and real")],
            true,
            now(),
        )
        .unwrap();
    let hits = store.search("real", 10).unwrap();
    assert_eq!(
        hits[0].snippet.pieces().iter().filter(|(_, m)| *m).count(),
        1
    );
    assert!(hits[0].snippet.pieces().contains(&("real", true)));
}

fn assert_set_aside(path: &Path, expect: impl Fn(&BadFile) -> bool) {
    let opened = Store::open(path).unwrap();
    let recovered = opened.recovered.expect("the bad file was set aside");
    assert!(expect(&recovered.reason), "{:?}", recovered.reason);
    let name = recovered
        .moved_to
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.contains(".sqlite3.corrupt-"), "{name}");
    assert!(recovered.moved_to.exists(), "the old file is kept");
    let store = opened.store;
    assert!(store.integrity_ok().unwrap());
    store
        .put_sessions(
            &[session("a", Some("fresh"), "2025-01-01T00:00:00Z")],
            now(),
        )
        .unwrap();
    assert_eq!(store.sessions().unwrap().len(), 1);
    assert!(recovered.to_string().contains("started a new one"));
}

#[test]
fn a_corrupt_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite3");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    assert_set_aside(&path, |r| matches!(r, BadFile::Corrupt(_)));
}

#[test]
fn a_damaged_store_is_moved_aside_and_rebuilt() {
    let (_dir, path, store) = temp_store();
    let many: Vec<_> = (0..300)
        .map(|i| {
            session(
                &format!("s{i}"),
                Some(&format!("name {i}")),
                "2025-01-01T00:00:00Z",
            )
        })
        .collect();
    store.put_sessions(&many, now()).unwrap();
    drop(store);
    // keep SQLite's header, overwrite the schema page
    let mut bytes = std::fs::read(&path).unwrap();
    if bytes.len() < 4096 {
        // the pages are still in the WAL: checkpoint them into the file first
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        bytes = std::fs::read(&path).unwrap();
    }
    for b in &mut bytes[100..4096] {
        *b = 0xff;
    }
    std::fs::write(&path, &bytes).unwrap();
    assert_set_aside(&path, |r| matches!(r, BadFile::Corrupt(_)));
}

#[test]
fn a_foreign_database_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE someone_elses (x);")
        .unwrap();
    drop(conn);
    assert_set_aside(&path, |r| *r == BadFile::Foreign);
}

#[test]
fn a_newer_schema_is_moved_aside() {
    let (_dir, path, store) = temp_store();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", current_version() + 1)
        .unwrap();
    drop(conn);
    assert_set_aside(&path, |r| matches!(r, BadFile::Newer { .. }));
}

#[test]
fn reopening_keeps_data_and_clear_deletes_it() {
    let (_dir, path, store) = temp_store();
    store
        .put_sessions(&[session("a", Some("kept"), "2025-01-01T00:00:00Z")], now())
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap().store;
    assert_eq!(store.sessions().unwrap().len(), 1);
    let stats = store.stats().unwrap();
    assert_eq!(
        (stats.sessions, stats.conversations, stats.turns),
        (1, 0, 0)
    );
    assert!(stats.bytes > 0);
    drop(store);
    assert!(clear(&path, false).unwrap());
    assert!(!path.exists());
    assert!(!clear(&path, false).unwrap(), "nothing left to clear");
}

#[test]
fn two_writers_never_corrupt_the_store() {
    let (_dir, path, store) = temp_store();
    drop(store);
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap().store;
                for i in 0..150 {
                    let id = format!("w{w}-{i}");
                    store
                        .put_sessions(
                            &[session(
                                &id,
                                Some(&format!("writer {w} item {i}")),
                                "2025-01-01T00:00:00Z",
                            )],
                            now(),
                        )
                        .unwrap();
                    store
                        .put_conversation(
                            &id,
                            None,
                            &[turn("p", &format!("question {w} {i}"), "shared answer")],
                            true,
                            now(),
                        )
                        .unwrap();
                    // both also rewrite one shared session
                    store
                        .put_conversation(
                            "shared",
                            None,
                            &[turn("p", "q", &format!("by {w}"))],
                            true,
                            now(),
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let store = Store::open(&path).unwrap().store;
    assert!(store.integrity_ok().unwrap());
    assert_eq!(store.sessions().unwrap().len(), 301);
    assert_eq!(store.search("shared answer", 1000).unwrap().len(), 300);
    assert_eq!(
        store.conversation("shared").unwrap().unwrap().turns.len(),
        1
    );
}

fn run(id: &str, session: &str, created: &str, result: Option<&str>) -> EvaluationRecord {
    let created: Timestamp = created.parse().unwrap();
    EvaluationRecord {
        id: id.into(),
        session_id: session.into(),
        prompt_id: "p1".into(),
        created: Some(created),
        completed: result.map(|_| created + 15.seconds()),
        state: if result.is_some() {
            "completed"
        } else {
            "running"
        }
        .into(),
        result_type: result.map(Into::into),
    }
}

#[test]
fn evaluations_are_kept_by_id_read_from_a_time_on_and_leave_with_their_session() {
    let (_dir, _path, store) = temp_store();
    store
        .put_sessions(&[session("s1", Some("one"), "2025-03-01T09:00:00Z")], now())
        .unwrap();
    store
        .put_evaluations(&[
            run("e1", "s1", "2025-03-01T09:00:00Z", Some("capacityExceeded")),
            run("e2", "s1", "2025-03-01T10:00:00Z", None),
            run("e3", "s2", "2025-02-01T10:00:00Z", Some("success")),
        ])
        .unwrap();
    // a later sight of the same run wins
    store
        .put_evaluations(&[run("e2", "s1", "2025-03-01T10:00:00Z", Some("success"))])
        .unwrap();
    let since: Timestamp = "2025-03-01T00:00:00Z".parse().unwrap();
    let recent = store.evaluations_since(Some(since)).unwrap();
    let ids: Vec<&str> = recent.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2"]);
    assert_eq!(recent[1].result_type.as_deref(), Some("success"));
    assert_eq!(recent[1].state, "completed");
    assert_eq!(store.evaluations_since(None).unwrap().len(), 3);
    store.remove_session("s1").unwrap();
    let left = store.evaluations_since(None).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, "e3");
}

#[test]
fn plugins_are_replaced_by_each_listing_and_kept_in_order() {
    let (_dir, path, store) = temp_store();
    assert_eq!(store.plugins().unwrap(), None, "never listed");
    let plugin = |name: &str| PluginRecord {
        name: name.into(),
        json: format!(r#"{{"name":"{name}"}}"#),
    };
    let first = now();
    store
        .put_plugins(&[plugin("b"), plugin("a"), plugin("c")], first)
        .unwrap();
    store
        .put_plugins(&[plugin("z"), plugin("a")], first)
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap().store;
    let stored = store.plugins().unwrap().unwrap();
    let names: Vec<&str> = stored.plugins.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["z", "a"]);
    assert_eq!(stored.listed.as_millisecond(), first.as_millisecond());
    // an empty listing is a listing: nothing enabled, not "never listed"
    store.put_plugins(&[], first).unwrap();
    assert!(store.plugins().unwrap().unwrap().plugins.is_empty());
}

#[test]
fn a_store_of_the_first_schema_gains_the_evaluations_and_plugins_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
             CREATE TABLE sessions (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
               display_name TEXT, created TEXT, modified TEXT, modified_ms INTEGER,
               seen_ms INTEGER NOT NULL, conversation_ms INTEGER, conversation_modified TEXT,
               conversation_settled INTEGER NOT NULL DEFAULT 0) STRICT;
             CREATE INDEX sessions_by_modified ON sessions (modified_ms DESC);
             CREATE TABLE turns (id INTEGER PRIMARY KEY, session_key INTEGER NOT NULL
               REFERENCES sessions (key) ON DELETE CASCADE, position INTEGER NOT NULL,
               prompt_id TEXT NOT NULL, prompt_json TEXT NOT NULL, evaluation_json TEXT,
               UNIQUE (session_key, position)) STRICT;
             CREATE VIRTUAL TABLE search USING fts5 (name, question, answer,
               session_key UNINDEXED, at UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO sessions (id, display_name, seen_ms) VALUES ('kept', 'kept', 1);",
        )
        .unwrap();
        conn.pragma_update(None, "application_id", sctui_store::APPLICATION_ID)
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let opened = Store::open(&path).unwrap();
    assert!(opened.recovered.is_none(), "migrated, not set aside");
    let store = opened.store;
    assert_eq!(stored_ids(&store), ["kept"]);
    assert_eq!(store.stats().unwrap().schema_version, current_version());
    store
        .put_evaluations(&[run("e1", "kept", "2025-03-01T09:00:00Z", Some("success"))])
        .unwrap();
    assert_eq!(store.evaluations_since(None).unwrap().len(), 1);
}

#[test]
fn runs_are_saved_whole_and_read_back_newest_first() {
    use sctui_store::{RunRecord, RunStepRecord};
    let (_dir, path, store) = temp_store();
    let at = |s: i64| Timestamp::from_second(1_790_000_000 + s).unwrap();
    let step = |q: &str| RunStepRecord {
        question: q.into(),
        phase: "pending".into(),
        ..RunStepRecord::default()
    };
    let mut run = RunRecord {
        id: 0,
        kind: "promptbook".into(),
        title: "Triage".into(),
        source: Some("{}".into()),
        inputs_json: r#"{"upn":"x"}"#.into(),
        session_id: None,
        session_name: "Triage: x".into(),
        status: "running".into(),
        interrupted: None,
        capacity_retry: "next-hour".into(),
        created: at(0),
        updated: at(0),
        steps: vec![step("one"), step("two")],
    };
    run.id = store.create_run(&run).unwrap();
    let second = store.create_run(&run).unwrap();
    assert!(second > run.id);

    run.session_id = Some("s1".into());
    run.steps[0] = RunStepRecord {
        question: "one".into(),
        phase: "following".into(),
        prompt_id: Some("p1".into()),
        evaluation_id: Some("e1".into()),
        evaluations: 2,
        started: Some(at(1)),
        completed: None,
        retry_at: Some(at(3600)),
        state: Some("running".into()),
        result: None,
        answer: Some("part".into()),
    };
    run.updated = at(5);
    store.save_run(&run).unwrap();
    drop(store);

    let store = Store::open(&path).unwrap().store;
    assert_eq!(store.run(run.id).unwrap().as_ref(), Some(&run));
    let ids: Vec<i64> = store.runs().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(ids, [second, run.id]);
    assert_eq!(store.run(9999).unwrap(), None);
    let mut gone = run.clone();
    gone.id = 9999;
    assert!(
        store.save_run(&gone).is_err(),
        "saving an unknown run fails"
    );
}

/// Set in the copy of this test binary that runs as an unprivileged user: the store to read.
#[cfg(unix)]
const READ_ONLY_STORE: &str = "SCTUI_TEST_READ_ONLY_STORE";

/// A store that cannot be written (here: no write permission on its file and folder) opens
/// read-only: the list, a conversation, a search and the stats read as before, every write is
/// refused saying the store can only be read, and nothing is created or changed beside it.
/// Root ignores permissions, so as root the reading half runs again in this test binary as
/// `nobody` (util-linux's `setpriv`) over root's 0644 file in 0755 folders.
#[cfg(unix)]
#[test]
fn a_store_that_cannot_be_written_opens_read_only_and_refuses_writes() {
    use std::os::unix::fs::PermissionsExt;
    if let Some(path) = std::env::var_os(READ_ONLY_STORE) {
        return reads_only(Path::new(&path));
    }
    let (dir, path, store) = temp_store();
    store
        .put_sessions(
            &[
                session("s1", Some("beacon hunt"), "2025-01-02T00:00:00Z"),
                session("s2", Some("phishing"), "2025-01-01T00:00:00Z"),
            ],
            now(),
        )
        .unwrap();
    store
        .put_conversation(
            "s1",
            None,
            &[turn("p1", "which hosts beacon?", "three hosts beacon out")],
            true,
            now(),
        )
        .unwrap();
    drop(store);
    let chmod = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let folder = path.parent().unwrap();
    // the folder is this process's: its owner is who runs the test
    if std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(dir.path()).unwrap()) != 0 {
        chmod(&path, 0o444);
        chmod(folder, 0o555);
        reads_only(&path);
        chmod(folder, 0o700);
        return;
    }
    chmod(dir.path(), 0o755);
    chmod(folder, 0o755);
    chmod(&path, 0o644);
    let bin = tempfile::tempdir().unwrap();
    chmod(bin.path(), 0o755);
    let exe = bin.path().join("store-tests");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args([
            "--exact",
            "a_store_that_cannot_be_written_opens_read_only_and_refuses_writes",
            "--nocapture",
        ])
        .env(READ_ONLY_STORE, &path)
        .output()
        .expect("setpriv (util-linux) runs the check as an unprivileged user");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(said.contains("1 passed"), "the check ran: {said}");
}

#[cfg(unix)]
fn reads_only(path: &Path) {
    let folder = path.parent().unwrap();
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let mode = || {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(folder).unwrap().permissions().mode()
    };
    let (before, folder_mode) = (listing(), mode());
    let opened = Store::open(path).unwrap();
    assert!(opened.recovered.is_none());
    let store = opened.store;
    assert_eq!(store.access(), sctui_store::Access::ReadOnly);
    assert_eq!(stored_ids(&store), ["s1", "s2"]);
    assert_eq!(store.conversation("s1").unwrap().unwrap().turns.len(), 1);
    let hits = store.search("beacon", 10).unwrap();
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert!(
        hits.iter()
            .all(|h| h.snippet.pieces().contains(&("beacon", true)))
    );
    assert_eq!(store.stats().unwrap().sessions, 2);
    let refused = [
        store
            .put_sessions(&[session("s3", Some("new"), "2025-01-03T00:00:00Z")], now())
            .unwrap_err(),
        store.remove_session("s2").unwrap_err(),
        store
            .put_conversation("s2", None, &[turn("p2", "q", "a")], true, now())
            .unwrap_err(),
    ];
    for error in refused {
        assert!(error.is_read_only(), "{error:?}");
        assert!(error.to_string().contains("can only be read"), "{error}");
    }
    assert_eq!(stored_ids(&store), ["s1", "s2"]);
    drop(store);
    assert_eq!(
        listing(),
        before,
        "nothing created or removed beside the store"
    );
    assert_eq!(mode(), folder_mode, "the folder is left as it is");
}

/// Damage inside the file, past anything opening reads (here: pages of the full-text index's
/// data overwritten from their middle), shows on the first search: the damaged file is set
/// aside and kept, a new store takes its place at once, and the error says what happened and
/// where the copy is. The next search works (on the new, empty store), and so do writes.
#[test]
fn damage_inside_the_file_found_by_a_search_sets_the_store_aside() {
    let (_dir, path, store) = temp_store();
    let sessions: Vec<_> = (0..200)
        .map(|i| {
            session(
                &format!("s{i}"),
                Some(&format!("hunt {i}")),
                "2025-01-01T00:00:00Z",
            )
        })
        .collect();
    store.put_sessions(&sessions, now()).unwrap();
    for i in 0..200 {
        let answer = format!("beacon {} beacon", "process network ".repeat(40 + i % 7));
        store
            .put_conversation(
                &format!("s{i}"),
                None,
                &[turn(&format!("p{i}"), "which hosts beacon?", &answer)],
                true,
                now(),
            )
            .unwrap();
    }
    drop(store);
    damage::damage_the_index_pages(&path);

    // opening does not notice (the damage is past what it reads)
    let opened = Store::open(&path).unwrap();
    assert!(opened.recovered.is_none());
    let store = opened.store;
    let error = store.search("beacon", 50).unwrap_err();
    let sctui_store::StoreError::SetAside(recovered) = &error else {
        panic!("the damage is found and the store set aside: {error:?}");
    };
    assert!(matches!(recovered.reason, BadFile::Corrupt(_)), "{error}");
    assert!(recovered.moved_to.exists(), "the damaged copy is kept");
    let said = error.to_string();
    assert!(
        said.contains("damaged") && said.contains(&recovered.moved_to.display().to_string()),
        "{said}"
    );
    // the new store is in place: searches and writes work
    assert!(store.search("beacon", 50).unwrap().is_empty());
    store
        .put_sessions(
            &[session("n", Some("beacon new"), "2025-01-02T00:00:00Z")],
            now(),
        )
        .unwrap();
    assert_eq!(store.search("beacon", 50).unwrap().len(), 1);
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert!(reopened.recovered.is_none());
    assert!(reopened.store.integrity_ok().unwrap());
    assert_eq!(stored_ids(&reopened.store), ["n"]);
}
