//! Conversations: loading them when the selection settles, and following running answers.

use super::*;

/// Answers still running when their conversation loads are followed too, so they appear
/// without a manual refresh.
pub(super) fn follow_running_turns(state: &mut State, session_id: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    let Some(conversation) = state.conversations.get_mut(session_id) else {
        return commands;
    };
    for turn in &mut conversation.turns {
        let Some(evaluation) = &turn.evaluation else {
            continue;
        };
        if turn.following.is_some() || !evaluation.state.is_in_progress() {
            continue;
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        turn.following = Some(seq);
        state.follows.insert(
            seq,
            Follow {
                session_id: session_id.to_string(),
                prompt_id: Some(turn.prompt.id.clone()),
            },
        );
        state.in_flight += 1;
        commands.push(Command::Follow {
            seq,
            session_id: session_id.to_string(),
            prompt_id: turn.prompt.id.clone(),
            evaluation_id: evaluation.id.clone(),
        });
    }
    commands
}

/// How old a cached conversation may be before re-selecting the session reloads it.
pub(super) const CONVERSATION_MAX_AGE_SECS: i64 = 30;

/// Loads (or revalidates) the selected session's conversation, unless a load or a follow is on.
pub(super) fn load_selected_conversation(state: &mut State) -> Vec<Command> {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Vec::new();
    };
    let now = state.now;
    let following = state.is_following(&id);
    let conversation = state.conversations.entry(id.clone()).or_default();
    let fresh = conversation
        .fetched_at
        .is_some_and(|t| now.as_second() - t.as_second() < CONVERSATION_MAX_AGE_SECS);
    if conversation.loading || following {
        return Vec::new();
    }
    if fresh {
        // a prefetched conversation may hold answers still being written: follow them now
        return follow_running_turns(state, &id);
    }
    conversation.loading = true;
    state.in_flight += 1;
    vec![Command::LoadConversation { session_id: id }]
}

/// `Esc` on a session whose answer is being followed stops following it (the evaluation keeps
/// running on the service).
pub(super) fn stop_following_selected(state: &mut State) -> Vec<Command> {
    let Some(id) = state.selected_entry().map(|e| e.session.id.clone()) else {
        return Vec::new();
    };
    let seqs: Vec<u64> = state
        .follows
        .iter()
        .filter(|(_, f)| f.session_id == id)
        .map(|(&seq, _)| seq)
        .collect();
    if seqs.is_empty() {
        return Vec::new();
    }
    if let Some(c) = state.conversations.get_mut(&id) {
        for t in &mut c.turns {
            if t.following.is_some_and(|s| seqs.contains(&s)) {
                t.following = None;
            }
        }
    }
    for seq in &seqs {
        state.follows.remove(seq);
        state.in_flight = state.in_flight.saturating_sub(1);
    }
    state.status = Some(info(
        "Stopped following: the evaluation keeps running on the service (R refreshes later)",
    ));
    seqs.into_iter()
        .map(|seq| Command::StopFollow { seq })
        .collect()
}
