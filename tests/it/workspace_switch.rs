//! Work belongs to the workspace it was asked for in: a page of workspace A whose answer lands
//! after the switch to workspace B is written to A's local store and never to B's, at the
//! worker (its channels and two real store files) and through `update` joined to the worker.

use std::time::Duration;

use sctui::store::StoreTarget;
use sctui::tui::app::RequestId;
use sctui::tui::persist::Persist;
use sctui::tui::worker::{self, Command, Event};
use sctui_fake::{DEFAULT_WORKSPACE, FakeGraph, FakeOptions, SECOND_WORKSPACE, Seed};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::PollPlan;
use sctui_graph::{ClientOptions, GraphClient, ListQuery};
use tokio::sync::mpsc;

/// Only a guard against a hang: every wait below ends on an event, never on the clock.
const HANG: Duration = Duration::from_secs(60);

/// The fake with sessions in both workspaces; the first page of A (`default`) is held back.
async fn fake_with_a_held() -> (FakeGraph, sctui_fake::Held) {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(12),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let held = fake
        .faults()
        .hold(&format!("/workspaces/{DEFAULT_WORKSPACE}/sessions"));
    (fake, held)
}

fn client(fake: &FakeGraph) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            workspace: DEFAULT_WORKSPACE.to_string(),
            ..ClientOptions::default()
        },
        StaticToken::shared(sctui_fake::DEMO_TOKEN, "test"),
    )
    .expect("client")
}

/// The store target of workspace `workspace` on `fake`, with its files in `dir`.
fn target(fake: &FakeGraph, dir: &std::path::Path, workspace: &str) -> StoreTarget {
    StoreTarget::new(false, fake.base_url(), "test", workspace, true).in_dir(dir)
}

/// The ids stored for `workspace`, sorted.
fn stored_ids(fake: &FakeGraph, dir: &std::path::Path, workspace: &str) -> Vec<String> {
    let opened = target(fake, dir, workspace)
        .open()
        .expect("store opens")
        .expect("store on");
    let mut ids: Vec<String> = sctui::store::stored_sessions(&opened.store)
        .expect("stored sessions")
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort();
    ids
}

/// The ids the fake serves in `workspace`, sorted.
fn served_ids(fake: &FakeGraph, workspace: &str) -> Vec<String> {
    let mut ids: Vec<String> = fake
        .store()
        .sessions(workspace)
        .into_iter()
        .map(|s| s.id)
        .collect();
    ids.sort();
    ids
}

async fn next_matching(
    events: &mut mpsc::UnboundedReceiver<Event>,
    wanted: impl Fn(&Event) -> bool,
) -> Event {
    tokio::time::timeout(HANG, async {
        loop {
            let event = events.recv().await.expect("the worker runs");
            if wanted(&event) {
                return event;
            }
        }
    })
    .await
    .expect("the awaited event comes")
}

fn page_of(event: &Event, req: RequestId) -> bool {
    matches!(event, Event::PageLoaded { req: r, .. } if *r == req)
}

/// The worker loop with a store for each workspace in `dir` (workspace A's open first): its
/// command sender, its events, and the task to await once the sender is dropped.
fn start_worker(
    fake: &FakeGraph,
    dir: &std::path::Path,
) -> (
    mpsc::UnboundedSender<Command>,
    mpsc::UnboundedReceiver<Event>,
    tokio::task::JoinHandle<()>,
) {
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::unbounded_channel();
    let persist = Persist::new(target(fake, dir, DEFAULT_WORKSPACE), events_tx.clone());
    let worker = tokio::spawn(worker::run_with_store(
        client(fake),
        PollPlan::default(),
        commands_rx,
        events_tx,
        None,
        Some(persist),
    ));
    (commands, events, worker)
}

#[tokio::test]
async fn a_page_of_workspace_a_answered_after_the_switch_to_b_is_stored_in_a_only() {
    let (fake, held) = fake_with_a_held().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, mut events, worker) = start_worker(&fake, dir.path());
    let a_page = RequestId { epoch: 0, seq: 1 };
    let b_page = RequestId { epoch: 1, seq: 2 };
    let first_page = |req| Command::LoadFirstPage {
        req,
        query: ListQuery {
            count: true,
            ..ListQuery::default()
        },
    };
    let open = |req, workspace: &str| Command::OpenWorkspace {
        req,
        workspace: workspace.to_string(),
    };
    let (a_open, b_open) = (
        RequestId { epoch: 0, seq: 3 },
        RequestId { epoch: 1, seq: 4 },
    );
    commands
        .send(open(a_open, DEFAULT_WORKSPACE))
        .expect("worker runs");
    commands.send(first_page(a_page)).expect("worker runs");
    tokio::time::timeout(HANG, held.arrived())
        .await
        .expect("A's page reaches the fake");
    commands
        .send(open(b_open, SECOND_WORKSPACE))
        .expect("worker runs");
    commands.send(first_page(b_page)).expect("worker runs");
    next_matching(&mut events, |e| page_of(e, b_page)).await;
    // B's listing is complete and stored; now A's page lands
    held.release();
    next_matching(&mut events, |e| page_of(e, a_page)).await;
    drop(commands);
    tokio::time::timeout(HANG, worker)
        .await
        .expect("the worker ends")
        .expect("no panic");

    let b_served = served_ids(&fake, SECOND_WORKSPACE);
    let a_served = served_ids(&fake, DEFAULT_WORKSPACE);
    assert!(!b_served.is_empty() && !a_served.is_empty());
    assert_eq!(
        stored_ids(&fake, dir.path(), SECOND_WORKSPACE),
        b_served,
        "B's store holds B's sessions only"
    );
    assert_eq!(
        stored_ids(&fake, dir.path(), DEFAULT_WORKSPACE),
        a_served,
        "A's answer is written to A's store"
    );
    fake.shutdown().await;
}

/// The worker decides nothing about which sessions are gone: a listing that no longer holds a
/// session leaves it stored until the app's session catalogue says to forget it, and then
/// exactly what it names goes.
#[tokio::test]
async fn the_store_forgets_only_what_the_catalogue_names() {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(12),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (commands, mut events, worker) = start_worker(&fake, dir.path());
    let listing = |seq| Command::LoadFirstPage {
        req: RequestId { epoch: 0, seq },
        query: ListQuery {
            top: Some(100),
            ..ListQuery::default()
        },
    };
    commands
        .send(Command::OpenWorkspace {
            req: RequestId { epoch: 0, seq: 1 },
            workspace: DEFAULT_WORKSPACE.to_string(),
        })
        .expect("worker runs");
    commands.send(listing(2)).expect("worker runs");
    next_matching(&mut events, |e| page_of(e, RequestId { epoch: 0, seq: 2 })).await;
    let served = served_ids(&fake, DEFAULT_WORKSPACE);
    let (gone, kept) = (served[0].clone(), served[1].clone());
    assert!(fake.store().remove_session(DEFAULT_WORKSPACE, &gone));
    commands.send(listing(3)).expect("worker runs");
    next_matching(&mut events, |e| page_of(e, RequestId { epoch: 0, seq: 3 })).await;
    assert!(
        stored_ids(&fake, dir.path(), DEFAULT_WORKSPACE).contains(&gone),
        "a complete page alone forgets nothing"
    );
    commands
        .send(Command::Forget {
            ids: vec![gone.clone()],
            listing_complete: true,
        })
        .expect("worker runs");
    // a forget answers nothing: wait for the store to change (HANG guards a forget never run)
    tokio::time::timeout(HANG, async {
        while stored_ids(&fake, dir.path(), DEFAULT_WORKSPACE).contains(&gone) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the store forgets the session");
    drop(commands);
    tokio::time::timeout(HANG, worker)
        .await
        .expect("the worker ends")
        .expect("no panic");
    let stored = stored_ids(&fake, dir.path(), DEFAULT_WORKSPACE);
    assert!(!stored.contains(&gone), "forgotten");
    assert!(stored.contains(&kept));
    assert_eq!(stored, served_ids(&fake, DEFAULT_WORKSPACE));
    fake.shutdown().await;
}
