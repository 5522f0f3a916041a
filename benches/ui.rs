//! Criterion benches: the cost of the TUI must follow what is on screen, not what is loaded.
//!
//! * `draw/{100,10000,100000}`: one full frame (header, list, detail with a conversation, status)
//!   at 120×40 on ratatui's `TestBackend`.
//! * `draw/conversation`: the same frame with the longest demo conversation open in the detail
//!   pane, scrolled to the middle (the reader draws only the rows in view from its cached
//!   layout).
//! * `filter_keystroke/*`: one key typed in `/` mode over 100,000 sessions.
//! * `apply_page/*`: one page of 100 sessions landing on a list of 100,000.
//!
//! Every state is built through the real `app::update` with `Event::PageLoaded`, the way the
//! worker feeds the app. Run with `cargo bench --bench ui`; medians are in the README.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};

use sctui::tui::app::{Msg, Pending, State, update};
use sctui::tui::worker::Event;
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, GraphTime, Page, Prompt, Session};

#[path = "../tests/it/common/demo.rs"]
mod demo;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
const PAGE: usize = 100;

/// The fixed "now" of every bench, so relative times do not drift between runs.
fn now() -> Timestamp {
    "2026-02-01T12:00:00Z".parse().unwrap()
}

const TOPICS: &[&str] = &[
    "Phishing triage",
    "Suspicious sign-in",
    "Ransomware note",
    "Impossible travel",
    "Defender alert",
    "Mailbox rule",
    "OAuth consent grant",
    "Lateral movement",
    "Brute force on VPN",
    "Malicious PowerShell",
    "Data exfiltration",
    "Privilege escalation",
];
const TARGETS: &[&str] = &[
    "finance@contoso.com",
    "WS-0423",
    "SRV-SQL-02",
    "j.doe",
    "HR share",
    "Azure subscription",
    "build agent",
    "CEO mailbox",
];

/// Session `i` of a synthetic workspace: realistic names, one minute apart, `i = 0` newest.
fn session(i: usize) -> Session {
    let modified = now()
        .checked_sub(SignedDuration::from_secs(60 * i as i64 + 7))
        .unwrap();
    let created = modified.checked_sub(SignedDuration::from_mins(90)).unwrap();
    Session {
        id: format!("{:08x}-5c70-4000-8000-{:012x}", i, i * 7919),
        display_name: Some(format!(
            "{} – {} #{}",
            TOPICS[i % TOPICS.len()],
            TARGETS[(i / TOPICS.len()) % TARGETS.len()],
            i
        )),
        created_date_time: Some(GraphTime::from_timestamp(created)),
        last_modified_date_time: Some(GraphTime::from_timestamp(modified)),
    }
}

/// A page answering the page request `state` awaits (one is started when none is).
fn page_loaded(state: &mut State, first: bool, sessions: Vec<Session>, next: Option<&str>) -> Msg {
    let req = match state.requests().page() {
        Some(req) => req,
        None => state
            .requests_mut_for_tests()
            .start(Pending::Page { first }),
    };
    Msg::Worker(Event::PageLoaded {
        req,
        first,
        page: Page {
            value: sessions,
            next_link: next.map(str::to_string),
            count: None,
        },
    })
}

/// A 120×40 app with sessions `0..n` loaded (in one `PageLoaded`, with more to come) and the
/// selected session's conversation shown in the detail pane.
fn loaded(n: usize) -> State {
    let mut state = State::new("default", "demo");
    let _ = update(&mut state, Msg::Resize(WIDTH, HEIGHT));
    let _ = update(&mut state, Msg::Clock(now()));
    let _ = sctui::tui::app::init(&mut state);
    let sessions = (0..n).map(session).collect();
    let msg = page_loaded(&mut state, true, sessions, Some("http://127.0.0.1/next"));
    let _ = update(&mut state, msg);
    let id = state.selected_entry().unwrap().session.id.clone();
    let req = state.requests_mut_for_tests().start(Pending::Conversation {
        session_id: id.clone(),
    });
    let _ = update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: id,
            runs: conversation().into_iter().map(Into::into).collect(),
        }),
    );
    state
}

fn conversation() -> Vec<Turn> {
    let answer = "## Summary\n\nThe sign-in from **203.0.113.7** matches a known \
        password-spray pattern.\n\n- 14 failed attempts in 3 minutes\n- MFA was not \
        challenged\n- The account is *not* privileged\n\n```kql\nSigninLogs | where \
        IPAddress == \"203.0.113.7\"\n```\n\nRecommended: reset the password and review \
        conditional access.";
    (0..3)
        .map(|i| {
            let prompt: Prompt = serde_json::from_value(serde_json::json!({
                "id": format!("p{i}"),
                "type": "prompt",
                "content": format!("Question {i}: what happened with this sign-in and what should I do next?"),
                "createdDateTime": "2026-02-01T10:00:00.0000000Z",
            }))
            .unwrap();
            let evaluation: Evaluation = serde_json::from_value(serde_json::json!({
                "id": format!("e{i}"),
                "state": "completed",
                "result": { "content": answer, "type": "success" },
                "createdDateTime": "2026-02-01T10:00:01.0000000Z",
            }))
            .unwrap();
            Turn {
                prompt,
                evaluation: Some(evaluation),
            }
        })
        .collect()
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(c: &mut Criterion) {
    let mut group = c.benchmark_group("draw");
    for n in [100usize, 10_000, 100_000] {
        let state = loaded(n);
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
        group.bench_function(n.to_string(), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| sctui::tui::ui::draw(black_box(&state), frame))
                    .unwrap();
            })
        });
    }
    let conversation = demo::longest(demo::conversations());
    let mut state = demo::reading(&conversation, WIDTH, HEIGHT);
    let middle = sctui::tui::app::reader::max_scroll(&state) / 2;
    for _ in 0..middle {
        let _ = update(&mut state, key(KeyCode::Char('j')));
    }
    assert_eq!(state.reader().scroll, middle);
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).unwrap();
    group.bench_function("conversation", |b| {
        b.iter(|| {
            terminal
                .draw(|frame| sctui::tui::ui::draw(black_box(&state), frame))
                .unwrap();
        })
    });
    group.finish();
}

/// Times one keystroke in `/` mode; the key that undoes it (Backspace) is not timed.
fn keystroke(state: &mut State, c: char, iters: u64) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        black_box(update(state, key(KeyCode::Char(c))));
        total += start.elapsed();
        let _ = update(state, key(KeyCode::Backspace));
    }
    total
}

fn filter(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_keystroke");
    let mut state = loaded(100_000);
    let _ = update(&mut state, key(KeyCode::Char('/')));
    // The first key: the widest search (every name is looked at, many match).
    group.bench_function("first_char_100000", |b| {
        b.iter_custom(|iters| keystroke(&mut state, 'p', iters))
    });
    // A later key, narrowing an existing filter.
    for ch in "phis".chars() {
        let _ = update(&mut state, key(KeyCode::Char(ch)));
    }
    group.bench_function("fifth_char_100000", |b| {
        b.iter_custom(|iters| keystroke(&mut state, 'h', iters))
    });
    group.finish();
}

/// Puts the state back to the 100,000 loaded before the timed page: forgets the `PAGE` sessions
/// the page added (they are the ones not in `0..n`), and that the listing read it.
fn unload(state: &mut State, added: &std::collections::HashSet<String>) {
    state
        .list_mut_for_tests()
        .retain(|e| !added.contains(&e.session.id), 1);
    // and the listing forgets the pages and links it read (the same page or link again would be
    // a server that loops), keeping the sessions it listed as a walk would
    state.paging_mut_for_tests().listing.restart();
    state.paging_mut_for_tests().next_link = Some("next".into());
    let _ = update(state, key(KeyCode::Home));
}

fn apply_page(c: &mut Criterion) {
    let mut group = c.benchmark_group("apply_page");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    let n = 100_000;
    // Sessions n..n+PAGE are older than all loaded (newest-first paging: they go at the end);
    // the "newer" page holds sessions newer than all loaded (creation-order paging, as the
    // built-in fake serves: they go at the front).
    let older: Vec<Session> = (n..n + PAGE).map(session).collect();
    let newer: Vec<Session> = (0..PAGE)
        .map(|i| {
            let mut s = session(n + PAGE + i);
            let t = now()
                .checked_sub(SignedDuration::from_millis(10 * i as i64 + 1))
                .unwrap();
            s.last_modified_date_time = Some(GraphTime::from_timestamp(t));
            s
        })
        .collect();
    for (name, page) in [
        ("older_100_onto_100000", &older),
        ("newer_100_onto_100000", &newer),
    ] {
        let added: std::collections::HashSet<String> = page.iter().map(|s| s.id.clone()).collect();
        let mut state = State::new("default", "demo");
        let _ = update(&mut state, Msg::Resize(WIDTH, HEIGHT));
        let _ = update(&mut state, Msg::Clock(now()));
        let _ = sctui::tui::app::init(&mut state);
        let msg = page_loaded(
            &mut state,
            true,
            (0..n).map(session).collect(),
            Some("next"),
        );
        let _ = update(&mut state, msg);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let msg = page_loaded(&mut state, false, page.clone(), Some("next-2"));
                    let start = Instant::now();
                    black_box(update(&mut state, msg));
                    total += start.elapsed();
                    assert_eq!(state.list().len(), n + PAGE);
                    assert!(state.paging().next_link.is_some(), "no loop seen");
                    unload(&mut state, &added);
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, draw, filter, apply_page);
criterion_main!(benches);
