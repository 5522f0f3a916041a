//! Prompts, evaluations, asking and following, against the built-in fake over real HTTP.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use sctui::tui::app::RequestId;
use sctui::tui::worker::{self, Command, Event};
use sctui_fake::{FakeGraph, FakeOptions, Seed};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::{self, FollowError, PollPlan};
use sctui_graph::models::{EvaluationResultType, EvaluationState};
use sctui_graph::{ClientOptions, GraphClient};

async fn fake(delay_ms: u64) -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed: Seed::Empty,
        evaluation_delay: Duration::from_millis(delay_ms),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

fn client_for(url: &str) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: url.to_string(),
            ..ClientOptions::default()
        },
        StaticToken::shared(sctui_fake::DEMO_TOKEN, "test"),
    )
    .expect("client")
}

fn fast_plan() -> PollPlan {
    PollPlan {
        first: Duration::from_millis(50),
        max: Duration::from_millis(100),
        deadline: Duration::from_secs(10),
    }
}

#[tokio::test]
async fn prompt_and_evaluation_routes_round_trip() {
    let fake = fake(200).await;
    let client = client_for(fake.base_url());
    let session = client.create_session("who am i").await.unwrap();
    let prompt = client.create_prompt(&session.id, "who am i").await.unwrap();
    assert_eq!(prompt.content.as_deref(), Some("who am i"));
    let prompts = client.list_prompts(&session.id).await.unwrap();
    assert_eq!(prompts, vec![prompt.clone()]);
    let started = client
        .create_evaluation(&session.id, &prompt.id)
        .await
        .unwrap();
    assert_eq!(started.state, EvaluationState::Created);
    assert!(
        started
            .completed_date_time
            .as_ref()
            .is_none_or(|t| t.is_unset())
    );
    let listed = client
        .list_evaluations(&session.id, &prompt.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, started.id);
    // the fake's clock moves past the evaluation's 200 ms instead of the test waiting for it
    fake.clock().advance(Duration::from_millis(300));
    let done = client
        .get_evaluation(&session.id, &prompt.id, &started.id)
        .await
        .unwrap();
    assert_eq!(done.state, EvaluationState::Completed);
    let result = done.result.unwrap();
    assert_eq!(result.result_type, EvaluationResultType::Success);
    assert!(
        result.content.unwrap().contains("Jordan"),
        "the who-am-i answer from assets/demo"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn ask_then_follow_to_an_answer_and_load_the_conversation() {
    let fake = fake(200).await;
    let client = client_for(fake.base_url());
    let asked = conversation::ask(&client, None, "who am i\nsecond line", |_| {})
        .await
        .unwrap();
    assert!(asked.created_session);
    assert_eq!(asked.session.display_name.as_deref(), Some("who am i"));
    let mut states = Vec::new();
    let done = conversation::follow(
        &client,
        &asked.session.id,
        &asked.prompt.id,
        &asked.evaluation.id,
        fast_plan(),
        |e| states.push(e.state.clone()),
    )
    .await
    .unwrap();
    assert!(conversation::succeeded(&done));
    assert_eq!(states.last(), Some(&EvaluationState::Completed));
    let turns = conversation::load_conversation(&client, &asked.session.id)
        .await
        .unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].evaluation.as_ref().unwrap().id, done.id);
    fake.shutdown().await;
}

#[tokio::test]
async fn failure_results_and_deadlines_are_reported() {
    let fake = fake(100).await;
    let client = client_for(fake.base_url());
    for (trigger, kind) in [
        ("[fail:error]", EvaluationResultType::Error),
        ("[fail:timedOut]", EvaluationResultType::TimedOut),
        (
            "[fail:capacityExceeded]",
            EvaluationResultType::CapacityExceeded,
        ),
    ] {
        let asked = conversation::ask(&client, None, &format!("{trigger} q"), |_| {})
            .await
            .unwrap();
        let done = conversation::follow(
            &client,
            &asked.session.id,
            &asked.prompt.id,
            &asked.evaluation.id,
            fast_plan(),
            |_| {},
        )
        .await
        .unwrap();
        assert!(!conversation::succeeded(&done));
        assert_eq!(done.result.unwrap().result_type, kind);
    }
    fake.store().set_evaluation_delay(Duration::from_secs(60));
    let asked = conversation::ask(&client, None, "slow", |_| {})
        .await
        .unwrap();
    let err = conversation::follow(
        &client,
        &asked.session.id,
        &asked.prompt.id,
        &asked.evaluation.id,
        PollPlan {
            deadline: Duration::from_millis(150),
            ..fast_plan()
        },
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, FollowError::Deadline(_)));
    assert!(err.to_string().contains("keeps running on the service"));
    fake.shutdown().await;
}

/// A request id for commands run outside the app.
const REQ: RequestId = RequestId { epoch: 0, seq: 7 };

#[tokio::test]
async fn the_worker_reports_created_asked_updates_and_end_in_order() {
    let fake = fake(150).await;
    let client = client_for(fake.base_url());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    worker::execute(
        &client,
        fast_plan(),
        Command::Ask {
            req: REQ,
            session: None,
            text: "phishing email triage".into(),
        },
        &tx,
    )
    .await;
    drop(tx);
    let mut kinds = Vec::new();
    while let Some(event) = rx.recv().await {
        kinds.push(match event {
            Event::Created { req: REQ, .. } => "created",
            Event::Asked { req: REQ, .. } => "asked",
            Event::EvaluationUpdated { req: REQ, .. } => "update",
            Event::FollowEnded {
                req: REQ,
                result: Ok(()),
                ..
            } => "ended",
            other => panic!("unexpected {other:?}"),
        });
    }
    assert_eq!(kinds.first(), Some(&"created"));
    assert_eq!(kinds.get(1), Some(&"asked"));
    assert_eq!(kinds.last(), Some(&"ended"));
    assert!(kinds.contains(&"update"));
    fake.shutdown().await;
}

/// The demo's phishing session, as Graph lists it.
async fn phishing_session(client: &GraphClient) -> sctui_graph::models::Session {
    let sessions = client.all_sessions(Default::default()).await.unwrap();
    sessions
        .into_iter()
        .find(|s| s.display_name.as_deref() == Some("Phishing triage: invoice lure to finance"))
        .expect("demo session")
}

/// Asks the worker to export `session` in `format` to `path`; the path it wrote.
async fn export(
    client: &GraphClient,
    session: &sctui_graph::models::Session,
    path: &std::path::Path,
    format: sctui::export::Format,
) -> std::path::PathBuf {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let command = Command::Export {
        req: REQ,
        session: session.clone(),
        path: path.to_path_buf(),
        format,
    };
    worker::execute(client, fast_plan(), command, &tx).await;
    match rx.recv().await {
        Some(Event::Exported { path, .. }) => path,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn export_writes_the_conversation_as_markdown() {
    let fake = FakeGraph::start(FakeOptions::demo()).await.unwrap();
    let client = client_for(fake.base_url());
    let phishing = &phishing_session(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.md");
    let written = export(&client, phishing, &path, sctui::export::Format::Markdown).await;
    assert_eq!(written, path);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# Phishing triage: invoice lure to finance\n"));
    assert!(text.contains("## Prompt 1"));
    assert!(text.contains("| Field | Value |"), "Markdown tables kept");
    fake.shutdown().await;
}

/// The TUI's export in the other formats it offers (`e`, then HTML or JSON): the page or Graph's
/// JSON, in a new file readable by the user only; a name taken is never overwritten.
#[tokio::test]
async fn export_writes_html_and_json_readable_by_the_user_only() {
    use sctui::export::Format;
    let fake = FakeGraph::start(FakeOptions::demo()).await.unwrap();
    let client = client_for(fake.base_url());
    let phishing = &phishing_session(&client).await;
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [(Format::Html, "out.html"), (Format::Json, "out.json")] {
        let path = dir.path().join(name);
        std::fs::write(&path, "taken").unwrap();
        let written = export(&client, phishing, &path, format).await;
        assert_ne!(written, path, "the taken name is kept");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "taken");
        let text = std::fs::read_to_string(&written).unwrap();
        match format {
            Format::Html => {
                assert!(text.starts_with("<!DOCTYPE html>"), "{}", &text[..80]);
                assert!(text.contains("Phishing triage: invoice lure to finance"));
            }
            _ => {
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(json["id"], phishing.id.as_str());
                assert!(json["prompts"].as_array().is_some_and(|p| !p.is_empty()));
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{written:?}");
        }
    }
    fake.shutdown().await;
}

/// The docs' list-evaluations example is a single object, not a collection: accept both.
#[tokio::test]
async fn list_evaluations_accepts_a_single_object_body() {
    let body = r##"{"@odata.context":"x","@odata.type":"#microsoft.graph.security.securityCopilot.evaluation",
        "id":"ev-1","state":"completed","executionCount":1,"isCancelled":false,
        "result":{"content":"hi","type":"success","previewState":"ga"}}"##;
    let app = Router::new().route(
        "/beta/security/securityCopilot/workspaces/default/sessions/s/prompts/p/evaluations",
        get(move || async move { ([("content-type", "application/json")], body) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = client_for(&format!("http://{addr}/beta"));
    let list = client.list_evaluations("s", "p").await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, "ev-1");
    assert_eq!(list[0].state, EvaluationState::Completed);
    server.abort();
}

/// Each lifecycle the fake plays (asked for by trigger words), stepped by its frozen clock: the
/// states the client sees in order, and where the client stops polling. created, pending,
/// running and deferred keep being polled (deferred rests there, so following it ends at the
/// deadline); completed (whatever the result type), cancelled and waitingForInput end it.
#[tokio::test]
async fn each_state_and_result_type_is_polled_until_it_rests() {
    use EvaluationResultType as R;
    use EvaluationState as S;
    let clock = sctui_fake::Clock::frozen("2026-01-31T12:00:00Z".parse().unwrap());
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Empty,
        evaluation_delay: Duration::from_secs(16),
        clock: clock.clone(),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let client = client_for(fake.base_url());
    let cases: &[(&str, &[S], Option<R>)] = &[
        (
            "",
            &[S::Created, S::Running, S::Completed],
            Some(R::Success),
        ),
        (
            "[state:pending]",
            &[S::Created, S::Pending, S::Running, S::Completed],
            Some(R::Success),
        ),
        ("[state:deferred]", &[S::Created, S::Deferred], None),
        (
            "[state:waitingForInput]",
            &[S::Created, S::Running, S::WaitingForInput],
            None,
        ),
        (
            "[state:cancelled]",
            &[S::Created, S::Running, S::Cancelled],
            None,
        ),
        (
            "[fail:error]",
            &[S::Created, S::Running, S::Completed],
            Some(R::Error),
        ),
        (
            "[fail:rejected]",
            &[S::Created, S::Running, S::Completed],
            Some(R::Rejected),
        ),
        (
            "[fail:timedOut]",
            &[S::Created, S::Running, S::Completed],
            Some(R::TimedOut),
        ),
        (
            "[fail:capacityExceeded]",
            &[S::Created, S::Running, S::Completed],
            Some(R::CapacityExceeded),
        ),
        (
            "[fail:needAdditionalClaims]",
            &[S::Created, S::Running, S::Completed],
            Some(R::NeedAdditionalClaims),
        ),
    ];
    for (trigger, expected, result) in cases {
        let asked = conversation::ask(&client, None, &format!("{trigger} where to"), |_| {})
            .await
            .unwrap();
        let mut seen = vec![asked.evaluation.state.clone()];
        let mut last = asked.evaluation.clone();
        // a poll a second for two minutes of the fake's time
        for _ in 0..120 {
            if conversation::is_settled(&last) {
                break;
            }
            clock.advance(Duration::from_secs(1));
            last = client
                .get_evaluation(&asked.session.id, &asked.prompt.id, &asked.evaluation.id)
                .await
                .unwrap();
            if seen.last() != Some(&last.state) {
                seen.push(last.state.clone());
            }
        }
        assert_eq!(&seen, expected, "{trigger:?}");
        let rests = *expected.last().unwrap() == S::Deferred;
        assert_eq!(conversation::is_settled(&last), !rests, "{trigger:?}");
        assert_eq!(
            last.result
                .as_ref()
                .map(|r| r.result_type.clone())
                .filter(|_| last.state == S::Completed),
            result.clone(),
            "{trigger:?}"
        );
        assert_eq!(
            last.is_cancelled,
            Some(last.state == S::Cancelled),
            "{trigger:?}"
        );
        if rests {
            // following a run that rests in deferred ends at the deadline, not before
            let err = conversation::follow(
                &client,
                &asked.session.id,
                &asked.prompt.id,
                &asked.evaluation.id,
                PollPlan {
                    first: Duration::from_millis(5),
                    max: Duration::from_millis(10),
                    deadline: Duration::from_millis(60),
                },
                |e| assert_eq!(e.state, S::Deferred),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, FollowError::Deadline(_)), "{err}");
        }
    }
    fake.shutdown().await;
}
