//! Snapshot tests of every screen, drawn by the real `ui::draw` on ratatui's `TestBackend`.
//!
//! States are built the way the app builds them: `app::init`, then worker events and key presses
//! through the real `app::update`. The clock and time zone are fixed, so the text is stable.
//!
//! Each snapshot holds one part of the screen (the header, a pane, the status line, a popup) as
//! text (one quoted line per row, so trailing blanks are visible), followed by where the terminal
//! cursor is, so a change to one part churns only that part's snapshots; four states are kept
//! whole at each usual size (the `full_…` snapshots).

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use sctui::tui::app::{self, Msg, State};
use sctui::tui::protocol::StoredSessions;
use sctui::tui::worker::{Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_graph::conversation::Turn;
use sctui_graph::models::{GraphTime, Page, Session};
use sctui_graph::{ApiError, GraphError, RetryNotice};
use unicode_width::UnicodeWidthStr;

const NOW: &str = "2026-01-31T12:00:00Z";
const NEXT: &str = "http://127.0.0.1/next";
const CJK_NAME: &str = "インシデント概要：東京オフィスのマルウェア感染";
const LONG_NAME: &str = "KQL hunt for suspicious OAuth consent grants across every tenant in the EMEA region last quarter";
const EVIL_NAME: &str = "evil\x1b[31mred";
const ERROR_503: &[u8] = br#"{"error":{"code":"serviceNotAvailable","message":"Try later","innerError":{"request-id":"req-123","date":"2026-01-31T12:00:00"}}}"#;

// ---------------------------------------------------------------------------------------------
// Building states
// ---------------------------------------------------------------------------------------------

fn session(id: &str, name: Option<&str>, created: &str, modified: &str) -> Session {
    Session {
        id: id.to_string(),
        display_name: name.map(str::to_string),
        created_date_time: Some(GraphTime::new(created)),
        last_modified_date_time: Some(GraphTime::new(modified)),
    }
}

/// The seeded sessions, deliberately not in display order (the app sorts newest-modified first).
fn sessions() -> Vec<Session> {
    vec![
        session(
            "5f0c1a2b-0000-4000-8000-000000000004",
            Some(CJK_NAME),
            "2026-01-20T08:00:00.0000000Z",
            "2026-01-28T09:30:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000001",
            Some("Phishing triage: invoice lure from contoso-billing.com"),
            "2026-01-31T10:15:00.1234567Z",
            "2026-01-31T11:55:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000006",
            Some("Incident 4711 summary"),
            "2025-12-01T07:00:00.0000000Z",
            "2025-12-15T16:45:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000002",
            None,
            "2026-01-31T09:00:00.0000000Z",
            "2026-01-31T10:00:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000005",
            Some(EVIL_NAME),
            "2026-01-21T00:00:00.0000000Z",
            "2026-01-21T00:00:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000003",
            Some(LONG_NAME),
            "2026-01-29T12:00:00.0000000Z",
            "2026-01-30T11:00:00.0000000Z",
        ),
        session(
            "5f0c1a2b-0000-4000-8000-000000000007",
            Some("Incident response: ransomware IOC sweep"),
            "0001-01-01T00:00:00Z",
            "2025-11-02T08:00:00.0000000Z",
        ),
    ]
}

/// A fresh state at the fixed clock, with `init` run (first page requested, nothing arrived).
fn started(w: u16, h: u16) -> State {
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock(NOW.parse().unwrap()),
    );
    state.settings_mut_for_tests().tz = jiff::tz::TimeZone::UTC;
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(w, h));
    let commands = app::init(&mut state).commands;
    assert!(
        matches!(
            commands[..],
            [Command::OpenWorkspace { .. }, Command::LoadFirstPage { .. }]
        ),
        "init opens the workspace and asks for the first page: {commands:?}"
    );
    state
}

fn load(state: &mut State, value: Vec<Session>) {
    let count = Some(value.len() as u64);
    first_page(state, value, None, count);
}

/// Graph's first page arrives: `value`, linking on to `next`, of `count` sessions in all.
fn first_page(state: &mut State, value: Vec<Session>, next: Option<&str>, count: Option<u64>) {
    let req = state.requests().page().expect("a first page request");
    app::update(
        state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value,
                next_link: next.map(str::to_string),
                count,
            },
        }),
    );
}

/// The seeded list, loaded, first row selected.
fn loaded(w: u16, h: u16) -> State {
    let mut state = started(w, h);
    load(&mut state, sessions());
    state
}

fn press(state: &mut State, code: KeyCode) {
    app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn ctrl(state: &mut State, c: char) {
    app::update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        let modifiers = if c.is_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        app::update(state, Msg::Key(KeyEvent::new(KeyCode::Char(c), modifiers)));
    }
}

fn api_503() -> GraphError {
    GraphError::from(ApiError::from_response(503, ERROR_503, None))
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

fn draw(state: &State) -> Terminal<TestBackend> {
    let (w, h) = state.viewport();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    terminal
}

/// The buffer as text: one quoted row per line (wide characters once, their trailing cell
/// skipped), then the cursor.
fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let backend = terminal.backend();
    let buffer = backend.buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        out.push('"');
        let mut skip = 0usize;
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            if skip == 0 {
                out.push_str(symbol);
                skip = symbol.width().saturating_sub(1);
            } else {
                skip -= 1;
            }
        }
        out.push_str("\"\n");
    }
    if backend.cursor_visible() {
        let p = backend.cursor_position();
        out.push_str(&format!("cursor: x={} y={}\n", p.x, p.y));
    } else {
        out.push_str("cursor: hidden\n");
    }
    out
}

fn render(state: &State) -> String {
    let terminal = draw(state);
    check_cells(terminal.backend().buffer());
    screen_text(&terminal)
}

/// A part of the screen a snapshot holds, so that a change to one part of the UI changes only
/// the snapshots of that part (and the few full screens kept per size, see [`FULL_SIZES`]).
#[derive(Debug, Clone, Copy)]
enum Part {
    /// The top line.
    Header,
    /// The session list pane, its borders included.
    List,
    /// The detail pane, its borders included.
    Detail,
    /// The bottom line.
    Status,
    /// Everything between the header and the status line.
    Body,
    /// The popup over the panes (found by its top-left corner).
    Popup,
}

/// The popup's area: the first top-left corner on the screen that is neither pane's, to its
/// top-right corner on the same row and its bottom-left corner in the same column (a tall popup
/// covers the header and the status line too).
fn popup_area(buffer: &Buffer, panes: &[Rect]) -> Option<Rect> {
    let area = buffer.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            if buffer[(x, y)].symbol() != "┌" || panes.iter().any(|p| (p.x, p.y) == (x, y)) {
                continue;
            }
            let right = (x + 1..area.right()).find(|&r| buffer[(r, y)].symbol() == "┐")?;
            let bottom = (y + 1..area.bottom()).find(|&b| buffer[(x, b)].symbol() == "└")?;
            return Some(Rect::new(x, y, right - x + 1, bottom - y + 1));
        }
    }
    None
}

/// The text of one part of the screen `state` draws, then the cursor: where it is when it is in
/// this part, or that it is hidden or in another part (so the snapshot of one part does not
/// change with where the cursor sits in another). Every cell is checked as in [`render`].
fn render_part(state: &State, part: Part) -> String {
    let terminal = draw(state);
    let buffer = terminal.backend().buffer();
    check_cells(buffer);
    let area = buffer.area;
    let screen =
        sctui::tui::app::layout::screen_with(area, sctui::tui::app::reader::detail_alone(state));
    let rect = match part {
        Part::Header => screen.header,
        Part::List => screen.list,
        Part::Detail => screen.detail.expect("a detail pane"),
        Part::Status => screen.status,
        Part::Body => Rect::new(
            area.x,
            screen.header.bottom(),
            area.width,
            screen.status.y - screen.header.bottom(),
        ),
        Part::Popup => {
            let panes: Vec<Rect> = [Some(screen.list), screen.detail]
                .into_iter()
                .flatten()
                .collect();
            popup_area(buffer, &panes).expect("a popup")
        }
    };
    let mut out = area_text(buffer, rect);
    let backend = terminal.backend();
    let cursor = backend.cursor_position();
    if !backend.cursor_visible() {
        out.push_str("cursor: hidden\n");
    } else if rect.contains(cursor) {
        out.push_str(&format!("cursor: x={} y={}\n", cursor.x, cursor.y));
    } else {
        out.push_str("cursor: in another part\n");
    }
    out
}

/// The rows of `rect` as text, one quoted row per line (wide characters once, their trailing
/// cell skipped).
fn area_text(buffer: &Buffer, rect: Rect) -> String {
    let mut out = String::new();
    for y in rect.top()..rect.bottom() {
        out.push('"');
        let mut skip = 0usize;
        for x in rect.left()..rect.right() {
            let symbol = buffer[(x, y)].symbol();
            if skip == 0 {
                out.push_str(symbol);
                skip = symbol.width().saturating_sub(1);
            } else {
                skip -= 1;
            }
        }
        out.push_str("\"\n");
    }
    out
}

/// No cell holds a control character (escape sequences must never reach the terminal), and no
/// wide character is split: its trailing cell is blank and it does not hang off the right edge.
fn check_cells(buffer: &Buffer) {
    for y in 0..buffer.area.height {
        let mut x = 0;
        while x < buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            assert!(
                !symbol.chars().any(char::is_control),
                "control character in cell ({x},{y}): {symbol:?}"
            );
            let w = symbol.width().max(1) as u16;
            assert!(
                x + w <= buffer.area.width,
                "wide symbol {symbol:?} at ({x},{y}) hangs off the right edge"
            );
            for dx in 1..w {
                let hidden = buffer[(x + dx, y)].symbol();
                assert!(
                    hidden.trim().is_empty(),
                    "wide symbol {symbol:?} at ({x},{y}) is overwritten by {hidden:?}"
                );
            }
            x += w;
        }
    }
}

fn row_text(buffer: &Buffer, y: u16) -> String {
    let mut line = String::new();
    let mut skip = 0usize;
    for x in 0..buffer.area.width {
        let symbol = buffer[(x, y)].symbol();
        if skip == 0 {
            line.push_str(symbol);
            skip = symbol.width().saturating_sub(1);
        } else {
            skip -= 1;
        }
    }
    line
}

fn all_text(buffer: &Buffer) -> String {
    (0..buffer.area.height)
        .map(|y| row_text(buffer, y))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// The full screens: the same four states at each size, the only snapshots that hold the whole
// screen; every other snapshot holds the part it is about
// ---------------------------------------------------------------------------------------------

/// The sizes the full screens are drawn at (`full_{w}x{h}_…`).
const FULL_SIZES: [(u16, u16); 3] = [(120, 36), (80, 24), (64, 20)];

/// The list as it first comes, the first session selected (with its detail beside it where the
/// terminal is wide enough).
#[test]
fn full_screen_list() {
    for (w, h) in FULL_SIZES {
        let state = loaded(w, h);
        insta::assert_snapshot!(format!("full_{w}x{h}_list"), render(&state));
    }
}

/// A conversation open: `Enter` on the first session, its two questions loaded (a Markdown
/// answer with an escape sequence in it, and a failed one).
#[test]
fn full_screen_conversation() {
    for (w, h) in FULL_SIZES {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Enter);
        conversation_arrives(&mut state);
        insta::assert_snapshot!(format!("full_{w}x{h}_conversation"), render(&state));
    }
}

/// The box that asks in a new session, a question typed, over the list.
#[test]
fn full_screen_create_popup() {
    for (w, h) in FULL_SIZES {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "Hunt: impossible travel sign-ins");
        insta::assert_snapshot!(format!("full_{w}x{h}_create_popup"), render(&state));
    }
}

/// The search view with hits (matches highlighted, the second one selected); the cursor is
/// after the query.
#[test]
fn full_screen_search() {
    for (w, h) in FULL_SIZES {
        let mut state = searched(w, h, "encodedcommand", search_hits());
        press(&mut state, KeyCode::Down);
        insta::assert_snapshot!(format!("full_{w}x{h}_search"), render(&state));
    }
}

// ---------------------------------------------------------------------------------------------
// Screens, each snapshot on its own part
// ---------------------------------------------------------------------------------------------

#[test]
fn s02_detail_focused() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus(), app::Focus::Detail);
    let terminal = draw(&state);
    // focus is shown by the border colour: the detail border is highlighted, the list's is not
    let buffer = terminal.backend().buffer();
    let detail_corner = (0..buffer.area.width)
        .position(|x| buffer[(x, 1)].symbol() == "┌" && buffer[(x, 1)].fg == Color::Cyan);
    assert!(
        detail_corner.is_some_and(|x| x > 0),
        "detail border is highlighted"
    );
    assert_ne!(buffer[(0, 1)].fg, Color::Cyan, "list border is not");
    insta::assert_snapshot!("s02_detail_focused", render_part(&state, Part::Detail));
}

#[test]
fn s03_rename_editing() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('j')); // the untitled one
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "MFA fatigue triage");
    insta::assert_snapshot!("s03_rename_editing", render_part(&state, Part::List));
}

#[test]
fn s03b_rename_editing_long_name_scrolls() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('r')); // the phishing one, longer than the field
    type_text(&mut state, " (closed)");
    press(&mut state, KeyCode::Home);
    press(&mut state, KeyCode::Right);
    insta::assert_snapshot!(
        "s03b_rename_editing_long_name",
        render_part(&state, Part::List)
    );
}

/// The inline editor on a name that had an escape sequence and on a wide (CJK) name scrolled to
/// its end: the text is sanitised and the cursor sits right after the last character drawn.
#[test]
fn s03c_rename_editing_evil_name() {
    let mut state = loaded(100, 24);
    for _ in 0..4 {
        press(&mut state, KeyCode::Char('j'));
    }
    press(&mut state, KeyCode::Char('r'));
    insta::assert_snapshot!(
        "s03c_rename_editing_evil_name",
        render_part(&state, Part::List)
    );
}

#[test]
fn s03d_rename_editing_cjk_name() {
    let mut state = loaded(100, 24);
    for _ in 0..3 {
        press(&mut state, KeyCode::Char('j'));
    }
    press(&mut state, KeyCode::Char('r'));
    insta::assert_snapshot!(
        "s03d_rename_editing_cjk_name",
        render_part(&state, Part::List)
    );
}

#[test]
fn s04_rename_pending() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "MFA fatigue triage");
    press(&mut state, KeyCode::Enter);
    assert!(state.busy());
    insta::assert_snapshot!("s04_rename_pending", render_part(&state, Part::List));
}

/// A question longer than the box wraps onto a second row (wide characters, hard wrap), indented
/// under the first.
#[test]
fn s05b_create_popup_wrapped() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('n'));
    app::update(&mut state, Msg::Paste(CJK_NAME.repeat(2)));
    insta::assert_snapshot!(
        "s05b_create_popup_wrapped",
        render_part(&state, Part::Popup)
    );
}

#[test]
fn s06_create_popup_refuses_empty() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('n'));
    type_text(&mut state, "   ");
    press(&mut state, KeyCode::Enter);
    assert!(!state.busy(), "nothing was sent");
    insta::assert_snapshot!(
        "s06_create_popup_empty_refused",
        render_part(&state, Part::Popup)
    );
}

#[test]
fn s07_help_overlay() {
    // tall enough for every key (s07b shows a short terminal)
    let mut state = loaded(100, 40);
    press(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!("s07_help", render_part(&state, Part::Popup));
}

/// The whole help, every mode's keys, in a terminal tall enough for all of it; the bottom-left
/// corner survives a CJK name in the row under it.
#[test]
fn s07c_help_every_mode() {
    let mut state = loaded(100, 89);
    press(&mut state, KeyCode::Char('?'));
    let screen = render(&state);
    assert!(
        screen.contains("Sign-in") && screen.contains("Ctrl-G"),
        "{screen}"
    );
    insta::assert_snapshot!("s07c_help_every_mode", render_part(&state, Part::Popup));
}

/// The selected session's conversation arrives (asked for once the selection settles): two
/// questions, a Markdown answer with an escape sequence in it and a failed one.
fn conversation_arrives(state: &mut State) {
    let commands = app::update(state, Msg::Settled).commands;
    let Some(Command::LoadConversation { req, .. }) = commands.first().cloned() else {
        panic!(
            "the conversation is requested (then its neighbours are fetched ahead): {commands:?}"
        )
    };
    let turns: Vec<Turn> = vec![
        Turn {
            prompt: serde_json::from_value(serde_json::json!({
                "id": "p-1",
                "type": "prompt",
                "content": "Summarise the invoice lure and list the sender domains.",
                "createdDateTime": "2026-01-31T10:16:00.0000000Z"
            }))
            .unwrap(),
            evaluation: Some(
                serde_json::from_value(serde_json::json!({
                    "id": "e-1",
                    "state": "completed",
                    "result": {
                        "type": "success",
                        "content": "**Summary**: 14 users got an invoice lure.\n\n- contoso-billing.com\n- evil\u{1b}[31mred.example"
                    },
                    "createdDateTime": "2026-01-31T10:16:01.0000000Z",
                    "completedDateTime": "2026-01-31T10:16:30.0000000Z"
                }))
                .unwrap(),
            ),
        },
        Turn {
            prompt: serde_json::from_value(serde_json::json!({
                "id": "p-2",
                "type": "prompt",
                "content": "Which mailboxes clicked the link?",
                "createdDateTime": "2026-01-31T11:50:00.0000000Z"
            }))
            .unwrap(),
            evaluation: Some(
                serde_json::from_value(serde_json::json!({
                    "id": "e-2",
                    "state": "completed",
                    "result": { "type": "error", "content": "Capacity exceeded, try again later." },
                    "createdDateTime": "2026-01-31T11:50:01.0000000Z"
                }))
                .unwrap(),
            ),
        },
    ];
    app::update(
        state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "5f0c1a2b-0000-4000-8000-000000000001".into(),
            runs: turns.into_iter().map(Into::into).collect(),
        }),
    );
}

/// Help on a short terminal (less room than the key table needs).
#[test]
fn s07b_help_short_terminal() {
    let mut state = loaded(80, 14);
    press(&mut state, KeyCode::Char('?'));
    insta::assert_snapshot!("s07b_help_short", render_part(&state, Part::Popup));
}

#[test]
fn s08_error_in_status_bar() {
    let mut state = loaded(80, 24);
    press(&mut state, KeyCode::Char('R'));
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: api_503(),
        }),
    );
    assert!(!state.busy());
    let list = render_part(&state, Part::List);
    assert!(
        list.contains("Phishing triage") && list.contains("Incident response"),
        "a failed refresh keeps the list: {list}"
    );
    insta::assert_snapshot!("s08_error_status", render_part(&state, Part::Status));
}

fn refresh_failed(w: u16, h: u16) -> State {
    let mut state = loaded(w, h);
    press(&mut state, KeyCode::Char('R'));
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: api_503(),
        }),
    );
    state
}

/// On a wide terminal the whole error fits, request-id included.
#[test]
fn s08c_error_status_wide() {
    let state = refresh_failed(140, 10);
    let text = render(&state);
    assert!(text.contains("request-id req-123"), "{text}");
    insta::assert_snapshot!("s08c_error_status_wide", render_part(&state, Part::Status));
}

/// The request-id is what support asks for, so it must survive a 100-column status bar.
#[test]
fn request_id_survives_a_100_column_status_bar() {
    let state = refresh_failed(100, 24);
    let text = render(&state);
    assert!(text.contains("req-123"), "{text}");
}

#[test]
fn s08b_rename_failed_reopens_editor() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "MFA fatigue triage");
    let out = app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let [Command::Rename { req, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    app::update(
        &mut state,
        Msg::Worker(Event::RenameFailed {
            id: "5f0c1a2b-0000-4000-8000-000000000002".into(),
            name: "MFA fatigue triage".into(),
            req,
            error: api_503(),
        }),
    );
    insta::assert_snapshot!("s08b_rename_failed_list", render_part(&state, Part::List));
    insta::assert_snapshot!(
        "s08b_rename_failed_status",
        render_part(&state, Part::Status)
    );
}

#[test]
fn s09_empty_list() {
    let mut state = started(100, 24);
    load(&mut state, Vec::new());
    insta::assert_snapshot!("s09_empty", render_part(&state, Part::List));
}

#[test]
fn s10_loading() {
    let state = started(100, 24);
    assert!(state.busy());
    insta::assert_snapshot!("s10_loading_list", render_part(&state, Part::List));
    insta::assert_snapshot!("s10_loading_status", render_part(&state, Part::Status));
}

#[test]
fn s11_filter_typed() {
    let mut state = loaded(80, 24);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "inc");
    assert_eq!(state.list().visible().len(), 2);
    let detail = render_part(&state, Part::Detail);
    assert!(
        detail
            .lines()
            .nth(1)
            .unwrap_or_default()
            .contains("Incident 4711 summary"),
        "the detail shows the first match: {detail}"
    );
    insta::assert_snapshot!("s11_filter", render_part(&state, Part::List));
}

#[test]
fn s11b_filter_no_match() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "zzz");
    insta::assert_snapshot!("s11b_filter_no_match", render_part(&state, Part::List));
}

#[test]
fn s12_narrow_terminal() {
    let state = loaded(40, 12);
    insta::assert_snapshot!("s12_narrow", render_part(&state, Part::Body));
}

/// A terminal too small for any pane: the whole of it is the one thing drawn.
#[test]
fn s13_too_small() {
    let state = loaded(19, 4);
    insta::assert_snapshot!("s13_too_small", render(&state));
}

#[test]
fn s14_throttled_notice() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('R'));
    app::update(
        &mut state,
        Msg::Worker(Event::Retrying(RetryNotice {
            attempt: 1,
            wait: Duration::from_millis(2128),
            status: Some(429),
        })),
    );
    assert!(state.busy());
    insta::assert_snapshot!("s14_throttled", render_part(&state, Part::Status));
}

/// The workspace picker when the list can't be read: the error, and a field to type the id
/// (cursor in it), at a usual size and a narrow one.
#[test]
fn s15_workspace_id_typed() {
    for (w, h, name) in [
        (100, 24, "s15_workspace_id_typed"),
        (40, 12, "s15b_workspace_id_typed_narrow"),
    ] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('w'));
        let req = state
            .requests()
            .iter()
            .find(|(_, p)| matches!(p, sctui::tui::app::requests::Pending::Workspaces))
            .map(|(id, _)| id)
            .expect("a workspace-list request");
        let body = br#"{"error":{"code":"Forbidden","message":"Listing workspaces needs the SecurityCopilotWorkspaces.Read.All permission","innerError":{"request-id":"req-9"}}}"#;
        app::update(
            &mut state,
            Msg::Worker(Event::WorkspacesFailed {
                req,
                error: GraphError::from(ApiError::from_response(403, body, None)),
            }),
        );
        type_text(&mut state, "soc-emea");
        insta::assert_snapshot!(name, render_part(&state, Part::Popup));
    }
}

// ---------------------------------------------------------------------------------------------
// Properties that matter beyond the pictures
// ---------------------------------------------------------------------------------------------

/// The escape sequence in a session name never reaches the screen, in the list, the detail, the
/// rename editor or the create box.
#[test]
fn escape_sequences_never_reach_the_buffer() {
    let mut state = loaded(100, 24);
    // select the evil one and show it everywhere it can appear
    let position = state
        .list()
        .visible()
        .iter()
        .position(|&i| state.list().entries()[i].session.display_name.as_deref() == Some(EVIL_NAME))
        .unwrap();
    for _ in 0..position {
        press(&mut state, KeyCode::Char('j'));
    }
    let mut screens = vec![draw(&state)];
    press(&mut state, KeyCode::Char('r'));
    screens.push(draw(&state));
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('n'));
    app::update(&mut state, Msg::Paste("paste\x1b]0;title\x07d".into()));
    screens.push(draw(&state));
    for terminal in &screens {
        let buffer = terminal.backend().buffer();
        check_cells(buffer);
        let text = all_text(buffer);
        assert!(!text.contains('\x1b'), "ESC on screen:\n{text}");
        assert!(!text.contains("[31m"), "CSI remains on screen:\n{text}");
    }
    assert!(all_text(screens[0].backend().buffer()).contains("evilred"));
    assert!(all_text(screens[1].backend().buffer()).contains("✎ evilred"));
    let popup = all_text(screens[2].backend().buffer());
    assert!(popup.contains("pasted"), "{popup}");
    assert!(!popup.contains("0;title"), "OSC payload dropped: {popup}");
}

/// Server text that arrives hostile in the worker's events (escape sequences, a bidi override, a
/// zero-width space) is cleaned once when the state takes it: the sign-in popup, the header
/// (who, the workspace's name and id), the workspace picker and a session's name in the list and
/// in the detail pane draw none of it, and draw the rest of the text.
#[test]
fn hostile_server_text_in_events_is_drawn_clean() {
    const HOSTILE: &str = "Ev\x1b[31mil\u{202e}gpj.exe\u{200b}x\x1b]52;c;ZXZpbA==\x07";
    const CLEANED: &str = "Evilgpj.exe\u{FFFD}x";
    let awaited = |state: &State, what: fn(&sctui::tui::app::requests::Pending) -> bool| {
        state
            .requests()
            .iter()
            .find(|(_, p)| what(p))
            .map(|(id, _)| id)
            .expect("a request awaited")
    };
    let mut state = loaded(120, 36);
    // a sign-in: the popup with the service's link and code
    state.set_signed_in_for_tests(false);
    press(&mut state, KeyCode::Char('R'));
    let req = awaited(&state, |p| {
        matches!(p, sctui::tui::app::requests::Pending::SignIn)
    });
    app::update(
        &mut state,
        Msg::Worker(Event::SignInPrompt {
            req,
            verification_uri: format!("https://login.example/{HOSTILE}"),
            user_code: format!("AB\u{200b}CD{HOSTILE}"),
            message: HOSTILE.to_string(),
        }),
    );
    let mut screens = vec![draw(&state)];
    app::update(
        &mut state,
        Msg::Worker(Event::SignedIn {
            req,
            who: Some(HOSTILE.to_string()),
        }),
    );
    screens.push(draw(&state));
    // the picker lists a workspace named and numbered by the server; Enter switches to it
    press(&mut state, KeyCode::Char('w'));
    let req = awaited(&state, |p| {
        matches!(p, sctui::tui::app::requests::Pending::Workspaces)
    });
    app::update(
        &mut state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![sctui_graph::models::Workspace {
                id: "ws\x1b[2J\u{2066}9".into(),
                display_name: Some(HOSTILE.into()),
            }],
        }),
    );
    screens.push(draw(&state));
    press(&mut state, KeyCode::Enter);
    let req = state
        .requests()
        .stored_list()
        .expect("opening the workspace");
    app::update(
        &mut state,
        Msg::Worker(Event::StoredList { req, stored: None }),
    );
    let when = "2026-01-31T10:15:00Z";
    let hostile = session("hostile", Some(HOSTILE), when, when);
    first_page(&mut state, vec![hostile], None, Some(1));
    press(&mut state, KeyCode::Enter);
    screens.push(draw(&state));
    let texts: Vec<String> = screens
        .iter()
        .map(|t| {
            let buffer = t.backend().buffer();
            check_cells(buffer);
            for cell in buffer.content() {
                assert!(
                    !cell.symbol().chars().any(|c| matches!(
                        c,
                        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'
                    )),
                    "bidi control or zero-width space drawn: {:?}",
                    cell.symbol()
                );
            }
            all_text(buffer)
        })
        .collect();
    for text in &texts {
        assert!(!text.contains("[31m") && !text.contains("ZXZpbA"), "{text}");
    }
    assert!(
        texts[0].contains(&format!("https://login.example/{CLEANED}")),
        "{}",
        texts[0]
    );
    assert!(
        texts[0].contains(&format!("AB\u{FFFD}CD{CLEANED}")),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains(CLEANED),
        "who in the header: {}",
        texts[1]
    );
    assert!(
        texts[2].contains(&format!("{CLEANED}  ws9")),
        "the picker: {}",
        texts[2]
    );
    assert!(
        texts[3].contains(&format!("workspace {CLEANED} (ws9)")),
        "the header after the switch: {}",
        texts[3]
    );
    assert!(
        texts[3].matches(CLEANED).count() >= 3,
        "the name in the header, the list and the detail pane: {}",
        texts[3]
    );
}

/// At every terminal width, the CJK name is cut at whole characters: no wide character is split,
/// overwritten or left hanging off an edge, and the row stays as wide as its pane.
#[test]
fn wide_names_are_never_split() {
    for w in 20..=120 {
        for h in [6u16, 12, 24] {
            let mut state = loaded(w, h);
            let cjk = state
                .list()
                .visible()
                .iter()
                .position(|&i| {
                    state.list().entries()[i].session.display_name.as_deref() == Some(CJK_NAME)
                })
                .unwrap();
            for _ in 0..cjk {
                press(&mut state, KeyCode::Char('j'));
            }
            let terminal = draw(&state);
            check_cells(terminal.backend().buffer());
            // and while renaming it (the editor scrolls over the wide text)
            press(&mut state, KeyCode::Char('r'));
            let terminal = draw(&state);
            check_cells(terminal.backend().buffer());
            press(&mut state, KeyCode::Home);
            let terminal = draw(&state);
            check_cells(terminal.backend().buffer());
            press(&mut state, KeyCode::Esc);
            // and in the create box
            press(&mut state, KeyCode::Char('n'));
            app::update(&mut state, Msg::Paste(CJK_NAME.repeat(3)));
            let terminal = draw(&state);
            check_cells(terminal.backend().buffer());
        }
    }
}

/// Every row of the list at 100 columns puts the relative time flush against the right border,
/// whatever the name (long, wide, untitled).
#[test]
fn list_columns_are_aligned() {
    let state = loaded(100, 24);
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    let list_right = (0..buffer.area.width)
        .rev()
        .find(|&x| buffer[(x, 1)].symbol() == "┐" && x < 50)
        .expect("list pane's top-right corner");
    for y in 2..2 + state.list().len() as u16 {
        let before = buffer[(list_right - 1, y)].symbol();
        assert!(
            !before.trim().is_empty(),
            "row {y} ends with a time next to the border: {:?}",
            row_text(buffer, y)
        );
        assert_eq!(buffer[(list_right, y)].symbol(), "│", "row {y}");
    }
    // the CJK row is cut with an ellipsis and still ends at the border
    let text = all_text(buffer);
    assert!(text.contains("インシデント"), "{text}");
}

#[test]
fn ctrl_u_clears_the_rename_editor() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('r'));
    ctrl(&mut state, 'u');
    type_text(&mut state, "x");
    let text = all_text(draw(&state).backend().buffer());
    assert!(text.contains("✎ x "), "{text}");
}

/// The column right after the last non-blank cell of row `y` between `from` and `to` (exclusive).
fn end_of_text(buffer: &Buffer, y: u16, from: u16, to: u16) -> u16 {
    let mut end = from;
    let mut x = from;
    while x < to {
        let symbol = buffer[(x, y)].symbol();
        let w = symbol.width().max(1) as u16;
        if !symbol.trim().is_empty() {
            end = x + w;
        }
        x += w;
    }
    end
}

fn editor_cursor_is_after_text(state: &State, pane_left: u16, pane_right: u16) {
    let terminal = draw(state);
    let backend = terminal.backend();
    assert!(backend.cursor_visible());
    let p = backend.cursor_position();
    let end = end_of_text(backend.buffer(), p.y, pane_left, pane_right);
    assert_eq!(
        p.x,
        end,
        "cursor should sit right after the text drawn in row {}: {:?}",
        p.y,
        row_text(backend.buffer(), p.y)
    );
}

#[test]
fn rename_cursor_follows_plain_text() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "MFA fatigue triage");
    editor_cursor_is_after_text(&state, 1, 44);
}

#[test]
fn rename_cursor_follows_a_sanitised_name() {
    let mut state = loaded(100, 24);
    for _ in 0..4 {
        press(&mut state, KeyCode::Char('j'));
    }
    press(&mut state, KeyCode::Char('r'));
    editor_cursor_is_after_text(&state, 1, 44);
}

#[test]
fn rename_cursor_follows_scrolled_wide_text() {
    let mut state = loaded(100, 24);
    for _ in 0..3 {
        press(&mut state, KeyCode::Char('j'));
    }
    press(&mut state, KeyCode::Char('r'));
    editor_cursor_is_after_text(&state, 1, 44);
}

#[test]
fn create_cursor_follows_wrapped_wide_text() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('n'));
    app::update(&mut state, Msg::Paste(CJK_NAME.repeat(2)));
    editor_cursor_is_after_text(&state, 21, 79);
}

#[test]
fn create_cursor_follows_a_sanitised_paste() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Char('n'));
    app::update(&mut state, Msg::Paste("paste\x1b]0;title\x07d".into()));
    editor_cursor_is_after_text(&state, 21, 79);
}

/// The worker hands over the seeded sessions as the local store kept them (2 h ago).
fn stored_list_arrives(state: &mut State) {
    let req = state
        .requests()
        .stored_list()
        .expect("opening the workspace");
    app::update(
        state,
        Msg::Worker(Event::StoredList {
            req,
            stored: Some(StoredSessions {
                sessions: sessions(),
                info: sctui::tui::protocol::ListInfo {
                    known: sessions().len(),
                    updated: Some("2026-01-31T10:00:00Z".parse().unwrap()),
                    complete: None,
                },
            }),
        }),
    );
}

/// The list from the local store at start, before Graph answers, then with Graph
/// unreachable (the stored list stays and says so), at two sizes.
#[test]
fn stored_list_at_start_and_with_graph_unreachable() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = started(w, h);
        stored_list_arrives(&mut state);
        insta::assert_snapshot!(
            format!("s40_stored_list_{w}x{h}_header"),
            render_part(&state, Part::Header)
        );
        insta::assert_snapshot!(
            format!("s40_stored_list_{w}x{h}_list"),
            render_part(&state, Part::List)
        );
        let req = state.requests().page().expect("Graph is still asked");
        app::update(
            &mut state,
            Msg::Worker(Event::PageFailed {
                req,
                error: api_503(),
            }),
        );
        for (part, name) in [
            (Part::Header, "header"),
            (Part::List, "list"),
            (Part::Status, "status"),
        ] {
            insta::assert_snapshot!(
                format!("s41_stored_list_unreachable_{w}x{h}_{name}"),
                render_part(&state, part)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The search view, the sync gauge, --offline
// ---------------------------------------------------------------------------------------------

fn hit(session: usize, turn: Option<(usize, &str)>, marked: &str) -> sctui::store::Hit {
    let s = &sessions()[session];
    sctui::store::Hit {
        session_id: s.id.clone(),
        session_name: s.display_name.clone(),
        session_modified: s
            .last_modified_date_time
            .as_ref()
            .map(|t| t.raw().into_owned()),
        kind: match turn {
            Some((position, prompt_id)) => sctui::store::HitKind::Turn {
                position,
                prompt_id: prompt_id.into(),
            },
            None => sctui::store::HitKind::Name,
        },
        snippet: sctui::store::Snippet::from_marked(marked),
        score: -1.0,
    }
}

/// The search view after typing `query`, with `hits` come back.
fn searched(w: u16, h: u16, query: &str, hits: Vec<sctui::store::Hit>) -> State {
    let hits = hits.into_iter().map(sctui::store::search_result).collect();
    let mut state = loaded(w, h);
    press(&mut state, KeyCode::Char('f'));
    let mut last = None;
    for c in query.chars() {
        let out = app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
        last = out.commands.into_iter().next();
    }
    let Some(Command::Search { req, query, .. }) = last else {
        panic!("typing searches: {last:?}");
    };
    app::update(
        &mut state,
        Msg::Worker(Event::Searched {
            req,
            query,
            result: Ok(hits),
        }),
    );
    state
}

fn search_hits() -> Vec<sctui::store::Hit> {
    vec![
        hit(
            1,
            Some((1, "p2")),
            "…the sender used \u{E000}EncodedCommand\u{E001} in the macro, then called out to contoso-billing.com…",
        ),
        hit(
            5,
            Some((0, "p1")),
            "A long preamble about OAuth consent grants, tenants, regions and quarters before the word \u{E000}EncodedCommand\u{E001} finally appears near the end",
        ),
        hit(0, None, "インシデント \u{E000}EncodedCommand\u{E001} 東京"),
        hit(
            4,
            Some((2, "p3")),
            "evil\x1b[31m \u{E000}EncodedCommand\u{E001}\x07 bell",
        ),
    ]
}

/// The search view with hits on a terminal narrower than the full screens' (those show it at
/// the usual sizes): the snippets still fit.
#[test]
fn search_view_lists_hits_with_their_snippets() {
    let mut state = searched(40, 12, "encodedcommand", search_hits());
    press(&mut state, KeyCode::Down);
    insta::assert_snapshot!("s50_search_hits_40x12", render_part(&state, Part::Body));
}

/// The matched words are drawn reversed and bold, nothing else is.
#[test]
fn search_view_highlights_only_the_matches() {
    let state = searched(80, 24, "encodedcommand", search_hits());
    let terminal = draw(&state);
    let buffer = terminal.backend().buffer();
    let mut highlighted = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            if cell.modifier.contains(ratatui::style::Modifier::REVERSED)
                && cell.modifier.contains(ratatui::style::Modifier::BOLD)
                && y > 3
            {
                highlighted.push_str(cell.symbol());
            }
        }
        highlighted.push('|');
    }
    let words: Vec<&str> = highlighted.split('|').filter(|w| !w.is_empty()).collect();
    assert!(words.iter().all(|w| *w == "EncodedCommand"), "{words:?}");
    assert_eq!(words.len(), 4, "{words:?}");
}

/// Before typing, with no match, and with the store off.
#[test]
fn search_view_says_how_to_start_and_why_nothing_came() {
    let mut state = loaded(80, 24);
    press(&mut state, KeyCode::Char('f'));
    insta::assert_snapshot!("s51_search_empty_80x24", render_part(&state, Part::Body));
    let state = searched(80, 24, "sharphound", Vec::new());
    insta::assert_snapshot!("s52_search_no_match_80x24", render_part(&state, Part::Body));
    let mut state = loaded(64, 20);
    press(&mut state, KeyCode::Char('f'));
    let out = app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
    );
    let Some(Command::Search { req, query, .. }) = out.commands.into_iter().next() else {
        panic!("no search");
    };
    app::update(
        &mut state,
        Msg::Worker(Event::Searched {
            req,
            query,
            result: Err(sctui::tui::worker::StoreUnavailable::Off),
        }),
    );
    insta::assert_snapshot!(
        "s53_search_store_off_64x20",
        render_part(&state, Part::Body)
    );
}

/// The sync gauge in the status line while a sync runs.
#[test]
fn sync_gauge_shows_how_far_the_sync_is() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = loaded(w, h);
        let out = app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT)),
        );
        let Some(Command::Sync { req, .. }) = out.commands.into_iter().next() else {
            panic!("S syncs");
        };
        app::update(
            &mut state,
            Msg::Worker(Event::SyncProgress {
                req,
                progress: sctui::store::sync::Progress::Conversations {
                    done: 7,
                    total: 10,
                    unchanged: 3,
                },
            }),
        );
        insta::assert_snapshot!(
            format!("s54_sync_gauge_{w}x{h}"),
            render_part(&state, Part::Status)
        );
    }
}

/// `--offline`: the stored list with its banner; a change refused, the typed name kept.
#[test]
fn offline_shows_the_stored_list_with_a_banner() {
    for (w, h) in [(100, 24), (64, 20)] {
        let settings = app::state::Settings {
            offline: true,
            tz: jiff::tz::TimeZone::UTC,
            ..Default::default()
        };
        let mut state = State::with_settings("default", "", settings);
        sctui::tui::app::update(
            &mut state,
            sctui::tui::app::Msg::Clock(NOW.parse().unwrap()),
        );
        sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(w, h));
        let commands = app::init(&mut state).commands;
        assert!(
            matches!(commands[..], [Command::OpenWorkspace { .. }]),
            "nothing is asked of Graph: {commands:?}"
        );
        stored_list_arrives(&mut state);
        let hints = render_part(&state, Part::Status);
        for refused in ["ask new", " ask ", "rename", "refresh", " sync"] {
            assert!(
                !hints.contains(refused),
                "offline offers {refused}: {hints}"
            );
        }
        for (part, name) in [
            (Part::Header, "header"),
            (Part::List, "list"),
            (Part::Status, "status"),
        ] {
            insta::assert_snapshot!(
                format!("s55_offline_{w}x{h}_{name}"),
                render_part(&state, part)
            );
        }
        press(&mut state, KeyCode::Char('r'));
        type_text(&mut state, "!");
        press(&mut state, KeyCode::Enter);
        insta::assert_snapshot!(
            format!("s56_offline_rename_refused_{w}x{h}_list"),
            render_part(&state, Part::List)
        );
        insta::assert_snapshot!(
            format!("s56_offline_rename_refused_{w}x{h}_status"),
            render_part(&state, Part::Status)
        );
    }
}

/// `Enter` on a hit: its session in the detail pane, at the matching question (the second of
/// three), the matched word found there (highlighted, `n`/`N` go through it), at two sizes.
#[test]
fn a_search_hit_opens_at_its_question() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = searched(
            w,
            h,
            "beacon",
            vec![hit(
                2,
                Some((1, "p-2")),
                "outbound \u{E000}beacon\u{E001} every 60 s",
            )],
        );
        press(&mut state, KeyCode::Enter);
        let commands = app::update(&mut state, Msg::Settled).commands;
        let Some(Command::LoadConversation { req, session_id }) = commands.first().cloned() else {
            panic!("the hit's conversation loads: {commands:?}");
        };
        let long: String = (1..=30).map(|i| format!("Finding {i}.\n\n")).collect();
        let turns: Vec<Turn> = (1..=3)
            .map(|i| {
                let answer = if i == 2 {
                    format!("Host WKS-7 shows an outbound beacon every 60 s.\n\n{long}")
                } else {
                    long.clone()
                };
                Turn {
                    prompt: serde_json::from_value(serde_json::json!({
                        "id": format!("p-{i}"), "type": "prompt",
                        "content": format!("Question {i} about the host"),
                    }))
                    .unwrap(),
                    evaluation: serde_json::from_value(serde_json::json!({
                        "id": format!("e-{i}"), "state": "completed",
                        "result": {"type": "success", "content": answer},
                    }))
                    .unwrap(),
                }
            })
            .collect();
        app::update(
            &mut state,
            Msg::Worker(Event::ConversationLoaded {
                req,
                session_id,
                runs: turns.into_iter().map(Into::into).collect(),
            }),
        );
        insta::assert_snapshot!(
            format!("s57_search_hit_opened_{w}x{h}"),
            render_part(&state, Part::Detail)
        );
    }
}

/// Graph unreachable at the first start, with nothing stored yet: the banner says so while the
/// list is asked for again in the background.
#[test]
fn unreachable_at_start_with_nothing_stored() {
    let mut state = started(64, 20);
    let req = state.requests().page().expect("the first page");
    app::update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: GraphError::Network {
                url: "https://graph.microsoft.com/beta/security/securityCopilot/workspaces/default/sessions".into(),
                kind: sctui_graph::NetworkKind::Connect,
                detail: "connection refused".into(),
            },
        }),
    );
    for (part, name) in [
        (Part::Header, "header"),
        (Part::List, "list"),
        (Part::Status, "status"),
    ] {
        insta::assert_snapshot!(
            format!("s42_unreachable_nothing_stored_64x20_{name}"),
            render_part(&state, part)
        );
    }
}

/// A missing workspace at start is a refusal, not an unreachable Graph: no banner, no "retrying",
/// and the message names the way out; also when a 503 came first.
#[test]
fn a_missing_workspace_at_start_is_not_called_unreachable() {
    const NOT_FOUND: &[u8] =
        br#"{"error":{"code":"ResourceNotFound","message":"Workspace 'nope' was not found."}}"#;
    for first_503 in [false, true] {
        let mut state = started(64, 20);
        if first_503 {
            let req = state.requests().page().expect("the first page");
            app::update(
                &mut state,
                Msg::Worker(Event::PageFailed {
                    req,
                    error: api_503(),
                }),
            );
            assert!(
                render(&state).contains("GRAPH UNREACHABLE"),
                "a 503 is unreachable"
            );
            app::update(&mut state, Msg::Reconnect);
        }
        let req = state.requests().page().expect("a page in flight");
        app::update(
            &mut state,
            Msg::Worker(Event::PageFailed {
                req,
                error: GraphError::from(ApiError::from_response(404, NOT_FOUND, None)),
            }),
        );
        let screen = render(&state);
        assert!(!screen.contains("UNREACHABLE"), "{screen}");
        assert!(!screen.contains("retrying"), "{screen}");
        assert!(screen.contains("not found"), "{screen}");
    }
}

/// `--offline` with nothing stored for the workspace: it says so (and how to fill the store),
/// instead of waiting for a list that will not come.
#[test]
fn offline_with_nothing_stored() {
    let settings = app::state::Settings {
        offline: true,
        ..Default::default()
    };
    let mut state = State::with_settings("default", "", settings);
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(64, 20));
    let _ = app::init(&mut state);
    let req = state
        .requests()
        .stored_list()
        .expect("opening the workspace");
    app::update(
        &mut state,
        Msg::Worker(Event::StoredList {
            req,
            stored: Some(StoredSessions {
                sessions: Vec::new(),
                info: sctui::tui::protocol::ListInfo::default(),
            }),
        }),
    );
    insta::assert_snapshot!(
        "s58_offline_nothing_stored_64x20_header",
        render_part(&state, Part::Header)
    );
    insta::assert_snapshot!(
        "s58_offline_nothing_stored_64x20_list",
        render_part(&state, Part::List)
    );
}

/// While Graph has more pages, the list's title says how much it covers, and a
/// filter says what it matched out of that while the rest loads (a count at the bottom); at two
/// sizes.
#[test]
fn an_incomplete_list_says_how_much_it_covers() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = started(w, h);
        first_page(&mut state, sessions(), Some(NEXT), Some(300));
        let header = render_part(&state, Part::Header);
        assert!(header.contains("│ 7/300 known"), "{header}");
        let status = render_part(&state, Part::Status);
        assert!(status.contains("loading more sessions…"), "{status}");
        insta::assert_snapshot!(
            format!("s16_incomplete_{w}x{h}"),
            render_part(&state, Part::List)
        );
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, "inc");
        assert!(state.paging().bulk, "a filter loads the rest");
        insta::assert_snapshot!(
            format!("s16b_incomplete_filtered_{w}x{h}"),
            render_part(&state, Part::List)
        );
    }
}

/// Sorted by creation, the time column shows creation times and its
/// heading says so; the name column keeps one width whatever the times say.
#[test]
fn the_time_column_follows_the_sort() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('s'));
        assert_eq!(
            state.list().sort(),
            sctui::tui::app::state::SortOrder::Created
        );
        insta::assert_snapshot!(
            format!("s17_sorted_by_created_{w}x{h}"),
            render_part(&state, Part::List)
        );
    }
}

/// 300 sessions, one in three an incident, newest first (`h0` the newest).
fn three_hundred() -> Vec<Session> {
    (0..300)
        .map(|i| {
            let name = if i % 3 == 0 {
                format!("Incident {i}")
            } else {
                format!("Hunt {i}")
            };
            let t = format!("2026-01-30T{:02}:{:02}:00Z", 23 - i / 60, 59 - i % 60);
            session(&format!("h{i}"), Some(&name), &t, &t)
        })
        .collect()
}

/// After `R`, the first page merges into the 300 known sessions instead of replacing them,
/// so a filter typed while the rest is checked still counts all 300; the walk shows how far it got; at two sizes.
#[test]
fn a_filter_after_a_refresh_still_covers_every_known_session() {
    for (w, h) in [(100, 24), (64, 20)] {
        let mut state = started(w, h);
        load(&mut state, three_hundred());
        assert_eq!(state.list().len(), 300);
        press(&mut state, KeyCode::Char('R'));
        let first = three_hundred().into_iter().take(100).collect();
        first_page(&mut state, first, Some(NEXT), Some(300));
        assert!(state.paging().bulk, "the rest is checked in a walk");
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, "inc");
        assert_eq!(state.list().visible().len(), 100, "every known incident");
        let screen = render(&state);
        assert!(screen.contains("100 of 300"), "{screen}");
        insta::assert_snapshot!(
            format!("s18_refresh_filtered_{w}x{h}"),
            render_part(&state, Part::List)
        );
    }
}

/// During a refresh's walk the header counts the sessions the list knows, even when Graph now
/// counts fewer (a session deleted elsewhere stays listed until the walk completes).
#[test]
fn the_header_counts_known_sessions_while_a_refresh_walks() {
    let mut state = started(100, 24);
    load(&mut state, three_hundred());
    press(&mut state, KeyCode::Char('R'));
    let first = three_hundred().into_iter().skip(1).take(100).collect();
    first_page(&mut state, first, Some(NEXT), Some(299));
    let screen = render(&state);
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("│ 300 known"), "{header}");
    assert!(screen.contains("refreshing 100 of 299…"), "{screen}");
}

// ---------------------------------------------------------------------------------------------
// What stays on screen when the user moves on
// ---------------------------------------------------------------------------------------------

/// The detail pane's bottom border (where a kept find is shown) as text.
fn detail_bottom_border(state: &State) -> String {
    let terminal = draw(state);
    let buffer = terminal.backend().buffer();
    let screen = sctui::tui::app::layout::screen_with(
        buffer.area,
        sctui::tui::app::reader::detail_alone(state),
    );
    let detail = screen.detail.expect("a detail pane");
    row_text(buffer, detail.bottom() - 1)
}

/// Opens the workspace picker and gives it Graph's list: the current workspace and `soc-emea`,
/// named "SOC EMEA".
fn picker_with_two_workspaces(state: &mut State) {
    press(state, KeyCode::Char('w'));
    let req = state
        .requests()
        .iter()
        .find(|(_, p)| matches!(p, sctui::tui::app::requests::Pending::Workspaces))
        .map(|(id, _)| id)
        .expect("a workspace-list request");
    app::update(
        state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![
                sctui_graph::models::Workspace {
                    id: "default".into(),
                    display_name: Some("Default".into()),
                },
                sctui_graph::models::Workspace {
                    id: "soc-emea".into(),
                    display_name: Some("SOC EMEA".into()),
                },
            ],
        }),
    );
}

/// A find kept in the detail pane (`/`, a word, Enter) belongs to the conversation it was typed
/// in: moving to another session, or to another workspace, leaves no query on the border.
#[test]
fn a_kept_find_is_dropped_on_another_session_and_workspace() {
    for (w, h) in [(120, 36), (80, 24)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, "Phish");
        press(&mut state, KeyCode::Enter);
        assert!(
            detail_bottom_border(&state).contains("/Phish"),
            "the kept find is shown: {}",
            detail_bottom_border(&state)
        );
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('j'));
        let border = detail_bottom_border(&state);
        assert!(!border.contains("Phish"), "another session: {border}");

        press(&mut state, KeyCode::Char('k'));
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Char('/'));
        type_text(&mut state, "Phish");
        press(&mut state, KeyCode::Enter);
        press(&mut state, KeyCode::Esc);
        picker_with_two_workspaces(&mut state);
        press(&mut state, KeyCode::Char('j'));
        press(&mut state, KeyCode::Enter);
        assert_eq!(state.workspace(), "soc-emea");
        load(&mut state, sessions());
        let border = detail_bottom_border(&state);
        assert!(!border.contains("Phish"), "another workspace: {border}");
    }
}

/// After a switch in the picker, the status line names the workspace as the picker showed it.
#[test]
fn a_workspace_switch_is_told_by_the_name_the_picker_showed() {
    let mut state = loaded(100, 24);
    picker_with_two_workspaces(&mut state);
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Enter);
    let status = render_part(&state, Part::Status);
    assert!(
        status.contains("Switched to workspace SOC EMEA"),
        "{status}"
    );
    assert!(!status.contains("soc-emea"), "{status}");
}

/// `n`/`N` step through a kept find's matches (the border counts them): no step is logged in the
/// messages view, which keeps what was said once.
#[test]
fn stepping_through_matches_adds_nothing_to_the_messages_view() {
    let mut state = loaded(100, 24);
    press(&mut state, KeyCode::Enter);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "i");
    press(&mut state, KeyCode::Enter);
    assert!(state.reader().find.matches.len() > 3, "several matches");
    press(&mut state, KeyCode::Char('m'));
    let before = render_part(&state, Part::Popup);
    press(&mut state, KeyCode::Esc);
    for _ in 0..3 {
        press(&mut state, KeyCode::Char('n'));
    }
    press(&mut state, KeyCode::Char('N'));
    assert!(
        detail_bottom_border(&state).contains("/i 3/"),
        "the border counts: {}",
        detail_bottom_border(&state)
    );
    press(&mut state, KeyCode::Char('m'));
    let after = render_part(&state, Part::Popup);
    assert!(before.contains("Messages (1)"), "{before}");
    assert!(after.contains("Messages (1)"), "{after}");
}

/// The detail pane's facts (created, modified) that do not fit its width are cut with `…`, at
/// 80×24 as in a wide pane never cut; at every size the text ends at the border.
#[test]
fn the_detail_facts_are_cut_with_an_ellipsis() {
    for (w, h) in [(80, 24), (64, 20), (120, 36)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Enter);
        let terminal = draw(&state);
        let buffer = terminal.backend().buffer();
        let screen = sctui::tui::app::layout::screen_with(
            buffer.area,
            sctui::tui::app::reader::detail_alone(&state),
        );
        let detail = screen.detail.expect("a detail pane");
        let inner = area_text(buffer, detail);
        let modified = inner
            .lines()
            .find(|l| l.contains("Modified"))
            .unwrap_or_else(|| panic!("a Modified row at {w}x{h}:\n{inner}"));
        let full = "Modified 2026-01-31 11:55:00 UTC (5 min ago)";
        if usize::from(detail.width) - 2 < full.len() {
            assert!(modified.contains("Modified 2026-01-31 11:55"), "{modified}");
            assert!(
                modified.contains("…│") || modified.contains("…┃"),
                "cut with … at {w}x{h}: {modified}"
            );
        } else {
            assert!(modified.contains(full), "whole at {w}x{h}: {modified}");
        }
    }
}

/// Graph unreachable, with sessions stored and with none: once a try has failed, the screen says
/// unreachable through every try after it (the header's banner; nothing says "refreshing", an
/// empty list does not turn into "No sessions yet"), until a page arrives; at two sizes.
#[test]
fn an_unreachable_graph_is_told_until_a_page_arrives_without_flicker() {
    let unreachable = || GraphError::Network {
        url:
            "https://graph.microsoft.com/beta/security/securityCopilot/workspaces/default/sessions"
                .into(),
        kind: sctui_graph::NetworkKind::Connect,
        detail: "connection refused".into(),
    };
    for (w, h, stored) in [(100, 24, true), (64, 20, true), (64, 20, false)] {
        let mut state = started(w, h);
        if stored {
            stored_list_arrives(&mut state);
        }
        for try_number in 1..=3 {
            let req = state.requests().page().expect("a page in flight");
            app::update(
                &mut state,
                Msg::Worker(Event::PageFailed {
                    req,
                    error: unreachable(),
                }),
            );
            let waiting = render(&state);
            assert!(
                waiting.contains("GRAPH UNREACHABLE"),
                "after try {try_number} at {w}x{h}:\n{waiting}"
            );
            // the next try is under way
            app::update(&mut state, Msg::Reconnect);
            assert!(state.page_loading());
            let trying = render(&state);
            assert!(
                trying.contains("GRAPH UNREACHABLE"),
                "during try {} at {w}x{h}:\n{trying}",
                try_number + 1
            );
            for untrue in ["refreshing", "No sessions yet"] {
                assert!(
                    !trying.contains(untrue),
                    "during try {} at {w}x{h}:\n{trying}",
                    try_number + 1
                );
            }
        }
        load(&mut state, sessions());
        let reached = render(&state);
        assert!(!reached.contains("UNREACHABLE"), "{reached}");
    }
}

/// A draft kept with `Esc` comes back marked as one, with the way to drop it; that key clears the
/// whole draft (every line of it), so nothing left from before is sent unseen; at three sizes.
#[test]
fn a_kept_draft_is_shown_as_one_and_dropped_with_one_key() {
    for (w, h) in [(120, 36), (80, 24), (64, 20)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('n'));
        type_text(&mut state, "first line");
        app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
        );
        type_text(&mut state, "second line");
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('n'));
        let popup = render_part(&state, Part::Popup);
        assert!(popup.contains("second line"), "{popup}");
        assert!(
            popup.contains("draft kept") && popup.contains("Ctrl-U clears"),
            "at {w}x{h}: {popup}"
        );
        ctrl(&mut state, 'u');
        let popup = render_part(&state, Part::Popup);
        assert!(
            !popup.contains("first line") && !popup.contains("second line"),
            "at {w}x{h}: {popup}"
        );
        assert!(!popup.contains("draft kept"), "at {w}x{h}: {popup}");
        // a fresh box is not called a draft
        press(&mut state, KeyCode::Esc);
        press(&mut state, KeyCode::Char('n'));
        let popup = render_part(&state, Part::Popup);
        assert!(!popup.contains("draft"), "at {w}x{h}: {popup}");
    }
}

/// The `?` overlay at 80 and 64 columns: every description is there in full (wrapped under its
/// column where it is too long), reached by scrolling with `j`.
#[test]
fn the_help_overlay_wraps_descriptions_and_scrolls_to_the_last() {
    for (w, h) in [(80, 24), (64, 20), (120, 36)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('?'));
        // the rows as they pass the top of the popup, then the last screen whole
        let inner_rows = |state: &State| -> Vec<String> {
            let popup = render_part(state, Part::Popup);
            let rows: Vec<String> = popup
                .lines()
                .filter(|l| l.starts_with('"'))
                .map(|l| l.trim_matches('"').to_string())
                .collect();
            rows[1..rows.len() - 1]
                .iter()
                .map(|r| {
                    r.trim_start_matches('│')
                        .trim_end_matches(['│', '┃'])
                        .to_string()
                })
                .collect()
        };
        let mut seen: Vec<String> = Vec::new();
        let mut last = inner_rows(&state);
        for _ in 0..400 {
            press(&mut state, KeyCode::Char('j'));
            let now = inner_rows(&state);
            if now == last {
                break;
            }
            seen.push(last[0].clone());
            last = now;
        }
        seen.extend(last);
        let text = seen.iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
        for line in state.settings().keymap.help_lines() {
            if let sctui_app::keys::HelpLine::Row(_, what) = line {
                assert!(
                    text.contains(what),
                    "{what:?} in full at {w}x{h}:\n{}",
                    seen.join("\n")
                );
            }
        }
    }
}

/// `e` offers the export's format in a small picker (Markdown, HTML, JSON); the one chosen is
/// what the worker is asked to write (its extension on the file) and is remembered, so the next
/// `e` offers it first; at three sizes.
#[test]
fn e_offers_the_export_format_and_remembers_the_choice() {
    use sctui::export::Format;
    for (w, h) in [(120, 36), (80, 24), (64, 20)] {
        let mut state = loaded(w, h);
        press(&mut state, KeyCode::Char('e'));
        let popup = render_part(&state, Part::Popup);
        for format in ["Markdown", "HTML", "JSON"] {
            assert!(popup.contains(format), "{format} at {w}x{h}: {popup}");
        }
        assert!(popup.contains("› Markdown"), "Markdown first: {popup}");
        press(&mut state, KeyCode::Char('j'));
        let out = app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        match out.commands.as_slice() {
            [Command::Export { format, path, .. }] => {
                assert_eq!(*format, Format::Html);
                assert_eq!(path.extension().and_then(|e| e.to_str()), Some("html"));
            }
            other => panic!("an HTML export: {other:?}"),
        }
        assert!(
            out.effects.iter().any(|e| matches!(
                e,
                app::Effect::RememberExportFormat {
                    format: Format::Html
                }
            )),
            "{:?}",
            out.effects
        );
        press(&mut state, KeyCode::Char('e'));
        let popup = render_part(&state, Part::Popup);
        assert!(popup.contains("› HTML"), "the last choice first: {popup}");
        // Esc closes it, nothing exported
        let out = app::update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        assert!(out.commands.is_empty());
        assert!(matches!(state.mode(), app::Mode::Browsing));
    }
}
