//! The list from the local store: shown at once at start, then revalidated by Graph like a
//! refresh is (`list::on_page`: pages merge into it, nothing disappears meanwhile, until a
//! complete listing says which stored sessions are gone). A rename or create in flight wins over
//! both.

use super::conversations::store_conversation;
use super::list::rows;
use super::warning;
use crate::output::{Effect, Output, Timer};
use crate::protocol::{ListInfo, StoreProblem};
use crate::state::{State, StoredList};
use sctui_graph::conversation::Turn;
use sctui_graph::models::Session;

/// The stored list arrived: shown only while Graph has not answered yet (Graph wins).
pub(super) fn on_stored_list(state: &mut State, sessions: Vec<Session>, info: ListInfo) -> Output {
    if state.paging.loaded_once || !state.list.is_empty() {
        return Output::none();
    }
    // an empty store: online, Graph's list is on its way; offline, it is all there is
    if sessions.is_empty() && !state.settings.offline {
        return Output::none();
    }
    let rows = rows(state);
    state.list.replace_all(sessions, rows);
    state.paging.complete = state.paging.complete.or(info.complete);
    state.stored = Some(StoredList {
        updated: info.updated,
        complete: info.complete,
    });
    if state.list.is_empty() {
        state.paging.loaded_once = true;
        return Output::none();
    }
    let mut out = Output::none();
    if !state.list.visible().is_empty() {
        out.effect(Effect::Arm(Timer::Settle));
    }
    out
}

/// A session made here, or renamed here, is not gone for a listing that may have passed its
/// place already.
pub(super) fn keep(state: &mut State, id: &str) {
    state.paging.listing.keep(id);
}

/// A stored conversation: shown while Graph's is on its way, never over one already loaded.
pub(super) fn on_stored_conversation(
    state: &mut State,
    session_id: &str,
    turns: Vec<Turn>,
) -> Output {
    let loaded = state
        .conversations
        .get(session_id)
        .is_some_and(|c| !c.turns.is_empty() || c.error.is_some());
    if loaded {
        return Output::none();
    }
    let conversation = store_conversation(state, session_id, turns);
    // Graph's answer is still on its way and replaces it
    conversation.fetched_at = None;
    Output::none()
}

/// The local store reported a problem (it keeps working, or works without keeping anything).
pub(super) fn on_store_warning(problem: &StoreProblem) -> Output {
    Output::from(warning(store_problem_text(problem)))
}

/// A store problem in words.
fn store_problem_text(problem: &StoreProblem) -> String {
    match problem {
        StoreProblem::Recovered(recovered) => recovered.clone(),
        StoreProblem::Failed(error) => error.clone(),
        StoreProblem::OpenAborted(error) => {
            format!("The local store could not be opened: {error}")
        }
        StoreProblem::ReadOnly => "Read-only local store: nothing new is kept".into(),
    }
}
