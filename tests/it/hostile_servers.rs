//! The Graph client and the sign-in code against hostile stand-ins: a token endpoint
//! that redirects to a collecting sink, Graph answers that redirect elsewhere, page links that
//! loop, bodies without end, two cache users refreshing against a strictly rotating identity
//! provider, and ids that would change the URL's meaning. Everything stays on 127.0.0.1.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::json;

use sctui_fake::{FakeGraph, FakeOptions, Seed};
use sctui_graph::auth::authority::DEFAULT_CLIENT_ID;
use sctui_graph::auth::cache::TokenCache;
use sctui_graph::auth::cached::CachedTokenSource;
use sctui_graph::auth::device_code;
use sctui_graph::auth::refresh::RefreshTokenRenewer;
use sctui_graph::auth::{Authority, StaticToken, TokenSource, oauth};
use sctui_graph::{ClientOptions, GraphClient, GraphError, ListQuery};

/// Serves `router` on a free loopback port.
async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// A server that counts every request it receives, whatever it is.
async fn sink() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let addr = serve(Router::new().fallback(move || {
        h.fetch_add(1, Ordering::SeqCst);
        async { (StatusCode::OK, "{}") }
    }))
    .await;
    (addr, hits)
}

fn redirect(status: StatusCode, to: String) -> Response {
    (status, [(header::LOCATION, to)], "").into_response()
}

fn client(addr: SocketAddr, options: ClientOptions) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: format!("http://{addr}/beta"),
            ..options
        },
        StaticToken::shared("graph-token", "test"),
    )
    .unwrap()
}

// ---- 1. sign-in secrets never follow a redirect ----

#[tokio::test]
async fn a_redirecting_token_endpoint_gets_nothing_to_the_sink() {
    let (sink_addr, sink_hits) = sink().await;
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
        StatusCode::FOUND,
    ] {
        let to = format!("http://{sink_addr}/collect");
        let idp = serve(Router::new().fallback(move || {
            let to = to.clone();
            async move { redirect(status, to) }
        }))
        .await;
        let authority =
            Authority::new(&format!("http://{idp}"), "organizations", DEFAULT_CLIENT_ID).unwrap();
        let http = oauth::http_client().unwrap();
        let refresh = oauth::refresh(&http, &authority, &SecretString::from("RT-secret")).await;
        let error = refresh.expect_err("a redirect is an error").to_string();
        assert!(error.contains("redirect"), "{error}");
        assert!(
            error.contains(&format!("{sink_addr}/collect")),
            "names the Location: {error}"
        );
        assert!(!error.contains("RT-secret"));
        let started = device_code::start(&http, &authority).await;
        assert!(
            started.is_err(),
            "the device-code endpoint may not redirect either"
        );
        let secret = oauth::client_credentials(&http, &authority, &SecretString::from("CS")).await;
        assert!(secret.is_err());
    }
    assert_eq!(
        sink_hits.load(Ordering::SeqCst),
        0,
        "the sink received a request"
    );
}

#[tokio::test]
async fn sign_in_forms_go_only_to_https_or_loopback_on_every_request() {
    let http = oauth::http_client().unwrap();
    // TEST-NET-1: never answers. The refusal must come before any connection attempt.
    let url = url::Url::parse("http://192.0.2.2:9/organizations/oauth2/v2.0/token").unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", "RT")];
    let answer = tokio::time::timeout(Duration::from_secs(5), oauth::post_form(&http, url, &form))
        .await
        .expect("refused at once, without a connection attempt");
    let error = match answer {
        Err(Err(e)) => e.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert!(error.contains("https"), "{error}");
}

#[tokio::test]
async fn graph_redirects_to_another_origin_are_refused() {
    let (sink_addr, sink_hits) = sink().await;
    let to =
        format!("http://{sink_addr}/beta/security/securityCopilot/workspaces/default/sessions/s1");
    let graph = serve(Router::new().fallback(move || {
        let to = to.clone();
        async move { redirect(StatusCode::FOUND, to) }
    }))
    .await;
    let error = client(graph, ClientOptions::default())
        .get_session("s1")
        .await
        .expect_err("a redirect to another host is not Graph data");
    let text = error.to_string();
    assert!(text.contains("redirect"), "{text}");
    assert!(text.contains(&sink_addr.to_string()), "{text}");
    assert_eq!(sink_hits.load(Ordering::SeqCst), 0);
}

// ---- 3. nothing grows without bound ----

/// A Graph whose session pages link as `next` decides; counts requests.
async fn paging_graph(
    next: impl Fn(u32, SocketAddr) -> Option<String> + Send + Sync + 'static,
    ids: impl Fn(u32) -> Vec<String> + Send + Sync + 'static,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let addr_cell = Arc::new(std::sync::OnceLock::<SocketAddr>::new());
    let cell = addr_cell.clone();
    let next = Arc::new(next);
    let ids = Arc::new(ids);
    let addr = serve(Router::new().fallback(move |uri: Uri| {
        h.fetch_add(1, Ordering::SeqCst);
        let (next, ids, cell) = (next.clone(), ids.clone(), cell.clone());
        async move {
            let page: u32 = uri
                .query()
                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("$skiptoken=")))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let addr = *cell.get().unwrap();
            let value: Vec<_> = ids(page)
                .into_iter()
                .map(|id| json!({"id": id, "displayName": id}))
                .collect();
            let mut body = json!({ "value": value });
            if let Some(link) = next(page, addr) {
                body["@odata.nextLink"] = json!(link);
            }
            axum::Json(body)
        }
    }))
    .await;
    addr_cell.set(addr).unwrap();
    (addr, hits)
}

fn link(addr: SocketAddr, page: u32) -> String {
    format!(
        "http://{addr}/beta/security/securityCopilot/workspaces/default/sessions?$skiptoken={page}"
    )
}

#[tokio::test]
async fn a_next_link_pointing_at_itself_stops_paging_with_an_error() {
    let (addr, hits) = paging_graph(
        |page, addr| Some(link(addr, page.max(1))),
        |page| vec![format!("s{page}")],
    )
    .await;
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        client(addr, ClientOptions::default()).all_sessions(ListQuery::default()),
    )
    .await
    .expect("paging ends")
    .expect_err("a loop is an error");
    assert!(error.to_string().contains("nextLink"), "{error}");
    assert!(
        hits.load(Ordering::SeqCst) <= 3,
        "{} requests",
        hits.load(Ordering::SeqCst)
    );
}

#[tokio::test]
async fn a_longer_link_cycle_and_pages_without_new_ids_stop_too() {
    // 1 → 2 → 1 → …
    let (addr, hits) = paging_graph(
        |page, addr| Some(link(addr, if page == 1 { 2 } else { 1 })),
        |page| vec![format!("s{page}")],
    )
    .await;
    let error = client(addr, ClientOptions::default())
        .all_sessions(ListQuery::default())
        .await
        .expect_err("a cycle is an error");
    assert!(error.to_string().contains("nextLink"), "{error}");
    assert!(hits.load(Ordering::SeqCst) <= 4);
    // every link new, but the same sessions again and again
    let (addr, hits) = paging_graph(
        |page, addr| Some(link(addr, page + 1)),
        |_| vec!["same".to_string()],
    )
    .await;
    let error = client(addr, ClientOptions::default())
        .all_sessions(ListQuery::default())
        .await
        .expect_err("pages without new sessions are an error");
    assert!(error.to_string().contains("no new"), "{error}");
    assert!(hits.load(Ordering::SeqCst) <= 3);
}

#[tokio::test]
async fn a_next_link_to_the_page_just_read_is_an_error_for_the_tui_too() {
    let (addr, _) = paging_graph(|_, addr| Some(link(addr, 1)), |_| vec!["a".into()]).await;
    let c = client(addr, ClientOptions::default());
    let error = c
        .next_page::<serde_json::Value>(&link(addr, 1))
        .await
        .expect_err("the page links to itself");
    assert!(error.to_string().contains("nextLink"), "{error}");
}

/// A Graph whose every answer is a body that never ends (or a huge declared one).
async fn endless_graph(declared: bool) -> (SocketAddr, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let s = sent.clone();
    let addr = serve(Router::new().fallback(move || {
        let s = s.clone();
        async move {
            let chunk = bytes::Bytes::from(vec![b' '; 64 * 1024]);
            let head = futures::stream::once(async {
                Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"value\":[], \"pad\": \""))
            });
            let body = futures::StreamExt::chain(
                head,
                futures::stream::repeat_with(move || {
                    s.fetch_add(chunk.len(), Ordering::SeqCst);
                    Ok(chunk.clone())
                }),
            );
            let mut response = Response::new(Body::from_stream(body));
            if declared {
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, "1000000000".parse().unwrap());
            }
            response
        }
    }))
    .await;
    (addr, sent)
}

#[tokio::test]
async fn bodies_are_read_only_up_to_the_limit() {
    let (addr, sent) = endless_graph(false).await;
    let error = tokio::time::timeout(
        Duration::from_secs(30),
        client(
            addr,
            ClientOptions {
                max_body_bytes: 1024 * 1024,
                ..ClientOptions::default()
            },
        )
        .list_sessions(&ListQuery::default()),
    )
    .await
    .expect("an endless body ends the request")
    .expect_err("too large");
    let text = error.to_string();
    assert!(
        text.contains("larger than") && text.contains("1 MiB"),
        "{text}"
    );
    // read as a stream and dropped past the limit: the server got to send little more
    assert!(
        sent.load(Ordering::SeqCst) < 32 * 1024 * 1024,
        "{} bytes sent",
        sent.load(Ordering::SeqCst)
    );
    // the default limit holds too
    let error = tokio::time::timeout(
        Duration::from_secs(60),
        client(addr, ClientOptions::default()).list_sessions(&ListQuery::default()),
    )
    .await
    .expect("an endless body ends the request under the default limit");
    assert!(
        matches!(error, Err(GraphError::TooLarge { .. })),
        "{error:?}"
    );
    // a declared length over the limit is refused before the body is read
    let (addr, _) = endless_graph(true).await;
    let error = client(addr, ClientOptions::default())
        .list_sessions(&ListQuery::default())
        .await
        .expect_err("declared too large");
    assert!(matches!(error, GraphError::TooLarge { .. }), "{error:?}");
}

// ---- 4. two cache users refresh alternately against a strictly rotating identity provider ----

#[tokio::test]
async fn two_cache_users_refresh_alternately_without_breaking_each_other() {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Demo,
        token: Some("configured-token".into()),
        token_lifetime: Duration::from_secs(3600),
        ..FakeOptions::demo()
    })
    .await
    .unwrap();
    let authority = Authority::new(
        &format!("http://{}", fake.addr()),
        "organizations",
        DEFAULT_CLIENT_ID,
    )
    .unwrap();
    let http = oauth::http_client().unwrap();
    let prompt = device_code::start(&http, &authority).await.unwrap();
    let no_wait: device_code::Sleeper = Arc::new(|_| Box::pin(async {}));
    let set = device_code::poll(&http, &authority, &prompt, &no_wait)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = TokenCache::at(dir.path().join("auth").join("tokens.json"));
    cache.save(&authority, &set).unwrap();
    // Two independent users of the same file, as the TUI and a CLI command in another terminal.
    let user = || {
        let renewer = RefreshTokenRenewer::new(oauth::http_client().unwrap(), authority.clone())
            .with_cache(cache.clone());
        Arc::new(CachedTokenSource::new(
            Box::new(renewer),
            cache.load(&authority).unwrap(),
        ))
    };
    let (a, b) = (user(), user());
    for round in 0..3 {
        for (name, source) in [("first", &a), ("second", &b)] {
            let token = source.token(true).await;
            assert!(
                token.is_ok(),
                "round {round}, {name} user: {:?}",
                token.err()
            );
        }
        // and the file always holds a refresh token the service still accepts: a third user
        // starting from it can renew
        assert!(user().token(true).await.is_ok(), "round {round}");
    }
    fake.shutdown().await;
}

// ---- ids ----

#[tokio::test]
async fn path_like_and_control_ids_are_refused_before_any_request() {
    let (addr, hits) = sink().await;
    let c = client(addr, ClientOptions::default());
    for id in [
        "",
        ".",
        "..",
        "a/b",
        "a?b",
        "a#b",
        "a\nb",
        "a\u{1b}[2Jb",
        "a\u{9b}b",
    ] {
        let error = c.get_session(id).await.expect_err(id);
        assert!(
            matches!(error, GraphError::InvalidId { .. }),
            "{id:?}: {error:?}"
        );
        assert!(c.rename_session(id, "x").await.is_err());
        assert!(c.list_prompts(id).await.is_err());
        assert!(
            c.for_workspace(id).get_session("s").await.is_err(),
            "workspace {id:?}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[test]
fn ids_are_percent_encoded_as_path_segments() {
    let c = client("127.0.0.1:1".parse().unwrap(), ClientOptions::default());
    let url = c.session_url("a b%2Fc:d@e+f").unwrap();
    assert_eq!(
        url.as_str(),
        "http://127.0.0.1:1/beta/security/securityCopilot/workspaces/default/sessions/a%20b%252Fc%3Ad%40e%2Bf"
    );
    let url = c
        .for_workspace("w s")
        .session_url("8e95c36e-c9bd-4d2a")
        .unwrap();
    assert!(
        url.as_str()
            .ends_with("/workspaces/w%20s/sessions/8e95c36e-c9bd-4d2a"),
        "{url}"
    );
}
