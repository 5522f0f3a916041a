//! `R` revalidates the list like the start from the store: its first page
//! merges, the walk goes on to the end when the list knows more than that page, and only a
//! complete listing drops the sessions Graph no longer has (a rename in flight, or a session
//! made here meanwhile, stays). A failed or stopped walk drops nothing; a second `R` starts it
//! again.

use super::stored_tests::page;
use super::*;
use crate::output::Timer;
use crate::requests::RequestId;
use sctui_graph::models::{Page, Session};

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Session `id`, modified at `minute` past 10 (a higher minute is newer).
fn session(id: &str, minute: u32) -> Session {
    let t = format!(
        "2026-01-31T10:{:02}:{:02}.0000000Z",
        minute / 60,
        minute % 60
    );
    Session {
        id: id.into(),
        display_name: Some(format!("Session {id}")),
        created_date_time: Some(sctui_graph::models::GraphTime::new(t.clone())),
        last_modified_date_time: Some(sctui_graph::models::GraphTime::new(t)),
    }
}

/// Sessions `s{from}`…`s{to - 1}`, newest first (`s0` the newest).
fn sessions(from: usize, to: usize) -> Vec<Session> {
    (from..to)
        .map(|i| session(&format!("s{i}"), (3000 - i) as u32))
        .collect()
}

/// The page request the output sends: (request, a walk from the top in big pages).
fn page_command(out: &Output) -> Option<(RequestId, bool)> {
    out.commands.iter().find_map(|c| match c {
        Command::LoadBulkPage { req, .. } => Some((*req, true)),
        Command::LoadFirstPage { req, .. } | Command::LoadNextPage { req, .. } => {
            Some((*req, false))
        }
        _ => None,
    })
}

/// The sessions the output tells the store to forget, and whether a complete listing says so.
fn forgotten(out: &Output) -> Option<(Vec<String>, bool)> {
    out.commands.iter().find_map(|c| match c {
        Command::Forget {
            ids,
            listing_complete,
        } => Some((ids.clone(), *listing_complete)),
        _ => None,
    })
}

fn has(state: &State, id: &str) -> bool {
    state.list.contains(id)
}

/// Whether the status line's message holds `text`.
fn status_says(state: &State, text: &str) -> bool {
    state.status.as_ref().is_some_and(|s| s.text.contains(text))
}

/// A started state with a 100×30 viewport and nothing loaded yet.
fn started() -> State {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 30);
    let _ = init(&mut state);
    state
}

/// A state that knows only Graph's first page, `s0`…`s99`, with more to page in.
fn first_of_300() -> State {
    let mut state = started();
    let msg = page(
        &state,
        true,
        sessions(0, 100),
        Some("http://h/beta/small-2"),
    );
    let _ = update(&mut state, msg);
    state
}

/// A state that knows all 300 sessions `s0`…`s299` from a complete listing.
fn known_300() -> State {
    let mut state = started();
    let msg = page(&state, true, sessions(0, 300), None);
    let _ = update(&mut state, msg);
    assert_eq!(state.list.len(), 300);
    assert!(!state.page_loading());
    state
}

/// `R`, then Graph's first page: `s1`…`s100` and a session made elsewhere (`s0` was deleted).
fn refreshed_first_page(state: &mut State) -> Output {
    let out = update(state, key('R'));
    assert!(matches!(
        out.commands.as_slice(),
        [Command::LoadFirstPage { .. }]
    ));
    let mut first = vec![session("elsewhere", 3001)];
    first.extend(sessions(1, 100));
    let msg = page(state, true, first, Some("http://h/beta/small-2"));
    update(state, msg)
}

#[test]
fn a_refresh_merges_its_first_page_then_walks_to_the_end_and_drops_what_graph_lost() {
    let mut state = known_300();
    // the user is on s150, far below the first page
    let _ = update(&mut state, Msg::Settled);
    for _ in 0..150 {
        let _ = update(&mut state, key('j'));
    }
    assert_eq!(state.list.selected_id().as_deref(), Some("s150"));
    let out = refreshed_first_page(&mut state);
    // nothing known disappears meanwhile; the new session appears
    assert_eq!(state.list.len(), 301);
    assert!(has(&state, "elsewhere") && has(&state, "s0") && has(&state, "s299"));
    assert_eq!(state.list.selected_id().as_deref(), Some("s150"));
    // the list knows more than the first page listed: the rest is walked, in big pages
    assert_eq!(
        page_command(&out).map(|(_, bulk)| bulk),
        Some(true),
        "{out:?}"
    );
    assert!(state.revalidating());
    assert!(state.list_incomplete());
    // a walk page that brings nothing new does not stop it
    let mut big = vec![session("elsewhere", 3001)];
    big.extend(sessions(1, 200));
    let msg = page(&state, false, big, Some("http://h/beta/big-2"));
    let out = update(&mut state, msg);
    assert_eq!(
        page_command(&out).map(|(_, bulk)| bulk),
        Some(false),
        "{out:?}"
    );
    assert!(has(&state, "s0"), "still there until the walk is complete");
    assert_eq!(state.paging.listing.listed(), 200);
    // the last page: s0 was never listed, so it is gone; the selection stays on s150
    state.now = "2026-02-01T09:00:00Z".parse().unwrap();
    let msg = page(&state, false, sessions(200, 300), None);
    let out = update(&mut state, msg);
    assert!(page_command(&out).is_none());
    assert!(!has(&state, "s0"));
    assert_eq!(
        forgotten(&out),
        Some((vec!["s0".to_string()], true)),
        "the store forgets exactly what left the list"
    );
    assert_eq!(state.list.len(), 300);
    assert_eq!(state.list.selected_id().as_deref(), Some("s150"));
    assert_eq!(state.paging.complete, Some(state.now));
    assert!(!state.revalidating() && !state.list_incomplete());
    assert_eq!(
        state.paging.listing,
        Default::default(),
        "the walk's memory is freed"
    );
    state.list.check(layout::list_rows(state.viewport)).unwrap();
}

#[test]
fn store_off_with_only_the_first_page_a_refresh_is_a_first_page_merged() {
    // page 1 of 300 loaded, the rest not paged in yet
    let mut state = first_of_300();
    // Graph's first page now is the same: nothing to walk, paging goes on as before
    let _ = update(&mut state, key('R'));
    let msg = page(
        &state,
        true,
        sessions(0, 100),
        Some("http://h/beta/small-2"),
    );
    let out = update(&mut state, msg);
    assert!(page_command(&out).is_none_or(|(_, bulk)| !bulk), "{out:?}");
    assert!(!state.revalidating());
    assert_eq!(state.list.len(), 100);
    assert_eq!(
        state.paging.next_link.as_deref(),
        Some("http://h/beta/small-2")
    );

    // s5 was deleted elsewhere: s100 moves up onto the first page, s5 is known but not listed
    let _ = update(&mut state, key('R'));
    let mut first = sessions(0, 5);
    first.extend(sessions(6, 101));
    let msg = page(&state, true, first, Some("http://h/beta/small-2b"));
    let out = update(&mut state, msg);
    assert!(has(&state, "s5") && has(&state, "s100"));
    assert_eq!(page_command(&out).map(|(_, bulk)| bulk), Some(true));
    // the walk completes: s5 goes, every other session is there once
    let mut all = sessions(0, 5);
    all.extend(sessions(6, 300));
    let msg = page(&state, false, all, None);
    let _ = update(&mut state, msg);
    assert!(!has(&state, "s5"));
    assert_eq!(state.list.len(), 299);
    state.list.check(layout::list_rows(state.viewport)).unwrap();
}

#[test]
fn a_first_page_that_is_the_whole_list_drops_at_once() {
    let mut state = started();
    let msg = page(&state, true, sessions(0, 3), None);
    let _ = update(&mut state, msg);
    let _ = update(&mut state, key('R'));
    let msg = page(&state, true, sessions(1, 4), None);
    let out = update(&mut state, msg);
    assert!(page_command(&out).is_none());
    assert!(!has(&state, "s0") && has(&state, "s3"));
}

#[test]
fn a_failed_or_restarted_walk_drops_nothing_and_stale_pages_are_ignored() {
    let mut state = known_300();
    let out = refreshed_first_page(&mut state);
    let (walk, _) = page_command(&out).expect("the walk");
    let failed = Msg::Worker(Event::PageFailed {
        req: walk,
        error: GraphError::Network {
            url: "http://h/beta/x".into(),
            kind: sctui_graph::NetworkKind::Broken,
            detail: "reset".into(),
        },
    });
    let out = update(&mut state, failed);
    assert_eq!(forgotten(&out), None, "nor does the store");
    assert_eq!(state.list.len(), 301, "a failed walk drops nothing");
    assert!(has(&state, "s0"));

    // a second R during a walk starts again; the old walk's page is no longer awaited
    let out = refreshed_first_page(&mut state);
    let (walk, _) = page_command(&out).expect("the walk again");
    let _ = update(&mut state, key('R'));
    let stale = Msg::Worker(Event::PageLoaded {
        req: walk,
        first: false,
        page: Page {
            value: sessions(1, 300),
            next_link: None,
            count: Some(299),
        },
    });
    let _ = update(&mut state, stale);
    assert!(has(&state, "s0"), "a stale last page completes nothing");
    assert!(state.page_loading(), "the new first page is still awaited");
    assert_eq!(
        state.paging.listing.listed(),
        0,
        "the new listing starts empty"
    );
    assert_eq!(state.list.len(), 301);
}

#[test]
fn a_rename_in_flight_and_a_session_made_during_the_walk_survive_it() {
    let mut state = known_300();
    // s200 is being renamed
    let _ = update(&mut state, key('G'));
    for _ in 0..99 {
        let _ = update(&mut state, key('k'));
    }
    assert_eq!(state.list.selected_id().as_deref(), Some("s200"));
    let _ = update(&mut state, key('r'));
    let _ = update(&mut state, key('x'));
    let out = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(matches!(out.commands.as_slice(), [Command::Rename { .. }]));
    let _ = refreshed_first_page(&mut state);
    // a session made here while the walk runs
    let ask = state.requests.start(Pending::Ask {
        text: "q".into(),
        session_id: None,
        prompt_id: None,
    });
    let _ = update(
        &mut state,
        Msg::Worker(Event::Created {
            req: ask,
            session: session("made-here", 3002),
        }),
    );
    // the walk lists neither (they are past its place, or not there yet)
    let mut rest = sessions(1, 200);
    rest.extend(sessions(201, 300));
    let msg = page(&state, false, rest, None);
    let out = update(&mut state, msg);
    assert_eq!(forgotten(&out), Some((vec!["s0".to_string()], true)));
    assert!(has(&state, "s200"), "the pending rename wins");
    assert!(has(&state, "made-here"), "made here during the walk");
    assert!(has(&state, "elsewhere") && !has(&state, "s0"));
}

#[test]
fn a_filter_typed_during_the_walk_covers_every_known_session() {
    let mut state = known_300();
    let _ = refreshed_first_page(&mut state);
    let walk = state.requests.page();
    let _ = update(&mut state, key('/'));
    let mut sent = Vec::new();
    for c in "session s".chars() {
        sent.extend(update(&mut state, key(c)).commands);
    }
    assert!(sent.is_empty(), "the walk goes on as it was: {sent:?}");
    assert_eq!(state.requests.page(), walk);
    assert_eq!(
        state.list.visible().len(),
        300,
        "s0…s299 match, 'elsewhere' does not"
    );
    let msg = page(&state, false, sessions(1, 300), None);
    let _ = update(&mut state, msg);
    assert_eq!(state.list.visible().len(), 299);
}

#[test]
fn the_server_looping_in_a_walk_stops_it_and_drops_nothing() {
    let mut state = known_300();
    let _ = refreshed_first_page(&mut state);
    let msg = page(&state, false, sessions(1, 50), Some("http://h/beta/big-2"));
    let _ = update(&mut state, msg);
    let msg = page(&state, false, sessions(50, 90), Some("http://h/beta/big-2"));
    let out = update(&mut state, msg);
    assert!(page_command(&out).is_none(), "{out:?}");
    assert_eq!(state.paging.next_link, None);
    assert!(has(&state, "s0") && has(&state, "s299"));
    assert!(status_says(&state, "repeats"), "{:?}", state.status);
}

#[test]
fn offline_a_refresh_is_refused_as_before() {
    let mut state = State::new("default", "demo");
    state.settings.offline = true;
    let _ = init(&mut state);
    let out = update(&mut state, key('R'));
    assert!(out.commands.is_empty());
    assert!(status_says(&state, "Offline"), "{:?}", state.status);
}

#[test]
fn a_filter_typed_before_the_first_page_lands_walks_the_rest() {
    // only page 1 known; R, then a filter before Graph answers (nothing to walk yet)
    let mut state = first_of_300();
    let _ = update(&mut state, key('R'));
    let _ = update(&mut state, key('/'));
    let typed = update(&mut state, key('s'));
    assert!(
        page_command(&typed).is_none(),
        "the first page is still awaited"
    );
    // the first page holds every known session, but a filter is over every session
    let msg = page(
        &state,
        true,
        sessions(0, 100),
        Some("http://h/beta/small-2"),
    );
    let out = update(&mut state, msg);
    assert_eq!(
        page_command(&out).map(|(_, bulk)| bulk),
        Some(true),
        "{out:?}"
    );
    assert!(
        !state.revalidating(),
        "nothing known to check: a plain walk"
    );
}

#[test]
fn the_session_on_screen_deleted_elsewhere_goes_and_its_neighbour_is_shown() {
    let mut state = known_300();
    for _ in 0..150 {
        let _ = update(&mut state, key('j'));
    }
    assert_eq!(state.list.selected_id().as_deref(), Some("s150"));
    let _ = refreshed_first_page(&mut state);
    let mut rest = sessions(1, 150);
    rest.extend(sessions(151, 300));
    let msg = page(&state, false, rest, None);
    let out = update(&mut state, msg);
    assert!(!has(&state, "s150") && !has(&state, "s0"));
    // the row stays where it was: s0 went too, so it now holds s152
    assert_eq!(state.list.selected_id().as_deref(), Some("s152"));
    assert!(
        out.effects.contains(&Effect::Arm(Timer::Settle)),
        "the neighbour's conversation loads: {out:?}"
    );
}
