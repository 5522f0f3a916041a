//! The text editors: inline rename, the prompt box, and pasted text.

use super::list::{maybe_prefetch, remove_session, rows};
use super::offline::{offline_prompt_problem, offline_refusal};
use super::search::paste_query;
use super::stored::keep;
use super::{error_text, from_error, info, warning};
use crate::advice::Problem;
use crate::editor::TextArea;
use crate::input::{KeyCode, KeyEvent, KeyModifiers};
use crate::keys::{Action, KeyMode};
use crate::output::{Effect, Output};
use crate::protocol::Command;
use crate::requests::{Pending, RequestId};
use crate::state::{CreateBox, DeferredEdit, Focus, Mode, PendingRename, RenameEditor, State};
use sctui_graph::GraphError;
use sctui_graph::models::Session;
use tui_input::Input;

/// Pasted text goes into the open editor, cleaned like server text: the question box keeps line
/// breaks whatever the terminal sends (CR, LF, CRLF), one-line editors get spaces instead.
pub(super) fn on_paste(state: &mut State, text: &str) -> Output {
    if matches!(state.mode, Mode::Filtering) {
        let clean = crate::sanitize::sanitize_line(text).into_owned();
        let rows = rows(state);
        state.list.edit_filter(rows, |input| {
            for c in clean.chars() {
                input.handle(tui_input::InputRequest::InsertChar(c));
            }
            true
        });
        return maybe_prefetch(state);
    }
    let (input, clean) = match &mut state.mode {
        Mode::Creating(b) => {
            if b.in_flight.is_none() {
                let text = crate::editor::normalise_line_endings(text);
                b.input
                    .insert_str(&crate::sanitize::sanitize_multiline(&text));
                b.problem = None;
            }
            return Output::none();
        }
        Mode::Renaming(e) => (
            &mut e.input,
            crate::sanitize::sanitize_line(text).into_owned(),
        ),
        Mode::Searching => return paste_query(state, text),
        _ => return Output::none(),
    };
    for c in clean.chars() {
        input.handle(tui_input::InputRequest::InsertChar(c));
    }
    Output::none()
}

pub(super) fn start_rename(state: &mut State) -> Output {
    let Some(entry) = state.selected_entry() else {
        return warning("Nothing to rename: the list is empty").into();
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
    Output::none()
}

pub(super) fn on_rename_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Renaming(editor) = &mut state.mode else {
        return Output::none();
    };
    match state.settings.keymap.action_in(KeyMode::Editor, &key) {
        Some(Action::Cancel) => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        Some(Action::Submit) => submit_rename(state),
        action => {
            edit_line(&mut editor.input, action, &key);
            Output::none()
        }
    }
}

/// A one-line editor (rename, filter) under the editor keymap: editing actions, or a typed
/// character. `true` when the text changed.
pub(super) fn edit_line(input: &mut Input, action: Option<Action>, key: &KeyEvent) -> bool {
    use tui_input::InputRequest as R;
    let request = match action {
        Some(Action::CursorLeft) => R::GoToPrevChar,
        Some(Action::CursorRight) => R::GoToNextChar,
        Some(Action::LineStart) => R::GoToStart,
        Some(Action::LineEnd) => R::GoToEnd,
        Some(Action::WordLeft) => R::GoToPrevWord,
        Some(Action::WordRight) => R::GoToNextWord,
        Some(Action::DeleteBack) => R::DeletePrevChar,
        Some(Action::DeleteForward) => R::DeleteNextChar,
        Some(Action::DeleteWord) => R::DeletePrevWord,
        Some(Action::DeleteToStart) => R::DeleteLine,
        Some(Action::DeleteToEnd) => R::DeleteTillEnd,
        Some(_) => return false,
        None => match typed_char(key) {
            Some(c) => R::InsertChar(c),
            None => return false,
        },
    };
    input.handle(request).is_some_and(|response| response.value)
}

/// The character a key types, if it types one (no Ctrl or Alt).
pub(super) fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

pub(super) fn submit_rename(state: &mut State) -> Output {
    let Mode::Renaming(editor) = &state.mode else {
        return Output::none();
    };
    let name = editor.input.value().trim().to_string();
    let id = editor.id.clone();
    if name.is_empty() {
        let cancel = state
            .settings
            .keymap
            .hint_key(Action::Cancel)
            .map(|key| format!(" or press {key}"))
            .unwrap_or_default();
        return Output::from(error_text(format!(
            "A session name cannot be empty: type a name{cancel}"
        )));
    }
    let Some(entry) = state.list.get(&id) else {
        state.mode = Mode::Browsing;
        return Output::from(warning("That session is no longer in the list"));
    };
    if state.settings.offline {
        // the editor stays open with the name typed
        return Output::from(offline_refusal("renaming"));
    }
    state.mode = Mode::Browsing;
    if entry.current_name() == name {
        return Output::none();
    }
    let req = state.requests.start(Pending::Rename {
        session_id: id.clone(),
        name: name.clone(),
    });
    state.list.set_pending(
        &id,
        PendingRename {
            name: name.clone(),
            req,
        },
    );
    Output::from(Command::Rename { req, id, name }).saying(info("Renaming…"))
}

pub(super) fn reopen_rename(state: &mut State, id: String, name: String) {
    if !matches!(state.mode, Mode::Browsing) {
        state.deferred.push(DeferredEdit::Rename { id, name });
        return;
    }
    let rows = rows(state);
    if !state.list.select_id(&id, rows) {
        return;
    }
    state.focus = Focus::List;
    state.mode = Mode::Renaming(RenameEditor {
        id,
        input: Input::new(name),
    });
}

/// The draft key of a prompt box: its target session, or `""` for a new session.
fn draft_key(target: Option<&Session>) -> String {
    target.map(|s| s.id.clone()).unwrap_or_default()
}

/// Opens the prompt box for `target` (or a new session) with the draft left there, if any.
pub(super) fn open_prompt_box(state: &mut State, target: Option<Session>) {
    let draft = state
        .drafts
        .get(&draft_key(target.as_ref()))
        .cloned()
        .unwrap_or_default();
    state.mode = Mode::Creating(CreateBox {
        draft: !draft.is_empty(),
        input: TextArea::new(draft),
        target,
        ..CreateBox::default()
    });
}

/// The external editor closed: its text replaces the prompt box's (a failure leaves the box as
/// it was and says why).
pub(super) fn on_edited(state: &mut State, result: Result<String, String>) -> Output {
    let Mode::Creating(create) = &mut state.mode else {
        return Output::none();
    };
    match result {
        Ok(text) => {
            let text = crate::editor::normalise_line_endings(&text);
            let text = crate::sanitize::sanitize_multiline(&text);
            // editors end files with a newline; the question does not need it
            create.input = TextArea::new(text.trim_end_matches('\n'));
            create.problem = None;
            // read and written in the editor: the text is the user's now, not a draft unseen
            create.draft = false;
        }
        Err(reason) => create.problem = Some(Problem::other(&reason)),
    }
    Output::none()
}

pub(super) fn on_create_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Creating(create) = &mut state.mode else {
        return Output::none();
    };
    match state.settings.keymap.action_in(KeyMode::Editor, &key) {
        Some(Action::Cancel) => {
            // the draft stays for the next time the box opens on the same target; one
            // character is a stray key (`n` pressed twice), never kept to start a question with
            if create.in_flight.is_none() {
                let key = draft_key(create.target.as_ref());
                if create.input.value().trim().chars().nth(1).is_none() {
                    state.drafts.remove(&key);
                } else {
                    state.drafts.insert(key, create.input.value().to_string());
                }
            }
            state.mode = Mode::Browsing;
            Output::none()
        }
        Some(Action::DeleteToStart) if create.draft && create.in_flight.is_none() => {
            // the kept draft goes whole, every line of it, as the box says
            state.drafts.remove(&draft_key(create.target.as_ref()));
            create.input = TextArea::default();
            create.draft = false;
            create.problem = None;
            Output::none()
        }
        Some(Action::ExternalEditor) if create.in_flight.is_none() => {
            Effect::Edit(create.input.value().to_string()).into()
        }
        Some(Action::Submit) => {
            let text = create.input.value().trim().to_string();
            if create.in_flight.is_some() {
                return Output::none();
            }
            if text.is_empty() {
                let close = state.settings.keymap.note(Action::Cancel, "closes");
                create.problem = Some(Problem::other(&format!(
                    "Type a question for Security Copilot first{close}"
                )));
                return Output::none();
            }
            if state.settings.offline {
                create.problem = Some(Problem::other(&offline_prompt_problem()));
                return Output::none();
            }
            let session = create.target.clone();
            state.drafts.remove(&draft_key(session.as_ref()));
            let req = state.requests.start(Pending::Ask {
                text: create.input.value().to_string(),
                session_id: session.as_ref().map(|s| s.id.clone()),
                prompt_id: None,
            });
            create.in_flight = Some(req);
            create.problem = None;
            Command::Ask { req, session, text }.into()
        }
        action => {
            if create.in_flight.is_some() {
                return Output::none();
            }
            let changed = match action {
                Some(action) => create.input.apply(action),
                None => match typed_char(&key) {
                    Some(c) => {
                        create.input.insert_char(c);
                        true
                    }
                    None => false,
                },
            };
            if changed {
                create.problem = None;
                // emptied by hand: what is typed next is no draft
                create.draft &= !create.input.value().is_empty();
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
            if state.list.contains(&id) {
                reopen_rename(state, id, name);
            }
        }
        DeferredEdit::Prompt {
            text,
            target,
            problem,
        } => {
            state.mode = Mode::Creating(CreateBox {
                input: TextArea::new(text),
                target,
                in_flight: None,
                problem: Some(problem),
                // what was just sent, not a draft from before
                draft: false,
            });
        }
    }
}

/// The rename landed: the row shows the new name.
pub(super) fn on_renamed(state: &mut State, req: RequestId, session: Session) -> Output {
    keep(state, &session.id);
    let rows = rows(state);
    let Some(entry) = state.list.renamed(req, session, rows) else {
        return Output::none();
    };
    let shown = entry.shown_name();
    let shown = shown.as_deref().unwrap_or("(untitled)");
    info(format!("Renamed to “{shown}”")).into()
}

/// The rename failed: the editor opens again with the name typed; a session Graph no longer
/// has leaves the list.
pub(super) fn on_rename_failed(
    state: &mut State,
    req: RequestId,
    id: String,
    name: String,
    error: &GraphError,
) -> Output {
    let rows = rows(state);
    state.list.drop_pending(&id, req, rows);
    if error.is_not_found() {
        return remove_session(state, &id).saying(from_error(
            "The session no longer exists and was removed from the list",
            error,
        ));
    }
    let problem = from_error(&format!("Rename to “{name}” failed"), error);
    reopen_rename(state, id, name);
    problem.into()
}
