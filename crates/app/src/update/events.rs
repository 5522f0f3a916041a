//! Worker events applied to the state: pages, renames, asks, answers, sign-in, exports.

use super::ask::follow_running_turns;
use super::edit::reopen_rename;
use super::list::{on_page, remove_session, rows, start_load};
use super::modes::not_found_hint;
use super::offline::{on_conversation_from_store, schedule_reconnect};
use super::prefetch::on_prefetched;
use super::runs::{on_fork_progress, on_forked};
use super::search::on_searched;
use super::stored::{keep, on_stored_conversation, on_stored_list};
use super::sync::{on_sync_progress, on_synced};
use super::{error_text, error_words, from_error, info, retry_text, warning};
use crate::keys::Action;
use crate::layout;
use crate::output::Output;
use crate::protocol::{Event, ExportError, SignInError, StoreProblem};
use crate::requests::Pending;
use crate::state::{
    Conversation, DeferredEdit, Focus, Mode, SessionEntry, State, StatusMessage, TurnView,
};
use sctui_graph::conversation::{FollowError, PromptRuns, Turn, succeeded};
use tui_input::Input;

/// Applies a worker event. An answer to a request that is no longer awaited (superseded by a
/// refresh, stopped, or sent in another workspace) is dropped here, whatever its kind; the
/// request ends with its last event.
pub(super) fn on_event(state: &mut State, event: Event) -> Output {
    // any answer means the wait is over (a retry that waits again says so again)
    if !matches!(event, Event::Retrying(_)) {
        state.retry_notice = None;
    }
    // what the request was about, when this event ends it
    let mut ended = None;
    if let Some(req) = event.request() {
        if event.ends_request() {
            match state.requests.finish(req) {
                Some(pending) => ended = Some(pending),
                None => return Output::none(),
            }
        } else if state.requests.get(req).is_none() {
            return Output::none();
        }
    }
    if matches!(event, Event::PageLoaded { .. }) {
        state.reconnect = crate::state::store::Reconnect {
            reached: true,
            ..Default::default()
        };
    }
    match event {
        Event::Searched { query, result, .. } => {
            on_searched(state, query, result);
            Output::none()
        }
        Event::SyncProgress { req, progress } => {
            on_sync_progress(state, req, progress);
            Output::none()
        }
        Event::Synced { req, result } => on_synced(state, req, result),
        Event::ConversationFromStore {
            session_id, turns, ..
        } => {
            on_conversation_from_store(state, &session_id, turns);
            Output::none()
        }
        Event::PageLoaded { first, page, .. } => on_page(state, first, page),
        Event::StoredList { stored, .. } => match stored {
            Some(stored) => on_stored_list(state, stored.sessions, stored.info),
            None => Output::none(),
        },
        Event::ConversationStored {
            session_id, turns, ..
        } => {
            on_stored_conversation(state, &session_id, turns);
            Output::none()
        }
        Event::StoreWarning { problem } => {
            state.status = Some(warning(store_problem_text(&problem)));
            Output::none()
        }
        Event::PageFailed { error, .. } => {
            // a later `G`, filter or sort starts the walk again
            state.paging.bulk = false;
            state.paging.to_end = false;
            state.paging.loaded_once = true;
            state.paging.failed = true;
            let mut status = from_error("Could not load sessions", &error);
            if let Some(hint) = not_found_hint(state, &error) {
                // first, so a narrow status line still shows the way out
                status.text = format!("{hint} · {}", status.text);
            }
            state.status = Some(status);
            schedule_reconnect(state, &error)
        }
        Event::Renamed { req, session } => {
            keep(state, &session.id);
            let rows = rows(state);
            if let Some(entry) = state.list.renamed(req, session, rows) {
                let shown = entry.shown_name().unwrap_or("(untitled)");
                state.status = Some(info(format!("Renamed to “{shown}”")));
            }
            Output::none()
        }
        Event::RenameFailed {
            req,
            id,
            name,
            error,
        } => {
            let rows = rows(state);
            state.list.drop_pending(&id, req, rows);
            if error.is_not_found() {
                let forget = remove_session(state, &id);
                state.status = Some(from_error(
                    "The session no longer exists and was removed from the list",
                    &error,
                ));
                return forget;
            }
            state.status = Some(from_error(&format!("Rename to “{name}” failed"), &error));
            reopen_rename(state, id, name);
            Output::none()
        }
        Event::Created { req, session } => {
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
            if let Mode::Creating(create) = &state.mode
                && create.in_flight == Some(req)
            {
                state.mode = Mode::Browsing;
            }
            let label = SessionEntry::new(session.clone())
                .shown_name()
                .unwrap_or("(untitled)")
                .to_string();
            let rows = rows(state);
            if state.list.insert_created(session, rows) {
                state.paging.total = state.paging.total.map(|t| t + 1);
            }
            state.focus = Focus::List;
            state.status = Some(info(format!("Created “{label}”: asking Security Copilot…")));
            Output::none()
        }
        Event::CreateFailed { req, error } => {
            let text = asked_text(ended);
            let problem = from_error("Create failed", &error);
            match &mut state.mode {
                Mode::Creating(create) if create.in_flight == Some(req) => {
                    create.in_flight = None;
                    create.problem = Some(problem.text.clone());
                }
                _ => state.deferred.push(DeferredEdit::Prompt {
                    text,
                    target: None,
                    problem: problem.text.clone(),
                }),
            }
            state.status = Some(problem);
            Output::none()
        }
        Event::Retrying(notice) => {
            state.retry_notice = Some(retry_text(&notice));
            Output::none()
        }
        Event::Asked {
            req,
            session_id,
            prompt,
            evaluation,
        } => {
            if let Mode::Creating(create) = &state.mode
                && create.in_flight == Some(req)
            {
                state.mode = Mode::Browsing;
            }
            if let Some(Pending::Ask {
                session_id: asked_in,
                prompt_id,
                ..
            }) = state.requests.get_mut(req)
            {
                *asked_in = Some(session_id.clone());
                *prompt_id = Some(prompt.id.clone());
            }
            let theme = state.settings.theme.clone();
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
            let conversation = state.conversations.entry(session_id).or_default();
            let mut view = TurnView::new(
                Turn {
                    prompt,
                    evaluation: Some(evaluation),
                },
                &theme,
            );
            view.following = Some(req);
            conversation.turns.push(view);
            let stop = state
                .settings
                .keymap
                .note(Action::FocusList, "stops following");
            state.status = Some(info(format!("Asked: following the answer{stop}")));
            Output::none()
        }
        Event::AskFailed {
            req,
            session,
            prompt,
            error,
        } => {
            let text = asked_text(ended);
            if let Some(prompt) = prompt {
                // the question is saved: it is shown as not run, and the retry key runs it;
                // the box closes so Enter cannot post it a second time
                let problem = from_error("The question was saved but could not be run", &error);
                if let Mode::Creating(create) = &state.mode
                    && create.in_flight == Some(req)
                {
                    state.mode = Mode::Browsing;
                }
                let theme = state.settings.theme.clone();
                let conversation = state.conversations.entry(session.id.clone()).or_default();
                let mut view = TurnView::new(
                    Turn {
                        prompt,
                        evaluation: None,
                    },
                    &theme,
                );
                view.not_run = Some(error_words(&error));
                conversation.turns.retain(|t| t.prompt.id != view.prompt.id);
                conversation.turns.push(view);
                let hint = match state.settings.keymap.hint_key(Action::Retry) {
                    Some(key) => format!(" ({key} runs it again)"),
                    None => String::new(),
                };
                state.status = Some(StatusMessage {
                    text: format!("{}{hint}", problem.text),
                    ..problem
                });
                return Output::none();
            }
            let problem = from_error("Asking failed", &error);
            match &mut state.mode {
                Mode::Creating(create) if create.in_flight == Some(req) => {
                    create.in_flight = None;
                    create.target = Some(session);
                    create.problem = Some(problem.text.clone());
                }
                _ => state.deferred.push(DeferredEdit::Prompt {
                    text,
                    target: Some(session),
                    problem: problem.text.clone(),
                }),
            }
            state.status = Some(problem);
            Output::none()
        }
        Event::EvaluateFailed {
            session_id,
            prompt_id,
            error,
            ..
        } => {
            let problem = from_error("Running the question again failed", &error);
            if let Some(turn) = turn_mut(state, &session_id, &prompt_id) {
                turn.following = None;
                turn.not_run = Some(error_words(&error));
            }
            state.status = Some(problem);
            Output::none()
        }
        Event::EvaluationUpdated {
            req: _,
            session_id,
            prompt_id,
            evaluation,
        } => {
            let theme = state.settings.theme.clone();
            if let Some(turn) = turn_mut(state, &session_id, &prompt_id) {
                turn.set_evaluation(Some(evaluation), &theme);
            }
            Output::none()
        }
        Event::FollowEnded {
            session_id, result, ..
        } => {
            let prompt_id = match ended {
                Some(Pending::Ask { prompt_id, .. }) => prompt_id,
                Some(Pending::Follow { prompt_id, .. }) => Some(prompt_id),
                _ => None,
            };
            let turn = state.conversations.get_mut(&session_id).and_then(|c| {
                c.turns
                    .iter_mut()
                    .find(|t| prompt_id.as_deref() == Some(t.prompt.id.as_str()))
            });
            let mut outcome = None;
            if let Some(turn) = turn {
                turn.following = None;
                outcome = turn.evaluation.clone();
            }
            state.status = Some(match result {
                Ok(()) => match outcome {
                    Some(e) if succeeded(&e) => info("Answer ready"),
                    Some(e) if e.state == sctui_graph::models::EvaluationState::WaitingForInput => {
                        warning(format!(
                            "Security Copilot waits for input sctui cannot give: answer it in Security Copilot{}",
                            state.settings.keymap.note(Action::Refresh, "refreshes")
                        ))
                    }
                    Some(e) if e.state == sctui_graph::models::EvaluationState::Cancelled => {
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
                },
                Err(FollowError::Deadline(d)) => warning(format!(
                    "Still running after {} s: stopped following; it keeps running on the service{}",
                    d.as_secs(),
                    state.settings.keymap.note(Action::Refresh, "refreshes")
                )),
                Err(FollowError::Graph(e)) => from_error("Following the answer failed", &e),
            });
            Output::none()
        }
        Event::ConversationLoaded {
            session_id, runs, ..
        } => {
            store_conversation_runs(state, &session_id, runs);
            follow_running_turns(state, &session_id)
        }
        Event::ConversationPrefetched {
            workspace,
            session_id,
            runs,
        } => on_prefetched(state, &workspace, &session_id, runs),
        Event::ForkProgress { req, progress } => {
            on_fork_progress(state, req, progress);
            Output::none()
        }
        Event::Forked { session, end, .. } => on_forked(state, ended, session, end),
        Event::ConversationFailed {
            session_id, error, ..
        } => {
            if error.is_not_found() {
                state.conversations.remove(&session_id);
                let forget = remove_session(state, &session_id);
                state.status = Some(from_error(
                    "The session no longer exists and was removed from the list",
                    &error,
                ));
                return forget;
            }
            let message = from_error("Could not load the conversation", &error);
            if let Some(c) = state.conversations.get_mut(&session_id) {
                c.error = Some(message.text.clone());
            }
            Output::none()
        }
        Event::SignInPrompt {
            verification_uri,
            user_code,
            message,
            ..
        } => {
            if let Mode::SigningIn(popup) = &mut state.mode {
                popup.verification_uri = Some(verification_uri);
                popup.user_code = Some(user_code);
                popup.message = Some(message);
            }
            Output::none()
        }
        Event::SignedIn { who, .. } => {
            state.who = who.unwrap_or_else(|| "signed in".to_string());
            state.signed_in = true;
            if matches!(state.mode, Mode::SigningIn(_)) {
                state.mode = Mode::Browsing;
            }
            state.status = Some(info(format!("Signed in as {}", state.who)));
            start_load(state)
        }
        Event::SignInFailed { error, .. } => {
            let message = match &error {
                SignInError::Unavailable => error.to_string(),
                SignInError::Auth(e) => format!("Sign-in failed: {e}"),
            };
            let message = crate::sanitize::sanitize_line(&message).into_owned();
            if let Mode::SigningIn(popup) = &mut state.mode {
                popup.error = Some(message);
            } else {
                state.status = Some(error_text(message));
            }
            Output::none()
        }
        Event::WorkspacesLoaded { workspaces, .. } => {
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
                if workspaces.is_empty() {
                    picker.typed = Some(Input::default());
                }
                picker.workspaces = Some(workspaces);
            }
            Output::none()
        }
        Event::WorkspacesFailed { error, .. } => {
            let status = from_error("Could not list workspaces", &error);
            // The picker stays open: the user can type the workspace id instead.
            if let Mode::PickingWorkspace(picker) = &mut state.mode {
                picker.workspaces = Some(Vec::new());
                picker.error = Some(status.text.clone());
                picker.typed = Some(Input::default());
            }
            state.status = Some(status);
            Output::none()
        }
        Event::Exported { path, .. } => {
            state.status = Some(info(format!("Exported to {}", path.display())));
            Output::none()
        }
        Event::ExportFailed { error, .. } => {
            state.status = Some(match &error {
                ExportError::Graph(e) => from_error("Export failed", e),
                ExportError::Write { .. } => error_text(format!("Export failed: {error}")),
                ExportError::NotStored => warning(
                    "Not exported: this conversation is not in the local store (offline, only \
                     what was stored can be exported)",
                ),
            });
            Output::none()
        }
    }
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

/// The text typed for an ask that ended, so a failure can give it back.
fn asked_text(ended: Option<Pending>) -> String {
    match ended {
        Some(Pending::Ask { text, .. }) => text,
        _ => String::new(),
    }
}

/// The turn of `prompt_id` in a loaded conversation.
fn turn_mut<'a>(
    state: &'a mut State,
    session_id: &str,
    prompt_id: &str,
) -> Option<&'a mut TurnView> {
    state
        .conversations
        .get_mut(session_id)
        .and_then(|c| c.turns.iter_mut().find(|t| t.prompt.id == prompt_id))
}
