//! The smaller modes: sign-in popup, workspace picker, and the mouse.

use super::*;

pub(super) fn start_sign_in(state: &mut State) -> Vec<Command> {
    state.mode = Mode::SigningIn(SignInPopup::default());
    state.in_flight += 1;
    vec![Command::StartSignIn]
}

pub(super) fn on_sign_in_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Mode::SigningIn(popup) = &state.mode else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Char('y') => match popup.user_code.clone() {
            Some(code) => {
                state.status = Some(info("Copied the sign-in code to the clipboard"));
                vec![Command::CopyToClipboard { text: code }]
            }
            None => Vec::new(),
        },
        KeyCode::Enter | KeyCode::Char('R') if popup.error.is_some() => start_sign_in(state),
        KeyCode::Esc => {
            let waiting = popup.error.is_none();
            state.mode = Mode::Browsing;
            state.status = Some(warning("Not signed in: press R to sign in, q to quit"));
            if waiting {
                state.in_flight = state.in_flight.saturating_sub(1);
                return vec![Command::CancelSignIn];
            }
            Vec::new()
        }
        KeyCode::Char('q') => {
            state.should_quit = true;
            vec![Command::CancelSignIn]
        }
        _ => Vec::new(),
    }
}

/// The absolute Graph URL of a session, for `Y`.
pub(super) fn session_graph_url(state: &State, id: &str) -> String {
    format!(
        "{}/security/securityCopilot/workspaces/{}/sessions/{id}",
        state.graph_url.trim_end_matches('/'),
        state.workspace
    )
}

pub(super) fn on_picker_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Mode::PickingWorkspace(picker) = &mut state.mode else {
        return Vec::new();
    };
    let count = picker.workspaces.as_ref().map_or(0, Vec::len);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('w') => {
            state.mode = Mode::Browsing;
            Vec::new()
        }
        KeyCode::Down | KeyCode::Char('j') => {
            picker.selected = (picker.selected + 1).min(count.saturating_sub(1));
            Vec::new()
        }
        KeyCode::Up | KeyCode::Char('k') => {
            picker.selected = picker.selected.saturating_sub(1);
            Vec::new()
        }
        KeyCode::Enter => {
            let Some(chosen) = picker
                .workspaces
                .as_ref()
                .and_then(|w| w.get(picker.selected))
                .cloned()
            else {
                return Vec::new();
            };
            state.mode = Mode::Browsing;
            if chosen.id == state.workspace {
                state.workspace_name = chosen.display_name;
                return Vec::new();
            }
            state.workspace_name = chosen.display_name;
            switch_workspace(state, chosen.id)
        }
        _ => Vec::new(),
    }
}

/// Starts over in another workspace: the list, conversations and filter belong to the old one.
pub(super) fn switch_workspace(state: &mut State, id: String) -> Vec<Command> {
    state.workspace = id.clone();
    state.sessions.clear();
    state.index.clear();
    state.visible.clear();
    state.conversations.clear();
    state.selected = 0;
    state.list_offset = 0;
    state.detail_scroll = 0;
    state.filter = Input::default();
    state.paging = crate::tui::app::state::Paging {
        generation: state.paging.generation,
        ..Default::default()
    };
    state.status = Some(info(format!("Switched to workspace {id}")));
    let remember_as = crate::config::workspace_memory_key(
        state.who == "demo",
        &state.graph_url,
        state.profile.as_deref(),
    );
    let mut commands = vec![Command::SwitchWorkspace { id, remember_as }];
    commands.extend(start_load(state));
    commands
}

/// Mouse: a click selects a row or focuses the detail; the wheel scrolls the pane under it.
pub(super) fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Command> {
    if !state.mouse || !matches!(state.mode, Mode::Browsing) {
        return Vec::new();
    }
    let screen = layout::screen(ratatui::layout::Rect::new(
        0,
        0,
        state.viewport.0,
        state.viewport.1,
    ));
    let at = ratatui::layout::Position::new(mouse.column, mouse.row);
    let in_list = screen.list.contains(at);
    let in_detail = screen.detail.is_some_and(|d| d.contains(at));
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) if in_list => {
            state.focus = Focus::List;
            let first_row = screen.list.y + 1;
            if mouse.row < first_row || mouse.row >= screen.list.bottom().saturating_sub(1) {
                return Vec::new();
            }
            let position = state.list_offset + usize::from(mouse.row - first_row);
            if position < state.visible.len() {
                return select(state, position);
            }
            Vec::new()
        }
        MouseEventKind::Down(MouseButton::Left) if in_detail => {
            if state.selected_entry().is_some() {
                state.focus = Focus::Detail;
            }
            Vec::new()
        }
        MouseEventKind::ScrollDown if in_list => select(state, state.selected.saturating_add(3)),
        MouseEventKind::ScrollUp if in_list => select(state, state.selected.saturating_sub(3)),
        MouseEventKind::ScrollDown if in_detail => {
            state.detail_scroll = state.detail_scroll.saturating_add(3);
            Vec::new()
        }
        MouseEventKind::ScrollUp if in_detail => {
            state.detail_scroll = state.detail_scroll.saturating_sub(3);
            Vec::new()
        }
        _ => Vec::new(),
    }
}
