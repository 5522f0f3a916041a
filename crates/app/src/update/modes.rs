//! The smaller modes: sign-in popup, workspace picker, and the mouse.

use super::edit::edit_line;
use super::list::{select, start_load};
use super::search::on_search_mouse;
use super::{copy, info, open_workspace, warning};
use crate::input::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use crate::keys::{Action, KeyMode};
use crate::layout;
use crate::output::{Effect, Output};
use crate::protocol::Command;
use crate::requests::Pending;
use crate::state::{Focus, LoggedMessage, Mode, Severity, SignInPopup, State};
use sctui_graph::GraphError;
use sctui_graph::models::Session;
use tui_input::Input;

pub(super) fn start_sign_in(state: &mut State) -> Output {
    state.mode = Mode::SigningIn(SignInPopup::default());
    state
        .requests
        .finish_where(|p| matches!(p, Pending::SignIn));
    let req = state.requests.start(Pending::SignIn);
    Command::StartSignIn { req }.into()
}

pub(super) fn on_sign_in_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::SigningIn(popup) = &state.mode else {
        return Output::none();
    };
    match state.settings.keymap.action_in(KeyMode::SignIn, &key) {
        Some(Action::CopyCode) => match popup.user_code.clone() {
            Some(code) if code.chars().any(crate::sanitize::is_hazard) => {
                state.status = Some(warning(
                    "Not copied: the sign-in code holds control or invisible characters",
                ));
                Output::none()
            }
            Some(code) => copy(code, "the sign-in code"),
            None => Output::none(),
        },
        Some(Action::SignInRetry) if popup.error.is_some() => start_sign_in(state),
        Some(Action::SignInCancel) => {
            let waiting = popup.error.is_none();
            state.mode = Mode::Browsing;
            let keys = &state.settings.keymap;
            let sign_in = keys.press(Action::Refresh, "sign in");
            let quit = keys
                .hint_key(Action::Quit)
                .map(|key| format!(", {key} to quit"))
                .unwrap_or_default();
            state.status = Some(warning(format!("Not signed in{sign_in}{quit}")));
            if waiting {
                state
                    .requests
                    .finish_where(|p| matches!(p, Pending::SignIn));
                return Command::CancelSignIn.into();
            }
            Output::none()
        }
        Some(Action::SignInQuit) => {
            let mut out = Output::from(Command::CancelSignIn);
            out.effect(Effect::Quit);
            out
        }
        _ => Output::none(),
    }
}

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

pub(super) fn on_picker_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::PickingWorkspace(picker) = &mut state.mode else {
        return Output::none();
    };
    if picker.typed.is_some() {
        return on_typed_workspace_key(state, key);
    }
    let count = picker.workspaces.as_ref().map_or(0, Vec::len);
    let action = state.settings.keymap.action_in(KeyMode::Picker, &key);
    // the key that opened the picker closes it too
    let opener = state.settings.keymap.action_for(&key) == Some(Action::Workspaces);
    match action {
        Some(Action::TypeId) => {
            picker.typed = Some(Input::default());
            Output::none()
        }
        Some(Action::PickClose) => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        _ if opener => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        Some(Action::PickDown) => {
            picker.selected = (picker.selected + 1).min(count.saturating_sub(1));
            Output::none()
        }
        Some(Action::PickUp) => {
            picker.selected = picker.selected.saturating_sub(1);
            Output::none()
        }
        Some(Action::PickCopy) => {
            let Some(id) = picker
                .workspaces
                .as_ref()
                .and_then(|w| w.get(picker.selected))
                .map(|w| w.id.clone())
            else {
                return Output::none();
            };
            copy(id, "the workspace id")
        }
        Some(Action::Choose) => {
            let Some(chosen) = picker
                .workspaces
                .as_ref()
                .and_then(|w| w.get(picker.selected))
                .cloned()
            else {
                return Output::none();
            };
            state.mode = Mode::Browsing;
            if chosen.id == state.workspace {
                state.workspace_name = chosen.display_name;
                return Output::none();
            }
            state.workspace_name = chosen.display_name;
            switch_workspace(state, chosen.id)
        }
        _ => Output::none(),
    }
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
    state.status = Some(info("Exporting…"));
    if state.settings.offline {
        return Command::ExportStored {
            req,
            session,
            path,
            format,
        }
        .into();
    }
    Command::Export {
        req,
        session,
        path,
        format,
    }
    .into()
}

/// Typing a workspace id in the picker, with the editors' keys: submit switches to it, cancel
/// goes back to the list (or closes the picker when there is no list to go back to).
fn on_typed_workspace_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::PickingWorkspace(picker) = &mut state.mode else {
        return Output::none();
    };
    let Some(input) = &mut picker.typed else {
        return Output::none();
    };
    match state.settings.keymap.action_in(KeyMode::Editor, &key) {
        Some(Action::Cancel) => {
            if picker.workspaces.as_ref().is_some_and(|w| !w.is_empty()) {
                picker.typed = None;
                picker.error = None;
            } else {
                state.mode = Mode::Browsing;
            }
            Output::none()
        }
        Some(Action::Submit) => {
            let id = input.value().trim().to_string();
            if let Some(problem) = crate::hints::id_problem(&id) {
                picker.error = Some(format!("A workspace id {problem}"));
                return Output::none();
            }
            state.mode = Mode::Browsing;
            if id == state.workspace {
                return Output::none();
            }
            state.workspace_name = None;
            switch_workspace(state, id)
        }
        action => {
            edit_line(input, action, &key);
            Output::none()
        }
    }
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
    let workspace = crate::sanitize::sanitize_line(&state.workspace);
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

/// Starts over in another workspace: the list, conversations, filter and every request in flight
/// belong to the old one (asks and follows are stopped; late answers are dropped by epoch).
pub(super) fn switch_workspace(state: &mut State, id: String) -> Output {
    state.workspace = id.clone();
    state.list.clear();
    state.conversations.clear();
    crate::reader::reset(state);
    state.paging = crate::state::Paging::default();
    let mut out = Output::none();
    for (req, pending) in state.requests.new_epoch() {
        if matches!(pending, Pending::Ask { .. } | Pending::Follow { .. }) {
            out.push(Command::StopFollow { req });
        }
        if matches!(pending, Pending::Sync) {
            out.push(Command::StopSync { req });
        }
    }
    // the search view's hits, a sync's gauge and the tries to reach Graph were the old one's
    state.search = Default::default();
    state.sync = None;
    state.reconnect = Default::default();
    // the name the picker showed, when it showed one (a typed id has none)
    let shown = state.workspace_name.as_deref().unwrap_or(&id);
    let shown = crate::sanitize::sanitize_line(shown);
    state.status = Some(info(format!("Switched to workspace {shown}")));
    let remember_as = super::super::output::workspace_memory_key(
        state.who == "demo",
        &state.settings.graph_url,
        state.settings.profile.as_deref(),
    );
    out.merge(open_workspace(state));
    out.effect(Effect::RememberWorkspace { id, remember_as });
    out.merge(start_load(state));
    out
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
