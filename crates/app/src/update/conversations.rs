//! The conversation cache: loading the selected session's conversation when the selection
//! settles, what a load brings (or why it failed), and keeping answers being followed when a
//! newer copy of the conversation arrives.

use super::ask::follow_running_turns;
use super::from_error;
use super::list::remove_session;
use crate::advice::Problem;
use crate::output::Output;
use crate::protocol::Command;
use crate::requests::Pending;
use crate::state::{Conversation, State, TurnView};
use sctui_graph::GraphError;
use sctui_graph::conversation::{PromptRuns, Turn};

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

/// Graph's conversation arrived: cached, and the answers still running in it followed.
pub(super) fn on_conversation_loaded(
    state: &mut State,
    session_id: &str,
    runs: Vec<PromptRuns>,
) -> Output {
    store_conversation_runs(state, session_id, runs);
    follow_running_turns(state, session_id)
}

/// A conversation could not be loaded: a session Graph no longer has leaves the list; any other
/// failure is kept with the conversation and shown in its pane.
pub(super) fn on_conversation_failed(
    state: &mut State,
    session_id: &str,
    error: &GraphError,
) -> Output {
    if error.is_not_found() {
        state.conversations.remove(session_id);
        return remove_session(state, session_id).saying(from_error(
            "The session no longer exists and was removed from the list",
            error,
        ));
    }
    if let Some(c) = state.conversations.get_mut(session_id) {
        c.error = Some(Problem::graph(
            "Could not load the conversation",
            error.clone(),
        ));
    }
    Output::none()
}

/// Puts a loaded conversation in the cache (fresh as of now), keeping the answers being followed,
/// which are newer than what a list shows.
pub(super) fn store_conversation<'a>(
    state: &'a mut State,
    session_id: &str,
    turns: Vec<Turn>,
) -> &'a mut Conversation {
    let theme = &state.settings.theme;
    let fresh = turns.into_iter().map(|t| TurnView::new(t, theme)).collect();
    store_views(state, session_id, fresh)
}

/// [`store_conversation`] with every run of each question (Graph's answer to a load).
pub(super) fn store_conversation_runs<'a>(
    state: &'a mut State,
    session_id: &str,
    runs: Vec<PromptRuns>,
) -> &'a mut Conversation {
    let theme = &state.settings.theme;
    let fresh = runs
        .into_iter()
        .map(|r| TurnView::with_runs(r, theme))
        .collect();
    store_views(state, session_id, fresh)
}

/// Puts a conversation's views in the cache. Answers being followed are kept (they are newer
/// than a list), and so are earlier runs seen before when the new views do not list them (a
/// conversation from the store or a prefetch knows only the newest run).
fn store_views<'a>(
    state: &'a mut State,
    session_id: &str,
    mut fresh: Vec<TurnView>,
) -> &'a mut Conversation {
    let conversation = state
        .conversations
        .entry(session_id.to_string())
        .or_default();
    for mut old in conversation.turns.drain(..) {
        let slot = fresh.iter_mut().find(|t| t.prompt.id == old.prompt.id);
        if old.following.is_some() {
            match slot {
                Some(slot) => *slot = old,
                None => fresh.push(old),
            }
            continue;
        }
        if let Some(slot) = slot
            && slot.earlier.is_empty()
            && !old.earlier.is_empty()
        {
            let shown = slot.evaluation.as_ref().map(|e| e.id.clone());
            old.earlier
                .retain(|e| Some(&e.evaluation.id) != shown.as_ref());
            slot.earlier = old.earlier;
        }
    }
    conversation.turns = fresh;
    conversation.fetched_at = Some(state.now);
    conversation.error = None;
    conversation
}

/// The turn of `prompt_id` in a loaded conversation.
pub(super) fn turn_mut<'a>(
    state: &'a mut State,
    session_id: &str,
    prompt_id: &str,
) -> Option<&'a mut TurnView> {
    state
        .conversations
        .get_mut(session_id)
        .and_then(|c| c.turns.iter_mut().find(|t| t.prompt.id == prompt_id))
}
