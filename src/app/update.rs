//! The one place state changes: `update(state, msg) -> commands`. Pure: no I/O, no clock, no
//! async, so every behaviour is a unit test.

use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use jiff::Timestamp;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keys::Action;
use super::layout;
use super::state::{
    Conversation, CreateBox, Focus, Follow, Mode, PendingRename, RenameEditor, SessionEntry,
    Severity, SignInPopup, State, StatusMessage, TurnView, WorkspacePicker,
};
use crate::graph::conversation::{FollowError, Turn, succeeded};
use crate::graph::models::{Page, Session};
use crate::graph::{GraphError, ListQuery, RetryNotice};
use crate::worker::{Command, Event};

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
    /// Spinner frame (sent only while something is in flight).
    Tick,
    /// Wall clock moved on; relative times follow it.
    Clock(Timestamp),
    /// The terminal was resized.
    Resize(u16, u16),
    /// The selection stayed put for a moment: load what the detail pane needs.
    Settled,
    /// A mouse click or wheel turn (only sent when the mouse is on).
    Mouse(MouseEvent),
}

/// The commands to send when the app starts: the first page.
pub fn init(state: &mut State) -> Vec<Command> {
    if !state.signed_in {
        return start_sign_in(state);
    }
    start_load(state)
}

fn start_sign_in(state: &mut State) -> Vec<Command> {
    state.mode = Mode::SigningIn(SignInPopup::default());
    state.in_flight += 1;
    vec![Command::StartSignIn]
}

fn on_sign_in_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
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

/// Applies one message and returns the work for the worker.
pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Worker(event) => on_event(state, event),
        Msg::Tick => {
            state.spinner_frame = state.spinner_frame.wrapping_add(1);
            Vec::new()
        }
        Msg::Clock(now) => {
            state.now = now;
            Vec::new()
        }
        Msg::Resize(w, h) => {
            state.viewport = (w, h);
            keep_selection_in_view(state);
            Vec::new()
        }
        Msg::Settled => {
            state.settle_pending = false;
            load_selected_conversation(state)
        }
        Msg::Mouse(mouse) => on_mouse(state, mouse),
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        state.should_quit = true;
        return Vec::new();
    }
    match &mut state.mode {
        Mode::Help => {
            match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') | KeyCode::Char('q') => {
                    state.mode = Mode::Browsing;
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    let rows = state.keymap.help_rows().len() + 2; // + the editor keys
                    state.help_scroll = (state.help_scroll + 1).min(rows);
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    state.help_scroll = state.help_scroll.saturating_sub(1);
                }
                _ => {}
            }
            Vec::new()
        }
        Mode::Creating(_) => on_create_key(state, key),
        Mode::PickingWorkspace(_) => on_picker_key(state, key),
        Mode::SigningIn(_) => on_sign_in_key(state, key),
        Mode::Renaming(_) => on_rename_key(state, key),
        Mode::Filtering => on_filter_key(state, key),
        Mode::Browsing => {
            if state
                .status
                .as_ref()
                .is_some_and(|s| s.severity == Severity::Info)
            {
                state.status = None;
            }
            match state.keymap.action_for(&key) {
                Some(action) => on_action(state, action),
                None => Vec::new(),
            }
        }
    }
}

/// Pasted text goes into the open editor, cleaned like server text: the question box keeps line
/// breaks, one-line editors get spaces instead.
fn on_paste(state: &mut State, text: &str) -> Vec<Command> {
    let (input, clean) = match &mut state.mode {
        Mode::Creating(b) if b.in_flight.is_none() => (
            &mut b.input,
            crate::sanitize::sanitize_multiline(text).into_owned(),
        ),
        Mode::Renaming(e) => (
            &mut e.input,
            crate::sanitize::sanitize_line(text).into_owned(),
        ),
        Mode::Filtering => (
            &mut state.filter,
            crate::sanitize::sanitize_line(text).into_owned(),
        ),
        _ => return Vec::new(),
    };
    for c in clean.chars() {
        input.handle(tui_input::InputRequest::InsertChar(c));
    }
    if matches!(state.mode, Mode::Filtering) {
        refilter(state);
        return maybe_prefetch(state);
    }
    Vec::new()
}

fn on_action(state: &mut State, action: Action) -> Vec<Command> {
    if state.focus == Focus::Detail {
        match action {
            Action::MoveDown => state.detail_scroll = state.detail_scroll.saturating_add(1),
            Action::MoveUp => state.detail_scroll = state.detail_scroll.saturating_sub(1),
            Action::PageDown => {
                state.detail_scroll = state.detail_scroll.saturating_add(page_step(state) as u16)
            }
            Action::PageUp => {
                state.detail_scroll = state.detail_scroll.saturating_sub(page_step(state) as u16)
            }
            Action::First => state.detail_scroll = 0,
            Action::Last => state.detail_scroll = u16::MAX,
            Action::FocusDetail | Action::FocusList => state.focus = Focus::List,
            _ => return on_list_action(state, action),
        }
        return Vec::new();
    }
    on_list_action(state, action)
}

fn on_list_action(state: &mut State, action: Action) -> Vec<Command> {
    let step = page_step(state);
    match action {
        Action::MoveDown => select(state, state.selected.saturating_add(1)),
        Action::MoveUp => select(state, state.selected.saturating_sub(1)),
        Action::PageDown => select(state, state.selected.saturating_add(step)),
        Action::PageUp => select(state, state.selected.saturating_sub(step)),
        Action::First => select(state, 0),
        Action::Last => select(state, usize::MAX),
        Action::FocusDetail => {
            if state.selected_entry().is_some() {
                state.focus = Focus::Detail;
            }
            Vec::new()
        }
        Action::FocusList => {
            state.focus = Focus::List;
            if state.status.is_some() {
                state.status = None;
            }
            stop_following_selected(state)
        }
        Action::Rename => {
            start_rename(state);
            Vec::new()
        }
        Action::Create => {
            state.focus = Focus::List;
            state.mode = Mode::Creating(CreateBox::default());
            Vec::new()
        }
        Action::Ask => {
            match state.selected_entry() {
                Some(entry) => {
                    let target = entry.session.clone();
                    state.mode = Mode::Creating(CreateBox {
                        target: Some(target),
                        ..CreateBox::default()
                    });
                }
                None => state.status = Some(warning("Select a session to ask in, or press n")),
            }
            Vec::new()
        }
        Action::Export => match state.selected_entry() {
            Some(entry) => {
                let session = entry.session.clone();
                let path = state
                    .export_dir
                    .join(crate::export::default_file_name(&session));
                state.in_flight += 1;
                state.status = Some(info("Exporting…"));
                vec![Command::Export { session, path }]
            }
            None => {
                state.status = Some(warning("Nothing to export: no session selected"));
                Vec::new()
            }
        },
        Action::Refresh if !state.signed_in => start_sign_in(state),
        Action::Refresh => {
            state.status = Some(info("Refreshing…"));
            start_load(state)
        }
        Action::Filter => {
            state.focus = Focus::List;
            state.mode = Mode::Filtering;
            Vec::new()
        }
        Action::Help => {
            state.help_scroll = 0;
            state.mode = Mode::Help;
            Vec::new()
        }
        Action::CopyId | Action::CopyUrl => {
            let Some(entry) = state.selected_entry() else {
                state.status = Some(warning("Nothing to copy: no session selected"));
                return Vec::new();
            };
            let id = entry.session.id.clone();
            let (text, what) = if action == Action::CopyId {
                (id, "session id")
            } else {
                (session_graph_url(state, &id), "Graph URL")
            };
            state.status = Some(info(format!("Copied the {what} to the clipboard: {text}")));
            vec![Command::CopyToClipboard { text }]
        }
        Action::Sort => {
            state.sort = state.sort.next();
            let keep = state.selected_entry().map(|e| e.session.id.clone());
            resort(state, keep.as_deref());
            state.status = Some(info(format!("Sorted by {}", state.sort.label())));
            Vec::new()
        }
        Action::Workspaces => {
            state.mode = Mode::PickingWorkspace(WorkspacePicker::default());
            state.in_flight += 1;
            vec![Command::LoadWorkspaces]
        }
        Action::Quit => {
            state.should_quit = true;
            Vec::new()
        }
    }
}

fn page_step(state: &State) -> usize {
    layout::list_rows(state.viewport).saturating_sub(1).max(1)
}

/// Moves the selection (clamped) and asks for the next page when it nears the end.
fn select(state: &mut State, position: usize) -> Vec<Command> {
    let last = state.visible.len().saturating_sub(1);
    let position = position.min(last);
    let before = state.selected_entry().map(|e| e.session.id.clone());
    state.selected = position;
    let after = state.selected_entry().map(|e| e.session.id.clone());
    if before != after {
        state.detail_scroll = 0;
        state.settle_pending = after.is_some();
    }
    keep_selection_in_view(state);
    maybe_prefetch(state)
}

fn keep_selection_in_view(state: &mut State) {
    let rows = layout::list_rows(state.viewport);
    if state.selected < state.list_offset {
        state.list_offset = state.selected;
    } else if state.selected >= state.list_offset + rows {
        state.list_offset = state.selected + 1 - rows;
    }
    let max_offset = state.visible.len().saturating_sub(rows);
    state.list_offset = state.list_offset.min(max_offset);
}

/// Requests the next page ahead of need: when the selection is within two screens (or half a
/// page) of the end of what is shown, and no page is already on its way.
fn maybe_prefetch(state: &mut State) -> Vec<Command> {
    if state.paging.loading {
        return Vec::new();
    }
    let Some(link) = state.paging.next_link.clone() else {
        return Vec::new();
    };
    let margin = (layout::list_rows(state.viewport) * 2).max(state.page_size as usize / 2);
    let remaining = state.visible.len().saturating_sub(state.selected + 1);
    if remaining > margin {
        return Vec::new();
    }
    state.paging.loading = true;
    state.in_flight += 1;
    vec![Command::LoadNextPage {
        generation: state.paging.generation,
        link,
    }]
}

fn start_load(state: &mut State) -> Vec<Command> {
    state.paging.generation += 1;
    state.paging.loading = true;
    state.paging.next_link = None;
    state.in_flight += 1;
    vec![Command::LoadFirstPage {
        generation: state.paging.generation,
        query: ListQuery {
            count: true,
            ..ListQuery::default()
        },
    }]
}

fn start_rename(state: &mut State) {
    let Some(entry) = state.selected_entry() else {
        state.status = Some(warning("Nothing to rename: the list is empty"));
        return;
    };
    // The editor holds the name as shown (sanitised), so what you edit is what you see.
    let editor = RenameEditor {
        id: entry.session.id.clone(),
        input: Input::new(
            crate::sanitize::sanitize_line(entry.current_name())
                .trim()
                .to_string(),
        ),
    };
    state.focus = Focus::List;
    state.mode = Mode::Renaming(editor);
}

fn on_rename_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Mode::Renaming(editor) = &mut state.mode else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Browsing;
            Vec::new()
        }
        KeyCode::Enter => submit_rename(state),
        _ => {
            editor.input.handle_event(&TermEvent::Key(key));
            Vec::new()
        }
    }
}

fn submit_rename(state: &mut State) -> Vec<Command> {
    let Mode::Renaming(editor) = &state.mode else {
        return Vec::new();
    };
    let name = editor.input.value().trim().to_string();
    let id = editor.id.clone();
    if name.is_empty() {
        state.status = Some(error_text(
            "A session name cannot be empty: type a name or press Esc",
        ));
        return Vec::new();
    }
    let Some(&index) = state.index.get(&id) else {
        state.mode = Mode::Browsing;
        state.status = Some(warning("That session is no longer in the list"));
        return Vec::new();
    };
    state.mode = Mode::Browsing;
    let entry = &mut state.sessions[index];
    if entry.current_name() == name {
        return Vec::new();
    }
    let seq = state.next_seq;
    state.next_seq += 1;
    entry.pending = Some(PendingRename {
        name: name.clone(),
        seq,
    });
    entry.derive();
    state.in_flight += 1;
    state.status = Some(info("Renaming…"));
    vec![Command::Rename { id, name, seq }]
}

fn on_create_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    let Mode::Creating(create) = &mut state.mode else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Browsing;
            Vec::new()
        }
        KeyCode::Enter
            if key
                .modifiers
                .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT) =>
        {
            if create.in_flight.is_none() {
                create
                    .input
                    .handle(tui_input::InputRequest::InsertChar('\n'));
            }
            Vec::new()
        }
        KeyCode::Enter => {
            let text = create.input.value().trim().to_string();
            if create.in_flight.is_some() {
                return Vec::new();
            }
            if text.is_empty() {
                create.problem =
                    Some("Type a question for Security Copilot first (Esc cancels)".to_string());
                return Vec::new();
            }
            let seq = state.next_seq;
            state.next_seq += 1;
            create.in_flight = Some(seq);
            create.problem = None;
            let session = create.target.clone();
            state
                .pending_creates
                .insert(seq, create.input.value().to_string());
            state.in_flight += 1;
            if let Some(target) = &session {
                state.follows.insert(
                    seq,
                    Follow {
                        session_id: target.id.clone(),
                        prompt_id: None,
                    },
                );
            }
            vec![Command::Ask { seq, session, text }]
        }
        _ => {
            if create.in_flight.is_none() {
                create.input.handle_event(&TermEvent::Key(key));
                create.problem = None;
            }
            Vec::new()
        }
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Esc => {
            state.filter = Input::default();
            state.mode = Mode::Browsing;
            refilter(state);
            Vec::new()
        }
        KeyCode::Enter => {
            state.mode = Mode::Browsing;
            Vec::new()
        }
        KeyCode::Down => select(state, state.selected.saturating_add(1)),
        KeyCode::Up => select(state, state.selected.saturating_sub(1)),
        _ => {
            if state.filter.handle_event(&TermEvent::Key(key)).is_some() {
                refilter(state);
                return maybe_prefetch(state);
            }
            Vec::new()
        }
    }
}

/// Recomputes `visible` from the filter, keeping the selected session selected when it still
/// matches. Case-insensitive substring over the names as shown.
fn refilter(state: &mut State) {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    fill_visible(state);
    restore_selection(state, selected_id.as_deref());
}

fn restore_selection(state: &mut State, id: Option<&str>) {
    // `visible` holds ascending indexes, so a binary search finds the row.
    let position = id
        .and_then(|id| state.index.get(id))
        .and_then(|&i| state.visible.binary_search(&i).ok());
    state.selected = match position {
        Some(p) => p,
        None => state.selected.min(state.visible.len().saturating_sub(1)),
    };
    keep_selection_in_view(state);
}

/// Sorts by the chosen order (stable; ties by id), then rebuilds the index and filter.
fn resort(state: &mut State, keep_id: Option<&str>) {
    let order = state.sort;
    state.sessions.sort_by(|a, b| order.compare(a, b));
    reindex_from(state, 0);
    let keep = keep_id.map(str::to_string);
    refilter_keeping(state, keep.as_deref());
}

fn refilter_keeping(state: &mut State, id: Option<&str>) {
    fill_visible(state);
    restore_selection(state, id);
}

fn on_event(state: &mut State, event: Event) -> Vec<Command> {
    // One in-flight count per command: an ask ends with FollowEnded, CreateFailed or AskFailed.
    let ends_request = !matches!(
        event,
        Event::Retrying(_)
            | Event::Created { .. }
            | Event::Asked { .. }
            | Event::EvaluationUpdated { .. }
            | Event::SignInPrompt { .. }
    );
    if ends_request {
        state.in_flight = state.in_flight.saturating_sub(1);
        state.retry_notice = None;
    }
    match event {
        Event::PageLoaded {
            generation,
            first,
            page,
        } => {
            if generation != state.paging.generation {
                return Vec::new();
            }
            apply_page(state, first, page);
            maybe_prefetch(state)
        }
        Event::PageFailed { generation, error } => {
            if generation == state.paging.generation {
                state.paging.loading = false;
                state.paging.loaded_once = true;
                state.status = Some(from_error("Could not load sessions", &error));
            }
            Vec::new()
        }
        Event::Renamed { seq, session } => {
            let id = session.id.clone();
            let selected_id = state.selected_entry().map(|e| e.session.id.clone());
            match state.index.get(&id).copied() {
                Some(i) => {
                    let entry = &mut state.sessions[i];
                    if entry.pending.as_ref().is_some_and(|p| p.seq == seq) {
                        entry.pending = None;
                    }
                    entry.replace_session(session);
                    let shown = entry
                        .shown_name
                        .clone()
                        .unwrap_or_else(|| "(untitled)".into());
                    state.status = Some(info(format!("Renamed to “{shown}”")));
                }
                None => return Vec::new(),
            }
            resort(state, selected_id.as_deref());
            Vec::new()
        }
        Event::RenameFailed {
            id,
            name,
            seq,
            error,
        } => {
            if let Some(&i) = state.index.get(&id) {
                let entry = &mut state.sessions[i];
                if entry.pending.as_ref().is_some_and(|p| p.seq == seq) {
                    entry.pending = None;
                    entry.derive();
                }
            }
            if error.is_not_found() {
                remove_session(state, &id);
                state.status = Some(from_error(
                    "The session no longer exists and was removed from the list",
                    &error,
                ));
                return Vec::new();
            }
            state.status = Some(from_error("Rename failed", &error));
            reopen_rename(state, id, name);
            Vec::new()
        }
        Event::Created { seq, session } => {
            state.follows.insert(
                seq,
                Follow {
                    session_id: session.id.clone(),
                    prompt_id: None,
                },
            );
            state.conversations.insert(
                session.id.clone(),
                Conversation {
                    fetched_at: Some(state.now),
                    ..Conversation::default()
                },
            );
            if let Mode::Creating(create) = &state.mode
                && create.in_flight == Some(seq)
            {
                state.mode = Mode::Browsing;
            }
            let id = session.id.clone();
            let shown = SessionEntry::new(session);
            let label = shown
                .shown_name
                .clone()
                .unwrap_or_else(|| "(untitled)".into());
            match state.index.get(&id).copied() {
                Some(i) => state.sessions[i].replace_session(shown.session),
                None => {
                    state.sessions.insert(0, shown);
                    state.paging.total = state.paging.total.map(|t| t + 1);
                }
            }
            if !state.filter_text().is_empty()
                && !label
                    .to_lowercase()
                    .contains(&state.filter_text().to_lowercase())
            {
                state.filter = Input::default();
            }
            state.focus = Focus::List;
            resort(state, Some(&id));
            keep_selection_in_view(state);
            state.settle_pending = false;
            state.status = Some(info(format!("Created “{label}”: asking Security Copilot…")));
            Vec::new()
        }
        Event::CreateFailed { seq, error } => {
            state.follows.remove(&seq);
            let text = state.pending_creates.remove(&seq).unwrap_or_default();
            let problem = from_error("Create failed", &error);
            match &mut state.mode {
                Mode::Creating(create) if create.in_flight == Some(seq) => {
                    create.in_flight = None;
                    create.problem = Some(problem.text.clone());
                }
                Mode::Browsing => {
                    state.mode = Mode::Creating(CreateBox {
                        input: Input::new(text),
                        target: None,
                        in_flight: None,
                        problem: Some(problem.text.clone()),
                    });
                }
                _ => {}
            }
            state.status = Some(problem);
            Vec::new()
        }
        Event::Retrying(notice) => {
            state.retry_notice = Some(retry_text(&notice));
            Vec::new()
        }
        Event::Asked {
            seq,
            session_id,
            prompt,
            evaluation,
        } => {
            state.pending_creates.remove(&seq);
            if let Mode::Creating(create) = &state.mode
                && create.in_flight == Some(seq)
            {
                state.mode = Mode::Browsing;
            }
            if let Some(follow) = state.follows.get_mut(&seq) {
                follow.prompt_id = Some(prompt.id.clone());
            }
            let theme = state.theme.clone();
            let conversation = state.conversations.entry(session_id).or_default();
            let mut view = TurnView::new(
                Turn {
                    prompt,
                    evaluation: Some(evaluation),
                },
                &theme,
            );
            view.following = Some(seq);
            conversation.turns.push(view);
            if state.focus == Focus::Detail {
                state.detail_scroll = u16::MAX;
            }
            state.status = Some(info("Asked: following the answer (Esc stops following)"));
            Vec::new()
        }
        Event::AskFailed {
            seq,
            session,
            prompt,
            error,
        } => {
            state.follows.remove(&seq);
            let text = state.pending_creates.remove(&seq).unwrap_or_default();
            let context = if prompt.is_some() {
                "The question was saved but could not be run"
            } else {
                "Asking failed"
            };
            let problem = from_error(context, &error);
            match &mut state.mode {
                Mode::Creating(create) if create.in_flight == Some(seq) => {
                    create.in_flight = None;
                    create.target = Some(session);
                    create.problem = Some(problem.text.clone());
                }
                Mode::Browsing => {
                    state.mode = Mode::Creating(CreateBox {
                        input: Input::new(text),
                        target: Some(session),
                        in_flight: None,
                        problem: Some(problem.text.clone()),
                    });
                }
                _ => {}
            }
            state.status = Some(problem);
            Vec::new()
        }
        Event::EvaluationUpdated {
            seq: _,
            session_id,
            prompt_id,
            evaluation,
        } => {
            let theme = state.theme.clone();
            if let Some(turn) = state
                .conversations
                .get_mut(&session_id)
                .and_then(|c| c.turns.iter_mut().find(|t| t.prompt.id == prompt_id))
            {
                turn.set_evaluation(Some(evaluation), &theme);
            }
            Vec::new()
        }
        Event::FollowEnded {
            seq,
            session_id,
            result,
        } => {
            let follow = state.follows.remove(&seq);
            let turn = state.conversations.get_mut(&session_id).and_then(|c| {
                c.turns.iter_mut().find(|t| {
                    follow.as_ref().and_then(|f| f.prompt_id.as_deref())
                        == Some(t.prompt.id.as_str())
                })
            });
            let mut outcome = None;
            if let Some(turn) = turn {
                turn.following = None;
                outcome = turn.evaluation.clone();
            }
            state.status = Some(match result {
                Ok(()) => match outcome {
                    Some(e) if succeeded(&e) => info("Answer ready"),
                    Some(e) => warning(format!(
                        "Security Copilot did not answer: {} ({})",
                        e.result
                            .as_ref()
                            .map(|r| r.result_type.to_string())
                            .unwrap_or_else(|| "no result".into()),
                        e.state
                    )),
                    None => info("Answer ready"),
                },
                Err(FollowError::Deadline(d)) => warning(format!(
                    "Still running after {} s: stopped following; it keeps running on the service (R refreshes)",
                    d.as_secs()
                )),
                Err(FollowError::Graph(e)) => from_error("Following the answer failed", &e),
            });
            Vec::new()
        }
        Event::ConversationLoaded { session_id, turns } => {
            let theme = state.theme.clone();
            let now = state.now;
            let conversation = state.conversations.entry(session_id.clone()).or_default();
            let mut fresh: Vec<TurnView> = turns
                .into_iter()
                .map(|t| TurnView::new(t, &theme))
                .collect();
            // answers being followed are newer than what a list shows: keep them
            for old in conversation.turns.drain(..) {
                if old.following.is_some() {
                    match fresh.iter_mut().find(|t| t.prompt.id == old.prompt.id) {
                        Some(slot) => *slot = old,
                        None => fresh.push(old),
                    }
                }
            }
            conversation.turns = fresh;
            conversation.loading = false;
            conversation.fetched_at = Some(now);
            conversation.error = None;
            follow_running_turns(state, &session_id)
        }
        Event::ConversationFailed { session_id, error } => {
            if error.is_not_found() {
                state.conversations.remove(&session_id);
                remove_session(state, &session_id);
                state.status = Some(from_error(
                    "The session no longer exists and was removed from the list",
                    &error,
                ));
                return Vec::new();
            }
            let message = from_error("Could not load the conversation", &error);
            if let Some(c) = state.conversations.get_mut(&session_id) {
                c.loading = false;
                c.error = Some(message.text.clone());
            }
            Vec::new()
        }
        Event::SignInPrompt {
            verification_uri,
            user_code,
            message,
        } => {
            if let Mode::SigningIn(popup) = &mut state.mode {
                popup.verification_uri = Some(verification_uri);
                popup.user_code = Some(user_code);
                popup.message = Some(message);
            }
            Vec::new()
        }
        Event::SignedIn { who } => {
            state.who = who;
            state.signed_in = true;
            if matches!(state.mode, Mode::SigningIn(_)) {
                state.mode = Mode::Browsing;
            }
            state.status = Some(info(format!("Signed in as {}", state.who)));
            start_load(state)
        }
        Event::SignInFailed { message } => {
            if let Mode::SigningIn(popup) = &mut state.mode {
                popup.error = Some(crate::sanitize::sanitize_line(&message).into_owned());
            } else {
                state.status = Some(error_text(message));
            }
            Vec::new()
        }
        Event::WorkspacesLoaded { workspaces } => {
            if let Mode::PickingWorkspace(picker) = &mut state.mode {
                picker.selected = workspaces
                    .iter()
                    .position(|w| w.id.eq_ignore_ascii_case(&state.workspace))
                    .unwrap_or(0);
                if let Some(current) = workspaces.get(picker.selected)
                    && current.id.eq_ignore_ascii_case(&state.workspace)
                {
                    state.workspace_name = current.display_name.clone();
                }
                picker.workspaces = Some(workspaces);
            }
            Vec::new()
        }
        Event::WorkspacesFailed { error } => {
            if matches!(state.mode, Mode::PickingWorkspace(_)) {
                state.mode = Mode::Browsing;
            }
            state.status = Some(from_error("Could not list workspaces", &error));
            Vec::new()
        }
        Event::Exported { path } => {
            state.status = Some(info(format!("Exported to {}", path.display())));
            Vec::new()
        }
        Event::ExportFailed { message } => {
            state.status = Some(error_text(message));
            Vec::new()
        }
    }
}

/// The absolute Graph URL of a session, for `Y`.
fn session_graph_url(state: &State, id: &str) -> String {
    format!(
        "{}/security/securityCopilot/workspaces/{}/sessions/{id}",
        state.graph_url.trim_end_matches('/'),
        state.workspace
    )
}

fn on_picker_key(state: &mut State, key: KeyEvent) -> Vec<Command> {
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
fn switch_workspace(state: &mut State, id: String) -> Vec<Command> {
    state.workspace = id.clone();
    state.sessions.clear();
    state.index.clear();
    state.visible.clear();
    state.conversations.clear();
    state.selected = 0;
    state.list_offset = 0;
    state.detail_scroll = 0;
    state.filter = Input::default();
    state.paging = super::state::Paging {
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
fn on_mouse(state: &mut State, mouse: MouseEvent) -> Vec<Command> {
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

/// Answers still running when their conversation loads are followed too, so they appear
/// without a manual refresh.
fn follow_running_turns(state: &mut State, session_id: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(conversation) = state.conversations.get_mut(session_id) else {
        return commands;
    };
    for turn in &mut conversation.turns {
        let Some(evaluation) = &turn.evaluation else {
            continue;
        };
        if turn.following.is_some() || !evaluation.state.is_in_progress() {
            continue;
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        turn.following = Some(seq);
        state.follows.insert(
            seq,
            Follow {
                session_id: session_id.to_string(),
                prompt_id: Some(turn.prompt.id.clone()),
            },
        );
        state.in_flight += 1;
        commands.push(Command::Follow {
            seq,
            session_id: session_id.to_string(),
            prompt_id: turn.prompt.id.clone(),
            evaluation_id: evaluation.id.clone(),
        });
    }
    commands
}

/// How old a cached conversation may be before re-selecting the session reloads it.
const CONVERSATION_MAX_AGE_SECS: i64 = 30;

/// Loads (or revalidates) the selected session's conversation, unless a load or a follow is on.
fn load_selected_conversation(state: &mut State) -> Vec<Command> {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Vec::new();
    };
    let now = state.now;
    let following = state.is_following(&id);
    let conversation = state.conversations.entry(id.clone()).or_default();
    let fresh = conversation
        .fetched_at
        .is_some_and(|t| now.as_second() - t.as_second() < CONVERSATION_MAX_AGE_SECS);
    if conversation.loading || following || fresh {
        return Vec::new();
    }
    conversation.loading = true;
    state.in_flight += 1;
    vec![Command::LoadConversation { session_id: id }]
}

/// `Esc` on a session whose answer is being followed stops following it (the evaluation keeps
/// running on the service).
fn stop_following_selected(state: &mut State) -> Vec<Command> {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Vec::new();
    };
    let seqs: Vec<u64> = state
        .follows
        .iter()
        .filter(|(_, f)| f.session_id == id)
        .map(|(&seq, _)| seq)
        .collect();
    if seqs.is_empty() {
        return Vec::new();
    }
    if let Some(c) = state.conversations.get_mut(&id) {
        for t in &mut c.turns {
            if t.following.is_some_and(|s| seqs.contains(&s)) {
                t.following = None;
            }
        }
    }
    for seq in &seqs {
        state.follows.remove(seq);
        state.in_flight = state.in_flight.saturating_sub(1);
    }
    state.status = Some(info(
        "Stopped following: the evaluation keeps running on the service (R refreshes later)",
    ));
    seqs.into_iter()
        .map(|seq| Command::StopFollow { seq })
        .collect()
}

fn retry_text(notice: &RetryNotice) -> String {
    let secs = notice.wait.as_secs_f64().ceil() as u64;
    match notice.status {
        Some(429) => format!("throttled, retrying in {secs} s"),
        Some(code) => format!("service unavailable ({code}), retrying in {secs} s"),
        None => format!("network error, retrying in {secs} s"),
    }
}

fn apply_page(state: &mut State, first: bool, page: Page<Session>) {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    // For a next page: how many sessions were loaded before it, and which of them it updated.
    let mut loaded = 0;
    let mut updated: Vec<usize> = Vec::new();
    if first {
        let old = std::mem::take(&mut state.sessions);
        let old_index = std::mem::take(&mut state.index);
        let mut fresh: Vec<SessionEntry> = Vec::with_capacity(page.value.len());
        for session in page.value {
            let mut entry = SessionEntry::new(session);
            if let Some(&i) = old_index.get(&entry.session.id) {
                // never let a refresh overwrite a name the user is waiting on
                entry.pending = old[i].pending.clone();
                entry.derive();
            }
            fresh.push(entry);
        }
        // sessions with a rename in flight stay, even if this page does not hold them
        for entry in old {
            if entry.pending.is_some() && !fresh.iter().any(|e| e.session.id == entry.session.id) {
                fresh.push(entry);
            }
        }
        state.sessions = fresh;
        state.index.clear();
        state.paging.total = page.count;
    } else {
        loaded = state.sessions.len();
        for session in page.value {
            match state.index.get(&session.id).copied() {
                Some(i) => {
                    state.sessions[i].replace_session(session);
                    if i < loaded {
                        updated.push(i);
                    }
                }
                None => {
                    state.index.insert(session.id.clone(), state.sessions.len());
                    state.sessions.push(SessionEntry::new(session));
                }
            }
        }
        if page.count.is_some() {
            state.paging.total = page.count;
        }
    }
    state.paging.next_link = page.next_link;
    state.paging.loading = false;
    state.paging.loaded_once = true;
    if first
        && state
            .status
            .as_ref()
            .is_some_and(|s| s.text == "Refreshing…")
    {
        state.status = None;
    }
    if first {
        // a refresh revalidates the conversation on screen
        if let Some(c) = selected_id
            .as_ref()
            .and_then(|id| state.conversations.get_mut(id))
        {
            c.fetched_at = None;
        }
        state.settle_pending = true;
    }
    if first || !merge_page(state, loaded, &updated, selected_id.as_deref()) {
        resort(state, selected_id.as_deref());
    }
}

fn remove_session(state: &mut State, id: &str) {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    if let Some(i) = state.index.get(id).copied() {
        state.sessions.remove(i);
        state.paging.total = state.paging.total.map(|t| t.saturating_sub(1));
    }
    resort(state, selected_id.as_deref().filter(|s| *s != id));
}

fn reopen_rename(state: &mut State, id: String, name: String) {
    if !matches!(state.mode, Mode::Browsing) {
        return;
    }
    let Some(&index) = state.index.get(&id) else {
        return;
    };
    if !state.visible.contains(&index) {
        state.filter = Input::default();
        refilter_keeping(state, None);
    }
    if let Some(position) = state.visible.iter().position(|&v| v == index) {
        state.selected = position;
        keep_selection_in_view(state);
    }
    state.focus = Focus::List;
    state.mode = Mode::Renaming(RenameEditor {
        id,
        input: Input::new(name),
    });
}

fn info(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: text.into(),
        severity: Severity::Info,
        request_id: None,
    }
}

fn warning(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: text.into(),
        severity: Severity::Warning,
        request_id: None,
    }
}

fn error_text(text: impl Into<String>) -> StatusMessage {
    StatusMessage {
        text: text.into(),
        severity: Severity::Error,
        request_id: None,
    }
}

/// An error status with context and Graph's request-id (users need it for support).
pub fn from_error(context: &str, error: &GraphError) -> StatusMessage {
    let request_id = error.request_id().map(str::to_string);
    let mut text = format!("{context}: {error}");
    // the status bar shows the request-id on its own, where truncation cannot cut it off
    if let Some(id) = &request_id {
        text = text.replace(&format!(" request-id {id}"), "");
    }
    StatusMessage {
        text: crate::sanitize::sanitize_line(&text).into_owned(),
        severity: Severity::Error,
        request_id,
    }
}

/// Recomputes `visible` (ascending indexes of the sessions whose name contains the filter,
/// case-insensitively). One pass over the precomputed lowercase keys; no allocation per session.
fn fill_visible(state: &mut State) {
    let needle = state.filter_text().to_lowercase();
    state.visible.clear();
    if needle.is_empty() {
        state.visible.extend(0..state.sessions.len());
    } else {
        state.visible.extend(
            state
                .sessions
                .iter()
                .enumerate()
                .filter(|(_, e)| e.search_key.contains(needle.as_str()))
                .map(|(i, _)| i),
        );
    }
}

/// Points the index at the positions of `sessions[from..]`, updating values in place (no clone
/// of an id that is already there) and dropping ids that are no longer in the list.
fn reindex_from(state: &mut State, from: usize) {
    for (i, entry) in state.sessions.iter().enumerate().skip(from) {
        match state.index.get_mut(entry.session.id.as_str()) {
            Some(slot) => *slot = i,
            None => {
                state.index.insert(entry.session.id.clone(), i);
            }
        }
    }
    if state.index.len() != state.sessions.len() {
        let sessions = &state.sessions;
        state
            .index
            .retain(|id, &mut i| sessions.get(i).is_some_and(|e| e.session.id == *id));
    }
}

/// Merges a next page into the sorted list without re-sorting, re-hashing or re-filtering what
/// was already there: `sessions[..loaded]` is the sorted list before the page, `sessions[loaded..]`
/// the page's new sessions (already in the index), `updated` the loaded entries it replaced.
///
/// Sorts the new run and merges it in with one pass; the index of the entries that moved is
/// shifted in place (a scan of its values, no hashing) and only the new ids are looked up.
/// Returns `false` (nothing changed) when the fast path does not apply: an update moved an entry,
/// or, under the name order, an optimistic rename left the list out of order; the caller then
/// re-sorts everything.
fn merge_page(state: &mut State, loaded: usize, updated: &[usize], keep_id: Option<&str>) -> bool {
    let order = state.sort;
    let sessions = &state.sessions;
    let in_order = |i: usize| order.compare(&sessions[i], &sessions[i + 1]).is_lt();
    if updated
        .iter()
        .any(|&i| (i > 0 && !in_order(i - 1)) || (i + 1 < loaded && !in_order(i)))
    {
        return false;
    }
    // Times and ids change only with a re-sort; a pending name (shown at once) can break the
    // name order until the rename lands.
    let sorted = || sessions[..loaded].is_sorted_by(|a, b| order.compare(a, b).is_lt());
    if order == super::state::SortOrder::Name && !sorted() {
        return false;
    }
    debug_assert!(sorted(), "the loaded sessions are kept sorted");
    let mut fresh = state.sessions.split_off(loaded);
    fresh.sort_by(|a, b| order.compare(a, b));
    // Where each new entry goes among the loaded ones (non-decreasing).
    let slots: Vec<usize> = fresh
        .iter()
        .map(|f| {
            state
                .sessions
                .partition_point(|e| order.compare(e, f).is_lt())
        })
        .collect();
    let start = slots.first().copied().unwrap_or(loaded);
    // In place, from the back: the range from a new entry's slot to the end of what is still
    // unplaced holds old entries followed by the new ones not yet placed; rotating the latter to
    // the front puts the last of them where it belongs and shifts the old entries once.
    state.sessions.append(&mut fresh);
    let mut end = state.sessions.len();
    for (j, &slot) in slots.iter().enumerate().rev() {
        state.sessions[slot..end].rotate_right(j + 1);
        end = slot + j;
    }
    if start < loaded {
        // A loaded entry moves down by the number of new ones placed before it.
        for position in state.index.values_mut() {
            if (start..loaded).contains(position) {
                *position += slots.partition_point(|&s| s <= *position);
            }
        }
    }
    for (j, &slot) in slots.iter().enumerate() {
        let position = slot + j;
        let id = state.sessions[position].session.id.as_str();
        if let Some(p) = state.index.get_mut(id) {
            *p = position;
        }
    }
    fill_visible(state);
    restore_selection(state, keep_id);
    true
}
