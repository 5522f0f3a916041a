//! Soak: 5,000 random user operations (move, page, rename, create, refresh, load conversations)
//! driven through `app::update` and `worker::execute` against the fake with about 10 % injected
//! faults. Commands run in random order, as concurrent requests finish in any order. Afterwards a
//! clean refresh must show exactly the fake's sessions, with nothing pending and nothing panicked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sctui::tui::app::state::Mode;
use sctui::tui::app::{Effect, Msg, State, Timer, update};
use sctui::tui::worker::{self, Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_fake::{FakeGraph, FakeOptions, FaultSpec, Seed, SessionOrder};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::PollPlan;
use sctui_graph::models::Session;
use sctui_graph::retry::RetryPolicy;
use sctui_graph::{ClientOptions, GraphClient};
use tokio::sync::mpsc;

const OPERATIONS: usize = 5_000;
const TOKEN: &str = "soak-token";
/// About 10 % of requests meet a fault; retries absorb the 429/503/504s, the rest surface.
const FAULTS: &str = "429=0.04,503=0.02,504=0.01,500=0.005,reset=0.01,malformed=0.005,truncate=0.005,retry-after=0.002,seed=4242";

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// The app under test with its command queue and the worker's event channel.
struct Harness {
    state: State,
    queue: Vec<Command>,
    client: GraphClient,
    plan: PollPlan,
    events_tx: mpsc::UnboundedSender<Event>,
    events_rx: mpsc::UnboundedReceiver<Event>,
    rename_failures: usize,
    reopened: usize,
    /// `update` armed the settle timer and it has not fired yet.
    settle_armed: bool,
}

impl Harness {
    fn send(&mut self, msg: Msg) {
        let out = update(&mut self.state, msg);
        self.queue.extend(out.commands);
        self.settle_armed |= out.effects.contains(&Effect::Arm(Timer::Settle));
        check_invariants(&self.state);
    }

    /// Runs one queued command (a random one: answers arrive in any order) and applies its events.
    async fn run_one(&mut self, rng: &mut StdRng) {
        if self.queue.is_empty() {
            return;
        }
        let command = self
            .queue
            .swap_remove(rng.random_range(0..self.queue.len()));
        worker::execute(&self.client, self.plan, command, &self.events_tx).await;
        while let Ok(event) = self.events_rx.try_recv() {
            self.apply_event(event);
        }
    }

    fn apply_event(&mut self, event: Event) {
        let rename_failed = match &event {
            Event::RenameFailed { name, error, .. } if !error.is_not_found() => {
                Some((name.clone(), matches!(self.state.mode(), Mode::Browsing)))
            }
            _ => None,
        };
        let pending_before: HashMap<String, String> = pending(&self.state);
        let is_page = matches!(event, Event::PageLoaded { .. });
        self.send(Msg::Worker(event));
        if is_page {
            // a refresh never overwrites a name the user is waiting on
            let after = pending(&self.state);
            for (id, name) in &pending_before {
                assert_eq!(after.get(id), Some(name), "pending rename of {id} lost");
            }
        }
        if let Some((name, was_browsing)) = rename_failed {
            self.rename_failures += 1;
            let status = self
                .state
                .status()
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            assert!(
                status.contains(&format!("Rename to “{name}” failed")),
                "{status}"
            );
            if was_browsing {
                match &self.state.mode() {
                    Mode::Renaming(editor) => {
                        assert_eq!(editor.input.value(), name, "typed name given back");
                        self.reopened += 1;
                    }
                    other => panic!("a failed rename must reopen the editor, got {other:?}"),
                }
            }
        }
    }

    async fn drain(&mut self, rng: &mut StdRng) {
        let mut guard = 0;
        while !self.queue.is_empty() {
            self.run_one(rng).await;
            guard += 1;
            assert!(guard < 100_000, "commands keep coming");
        }
    }
}

fn pending(state: &State) -> HashMap<String, String> {
    state
        .list()
        .entries()
        .iter()
        .filter_map(|e| e.pending().map(|p| (e.session.id.clone(), p.name.clone())))
        .collect()
}

fn check_invariants(state: &State) {
    let rows = sctui::tui::app::layout::list_rows(state.viewport());
    if let Err(broken) = state.list().check(rows) {
        panic!("the session list broke a rule: {broken}");
    }
}

/// What must match between the app and the fake: identity, name and last change (to Graph's
/// 100 ns precision).
fn comparable(sessions: impl IntoIterator<Item = Session>) -> Vec<(String, Option<String>, i128)> {
    let mut rows: Vec<_> = sessions
        .into_iter()
        .map(|s| {
            let modified = s
                .last_modified_date_time
                .as_ref()
                .and_then(|t| t.instant())
                .map(|t| t.as_nanosecond() / 100)
                .unwrap_or_default();
            (s.id, s.display_name, modified)
        })
        .collect();
    rows.sort();
    rows
}

crate::both_orders!(five_thousand_random_operations_with_faults_end_equal_to_the_server);
async fn five_thousand_random_operations_with_faults_end_equal_to_the_server(
    session_order: SessionOrder,
) {
    let fake = FakeGraph::start(FakeOptions {
        session_order,
        seed: Seed::Synthetic(60),
        token: Some(TOKEN.into()),
        evaluation_delay: Duration::ZERO,
        faults: Some(FAULTS.parse().expect("spec")),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let notices = events_tx.clone();
    let client = GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            page_size: 25,
            retry: RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_millis(1),
                max_total_wait: Duration::from_secs(180),
            },
            ..ClientOptions::default()
        },
        StaticToken::shared(TOKEN, "soak"),
    )
    .expect("client")
    .with_retry_observer(Arc::new(move |n| {
        let _ = notices.send(Event::Retrying(n));
    }));
    let export_dir = tempfile::tempdir().expect("tempdir");
    let mut state = State::new("default", "soak");
    state.settings_mut_for_tests().page_size = 25;
    state.settings_mut_for_tests().export_dir = export_dir.path().to_path_buf();
    let mut h = Harness {
        queue: sctui::tui::app::init(&mut state).commands,
        state,
        client,
        plan: PollPlan {
            first: Duration::from_millis(1),
            max: Duration::from_millis(5),
            deadline: Duration::from_millis(200),
        },
        events_tx,
        events_rx,
        rename_failures: 0,
        reopened: 0,
        settle_armed: false,
    };
    // seeded: the random operations (and so which requests meet faults) are the same every run
    let mut rng = StdRng::seed_from_u64(8);
    let mut counter = 0u32;
    let mut removed = 0;
    for _ in 0..OPERATIONS {
        counter += 1;
        let roll = rng.random_range(0..100);
        match roll {
            0..=44 => h.run_one(&mut rng).await,
            45..=49 if h.settle_armed => {
                h.settle_armed = false;
                h.send(Msg::Settled)
            }
            45..=59 => {
                let code = match rng.random_range(0..7) {
                    0 => KeyCode::Char('j'),
                    1 => KeyCode::Char('k'),
                    2 => KeyCode::PageDown,
                    3 => KeyCode::PageUp,
                    4 => KeyCode::Char('g'),
                    5 => KeyCode::Char('G'),
                    _ => KeyCode::Down,
                };
                h.send(key(code));
            }
            60..=71 => {
                // rename: open (or keep) the editor, replace the text, save
                if !matches!(h.state.mode(), Mode::Renaming(_)) {
                    h.send(key(KeyCode::Char('r')));
                }
                if matches!(h.state.mode(), Mode::Renaming(_)) {
                    h.send(ctrl('u'));
                    h.send(Msg::Paste(format!("soak rename {counter}")));
                    h.send(key(KeyCode::Enter));
                }
            }
            72..=75 => {
                if !matches!(h.state.mode(), Mode::Creating(_)) {
                    h.send(key(KeyCode::Char('n')));
                }
                if let Mode::Creating(create) = &h.state.mode()
                    && create.input.value().is_empty()
                {
                    h.send(Msg::Paste(format!("soak question {counter}")));
                }
                h.send(key(KeyCode::Enter));
            }
            76..=79 => h.send(key(KeyCode::Char('R'))),
            80..=84 => h.send(key(KeyCode::Esc)),
            85..=87 => h.send(key(KeyCode::Enter)),
            88..=89 => {
                if matches!(h.state.mode(), Mode::Browsing) {
                    h.send(key(KeyCode::Char('/')));
                    h.send(key(KeyCode::Char(
                        ['1', '2', 'e', 'x'][rng.random_range(0..4)],
                    )));
                    h.send(key(KeyCode::Enter));
                }
            }
            90..=91 => h.send(Msg::Resize(
                rng.random_range(1..200),
                rng.random_range(1..60),
            )),
            92 if removed < 10 => {
                // someone deletes a session elsewhere: later requests meet 404s
                let sessions = fake.store().sessions("default");
                if let Some(s) = sessions.get(rng.random_range(0..sessions.len().max(1))) {
                    fake.store().remove_session("default", &s.id);
                    removed += 1;
                }
            }
            _ => {
                let now = h.state.now();
                h.send(Msg::Tick(now))
            }
        }
    }

    // Let everything in flight land, then read the server once more without faults.
    h.drain(&mut rng).await;
    fake.faults().set_spec(FaultSpec::none());
    for _ in 0..4 {
        h.send(key(KeyCode::Esc));
    }
    // a filter kept after Enter is cleared by Esc in the filter box
    h.send(key(KeyCode::Char('/')));
    h.send(key(KeyCode::Esc));
    assert!(
        matches!(h.state.mode(), Mode::Browsing),
        "{:?}",
        h.state.mode()
    );
    assert!(h.state.filter_text().is_empty());
    h.send(key(KeyCode::Char('R')));
    h.drain(&mut rng).await;
    while h.state.paging().next_link.is_some() {
        h.send(key(KeyCode::Char('G')));
        h.drain(&mut rng).await;
    }

    assert!(pending(&h.state).is_empty(), "nothing left pending");
    let awaited: Vec<_> = h.state.requests().iter().collect();
    assert!(
        awaited.is_empty(),
        "every request was answered: {awaited:?}"
    );
    assert!(!h.state.busy());
    let shown = comparable(h.state.list().entries().iter().map(|e| e.session.clone()));
    // The server's sessions as the client reads them: through Graph's JSON.
    let server = comparable(
        fake.store()
            .sessions("default")
            .into_iter()
            .map(|s| serde_json::from_value::<Session>(serde_json::to_value(s).unwrap()).unwrap()),
    );
    let only_shown: Vec<_> = shown.iter().filter(|r| !server.contains(r)).collect();
    let only_server: Vec<_> = server.iter().filter(|r| !shown.contains(r)).collect();
    assert!(
        only_shown.is_empty() && only_server.is_empty(),
        "app and server differ:\n only in the app: {only_shown:?}\n only on the server: {only_server:?}"
    );
    assert_eq!(shown.len(), server.len());
    assert_eq!(h.state.list().visible().len(), h.state.list().len());
    let seen = fake.faults().seen();
    let faulted = seen.iter().filter(|s| s.fault.is_some()).count();
    assert!(seen.len() > 1_500, "{} requests", seen.len());
    assert!(
        faulted * 100 >= seen.len() * 6,
        "about 10 % faults: {faulted} of {}",
        seen.len()
    );
    assert!(
        h.rename_failures > 0 && h.reopened > 0,
        "failures were met: {} rename failures, {} reopened, {} requests",
        h.rename_failures,
        h.reopened,
        seen.len()
    );
    eprintln!(
        "soak ({session_order:?}): {} requests, {faulted} faulted, {} rename failures ({} reopened), {} sessions",
        seen.len(),
        h.rename_failures,
        h.reopened,
        shown.len()
    );
}
