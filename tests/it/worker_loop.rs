//! The worker loop itself (`worker::run`), driven through its channels with no terminal: closing
//! the command channel aborts everything still running, `StopFollow` aborts one follow and leaves
//! the others, and a sign-in without an interactive token source fails with a typed error. Joined
//! to `app::update` as the runtime joins them, it pages, merges and prefetches the fake's list in
//! both orders the fake can serve it.

use std::time::Duration;

use sctui::tui::app::RequestId;
use sctui::tui::worker::{self, Command, Event, SignInError};
use sctui_fake::{FakeGraph, FakeOptions, Seed, SessionOrder};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::{FollowError, PollPlan};
use sctui_graph::{ClientOptions, GraphClient};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Only a guard against a hang: every wait below ends on an event, never on the clock.
const HANG: Duration = Duration::from_secs(60);

fn req(seq: u64) -> RequestId {
    RequestId { epoch: 0, seq }
}

/// A fake whose evaluations never finish within a test.
async fn slow_fake() -> FakeGraph {
    FakeGraph::start(FakeOptions {
        evaluation_delay: Duration::from_secs(3600),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

/// The worker loop on its own task, with its two channels.
pub(crate) struct Loop {
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    pub(crate) events: mpsc::UnboundedReceiver<Event>,
    handle: JoinHandle<()>,
}

impl Loop {
    pub(crate) fn start(fake: &FakeGraph, plan: PollPlan) -> Self {
        Self::start_paged(fake, plan, ClientOptions::default().page_size)
    }

    /// Like [`Loop::start`], listing sessions `page_size` at a time.
    fn start_paged(fake: &FakeGraph, plan: PollPlan, page_size: u32) -> Self {
        let client = GraphClient::new(
            ClientOptions {
                graph_url: fake.base_url().to_string(),
                page_size,
                ..ClientOptions::default()
            },
            StaticToken::shared(sctui_fake::DEMO_TOKEN, "test"),
        )
        .expect("client");
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let handle = tokio::spawn(worker::run(client, plan, commands_rx, events_tx, None));
        Self {
            commands,
            events,
            handle,
        }
    }

    pub(crate) fn send(&self, command: Command) {
        self.commands.send(command).expect("the loop runs");
    }

    fn ask(&self, seq: u64) {
        self.send(Command::Ask {
            req: req(seq),
            session: None,
            text: format!("question {seq}"),
        });
    }

    /// Events until one matches `until`, which is returned with everything seen before it.
    async fn until(&mut self, until: impl Fn(&Event) -> bool) -> (Event, Vec<Event>) {
        let mut seen = Vec::new();
        tokio::time::timeout(HANG, async {
            loop {
                let event = self.events.recv().await.expect("the loop runs");
                if until(&event) {
                    return (event, seen);
                }
                seen.push(event);
            }
        })
        .await
        .expect("the awaited event comes")
    }
}

fn ended(event: &Event, seq: u64) -> bool {
    matches!(event, Event::FollowEnded { req: r, .. } if *r == req(seq))
}

fn asked(event: &Event, seq: u64) -> bool {
    matches!(event, Event::Asked { req: r, .. } if *r == req(seq))
}

#[tokio::test]
async fn closing_the_command_channel_aborts_what_still_runs() {
    let fake = slow_fake().await;
    let mut worker = Loop::start(
        &fake,
        PollPlan {
            first: Duration::from_millis(20),
            max: Duration::from_millis(50),
            deadline: Duration::from_secs(3600),
        },
    );
    worker.ask(1);
    worker.until(|e| asked(e, 1)).await;
    // the follow would poll for an hour; quitting must not wait for it
    drop(worker.commands);
    tokio::time::timeout(HANG, worker.handle)
        .await
        .expect("the loop returns")
        .expect("no panic");
    // every sender is gone once the follow task is aborted: the channel closes
    let rest = tokio::time::timeout(HANG, async {
        let mut rest = Vec::new();
        while let Some(event) = worker.events.recv().await {
            rest.push(event);
        }
        rest
    })
    .await
    .expect("the event channel closes");
    assert!(
        !rest.iter().any(|e| ended(e, 1)),
        "an aborted follow does not end on its own: {rest:?}"
    );
    fake.shutdown().await;
}

#[tokio::test]
async fn stop_follow_aborts_that_follow_and_leaves_the_others() {
    let fake = slow_fake().await;
    // evaluations never finish, so every follow that is not stopped ends at this deadline
    let deadline = Duration::from_millis(300);
    let mut worker = Loop::start(
        &fake,
        PollPlan {
            first: Duration::from_millis(10),
            max: Duration::from_millis(20),
            deadline,
        },
    );
    worker.ask(1);
    worker.until(|e| asked(e, 1)).await;
    worker.send(Command::StopFollow { req: req(1) });
    // Ask 2 starts after the stop and ask 3 after ask 2 ended, so ask 3 ends later than one
    // deadline after ask 2 began, which began after ask 1: had ask 1 not been stopped, its end
    // would have come first.
    worker.ask(2);
    let (end, seen_before_2) = worker.until(|e| ended(e, 2)).await;
    assert!(
        matches!(
            end,
            Event::FollowEnded {
                result: Err(FollowError::Deadline(_)),
                ..
            }
        ),
        "{end:?}"
    );
    worker.ask(3);
    let (_, seen_before_3) = worker.until(|e| ended(e, 3)).await;
    let stopped_ended = seen_before_2
        .iter()
        .chain(&seen_before_3)
        .any(|e| ended(e, 1));
    assert!(!stopped_ended, "a stopped follow sends no end");
    fake.shutdown().await;
}

#[tokio::test]
async fn sign_in_without_an_interactive_source_fails_typed_and_cancel_is_harmless() {
    let fake = slow_fake().await;
    let mut worker = Loop::start(&fake, PollPlan::default());
    worker.send(Command::CancelSignIn); // nothing to cancel
    worker.send(Command::StartSignIn { req: req(9) });
    let (event, _) = worker
        .until(|e| matches!(e, Event::SignInFailed { .. }))
        .await;
    assert!(
        matches!(
            event,
            Event::SignInFailed {
                req: r,
                error: SignInError::Unavailable
            } if r == req(9)
        ),
        "{event:?}"
    );
    // the loop still serves commands afterwards
    worker.send(Command::LoadWorkspaces { req: req(10) });
    worker
        .until(|e| matches!(e, Event::WorkspacesLoaded { req: r, .. } if *r == req(10)))
        .await;
    fake.shutdown().await;
}

/// The app (`update`) joined to the worker loop as the runtime joins them, without a terminal:
/// keys and worker events go through `update`, its commands to the worker.
pub(crate) struct App {
    pub(crate) state: sctui::tui::app::State,
    pub(crate) worker: Loop,
    /// Whether the selection settles at once after each step (the settle timer firing).
    pub(crate) settle: bool,
}

impl App {
    /// Runs `msg` through `update` and its commands on the worker; a settle timer it arms
    /// fires at once when `settle` is on (as if the user paused).
    pub(crate) fn send(&mut self, msg: sctui::tui::app::Msg) {
        let out = sctui::tui::app::update(&mut self.state, msg);
        for command in out.commands {
            self.worker.send(command);
        }
        let armed = out.effects.contains(&sctui::tui::app::Effect::Arm(
            sctui::tui::app::Timer::Settle,
        ));
        if armed && self.settle {
            self.send(sctui::tui::app::Msg::Settled);
        }
    }

    pub(crate) fn key(&mut self, c: char) {
        use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
        self.send(sctui::tui::app::Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }

    /// Applies worker events until `done` holds (checked before each wait).
    pub(crate) async fn until(&mut self, done: impl Fn(&sctui::tui::app::State) -> bool) {
        tokio::time::timeout(HANG, async {
            while !done(&self.state) {
                let event = self.worker.events.recv().await.expect("the loop runs");
                self.send(sctui::tui::app::Msg::Worker(event));
            }
        })
        .await
        .expect("the app gets there");
    }

    fn ids(&self) -> Vec<String> {
        let list = &self.state.list();
        list.visible()
            .iter()
            .map(|&i| list.entries()[i].session.id.clone())
            .collect()
    }

    pub(crate) fn selected(&self) -> String {
        self.state
            .selected_entry()
            .expect("a selection")
            .session
            .id
            .clone()
    }
}

/// The fake's sessions newest-modified first, the order the app shows by default.
fn newest_modified_first(fake: &FakeGraph) -> Vec<String> {
    let mut sessions: Vec<(jiff::Timestamp, String)> = fake
        .store()
        .sessions("default")
        .into_iter()
        .map(|s| (s.last_modified_date_time, s.id))
        .collect();
    sessions.sort_by(|a, b| b.cmp(a));
    sessions.into_iter().map(|(_, id)| id).collect()
}

/// The fake with 130 sessions served in `session_order`, and the app (no terminal, the selection
/// not settling by itself) started on it, listing `page` sessions a page; the first page is on
/// its way.
async fn paged_app(session_order: SessionOrder, page: u32) -> (FakeGraph, App) {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(130),
        session_order,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let mut state = sctui::tui::app::State::new("default", "test");
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(100, 14));
    state.settings_mut_for_tests().page_size = page;
    let init = sctui::tui::app::init(&mut state);
    let worker = Loop::start_paged(&fake, PollPlan::default(), page);
    let app = App {
        state,
        worker,
        settle: false,
    };
    for command in init.commands {
        app.worker.send(command);
    }
    (fake, app)
}

crate::both_orders!(paging_merging_and_prefetching_end_with_every_session_once_in_order);
/// A reader walks the list with `j` from the top, 25 sessions a page: each next page is asked
/// for ahead of need and merged in without moving the selection (oldest first, the newer
/// sessions of later pages land above it); a session created on the server mid-walk neither
/// repeats nor hides another; the list ends with every session exactly once, newest-modified
/// first, after one request per page; and the neighbours of a settled selection are prefetched,
/// whichever order the server pages in.
async fn paging_merging_and_prefetching_end_with_every_session_once_in_order(
    session_order: SessionOrder,
) {
    const PAGE: u32 = 25;
    let (fake, mut app) = paged_app(session_order, PAGE).await;
    app.until(|s| s.paging().loaded_once && s.requests().page().is_none())
        .await;
    let before_insert = newest_modified_first(&fake);
    assert_eq!(app.state.list().len(), PAGE as usize);
    // the server's first page (by creation, from whichever end), shown newest-modified first
    let mut created = fake.store().sessions("default");
    if session_order == SessionOrder::NewestFirst {
        created.reverse();
    }
    let first_page: std::collections::HashSet<&String> =
        created[..PAGE as usize].iter().map(|s| &s.id).collect();
    let expected_first: Vec<String> = before_insert
        .iter()
        .filter(|id| first_page.contains(id))
        .cloned()
        .collect();
    assert_eq!(app.ids(), expected_first, "the first page, sorted");

    // walk down; a page in flight lands before the next key (a reader, not a held key)
    let mut steps = 0;
    let mut inserted = None;
    while app.state.list().selected() + 1 < app.state.list().visible().len()
        || app.state.paging().next_link.is_some()
    {
        app.key('j');
        steps += 1;
        assert!(steps < 1_000, "the walk ends");
        if app.state.requests().page().is_some() {
            if inserted.is_none() {
                inserted = Some(
                    fake.store()
                        .insert_session("default", Some("made mid-walk"))
                        .id,
                );
            }
            let moved_to = app.selected();
            app.until(|s| s.requests().page().is_none()).await;
            assert_eq!(
                app.selected(),
                moved_to,
                "a merged page keeps the selection"
            );
        }
        let ids = app.ids();
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(
            distinct.len(),
            ids.len(),
            "no session twice ({session_order:?})"
        );
    }
    let inserted = inserted.expect("pages were loaded during the walk");
    assert!(
        !app.state.busy(),
        "{:?}",
        app.state.requests().iter().collect::<Vec<_>>()
    );
    // the new session is the newest: before the cursor newest first (seen at the next
    // refresh), after it oldest first (on the last page)
    let walked = app.ids();
    let has_new = walked.contains(&inserted);
    assert_eq!(has_new, session_order == SessionOrder::OldestFirst);
    let after = newest_modified_first(&fake);
    assert_eq!(
        &walked,
        if has_new { &after } else { &before_insert },
        "every session that was there when paging began, once, newest-modified first ({session_order:?})"
    );
    let pages = fake
        .faults()
        .seen()
        .iter()
        .filter(|r| r.path.contains("/sessions?") || r.path.ends_with("/sessions"))
        .count();
    assert_eq!(
        pages,
        walked.len().div_ceil(PAGE as usize),
        "one request per page"
    );

    // a refresh brings the session made meanwhile, at the top, still each session once; the
    // list knows more than its first page, so the refresh walks to the end by itself
    app.key('R');
    app.until(|s| s.requests().page().is_none()).await;
    assert_eq!(app.state.paging().next_link, None);
    assert_eq!(after[0], inserted);
    assert_eq!(app.ids(), after, "after R ({session_order:?})");

    // the selection settles in the middle: its conversation loads and both neighbours are
    // prefetched, the neighbours on screen whatever order the server pages in
    app.key('g');
    for _ in 0..40 {
        app.key('j');
    }
    let neighbours = [after[39].clone(), after[41].clone()];
    assert_eq!(app.selected(), after[40]);
    app.send(sctui::tui::app::Msg::Settled);
    app.until(|s| {
        neighbours.iter().chain([&after[40]]).all(|id| {
            s.conversations()
                .get(id)
                .is_some_and(|c| c.fetched_at.is_some())
        })
    })
    .await;
    let prefetched: Vec<String> = fake
        .faults()
        .seen()
        .iter()
        .filter(|r| r.path.contains("/prompts"))
        .map(|r| r.path.clone())
        .collect();
    for id in &neighbours {
        assert!(
            prefetched.iter().any(|p| p.contains(id.as_str())),
            "{id} prefetched: {prefetched:?}"
        );
    }
    fake.shutdown().await;
}

/// Graph leaves a session's lastModifiedDateTime alone when a question is asked in it (from the
/// portal, another device): the app does not rely on it, so a refresh shows the new question in
/// the conversation on screen, and so does coming back to the session later.
#[tokio::test]
async fn a_question_asked_elsewhere_shows_after_a_refresh() {
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(5),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let mut state = sctui::tui::app::State::new("default", "test");
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(100, 14));
    let init = sctui::tui::app::init(&mut state);
    let worker = Loop::start(&fake, PollPlan::default());
    let mut app = App {
        state,
        worker,
        settle: true,
    };
    for command in init.commands {
        app.worker.send(command);
    }
    let shown = |s: &sctui::tui::app::State, question: &str| {
        let id = s.selected_entry().map(|e| e.session.id.clone());
        id.and_then(|id| s.conversations().get(&id))
            .is_some_and(|c| {
                c.fetched_at.is_some()
                    && c.turns
                        .iter()
                        .any(|t| t.prompt.content.as_deref() == Some(question))
            })
    };
    app.until(|s| {
        s.paging().loaded_once
            && s.selected_entry()
                .and_then(|e| s.conversations().get(&e.session.id))
                .is_some_and(|c| c.fetched_at.is_some())
    })
    .await;
    let id = app.selected();
    let before = fake.store().session("default", &id).unwrap();
    fake.store()
        .insert_prompt("default", &id, "asked in the portal")
        .expect("prompt");
    let after = fake.store().session("default", &id).unwrap();
    assert_eq!(
        before.last_modified_date_time, after.last_modified_date_time,
        "Graph does not bump it for a prompt"
    );
    assert!(!shown(&app.state, "asked in the portal"));
    app.key('R');
    app.until(|s| shown(s, "asked in the portal")).await;
    assert_eq!(app.selected(), id, "still on the same session");
    fake.shutdown().await;
}

crate::both_orders!(a_refresh_walks_the_whole_list_and_drops_only_what_the_server_lost);
/// `R` against the real fake: every session is loaded; on the server one session of
/// the first page and one further down are deleted and one is made. `R` merges Graph's first
/// page (the new session appears at once, nothing known disappears while the walk runs), walks
/// the rest in big pages, and once the listing is complete the two deleted sessions are gone:
/// the list is the server's, each session once, newest-modified first, the selection where it
/// was. Whichever order the server pages in.
async fn a_refresh_walks_the_whole_list_and_drops_only_what_the_server_lost(
    session_order: SessionOrder,
) {
    let (fake, mut app) = paged_app(session_order, 25).await;
    app.state.settings_mut_for_tests().bulk_page_size = 40;
    app.until(|s| s.paging().loaded_once && s.requests().page().is_none())
        .await;
    app.key('G');
    app.until(|s| s.requests().page().is_none() && s.paging().next_link.is_none())
        .await;
    assert_eq!(app.ids(), newest_modified_first(&fake));
    app.key('g');
    for _ in 0..60 {
        app.key('j');
    }
    let selected = app.selected();

    // the server's listing: one of its first page and one further down go, one is made
    let mut listed = fake.store().sessions("default");
    if session_order == SessionOrder::NewestFirst {
        listed.reverse();
    }
    let on_first_page = listed[3].id.clone();
    let further_down = listed[100].id.clone();
    assert_ne!(further_down, selected);
    assert_ne!(on_first_page, selected);
    assert!(fake.store().remove_session("default", &on_first_page));
    assert!(fake.store().remove_session("default", &further_down));
    let made = fake
        .store()
        .insert_session("default", Some("made elsewhere"))
        .id;
    let before = app.state.list().len();
    let requests_before = fake.faults().seen().len();

    app.key('R');
    let pages_seen = std::cell::Cell::new(0);
    app.until(|s| {
        if s.requests().page().is_some() {
            // nothing known disappears while the walk runs
            assert!(s.list().contains(&on_first_page) && s.list().contains(&further_down));
            assert!(s.list().len() >= before);
            pages_seen.set(pages_seen.get() + 1);
        }
        s.requests().page().is_none()
    })
    .await;
    assert!(pages_seen.get() > 1, "the walk took several pages");
    assert!(app.state.list().contains(&made), "the new session appeared");
    assert!(!app.state.list().contains(&on_first_page));
    assert!(!app.state.list().contains(&further_down));
    assert_eq!(
        app.ids(),
        newest_modified_first(&fake),
        "({session_order:?})"
    );
    assert_eq!(
        app.selected(),
        selected,
        "the selection stays on its session"
    );
    assert!(app.state.paging().complete.is_some());
    assert!(!app.state.revalidating() && !app.state.list_incomplete());
    // the first page, then the walk from the top in pages of 40
    let pages = fake.faults().seen()[requests_before..]
        .iter()
        .filter(|r| r.path.contains("/sessions?") || r.path.ends_with("/sessions"))
        .count();
    assert_eq!(pages, 1 + 129usize.div_ceil(40), "({session_order:?})");
    fake.shutdown().await;
}
