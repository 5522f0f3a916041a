//! The store's speed: one full-text query over 10,000 stored conversations (about
//! 100 MB of answers), and reading the stored list of 10,000 sessions for the first frame.
//! `SCTUI_BENCH_CONVERSATIONS=N` makes a smaller store for a quick look.
//!
//! Side by side with the searches, the same file ranked the way it was before `sctui_rank`:
//! FTS5's `bm25()` for every match, with and without reading each match's time (`at`) to break
//! ties (`rank_every_match_*`: ranking alone, no snippets, so a floor for the old search).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use sctui_store::{SessionRecord, Store, TurnRecord};

const WORDS: &[&str] = &[
    "alert",
    "phishing",
    "mailbox",
    "device",
    "process",
    "network",
    "signin",
    "token",
    "user",
    "tenant",
    "query",
    "KQL",
    "DeviceProcessEvents",
    "where",
    "summarize",
    "count",
    "by",
    "account",
    "incident",
    "triage",
    "malware",
    "hash",
    "sha256",
    "endpoint",
    "defender",
    "sentinel",
    "entra",
    "conditional",
    "access",
    "policy",
    "risky",
    "login",
    "from",
    "unusual",
    "location",
    "powershell",
    "encoded",
    "command",
    "script",
    "block",
    "lateral",
    "movement",
    "credential",
    "dumping",
    "lsass",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "on",
];

/// A deterministic answer of about `bytes` bytes: Markdown-ish prose and KQL.
fn answer(seed: u64, bytes: usize) -> String {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut text = String::with_capacity(bytes + 64);
    while text.len() < bytes {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        text.push_str(WORDS[(state >> 33) as usize % WORDS.len()]);
        text.push(if state.is_multiple_of(13) { '\n' } else { ' ' });
    }
    text
}

fn filled(conversations: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join(FILE)).expect("store").store;
    let now = Timestamp::now();
    let sessions: Vec<SessionRecord> = (0..conversations)
        .map(|i| SessionRecord {
            id: format!("00000000-0000-4000-8000-{i:012}"),
            display_name: Some(format!("Session {i}: {}", answer(i as u64, 40).trim())),
            created: Some("2026-01-01T00:00:00.0000000Z".into()),
            modified: Some(format!("2026-01-{:02}T00:00:00.0000000Z", 1 + i % 28)),
        })
        .collect();
    store.put_sessions(&sessions, now).expect("sessions");
    for (i, session) in sessions.iter().enumerate() {
        let turns: Vec<TurnRecord> = (0..2)
            .map(|t| {
                let mut text = answer((i * 2 + t) as u64, 5_000);
                if i == conversations / 2 && t == 1 {
                    text.push_str(" technique T1059.001 seen");
                }
                TurnRecord {
                    prompt_id: format!("p{t}"),
                    prompt_json: format!(r#"{{"id":"p{t}","type":"prompt"}}"#),
                    evaluation_json: None,
                    question: Some(answer((i * 7 + t) as u64, 80)),
                    answer: Some(text),
                    asked: None,
                }
            })
            .collect();
        store
            .put_conversation(&session.id, None, &turns, true, now)
            .expect("conversation");
    }
    (dir, store)
}

const FILE: &str = "bench.sqlite3";

/// Ranks every match of `query` with FTS5's `bm25()` (then `at`, when `tie_break_by_time`), as
/// the store did before it had `sctui_rank`.
fn rank_every_match(conn: &rusqlite::Connection, query: &str, tie_break_by_time: bool) -> usize {
    let order = if tie_break_by_time {
        "score, at DESC"
    } else {
        "score"
    };
    let fts = sctui_store::to_fts(query)
        .expect("query")
        .expect("searchable");
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT rowid, bm25(search, 4.0, 2.0, 1.0) AS score FROM search
             WHERE search MATCH ?1 ORDER BY {order} LIMIT 20"
        ))
        .expect("prepare");
    stmt.query_map([fts], |r| r.get::<_, i64>(0))
        .expect("query")
        .count()
}

fn bench(c: &mut Criterion) {
    let n = std::env::var("SCTUI_BENCH_CONVERSATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let (dir, store) = filled(n);
    let mut group = c.benchmark_group("store");
    group.sample_size(20);
    group.bench_function(format!("search_rare_token_{n}"), |b| {
        b.iter(|| black_box(store.search("T1059.001", 20).expect("search")))
    });
    group.bench_function(format!("search_common_word_{n}"), |b| {
        b.iter(|| black_box(store.search("phishing", 20).expect("search")))
    });
    group.bench_function(format!("search_phrase_{n}"), |b| {
        b.iter(|| black_box(store.search("\"encoded command\"", 20).expect("search")))
    });
    let plain = rusqlite::Connection::open(dir.path().join(FILE)).expect("open");
    group.bench_function(format!("rank_every_match_common_word_{n}"), |b| {
        b.iter(|| black_box(rank_every_match(&plain, "phishing", false)))
    });
    group.bench_function(format!("rank_every_match_then_time_common_word_{n}"), |b| {
        b.iter(|| black_box(rank_every_match(&plain, "phishing", true)))
    });
    group.bench_function(format!("stored_list_{n}"), |b| {
        b.iter(|| black_box(store.sessions().expect("sessions")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
