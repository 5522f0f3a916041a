//! The worker loop itself (`worker::run`), driven through its channels with no terminal: closing
//! the command channel aborts everything still running, `StopFollow` aborts one follow and leaves
//! the others, and a sign-in without an interactive token source fails with a typed error.

use std::time::Duration;

use sctui::tui::app::RequestId;
use sctui::tui::worker::{self, Command, Event, SignInError};
use sctui_fake::{FakeGraph, FakeOptions};
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
struct Loop {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
    handle: JoinHandle<()>,
}

impl Loop {
    fn start(fake: &FakeGraph, plan: PollPlan) -> Self {
        let client = GraphClient::new(
            ClientOptions {
                graph_url: fake.base_url().to_string(),
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

    fn send(&self, command: Command) {
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
