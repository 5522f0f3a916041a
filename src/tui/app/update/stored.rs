//! The list from the local store: shown at once at start, then revalidated by Graph page by page
//! (pages merge into it, nothing disappears meanwhile) until a complete listing says which stored
//! sessions are gone. A rename or create in flight wins over both.

use std::collections::HashSet;

use super::*;
use crate::store::ListInfo;
use crate::tui::app::state::StoredList;

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
        seen: HashSet::new(),
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

/// A page from Graph while the stored list is shown: merged, never replacing; the first page
/// starts a walk of the whole list, and the last one drops the stored sessions Graph no longer
/// has (a session with a rename in flight stays).
pub(super) fn on_page(state: &mut State, first: bool, page: Page<Session>) -> Output {
    let last = page.next_link.is_none();
    if let Some(stored) = state.stored.as_mut() {
        stored.seen.extend(page.value.iter().map(|s| s.id.clone()));
    }
    apply_page(state, false, page);
    if last {
        if let Some(stored) = state.stored.take() {
            let rows = rows(state);
            state.list.retain(
                |e| e.pending.is_some() || stored.seen.contains(&e.session.id),
                rows,
            );
        }
        return Output::none();
    }
    if first {
        return load_everything(state);
    }
    Output::none()
}

/// A session made here while the stored list is shown is not gone for a listing that began
/// before it.
pub(super) fn keep(state: &mut State, id: &str) {
    if let Some(stored) = state.stored.as_mut() {
        stored.seen.insert(id.to_string());
    }
}

/// A stored conversation: shown while Graph's is on its way, never over one already loaded.
pub(super) fn on_stored_conversation(state: &mut State, session_id: &str, turns: Vec<Turn>) {
    let loaded = state
        .conversations
        .get(session_id)
        .is_some_and(|c| !c.turns.is_empty() || c.error.is_some());
    if loaded {
        return;
    }
    let conversation = store_conversation(state, session_id, turns);
    // Graph's answer is still on its way and replaces it
    conversation.fetched_at = None;
}
