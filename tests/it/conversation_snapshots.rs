//! Snapshots of the conversation in the detail pane: an answer still running, a completed answer
//! with a Markdown table and code block, and a failed one. Drawn by the real `ui::draw` from a
//! state built through the real `app::update`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sctui::tui::app::{self, Msg, State};
use sctui::tui::worker::{Command, Event};
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
    let mut state = State::new("default", "demo");
    state.now = "2026-01-31T12:00:00Z".parse().unwrap();
    state.viewport = (110, 34);
    let _ = app::init(&mut state);
    let req = state.requests.page().expect("a page request");
    let session = Session {
        id: "5f0c1a2b-0000-4000-8000-000000000001".into(),
        display_name: Some("Risky sign-ins: lena.fischer".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00.0000000Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:59:00.0000000Z")),
    };
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
    app::update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: session.id,
            turns,
        }),
    );
    app::update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    state
}

fn draw(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(state.viewport.0, state.viewport.1)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
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
