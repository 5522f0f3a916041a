//! The TUI's re-run and fork keys against the real fake, through `update` and the worker loop
//! as the runtime joins them (no terminal), counting the requests the fake served: a re-run
//! posts one evaluation and no prompt; a fork at question N posts N prompts, in order, in one
//! new session.

use std::time::Duration;

use sctui::tui::app::state::Mode;
use sctui::tui::app::{Pending, State};
use sctui_fake::{FakeGraph, FakeOptions};
use sctui_graph::conversation::PollPlan;

use crate::worker_loop::{App, Loop};

/// The demo session whose first question was answered twice, differently.
const TWICE: &str = "Phishing triage: invoice lure to finance";

/// Polls quickly: the fake answers in a fifth of a second.
fn quick() -> PollPlan {
    PollPlan {
        first: Duration::from_millis(20),
        max: Duration::from_millis(50),
        deadline: Duration::from_secs(60),
    }
}

/// The demo fake answering in a fifth of a second, and the app on it at 120×36 with the
/// session called `name` selected, its conversation loaded and the detail pane focused.
async fn reading(name: &str) -> (FakeGraph, App) {
    let fake = FakeGraph::start(FakeOptions {
        evaluation_delay: Duration::from_millis(200),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let mut state = State::new("default", "test");
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(120, 36));
    let init = sctui::tui::app::init(&mut state);
    let worker = Loop::start(&fake, quick());
    let mut app = App {
        state,
        worker,
        settle: true,
    };
    for command in init.commands {
        app.worker.send(command);
    }
    app.until(|s| s.paging().loaded_once).await;
    let named = |s: &State| {
        s.selected_entry()
            .is_some_and(|e| e.session.display_name.as_deref() == Some(name))
    };
    for _ in 0..app.state.list().entries().len() {
        if named(&app.state) {
            break;
        }
        app.key('j');
    }
    assert!(named(&app.state), "the demo has a session called {name:?}");
    app.until(|s| {
        s.selected_entry()
            .and_then(|e| s.conversations().get(&e.session.id))
            .is_some_and(|c| c.fetched_at.is_some() && !c.turns.is_empty())
            && !s.busy()
    })
    .await;
    app.send(sctui::tui::app::Msg::Key(sctui_app::input::KeyEvent::new(
        sctui_app::input::KeyCode::Enter,
        sctui_app::input::KeyModifiers::NONE,
    )));
    (fake, app)
}

/// The POSTs the fake served after the first `before` requests, as paths.
fn posts_since(fake: &FakeGraph, before: usize) -> Vec<String> {
    fake.faults()
        .seen()
        .into_iter()
        .skip(before)
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect()
}

#[tokio::test]
async fn the_rerun_key_posts_one_evaluation_and_no_prompt_and_shows_the_new_answer() {
    let (fake, mut app) = reading(TWICE).await;
    let session = app.selected();
    let q1 = app.state.conversations()[&session].turns[0].clone();
    let questions = app.state.conversations()[&session].turns.len();
    assert_eq!(q1.earlier.len(), 1, "the demo answered it twice");
    let before = fake.faults().seen().len();

    app.key('x');
    assert!(matches!(app.state.mode(), Mode::Confirming(_)));
    assert_eq!(
        posts_since(&fake, before),
        Vec::<String>::new(),
        "nothing before the yes"
    );
    app.key('y');
    let shown = q1.evaluation.as_ref().map(|e| e.id.clone());
    app.until(|s| {
        s.conversations()[&session].turns[0].following.is_none()
            && s.conversations()[&session].turns[0]
                .evaluation
                .as_ref()
                .is_some_and(|e| Some(&e.id) != shown.as_ref() && !e.state.is_in_progress())
    })
    .await;

    let prompt = &q1.prompt.id;
    assert_eq!(
        posts_since(&fake, before),
        [format!(
            "/beta/security/securityCopilot/workspaces/default/sessions/{session}/prompts/{prompt}/evaluations"
        )],
        "exactly one evaluation and no prompt"
    );
    let turns = &app.state.conversations()[&session].turns;
    assert_eq!(turns.len(), questions, "no new question");
    let q1 = &turns[0];
    let earlier: Vec<_> = q1.earlier.iter().map(|e| e.evaluation.id.clone()).collect();
    assert_eq!(
        earlier.len(),
        2,
        "the answer shown became the newest earlier run"
    );
    assert_eq!(Some(&earlier[0]), shown.as_ref());
    let on_server = fake.store().evaluations("default", &session, prompt);
    assert_eq!(on_server.len(), 3);
    fake.shutdown().await;
}

#[tokio::test]
async fn the_fork_key_asks_questions_one_to_n_in_order_in_one_new_session() {
    let (fake, mut app) = reading(TWICE).await;
    let original = app.selected();
    let questions: Vec<String> = app.state.conversations()[&original]
        .turns
        .iter()
        .filter_map(|t| t.prompt.content.clone())
        .collect();
    assert!(questions.len() >= 2, "{questions:?}");
    // on question 2: the fork asks questions 1 and 2
    app.key(']');
    app.key(']');
    let before = fake.faults().seen().len();
    app.key('F');
    let Mode::Confirming(confirm) = &app.state.mode() else {
        panic!("the confirm line: {:?}", app.state.mode());
    };
    assert!(
        confirm
            .question()
            .starts_with("Fork: ask 2 questions (Q1–Q2)"),
        "{}",
        confirm.question()
    );
    assert_eq!(
        posts_since(&fake, before),
        Vec::<String>::new(),
        "nothing before the yes"
    );
    app.key('y');
    app.until(|s| {
        !s.requests()
            .iter()
            .any(|(_, p)| matches!(p, Pending::Fork { .. }))
            && s.selected_entry().is_some_and(|e| e.session.id != original)
            && !s.busy()
    })
    .await;

    let fork = app.selected();
    let root = "/beta/security/securityCopilot/workspaces/default/sessions";
    let posts = posts_since(&fake, before);
    let prompts: Vec<&String> = posts.iter().filter(|p| p.ends_with("/prompts")).collect();
    assert_eq!(
        prompts,
        [
            &format!("{root}/{fork}/prompts"),
            &format!("{root}/{fork}/prompts")
        ],
        "two prompts, both in the new session: {posts:#?}"
    );
    assert_eq!(
        posts.iter().filter(|p| p.as_str() == root).count(),
        1,
        "one new session: {posts:#?}"
    );
    // in order, each after the answer to the one before
    let first_evaluation = posts.iter().position(|p| p.ends_with("/evaluations"));
    let second_prompt = posts.iter().rposition(|p| p.ends_with("/prompts"));
    assert!(first_evaluation < second_prompt, "{posts:#?}");
    let asked: Vec<String> = fake
        .store()
        .prompts("default", &fork)
        .into_iter()
        .filter_map(|p| p.content)
        .collect();
    assert_eq!(asked, questions[..2]);
    let name = app
        .state
        .selected_entry()
        .unwrap()
        .session
        .display_name
        .clone();
    assert_eq!(name.as_deref(), Some(format!("{TWICE} (fork)").as_str()));
    // the new session is open, its conversation read from Graph
    app.until(|s| {
        s.conversations()
            .get(&fork)
            .is_some_and(|c| c.fetched_at.is_some() && c.turns.len() == 2)
    })
    .await;
    fake.shutdown().await;
}
