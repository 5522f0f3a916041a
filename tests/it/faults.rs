//! The fault matrix: each failure Graph can throw at the client, injected by the fake's fault
//! layer, and what the client must make of it (retry or not, which error, what it says).
//! Connection refused is covered in `tests/it/client.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use sctui_fake::{FakeGraph, FakeOptions, Fault, FaultSpec, Seed};
use sctui_graph::auth::{AccessToken, AuthError, StaticToken, TokenSource};
use sctui_graph::retry::RetryPolicy;
use sctui_graph::{ClientOptions, GraphClient, GraphError, ListQuery, NetworkKind, RetryNotice};

const TOKEN: &str = "fault-test-token";

async fn fake(retry_after: Duration) -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(5),
        token: Some(TOKEN.into()),
        faults: Some(FaultSpec {
            retry_after,
            ..FaultSpec::none()
        }),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

type Notices = Arc<Mutex<Vec<RetryNotice>>>;

fn client_with(fake: &FakeGraph, tokens: Arc<dyn TokenSource>) -> (GraphClient, Notices) {
    let notices: Notices = Arc::default();
    let sink = notices.clone();
    let client = GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            retry: RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_millis(20),
                max_total_wait: Duration::from_secs(180),
            },
            ..ClientOptions::default()
        },
        tokens,
    )
    .expect("client builds")
    .with_retry_observer(Arc::new(move |n| sink.lock().unwrap().push(n)));
    (client, notices)
}

fn client(fake: &FakeGraph) -> (GraphClient, Notices) {
    client_with(fake, StaticToken::shared(TOKEN, "test"))
}

fn any_session(fake: &FakeGraph) -> String {
    fake.store().sessions("default")[0].id.clone()
}

fn attempts(fake: &FakeGraph) -> Vec<Option<String>> {
    fake.faults()
        .seen()
        .into_iter()
        .map(|s| s.retry_attempt)
        .collect()
}

#[tokio::test]
async fn throttled_then_success_honours_fractional_retry_after_and_sends_retry_attempt() {
    let fake = fake(Duration::from_millis(300)).await;
    let (client, notices) = client(&fake);
    fake.faults().script([Some(Fault::Status(429)), None]);
    let started = Instant::now();
    let page = client.list_sessions(&ListQuery::default()).await.unwrap();
    assert_eq!(page.value.len(), 5);
    assert!(started.elapsed() >= Duration::from_millis(300), "waited");
    let notices = notices.lock().unwrap().clone();
    assert_eq!(
        notices,
        vec![RetryNotice {
            attempt: 1,
            wait: Duration::from_millis(300),
            status: Some(429)
        }]
    );
    assert_eq!(attempts(&fake), vec![None, Some("1".into())]);
}

#[tokio::test]
async fn unavailable_and_gateway_timeout_are_retried_with_increasing_attempts() {
    let fake = fake(Duration::from_millis(50)).await;
    let (client, notices) = client(&fake);
    let id = any_session(&fake);
    fake.faults().script([
        Some(Fault::Status(503)),
        Some(Fault::Status(504)),
        Some(Fault::Status(429)),
        None,
    ]);
    let session = client.get_session(&id).await.unwrap();
    assert_eq!(session.id, id);
    assert_eq!(
        attempts(&fake),
        vec![None, Some("1".into()), Some("2".into()), Some("3".into())]
    );
    let statuses: Vec<_> = notices.lock().unwrap().iter().map(|n| n.status).collect();
    assert_eq!(statuses, [Some(503), Some(504), Some(429)]);
    // 503 carries Retry-After; 504 does not, so backoff (20 ms × 2, +≤25 %) applies
    let waits: Vec<_> = notices.lock().unwrap().iter().map(|n| n.wait).collect();
    assert_eq!(waits[0], Duration::from_millis(50));
    assert!(waits[1] >= Duration::from_millis(40) && waits[1] <= Duration::from_millis(50));
}

#[tokio::test]
async fn gives_up_after_max_retries_with_a_service_error() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    fake.faults().script([Some(Fault::Status(429)); 4]);
    let err = client.get_session(&any_session(&fake)).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::SERVICE
    );
    assert!(err.request_id().is_some());
    let text = sctui_app::advice::graph(&err).to_string();
    assert!(text.contains("throttled"), "{text}");
    assert!(text.contains("request-id"), "{text}");
    assert_eq!(fake.faults().seen().len(), 4, "first try + 3 retries");
}

#[tokio::test]
async fn total_wait_is_capped_even_when_retry_after_asks_for_more() {
    let fake = fake(Duration::from_secs(2)).await;
    let client = GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            retry: RetryPolicy {
                max_total_wait: Duration::from_secs(1),
                ..RetryPolicy::default()
            },
            ..ClientOptions::default()
        },
        StaticToken::shared(TOKEN, "test"),
    )
    .unwrap();
    fake.faults().script([Some(Fault::Status(503))]);
    let started = Instant::now();
    let err = client.get_session(&any_session(&fake)).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(started.elapsed() < Duration::from_secs(1), "did not wait");
    let text = sctui_app::advice::graph(&err).to_string();
    assert!(text.contains("service is failing"), "{text}");
}

#[tokio::test]
async fn post_is_not_retried_on_gateway_timeout_but_is_on_throttling() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    fake.faults().script([Some(Fault::Status(504))]);
    let err = client.create_session("after 504").await.unwrap_err();
    assert_eq!(err.status(), Some(504));
    assert_eq!(
        fake.faults().seen().len(),
        1,
        "a POST that met 504 is not repeated"
    );
    // the fake's 504 strikes after the route ran, as a gateway would: the session exists once
    let named = |n: &str| {
        fake.store()
            .sessions("default")
            .iter()
            .filter(|s| s.display_name.as_deref() == Some(n))
            .count()
    };
    assert_eq!(named("after 504"), 1);

    fake.faults().clear_seen();
    fake.faults()
        .script([Some(Fault::Status(429)), Some(Fault::Status(503))]);
    let created = client.create_session("after 429").await.unwrap();
    assert_eq!(created.display_name.as_deref(), Some("after 429"));
    assert_eq!(fake.faults().seen().len(), 3);
    assert_eq!(
        named("after 429"),
        1,
        "throttled POSTs never ran: one session"
    );
}

#[tokio::test]
async fn post_is_not_retried_after_a_reset_but_get_and_patch_are() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, notices) = client(&fake);
    fake.faults().script([Some(Fault::Reset)]);
    let err = client.create_session("reset").await.unwrap_err();
    match &err {
        GraphError::Network { kind, url, .. } => {
            assert_ne!(*kind, NetworkKind::Connect, "the request was sent");
            assert!(url.ends_with("/workspaces/default/sessions"), "{url}");
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::NETWORK
    );
    assert_eq!(fake.faults().seen().len(), 1);
    assert!(notices.lock().unwrap().is_empty());

    let id = any_session(&fake);
    fake.faults().clear_seen();
    fake.faults().script([Some(Fault::Reset), None]);
    assert_eq!(client.get_session(&id).await.unwrap().id, id);
    assert_eq!(attempts(&fake), vec![None, Some("1".into())]);

    fake.faults().clear_seen();
    fake.faults().script([Some(Fault::Reset), None]);
    let renamed = client.rename_session(&id, "renamed through a reset").await;
    assert_eq!(
        renamed.unwrap().display_name.as_deref(),
        Some("renamed through a reset")
    );
    assert_eq!(fake.faults().seen().len(), 2);
    assert_eq!(notices.lock().unwrap().last().map(|n| n.status), Some(None));
}

fn expect_decode(err: GraphError, method: &str, path_end: &str, what: &str) {
    let text = err.to_string();
    match err {
        GraphError::Decode {
            method: m,
            url,
            detail,
        } => {
            assert_eq!(m, method);
            assert!(url.ends_with(path_end), "{url}");
            assert!(detail.contains(what), "{detail}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(text.starts_with("unreadable answer from Graph: "), "{text}");
    assert!(text.contains(&format!("(to {method} ")), "{text}");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_request() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    let id = any_session(&fake);
    fake.faults().script([Some(Fault::Malformed)]);
    let err = client.get_session(&id).await.unwrap_err();
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::SERVICE
    );
    expect_decode(err, "GET", &id, "not valid JSON");
    fake.faults().script([Some(Fault::Malformed)]);
    let err = client
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    expect_decode(err, "GET", "/sessions", "not valid JSON");
    fake.faults().script([Some(Fault::Malformed)]);
    let err = client.create_session("garbled").await.unwrap_err();
    expect_decode(err, "POST", "/sessions", "not valid JSON");
    assert_eq!(
        fake.faults().seen().len(),
        3,
        "decode errors are not retried"
    );
}

#[tokio::test]
async fn truncated_bodies_are_decode_errors_saying_cut_short() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    let id = any_session(&fake);
    fake.faults().script([Some(Fault::Truncate)]);
    let err = client.get_session(&id).await.unwrap_err();
    expect_decode(err, "GET", &id, "cut short");
    fake.faults().script([Some(Fault::Truncate)]);
    let err = client.create_session("cut").await.unwrap_err();
    expect_decode(err, "POST", "/sessions", "cut short");
}

#[tokio::test]
async fn a_rename_whose_answer_is_unreadable_is_read_back_not_reported_failed() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    let id = any_session(&fake);
    fake.faults().script([Some(Fault::Truncate), None]);
    let session = client.rename_session(&id, "landed anyway").await.unwrap();
    assert_eq!(session.display_name.as_deref(), Some("landed anyway"));
    let seen = fake.faults().seen();
    assert_eq!(
        seen.iter().map(|s| s.method.as_str()).collect::<Vec<_>>(),
        ["PATCH", "GET"]
    );
    // when the read-back fails too, the original decode error is what the user sees
    fake.faults()
        .script([Some(Fault::Malformed), Some(Fault::Status(500))]);
    let err = client.rename_session(&id, "again").await.unwrap_err();
    expect_decode(err, "PATCH", &id, "not valid JSON");
}

#[tokio::test]
async fn unauthorized_with_a_static_token_says_to_replace_it() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, notices) = client_with(&fake, StaticToken::shared("wrong", "SCTUI_ACCESS_TOKEN"));
    let err = client
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::AUTH
    );
    let text = sctui_app::advice::graph(&err).to_string();
    // signing in again would not change the token the variable holds
    assert!(
        text.contains("replace SCTUI_ACCESS_TOKEN with a new token") && !text.contains("sign in"),
        "{text}"
    );
    assert!(!text.contains("wrong"), "never the token: {text}");
    assert_eq!(fake.faults().seen().len(), 1, "no refresh, no retry");
    assert!(notices.lock().unwrap().is_empty());
}

/// Hands out `stale` until asked to refresh, then `fresh`; counts refreshes.
struct Rotating {
    refreshed: AtomicUsize,
    fresh: &'static str,
}

impl TokenSource for Rotating {
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            if force_refresh {
                self.refreshed.fetch_add(1, Ordering::SeqCst);
            }
            Ok(AccessToken::new(
                if self.refreshed.load(Ordering::SeqCst) > 0 {
                    self.fresh
                } else {
                    "stale"
                },
            ))
        })
    }
    fn can_refresh(&self) -> bool {
        true
    }
    fn name(&self) -> &'static str {
        "rotating"
    }
}

#[tokio::test]
async fn unauthorized_with_a_refreshing_source_refreshes_once_silently() {
    let fake = fake(Duration::from_millis(10)).await;
    let tokens = Arc::new(Rotating {
        refreshed: AtomicUsize::new(0),
        fresh: TOKEN,
    });
    let (client, _) = client_with(&fake, tokens.clone());
    assert_eq!(
        client
            .list_sessions(&ListQuery::default())
            .await
            .unwrap()
            .value
            .len(),
        5
    );
    assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
    assert_eq!(fake.faults().seen().len(), 2);

    // a refreshed token that is rejected too: one refresh only, then "sign in again"
    let tokens = Arc::new(Rotating {
        refreshed: AtomicUsize::new(0),
        fresh: "also-rejected",
    });
    let (client, _) = client_with(&fake, tokens.clone());
    let err = client
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(
        sctui_app::advice::graph(&err)
            .to_string()
            .contains("sign in again")
    );
    assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn forbidden_names_the_missing_permission_and_role() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    let id = any_session(&fake);
    fake.faults().script([Some(Fault::Status(403))]);
    let err = client.get_session(&id).await.unwrap_err();
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::AUTH
    );
    let text = sctui_app::advice::graph(&err).to_string();
    assert!(
        text.contains("SecurityCopilotWorkspaces.Read.All"),
        "{text}"
    );
    assert!(text.contains("Security Copilot role"), "{text}");
    assert!(text.contains("request-id"), "{text}");
    fake.faults().script([Some(Fault::Status(403))]);
    let text =
        sctui_app::advice::graph(&client.rename_session(&id, "x").await.unwrap_err()).to_string();
    assert!(
        text.contains("SecurityCopilotWorkspaces.ReadWrite.All"),
        "{text}"
    );
    assert!(text.contains("Contributor or Owner"), "{text}");
}

#[tokio::test]
async fn internal_server_error_is_not_retried_and_carries_request_id_and_date() {
    let fake = fake(Duration::from_millis(10)).await;
    let (client, _) = client(&fake);
    fake.faults().script([Some(Fault::Status(500))]);
    let err = client.get_session(&any_session(&fake)).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::SERVICE
    );
    match &err {
        GraphError::Api(api) => {
            assert!(api.request_id.is_some());
            assert!(api.date.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        sctui_app::advice::graph(&err)
            .to_string()
            .contains("service is failing")
    );
    assert_eq!(fake.faults().seen().len(), 1);
}

#[tokio::test]
async fn latency_delays_every_graph_request() {
    let fake = fake(Duration::from_millis(10)).await;
    fake.faults().set_spec("latency=150ms".parse().unwrap());
    let (client, _) = client(&fake);
    let started = Instant::now();
    client.list_sessions(&ListQuery::default()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_seeded_random_mix_never_panics_and_only_gives_typed_errors() {
    let fake = fake(Duration::from_millis(1)).await;
    fake.faults().set_spec(
        "429=0.15,503=0.05,504=0.05,500=0.03,reset=0.05,malformed=0.03,truncate=0.03,retry-after=0.001,seed=11"
            .parse()
            .unwrap(),
    );
    let (client, _) = client(&fake);
    let id = any_session(&fake);
    let (mut ok, mut failed) = (0, 0);
    for i in 0..150 {
        let result = match i % 3 {
            0 => client
                .list_sessions(&ListQuery::default())
                .await
                .map(|_| ()),
            1 => client.get_session(&id).await.map(|_| ()),
            _ => client
                .rename_session(&id, &format!("n{i}"))
                .await
                .map(|_| ()),
        };
        match result {
            Ok(()) => ok += 1,
            Err(e) => {
                failed += 1;
                assert!(!e.to_string().is_empty());
                assert!(matches!(
                    e,
                    GraphError::Api(_) | GraphError::Decode { .. } | GraphError::Network { .. }
                ));
            }
        }
    }
    assert!(
        ok > 100,
        "retries absorb most faults: {ok} ok, {failed} failed"
    );
}

#[test]
fn the_faults_flag_parses_for_demo_and_fake_graph_and_explains_bad_specs() {
    use clap::Parser;
    use sctui::cli::args::{Cli, Command};
    let cli = Cli::try_parse_from([
        "sctui",
        "--demo",
        "--faults",
        "429=0.3,503=0.1,latency=300ms",
    ])
    .unwrap();
    let spec = cli.global.faults.expect("faults parsed");
    assert_eq!(spec.latency, Duration::from_millis(300));
    assert!((spec.total_rate() - 0.4).abs() < 1e-9);
    assert!(
        Cli::try_parse_from(["sctui", "--faults", "429=0.3"]).is_err(),
        "--faults needs --demo"
    );
    let err = Cli::try_parse_from(["sctui", "--demo", "--faults", "429=lots"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("`429=lots`: not a probability"), "{err}");
    let cli = Cli::try_parse_from(["sctui", "fake-graph", "--faults", "reset=0.5,seed=3"]).unwrap();
    match cli.command {
        Some(Command::FakeGraph(args)) => assert_eq!(args.faults.unwrap().seed, Some(3)),
        other => panic!("{other:?}"),
    }
}
