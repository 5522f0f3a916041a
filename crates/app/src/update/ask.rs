//! Asking: a question in a new session or a follow-up, what the worker says of it (created,
//! asked, failed), and following the answer until it is done; stopping a follow and running a
//! failed question again.

use super::conversations::turn_mut;
use super::runs::run_again;
use super::stored::keep;
use super::{from_error, info, problem_status, warning};
use crate::advice::Problem;
use crate::keys::Action;
use crate::layout;
use crate::output::Output;
use crate::protocol::Command;
use crate::requests::{Pending, RequestId};
use crate::sanitize::CleanLine;
use crate::state::{
    Conversation, DeferredEdit, Focus, Mode, SessionEntry, State, StatusMessage, TurnView,
};
use sctui_graph::GraphError;
use sctui_graph::conversation::{FollowError, Turn, succeeded};
use sctui_graph::models::{Evaluation, EvaluationState, Prompt, Session};

/// Answers still running when their conversation loads are followed too, so they appear
/// without a manual refresh.
pub(super) fn follow_running_turns(state: &mut State, session_id: &str) -> Output {
    let mut out = Output::none();
    let Some(conversation) = state.conversations.get_mut(session_id) else {
        return out;
    };
    for turn in &mut conversation.turns {
        let Some(evaluation) = &turn.evaluation else {
            continue;
        };
        if turn.following.is_some() || !evaluation.state.is_in_progress() {
            continue;
        }
        let req = state.requests.start(Pending::Follow {
            session_id: session_id.to_string(),
            prompt_id: turn.prompt.id.clone(),
        });
        turn.following = Some(req);
        out.push(Command::Follow {
            req,
            session_id: session_id.to_string(),
            prompt_id: turn.prompt.id.clone(),
            evaluation_id: evaluation.id.clone(),
        });
    }
    out
}

/// `Esc` on a session whose answer is being followed stops following it (the evaluation keeps
/// running on the service).
pub(super) fn stop_following_selected(state: &mut State) -> Output {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Output::none();
    };
    let stopped = state
        .requests
        .finish_where(|p| p.followed_session() == Some(id.as_str()));
    if stopped.is_empty() {
        return Output::none();
    }
    if let Some(c) = state.conversations.get_mut(&id) {
        for t in &mut c.turns {
            if t.following.is_some_and(|s| stopped.contains(&s)) {
                t.following = None;
            }
        }
    }
    let refresh = state
        .settings
        .keymap
        .note(Action::Refresh, "refreshes later");
    Output::from(
        stopped
            .into_iter()
            .map(|req| Command::StopFollow { req })
            .collect::<Vec<_>>(),
    )
    .saying(info(format!(
        "Stopped following: the evaluation keeps running on the service{refresh}"
    )))
}

/// The retry key: starts a new evaluation of the selected session's last question that has none
/// (its run failed), and follows it. The question is not posted again.
pub(super) fn retry_selected(state: &mut State) -> Output {
    let Some((session_id, turn)) = state.retry_target() else {
        let ask = state.settings.keymap.note(Action::Ask, "asks again");
        return Output::from(warning(format!(
            "Nothing to run again: the last question here has an answer or is running{ask}"
        )));
    };
    let session_id = session_id.to_string();
    let prompt_id = turn.prompt.id.clone();
    run_again(state, session_id, prompt_id)
}

/// A question made a new session: it joins the list and its conversation starts empty (the
/// question and its answer follow with `Event::Asked`).
pub(super) fn on_created(state: &mut State, req: RequestId, session: Session) -> Output {
    keep(state, &session.id);
    if let Some(Pending::Ask { session_id, .. }) = state.requests.get_mut(req) {
        *session_id = Some(session.id.clone());
    }
    state.conversations.insert(
        session.id.clone(),
        Conversation {
            fetched_at: Some(state.now),
            ..Conversation::default()
        },
    );
    close_box_of(state, req);
    let label = SessionEntry::new(session.clone())
        .shown_name()
        .map_or_else(|| "(untitled)".to_string(), CleanLine::into_string);
    let rows = super::list::rows(state);
    if state.list.insert_created(session, rows) {
        state.paging.total = state.paging.total.map(|t| t + 1);
    }
    state.focus = Focus::List;
    Output::from(info(format!("Created “{label}”: asking Security Copilot…")))
}

/// The new session could not be made: the prompt box shows why and keeps the text (given back
/// later when another popup is open).
pub(super) fn on_create_failed(
    state: &mut State,
    req: RequestId,
    error: &GraphError,
    text: String,
) -> Output {
    let problem = Problem::graph("Create failed", error.clone());
    give_back(state, req, text, None, problem)
}

/// Gives the text of a failed ask back with why it failed: the prompt box waiting for `req`
/// shows it, or it comes back once the user is browsing again.
fn give_back(
    state: &mut State,
    req: RequestId,
    text: String,
    target: Option<Session>,
    problem: Problem,
) -> Output {
    let status = problem_status(&problem);
    match &mut state.mode {
        Mode::Creating(create) if create.in_flight == Some(req) => {
            create.in_flight = None;
            create.target = target;
            create.problem = Some(problem);
        }
        _ => state.deferred.push(DeferredEdit::Prompt {
            text,
            target,
            problem,
        }),
    }
    Output::from(status)
}

/// The question was asked: it joins its conversation and its answer is followed (the reader
/// shows it when the session is the one selected).
pub(super) fn on_asked(
    state: &mut State,
    req: RequestId,
    session_id: String,
    prompt: Prompt,
    evaluation: Evaluation,
) -> Output {
    close_box_of(state, req);
    if let Some(Pending::Ask {
        session_id: asked_in,
        prompt_id,
        ..
    }) = state.requests.get_mut(req)
    {
        *asked_in = Some(session_id.clone());
        *prompt_id = Some(prompt.id.clone());
    }
    // the reader shows the new question and, as it comes, its answer
    if state
        .selected_entry()
        .is_some_and(|e| e.session.id == session_id)
    {
        state.reader.pin = Some(crate::reader::Pin {
            session_id: session_id.clone(),
            prompt_id: prompt.id.clone(),
        });
        // one pane at a time: show the conversation instead of the list
        if !layout::two_panes(state.viewport.0) {
            state.focus = Focus::Detail;
        }
    }
    let mut view = TurnView::new(
        Turn {
            prompt,
            evaluation: Some(evaluation),
        },
        &state.settings.theme,
    );
    view.following = Some(req);
    let conversation = state.conversations.entry(session_id).or_default();
    conversation.turns.push(view);
    let stop = state
        .settings
        .keymap
        .note(Action::FocusList, "stops following");
    Output::from(info(format!("Asked: following the answer{stop}")))
}

/// Asking failed. A question saved without a run is shown as not run (the retry key runs it;
/// the box closes so `Enter` cannot post it twice); otherwise the box keeps the text and says
/// why.
pub(super) fn on_ask_failed(
    state: &mut State,
    req: RequestId,
    session: Session,
    prompt: Option<Prompt>,
    error: &GraphError,
    text: String,
) -> Output {
    if let Some(prompt) = prompt {
        return on_saved_not_run(state, req, &session.id, prompt, error);
    }
    let problem = Problem::graph("Asking failed", error.clone());
    give_back(state, req, text, Some(session), problem)
}

/// The question is saved on the service but its run could not start.
fn on_saved_not_run(
    state: &mut State,
    req: RequestId,
    session_id: &str,
    prompt: Prompt,
    error: &GraphError,
) -> Output {
    let problem = from_error("The question was saved but could not be run", error);
    close_box_of(state, req);
    let mut view = TurnView::new(
        Turn {
            prompt,
            evaluation: None,
        },
        &state.settings.theme,
    );
    view.not_run = Some(Problem::graph("not run", error.clone()));
    let conversation = state
        .conversations
        .entry(session_id.to_string())
        .or_default();
    conversation.turns.retain(|t| t.prompt.id != view.prompt.id);
    conversation.turns.push(view);
    let hint = match state.settings.keymap.hint_key(Action::Retry) {
        Some(key) => format!(" ({key} runs it again)"),
        None => String::new(),
    };
    Output::from(StatusMessage {
        text: CleanLine::new(format!("{}{hint}", problem.text)),
        ..problem
    })
}

/// Closes the prompt box when `req` is the ask it waits for.
fn close_box_of(state: &mut State, req: RequestId) {
    if let Mode::Creating(create) = &state.mode
        && create.in_flight == Some(req)
    {
        state.mode = Mode::Browsing;
    }
}

/// Running a question again could not start: the question shows why.
pub(super) fn on_evaluate_failed(
    state: &mut State,
    session_id: &str,
    prompt_id: &str,
    error: &GraphError,
) -> Output {
    let problem = from_error("Running the question again failed", error);
    if let Some(turn) = turn_mut(state, session_id, prompt_id) {
        turn.following = None;
        turn.not_run = Some(Problem::graph("not run", error.clone()));
    }
    Output::from(problem)
}

/// A followed answer moved on.
pub(super) fn on_evaluation_updated(
    state: &mut State,
    session_id: &str,
    prompt_id: &str,
    evaluation: Evaluation,
) -> Output {
    let theme = state.settings.theme.clone();
    if let Some(turn) = turn_mut(state, session_id, prompt_id) {
        turn.set_evaluation(Some(evaluation), &theme);
    }
    Output::none()
}

/// Following an answer ended (`ended` is the ask or follow it answered): the status says how.
pub(super) fn on_follow_ended(
    state: &mut State,
    ended: Option<Pending>,
    session_id: &str,
    result: Result<(), FollowError>,
) -> Output {
    let prompt_id = match ended {
        Some(Pending::Ask { prompt_id, .. }) => prompt_id,
        Some(Pending::Follow { prompt_id, .. }) => Some(prompt_id),
        _ => None,
    };
    let mut outcome = None;
    if let Some(prompt_id) = prompt_id
        && let Some(turn) = turn_mut(state, session_id, &prompt_id)
    {
        turn.following = None;
        outcome = turn.evaluation.clone();
    }
    Output::from(match result {
        Ok(()) => answered_status(state, outcome.as_ref()),
        Err(FollowError::Deadline(d)) => warning(format!(
            "Still running after {} s: stopped following; it keeps running on the service{}",
            d.as_secs(),
            state.settings.keymap.note(Action::Refresh, "refreshes")
        )),
        Err(FollowError::Graph(e)) => from_error("Following the answer failed", &e),
    })
}

/// What the status line says of an answer that stopped running.
fn answered_status(state: &State, outcome: Option<&Evaluation>) -> StatusMessage {
    match outcome {
        Some(e) if succeeded(e) => info("Answer ready"),
        Some(e) if e.state == EvaluationState::WaitingForInput => warning(format!(
            "Security Copilot waits for input sctui cannot give: answer it in Security Copilot{}",
            state.settings.keymap.note(Action::Refresh, "refreshes")
        )),
        Some(e) if e.state == EvaluationState::Cancelled => {
            warning("The run was cancelled: Security Copilot did not answer")
        }
        Some(e) => warning(format!(
            "Security Copilot did not answer: {} ({})",
            e.result
                .as_ref()
                .map(|r| r.result_type.to_string())
                .unwrap_or_else(|| "no result".into()),
            e.state
        )),
        None => info("Answer ready"),
    }
}
