//! Loading everything in big pages: `G`, a filter and a sort walk the whole list with
//! the bulk page size, one page right after the other, while the first page stays small.

use super::*;
use crate::requests::RequestId;
use crate::update_tests::loaded;
use sctui_graph::ListQuery;
use sctui_graph::models::{Page, Session};

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn sessions(from: usize, n: usize) -> Vec<Session> {
    (from..from + n)
        .map(|i| Session {
            id: format!("b{i}"),
            display_name: Some(format!("Bulk {i}")),
            created_date_time: None,
            last_modified_date_time: None,
        })
        .collect()
}

/// A page answering the page request in flight.
fn page_loaded(state: &State, value: Vec<Session>, next: Option<&str>) -> Msg {
    Msg::Worker(Event::PageLoaded {
        req: state.requests.page().expect("a page request in flight"),
        first: false,
        page: Page {
            value,
            next_link: next.map(str::to_string),
            count: None,
        },
    })
}

fn bulk_query(out: &Output) -> Option<(RequestId, ListQuery)> {
    out.commands.iter().find_map(|c| match c {
        Command::LoadBulkPage { req, query } => Some((*req, query.clone())),
        _ => None,
    })
}

#[test]
fn g_walks_the_rest_in_big_pages_and_lands_on_the_last_session() {
    let mut state = loaded(30, Some("http://127.0.0.1/beta/small-2"));
    assert!(!state.paging.bulk, "the first page is a small one");
    let small = state.requests.page();
    assert!(small.is_some(), "the next small page is on its way");
    let commands = update(&mut state, key('G'));
    let (req, query) = bulk_query(&commands).expect("a bulk page is asked for");
    assert_ne!(small, Some(req));
    assert_eq!(
        state.requests.page(),
        Some(req),
        "the small page in flight is no longer awaited: its answer would be dropped"
    );
    assert_eq!(query.top, Some(1000));
    assert!(query.count);
    // each page asks for the next at once, far from the end or not, with the link as given
    let msg = page_loaded(
        &state,
        sessions(0, 1000),
        Some("http://127.0.0.1/beta/big-2"),
    );
    let commands = update(&mut state, msg).commands;
    assert_eq!(
        commands
            .iter()
            .filter(|c| matches!(c, Command::LoadNextPage { link, .. } if link.ends_with("big-2")))
            .count(),
        1,
        "{commands:?}"
    );
    assert_eq!(
        state.list.selected(),
        state.list.visible().len() - 1,
        "G follows the end"
    );
    assert!(
        update(&mut state, key('G'))
            .commands
            .iter()
            .all(|c| !matches!(
                c,
                Command::LoadBulkPage { .. } | Command::LoadNextPage { .. }
            ))
    );
    let msg = page_loaded(&state, sessions(1000, 5), None);
    let commands = update(&mut state, msg).commands;
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::LoadNextPage { .. }))
    );
    assert_eq!(state.list.len(), 1035);
    assert_eq!(state.list.selected(), 1034);
    assert!(!state.page_loading() && state.paging.next_link.is_none());
}

#[test]
fn moving_away_stops_following_the_end_but_not_the_walk() {
    let mut state = loaded(30, Some("http://127.0.0.1/beta/small-2"));
    update(&mut state, key('G'));
    update(&mut state, key('k'));
    let at = state.selected_entry().unwrap().session.id.clone();
    let msg = page_loaded(
        &state,
        sessions(0, 1000),
        Some("http://127.0.0.1/beta/big-2"),
    );
    let commands = update(&mut state, msg).commands;
    assert_eq!(state.selected_entry().unwrap().session.id, at);
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::LoadNextPage { .. }))
    );
}

#[test]
fn a_filter_or_a_sort_loads_everything_but_a_complete_list_asks_nothing() {
    let mut state = loaded(30, Some("http://127.0.0.1/beta/small-2"));
    update(&mut state, key('/'));
    let commands = update(&mut state, key('x'));
    assert_eq!(bulk_query(&commands).map(|(_, q)| q.top), Some(Some(1000)));

    let mut state = loaded(30, Some("http://127.0.0.1/beta/small-2"));
    let commands = update(&mut state, key('s'));
    assert!(bulk_query(&commands).is_some(), "{commands:?}");

    let mut state = loaded(30, None);
    for c in ['G', 's', '/', 'x'] {
        assert!(bulk_query(&update(&mut state, key(c))).is_none());
    }
}

#[test]
fn a_failed_walk_can_be_started_again_and_a_refresh_starts_small() {
    let mut state = loaded(30, Some("http://127.0.0.1/beta/small-2"));
    update(&mut state, key('G'));
    let req = state.requests.page().expect("the bulk page");
    update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: GraphError::Network {
                url: "http://127.0.0.1/beta/x".into(),
                kind: sctui_graph::NetworkKind::Broken,
                detail: "reset".into(),
            },
        }),
    );
    assert!(!state.paging.bulk);
    let commands = update(&mut state, key('R')).commands;
    assert!(matches!(
        commands.as_slice(),
        [Command::LoadFirstPage { query, .. }] if query.top.is_none()
    ));
}
