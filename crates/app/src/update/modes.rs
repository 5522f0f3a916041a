//! The smaller modes: sign-in popup, workspace picker, and the mouse.

use super::list::select;
use super::search::on_search_mouse;
use super::{copy, error_text, from_error, info, warning};
use crate::input::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use crate::keys::{Action, KeyMode};
use crate::layout;
use crate::output::{Effect, Output};
use crate::protocol::{Command, ExportError};
use crate::requests::Pending;
use crate::state::{Focus, LoggedMessage, Mode, Severity, State};
use sctui_graph::GraphError;
use sctui_graph::models::Session;

/// The absolute Graph URL of a session, for `Y`.
/// The session's Graph URL as the client builds it: workspace and id percent-encoded as path
/// segments (the caller has refused ids with control characters).
pub(super) fn session_graph_url(state: &State, id: &str) -> String {
    format!(
        "{}/security/securityCopilot/workspaces/{}/sessions/{}",
        state.settings.graph_url.trim_end_matches('/'),
        sctui_graph::ids::encode(&state.workspace),
        sctui_graph::ids::encode(id)
    )
}

/// The export picker: move, choose (the export starts, the format is remembered), close.
pub(super) fn on_export_picker_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::PickingExport(picker) = &mut state.mode else {
        return Output::none();
    };
    let last = crate::state::EXPORT_FORMATS.len() - 1;
    // the key that opened the picker closes it too
    let opener = state.settings.keymap.action_for(&key) == Some(Action::Export);
    match state.settings.keymap.action_in(KeyMode::Picker, &key) {
        Some(Action::PickClose) => state.mode = Mode::Browsing,
        _ if opener => state.mode = Mode::Browsing,
        Some(Action::PickDown) => picker.selected = (picker.selected + 1).min(last),
        Some(Action::PickUp) => picker.selected = picker.selected.saturating_sub(1),
        Some(Action::Choose) => {
            let format = crate::state::EXPORT_FORMATS[picker.selected.min(last)];
            let session = picker.session.clone();
            state.mode = Mode::Browsing;
            let mut out = start_export(state, session, format);
            if format != state.export_format {
                state.export_format = format;
                out.effect(Effect::RememberExportFormat { format });
            }
            return out;
        }
        _ => {}
    }
    Output::none()
}

/// Asks the worker to write `session` in `format` (from the store alone when offline).
fn start_export(state: &mut State, session: Session, format: crate::export::Format) -> Output {
    let path = state
        .settings
        .export_dir
        .join(crate::export::file_name(&session, format));
    let req = state.requests.start(Pending::Export);
    let command = if state.settings.offline {
        Command::ExportStored {
            req,
            session,
            path,
            format,
        }
    } else {
        Command::Export {
            req,
            session,
            path,
            format,
        }
    };
    Output::from(command).saying(info("Exporting…"))
}

/// The way out of a 404 while listing: a Graph URL without its version path, or a workspace
/// that does not exist (pick another with the workspaces key).
pub(super) fn not_found_hint(state: &State, error: &GraphError) -> Option<String> {
    let GraphError::Api(api) = error else {
        return None;
    };
    if api.status != 404 {
        return None;
    }
    if let Some(hint) = crate::hints::version_hint(&state.settings.graph_url) {
        return Some(hint);
    }
    let workspace = &state.workspace_shown;
    Some(match state.settings.keymap.first_key(Action::Workspaces) {
        Some(key) => format!("workspace {workspace} not found? Press {key} to pick another"),
        None => format!("workspace {workspace} not found? Start with --workspace ID"),
    })
}

/// The messages view: move, copy one message (with its time and request-id), close.
pub(super) fn on_messages_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Messages(view) = &mut state.mode else {
        return Output::none();
    };
    let count = state.messages.len();
    let opener = state.settings.keymap.action_for(&key) == Some(Action::Messages);
    match state.settings.keymap.action_in(KeyMode::Picker, &key) {
        Some(Action::PickClose) => state.mode = Mode::Browsing,
        _ if opener => state.mode = Mode::Browsing,
        Some(Action::PickDown) => view.selected = (view.selected + 1).min(count.saturating_sub(1)),
        Some(Action::PickUp) => view.selected = view.selected.saturating_sub(1),
        Some(Action::PickCopy | Action::Choose) => {
            let Some(logged) = state.messages.get(view.selected) else {
                return Output::none();
            };
            let text = message_text(logged, &state.settings.tz);
            return copy(text, "the message");
        }
        _ => {}
    }
    Output::none()
}

/// A logged message as one line of text: time, level, text and request-id.
pub fn message_text(logged: &LoggedMessage, tz: &jiff::tz::TimeZone) -> String {
    let time = logged.at.to_zoned(tz.clone()).strftime("%H:%M:%S");
    let level = match logged.message.severity {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    let mut text = format!("{time} {level}: {}", logged.message.text);
    if let Some(id) = &logged.message.request_id {
        text.push_str(&format!(" (request-id {id})"));
    }
    text
}

/// Mouse: a click selects a row or focuses the detail; the wheel scrolls the pane under it.
pub(super) fn on_mouse(state: &mut State, mouse: MouseEvent) -> Output {
    if state.settings.mouse && matches!(state.mode, Mode::Searching) {
        return on_search_mouse(state, mouse);
    }
    if !state.settings.mouse || !matches!(state.mode, Mode::Browsing) {
        return Output::none();
    }
    let screen = layout::screen_with(
        ratatui_core::layout::Rect::new(0, 0, state.viewport.0, state.viewport.1),
        crate::reader::detail_alone(state),
    );
    let at = ratatui_core::layout::Position::new(mouse.column, mouse.row);
    let in_list = screen.list.contains(at);
    let in_detail = screen.detail.is_some_and(|d| d.contains(at));
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if in_list => {
            state.focus = Focus::List;
            let first_row = screen.list.y + 1;
            if mouse.row < first_row || mouse.row >= screen.list.bottom().saturating_sub(1) {
                return Output::none();
            }
            let position = state.list.offset() + usize::from(mouse.row - first_row);
            if position < state.list.visible().len() {
                return select(state, position);
            }
            Output::none()
        }
        MouseEventKind::Down(MouseButton::Left) if in_detail => {
            if state.selected_entry().is_some() {
                state.focus = Focus::Detail;
            }
            Output::none()
        }
        MouseEventKind::ScrollDown if in_list => {
            select(state, state.list.selected().saturating_add(3))
        }
        MouseEventKind::ScrollUp if in_list => {
            select(state, state.list.selected().saturating_sub(3))
        }
        MouseEventKind::ScrollDown if in_detail => {
            crate::reader::scroll_by(state, 3);
            Output::none()
        }
        MouseEventKind::ScrollUp if in_detail => {
            crate::reader::scroll_by(state, -3);
            Output::none()
        }
        _ => Output::none(),
    }
}

/// The export was written.
pub(super) fn on_exported(path: &std::path::Path) -> Output {
    Output::from(info(format!("Exported to {}", path.display())))
}

/// The export failed: Graph's answer, the file, or (offline) a conversation never stored.
pub(super) fn on_export_failed(error: &ExportError) -> Output {
    Output::from(match error {
        ExportError::Graph(e) => from_error("Export failed", e),
        ExportError::Write { .. } => error_text(format!("Export failed: {error}")),
        ExportError::NotStored => warning(
            "Not exported: this conversation is not in the local store (offline, only \
             what was stored can be exported)",
        ),
    })
}
