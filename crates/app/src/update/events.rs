//! Worker events, routed by family to the module of their concern. An answer to a request no
//! longer awaited is dropped here, before any of them sees it.

use super::ask::{
    on_ask_failed, on_asked, on_create_failed, on_created, on_evaluate_failed,
    on_evaluation_updated, on_follow_ended,
};
use super::conversations::{on_conversation_failed, on_conversation_loaded};
use super::edit::{on_rename_failed, on_renamed};
use super::list::{on_page, on_page_failed};
use super::modes::{on_export_failed, on_exported};
use super::offline::on_conversation_from_store;
use super::prefetch::on_prefetched;
use super::retry_text;
use super::runs::{on_fork_progress, on_forked};
use super::search::on_searched;
use super::sign_in::{on_sign_in_failed, on_sign_in_prompt, on_signed_in};
use super::stored::{on_store_warning, on_stored_conversation, on_stored_list};
use super::sync::{on_sync_progress, on_synced};
use super::workspaces::{on_workspaces, on_workspaces_failed};
use crate::output::Output;
use crate::protocol::Event;
use crate::requests::Pending;
use crate::state::State;

/// Applies a worker event. An answer to a request that is no longer awaited (superseded by a
/// refresh, stopped, or sent in another workspace) is dropped here, whatever its kind; the
/// request ends with its last event.
pub(super) fn on_event(state: &mut State, event: Event) -> Output {
    // any answer means the wait is over (a retry that waits again says so again)
    if !matches!(event, Event::Retrying(_)) {
        state.retry_notice = None;
    }
    let Some(ended) = admit(state, &event) else {
        return Output::none();
    };
    match event {
        // the session list
        Event::PageLoaded { first, page, .. } => on_page(state, first, page),
        Event::PageFailed { error, .. } => on_page_failed(state, &error),
        Event::Retrying(notice) => {
            state.retry_notice = Some(retry_text(&notice));
            Output::none()
        }
        // the local store: its list and conversations, its search and its sync
        Event::StoredList { stored, .. } => match stored {
            Some(stored) => on_stored_list(state, stored.sessions, stored.info),
            None => Output::none(),
        },
        Event::ConversationStored {
            session_id, turns, ..
        } => on_stored_conversation(state, &session_id, turns),
        Event::ConversationFromStore {
            session_id, turns, ..
        } => on_conversation_from_store(state, &session_id, turns),
        Event::StoreWarning { problem } => on_store_warning(&problem),
        Event::Searched { query, result, .. } => on_searched(state, query, result),
        Event::SyncProgress { req, progress } => on_sync_progress(state, req, progress),
        Event::Synced { req, result } => on_synced(state, req, result),
        // renames
        Event::Renamed { req, session } => on_renamed(state, req, session),
        Event::RenameFailed {
            req,
            id,
            name,
            error,
        } => on_rename_failed(state, req, id, name, &error),
        // asking, and following the answer
        Event::Created { req, session } => on_created(state, req, session),
        Event::CreateFailed { req, error } => {
            on_create_failed(state, req, &error, asked_text(ended))
        }
        Event::Asked {
            req,
            session_id,
            prompt,
            evaluation,
        } => on_asked(state, req, session_id, prompt, evaluation),
        Event::AskFailed {
            req,
            session,
            prompt,
            error,
        } => on_ask_failed(state, req, session, prompt, &error, asked_text(ended)),
        Event::EvaluateFailed {
            session_id,
            prompt_id,
            error,
            ..
        } => on_evaluate_failed(state, &session_id, &prompt_id, &error),
        Event::EvaluationUpdated {
            session_id,
            prompt_id,
            evaluation,
            ..
        } => on_evaluation_updated(state, &session_id, &prompt_id, evaluation),
        Event::FollowEnded {
            session_id, result, ..
        } => on_follow_ended(state, ended, &session_id, result),
        // conversations
        Event::ConversationLoaded {
            session_id, runs, ..
        } => on_conversation_loaded(state, &session_id, runs),
        Event::ConversationPrefetched {
            workspace,
            session_id,
            runs,
        } => on_prefetched(state, &workspace, &session_id, runs),
        Event::ConversationFailed {
            session_id, error, ..
        } => on_conversation_failed(state, &session_id, &error),
        // forks
        Event::ForkProgress { req, progress } => on_fork_progress(state, req, progress),
        Event::Forked { session, end, .. } => on_forked(state, ended, session, end),
        // signing in
        Event::SignInPrompt {
            verification_uri,
            user_code,
            message,
            ..
        } => on_sign_in_prompt(state, verification_uri, user_code, message),
        Event::SignedIn { who, .. } => on_signed_in(state, who),
        Event::SignInFailed { error, .. } => on_sign_in_failed(state, &error),
        // workspaces and exports
        Event::WorkspacesLoaded { workspaces, .. } => on_workspaces(state, workspaces),
        Event::WorkspacesFailed { error, .. } => on_workspaces_failed(state, &error),
        Event::Exported { path, .. } => on_exported(&path),
        Event::ExportFailed { error, .. } => on_export_failed(&error),
    }
}

/// Whether `event` answers a request still awaited (`None`: drop it). When it is the request's
/// last event the request ends here, and what it was about comes back (`Some(Some(..))`).
/// Events that answer no request are always taken.
fn admit(state: &mut State, event: &Event) -> Option<Option<Pending>> {
    let Some(req) = event.request() else {
        return Some(None);
    };
    if event.ends_request() {
        return state.requests.finish(req).map(Some);
    }
    state.requests.get(req).map(|_| None)
}

/// The text typed for an ask that ended, so a failure can give it back.
fn asked_text(ended: Option<Pending>) -> String {
    match ended {
        Some(Pending::Ask { text, .. }) => text,
        _ => String::new(),
    }
}
