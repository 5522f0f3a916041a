//! The one place state changes: `update(state, msg) -> Output` (worker requests and runtime
//! effects). Pure: no I/O, no clock (time arrives in messages), no async, so every behaviour is a
//! unit test.

use crate::input::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use jiff::Timestamp;

use super::layout;
use super::output::{Effect, Output, StatusChange};
use super::requests::Pending;
use super::state::{
    ExportPicker, Focus, HelpView, LoggedMessage, MESSAGES_KEPT, MessagesView, Mode, Severity,
    State, StatusKind, StatusMessage, WorkspacePicker,
};
use crate::advice::Problem;
use crate::keys::{Action, KeyMode};
use crate::protocol::{Command, Event};
use crate::sanitize::CleanLine;
use sctui_graph::{GraphError, RetryNotice};

mod ask;
mod conversations;
mod edit;
mod events;
mod list;
mod modes;
mod offline;
mod prefetch;
mod reader;
mod runs;
mod search;
mod sign_in;
mod stored;
mod sync;
mod workspaces;

#[cfg(test)]
mod bulk_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod runs_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod stored_tests;

use ask::{retry_selected, stop_following_selected};
use conversations::load_selected_conversation;
use edit::{
    on_create_key, on_edited, on_paste, on_rename_key, open_prompt_box, restore_deferred,
    start_rename,
};
use events::on_event;
use list::{load_everything, on_filter_key, rows, select, start_load};
use modes::{on_export_picker_key, on_messages_key, on_mouse, session_graph_url};
use offline::{needs_graph, offline_refusal, on_reconnect};
use prefetch::prefetch_neighbours;
use reader::{on_detail_action, on_find_key, on_reader_action};
use runs::{on_confirm_key, on_runs_action};
use search::{on_search_key, open_search};
use sign_in::{on_sign_in_key, start_sign_in};
use sync::start_sync;
use workspaces::on_picker_key;

pub use modes::message_text;
pub use search::SEARCH_LIMIT;

/// Everything that can change the state.
// Worker events are large but each is moved once into `update`, never stored: no need to box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    /// A key press (the runtime drops release/repeat events).
    Key(KeyEvent),
    /// Text pasted into the terminal.
    Paste(String),
    /// Something the worker reports.
    Worker(Event),
    /// Spinner frame (sent only while something is in flight), with the time it turned.
    Tick(Timestamp),
    /// Wall clock moved on; relative times follow it.
    Clock(Timestamp),
    /// The terminal was resized.
    Resize(u16, u16),
    /// The selection stayed put for a moment: load what the detail pane needs.
    Settled,
    /// A mouse click or wheel turn (only sent when the mouse is on).
    Mouse(MouseEvent),
    /// The runtime copied `what` (see `Command::CopyToClipboard`), this way.
    Copied {
        what: String,
        copied: super::output::Copied,
    },
    /// The external editor closed: the text it left, or why it could not run.
    Edited(Result<String, String>),
    /// The system's opener was run on `url`: whether it started.
    Opened {
        url: String,
        result: Result<(), String>,
    },
    /// The reconnect timer fired: Graph could not be reached at start, try the list again.
    Reconnect,
}

/// What to ask for when the app starts: the first page, or the sign-in when there is no token.
/// The workspace is opened first (its stored list shows while Graph is asked).
pub fn init(state: &mut State) -> Output {
    let mut out = open_workspace(state);
    if state.settings.offline {
        // the stored list is all there is; nothing is asked of Graph
    } else if !state.signed_in {
        out.merge(start_sign_in(state));
    } else {
        out.merge(start_load(state));
    }
    set_status(state, out.status.take());
    out
}

/// Opens the state's workspace at the worker: the commands issued after this one belong to it.
fn open_workspace(state: &mut State) -> Output {
    let req = state.requests.start(Pending::StoredList);
    Command::OpenWorkspace {
        req,
        workspace: state.workspace.clone(),
    }
    .into()
}

/// Applies one message and returns the work for the worker and the runtime. The status line
/// changes here only, from what the message's handler asked for.
pub fn update(state: &mut State, msg: Msg) -> Output {
    let mut out = dispatch(state, msg);
    restore_deferred(state);
    crate::reader::refresh_layout(state);
    set_status(state, out.status.take());
    out
}

/// Sets the status line. Every new message goes into the run's log (the messages view); an info
/// message leaves the status line once it is `INFO_SECONDS` old.
fn set_status(state: &mut State, change: Option<StatusChange>) {
    match change {
        Some(StatusChange::Show(message)) if state.status.as_ref() != Some(&message) => {
            state.status_since = state.now;
            if state.messages.len() >= MESSAGES_KEPT {
                state.messages.remove(0);
            }
            state.messages.push(LoggedMessage {
                at: state.now,
                message: message.clone(),
            });
            state.status = Some(message);
        }
        Some(StatusChange::Show(_)) | None => {}
        Some(StatusChange::Clear) => state.status = None,
    }
    if let Some(secs) = state
        .status
        .as_ref()
        .and_then(|s| s.severity.expires_after_secs())
        && state.now.as_second() - state.status_since.as_second() >= secs
    {
        state.status = None;
    }
}

fn dispatch(state: &mut State, msg: Msg) -> Output {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Worker(event) => on_event(state, event),
        Msg::Tick(now) => {
            state.now = now;
            state.spinner_frame = state.spinner_frame.wrapping_add(1);
            Output::none()
        }
        Msg::Clock(now) => {
            state.now = now;
            Output::none()
        }
        Msg::Reconnect => on_reconnect(state),
        Msg::Resize(w, h) => {
            state.viewport = (w, h);
            let rows = rows(state);
            state.list.keep_in_view(rows);
            Output::none()
        }
        Msg::Settled => {
            let mut out = load_selected_conversation(state);
            if !state.settings.offline {
                out.merge(prefetch_neighbours(state));
            }
            out
        }
        Msg::Mouse(mouse) => on_mouse(state, mouse),
        Msg::Copied { what, copied } => Output::from(copied_status(&what, &copied)),
        Msg::Edited(result) => on_edited(state, result),
        Msg::Opened { url, result } => Output::from(match result {
            Ok(()) => info(format!("Opened {url}")),
            Err(e) => error_text(format!("Could not open {url}: {e}")),
        }),
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Output {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return Effect::Quit.into();
    }
    match &mut state.mode {
        Mode::Help(_) => on_help_key(state, key),
        Mode::Creating(_) => on_create_key(state, key),
        Mode::PickingWorkspace(_) => on_picker_key(state, key),
        Mode::PickingExport(_) => on_export_picker_key(state, key),
        Mode::Messages(_) => on_messages_key(state, key),
        Mode::SigningIn(_) => on_sign_in_key(state, key),
        Mode::Renaming(_) => on_rename_key(state, key),
        Mode::Filtering => on_filter_key(state, key),
        Mode::Finding => on_find_key(state, key),
        Mode::Searching => on_search_key(state, key),
        Mode::Confirming(_) => on_confirm_key(state, key),
        Mode::Browsing => {
            // a key press dismisses an info message (what the key does may say another)
            let mut out = Output::none();
            if showing_info(state) {
                out.clear_status();
            }
            out.merge(on_browsing_key(state, key));
            out
        }
    }
}

/// Whether the status line shows an info message (one a key press dismisses).
fn showing_info(state: &State) -> bool {
    state
        .status
        .as_ref()
        .is_some_and(|s| s.severity == Severity::Info)
}

/// A key while browsing: the detail pane's keys when it has the focus, else the list's.
fn on_browsing_key(state: &mut State, key: KeyEvent) -> Output {
    if state.focus == Focus::Detail
        && let Some(action) = state.settings.keymap.action_in(KeyMode::Detail, &key)
        && let Some(out) = on_detail_action(state, action).or_else(|| on_runs_action(state, action))
    {
        return out;
    }
    match state.settings.keymap.action_for(&key) {
        Some(action) => on_list_action(state, action),
        None => Output::none(),
    }
}

/// The help overlay's keys: scroll (as far as the last row, wrapped as drawn at this size),
/// close.
fn on_help_key(state: &mut State, key: KeyEvent) -> Output {
    let action = state.settings.keymap.action_in(KeyMode::Help, &key);
    let max = crate::help::layout(state, state.viewport).max_scroll();
    let Mode::Help(view) = &mut state.mode else {
        return Output::none();
    };
    match action {
        Some(Action::HelpClose) => state.mode = Mode::Browsing,
        Some(Action::HelpDown) => view.scroll = (view.scroll + 1).min(max),
        Some(Action::HelpUp) => view.scroll = view.scroll.saturating_sub(1),
        _ => {}
    }
    Output::none()
}

fn on_list_action(state: &mut State, action: Action) -> Output {
    let step = page_step(state);
    if state.settings.offline
        && let Some(what) = needs_graph(action)
    {
        return Output::from(offline_refusal(what));
    }
    match action {
        Action::MoveDown => select(state, state.list.selected().saturating_add(1)),
        Action::MoveUp => select(state, state.list.selected().saturating_sub(1)),
        Action::PageDown => select(state, state.list.selected().saturating_add(step)),
        Action::PageUp => select(state, state.list.selected().saturating_sub(step)),
        Action::First => select(state, 0),
        Action::Last => {
            let mut out = load_everything(state);
            out.merge(select(state, usize::MAX));
            out
        }
        Action::FocusDetail => {
            if state.selected_entry().is_some() {
                state.focus = Focus::Detail;
            }
            Output::none()
        }
        Action::FocusList => peel_one_layer(state),
        Action::Rename => start_rename(state),
        Action::Create => {
            state.focus = Focus::List;
            open_prompt_box(state, None);
            Output::none()
        }
        Action::Ask => ask_in_selected(state),
        Action::Retry => retry_selected(state),
        Action::Messages => {
            state.mode = Mode::Messages(MessagesView {
                selected: state.messages.len().saturating_sub(1),
            });
            Output::none()
        }
        Action::Export => open_export_picker(state),
        Action::Refresh if !state.signed_in => start_sign_in(state),
        Action::Refresh => refresh(state),
        Action::Filter => {
            state.focus = Focus::List;
            state.mode = Mode::Filtering;
            Output::none()
        }
        Action::Help => {
            state.mode = Mode::Help(HelpView::default());
            Output::none()
        }
        Action::CopyId => copy_selected(state, CopyWhat::Id),
        Action::CopyUrl => copy_selected(state, CopyWhat::GraphUrl),
        Action::Sort => sort_next(state),
        Action::Workspaces => {
            state.mode = Mode::PickingWorkspace(WorkspacePicker::default());
            let req = state.requests.start(Pending::Workspaces);
            Command::LoadWorkspaces { req }.into()
        }
        Action::Search => open_search(state),
        Action::Sync => start_sync(state),
        Action::Quit => Effect::Quit.into(),
        Action::Zoom
        | Action::NextQuestion
        | Action::PrevQuestion
        | Action::CopyAnswer
        | Action::CopyCodeBlock => on_reader_action(state, action),
        // the other modes' actions never reach the list
        _ => Output::none(),
    }
}

/// `Esc` in the list peels one layer: a message, then a kept filter, then a followed answer.
fn peel_one_layer(state: &mut State) -> Output {
    state.focus = Focus::List;
    // an info message went with the key press already
    if state.status.is_some() && !showing_info(state) {
        let mut out = Output::none();
        out.clear_status();
        return out;
    }
    if !state.list.filter().value().is_empty() {
        let rows = rows(state);
        state.list.clear_filter(rows);
        return Output::none();
    }
    stop_following_selected(state)
}

/// Opens the prompt box for a follow-up in the selected session.
fn ask_in_selected(state: &mut State) -> Output {
    let Some(entry) = state.selected_entry() else {
        let new = state
            .settings
            .keymap
            .hint_key(Action::Create)
            .map(|key| format!(", or press {key} for a new one"))
            .unwrap_or_default();
        return warning(format!("Select a session to ask in{new}")).into();
    };
    let target = entry.session.clone();
    open_prompt_box(state, Some(target));
    Output::none()
}

/// Opens the export picker on the selected session, the format chosen last time first.
fn open_export_picker(state: &mut State) -> Output {
    let Some(entry) = state.selected_entry() else {
        return warning("Nothing to export: no session selected").into();
    };
    let session = entry.session.clone();
    let selected = crate::state::EXPORT_FORMATS
        .iter()
        .position(|f| *f == state.export_format)
        .unwrap_or(0);
    state.mode = Mode::PickingExport(ExportPicker { session, selected });
    Output::none()
}

/// Loads the list again from its first page; the message goes when that page lands.
fn refresh(state: &mut State) -> Output {
    let mut out = Output::from(StatusMessage {
        kind: StatusKind::Refreshing,
        ..info("Refreshing…")
    });
    out.merge(start_load(state));
    out
}

/// What of the selected session the copy keys copy.
#[derive(Clone, Copy)]
enum CopyWhat {
    Id,
    GraphUrl,
}

/// Copies the selected session's id or Graph URL.
fn copy_selected(state: &mut State, what: CopyWhat) -> Output {
    let Some(entry) = state.selected_entry() else {
        return warning("Nothing to copy: no session selected").into();
    };
    let id = entry.session.id.clone();
    // Copy exactly what is shown: an id holding a control or invisible character (a newline and
    // a shell command, say) is refused rather than cleaned for the status line and pasted raw.
    if id.chars().any(crate::sanitize::is_hazard) {
        return warning("Not copied: this session's id holds control or invisible characters")
            .into();
    }
    match what {
        CopyWhat::Id => copy(id, "the session id"),
        CopyWhat::GraphUrl => copy(session_graph_url(state, &id), "the Graph URL"),
    }
}

/// Sorts the list by the next order; an order is only true over every session, so the rest
/// loads in big pages.
fn sort_next(state: &mut State) -> Output {
    let order = state.list.sort().next();
    let rows = rows(state);
    state.list.set_sort(order, rows);
    let mut out = Output::from(info(format!("Sorted by {}", order.label())));
    out.merge(load_everything(state));
    out
}

/// Asks the runtime to copy `text`; the status says how it went once it answers.
pub(super) fn copy(text: String, what: &str) -> Output {
    Effect::Copy {
        text,
        what: what.to_string(),
    }
    .into()
}

/// What the status line says after a copy: no more than is known.
fn copied_status(what: &str, copied: &super::output::Copied) -> StatusMessage {
    use super::output::Copied;
    match copied {
        Copied::Program(program) => info(format!("Copied {what} to the clipboard ({program})")),
        Copied::Osc52 { tmux: false } => info(format!(
            "Sent {what} to the terminal's clipboard (OSC 52; some terminals ignore it)"
        )),
        Copied::Osc52 { tmux: true } => info(format!(
            "Sent {what} to tmux's clipboard (OSC 52; tmux passes it on with set-clipboard on)"
        )),
        Copied::Passthrough => info(format!(
            "Sent {what} through tmux to the terminal's clipboard (OSC 52 passthrough)"
        )),
        Copied::TmuxDrops => warning(format!(
            "Could not copy {what}: this tmux ignores OSC 52 (`tmux set -g set-clipboard on` \
             lets it through)"
        )),
        Copied::Failed(reason) => error_text(format!("Could not copy {what}: {reason}")),
    }
}

pub(super) fn page_step(state: &State) -> usize {
    layout::list_rows(state.viewport).saturating_sub(1).max(1)
}

pub(super) fn info(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: CleanLine::new(text.into()),
        severity: Severity::Info,
        request_id: None,
        kind: StatusKind::General,
    }
}

pub(super) fn warning(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: CleanLine::new(text.into()),
        severity: Severity::Warning,
        request_id: None,
        kind: StatusKind::General,
    }
}

pub(super) fn error_text(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: CleanLine::new(text.into()),
        severity: Severity::Error,
        request_id: None,
        kind: StatusKind::General,
    }
}

/// An error status with context; Graph's request-id (users need it for support) goes apart, for
/// the status line to show on its own.
pub fn from_error(context: &str, error: &GraphError) -> StatusMessage {
    problem_status(&Problem::graph(context, error.clone()))
}

/// The status line's message for `problem`, its request-id apart.
pub(super) fn problem_status(problem: &Problem) -> StatusMessage {
    StatusMessage {
        text: problem.words().clone(),
        severity: Severity::Error,
        request_id: problem.request_id().map(str::to_string),
        kind: StatusKind::General,
    }
}

pub(super) fn retry_text(notice: &RetryNotice) -> String {
    let secs = notice.wait.as_secs_f64().ceil() as u64;
    match notice.status {
        Some(429) => format!("throttled, retrying in {secs} s"),
        Some(code) => format!("service unavailable ({code}), retrying in {secs} s"),
        None => format!("network error, retrying in {secs} s"),
    }
}
