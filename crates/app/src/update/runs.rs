//! The question in view, run again or forked (each asks first on the confirm line: a stray key
//! never sends), and its earlier runs: folded one line each, unfolded, or the newest answer
//! compared with the run before it.

use super::conversations::load_selected_conversation;
use super::list::{rows, select};
use super::offline::offline_refusal;
use super::stored::keep;
use super::{error_text, info, warning};
use crate::input::KeyEvent;
use crate::keys::{Action, KeyMode};
use crate::output::Output;
use crate::protocol::{Command, ForkEnd, ForkProgress, RequestId};
use crate::reader;
use crate::requests::Pending;
use crate::state::reader::{Compare, Pin};
use crate::state::{Confirm, Focus, Mode, Severity, State, TurnView};
use sctui_graph::models::{PromptType, Session};

/// An action on the question in view while the detail pane is focused; `None` when it is not
/// one of these.
pub(super) fn on_runs_action(state: &mut State, action: Action) -> Option<Output> {
    Some(match action {
        Action::Rerun => ask_to_rerun(state),
        Action::Fork => ask_to_fork(state),
        Action::Earlier => toggle_earlier(state),
        Action::Compare => toggle_compare(state),
        _ => return None,
    })
}

/// The selected session and the index of the question in view.
fn question_in_view(state: &State) -> Option<(String, usize)> {
    let id = state.selected_entry()?.session.id.clone();
    let index = reader::current_turn(state)?;
    state.conversations.get(&id)?.turns.get(index)?;
    Some((id, index))
}

fn turn<'a>(state: &'a State, session_id: &str, index: usize) -> Option<&'a TurnView> {
    state.conversations.get(session_id)?.turns.get(index)
}

/// What the status line says when there is no question in view.
fn no_question(what: &str) -> Output {
    warning(format!("No question in view to {what}")).into()
}

fn ask_to_rerun(state: &mut State) -> Output {
    if state.settings.offline {
        return Output::from(offline_refusal("running a question again"));
    }
    let Some((session_id, index)) = question_in_view(state) else {
        return no_question("run again");
    };
    let Some(turn) = turn(state, &session_id, index) else {
        return Output::none();
    };
    if turn.following.is_some() {
        let stop = state
            .settings
            .keymap
            .note(Action::FocusList, "stops following");
        return Output::from(warning(format!(
            "Q{} is running: wait for its answer{stop}",
            index + 1
        )));
    }
    state.mode = Mode::Confirming(Confirm::Rerun {
        session_id,
        prompt_id: turn.prompt.id.clone(),
        number: index + 1,
    });
    Output::none()
}

fn ask_to_fork(state: &mut State) -> Output {
    if state.settings.offline {
        return Output::from(offline_refusal("forking a session"));
    }
    let Some((session_id, index)) = question_in_view(state) else {
        return no_question("fork at");
    };
    let Some(conversation) = state.conversations.get(&session_id) else {
        return Output::none();
    };
    // what `sessions fork` asks: the questions up to this one, as they were sent
    let questions: Vec<String> = conversation.turns[..=index]
        .iter()
        .filter(|t| t.prompt.prompt_type == PromptType::Prompt)
        .filter_map(|t| t.prompt.content.clone())
        .filter(|c| !c.trim().is_empty())
        .collect();
    if questions.is_empty() {
        return Output::from(warning(
            "Nothing to fork: no question up to here can be asked",
        ));
    }
    let original = state
        .selected_entry()
        .and_then(|e| e.session.display_name.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Untitled");
    state.mode = Mode::Confirming(Confirm::Fork {
        session_id,
        name: format!("{original} (fork)"),
        questions,
    });
    Output::none()
}

/// A key while something waits for a yes: the confirm keys send it, any other key does not.
pub(super) fn on_confirm_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::Confirming(confirm) = std::mem::replace(&mut state.mode, Mode::Browsing) else {
        return Output::none();
    };
    if state.settings.keymap.action_in(KeyMode::Confirm, &key) != Some(Action::ConfirmYes) {
        return Output::from(info("Not sent"));
    }
    match confirm {
        Confirm::Rerun {
            session_id,
            prompt_id,
            ..
        } => {
            state.reader.pin = Some(Pin {
                session_id: session_id.clone(),
                prompt_id: prompt_id.clone(),
            });
            run_again(state, session_id, prompt_id)
        }
        Confirm::Fork {
            session_id,
            name,
            questions,
        } => {
            let req = state.requests.start(Pending::Fork {
                name: name.clone(),
                progress: None,
            });
            let forking = info(format!(
                "Forking into “{}”: asking {} question(s), one after another…",
                crate::sanitize::sanitize_line(&name),
                questions.len()
            ));
            Output::from(Command::Fork {
                req,
                source: session_id,
                name,
                questions,
            })
            .saying(forking)
        }
    }
}

/// Starts a new evaluation of a saved question and follows it (the question is not posted
/// again); the answer shown moves to the earlier runs once the new one arrives.
pub(super) fn run_again(state: &mut State, session_id: String, prompt_id: String) -> Output {
    let req = state.requests.start(Pending::Follow {
        session_id: session_id.clone(),
        prompt_id: prompt_id.clone(),
    });
    if let Some(turn) = state
        .conversations
        .get_mut(&session_id)
        .and_then(|c| c.turns.iter_mut().find(|t| t.prompt.id == prompt_id))
    {
        turn.following = Some(req);
        turn.not_run = None;
    }
    Output::from(Command::Evaluate {
        req,
        session_id,
        prompt_id,
    })
    .saying(info("Running the question again…"))
}

fn toggle_earlier(state: &mut State) -> Output {
    let Some((session_id, index)) = question_in_view(state) else {
        return no_question("show runs of");
    };
    let Some(turn) = turn(state, &session_id, index) else {
        return Output::none();
    };
    if turn.earlier.is_empty() {
        return Output::from(info(format!("Q{} has run once", index + 1)));
    }
    let prompt_id = turn.prompt.id.clone();
    if !state.reader.unfolded.remove(&prompt_id) {
        state.reader.unfolded.insert(prompt_id.clone());
    }
    state.reader.pin = Some(Pin {
        session_id,
        prompt_id,
    });
    Output::none()
}

fn toggle_compare(state: &mut State) -> Output {
    if let Some(compare) = state.reader.compare.take() {
        state.reader.zoom = compare.was_zoomed;
        return Output::none();
    }
    let Some((session_id, index)) = question_in_view(state) else {
        return no_question("compare");
    };
    let Some(turn) = turn(state, &session_id, index) else {
        return Output::none();
    };
    let comparable =
        !turn.answer.is_empty() && turn.earlier.first().is_some_and(|e| e.text.is_some());
    if !comparable {
        return Output::from(info(format!(
            "Nothing to compare: Q{} needs an answer and an earlier run with one",
            index + 1
        )));
    }
    let prompt_id = turn.prompt.id.clone();
    // the two answers side by side want the full width
    state.reader.compare = Some(Compare {
        prompt_id: prompt_id.clone(),
        was_zoomed: state.reader.zoom,
    });
    state.reader.zoom = true;
    state.reader.pin = Some(Pin {
        session_id,
        prompt_id,
    });
    Output::none()
}

/// How far a fork is, for the status line.
pub(super) fn on_fork_progress(
    state: &mut State,
    req: RequestId,
    progress: ForkProgress,
) -> Output {
    if let Some(Pending::Fork { progress: kept, .. }) = state.requests.get_mut(req) {
        *kept = Some(progress);
    }
    // the status line reads the progress from the request; a message would hide it
    let mut out = Output::none();
    if state
        .status
        .as_ref()
        .is_some_and(|s| s.severity == Severity::Info)
    {
        out.clear_status();
    }
    out
}

/// A fork ended: its new session is opened (selected, its conversation loaded).
pub(super) fn on_forked(
    state: &mut State,
    ended: Option<Pending>,
    session: Option<Session>,
    end: ForkEnd,
) -> Output {
    let name = match ended {
        Some(Pending::Fork { name, .. }) => crate::sanitize::sanitize_line(&name).into_owned(),
        _ => String::new(),
    };
    let said = match &end {
        ForkEnd::Answered => info(format!("Forked into “{name}”: every question answered")),
        ForkEnd::Unanswered { step } => warning(format!(
            "Forked into “{name}”: Q{step} ended without an answer, the questions after it were not asked"
        )),
        ForkEnd::Stopped {
            run: Some(run),
            error,
        } => error_text(format!(
            "The fork stopped: {error} (`sctui promptbook resume {run}` finishes it)"
        )),
        ForkEnd::Stopped { run: None, error } => error_text(format!("The fork stopped: {error}")),
    };
    let Some(session) = session else {
        return said.into();
    };
    keep(state, &session.id);
    let id = session.id.clone();
    let rows = rows(state);
    if state.list.insert_created(session, rows) {
        state.paging.total = state.paging.total.map(|t| t + 1);
    }
    let position = state
        .list
        .visible()
        .iter()
        .position(|&i| state.list.entries()[i].session.id == id);
    let mut out = Output::from(said);
    if let Some(position) = position {
        out.merge(select(state, position));
    }
    // what the fork asked is Graph's now: read it from there
    state.conversations.remove(&id);
    crate::reader::reset(state);
    state.focus = Focus::Detail;
    out.merge(load_selected_conversation(state));
    out
}
