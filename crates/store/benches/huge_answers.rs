//! Searches over answers as big as Graph may send (8 MiB, the body limit), in which one word
//! repeats hundreds of thousands of times: the case where a snippet's cost used to grow with the
//! square of the matches. Ten such answers; every query must answer, with snippets, in at most
//! a second. The budget is set far above that so the time measured is the search's own.
//!
//! `SCTUI_BENCH_ANSWER_MIB=N` makes smaller answers for a quick look.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use sctui_store::{SearchBudget, SessionRecord, Store, TurnRecord};

const ANSWERS: usize = 10;

const WORDS: &[&str] = &[
    "DeviceProcessEvents",
    "where",
    "ProcessCommandLine",
    "has",
    "powershell",
    "summarize",
    "count",
    "by",
    "DeviceName",
    "the",
    "of",
    "and",
];

/// About `bytes` of KQL-ish text where every third word is `beacon`, ending with a rare token.
fn answer(seed: u64, bytes: usize) -> String {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut text = String::with_capacity(bytes + 64);
    let mut n = 0u64;
    while text.len() < bytes {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        n += 1;
        text.push_str(if n.is_multiple_of(3) {
            "beacon"
        } else {
            WORDS[(state >> 33) as usize % WORDS.len()]
        });
        text.push(if state.is_multiple_of(11) { '\n' } else { ' ' });
    }
    text.push_str(" technique T1059.001 at the very end");
    text
}

fn filled(bytes: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("huge.sqlite3"))
        .expect("store")
        .store;
    let now = Timestamp::now();
    for i in 0..ANSWERS {
        let id = format!("00000000-0000-4000-8000-{i:012}");
        let session = SessionRecord {
            id: id.clone(),
            display_name: Some(format!("Hunt {i}")),
            created: None,
            modified: Some(format!("2026-01-{:02}T00:00:00Z", 1 + i)),
        };
        store.put_sessions(&[session], now).expect("session");
        let turn = TurnRecord {
            prompt_id: "p0".into(),
            prompt_json: r#"{"id":"p0","type":"prompt"}"#.into(),
            evaluation_json: None,
            question: Some("list every beacon process".into()),
            answer: Some(answer(i as u64, bytes)),
            asked: None,
        };
        store
            .put_conversation(&id, None, &[turn], true, now)
            .expect("conversation");
    }
    (dir, store)
}

fn bench(c: &mut Criterion) {
    let mib = std::env::var("SCTUI_BENCH_ANSWER_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8usize);
    let (_dir, store) = filled(mib << 20);
    let budget = SearchBudget::new(Duration::from_secs(600));
    let mut group = c.benchmark_group("huge_answers");
    group.sample_size(10);
    for (name, query) in [
        // the word repeated ~400,000 times in each answer (and once in each question)
        ("repeated_word", "beacon"),
        // only in the answers, and only at their very end: the whole answer is read
        ("word_at_the_end", "T1059.001"),
        ("repeated_and_rare", "beacon T1059.001"),
        ("prefix_of_the_repeated", "beac*"),
    ] {
        group.bench_function(format!("{name}_{ANSWERS}x{mib}MiB"), |b| {
            b.iter(|| {
                let hits = store.search_within(query, 100, &budget).expect("search");
                assert!(hits.iter().all(|h| !h.snippet.text.is_empty()));
                black_box(hits)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
