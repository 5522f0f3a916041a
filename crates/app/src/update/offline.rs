//! Without Graph: `--offline` (the local store only; every change is refused with the typed text
//! kept where it was), and a start where Graph could not be reached (the stored list, if any,
//! stays with a banner while the list is asked for again, waiting longer after each failure).

use super::conversations::store_conversation;
use super::list::start_load;
use super::warning;
use crate::advice::Problem;
use crate::keys::Action;
use crate::output::{Effect, Output, Timer};
use crate::state::store::Reconnect;
use crate::state::{State, StatusMessage};
use sctui_graph::GraphError;
use sctui_graph::conversation::Turn;

/// The warning for something that needs Graph, asked for with `--offline`.
pub(super) fn offline_refusal(what: &str) -> StatusMessage {
    warning(format!("Offline: {what} needs Graph; nothing was sent"))
}

/// What an action that needs Graph at once is called in the offline refusal (`None`: it works
/// offline, or is refused later, when what was typed is sent).
pub(super) fn needs_graph(action: Action) -> Option<&'static str> {
    Some(match action {
        Action::Refresh => "refreshing",
        Action::Workspaces => "listing workspaces",
        Action::Retry => "running a question again",
        _ => return None,
    })
}

/// The prompt box's problem when sending is refused offline (the text stays in the box).
pub(super) fn offline_prompt_problem() -> String {
    "Not sent: sctui runs --offline (the local store only). Your text stays here; start sctui \
     without --offline to send it"
        .to_string()
}

/// Whether a failed page means Graph could not be reached (worth trying again by itself), rather
/// than a refusal that will not change (sign-in, permissions, a missing workspace).
fn unreachable(error: &GraphError) -> bool {
    matches!(error, GraphError::Network { .. })
        || error
            .status()
            .is_some_and(|status| status == 429 || status >= 500)
}

/// A page failed before Graph ever answered (the stored list, or nothing, on screen): the next
/// try is armed, 2 s after the first
/// failure and twice as long after each one after it, up to a minute.
pub(super) fn schedule_reconnect(state: &mut State, error: &GraphError) -> Output {
    let at_start = state.reconnect.before_graph(state);
    if at_start && !unreachable(error) {
        // Graph answered with a refusal: not unreachable any more, and not tried again by itself
        state.reconnect.failures = 0;
    }
    if !at_start || state.settings.offline || !unreachable(error) {
        return Output::none();
    }
    let failures = state.reconnect.failures.saturating_add(1);
    let wait_secs = Reconnect::wait_after(failures);
    state.reconnect = Reconnect {
        failures,
        wait_secs,
        reached: false,
    };
    Effect::Arm(Timer::Reconnect { secs: wait_secs }).into()
}

/// The reconnect timer fired: the list is asked for again, unless something already did.
pub(super) fn on_reconnect(state: &mut State) -> Output {
    let armed = state.reconnect.failures > 0;
    let at_start = state.reconnect.before_graph(state);
    if !armed || !at_start || !state.paging.failed || state.page_loading() {
        return Output::none();
    }
    state.paging.failed = false;
    start_load(state)
}

/// A conversation read from the store only (`--offline`): shown as it was stored, or a line
/// saying it was never stored (offline, nothing more can be had).
pub(super) fn on_conversation_from_store(
    state: &mut State,
    session_id: &str,
    turns: Option<Vec<Turn>>,
) -> Output {
    match turns {
        Some(turns) => {
            store_conversation(state, session_id, turns);
        }
        None => {
            let sync = state
                .settings
                .keymap
                .hint_key(Action::Sync)
                .map(|key| format!("; online, {key} syncs every conversation"))
                .unwrap_or_default();
            let now = state.now;
            let conversation = state
                .conversations
                .entry(session_id.to_string())
                .or_default();
            conversation.fetched_at = Some(now);
            conversation.error = Some(Problem::other(&format!(
                "Not in the local store: this conversation was never read or synced here{sync}"
            )));
        }
    }
    Output::none()
}
