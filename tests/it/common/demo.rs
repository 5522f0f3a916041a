//! Every conversation of the `--demo` data, loaded from the built-in fake over loopback the way
//! the app loads them, and a state that shows one of them (built through the real `update`).
//! Shared by `tests/it/reader_screens.rs` and `benches/ui.rs`.

#![allow(dead_code)]

use sctui::tui::app::{self, Msg, State};
use sctui::tui::worker::{Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_fake::{DEMO_TOKEN, FakeGraph, FakeOptions};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::{PromptRuns, Turn, latest_turns, load_prompt_runs};
use sctui_graph::models::{GraphTime, Page, Session};
use sctui_graph::{ClientOptions, GraphClient, ListQuery};

/// One demo session with its conversation and its Markdown export.
pub struct DemoConversation {
    pub session: Session,
    /// Each question with its newest run (what the export and the reader's answers show).
    pub turns: Vec<Turn>,
    /// Each question with every run of it, newest first (what the app loads).
    pub runs: Vec<PromptRuns>,
    pub markdown: String,
}

/// Every demo session of every workspace, in list order, with its conversation.
pub fn conversations() -> Vec<DemoConversation> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let fake = FakeGraph::start(FakeOptions::demo()).await.expect("fake");
        let client = GraphClient::new(
            ClientOptions {
                graph_url: fake.base_url().to_string(),
                ..ClientOptions::default()
            },
            StaticToken::shared(DEMO_TOKEN, "test"),
        )
        .expect("client");
        let mut out = Vec::new();
        for workspace in client.list_workspaces().await.expect("workspaces") {
            let client = client.for_workspace(workspace.id.clone());
            for session in client
                .all_sessions(ListQuery::default())
                .await
                .expect("sessions")
            {
                let runs = load_prompt_runs(&client, &session.id)
                    .await
                    .expect("conversation");
                let turns = latest_turns(runs.clone());
                let markdown = sctui::export::conversation_markdown(&session, &turns);
                out.push(DemoConversation {
                    session,
                    turns,
                    runs,
                    markdown,
                });
            }
        }
        out
    })
}

/// The longest demo conversation (by the length of its export).
pub fn longest(all: Vec<DemoConversation>) -> DemoConversation {
    all.into_iter()
        .max_by_key(|c| c.markdown.len())
        .expect("demo conversations")
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A `width`×`height` app with `c` selected, its conversation loaded and the detail focused.
pub fn reading(c: &DemoConversation, width: u16, height: u16) -> State {
    reading_among(c, Vec::new(), width, height)
}

/// [`reading`] with `others` listed below `c` (they must be older, so `c` stays first and
/// selected).
pub fn reading_among(c: &DemoConversation, others: Vec<Session>, width: u16, height: u16) -> State {
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock("2026-02-01T12:00:00Z".parse().unwrap()),
    );
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(width, height));
    app::init(&mut state);
    // the demo's times follow the clock: fixed here so screens are the same on every run
    let mut session = c.session.clone();
    session.created_date_time = Some(GraphTime::new("2026-02-01T09:30:00.0000000Z"));
    session.last_modified_date_time = Some(GraphTime::new("2026-02-01T11:45:00.0000000Z"));
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                count: Some(1 + others.len() as u64),
                value: std::iter::once(session).chain(others).collect(),
                next_link: None,
            },
        }),
    );
    let out = app::update(&mut state, Msg::Settled);
    // the selected conversation first (its neighbours may be fetched ahead after it)
    let Some(Command::LoadConversation { req, .. }) = out.commands.first() else {
        panic!("{out:?}")
    };
    let req = *req;
    app::update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: c.session.id.clone(),
            runs: c.runs.clone(),
        }),
    );
    app::update(&mut state, key(KeyCode::Enter));
    state
}
