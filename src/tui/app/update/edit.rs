//! The text editors: inline rename, the prompt box, and pasted text.

use super::*;

/// Pasted text goes into the open editor, cleaned like server text: the question box keeps line
/// breaks, one-line editors get spaces instead.
pub(super) fn on_paste(state: &mut State, text: &str) -> Output {
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
        _ => return Output::none(),
    };
    for c in clean.chars() {
        input.handle(tui_input::InputRequest::InsertChar(c));
    }
    if matches!(state.mode, Mode::Filtering) {
        refilter(state);
        return maybe_prefetch(state);
    }
    Output::none()
}

pub(super) fn start_rename(state: &mut State) {
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

pub(super) fn on_rename_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Renaming(editor) = &mut state.mode else {
        return Output::none();
    };
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        KeyCode::Enter => submit_rename(state),
        _ => {
            editor.input.handle_event(&TermEvent::Key(key));
            Output::none()
        }
    }
}

pub(super) fn submit_rename(state: &mut State) -> Output {
    let Mode::Renaming(editor) = &state.mode else {
        return Output::none();
    };
    let name = editor.input.value().trim().to_string();
    let id = editor.id.clone();
    if name.is_empty() {
        state.status = Some(error_text(
            "A session name cannot be empty: type a name or press Esc",
        ));
        return Output::none();
    }
    let Some(&index) = state.index.get(&id) else {
        state.mode = Mode::Browsing;
        state.status = Some(warning("That session is no longer in the list"));
        return Output::none();
    };
    state.mode = Mode::Browsing;
    let entry = &mut state.sessions[index];
    if entry.current_name() == name {
        return Output::none();
    }
    let req = state.requests.start(Pending::Rename {
        session_id: id.clone(),
        name: name.clone(),
    });
    entry.pending = Some(PendingRename {
        name: name.clone(),
        req,
    });
    entry.derive();
    state.status = Some(info("Renaming…"));
    Command::Rename { req, id, name }.into()
}

pub(super) fn reopen_rename(state: &mut State, id: String, name: String) {
    if !matches!(state.mode, Mode::Browsing) {
        state.deferred.push(DeferredEdit::Rename { id, name });
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

pub(super) fn on_create_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Creating(create) = &mut state.mode else {
        return Output::none();
    };
    match key.code {
        KeyCode::Esc => {
            state.mode = Mode::Browsing;
            Output::none()
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
            Output::none()
        }
        KeyCode::Enter => {
            let text = create.input.value().trim().to_string();
            if create.in_flight.is_some() {
                return Output::none();
            }
            if text.is_empty() {
                create.problem =
                    Some("Type a question for Security Copilot first (Esc cancels)".to_string());
                return Output::none();
            }
            let session = create.target.clone();
            let req = state.requests.start(Pending::Ask {
                text: create.input.value().to_string(),
                session_id: session.as_ref().map(|s| s.id.clone()),
                prompt_id: None,
            });
            create.in_flight = Some(req);
            create.problem = None;
            Command::Ask { req, session, text }.into()
        }
        _ => {
            if create.in_flight.is_none() {
                create.input.handle_event(&TermEvent::Key(key));
                create.problem = None;
            }
            Output::none()
        }
    }
}

/// Gives back typed text whose request failed while another popup was open, once the user is
/// browsing again (one at a time, oldest first).
pub(super) fn restore_deferred(state: &mut State) {
    if !matches!(state.mode, Mode::Browsing) || state.deferred.is_empty() {
        return;
    }
    match state.deferred.remove(0) {
        DeferredEdit::Rename { id, name } => {
            if state.index.contains_key(&id) {
                reopen_rename(state, id, name);
            }
        }
        DeferredEdit::Prompt {
            text,
            target,
            problem,
        } => {
            state.mode = Mode::Creating(CreateBox {
                input: Input::new(text),
                target,
                in_flight: None,
                problem: Some(problem),
            });
        }
    }
}
