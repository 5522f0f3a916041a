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
    let mut terminal = super::signals::enter(state.settings().mouse)?;
    let result = event_loop(&mut terminal, client, &mut state, plan, sign_in, store).await;
    super::signals::leave(state.settings().mouse);
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
    // what effects carried out off the UI task report back (a link opened, a copy planned)
    let (results_tx, mut results_rx) = mpsc::unbounded_channel::<Back>();
    let commands = worker::spawn_with_sign_in(client, plan, events_tx, sign_in, store);
    let mut terminal_events = EventStream::new();
    let clipboard = crate::tui::clipboard::Environment::current();
    let size = terminal.size()?;
    let mut timers = Timers::new();
    let mut quit = false;
    for msg in [
        Msg::Resize(size.width, size.height),
        Msg::Clock(jiff::Timestamp::now()),
    ] {
        quit |= dispatch(
            app::update(state, msg),
            &commands,
            &mut timers,
            &mut Later::default(),
            &results_tx,
            &clipboard,
        );
    }
    quit |= dispatch(
        app::init(state),
        &commands,
        &mut timers,
        &mut Later::default(),
        &results_tx,
        &clipboard,
    );
    let mut spinner = tokio::time::interval(SPINNER_INTERVAL);
    spinner.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut clock = tokio::time::interval(CLOCK_INTERVAL);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    clock.tick().await;
    let mut signals = super::signals::Signals::new()?;

    // Hidden, for scripts/bench.sh: quit right after the first frame (`1`), after the first
    // frame that shows the loaded list (`list`) or the stored list (`stored`), to time start-up.
    let exit_after = std::env::var("SCTUI_EXIT_AFTER_FIRST_FRAME").ok();
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| ui::draw(state, frame))?;
            dirty = false;
            match exit_after.as_deref() {
                Some("list") if state.paging().loaded_once => break,
                Some("stored") if state.stored().is_some() => break,
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
                    Some(suspend(terminal, state.settings().mouse)?)
                }
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => key_event(key).map(Msg::Key),
                Some(Ok(TermEvent::Paste(text))) => Some(Msg::Paste(text)),
                Some(Ok(TermEvent::Resize(w, h))) => Some(Msg::Resize(w, h)),
                Some(Ok(TermEvent::Mouse(mouse))) => Some(Msg::Mouse(mouse_event(mouse))),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(event) = events_rx.recv() => Some(Msg::Worker(event)),
            Some(back) = results_rx.recv() => Some(match back {
                Back::Msg(msg) => *msg,
                // the terminal is written on this task only, between frames
                Back::Copy { what, plan } => Msg::Copied {
                    what,
                    copied: crate::tui::clipboard::finish(&mut std::io::stdout(), plan),
                },
            }),
            _ = spinner.tick(), if state.wants_ticks() => Some(Msg::Tick(jiff::Timestamp::now())),
            _ = &mut timers.settle, if timers.settle_armed => {
                timers.settle_armed = false;
                Some(Msg::Settled)
            }
            _ = &mut timers.reconnect, if timers.reconnect_armed => {
                timers.reconnect_armed = false;
                Some(Msg::Reconnect)
            }
            _ = clock.tick() => Some(Msg::Clock(jiff::Timestamp::now())),
            action = signals.recv() => match action {
                super::signals::SignalAction::Terminate(signal) => {
                    return Err(super::signals::terminated(signal));
                }
                super::signals::SignalAction::Suspend => Some(suspend(terminal, state.settings().mouse)?),
            },
        };
        let mut pending: Vec<Msg> = msg.into_iter().collect();
        while let Some(msg) = pending.pop() {
            let mut later = Later::default();
            quit |= dispatch(
                app::update(state, msg),
                &commands,
                &mut timers,
                &mut later,
                &results_tx,
                &clipboard,
            );
            if let Some(text) = later.edit {
                // the editor needs the terminal and stdin: stop reading keys meanwhile
                drop(terminal_events);
                let edited = edit_externally(terminal, &text, state.settings().mouse);
                terminal_events = EventStream::new();
                pending.push(Msg::Edited(edited));
            }
            dirty = true;
        }
    }
    Ok(())
}

/// A terminal key press as the app's core sees it; `None` for keys it has no name for (media
/// keys, a lone modifier, Caps Lock…), which no binding can name either.
fn key_event(key: crossterm::event::KeyEvent) -> Option<sctui_app::input::KeyEvent> {
    use crossterm::event::KeyCode as Term;
    use sctui_app::input::KeyCode;
    let code = match key.code {
        Term::Backspace => KeyCode::Backspace,
        Term::Enter => KeyCode::Enter,
        Term::Left => KeyCode::Left,
        Term::Right => KeyCode::Right,
        Term::Up => KeyCode::Up,
        Term::Down => KeyCode::Down,
        Term::Home => KeyCode::Home,
        Term::End => KeyCode::End,
        Term::PageUp => KeyCode::PageUp,
        Term::PageDown => KeyCode::PageDown,
        Term::Tab => KeyCode::Tab,
        Term::BackTab => KeyCode::BackTab,
        Term::Delete => KeyCode::Delete,
        Term::Insert => KeyCode::Insert,
        Term::F(n) => KeyCode::F(n),
        Term::Char(c) => KeyCode::Char(c),
        Term::Esc => KeyCode::Esc,
        _ => return None,
    };
    Some(sctui_app::input::KeyEvent::new(
        code,
        modifiers(key.modifiers),
    ))
}

/// The modifier keys, bit for bit (the core's flags name the same keys).
fn modifiers(held: crossterm::event::KeyModifiers) -> sctui_app::input::KeyModifiers {
    sctui_app::input::KeyModifiers::from_bits_truncate(held.bits())
}

/// A terminal mouse event as the app's core sees it.
fn mouse_event(mouse: crossterm::event::MouseEvent) -> sctui_app::input::MouseEvent {
    use crossterm::event::{MouseButton as TermButton, MouseEventKind as Term};
    use sctui_app::input::{MouseButton, MouseEventKind};
    let button = |b: TermButton| match b {
        TermButton::Left => MouseButton::Left,
        TermButton::Right => MouseButton::Right,
        TermButton::Middle => MouseButton::Middle,
    };
    let kind = match mouse.kind {
        Term::Down(b) => MouseEventKind::Down(button(b)),
        Term::Up(b) => MouseEventKind::Up(button(b)),
        Term::Drag(b) => MouseEventKind::Drag(button(b)),
        Term::Moved => MouseEventKind::Moved,
        Term::ScrollDown => MouseEventKind::ScrollDown,
        Term::ScrollUp => MouseEventKind::ScrollUp,
        Term::ScrollLeft => MouseEventKind::ScrollLeft,
        Term::ScrollRight => MouseEventKind::ScrollRight,
    };
    sctui_app::input::MouseEvent {
        kind,
        column: mouse.column,
        row: mouse.row,
        modifiers: modifiers(mouse.modifiers),
    }
}

/// The timers `update` can arm.
struct Timers {
    /// Debounce: the detail pane loads once the selection has stayed put this long.
    settle: std::pin::Pin<Box<tokio::time::Sleep>>,
    settle_armed: bool,
    /// The next try to reach Graph after it could not be reached at start.
    reconnect: std::pin::Pin<Box<tokio::time::Sleep>>,
    reconnect_armed: bool,
}

impl Timers {
    fn new() -> Self {
        Self {
            settle: Box::pin(tokio::time::sleep(SETTLE_DELAY)),
            settle_armed: false,
            reconnect: Box::pin(tokio::time::sleep(SETTLE_DELAY)),
            reconnect_armed: false,
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
            Timer::Reconnect { secs } => {
                self.reconnect
                    .as_mut()
                    .reset(tokio::time::Instant::now() + Duration::from_secs(secs));
                self.reconnect_armed = true;
            }
        }
    }
}

/// What the effects of one update leave for the loop: an external edit to run (it needs the
/// terminal, which the loop owns).
#[derive(Default)]
struct Later {
    edit: Option<String>,
}

/// What an effect carried out off the UI task sends back to it.
enum Back {
    /// A message for `update` (a link opened).
    Msg(Box<Msg>),
    /// A copy's blocking part is done; the rest writes to the terminal.
    Copy {
        what: String,
        plan: crate::tui::clipboard::Plan,
    },
}

/// Sends the requests to the worker and carries out the effects; returns whether to quit.
fn dispatch(
    output: Output,
    commands: &mpsc::UnboundedSender<worker::Command>,
    timers: &mut Timers,
    later: &mut Later,
    results: &mpsc::UnboundedSender<Back>,
    clipboard: &crate::tui::clipboard::Environment,
) -> bool {
    for command in output.commands {
        let _ = commands.send(command);
    }
    let mut quit = false;
    for effect in output.effects {
        match effect {
            // clipboard programs and tmux queries may take a while: off the UI task; what
            // is left to write to the terminal comes back to it
            Effect::Copy { text, what } => {
                let results = results.clone();
                let clipboard = clipboard.clone();
                tokio::task::spawn_blocking(move || {
                    let plan = crate::tui::clipboard::plan(&text, &clipboard);
                    let _ = results.send(Back::Copy { what, plan });
                });
            }
            Effect::Edit(text) => later.edit = Some(text),
            // a small file write: off the UI task, never awaited
            Effect::RememberWorkspace { id, remember_as } => {
                tokio::task::spawn_blocking(move || {
                    crate::config::remember_workspace(&remember_as, &id)
                });
            }
            Effect::RememberExportFormat { format } => {
                tokio::task::spawn_blocking(move || crate::config::remember_export_format(format));
            }
            Effect::Arm(timer) => timers.arm(timer),
            // the opener may take a while to start: off the UI task, its outcome sent back
            Effect::OpenLink { url } => {
                let results = results.clone();
                tokio::task::spawn_blocking(move || {
                    let result = super::links::open(&url);
                    let _ = results.send(Back::Msg(Box::new(Msg::Opened { url, result })));
                });
            }
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

/// The question's file for the editor: a new file in the temporary folder with an unpredictable
/// name, readable and writable by this user only (0600), removed when dropped.
fn question_file(text: &str) -> std::io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix("sctui-question-")
        .suffix(".md")
        .tempfile()?;
    file.write_all(text.as_bytes())?;
    file.flush()?;
    Ok(file)
}

/// Runs `$VISUAL` (else `$EDITOR`, else `vi`) on `text` in a temporary file with the terminal
/// suspended (raw mode and the alternate screen off), then restores the terminal and returns
/// what the file holds. This runs on the UI task and waits for the editor by nature: the editor
/// owns the terminal and the keyboard until it exits, so there is nothing for the UI to do
/// meanwhile (the worker goes on; its events wait in their channel).
fn edit_externally(
    terminal: &mut ratatui::DefaultTerminal,
    text: &str,
    mouse: bool,
) -> Result<String, String> {
    let editor = ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    let file = question_file(text)
        .map_err(|e| format!("cannot write the question to a temporary file: {e}"))?;
    let path = file.path();
    let mut out = std::io::stdout();
    if mouse {
        let _ = crossterm::execute!(out, crossterm::event::DisableMouseCapture);
    }
    let _ = crossterm::execute!(out, crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    // the editor command may carry arguments (`code --wait`): the shell splits it
    let status = crate::child_env::scrubbed(&mut std::process::Command::new("sh"))
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status();
    *terminal = ratatui::init();
    let _ = crossterm::execute!(out, crossterm::event::EnableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(out, crossterm::event::EnableMouseCapture);
    }
    let _ = terminal.clear();
    let result = match status {
        // by path: an editor may have saved by writing a new file in its place
        Ok(s) if s.success() => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        Ok(s) => Err(format!(
            "{editor} exited with {s}: the question is unchanged"
        )),
        Err(e) => Err(format!("cannot run {editor}: {e}")),
    };
    drop(file);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::clipboard::{Copied, Environment, Plan};
    use crossterm::event::{KeyCode as Term, KeyModifiers as TermModifiers};

    #[test]
    fn the_question_file_is_private_and_its_name_unpredictable() {
        use std::os::unix::fs::PermissionsExt;
        let first = question_file("What changed?").unwrap();
        let second = question_file("What changed?").unwrap();
        let mode = std::fs::metadata(first.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        assert_eq!(
            std::fs::read_to_string(first.path()).unwrap(),
            "What changed?"
        );
        let name = |f: &tempfile::NamedTempFile| {
            f.path().file_name().unwrap().to_string_lossy().into_owned()
        };
        let (a, b) = (name(&first), name(&second));
        assert_ne!(a, b);
        for name in [&a, &b] {
            // random letters between a fixed prefix and suffix, nothing derived from the process
            let middle = name
                .strip_prefix("sctui-question-")
                .and_then(|n| n.strip_suffix(".md"))
                .unwrap_or_else(|| panic!("{name}"));
            assert!(middle.len() >= 6, "{name}");
            assert!(!middle.contains(&std::process::id().to_string()), "{name}");
        }
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists(), "removed when done");
    }

    /// A clipboard program that hangs does not hold up the loop: `dispatch` hands the copy to a
    /// blocking thread and returns while the program still runs (so the next key is read); the
    /// outcome comes back as a message once the program ends.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_clipboard_program_does_not_hold_up_the_loop() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let release = dir.path().join("release");
        let ended = dir.path().join("ended");
        let copied = dir.path().join("copied");
        // waits until the test releases it (giving up after 20 s), keeps its input, says it ended
        let script = format!(
            "#!/bin/sh\ni=0\nwhile [ ! -e '{}' ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done\n\
             cat > '{}'\ntouch '{}'\n",
            release.display(),
            copied.display(),
            ended.display()
        );
        let program = dir.path().join("xclip");
        std::fs::write(&program, script).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let clipboard = Environment::x11_with_programs_in(dir.path());
        let (commands, _worker) = mpsc::unbounded_channel();
        let (results, mut back) = mpsc::unbounded_channel();
        let mut timers = Timers::new();
        let mut copy = Output::none();
        copy.effect(Effect::Copy {
            text: "the answer".into(),
            what: "the answer".into(),
        });
        let quit = dispatch(
            copy,
            &commands,
            &mut timers,
            &mut Later::default(),
            &results,
            &clipboard,
        );
        assert!(!quit);
        assert!(!ended.exists(), "dispatch waited for the clipboard program");
        assert!(
            back.try_recv().is_err(),
            "no outcome before the program ends"
        );
        std::fs::write(&release, "").unwrap();
        let outcome = tokio::time::timeout(Duration::from_secs(30), back.recv())
            .await
            .expect("the copy's outcome comes back")
            .expect("the channel stays open");
        let Back::Copy { what, plan } = outcome else {
            panic!("a copy's outcome")
        };
        assert_eq!(what, "the answer");
        assert_eq!(plan, Plan::Done(Copied::Program("xclip")));
        assert_eq!(std::fs::read_to_string(&copied).unwrap(), "the answer");
    }

    #[test]
    fn keys_and_their_modifiers_keep_their_names() {
        let pairs = [
            (TermModifiers::SHIFT, sctui_app::input::KeyModifiers::SHIFT),
            (
                TermModifiers::CONTROL,
                sctui_app::input::KeyModifiers::CONTROL,
            ),
            (TermModifiers::ALT, sctui_app::input::KeyModifiers::ALT),
            (TermModifiers::SUPER, sctui_app::input::KeyModifiers::SUPER),
            (TermModifiers::HYPER, sctui_app::input::KeyModifiers::HYPER),
            (TermModifiers::META, sctui_app::input::KeyModifiers::META),
            (TermModifiers::NONE, sctui_app::input::KeyModifiers::NONE),
        ];
        for (term, core) in pairs {
            assert_eq!(modifiers(term), core, "{term:?}");
        }
        let ctrl_c = key_event(crossterm::event::KeyEvent::new(
            Term::Char('c'),
            TermModifiers::CONTROL,
        ));
        assert_eq!(
            ctrl_c,
            Some(sctui_app::input::KeyEvent::new(
                sctui_app::input::KeyCode::Char('c'),
                sctui_app::input::KeyModifiers::CONTROL
            ))
        );
        let caps = crossterm::event::KeyEvent::new(Term::CapsLock, TermModifiers::NONE);
        assert_eq!(key_event(caps), None);
    }
}
