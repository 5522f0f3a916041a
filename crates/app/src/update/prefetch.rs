//! Neighbour prefetch, update's side: when the selection settles, the next and previous sessions'
//! conversations are asked for in the background (the worker bounds and orders them); when the
//! selection moves on, that wish is cancelled; what arrives is
//! cached without touching the busy indicator, so `j` at reading pace shows a conversation at once.

use super::conversations::{CONVERSATION_MAX_AGE_SECS, store_conversation_runs};
use crate::output::Output;
use crate::protocol::Command;
use crate::state::State;
use sctui_graph::conversation::PromptRuns;

/// The sessions to fetch ahead of the selection: the next one first (readers mostly go down),
/// then the previous one; only those whose conversation is not cached fresh, loading or followed.
pub(super) fn neighbours(state: &State) -> Vec<String> {
    let now = state.now.as_second();
    let selected = state.list.selected();
    [selected.checked_add(1), selected.checked_sub(1)]
        .into_iter()
        .flatten()
        .filter_map(|row| state.list.row(row))
        .map(|entry| entry.session.id.as_str())
        .filter(|id| {
            let cached = state.conversation_loading(id)
                || state.conversations.get(*id).is_some_and(|c| {
                    c.fetched_at
                        .is_some_and(|t| now - t.as_second() < CONVERSATION_MAX_AGE_SECS)
                });
            !cached && !state.is_following(id)
        })
        .map(str::to_string)
        .collect()
}

/// Asks the worker for the neighbours' conversations (nothing when they are all at hand).
pub(super) fn prefetch_neighbours(state: &mut State) -> Output {
    let session_ids = neighbours(state);
    if session_ids.is_empty() {
        return Output::none();
    }
    state.prefetch_wished = true;
    Command::Prefetch { session_ids }.into()
}

/// Cancels the background fetch of the old neighbours (once: holding `j` sends it on the first
/// move only).
pub(super) fn cancel_prefetch(state: &mut State) -> Output {
    if !std::mem::take(&mut state.prefetch_wished) {
        return Output::none();
    }
    Command::Prefetch {
        session_ids: Vec::new(),
    }
    .into()
}

/// Caches a prefetched conversation, unless it is from another workspace, of a session no longer
/// listed, or older than what a user load or a follow in progress will bring.
pub(super) fn on_prefetched(
    state: &mut State,
    workspace: &str,
    session_id: &str,
    runs: Vec<PromptRuns>,
) -> Output {
    if workspace != state.workspace
        || !state.list.contains(session_id)
        || state.is_following(session_id)
        || state.conversation_loading(session_id)
    {
        return Output::none();
    }
    store_conversation_runs(state, session_id, runs);
    Output::none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{KeyCode, KeyEvent, KeyModifiers};
    use crate::protocol::Event;
    use crate::update::{Msg, update};
    use sctui_graph::conversation::Turn;
    use sctui_graph::models::Prompt;

    /// `n` sessions loaded (s0 selected), at a time when none of them is cached.
    fn settled(n: usize) -> State {
        let mut state = crate::update_tests::loaded(n, None);
        state.now = "2026-02-01T00:00:00Z".parse().unwrap();
        state
    }

    fn turns(question: &str) -> Vec<Turn> {
        vec![Turn {
            prompt: Prompt {
                id: format!("p-{question}"),
                prompt_type: sctui_graph::models::PromptType::Prompt,
                content: Some(question.to_string()),
                skill_name: None,
                created_date_time: None,
                last_modified_date_time: None,
            },
            evaluation: None,
        }]
    }

    fn prefetched(id: &str) -> Msg {
        Msg::Worker(Event::ConversationPrefetched {
            workspace: "default".into(),
            session_id: id.into(),
            runs: turns(id).into_iter().map(Into::into).collect(),
        })
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn wished(out: &Output) -> Vec<Vec<String>> {
        out.commands
            .iter()
            .filter_map(|c| match c {
                Command::Prefetch { session_ids } => Some(session_ids.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn settling_loads_the_selection_then_asks_for_the_next_and_previous() {
        let mut state = settled(5);
        let commands = update(&mut state, Msg::Settled).commands;
        let req = state.requests.iter().next().expect("the load is awaited").0;
        assert_eq!(
            commands,
            vec![
                Command::LoadConversation {
                    req,
                    session_id: "s0".into()
                },
                Command::Prefetch {
                    session_ids: vec!["s1".into()]
                },
            ],
            "the user's load goes first; the top row has no previous"
        );
        update(&mut state, key('j'));
        update(&mut state, key('j'));
        let commands = update(&mut state, Msg::Settled);
        assert_eq!(wished(&commands), vec![vec!["s3".to_string(), "s1".into()]]);
    }

    #[test]
    fn moving_on_cancels_once_and_a_prefetched_neighbour_shows_at_once() {
        let mut state = settled(5);
        update(&mut state, Msg::Settled);
        let awaited = state.requests.len();
        update(&mut state, prefetched("s1"));
        assert_eq!(
            state.requests.len(),
            awaited,
            "a prefetch is not a user request"
        );
        assert_eq!(state.conversations["s1"].turns.len(), 1);
        // the first move cancels the wish; holding `j` sends nothing more
        assert_eq!(
            wished(&update(&mut state, key('j'))),
            vec![Vec::<String>::new()]
        );
        assert!(wished(&update(&mut state, key('k'))).is_empty());
        update(&mut state, key('j'));
        // s1 was fetched ahead: no load when the selection settles on it
        let commands = update(&mut state, Msg::Settled);
        assert!(
            !commands
                .commands
                .iter()
                .any(|c| matches!(c, Command::LoadConversation { .. })),
            "{commands:?}"
        );
        assert_eq!(wished(&commands), vec![vec!["s2".to_string()]]);
    }

    #[test]
    fn late_or_superseded_prefetches_are_dropped() {
        let mut state = settled(3);
        update(&mut state, Msg::Settled); // s0 loading
        // a prefetch never overwrites what a user load in flight will bring
        update(&mut state, prefetched("s0"));
        assert!(state.conversation_loading("s0"));
        assert!(state.conversations["s0"].turns.is_empty());
        // nor lands in another workspace, nor adds a session that is gone
        update(
            &mut state,
            Msg::Worker(Event::ConversationPrefetched {
                workspace: "other".into(),
                session_id: "s1".into(),
                runs: turns("s1").into_iter().map(Into::into).collect(),
            }),
        );
        update(&mut state, prefetched("gone"));
        assert!(!state.conversations.contains_key("s1"));
        assert!(!state.conversations.contains_key("gone"));
    }

    #[test]
    fn cached_neighbours_are_not_fetched_again() {
        let mut state = settled(3);
        update(&mut state, Msg::Settled);
        update(&mut state, prefetched("s1"));
        update(&mut state, key('j'));
        update(&mut state, Msg::Settled);
        update(&mut state, prefetched("s2"));
        update(&mut state, key('j'));
        // on the last row: s1 is fresh, there is no next
        let commands = update(&mut state, Msg::Settled);
        assert!(wished(&commands).is_empty(), "{commands:?}");
    }
}
