//! What one `update` asks for: requests for the worker and effects for the runtime. `update`
//! itself does nothing but change the state; the runtime dispatches these.

use crate::protocol::Command;
use crate::state::StatusMessage;

/// Something the runtime does that is not Graph: it owns the terminal, the timers and the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Put `text` on the clipboard; the runtime answers with `Msg::Copied` naming `what` and the
    /// path it took.
    Copy { text: String, what: String },
    /// Edit `text` in `$VISUAL`/`$EDITOR` with the terminal suspended; the runtime answers with
    /// `Msg::Edited`.
    Edit(String),
    /// Remember the workspace for the next start, under `remember_as` (the Graph URL, or `demo`).
    RememberWorkspace { id: String, remember_as: String },
    /// Remember the export format chosen in the TUI, offered first at the next start.
    RememberExportFormat { format: crate::export::Format },
    /// Arm a timer; its message comes back when it fires (re-arming restarts it).
    Arm(Timer),
    /// Open `url` (an `http(s)`/`mailto` address from an answer) with the system's opener, off
    /// the UI task; the runtime answers with `Msg::Opened`.
    OpenLink { url: String },
    /// Leave the app (the terminal is restored).
    Quit,
}

/// How a copy went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    /// A local clipboard program took the text and exited successfully.
    Program(&'static str),
    /// OSC 52 was written; the terminal (or tmux with `set-clipboard`) may or may not honour it.
    Osc52 {
        /// Inside tmux (which forwards or keeps it when `set-clipboard` is on).
        tmux: bool,
    },
    /// OSC 52 wrapped in tmux passthrough (tmux's `set-clipboard` is off).
    Passthrough,
    /// Inside tmux with `set-clipboard` not `on` and `allow-passthrough` off: OSC 52 was sent
    /// anyway, but tmux ignores it.
    TmuxDrops,
    /// Nothing could be copied.
    Failed(String),
}

/// The timers `update` can arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The selection changed: send `Msg::Settled` once it has stayed put briefly, so holding `j`
    /// does not load every conversation on the way.
    Settle,
    /// Graph could not be reached at start: send `Msg::Reconnect` after `secs` seconds.
    Reconnect { secs: u64 },
}

/// What a picked workspace is remembered under: the Graph URL (or `demo`), plus the profile,
/// since two tenants share one Graph URL.
pub fn workspace_memory_key(demo: bool, graph_url: &str, profile: Option<&str>) -> String {
    let target = if demo { "demo" } else { graph_url };
    match profile {
        Some(profile) => format!("{target} profile={profile}"),
        None => target.to_string(),
    }
}

/// What the status line says next, when something changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// A new message (logged for the messages view).
    Show(StatusMessage),
    /// The message is dismissed.
    Clear,
}

/// The result of one `update`: worker requests and runtime effects, in the order they arose.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Output {
    /// Requests for the worker.
    pub commands: Vec<Command>,
    /// Effects for the runtime.
    pub effects: Vec<Effect>,
    /// What the status line is to say: the last change asked for wins. `update` sets the status
    /// line from it, once, at its end (the one place it changes), so it never leaves `update`.
    pub status: Option<StatusChange>,
}

impl Output {
    /// Nothing to do.
    pub fn none() -> Self {
        Self::default()
    }

    /// Appends everything `other` asks for (its status change, when it has one, comes last).
    pub fn merge(&mut self, other: Output) {
        self.commands.extend(other.commands);
        self.effects.extend(other.effects);
        if other.status.is_some() {
            self.status = other.status;
        }
    }

    /// Has the status line say `message` (over any change asked for before).
    pub fn say(&mut self, message: StatusMessage) {
        self.status = Some(StatusChange::Show(message));
    }

    /// Has the status line dismiss its message.
    pub fn clear_status(&mut self) {
        self.status = Some(StatusChange::Clear);
    }

    /// This output, then `message` on the status line.
    pub fn saying(mut self, message: StatusMessage) -> Self {
        self.say(message);
        self
    }

    /// Adds one worker request.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Adds one effect.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Whether `update` asked for nothing.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty() && self.effects.is_empty() && self.status.is_none()
    }
}

impl From<StatusMessage> for Output {
    fn from(message: StatusMessage) -> Self {
        Self {
            status: Some(StatusChange::Show(message)),
            ..Self::default()
        }
    }
}

impl From<Command> for Output {
    fn from(command: Command) -> Self {
        Self {
            commands: vec![command],
            ..Self::default()
        }
    }
}

impl From<Effect> for Output {
    fn from(effect: Effect) -> Self {
        Self {
            effects: vec![effect],
            ..Self::default()
        }
    }
}

impl From<Vec<Command>> for Output {
    fn from(commands: Vec<Command>) -> Self {
        Self {
            commands,
            ..Self::default()
        }
    }
}
