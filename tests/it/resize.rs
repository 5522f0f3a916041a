//! Resizing: `ui::draw` on a `TestBackend` at sizes from 1×1 to 200×60, in every mode, with
//! hostile and wide names, never panics; below 20×5 it shows the "terminal too small" notice.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui::tui::app::{Msg, State, update};
use sctui::tui::worker::Event;
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_graph::models::{GraphTime, Page, Session};
use sctui_graph::{ApiError, GraphError, RetryNotice};

fn session(i: usize, name: Option<&str>) -> Session {
    let at = jiff::Timestamp::from_second(1_750_000_000 - i as i64 * 3600).unwrap();
    Session {
        id: format!("00000000-0000-0000-0000-{i:012}"),
        display_name: name.map(str::to_string),
        created_date_time: Some(GraphTime::from_timestamp(at)),
        last_modified_date_time: Some(GraphTime::from_timestamp(at)),
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A loaded list with awkward names, a status, a retry notice and a pending rename.
fn base() -> State {
    let mut state = State::new("default", "resize");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock(jiff::Timestamp::from_second(1_750_000_000).unwrap()),
    );
    let names = [
        Some("Phishing triage: finance mailbox"),
        Some("漢字の名前がとても長いセッション漢字の名前がとても長いセッション"),
        Some("evil \u{1b}[31mred\u{1b}[0m \u{202e}txt.exe\u{7}"),
        None,
        Some("emoji 🛡️🔥 and combining e\u{301}\u{301}"),
        Some(""),
    ];
    let value = (0..40)
        .map(|i| session(i, names[i % names.len()]))
        .collect();
    let _ = sctui::tui::app::init(&mut state);
    let req = state.requests().page().expect("a page request");
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value,
                next_link: Some("http://127.0.0.1/beta/next".into()),
                count: Some(400),
            },
        }),
    );
    // the prefetch of page 2 fails
    let req = state.requests().page().expect("a page request");
    update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: GraphError::from(ApiError::from_response(503, b"", Some("rid-1"))),
        }),
    );
    update(
        &mut state,
        Msg::Worker(Event::Retrying(RetryNotice {
            attempt: 1,
            wait: std::time::Duration::from_millis(1500),
            status: Some(429),
        })),
    );
    for _ in 0..7 {
        update(&mut state, key(KeyCode::Char('j')));
    }
    state
}

/// The screens worth resizing: browsing, renaming, asking, filtering, help, detail focus.
fn states() -> Vec<(&'static str, State)> {
    let browsing = base();
    let mut renaming = base();
    update(&mut renaming, key(KeyCode::Char('r')));
    update(
        &mut renaming,
        Msg::Paste(" with a very long suffix 漢字漢字漢字 to scroll".into()),
    );
    let mut creating = base();
    update(&mut creating, key(KeyCode::Char('n')));
    update(
        &mut creating,
        Msg::Paste("Which sign-ins from unusual countries hit finance last week?".into()),
    );
    let mut filtering = base();
    update(&mut filtering, key(KeyCode::Char('/')));
    update(&mut filtering, Msg::Paste("phish".into()));
    let mut help = base();
    update(&mut help, key(KeyCode::Char('?')));
    let mut detail = base();
    update(&mut detail, key(KeyCode::Enter));
    vec![
        ("browsing", browsing),
        ("renaming", renaming),
        ("creating", creating),
        ("filtering", filtering),
        ("help", help),
        ("detail", detail),
    ]
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// Every small size, then a spread of larger ones up to 200×60.
fn sizes() -> Vec<(u16, u16)> {
    let widths: Vec<u16> = (1..=40).chain((41..=200).step_by(9)).chain([200]).collect();
    let heights: Vec<u16> = (1..=12).chain((13..=60).step_by(6)).chain([60]).collect();
    widths
        .iter()
        .flat_map(|&w| heights.iter().map(move |&h| (w, h)))
        .collect()
}

#[test]
fn draws_at_every_size_without_panicking_and_says_when_too_small() {
    for (mode, template) in states() {
        for (w, h) in sizes() {
            let mut state = template.clone();
            update(&mut state, Msg::Resize(w, h));
            let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            terminal
                .draw(|frame| sctui::tui::ui::draw(&state, frame))
                .unwrap_or_else(|e| panic!("{mode} at {w}×{h}: {e}"));
            let text = screen_text(&terminal);
            let too_small = w < 20 || h < 5;
            if too_small && w >= 8 {
                assert!(
                    text.contains("terminal"),
                    "{mode} at {w}×{h} should say the terminal is too small:\n{text}"
                );
            }
            if !too_small {
                assert!(
                    !text.contains("terminal too small"),
                    "{mode} at {w}×{h} is big enough:\n{text}"
                );
                assert!(
                    !text.contains('\u{1b}'),
                    "{mode} at {w}×{h}: raw escape drawn"
                );
                assert!(
                    !text.contains('\u{202e}'),
                    "{mode} at {w}×{h}: bidi override drawn"
                );
            }
        }
    }
}

#[test]
fn shrinking_and_growing_keeps_the_selection_visible() {
    let mut state = base();
    let selected = state.list().selected();
    for (w, h) in [(200, 60), (20, 5), (1, 1), (80, 24), (20, 6), (120, 32)] {
        update(&mut state, Msg::Resize(w, h));
        assert_eq!(
            state.list().selected(),
            selected,
            "resizing never moves the selection"
        );
        assert!(state.list().offset() <= state.list().selected());
    }
}
