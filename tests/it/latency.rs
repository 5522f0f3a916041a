//! Round trips, the cost that matters against a far Graph: bulk reads ask for big pages
//! and follow a server that sends smaller ones; a conversation opens in two round trips with its
//! evaluations fetched side by side, at most a bounded number at once; background loads share a
//! small budget of requests in flight.
//!
//! No clocks: a stub Graph on 127.0.0.1 holds evaluation answers until the expected number of
//! requests is waiting at once, so a client that asked one by one would never be answered (the
//! outer timeout only turns that hang into a failure), and the most requests ever in flight is
//! counted exactly.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sctui_fake::{FakeGraph, FakeOptions, Seed, SessionOrder};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::{self, EVALUATION_CONCURRENCY};
use sctui_graph::{ClientOptions, GraphClient, ListQuery};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A safety net only: a client that serialises what should be parallel hangs on the stub.
const HANG: Duration = Duration::from_secs(60);

fn client(base: &str, page_size: u32) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: base.to_string(),
            page_size,
            ..ClientOptions::default()
        },
        StaticToken::shared("test-token", "test"),
    )
    .expect("client builds")
}

crate::both_orders!(bulk_reads_ask_for_big_pages_and_a_first_page_stays_small);
async fn bulk_reads_ask_for_big_pages_and_a_first_page_stays_small(session_order: SessionOrder) {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(2500),
        token: None,
        session_order,
        ..FakeOptions::demo()
    })
    .await
    .unwrap();
    let client = client(fake.base_url(), 100);
    assert_eq!(client.bulk_page_size(), 1000);
    assert!(
        !client.http_is_built(),
        "no CA store is loaded before the first request (the TUI draws first)"
    );

    let first = client.list_sessions(&ListQuery::default()).await.unwrap();
    assert_eq!(first.value.len(), 100);
    assert!(
        client.for_workspace("other").http_is_built(),
        "clones share it"
    );
    fake.faults().clear_seen();
    let all = client.all_sessions(ListQuery::default()).await.unwrap();
    assert_eq!(all.len(), 2500);
    let distinct: std::collections::HashSet<&str> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        distinct.len(),
        2500,
        "every session once ({session_order:?})"
    );
    let seen = fake.faults().seen();
    assert_eq!(seen.len(), 3, "2,500 sessions in pages of 1,000: {seen:?}");
    assert!(seen.iter().all(|r| r.path.contains("top=1000")), "{seen:?}");

    // an explicit $top still wins (`sessions list --all --top 500`)
    fake.faults().clear_seen();
    let all = client
        .all_sessions(ListQuery {
            top: Some(500),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 2500);
    assert_eq!(fake.faults().seen().len(), 5);
    fake.shutdown().await;
}

#[tokio::test]
async fn a_bulk_read_follows_a_server_that_sends_smaller_pages() {
    let stub = Stub::start(Behaviour::SessionsInPagesOf(7, 20)).await;
    let client = client(&stub.base, 100);
    let all = tokio::time::timeout(HANG, client.all_sessions(ListQuery::default()))
        .await
        .unwrap()
        .unwrap();
    let mut ids: Vec<String> = all.into_iter().map(|s| s.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let paths = stub.paths();
    assert_eq!(
        paths.len(),
        3,
        "20 sessions in the server's pages of 7: {paths:?}"
    );
    assert!(paths[0].contains("$top=1000"), "{paths:?}");
    assert!(paths[1].ends_with("$skiptoken=7") && paths[2].ends_with("$skiptoken=14"));
}

/// Opens session `s1` on the stub as the TUI and `prompts list` do.
async fn open_s1(stub: &Stub) -> Vec<conversation::Turn> {
    tokio::time::timeout(
        HANG,
        conversation::load_conversation(&client(&stub.base, 100), "s1"),
    )
    .await
    .expect("the evaluation requests are sent side by side")
    .unwrap()
}

#[tokio::test]
async fn opening_a_60_prompt_conversation_is_two_round_trips() {
    let stub = Stub::start(Behaviour::Conversation {
        prompts: 60,
        release_at: 60,
        sessions: 1,
    })
    .await;
    let turns = open_s1(&stub).await;
    assert_eq!(turns.len(), 60);
    assert_eq!(turns[0].prompt.id, "p00");
    assert_eq!(turns[59].evaluation.as_ref().unwrap().id, "e-p59");
    let paths = stub.paths();
    assert_eq!(paths.len(), 61, "the prompts, then one list per prompt");
    assert!(paths[0].ends_with("/prompts?$top=1000"), "{}", paths[0]);
    assert_eq!(stub.waves(), 1, "all evaluations in one round trip");
    assert_eq!(stub.max_in_flight(), 60);
}

#[tokio::test]
async fn a_longer_conversation_keeps_at_most_the_bound_in_flight() {
    let prompts = EVALUATION_CONCURRENCY + 6;
    let stub = Stub::start(Behaviour::Conversation {
        prompts,
        release_at: EVALUATION_CONCURRENCY,
        sessions: 1,
    })
    .await;
    assert_eq!(open_s1(&stub).await.len(), prompts);
    assert_eq!(stub.max_in_flight(), EVALUATION_CONCURRENCY);
}

#[tokio::test]
async fn background_loads_share_a_gate_of_few_requests() {
    let stub = Stub::start(Behaviour::Conversation {
        prompts: 12,
        release_at: 3,
        sessions: 2,
    })
    .await;
    let client = client(&stub.base, 100);
    let gate = tokio::sync::Semaphore::new(3);
    // two conversations at once, each allowed 64 evaluations, but only 3 requests in all
    let (a, b) = tokio::time::timeout(
        HANG,
        futures::future::join(
            conversation::load_conversation_gated(&client, "s1", 64, Some(&gate)),
            conversation::load_conversation_gated(&client, "s2", 64, Some(&gate)),
        ),
    )
    .await
    .unwrap();
    assert_eq!((a.unwrap().len(), b.unwrap().len()), (12, 12));
    assert_eq!(stub.max_in_flight(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_keeps_few_requests_in_flight_is_cancelled_and_never_delays_the_user() {
    use sctui::tui::prefetch::PREFETCH_IN_FLIGHT;
    use sctui::tui::worker::{self, Command, Event};
    use sctui_graph::conversation::PollPlan;

    let stub = Stub::start(Behaviour::HoldSlow { prompts: 10 }).await;
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let commands = worker::spawn(client(&stub.base, 100), PollPlan::default(), events_tx);
    // two neighbours with 10 prompts each, whose evaluations never come back
    commands
        .send(Command::Prefetch {
            session_ids: vec!["slow-next".into(), "slow-previous".into()],
        })
        .unwrap();
    stub.until(|s| s.held() == PREFETCH_IN_FLIGHT).await;
    // the user's own load goes straight through while every prefetch slot is taken
    commands
        .send(Command::LoadConversation {
            req: sctui::tui::app::RequestId { epoch: 0, seq: 1 },
            session_id: "fast".into(),
        })
        .unwrap();
    let loaded = tokio::time::timeout(HANG, async {
        loop {
            match events.recv().await {
                Some(Event::ConversationLoaded {
                    session_id, runs, ..
                }) => break (session_id, runs),
                Some(_) => continue,
                None => panic!("worker ended"),
            }
        }
    })
    .await
    .expect("a user request is not queued behind a prefetch");
    assert_eq!((loaded.0.as_str(), loaded.1.len()), ("fast", 10));
    let slow_requests = || {
        stub.paths()
            .iter()
            .filter(|p| p.contains("/sessions/slow"))
            .count()
    };
    assert_eq!(
        slow_requests(),
        1 + PREFETCH_IN_FLIGHT,
        "one neighbour at a time: slow-next's prompts, then its first evaluations"
    );
    assert_eq!(
        stub.max_held(),
        PREFETCH_IN_FLIGHT,
        "never more than {PREFETCH_IN_FLIGHT} prefetch requests at once"
    );
    // a new wish replaces the old one: its requests are dropped, the new one starts
    commands
        .send(Command::Prefetch {
            session_ids: vec!["slow-other".into()],
        })
        .unwrap();
    stub.until(|s| {
        s.paths()
            .iter()
            .any(|p| p.contains("/sessions/slow-other/prompts/"))
    })
    .await;
    stub.until(|s| {
        s.paths()
            .iter()
            .filter(|p| p.contains("/sessions/slow-other/prompts/"))
            .count()
            == PREFETCH_IN_FLIGHT
    })
    .await;
    // moving on cancels: nothing stays in flight
    commands
        .send(Command::Prefetch {
            session_ids: Vec::new(),
        })
        .unwrap();
    stub.until(|s| s.held() == 0).await;
    assert!(
        !stub.paths().iter().any(|p| p.contains("slow-previous")),
        "the second neighbour of a cancelled wish is never asked for"
    );
}

/// What the stub serves.
#[derive(Clone, Copy)]
enum Behaviour {
    /// `total` sessions in pages of `page` whatever `$top` says, with absolute next links.
    SessionsInPagesOf(usize, usize),
    /// A session with `prompts` prompts; evaluation answers are held until `release_at` of them
    /// (or all that are left) wait at once.
    Conversation {
        prompts: usize,
        release_at: usize,
        sessions: usize,
    },
    /// Sessions named `slow*` have `prompts` prompts whose evaluations are never answered (the
    /// request stays in flight until the client hangs up); every other session answers at once.
    HoldSlow { prompts: usize },
}

#[derive(Default)]
struct Counters {
    paths: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    served: AtomicUsize,
    waves: AtomicUsize,
    /// `HoldSlow`: requests held now, and the most ever held at once.
    held: AtomicUsize,
    max_held: AtomicUsize,
}

struct Stub {
    base: String,
    counters: Arc<Counters>,
}

impl Stub {
    async fn start(behaviour: Behaviour) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/beta", listener.local_addr().unwrap());
        let counters = Arc::new(Counters::default());
        let (release_tx, release_rx) = watch::channel(0usize);
        let release_tx = Arc::new(release_tx);
        let (c, b) = (counters.clone(), base.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (c, b, tx, rx) = (c.clone(), b.clone(), release_tx.clone(), release_rx.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, behaviour, &b, &c, &tx, rx).await;
                });
            }
        });
        Stub { base, counters }
    }

    fn paths(&self) -> Vec<String> {
        self.counters.paths.lock().unwrap().clone()
    }

    fn max_in_flight(&self) -> usize {
        self.counters.max_in_flight.load(Ordering::SeqCst)
    }

    fn held(&self) -> usize {
        self.counters.held.load(Ordering::SeqCst)
    }

    fn max_held(&self) -> usize {
        self.counters.max_held.load(Ordering::SeqCst)
    }

    /// Waits (yielding, no clock) until `what` holds.
    async fn until(&self, what: impl Fn(&Stub) -> bool) {
        tokio::time::timeout(HANG, async {
            while !what(self) {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the stub reaches the expected state");
    }

    fn waves(&self) -> usize {
        self.counters.waves.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    behaviour: Behaviour,
    base: &str,
    c: &Counters,
    release: &watch::Sender<usize>,
    mut released: watch::Receiver<usize>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    c.paths.lock().unwrap().push(target.clone());
    let path = target.split('?').next().unwrap_or("").to_string();
    // every request is counted in flight until its answer is about to be written
    let wave = *released.borrow();
    let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    c.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let body = match behaviour {
        Behaviour::SessionsInPagesOf(page, total) => {
            let start: usize = target
                .split("$skiptoken=")
                .nth(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let end = (start + page).min(total);
            let value: Vec<_> = (start..end)
                .map(|i| serde_json::json!({"id": format!("s{i:03}"), "displayName": format!("S{i}")}))
                .collect();
            let mut body = serde_json::json!({ "value": value });
            if end < total {
                body["@odata.nextLink"] = format!("{base}{path}?$skiptoken={end}").into();
            }
            body
        }
        Behaviour::HoldSlow { prompts } | Behaviour::Conversation { prompts, .. }
            if path.ends_with("/prompts") =>
        {
            let value: Vec<_> = (0..prompts)
                .rev()
                .map(|i| {
                    serde_json::json!({
                        "id": format!("p{i:02}"),
                        "content": format!("question {i}"),
                        "createdDateTime": format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60),
                    })
                })
                .collect();
            serde_json::json!({ "value": value })
        }
        Behaviour::Conversation {
            prompts,
            release_at,
            sessions,
        } => {
            // Held until enough evaluation requests wait together. Each one that arrived is
            // counted in flight or served (or both, briefly), so the last to arrive always
            // releases the rest.
            let left = (prompts * sessions).saturating_sub(c.served.load(Ordering::SeqCst));
            if now >= release_at.min(left).max(1) {
                c.waves.fetch_add(1, Ordering::SeqCst);
                release.send_modify(|w| *w += 1);
            } else {
                let _ = released.wait_for(|w| *w > wave).await;
            }
            c.served.fetch_add(1, Ordering::SeqCst);
            let prompt = path.rsplit('/').nth(1).unwrap_or("p");
            serde_json::json!({ "value": [{ "id": format!("e-{prompt}"), "state": "completed" }] })
        }
        Behaviour::HoldSlow { .. } => {
            if path.contains("/sessions/slow") {
                // held until the client drops the request (a cancelled prefetch)
                let held = c.held.fetch_add(1, Ordering::SeqCst) + 1;
                c.max_held.fetch_max(held, Ordering::SeqCst);
                let mut rest = [0u8; 64];
                while stream.read(&mut rest).await.unwrap_or(0) > 0 {}
                c.held.fetch_sub(1, Ordering::SeqCst);
                c.in_flight.fetch_sub(1, Ordering::SeqCst);
                return Ok(());
            }
            let prompt = path.rsplit('/').nth(1).unwrap_or("p");
            serde_json::json!({ "value": [{ "id": format!("e-{prompt}"), "state": "completed" }] })
        }
    };
    c.in_flight.fetch_sub(1, Ordering::SeqCst);
    let body = body.to_string();
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}

#[tokio::test]
async fn choosing_device_code_sign_in_builds_no_http_client_yet() {
    use sctui_graph::auth::cache::TokenCache;
    use sctui_graph::auth::{AuthConfig, setup};
    let dir = tempfile::tempdir().unwrap();
    let chosen = setup::choose(
        &AuthConfig::default(),
        None,
        &|_| None,
        Some(TokenCache::at(dir.path().join("tokens.json"))),
    )
    .unwrap();
    let http = chosen
        .http
        .as_ref()
        .expect("device-code keeps a client for sign-in");
    assert!(
        !http.is_built(),
        "the CA store is loaded by the first sign-in or refresh"
    );
    http.get().unwrap();
    assert!(chosen.http.as_ref().unwrap().is_built());
}
