//! Snapshots of the conversation in the detail pane: an answer still running, a completed answer
//! with a Markdown table and code block, and a failed one. Drawn by the real `ui::draw` from a
//! state built through the real `app::update`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui::tui::app::{self, Msg, State};
use sctui::tui::worker::{Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, GraphTime, Page, Prompt, Session};

const ANSWER: &str = "## Sign-ins\n\nTwo **risky** sign-ins for `lena.fischer`:\n\n\
| Time (UTC) | IP | Country |\n|---|---|---|\n| 09:12 | 203.0.113.7 | NL |\n| 09:40 | 198.51.100.23 | BR |\n\n\
```kql\nSigninLogs\n| where RiskLevelDuringSignIn == \"high\"\n```\n\n\
1. Revoke sessions\n2. Reset the password — see [guide](https://learn.example/reset)\n";

fn prompt(id: &str, content: &str, at: &str) -> Prompt {
    serde_json::from_value(serde_json::json!({
        "id": id, "type": "prompt", "content": content, "createdDateTime": at
    }))
    .unwrap()
}

fn evaluation(state: &str, kind: &str, content: Option<&str>) -> Evaluation {
    serde_json::from_value(serde_json::json!({
        "id": "e", "state": state,
        "result": {"type": kind, "content": content, "previewState": "ga"},
        "createdDateTime": "2026-01-31T11:59:10Z", "runStartDateTime": "2026-01-31T11:59:18Z",
        "completedDateTime": "0001-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn state_with(turns: Vec<Turn>) -> State {
    let session = Session {
        id: "5f0c1a2b-0000-4000-8000-000000000001".into(),
        display_name: Some("Risky sign-ins: lena.fischer".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00.0000000Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:59:00.0000000Z")),
    };
    opened(session, 34, turns).0
}

/// `session` listed alone, selected, its conversation loaded as `turns` and the detail pane
/// focused, at 110 × `rows`; with the prompts `update` asked the worker to follow on load.
fn opened(session: Session, rows: u16, turns: Vec<Turn>) -> (State, Vec<String>) {
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock("2026-01-31T12:00:00Z".parse().unwrap()),
    );
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(110, rows));
    let _ = app::init(&mut state);
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![session.clone()],
                next_link: None,
                count: Some(1),
            },
        }),
    );
    let out = app::update(&mut state, Msg::Settled);
    let [Command::LoadConversation { req, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    let out = app::update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: session.id,
            runs: turns.into_iter().map(Into::into).collect(),
        }),
    );
    let followed = out
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::Follow { prompt_id, .. } => Some(prompt_id.clone()),
            _ => None,
        })
        .collect();
    app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    (state, followed)
}

/// The detail pane as drawn, borders and titles included: these snapshots change only when the
/// conversation's drawing does.
fn draw(state: &State) -> String {
    let mut terminal =
        Terminal::new(TestBackend::new(state.viewport().0, state.viewport().1)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let detail = app::layout::screen_with(buffer.area, app::reader::detail_alone(state))
        .detail
        .expect("the detail pane is shown");
    let mut out = String::new();
    for y in detail.top()..detail.bottom() {
        let mut line = String::new();
        for x in detail.left()..detail.right() {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn conversation_running() {
    let state = state_with(vec![Turn {
        prompt: prompt(
            "p1",
            "Show risky sign-ins for lena.fischer today",
            "2026-01-31T11:59:00Z",
        ),
        evaluation: Some(evaluation("running", "unknown", None)),
    }]);
    let screen = draw(&state);
    assert!(screen.contains("running 42 s"), "{screen}");
    assert!(
        !screen.contains("not followed"),
        "a running answer is followed: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn conversation_completed_with_table_and_code() {
    let state = state_with(vec![Turn {
        prompt: prompt(
            "p1",
            "Show risky sign-ins for lena.fischer today",
            "2026-01-31T11:59:00Z",
        ),
        evaluation: Some(evaluation("completed", "success", Some(ANSWER))),
    }]);
    let screen = draw(&state);
    assert!(
        screen.contains("│ 09:12      │ 203.0.113.7   │ NL      │"),
        "{screen}"
    );
    assert!(screen.contains("┌ kql"), "{screen}");
    assert!(
        !screen.contains("**"),
        "Markdown markers are rendered, not shown: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn conversation_failed() {
    let state = state_with(vec![
        Turn {
            prompt: prompt(
                "p1",
                "Correlate 90 days of sign-ins",
                "2026-01-31T11:58:30Z",
            ),
            evaluation: Some(evaluation(
                "completed",
                "timedOut",
                Some("The request timed out before Security Copilot could finish."),
            )),
        },
        Turn {
            prompt: prompt("p2", "Tenant-wide anomaly analysis", "2026-01-31T11:59:00Z"),
            evaluation: Some(evaluation("completed", "capacityExceeded", None)),
        },
    ]);
    let screen = draw(&state);
    assert!(screen.contains("✗ completed: timedOut"), "{screen}");
    assert!(screen.contains("✗ completed: capacityExceeded"), "{screen}");
    insta::assert_snapshot!(screen);
}

fn turn(n: usize, question: &str, evaluation: Evaluation) -> Turn {
    Turn {
        prompt: prompt(&format!("p{n}"), question, "2026-01-31T11:59:00Z"),
        evaluation: Some(evaluation),
    }
}

/// A session of its own with `turns`, and the prompts `update` followed when it loaded.
fn followed_prompts(turns: Vec<Turn>) -> (State, Vec<String>) {
    let session = Session {
        id: "5f0c1a2b-0000-4000-8000-000000000002".into(),
        display_name: Some("Every state".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:58:00Z")),
    };
    opened(session, 40, turns)
}

/// Every evaluation state Graph names: the four that still move (created, pending, running,
/// deferred) are followed and shown with a spinner and their time; waitingForInput (Security
/// Copilot waits for a person) and cancelled are not followed, and say so.
#[test]
fn conversation_every_state() {
    let states = [
        "created",
        "pending",
        "running",
        "deferred",
        "waitingForInput",
        "cancelled",
        "completed",
    ];
    let turns = states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (kind, content) = match *s {
                "completed" => ("success", Some("All clear.")),
                _ => ("unknown", None),
            };
            turn(
                i + 1,
                &format!("A question left {s}"),
                evaluation(s, kind, content),
            )
        })
        .collect();
    let (state, followed) = followed_prompts(turns);
    assert_eq!(
        followed,
        ["p1", "p2", "p3", "p4"],
        "the moving states are followed"
    );
    let screen = draw(&state);
    for s in &states[..4] {
        assert!(
            screen.contains(&format!("⠋ {s} 42 s")),
            "{s} followed, with its time:\n{screen}"
        );
    }
    assert!(
        screen.contains("⏸ waitingForInput (not followed: R refreshes)"),
        "{screen}"
    );
    assert!(screen.contains("✗ cancelled"), "{screen}");
    assert!(screen.contains("✓ answered"), "{screen}");
    insta::assert_snapshot!(screen);
}

/// Every way a run can end without an answer: completed with result type error, rejected,
/// timedOut, capacityExceeded or needAdditionalClaims; none is followed, each is shown as a
/// failure with Graph's words and the service's message.
#[test]
fn conversation_every_failure() {
    let kinds = [
        "error",
        "rejected",
        "timedOut",
        "capacityExceeded",
        "needAdditionalClaims",
    ];
    let turns = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            turn(
                i + 1,
                &format!("A question that ended {k}"),
                evaluation("completed", k, Some(&format!("The service said: {k}."))),
            )
        })
        .collect();
    let (state, followed) = followed_prompts(turns);
    assert!(followed.is_empty(), "{followed:?}");
    let screen = draw(&state);
    for k in kinds {
        assert!(
            screen.contains(&format!("✗ completed: {k}")),
            "{k}:\n{screen}"
        );
    }
    insta::assert_snapshot!(screen);
}

/// A followed run moves through pending, deferred and running (still followed, the line says
/// where it is), then rests in waitingForInput or is cancelled: following ends, nothing is
/// awaited any more, and the line and the status say what happened and how to look again.
#[test]
fn a_followed_run_is_shown_at_each_step_until_it_rests() {
    for (rest, line, status) in [
        (
            "waitingForInput",
            "⏸ waitingForInput (not followed: R refreshes)",
            "Security Copilot waits for input sctui cannot give: answer it in Security Copilot (R refreshes)",
        ),
        (
            "cancelled",
            "✗ cancelled",
            "The run was cancelled: Security Copilot did not answer",
        ),
    ] {
        let (mut state, followed) = followed_prompts(vec![turn(
            1,
            "Where does it rest?",
            evaluation("pending", "unknown", None),
        )]);
        assert_eq!(followed, ["p1"]);
        let session_id = state.selected_entry().unwrap().session.id.clone();
        let req = state
            .requests()
            .iter()
            .find(|(_, p)| p.followed_session() == Some(session_id.as_str()))
            .map(|(id, _)| id)
            .expect("the follow is awaited");
        let step = |state: &mut State, s: &str| {
            app::update(
                state,
                Msg::Worker(Event::EvaluationUpdated {
                    req,
                    session_id: session_id.clone(),
                    prompt_id: "p1".into(),
                    evaluation: evaluation(s, "unknown", None),
                }),
            );
        };
        for moving in ["pending", "deferred", "running"] {
            step(&mut state, moving);
            let screen = draw(&state);
            assert!(screen.contains(&format!("⠋ {moving} 42 s")), "{screen}");
            assert!(state.busy(), "still followed in {moving}");
        }
        step(&mut state, rest);
        app::update(
            &mut state,
            Msg::Worker(Event::FollowEnded {
                req,
                session_id: session_id.clone(),
                result: Ok(()),
            }),
        );
        assert!(!state.busy(), "{rest}: nothing awaited");
        let screen = draw(&state);
        assert!(screen.contains(line), "{rest}:\n{screen}");
        assert_eq!(
            state.status().as_ref().map(|s| s.text.as_str()),
            Some(status)
        );
        // settled: a reload of the conversation does not follow it again
        let out = app::update(&mut state, Msg::Settled);
        assert!(
            !out.commands
                .iter()
                .any(|c| matches!(c, Command::Follow { .. })),
            "{out:?}"
        );
    }
}
