//! Workspaces: the picker (`w`) with its list or a typed id, and starting over in another
//! workspace.

use super::edit::edit_line;
use super::list::start_load;
use super::{copy, info, open_workspace, problem_status};
use crate::advice::Problem;
use crate::input::KeyEvent;
use crate::keys::{Action, KeyMode};
use crate::output::{Effect, Output};
use crate::protocol::Command;
use crate::requests::Pending;
use crate::state::{Mode, State, WorkspaceChoice};
use sctui_graph::GraphError;
use sctui_graph::models::Workspace;
use tui_input::Input;

/// The picker's keys: move, copy an id, choose (switches), type an id, close.
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
            state.workspace_name = chosen.name;
            if chosen.id == state.workspace {
                return Output::none();
            }
            switch_workspace(state, chosen.id)
        }
        _ => Output::none(),
    }
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
                picker.error = Some(Problem::other(&format!("A workspace id {problem}")));
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

/// Starts over in another workspace: the list, conversations, filter and every request in flight
/// belong to the old one (asks and follows are stopped; late answers are dropped by epoch).
pub(super) fn switch_workspace(state: &mut State, id: String) -> Output {
    state.set_workspace(id.clone());
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
    let shown = state
        .workspace_name
        .as_ref()
        .unwrap_or(&state.workspace_shown);
    out.say(info(format!("Switched to workspace {shown}")));
    let remember_as = crate::output::workspace_memory_key(
        state.who == "demo",
        &state.settings.graph_url,
        state.settings.profile.as_deref(),
    );
    out.merge(open_workspace(state));
    out.effect(Effect::RememberWorkspace { id, remember_as });
    out.merge(start_load(state));
    out
}

/// The workspaces arrived: the picker selects the one in use (and learns its name); with none
/// listed, it asks for an id.
pub(super) fn on_workspaces(state: &mut State, workspaces: Vec<Workspace>) -> Output {
    if let Mode::PickingWorkspace(picker) = &mut state.mode {
        let workspaces: Vec<WorkspaceChoice> =
            workspaces.into_iter().map(WorkspaceChoice::new).collect();
        picker.selected = workspaces
            .iter()
            .position(|w| w.id.eq_ignore_ascii_case(&state.workspace))
            .unwrap_or(0);
        if let Some(current) = workspaces.get(picker.selected)
            && current.id.eq_ignore_ascii_case(&state.workspace)
        {
            state.workspace_name = current.name.clone();
        }
        if workspaces.is_empty() {
            picker.typed = Some(Input::default());
        }
        picker.workspaces = Some(workspaces);
    }
    Output::none()
}

/// The workspaces could not be listed: the picker stays open for a typed id.
pub(super) fn on_workspaces_failed(state: &mut State, error: &GraphError) -> Output {
    let problem = Problem::graph("Could not list workspaces", error.clone());
    let status = problem_status(&problem);
    if let Mode::PickingWorkspace(picker) = &mut state.mode {
        picker.workspaces = Some(Vec::new());
        picker.error = Some(problem);
        picker.typed = Some(Input::default());
    }
    Output::from(status)
}
