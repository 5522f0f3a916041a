//! The stored list at start: shown at once, revalidated page by page, sessions gone
//! from a complete listing removed, a rename in flight kept; stored conversations shown until
//! Graph's arrive.

use super::workspaces::switch_workspace;
use super::*;
use crate::protocol::ListInfo;
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Page, Session};

fn session(id: &str, name: &str) -> Session {
    Session {
        id: id.into(),
        display_name: Some(name.into()),
        created_date_time: None,
        last_modified_date_time: None,
    }
}

/// The stored list, answering the workspace being opened.
pub(super) fn stored_list(state: &State, sessions: Vec<Session>, info: ListInfo) -> Msg {
    Msg::Worker(Event::StoredList {
        req: state
            .requests
            .stored_list()
            .expect("the workspace is being opened"),
        stored: Some(crate::protocol::StoredSessions { sessions, info }),
    })
}

/// The answer to the page request in flight.
pub(super) fn page(state: &State, first: bool, value: Vec<Session>, next: Option<&str>) -> Msg {
    Msg::Worker(Event::PageLoaded {
        req: state.requests.page().expect("a page request in flight"),
        first,
        page: Page {
            value,
            next_link: next.map(str::to_string),
            count: None,
        },
    })
}

fn ids(state: &State) -> Vec<String> {
    let mut ids: Vec<String> = state
        .list
        .entries()
        .iter()
        .map(|e| e.session.id.clone())
        .collect();
    ids.sort();
    ids
}

fn started_with_stored() -> State {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 30);
    let _ = init(&mut state);
    let stored = vec![
        session("kept", "Kept"),
        session("gone", "Gone since"),
        session("renamed", "Old name"),
    ];
    let info = ListInfo {
        known: 3,
        updated: Some("2026-01-01T10:00:00Z".parse().unwrap()),
        complete: None,
    };
    let msg = stored_list(&state, stored, info);
    let _ = update(&mut state, msg);
    state
}

#[test]
fn the_stored_list_shows_at_once_and_graph_revalidates_it_page_by_page() {
    let mut state = started_with_stored();
    assert_eq!(ids(&state), ["gone", "kept", "renamed"]);
    assert!(state.stored.is_some());
    assert!(!state.paging.loaded_once, "Graph has not answered yet");

    // the first page merges (nothing stored disappears yet) and walks the rest in bulk
    let msg = page(
        &state,
        true,
        vec![session("new", "New one")],
        Some("http://h/next"),
    );
    let out = update(&mut state, msg);
    assert_eq!(ids(&state), ["gone", "kept", "new", "renamed"]);
    assert!(
        out.commands
            .iter()
            .any(|c| matches!(c, Command::LoadBulkPage { .. })),
        "{out:?}"
    );
    // a rename in flight on a stored row
    let req = state.requests.start(crate::requests::Pending::Rename {
        session_id: "renamed".into(),
        name: "New name".into(),
    });
    state.list.set_pending(
        "renamed",
        crate::state::PendingRename {
            name: "New name".into(),
            req,
        },
    );
    // the walk ends: what Graph did not list is gone, except the row being renamed
    let msg = page(
        &state,
        false,
        vec![session("kept", "Kept"), session("new", "New one")],
        None,
    );
    let _ = update(&mut state, msg);
    assert_eq!(ids(&state), ["kept", "new", "renamed"]);
    assert!(state.stored.is_none(), "the list is Graph's now");
}

/// A workspace left before its stored list landed: that list answers the opening of the old
/// workspace, which the switch stopped awaiting, so it never shows in the new one; the new
/// workspace is opened before anything is asked of it, and its own list shows.
#[test]
fn the_stored_list_of_a_workspace_left_before_it_landed_never_shows_in_the_next() {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 30);
    let _ = init(&mut state);
    let left = state.requests.stored_list().expect("A is being opened");
    let out = switch_workspace(&mut state, "other".into());
    let opened = out.commands.iter().position(
        |c| matches!(c, Command::OpenWorkspace { workspace, .. } if workspace == "other"),
    );
    let loaded = out
        .commands
        .iter()
        .position(|c| matches!(c, Command::LoadFirstPage { .. }));
    assert!(
        opened.is_some() && opened < loaded,
        "B is opened first: {:?}",
        out.commands
    );
    let a_list = Msg::Worker(Event::StoredList {
        req: left,
        stored: Some(crate::protocol::StoredSessions {
            sessions: vec![session("a1", "A's"), session("a2", "A's too")],
            info: ListInfo::default(),
        }),
    });
    let _ = update(&mut state, a_list);
    assert!(ids(&state).is_empty(), "A's stored list is not B's");
    assert!(state.stored.is_none());
    let msg = stored_list(&state, vec![session("b1", "B's")], ListInfo::default());
    let _ = update(&mut state, msg);
    assert_eq!(ids(&state), ["b1"]);
}

#[test]
fn graph_answering_first_means_the_stored_list_is_not_used() {
    let mut state = State::new("default", "demo");
    let _ = init(&mut state);
    let msg = page(&state, true, vec![session("a", "A")], None);
    let _ = update(&mut state, msg);
    let msg = stored_list(&state, vec![session("old", "Old")], ListInfo::default());
    let _ = update(&mut state, msg);
    assert_eq!(ids(&state), ["a"]);
    assert!(state.stored.is_none());
}

#[test]
fn a_stored_conversation_shows_until_graphs_arrives() {
    let mut state = started_with_stored();
    let req = state
        .requests
        .start(crate::requests::Pending::Conversation {
            session_id: "kept".into(),
        });
    let turn = |content: &str| Turn {
        prompt: serde_json::from_value(serde_json::json!({"id": "p1", "content": content}))
            .unwrap(),
        evaluation: None,
    };
    let _ = update(
        &mut state,
        Msg::Worker(Event::ConversationStored {
            req,
            session_id: "kept".into(),
            turns: vec![turn("stored question")],
        }),
    );
    let shown = |state: &State| {
        state.conversations["kept"].turns[0]
            .prompt
            .content
            .clone()
            .unwrap_or_default()
    };
    assert_eq!(shown(&state), "stored question");
    assert!(
        state.requests.get(req).is_some(),
        "Graph's answer is still awaited"
    );
    let _ = update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "kept".into(),
            runs: vec![turn("fresh question").into()],
        }),
    );
    assert_eq!(shown(&state), "fresh question");
}

/// The first page lists only stored sessions (nothing new): the walk still goes on to the end
/// (before, the "no new sessions" guard stopped it there, and the stored list stayed
/// "refreshing" with sessions Graph no longer had).
#[test]
fn a_first_page_with_nothing_new_still_walks_the_stored_list() {
    let mut state = started_with_stored();
    let msg = page(
        &state,
        true,
        vec![session("kept", "Kept")],
        Some("http://h/next"),
    );
    let out = update(&mut state, msg);
    assert!(
        out.commands
            .iter()
            .any(|c| matches!(c, Command::LoadBulkPage { .. })),
        "{out:?}"
    );
    assert!(state.stored.is_some(), "not confirmed yet");
    let msg = page(
        &state,
        false,
        vec![session("kept", "Kept")],
        Some("http://h/big-2"),
    );
    let out = update(&mut state, msg);
    assert!(
        out.commands
            .iter()
            .any(|c| matches!(c, Command::LoadNextPage { .. })),
        "a page of known sessions does not stop the walk: {out:?}"
    );
    let msg = page(&state, false, vec![session("renamed", "Old name")], None);
    let _ = update(&mut state, msg);
    assert_eq!(ids(&state), ["kept", "renamed"]);
    assert!(state.stored.is_none());
}

/// Every stored session is on Graph's first page: the list is Graph's at once (no walk), and
/// the rest pages in as usual.
#[test]
fn a_first_page_holding_every_stored_session_confirms_the_list() {
    let mut state = started_with_stored();
    let msg = page(
        &state,
        true,
        vec![
            session("kept", "Kept"),
            session("gone", "Gone since"),
            session("renamed", "New name"),
        ],
        Some("http://h/next"),
    );
    let out = update(&mut state, msg);
    assert!(
        !out.commands
            .iter()
            .any(|c| matches!(c, Command::LoadBulkPage { .. })),
        "{out:?}"
    );
    assert!(state.stored.is_none());
    assert_eq!(state.paging.next_link.as_deref(), Some("http://h/next"));
}
