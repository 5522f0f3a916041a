//! Feeling at home in a terminal: NO_COLOR drawing, the profile in the header, the config file
//! named in help, completions and the man page, and switching workspaces against the fake.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sctui::tui::app::{self, Effect, Mode, Msg, Output, State};
use sctui::tui::worker::{self, Command, Event, ExportError};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_app::theme::Theme;
use sctui_fake::{FakeGraph, FakeOptions};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::PollPlan;
use sctui_graph::models::{GraphTime, Page, Session};
use sctui_graph::{ClientOptions, GraphClient};
use tokio::sync::mpsc;

const SECOND_WORKSPACE: &str = "5b0c9d2e-6f3a-4e1b-9c7d-2a8e4f6b1c3d";

fn session(id: &str, name: &str) -> Session {
    Session {
        id: id.into(),
        display_name: Some(name.into()),
        created_date_time: Some(GraphTime::new("2026-01-30T10:00:00Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T10:00:00Z")),
    }
}

fn press(state: &mut State, code: KeyCode) -> Output {
    app::update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// A loaded list with a pending rename and an error, so every marker is on screen.
fn busy_state(theme: Theme) -> State {
    let mut state = State::new("default", "demo");
    state.settings_mut_for_tests().theme = theme;
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock("2026-01-31T12:00:00Z".parse().unwrap()),
    );
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(100, 24));
    app::init(&mut state);
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![
                    session("s1", "Phishing triage"),
                    session("s2", "KQL hunt"),
                    session("s3", "Incident 4711"),
                ],
                next_link: None,
                count: Some(3),
            },
        }),
    );
    press(&mut state, KeyCode::Char('j'));
    state
}

fn draw(state: &State) -> Terminal<TestBackend> {
    let (w, h) = state.viewport();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    terminal
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_colourless(state: &State, what: &str) {
    let terminal = draw(state);
    let buffer = terminal.backend().buffer();
    for (i, cell) in buffer.content().iter().enumerate() {
        assert_eq!(
            (cell.fg, cell.bg),
            (Color::Reset, Color::Reset),
            "{what}: cell {i} ({:?}) has a colour",
            cell.symbol()
        );
    }
}

#[test]
fn no_color_draws_not_one_colour_on_any_screen() {
    let mut state = busy_state(Theme::no_color());
    assert_colourless(&state, "list");
    let text = screen(&draw(&state));
    assert!(text.contains('›'), "the selection has a marker:\n{text}");

    press(&mut state, KeyCode::Char('?'));
    assert_colourless(&state, "help");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('r'));
    assert_colourless(&state, "rename");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('n'));
    assert_colourless(&state, "create");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('/'));
    assert_colourless(&state, "filter");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('w'));
    assert_colourless(&state, "workspace picker");
    press(&mut state, KeyCode::Esc);

    press(&mut state, KeyCode::Char('e'));
    assert_colourless(&state, "export picker");
    let out = press(&mut state, KeyCode::Enter);
    let [Command::Export { req, ref path, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    app::update(
        &mut state,
        Msg::Worker(Event::ExportFailed {
            req,
            error: ExportError::Write {
                path: path.clone(),
                source: std::io::Error::other("disk full"),
            },
        }),
    );
    assert_colourless(&state, "error status");
    let text = screen(&draw(&state));
    assert!(
        text.contains('✗'),
        "errors are marked, not only red:\n{text}"
    );
}

#[test]
fn the_dark_and_light_themes_do_colour_the_screen() {
    for theme in [Theme::dark(), Theme::light()] {
        let state = busy_state(theme);
        let terminal = draw(&state);
        let coloured = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| c.bg != Color::Reset || c.fg != Color::Reset)
            .count();
        assert!(coloured > 0);
    }
}

#[test]
fn header_shows_the_profile_and_help_names_the_config_file() {
    let mut state = busy_state(Theme::dark());
    state.settings_mut_for_tests().profile = Some("contoso".into());
    state.settings_mut_for_tests().config_path = Some("/home/ana/.config/sctui/config.toml".into());
    let text = screen(&draw(&state));
    let header = text.lines().next().unwrap();
    assert!(header.contains("demo · profile contoso"), "{header}");
    press(&mut state, KeyCode::Char('?'));
    let text = screen(&draw(&state));
    assert!(
        text.contains("config /home/ana/.config/sctui/config.toml"),
        "{text}"
    );
}

#[test]
fn completions_for_every_shell_mention_the_subcommands() {
    use clap::ValueEnum;
    use clap_complete::Shell;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
        let mut out = Vec::new();
        sctui::cli::docs::completions(shell, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let name = shell.to_possible_value().unwrap().get_name().to_string();
        assert!(text.len() > 500, "{name}: {text}");
        assert!(text.contains("sessions"), "{name} lacks sessions");
        assert!(text.contains("profile"), "{name} lacks --profile");
    }
}

#[test]
fn man_page_is_roff_with_every_subcommand_and_the_exit_codes() {
    let mut out = Vec::new();
    sctui::cli::docs::man_page(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(".TH sctui 1"), "{text}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        "SCTUI SESSIONS LIST",
        "SCTUI ASK",
        "SCTUI COMPLETIONS",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        "NO_COLOR",
    ] {
        assert!(text.contains(section), "man page lacks {section}");
    }
    assert!(text.contains("4  not found"), "{text}");
}

fn fast_plan() -> PollPlan {
    PollPlan {
        first: Duration::from_millis(50),
        max: Duration::from_millis(100),
        deadline: Duration::from_secs(5),
    }
}

/// The app wired to the real worker loop through its channels (no terminal): what `update`
/// asks for is sent to the worker, and its events are applied until nothing is awaited.
struct App {
    state: State,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
}

impl App {
    fn start(client: GraphClient, state: State) -> Self {
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        tokio::spawn(worker::run(
            client,
            fast_plan(),
            commands_rx,
            events_tx,
            None,
        ));
        Self {
            state,
            commands,
            events,
        }
    }

    /// Sends what `update` asked of the worker (effects, such as remembering the workspace in the
    /// user's state dir, are the runtime's and not carried out here), then applies answers until
    /// the request ledger is empty.
    async fn run(&mut self, out: Output) {
        let mut pending = out.commands;
        loop {
            for command in pending.drain(..) {
                self.commands.send(command).expect("the worker runs");
            }
            if self.state.requests().is_empty() {
                return;
            }
            let event = tokio::time::timeout(Duration::from_secs(30), self.events.recv())
                .await
                .expect("the worker answers")
                .expect("the worker runs");
            pending = app::update(&mut self.state, Msg::Worker(event)).commands;
        }
    }

    fn press(&mut self, code: KeyCode) -> Output {
        press(&mut self.state, code)
    }
}

#[tokio::test]
async fn picking_the_second_workspace_loads_its_sessions() {
    let fake = FakeGraph::start(FakeOptions::demo()).await.unwrap();
    let client = GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            ..ClientOptions::default()
        },
        StaticToken::shared(sctui_fake::DEMO_TOKEN, "demo"),
    )
    .unwrap();
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(120, 36));
    let mut app = App::start(client, state);
    let out = app::init(&mut app.state);
    app.run(out).await;
    assert!(
        app.state
            .list()
            .entries()
            .iter()
            .all(|e| !e.current_name().starts_with("Fabrikam")),
        "the default workspace first"
    );
    let before = app.state.list().len();

    let out = app.press(KeyCode::Char('w'));
    assert!(matches!(out.commands[..], [Command::LoadWorkspaces { .. }]));
    app.run(out).await;
    let Mode::PickingWorkspace(picker) = &app.state.mode() else {
        panic!("the picker is open");
    };
    let listed: Vec<&str> = picker
        .workspaces
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(listed, ["default", SECOND_WORKSPACE]);

    app.press(KeyCode::Char('j'));
    let out = app.press(KeyCode::Enter);
    assert!(matches!(
        out.commands.first(),
        Some(Command::OpenWorkspace { workspace, .. }) if workspace == SECOND_WORKSPACE
    ));
    assert!(matches!(
        &out.effects[..],
        [Effect::RememberWorkspace { id, .. }] if id == SECOND_WORKSPACE
    ));
    app.run(out).await;
    let state = &app.state;
    assert!(matches!(state.mode(), Mode::Browsing));
    assert_eq!(state.workspace(), SECOND_WORKSPACE);
    assert_eq!(
        state.workspace_name().map(|name| name.as_str()),
        Some("Fabrikam MSSP")
    );
    assert!(!state.list().is_empty());
    assert_ne!(state.list().len(), before);
    assert!(
        state
            .list()
            .entries()
            .iter()
            .filter_map(|e| e.shown_name())
            .all(|n| n.starts_with("Fabrikam")),
        "{:?}",
        state
            .list()
            .entries()
            .iter()
            .map(|e| e.current_name())
            .collect::<Vec<_>>()
    );
    let header = screen(&draw(state));
    assert!(header.contains("Fabrikam MSSP"), "{header}");
    fake.shutdown().await;
}
