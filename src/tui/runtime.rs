//! The runtime, a plain dispatcher: terminal events, worker events and the clock go into
//! `app::update` as messages; its requests go to the worker and its effects (clipboard, timers,
//! remembered settings, quit) are carried out here; the screen is redrawn only when something
//! changed. It never writes the state itself.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::{ui, worker};
use crate::tui::app::{self, Effect, Msg, Output, State, Timer};
use sctui_graph::GraphClient;
use sctui_graph::conversation::PollPlan;

/// How often the spinner turns while requests are in flight.
const SPINNER_INTERVAL: Duration = Duration::from_millis(100);
/// How often relative times ("3 min ago") are refreshed; they are minute-grained.
const CLOCK_INTERVAL: Duration = Duration::from_secs(15);
/// How long the selection must stay put before its conversation is loaded.
const SETTLE_DELAY: Duration = Duration::from_millis(120);

/// Runs the TUI until the user quits. The terminal is restored on every way out, including a
/// panic (ratatui's hook) and every terminating signal (see [`super::signals`]: the run then
/// ends with its `Terminated` error, exit 128 + signal); Ctrl-Z suspends.
pub async fn run(
    client: GraphClient,
    mut state: State,
    plan: PollPlan,
    sign_in: Option<std::sync::Arc<sctui_graph::auth::setup::Chosen>>,
    store: Option<crate::store::StoreTarget>,
) -> std::io::Result<()> {
    let mut terminal = super::signals::enter(state.settings.mouse)?;
    let result = event_loop(&mut terminal, client, &mut state, plan, sign_in, store).await;
    super::signals::leave(state.settings.mouse);
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    client: GraphClient,
    state: &mut State,
    plan: PollPlan,
    sign_in: Option<std::sync::Arc<sctui_graph::auth::setup::Chosen>>,
    store: Option<crate::store::StoreTarget>,
) -> std::io::Result<()> {
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let commands = worker::spawn_with_sign_in(client, plan, events_tx, sign_in, store);
    let mut terminal_events = EventStream::new();
    let size = terminal.size()?;
    let mut timers = Timers::new();
    let mut quit = false;
    for msg in [
        Msg::Resize(size.width, size.height),
        Msg::Clock(jiff::Timestamp::now()),
    ] {
        quit |= dispatch(app::update(state, msg), &commands, &mut timers);
    }
    quit |= dispatch(app::init(state), &commands, &mut timers);
    let mut spinner = tokio::time::interval(SPINNER_INTERVAL);
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut clock = tokio::time::interval(CLOCK_INTERVAL);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    clock.tick().await;
    let mut signals = super::signals::Signals::new()?;

    // Hidden, for scripts/bench.sh: quit right after the first frame (`1`) or after the first
    // frame that shows the loaded list (`list`), to time start-up.
    let exit_after = std::env::var("SCTUI_EXIT_AFTER_FIRST_FRAME").ok();
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| ui::draw(state, frame))?;
            dirty = false;
            match exit_after.as_deref() {
                Some("list") if state.paging.loaded_once => break,
                Some("1") => break,
                _ => {}
            }
        }
        if quit {
            break;
        }
        let msg = tokio::select! {
            event = terminal_events.next() => match event {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press && super::signals::is_suspend_key(&key) => {
                    Some(suspend(terminal, state.settings.mouse)?)
                }
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
                Some(Ok(TermEvent::Paste(text))) => Some(Msg::Paste(text)),
                Some(Ok(TermEvent::Resize(w, h))) => Some(Msg::Resize(w, h)),
                Some(Ok(TermEvent::Mouse(mouse))) => Some(Msg::Mouse(mouse)),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(event) = events_rx.recv() => Some(Msg::Worker(event)),
            _ = spinner.tick(), if state.busy() => Some(Msg::Tick(jiff::Timestamp::now())),
            _ = &mut timers.settle, if timers.settle_armed => {
                timers.settle_armed = false;
                Some(Msg::Settled)
            }
            _ = clock.tick() => Some(Msg::Clock(jiff::Timestamp::now())),
            action = signals.recv() => match action {
                super::signals::SignalAction::Terminate(signal) => {
                    return Err(super::signals::terminated(signal));
                }
                super::signals::SignalAction::Suspend => Some(suspend(terminal, state.settings.mouse)?),
            },
        };
        if let Some(msg) = msg {
            quit |= dispatch(app::update(state, msg), &commands, &mut timers);
            dirty = true;
        }
    }
    Ok(())
}

/// The timers `update` can arm.
struct Timers {
    /// Debounce: the detail pane loads once the selection has stayed put this long.
    settle: std::pin::Pin<Box<tokio::time::Sleep>>,
    settle_armed: bool,
}

impl Timers {
    fn new() -> Self {
        Self {
            settle: Box::pin(tokio::time::sleep(SETTLE_DELAY)),
            settle_armed: false,
        }
    }

    fn arm(&mut self, timer: Timer) {
        match timer {
            Timer::Settle => {
                self.settle
                    .as_mut()
                    .reset(tokio::time::Instant::now() + SETTLE_DELAY);
                self.settle_armed = true;
            }
        }
    }
}

/// Sends the requests to the worker and carries out the effects; returns whether to quit.
fn dispatch(
    output: Output,
    commands: &mpsc::UnboundedSender<worker::Command>,
    timers: &mut Timers,
) -> bool {
    for command in output.commands {
        let _ = commands.send(command);
    }
    let mut quit = false;
    for effect in output.effects {
        match effect {
            // the terminal is ours, not the worker's
            Effect::Copy(text) => {
                let _ = crate::tui::clipboard::copy(&mut std::io::stdout(), &text);
            }
            // a small file write: off the UI task, never awaited
            Effect::RememberWorkspace { id, remember_as } => {
                tokio::task::spawn_blocking(move || {
                    crate::config::remember_workspace(&remember_as, &id)
                });
            }
            Effect::Arm(timer) => timers.arm(timer),
            Effect::Quit => quit = true,
        }
    }
    quit
}

/// Suspends (Ctrl-Z, SIGTSTP) until continued, then redraws everything at the terminal's size.
fn suspend(terminal: &mut ratatui::DefaultTerminal, mouse: bool) -> std::io::Result<Msg> {
    super::signals::suspend(terminal, mouse)?;
    let size = terminal.size()?;
    Ok(Msg::Resize(size.width, size.height))
}
