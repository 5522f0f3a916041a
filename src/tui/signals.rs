//! Signals and the terminal while the TUI owns it: every terminating signal (SIGINT, SIGQUIT,
//! SIGTERM, SIGHUP) ends the event loop so the terminal is restored, and the process then exits
//! with 128 + the signal's number, as a shell expects; Ctrl-Z and SIGTSTP suspend (terminal
//! restored, process stopped) and SIGCONT re-enters the TUI and redraws it whole. Without a
//! terminal the TUI does not start at all: [`NoTerminal`], exit 2, pointing at the CLI.
//!
//! The runtime hooks this in with [`Signals::recv`] in its `select!`, [`is_suspend_key`] for
//! Ctrl-Z (in raw mode the terminal sends it as a key, not a signal), [`suspend`], and
//! [`terminated`] as its error when a signal ended it.

use std::io::{self, IsTerminal};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a signal asks of the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalAction {
    /// Restore the terminal and exit with 128 + this signal number.
    Terminate(i32),
    /// Restore the terminal and stop until SIGCONT (Ctrl-Z, `kill -TSTP`).
    Suspend,
}

/// The runtime's error when a signal ended it; the CLI turns it into exit code 128 + signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("terminated by signal {0}")]
pub struct Terminated(pub i32);

impl Terminated {
    /// The exit code a shell expects after this signal.
    pub fn exit_code(self) -> u8 {
        u8::try_from(128 + self.0).unwrap_or(u8::MAX)
    }
}

/// The TUI's error when there is no terminal to draw on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the TUI needs a terminal, and {0}; for scripts use the subcommands \
     (`sctui sessions list`, `sctui ask …`; `sctui --help` lists them)"
)]
pub struct NoTerminal(pub String);

/// The io error for a run ended by `signal`.
pub fn terminated(signal: i32) -> io::Error {
    io::Error::other(Terminated(signal))
}

/// Whether a run ended by a signal should stay silent (the shell reports signals itself).
pub fn is_terminated(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<Terminated>().is_some())
}

/// Checks that there is a terminal before the TUI takes it over.
pub fn check_terminal() -> io::Result<()> {
    if !io::stdout().is_terminal() {
        return Err(io::Error::other(NoTerminal(
            "standard output is not a terminal".into(),
        )));
    }
    Ok(())
}

/// Sets the terminal up for the TUI (raw mode, alternate screen, bracketed paste, mouse), or says
/// clearly why it cannot.
pub fn enter(mouse: bool) -> io::Result<ratatui::DefaultTerminal> {
    check_terminal()?;
    let terminal = ratatui::try_init()
        .map_err(|e| io::Error::other(NoTerminal(format!("it cannot be set up ({e})"))))?;
    reenable(mouse);
    Ok(terminal)
}

fn reenable(mouse: bool) {
    let _ = crossterm::execute!(io::stdout(), crossterm::event::EnableBracketedPaste);
    if mouse {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture);
    }
}

/// Gives the terminal back as it was: mouse capture off, bracketed paste off, cooked mode with
/// echo, main screen, cursor shown.
pub fn leave(mouse: bool) {
    if mouse {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableMouseCapture);
    }
    let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    let _ = crossterm::execute!(io::stdout(), crossterm::cursor::Show);
}

/// Ctrl-Z, which raw mode delivers as a key.
pub fn is_suspend_key(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('z' | 'Z'))
}

/// Suspends like a shell job: restores the terminal, stops the process, and when it is continued
/// (`fg`, SIGCONT) sets the terminal up again and forces a full redraw.
pub fn suspend(terminal: &mut ratatui::DefaultTerminal, mouse: bool) -> io::Result<()> {
    leave(mouse);
    #[cfg(unix)]
    {
        // SIGSTOP, not SIGTSTP: our own SIGTSTP handler would only call us again.
        signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
    }
    // Here after SIGCONT.
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    reenable(mouse);
    // Forget what was on screen, so the next draw paints every cell. (`Terminal::clear` would
    // ask the terminal for the cursor position, which races the event reader here.)
    terminal.swap_buffers();
    Ok(())
}

/// The signals the TUI listens to while it runs.
pub struct Signals {
    #[cfg(unix)]
    streams: Vec<(SignalAction, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Installs the handlers (from now until the process ends, as tokio's are).
    pub fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP};
            use tokio::signal::unix::{SignalKind, signal};
            let mut streams = Vec::new();
            for number in [SIGINT, SIGQUIT, SIGTERM, SIGHUP] {
                streams.push((
                    SignalAction::Terminate(number),
                    signal(SignalKind::from_raw(number))?,
                ));
            }
            streams.push((
                SignalAction::Suspend,
                signal(SignalKind::from_raw(SIGTSTP))?,
            ));
            Ok(Self { streams })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// The next signal's action.
    pub async fn recv(&mut self) -> SignalAction {
        #[cfg(unix)]
        {
            let waits = self.streams.iter_mut().map(|(action, stream)| {
                let action = *action;
                Box::pin(async move {
                    stream.recv().await;
                    action
                })
            });
            futures::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            std::future::pending::<SignalAction>().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctrl_z_is_the_suspend_key() {
        assert!(is_suspend_key(&KeyEvent::new(
            KeyCode::Char('z'),
            KeyModifiers::CONTROL
        )));
        assert!(!is_suspend_key(&KeyEvent::new(
            KeyCode::Char('z'),
            KeyModifiers::NONE
        )));
    }
}
