//! Conversations: loading them when the selection settles, and following running answers.

use super::runs::run_again;
use super::{info, warning};
use crate::keys::Action;
use crate::output::Output;
use crate::protocol::Command;
use crate::requests::Pending;
use crate::state::State;

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

/// How old a cached conversation may be before re-selecting the session reloads it.
pub(super) const CONVERSATION_MAX_AGE_SECS: i64 = 30;

/// Loads (or revalidates) the selected session's conversation, unless a load or a follow is on.
pub(super) fn load_selected_conversation(state: &mut State) -> Output {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Output::none();
    };
    let now = state.now;
    let busy = state.is_following(&id) || state.conversation_loading(&id);
    let conversation = state.conversations.entry(id.clone()).or_default();
    let fresh = conversation
        .fetched_at
        .is_some_and(|t| now.as_second() - t.as_second() < CONVERSATION_MAX_AGE_SECS);
    if busy {
        return Output::none();
    }
    if fresh {
        // a prefetched conversation may hold answers still being written: follow them now
        return follow_running_turns(state, &id);
    }
    let req = state.requests.start(Pending::Conversation {
        session_id: id.clone(),
    });
    if state.settings.offline {
        return Command::LoadStoredConversation {
            req,
            session_id: id,
        }
        .into();
    }
    Command::LoadConversation {
        req,
        session_id: id,
    }
    .into()
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
    state.status = Some(info(format!(
        "Stopped following: the evaluation keeps running on the service{refresh}"
    )));
    stopped
        .into_iter()
        .map(|req| Command::StopFollow { req })
        .collect::<Vec<_>>()
        .into()
}

/// The retry key: starts a new evaluation of the selected session's last question that has none
/// (its run failed), and follows it. The question is not posted again.
pub(super) fn retry_selected(state: &mut State) -> Output {
    let Some((session_id, turn)) = state.retry_target() else {
        let ask = state.settings.keymap.note(Action::Ask, "asks again");
        state.status = Some(warning(format!(
            "Nothing to run again: the last question here has an answer or is running{ask}"
        )));
        return Output::none();
    };
    let session_id = session_id.to_string();
    let prompt_id = turn.prompt.id.clone();
    run_again(state, session_id, prompt_id)
}
