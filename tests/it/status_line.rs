//! The status line in every mode and focus, under the vim preset, the arrows preset and a
//! rebound table: hints come from the keymap in force, so an unbound key never shows and a
//! rebound one shows as rebound. Messages keep the hints beside them.
//!
//! States are reached through the real `app::update` (keys and worker events), then the bottom
//! line is drawn by the real `ui::draw` on a `TestBackend`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui::tui::app::{self, Msg, State};
use sctui::tui::worker::{Command, Event, SignInError};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_app::keys::{KeyMode, KeyOverride, Keymap, Preset};
use sctui_graph::models::{GraphTime, Page, Session, Workspace};
use sctui_graph::{ApiError, GraphError};

const WIDTH: u16 = 110;

fn session(i: usize) -> Session {
    Session {
        id: format!("s{i}"),
        display_name: Some(format!("Session {i}")),
        created_date_time: Some(GraphTime::new("2026-01-30T10:00:00Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T10:00:00Z")),
    }
}

fn loaded(keymap: &Keymap) -> State {
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock("2026-01-31T12:00:00Z".parse().unwrap()),
    );
    state.settings_mut_for_tests().tz = jiff::tz::TimeZone::UTC;
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(WIDTH, 20));
    state.settings_mut_for_tests().keymap = keymap.clone();
    app::init(&mut state);
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: (0..3).map(session).collect(),
                next_link: None,
                count: Some(3),
            },
        }),
    );
    state
}

fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn key(state: &mut State, code: KeyCode) {
    app::update(state, press(code));
}

/// The status line as drawn at [`WIDTH`] columns (overlays such as help cover it on screen; the
/// text is what the line holds).
fn bottom_line(state: &State) -> String {
    let line = sctui::tui::ui::status::line(state, WIDTH);
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    text.trim_end().to_string()
}

/// The bottom row of the whole screen, drawn by `ui::draw` at the state's size.
fn screen_bottom(state: &State) -> String {
    let text = screen(state);
    text.lines().last().unwrap_or("").trim_end().to_string()
}

fn error_503() -> GraphError {
    GraphError::from(ApiError::from_response(
        503,
        br#"{"error":{"code":"serviceNotAvailable","message":"Try later","innerError":{"request-id":"req-9"}}}"#,
        None,
    ))
}

/// `R`, and Graph answers the refresh with a 503: an error in the status line.
fn refresh_fails(s: &mut State) {
    key(s, KeyCode::Char('R'));
    let req = s.requests().page().expect("a page request");
    app::update(
        s,
        Msg::Worker(Event::PageFailed {
            req,
            error: error_503(),
        }),
    );
}

/// Opens the workspace picker (`w`) and gives it Graph's list of one workspace.
fn open_picker(s: &mut State) {
    let req = match app::update(s, press(KeyCode::Char('w')))
        .commands
        .as_slice()
    {
        [Command::LoadWorkspaces { req }] => *req,
        other => panic!("{other:?}"),
    };
    app::update(
        s,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![Workspace {
                id: "default".into(),
                display_name: Some("Default".into()),
            }],
        }),
    );
}

/// The vim preset with `[keys]` entries (mode, action, keys), which must not conflict.
fn rebound(entries: &[(KeyMode, &str, &[&str])]) -> Keymap {
    let overrides: Vec<KeyOverride> = entries
        .iter()
        .map(|(mode, action, keys)| KeyOverride {
            mode: *mode,
            action: action.to_string(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line: 1,
        })
        .collect();
    let (keymap, conflicts) = Keymap::from_config(Preset::Vim, &overrides).unwrap();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    keymap
}

/// Every mode and focus, one line each, for `keymap`.
fn every_mode(keymap: &Keymap) -> String {
    let mut out = Vec::new();
    let mut shot =
        |name: &str, state: &State| out.push(format!("{name:<20}|{}", bottom_line(state)));

    let state = loaded(keymap);
    assert_eq!(screen_bottom(&state), bottom_line(&state));
    shot("list", &state);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Tab);
    shot("detail", &s);

    let mut s = loaded(keymap);
    refresh_fails(&mut s);
    shot("list + error", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('z'));
    shot("detail, zoomed", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('/'));
    shot("find in detail", &s);
    for c in "Session".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    shot("detail, find kept", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Char('/'));
    key(&mut s, KeyCode::Char('1'));
    shot("filter", &s);
    key(&mut s, KeyCode::Enter);
    shot("list, filter kept", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::F(2));
    shot("rename", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Char('n'));
    shot("prompt box", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Char('?'));
    shot("help", &s);

    let mut s = loaded(keymap);
    open_picker(&mut s);
    shot("workspace picker", &s);
    key(&mut s, KeyCode::Char('i'));
    shot("workspace id typed", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Char('m'));
    shot("messages", &s);

    let mut s = loaded(keymap);
    key(&mut s, KeyCode::Char('f'));
    shot("search", &s);

    let mut s = loaded(keymap);
    s.set_signed_in_for_tests(false);
    let req = match app::update(&mut s, press(KeyCode::F(5)))
        .commands
        .as_slice()
    {
        [Command::StartSignIn { req }] => *req,
        other => panic!("{other:?}"),
    };
    app::update(
        &mut s,
        Msg::Worker(Event::SignInPrompt {
            req,
            verification_uri: "https://microsoft.com/devicelogin".into(),
            user_code: "ABCD-1234".into(),
            message: "sign in".into(),
        }),
    );
    shot("sign-in", &s);
    app::update(
        &mut s,
        Msg::Worker(Event::SignInFailed {
            req,
            error: SignInError::Unavailable,
        }),
    );
    shot("sign-in failed", &s);
    out.join("\n")
}

#[test]
fn status_line_in_every_mode_vim_preset() {
    insta::assert_snapshot!(every_mode(&Keymap::default()));
}

#[test]
fn status_line_in_every_mode_arrows_preset() {
    let (keymap, _) = Keymap::from_config(Preset::Arrows, &[]).unwrap();
    let text = every_mode(&keymap);
    for letter in ["j/k", "g/G", " j ", " k "] {
        assert!(!text.contains(letter), "unbound {letter} shown:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn status_line_follows_rebound_and_unbound_keys() {
    let keymap = rebound(&[
        (KeyMode::Browse, "create", &["x"]),
        (KeyMode::Browse, "rename", &[]),
        (KeyMode::Browse, "quit", &["Ctrl-Q"]),
        (KeyMode::Detail, "back", &["Backspace"]),
        (KeyMode::Editor, "submit", &["Ctrl-S"]),
    ]);
    let state = loaded(&keymap);
    let list = bottom_line(&state);
    assert!(
        list.contains("x ask new") && list.contains("Ctrl-Q quit"),
        "{list}"
    );
    assert!(
        !list.contains("rename") && !list.contains("n ask new"),
        "{list}"
    );
    let mut s = loaded(&keymap);
    key(&mut s, KeyCode::Tab);
    assert!(
        bottom_line(&s).contains("Backspace list"),
        "{}",
        bottom_line(&s)
    );
    let mut s = loaded(&keymap);
    key(&mut s, KeyCode::Char('x'));
    assert!(
        bottom_line(&s).starts_with("Ctrl-S send"),
        "{}",
        bottom_line(&s)
    );
}

/// Find in the detail pane takes the editors' keys in force: a rebound submit keeps the find (and
/// the old key types itself), and the kept find's `n`/`N` are named, as rebound, first.
#[test]
fn find_in_the_detail_pane_follows_the_editor_keys_in_force() {
    let keymap = rebound(&[
        (KeyMode::Editor, "submit", &["Ctrl-S"]),
        (KeyMode::Detail, "find_next", &["F3"]),
    ]);
    let mut s = loaded(&keymap);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char('/'));
    for c in "Session".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    assert!(
        bottom_line(&s).starts_with("Ctrl-S keep"),
        "{}",
        bottom_line(&s)
    );
    key(&mut s, KeyCode::Enter);
    assert_eq!(
        s.reader().find.input.value(),
        "Session",
        "Enter is not submit here"
    );
    app::update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    let line = bottom_line(&s);
    assert!(
        line.contains("1 match: F3 next, N previous") && line.contains("F3/N match"),
        "{line}"
    );
    assert!(!s.reader().find.matches.is_empty());
}

/// The whole screen as text, drawn by `ui::draw`.
fn screen(state: &State) -> String {
    let (w, h) = state.viewport();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|frame| sctui::tui::ui::draw(state, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn status_text(state: &State) -> String {
    state
        .status()
        .as_ref()
        .map(|s| s.text.to_string())
        .unwrap_or_default()
}

/// Sentences that name a key (in the detail pane, the status line, popup footers) name the key
/// in force: rebound keys as rebound, unbound ones not at all; none says the default's text.
#[test]
fn messages_and_footers_name_the_keys_in_force() {
    let keymap = rebound(&[
        (KeyMode::Browse, "refresh", &["F6"]),
        (KeyMode::Browse, "ask", &["A"]),
        (KeyMode::Browse, "create", &["x"]),
        (KeyMode::Browse, "quit", &["Ctrl-Q"]),
        (KeyMode::Picker, "type_id", &["I"]),
        (KeyMode::Picker, "choose", &["Tab"]),
        (KeyMode::Editor, "cancel", &["Ctrl-X"]),
    ]);

    // the detail pane of a session without prompts
    let mut s = loaded(&keymap);
    let out = app::update(&mut s, Msg::Settled);
    let req = match out.commands.as_slice() {
        [Command::LoadConversation { req, .. }, ..] => *req,
        other => panic!("{other:?}"),
    };
    app::update(
        &mut s,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s0".into(),
            runs: Vec::new(),
        }),
    );
    let text = screen(&s);
    assert!(
        text.contains("No prompts yet: press A to ask Security Copilot"),
        "{text}"
    );

    // asking where nothing is selected
    let mut empty = State::new("default", "demo");
    empty.settings_mut_for_tests().keymap = keymap.clone();
    app::init(&mut empty);
    key(&mut empty, KeyCode::Char('A'));
    assert_eq!(
        status_text(&empty),
        "Select a session to ask in, or press x for a new one"
    );

    // the prompt box refuses an empty question, naming the editors' cancel key
    let mut s = loaded(&keymap);
    key(&mut s, KeyCode::Char('x'));
    key(&mut s, KeyCode::Enter);
    let text = screen(&s);
    assert!(
        text.contains("Type a question for Security Copilot first (Ctrl-X closes)"),
        "{text}"
    );

    // the workspace picker's footer and its typed-id field
    let mut s = loaded(&keymap);
    open_picker(&mut s);
    let text = screen(&s);
    assert!(
        text.contains("Tab switch · I type an id · Esc cancel"),
        "{text}"
    );
    key(&mut s, KeyCode::Char('i'));
    assert!(!screen(&s).contains("Workspace id:"), "i is not bound");
    key(&mut s, KeyCode::Char('I'));
    let text = screen(&s);
    assert!(text.contains("Workspace id:"), "{text}");
    assert!(text.contains("Enter switch · Ctrl-X cancel"), "{text}");
    assert!(
        bottom_line(&s).starts_with("Enter switch  Ctrl-X cancel"),
        "{}",
        bottom_line(&s)
    );
    // the editors' cancel goes back to the list
    app::update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)),
    );
    assert!(!screen(&s).contains("Workspace id:"));

    // sign-in cancelled: how to sign in and quit, with the keys in force
    let mut s = loaded(&keymap);
    s.set_signed_in_for_tests(false);
    app::update(&mut s, press(KeyCode::F(6)));
    app::update(&mut s, press(KeyCode::Esc));
    assert_eq!(
        status_text(&s),
        "Not signed in: press F6 to sign in, Ctrl-Q to quit"
    );
}

/// The status line keeps the way back, `?` and quit at every width, whatever else it has to
/// leave out: a spinner with what it waits for, a message, a long list of hints.
#[test]
fn the_way_back_help_and_quit_stay_at_every_width() {
    let keymap = Keymap::default();
    for width in [64u16, 80, 120] {
        let sized = |mut s: State| {
            app::update(&mut s, Msg::Resize(width, 20));
            s
        };
        let mut shots: Vec<(&str, State, &[&str])> = Vec::new();

        shots.push(("list", sized(loaded(&keymap)), &["? help", "q quit"]));

        let mut s = sized(loaded(&keymap));
        key(&mut s, KeyCode::Tab);
        shots.push(("detail", s, &["Esc list", "? help", "q quit"]));

        // the conversation on its way: the spinner says what it waits for
        let mut s = sized(loaded(&keymap));
        key(&mut s, KeyCode::Tab);
        app::update(&mut s, Msg::Settled);
        assert!(s.busy());
        shots.push(("detail, loading", s, &["Esc list", "? help", "q quit"]));

        let mut s = sized(loaded(&keymap));
        refresh_fails(&mut s);
        shots.push(("list + error", s, &["Esc dismiss", "? help", "q quit"]));

        let mut s = sized(loaded(&keymap));
        key(&mut s, KeyCode::Char('n'));
        shots.push(("prompt box", s, &["Esc close"]));

        let mut s = sized(loaded(&keymap));
        key(&mut s, KeyCode::Char('f'));
        shots.push(("search", s, &["Esc back"]));

        for (name, state, kept) in shots {
            let line = screen_bottom(&state);
            for hint in kept {
                assert!(
                    line.contains(hint),
                    "{name} at {width} columns keeps {hint:?}: {line:?}"
                );
            }
        }
    }
}
