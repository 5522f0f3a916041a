//! The typed Graph client against the built-in fake, over real HTTP on 127.0.0.1.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sctui_fake::{FakeGraph, FakeOptions, Seed, SessionOrder};
use sctui_graph::auth::StaticToken;
use sctui_graph::{ClientOptions, GraphClient, GraphError, ListQuery};

async fn fake(seed: Seed) -> FakeGraph {
    fake_in(seed, SessionOrder::default()).await
}

/// The fake listing sessions in `order` when the client asks for none.
async fn fake_in(seed: Seed, session_order: SessionOrder) -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed,
        token: Some("test-token".into()),
        session_order,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

fn client(fake: &FakeGraph, token: &str, page_size: u32) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            page_size,
            ..ClientOptions::default()
        },
        StaticToken::shared(token, "test"),
    )
    .expect("client builds")
}

crate::both_orders!(follows_three_pages_lazily);
async fn follows_three_pages_lazily(order: SessionOrder) {
    let fake = fake_in(Seed::Synthetic(250), order).await;
    let client = client(&fake, "test-token", 100);
    let mut pager = client.sessions_pager(ListQuery::default());
    let mut sizes = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut listed = Vec::new();
    while let Some(page) = pager.next().await.unwrap() {
        sizes.push(page.value.len());
        for s in page.value {
            assert!(ids.insert(s.id.clone()), "duplicate {}", s.id);
            listed.push(s.id);
        }
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(ids.len(), 250);
    // in the server's order, whichever it is: the client does not reorder pages
    let mut oldest_first: Vec<String> = fake
        .store()
        .sessions("default")
        .into_iter()
        .map(|s| s.id)
        .collect();
    if order == SessionOrder::NewestFirst {
        oldest_first.reverse();
    }
    assert_eq!(listed, oldest_first, "{order:?}");
    let all = client.all_sessions(ListQuery::default()).await.unwrap();
    assert_eq!(all.len(), 250);
    fake.shutdown().await;
}

#[tokio::test]
async fn count_and_select_come_back() {
    let fake = fake(Seed::Synthetic(30)).await;
    let client = client(&fake, "test-token", 10);
    let page = client
        .list_sessions(&ListQuery {
            count: true,
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.count, Some(30));
    assert_eq!(page.value.len(), 10);
    assert!(page.next_link.is_some());
    assert!(
        page.value
            .iter()
            .all(|s| s.last_modified_date_time.is_some())
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn create_get_and_rename_round_trip() {
    let fake = fake(Seed::Empty).await;
    let client = client(&fake, "test-token", 100);
    let created = client
        .create_session("Phishing triage: test")
        .await
        .unwrap();
    assert_eq!(
        created.display_name.as_deref(),
        Some("Phishing triage: test")
    );
    assert_eq!(created.id.len(), 36, "a GUID");
    let got = client.get_session(&created.id).await.unwrap();
    assert_eq!(got, created);
    // a later instant for the rename, from the fake's clock rather than by waiting
    fake.clock().advance(Duration::from_millis(5));
    let renamed = client.rename_session(&created.id, "Renamed").await.unwrap();
    assert_eq!(renamed.display_name.as_deref(), Some("Renamed"));
    let before = created.last_modified_date_time.unwrap().instant().unwrap();
    let after = renamed.last_modified_date_time.unwrap().instant().unwrap();
    assert!(after > before, "lastModifiedDateTime bumped");
    let stored = fake.store().sessions("default");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].display_name.as_deref(), Some("Renamed"));
    fake.shutdown().await;
}

#[tokio::test]
async fn unknown_session_is_a_typed_404_with_request_id() {
    let fake = fake(Seed::Empty).await;
    let client = client(&fake, "test-token", 100);
    let err = client
        .get_session("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::NOT_FOUND
    );
    let GraphError::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(api.request_id.is_some());
    assert!(!api.code.is_empty());
    let err = client
        .rename_session("00000000-0000-0000-0000-000000000000", "x")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    fake.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_a_400_and_a_wrong_token_a_401() {
    let fake = fake(Seed::Empty).await;
    let good = client(&fake, "test-token", 100);
    let err = good.create_session("   ").await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    let bad = client(&fake, "wrong-token", 100);
    let err = bad.list_sessions(&ListQuery::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    let text = sctui_app::advice::graph(&err).to_string();
    assert!(text.contains("sign in again"), "{text}");
    assert!(
        !text.contains("wrong-token"),
        "the token never shows: {text}"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn filter_is_sent_to_the_server() {
    let fake = fake(Seed::Empty).await;
    let client = client(&fake, "test-token", 100);
    for name in ["KQL hunt: a", "KQL hunt: b", "Phishing: c", "Other KQL"] {
        client.create_session(name).await.unwrap();
    }
    let found = client
        .all_sessions(ListQuery {
            filter: Some("startswith(displayName,'KQL hunt')".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    let mut names: Vec<_> = found.into_iter().filter_map(|s| s.display_name).collect();
    names.sort();
    assert_eq!(names, ["KQL hunt: a", "KQL hunt: b"]);
    let found = client
        .all_sessions(ListQuery {
            filter: Some("contains(displayName,'kql')".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 3);
    fake.shutdown().await;
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused() {
    let fake = fake(Seed::Empty).await;
    let client = client(&fake, "test-token", 100);
    let err = client
        .next_page::<sctui_graph::models::Session>("https://evil.example/beta/x")
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::InvalidUrl(_)), "{err:?}");
    fake.shutdown().await;
}

#[tokio::test]
async fn connection_refused_names_the_url_and_is_reported_without_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let notices = Arc::new(Mutex::new(Vec::new()));
    let seen = notices.clone();
    let mut options = ClientOptions {
        graph_url: format!("http://127.0.0.1:{port}/beta"),
        ..ClientOptions::default()
    };
    options.retry.base_delay = Duration::from_millis(5);
    let client = GraphClient::new(options, StaticToken::shared("t", "test"))
        .unwrap()
        .with_retry_observer(Arc::new(move |n| seen.lock().unwrap().push(n)));
    let err = client.get_session("abc").await.unwrap_err();
    assert_eq!(
        sctui::cli::exit::for_graph_error(&err),
        sctui::cli::exit::NETWORK
    );
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(
        matches!(
            err,
            GraphError::Network {
                kind: sctui_graph::NetworkKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        notices.lock().unwrap().len(),
        0,
        "a refused GET is not retried"
    );
    assert!(client.create_session("x").await.is_err());
    assert_eq!(notices.lock().unwrap().len(), 0, "nor a refused POST");
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let err = GraphClient::new(
        ClientOptions {
            graph_url: "http://graph.example.com/beta".into(),
            ..ClientOptions::default()
        },
        StaticToken::shared("t", "test"),
    )
    .err()
    .expect("refused");
    assert!(err.to_string().contains("loopback"));
}
