//! A frame of the reader allocates the same for a short and a very long conversation: drawing
//! reads the layout `update` cached and touches only the rows in view.
//! Counted with a global allocator, so this test has its own binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui::tui::app::{self, Msg, State};
use sctui::tui::worker::{Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, GraphTime, Page, Session};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

const ANSWER: &str = "## Summary\n\nThe sign-in from **203.0.113.7** matches a known \
    password-spray pattern seen across fourteen accounts in three minutes.\n\n\
    - MFA was not challenged\n- The account is *not* privileged\n\n\
    | Device | Risk |\n|---|---|\n| WKS-1 | High |\n\n\
    ```kql\nSigninLogs | where IPAddress == \"203.0.113.7\"\n```\n\nReset the password.";

/// A 120×40 app reading a conversation of `n` questions, scrolled to its middle.
fn reading(n: usize) -> State {
    let mut state = State::new("default", "demo");
    app::update(&mut state, Msg::Resize(120, 40));
    app::init(&mut state);
    let session = Session {
        id: "s1".into(),
        display_name: Some("Long".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00.0000000Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:59:00.0000000Z")),
    };
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![session],
                next_link: None,
                count: None,
            },
        }),
    );
    let turns = (0..n)
        .map(|i| Turn {
            prompt: serde_json::from_value(serde_json::json!({
                "id": format!("p{i}"), "type": "prompt", "content": format!("Question {i}?")
            }))
            .unwrap(),
            evaluation: Some(
                serde_json::from_value::<Evaluation>(serde_json::json!({
                    "id": "e", "state": "completed",
                    "result": {"type": "success", "content": ANSWER}
                }))
                .unwrap(),
            ),
        })
        .collect::<Vec<_>>();
    let out = app::update(&mut state, Msg::Settled);
    let [Command::LoadConversation { req, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    app::update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s1".into(),
            runs: turns.into_iter().map(Into::into).collect(),
        }),
    );
    app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let middle = app::reader::max_scroll(&state) / 2;
    for _ in 0..middle {
        app::update(&mut state, key('j'));
    }
    state
}

/// Allocations and bytes of one frame (after a warm-up frame).
fn frame_cost(state: &State) -> (usize, usize) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    let (a, b) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    );
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    (
        ALLOCATIONS.load(Ordering::Relaxed) - a,
        BYTES.load(Ordering::Relaxed) - b,
    )
}

#[test]
fn a_frame_allocates_the_same_for_a_short_and_a_long_conversation() {
    let short = reading(3);
    let long = reading(300);
    assert!(app::reader::max_scroll(&long) > 50 * app::reader::max_scroll(&short).max(1));
    let (short_allocs, short_bytes) = frame_cost(&short);
    let (long_allocs, long_bytes) = frame_cost(&long);
    // the same rows are in view; only the position text in the title may differ by a digit
    assert!(
        long_allocs <= short_allocs + 2 && long_bytes <= short_bytes + 64,
        "short: {short_allocs} allocations, {short_bytes} bytes; long: {long_allocs}, {long_bytes}"
    );
}
