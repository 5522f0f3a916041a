//! The store under stress: answers as big as Graph may send with one word repeated hundreds of
//! thousands of times, searches past their budget or stopped by their caller, hostile queries.

use std::path::PathBuf;

#[path = "common/answers.rs"]
mod answers;
use answers::repetitive;
use std::sync::mpsc;
use std::time::Duration;

use jiff::Timestamp;
use sctui_store::{
    CancelSearch, SearchBudget, SessionRecord, Store, StoreError, StoreKey, TurnRecord,
};

fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join("store")
        .join(StoreKey::new("demo", "demo", "default").file_name());
    let store = Store::open(&path).unwrap().store;
    (dir, path, store)
}

fn turn(id: &str, question: &str, answer: &str) -> TurnRecord {
    TurnRecord {
        prompt_id: id.into(),
        prompt_json: format!(r#"{{"id":"{id}","type":"prompt"}}"#),
        evaluation_json: None,
        question: Some(question.into()),
        answer: Some(answer.into()),
        asked: None,
    }
}

/// Runs `f` on a thread; its result, or `None` when it is not back within `within` (the search
/// hangs: the test fails instead of running for minutes).
fn within<T: Send + 'static>(
    within: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(within).ok()
}

/// An answer of 6 MiB in which `beacon` appears 450,000 times: the snippet is cut around the
/// first match, whatever the number of matches (FTS5's own `snippet()` took minutes here).
#[test]
fn a_huge_answer_with_a_word_repeated_everywhere_gets_its_snippet_at_once() {
    let (_dir, path, store) = temp_store();
    let answer = format!("Start of the hunt: {}", repetitive(6 << 20));
    store
        .put_conversation(
            "s",
            None,
            &[turn("p", "what ran?", &answer)],
            true,
            Timestamp::now(),
        )
        .unwrap();
    drop(store);
    let hits = within(Duration::from_secs(60), move || {
        let store = Store::open(&path).unwrap().store;
        store.search_within("beacon", 10, &SearchBudget::new(Duration::from_secs(600)))
    })
    .expect("the search came back")
    .unwrap();
    assert_eq!(hits.len(), 1);
    let snippet = &hits[0].snippet;
    assert!(
        snippet
            .text
            .starts_with("Start of the hunt: beacon process"),
        "{snippet:?}"
    );
    assert!(snippet.text.ends_with('…'));
    assert!(snippet.text.len() < 400, "{} bytes", snippet.text.len());
    assert!(!snippet.text.contains('\n'), "one line: {snippet:?}");
    let marked: Vec<&str> = snippet
        .pieces()
        .into_iter()
        .filter(|(_, m)| *m)
        .map(|(t, _)| t)
        .collect();
    assert!(
        marked.len() >= 3 && marked.iter().all(|m| *m == "beacon"),
        "{marked:?}"
    );
}

/// The window is around the first match, with the text before it when it is near the start,
/// `…` where the text goes on, and each match (a phrase of parts, too) marked once.
#[test]
fn snippets_are_a_window_around_the_first_match() {
    let (_dir, _path, store) = temp_store();
    let answer = format!(
        "{} then T1059.001 ran twice: T1059.001 again, and more words after it {}",
        "filler ".repeat(40),
        "tail ".repeat(40)
    );
    store
        .put_conversation(
            "s",
            None,
            &[turn("p", "q", &answer)],
            true,
            Timestamp::now(),
        )
        .unwrap();
    let hits = store.search("T1059.001", 10).unwrap();
    let snippet = &hits[0].snippet;
    assert_eq!(
        snippet.text,
        "…filler filler filler filler then T1059.001 ran twice: T1059.001 again, and more words after…"
    );
    let marked: Vec<(&str, bool)> = snippet.pieces();
    assert_eq!(
        marked
            .iter()
            .filter(|(_, m)| *m)
            .map(|(t, _)| *t)
            .collect::<Vec<_>>(),
        ["T1059.001", "T1059.001"]
    );
    // a match in the question comes before the answer's
    store
        .put_conversation(
            "q",
            None,
            &[turn("p", "where is T1059.001 used?", &answer)],
            true,
            Timestamp::now(),
        )
        .unwrap();
    let hits = store.search("T1059.001", 10).unwrap();
    let asked = hits.iter().find(|h| h.session_id == "q").unwrap();
    assert_eq!(asked.snippet.text, "where is T1059.001 used?");
}

fn crowded(rows: usize) -> (tempfile::TempDir, PathBuf, Store) {
    let (dir, path, store) = temp_store();
    let sessions: Vec<SessionRecord> = (0..rows)
        .map(|i| SessionRecord {
            id: format!("s{i}"),
            display_name: Some(format!("beacon hunt {i}")),
            created: None,
            modified: None,
        })
        .collect();
    store.put_sessions(&sessions, Timestamp::now()).unwrap();
    (dir, path, store)
}

/// A search that runs out of time stops inside SQLite and says so; nothing else is touched.
#[test]
fn a_search_past_its_budget_stops_and_says_so() {
    let (_dir, _path, store) = crowded(2000);
    let over = store.search_within("beacon", 10, &SearchBudget::new(Duration::ZERO));
    assert!(
        matches!(over, Err(StoreError::SearchTimedOut { budget }) if budget == Duration::ZERO),
        "{over:?}"
    );
    let message = over.unwrap_err().to_string();
    assert!(message.contains("took longer than 0.00 s"), "{message}");
    // the store goes on: the same search with time to spare, and a write
    assert_eq!(store.search("beacon", 10).unwrap().len(), 10);
    store
        .put_conversation("x", None, &[turn("p", "q", "a")], true, Timestamp::now())
        .unwrap();
}

/// A cancelled search ends as cancelled, from another thread, while it runs.
#[test]
fn a_search_cancelled_from_another_thread_stops() {
    let (_dir, path, store) = temp_store();
    let answers: Vec<TurnRecord> = (0..4)
        .map(|i| turn(&format!("p{i}"), "q", &repetitive(2 << 20)))
        .collect();
    store
        .put_conversation("s", None, &answers, true, Timestamp::now())
        .unwrap();
    drop(store);
    // cancelled before it starts: it does not run at all
    let store = Store::open(&path).unwrap().store;
    let budget = SearchBudget::new(Duration::from_secs(600));
    budget.cancel.cancel();
    assert!(matches!(
        store.search_within("beacon", 10, &budget),
        Err(StoreError::SearchCancelled)
    ));
    // cancelled while it runs: searched again and again until the cancel lands
    let cancel = CancelSearch::default();
    let stopper = cancel.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let budget = SearchBudget {
            time: Duration::from_secs(600),
            cancel,
        };
        let error = loop {
            if let Err(e) = store.search_within("b* OR p*", 10, &budget) {
                break e;
            }
        };
        let _ = tx.send(error);
    });
    std::thread::sleep(Duration::from_millis(50));
    stopper.cancel();
    let error = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("it stopped");
    assert!(matches!(error, StoreError::SearchCancelled), "{error:?}");
}

/// Hundreds of operators are refused in sctui's words, the query cut.
#[test]
fn a_query_too_complex_is_refused_in_our_words_with_the_query_cut() {
    let (_dir, _path, store) = crowded(3);
    let query = format!("beacon{}", " NOT x".repeat(300));
    let error = store.search(&query, 10).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, StoreError::Query { .. }), "{error:?}");
    assert!(message.contains("too many words"), "{message}");
    assert!(
        !message.contains("fts5") && !message.contains("stack"),
        "{message}"
    );
    assert!(message.len() < 200, "{message}");
    // fewer still run, and a leading exclusion leaves out what the user meant
    assert_eq!(
        store
            .search(&format!("beacon{}", " NOT x".repeat(60)), 10)
            .unwrap()
            .len(),
        3
    );
    assert!(store.search("NOT hunt beacon", 10).unwrap().is_empty());
    assert_eq!(store.search("beacon NOT zzz", 10).unwrap().len(), 3);
    let only = store.search("NOT beacon", 10).unwrap_err().to_string();
    assert!(only.contains("only says what to leave out"), "{only}");
}
