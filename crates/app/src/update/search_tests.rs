//! The search view, the sync key, `--offline` and reconnecting: what each
//! key and worker answer does to the state, and what is asked of the worker.

use super::stored_tests::stored_list;
use super::*;
use crate::advice::Problem;
use crate::input::{MouseButton, MouseEventKind};
use crate::output::Timer;
use crate::protocol::{
    ListInfo, Progress, SearchResult, StoreUnavailable, SyncFailure, SyncReport,
};
use crate::requests::RequestId;
use crate::state::Settings;
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, Page, Prompt, Session};

fn session(id: &str, name: &str, minute: u32) -> Session {
    let t = format!("2026-01-31T10:{minute:02}:00Z");
    Session {
        id: id.into(),
        display_name: Some(name.into()),
        created_date_time: Some(sctui_graph::models::GraphTime::new(t.clone())),
        last_modified_date_time: Some(sctui_graph::models::GraphTime::new(t)),
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn typed(state: &mut State, text: &str) -> Vec<Output> {
    text.chars().map(|c| update(state, ch(c))).collect()
}

fn network_error() -> GraphError {
    GraphError::Network {
        url: "http://127.0.0.1/beta/x".into(),
        kind: sctui_graph::NetworkKind::Connect,
        detail: "refused".into(),
    }
}

/// A state with three sessions from Graph's first page (a newest).
fn loaded() -> State {
    loaded_with(Settings::default())
}

fn loaded_with(settings: Settings) -> State {
    let mut state = State::with_settings("default", "demo", settings);
    state.viewport = (100, 30);
    let _ = init(&mut state);
    let req = state.requests.page().expect("the first page");
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![
                    session("a", "Alpha hunt", 50),
                    session("b", "Bravo triage", 40),
                    session("c", "Charlie report", 30),
                ],
                next_link: None,
                count: None,
            },
        }),
    );
    state
}

/// A hit as the worker hands it over; `marked` puts a match between `\u{E000}` and `\u{E001}`,
/// as the store's snippets do.
fn hit(session_id: &str, name: &str, turn: Option<(usize, &str)>, marked: &str) -> SearchResult {
    let mut pieces = Vec::new();
    for (i, part) in marked.split(['\u{E000}', '\u{E001}']).enumerate() {
        pieces.push((part, i % 2 == 1));
    }
    SearchResult::new(
        session_id.into(),
        Some(name),
        turn.map(|(position, prompt_id)| (position, prompt_id.to_string())),
        &pieces,
        Some("2026-01-31T09:00:00Z".into()),
    )
}

/// The search the last key sent.
fn search_sent(out: &Output) -> (RequestId, String) {
    match out.commands.as_slice() {
        [Command::Search { req, query, limit }] => {
            assert_eq!(*limit, SEARCH_LIMIT);
            (*req, query.clone())
        }
        other => panic!("expected one search, got {other:?}"),
    }
}

fn answer(state: &mut State, req: RequestId, query: &str, hits: Vec<SearchResult>) {
    update(
        state,
        Msg::Worker(Event::Searched {
            req,
            query: query.into(),
            result: Ok(hits),
        }),
    );
}

#[test]
fn each_keystroke_searches_the_store_and_a_newer_search_supersedes_the_older() {
    let mut state = loaded();
    assert!(update(&mut state, ch('f')).is_empty());
    assert!(matches!(state.mode, Mode::Searching));
    let outs = typed(&mut state, "kql");
    let (first, q1) = search_sent(&outs[0]);
    assert_eq!(q1, "k");
    let (last, q3) = search_sent(&outs[2]);
    assert_eq!(q3, "kql");
    // the spinner says what it waits for: one search in flight, the older ones dropped
    assert_eq!(
        state
            .requests
            .iter()
            .filter(|(_, p)| matches!(p, Pending::Search))
            .count(),
        1
    );
    // a late answer to an older query changes nothing
    answer(&mut state, first, "k", vec![hit("a", "Alpha", None, "x")]);
    assert!(state.search.results.is_empty());
    assert_eq!(state.search.searched, None);
    answer(
        &mut state,
        last,
        "kql",
        vec![
            hit(
                "b",
                "Bravo triage",
                Some((1, "p2")),
                "run \u{E000}KQL\u{E001} now",
            ),
            hit("c", "Charlie report", None, "\u{E000}kql\u{E001} report"),
        ],
    );
    assert_eq!(state.search.results.len(), 2);
    assert_eq!(state.search.searched.as_deref(), Some("kql"));
    assert!(!state.busy());
    assert_eq!(
        state.search.results[0]
            .snippet
            .iter()
            .map(|(text, matched)| (text.as_str(), *matched))
            .collect::<Vec<_>>(),
        [("run ", false), ("KQL", true), (" now", false)]
    );
    // j types (it is text here); the arrows and Ctrl-N move
    let out = update(&mut state, key(KeyCode::Down));
    assert!(out.is_empty());
    assert_eq!(state.search.selected, 1);
    update(&mut state, key(KeyCode::Down));
    assert_eq!(state.search.selected, 1, "clamped at the last hit");
    update(&mut state, key(KeyCode::Up));
    assert_eq!(state.search.selected, 0);
    update(&mut state, key(KeyCode::PageDown));
    assert_eq!(state.search.selected, 1, "a page down, clamped");
    update(&mut state, key(KeyCode::PageUp));
    assert_eq!(state.search.selected, 0);
    // Esc goes back and keeps the query and the results for next time
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.mode, Mode::Browsing));
    update(&mut state, ch('f'));
    assert_eq!(state.search.input.value(), "kql");
    assert_eq!(state.search.results.len(), 2);
}

#[test]
fn the_mouse_picks_and_opens_a_hit_and_the_wheel_moves() {
    let mut state = loaded();
    update(&mut state, ch('f'));
    let (req, query) = search_sent(&update(&mut state, ch('x')));
    let hits = ["a", "b", "c"]
        .map(|id| hit(id, id, Some((0, "p1")), "\u{E000}x\u{E001}"))
        .to_vec();
    answer(&mut state, req, &query, hits);
    let mouse = |kind, row| {
        Msg::Mouse(crate::input::MouseEvent {
            kind,
            column: 10,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let click = |row| mouse(MouseEventKind::Down(MouseButton::Left), row);
    // header row 0, border 1, query 2, summary 3; hit 0 on rows 4-5, hit 1 on 6-7, hit 2 on 8-9
    update(&mut state, click(7));
    assert_eq!(state.search.selected, 1);
    assert!(matches!(state.mode, Mode::Searching));
    update(&mut state, click(3));
    assert_eq!(state.search.selected, 1, "the summary is not a hit");
    update(&mut state, mouse(MouseEventKind::ScrollDown, 5));
    assert_eq!(state.search.selected, 2);
    update(&mut state, click(9));
    assert!(
        matches!(state.mode, Mode::Browsing),
        "a click on the selected hit opens it"
    );
    assert_eq!(state.selected_entry().unwrap().session.id, "c");
}

#[test]
fn an_empty_query_clears_the_results_without_asking() {
    let mut state = loaded();
    update(&mut state, ch('f'));
    let out = update(&mut state, ch('x'));
    let (req, _) = search_sent(&out);
    answer(&mut state, req, "x", vec![hit("a", "Alpha", None, "x")]);
    let out = update(&mut state, key(KeyCode::Backspace));
    assert!(out.is_empty(), "{out:?}");
    assert!(state.search.results.is_empty());
    assert_eq!(state.search.searched, None);
    assert!(!state.busy());
}

#[test]
fn server_text_in_hits_is_sanitised_and_failures_are_worded() {
    let mut state = loaded();
    update(&mut state, ch('f'));
    let (req, _) = search_sent(&update(&mut state, ch('x')));
    answer(
        &mut state,
        req,
        "x",
        vec![hit(
            "a",
            "evil\x1b[31mred",
            Some((0, "p1")),
            "a\x1b]52;c;ZXZpbA==\x07b \u{E000}x\u{E001}\nnext",
        )],
    );
    let result = &state.search.results[0];
    assert_eq!(result.name.as_deref(), Some("evilred"));
    let text: String = result.snippet.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(text, "ab x next");
    // the store is off, or cannot read the query: said in the view, no crash
    let (req, _) = search_sent(&update(&mut state, ch('y')));
    update(
        &mut state,
        Msg::Worker(Event::Searched {
            req,
            query: "xy".into(),
            result: Err(StoreUnavailable::Off),
        }),
    );
    assert!(state.search.results.is_empty());
    assert!(
        state
            .search
            .problem
            .as_ref()
            .map(Problem::words)
            .is_some_and(|p| p.contains("local store is off")),
        "{:?}",
        state.search.problem
    );
    let (req, _) = search_sent(&update(&mut state, ch('"')));
    update(
        &mut state,
        Msg::Worker(Event::Searched {
            req,
            query: "xy\"".into(),
            result: Err(StoreUnavailable::Query {
                reason: "unterminated string\x1b[2J".into(),
            }),
        }),
    );
    let problem = state
        .search
        .problem
        .as_ref()
        .map(|p| p.words().as_str())
        .unwrap_or_default();
    assert!(problem.starts_with("Can't search for that"), "{problem}");
    assert!(!problem.contains('\x1b'));
}

fn prompt(id: &str, content: &str) -> Prompt {
    serde_json::from_value(serde_json::json!({"id": id, "type": "prompt", "content": content}))
        .unwrap()
}

fn evaluation(id: &str, content: &str) -> Evaluation {
    serde_json::from_value(serde_json::json!({
        "id": id, "state": "completed",
        "result": {"type": "success", "content": content},
        "createdDateTime": "2026-01-31T11:59:50Z",
    }))
    .unwrap()
}

/// Three questions, each with an answer much taller than the pane.
fn long_turns() -> Vec<Turn> {
    let long: String = (0..40).map(|i| format!("line {i}\n\n")).collect();
    (1..=3)
        .map(|i| Turn {
            prompt: prompt(&format!("p{i}"), &format!("question {i}")),
            evaluation: Some(evaluation(&format!("e{i}"), &long)),
        })
        .collect()
}

/// Opens the first hit with Enter and lets the selection settle: returns what was asked.
fn open_first_hit(state: &mut State, hits: Vec<SearchResult>) -> Output {
    update(state, ch('f'));
    let (req, query) = search_sent(&update(state, ch('q')));
    answer(state, req, &query, hits);
    let out = update(state, key(KeyCode::Enter));
    assert!(matches!(state.mode, Mode::Browsing));
    assert!(
        out.effects.contains(&Effect::Arm(Timer::Settle)),
        "the conversation loads: {out:?}"
    );
    update(state, Msg::Settled)
}

#[test]
fn enter_opens_the_session_scrolled_to_the_matching_question() {
    let mut state = loaded();
    let out = open_first_hit(
        &mut state,
        vec![hit(
            "c",
            "Charlie report",
            Some((2, "p3")),
            "the \u{E000}question\u{E001} 3",
        )],
    );
    assert_eq!(state.selected_entry().unwrap().session.id, "c");
    assert_eq!(state.focus, Focus::Detail);
    let req = match out.commands.first() {
        Some(Command::LoadConversation { req, session_id }) if session_id == "c" => *req,
        other => panic!("{other:?}"),
    };
    update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "c".into(),
            runs: long_turns().into_iter().map(Into::into).collect(),
        }),
    );
    let layout = state.reader.layout.as_ref().unwrap();
    let third = layout.turns[2].question;
    assert!(third > 0);
    assert_eq!(
        state.reader.scroll,
        third.min(crate::reader::max_scroll(&state))
    );
    assert_eq!(crate::reader::current_turn(&state), Some(2));
    // the matched word is the pane's find, counted from the question in view
    let find = &state.reader.find;
    assert_eq!(find.input.value(), "question");
    let current = find.matches[find.current];
    assert_eq!(current.row, third, "{:?}", find.matches);
}

#[test]
fn a_hit_hidden_by_the_filter_or_not_in_the_list_is_still_opened() {
    let mut state = loaded();
    update(&mut state, ch('/'));
    typed(&mut state, "alpha");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.list.visible().len(), 1);
    open_first_hit(&mut state, vec![hit("b", "Bravo triage", None, "x")]);
    assert_eq!(state.selected_entry().unwrap().session.id, "b");
    assert_eq!(state.filter_text(), "", "the filter that hid it is cleared");
    // a stored session Graph's pages have not brought yet
    open_first_hit(
        &mut state,
        vec![hit("z", "Zulu \x1b[1mstored", Some((0, "p1")), "x")],
    );
    let entry = state.selected_entry().unwrap();
    assert_eq!(entry.session.id, "z");
    assert_eq!(entry.shown_name().as_deref(), Some("Zulu stored"));
    assert_eq!(state.list.len(), 4);
}

// ---- the sync key ----

/// The sync the last key started.
fn sync_sent(out: &Output) -> RequestId {
    match out.commands.as_slice() {
        [Command::Sync { req, .. }] => *req,
        other => panic!("expected one sync, got {other:?}"),
    }
}

#[test]
fn the_sync_key_syncs_with_a_gauge_and_again_stops_it() {
    let mut state = loaded();
    state.settings.sync_concurrency = 6;
    let out = update(&mut state, ch('S'));
    assert!(matches!(
        out.commands[..],
        [Command::Sync { concurrency: 6, .. }]
    ));
    let req = sync_sent(&out);
    assert!(state.sync.is_some());
    let progress = Progress::Conversations {
        done: 3,
        total: 10,
        unchanged: 2,
    };
    update(
        &mut state,
        Msg::Worker(Event::SyncProgress { req, progress }),
    );
    let gauge = state.sync.unwrap();
    assert_eq!(gauge.progress, progress);
    assert!((gauge.ratio() - 0.3).abs() < 1e-9);
    // a search in the view runs again once the sync has stored more
    state.search.input = tui_input::Input::new("kql".into());
    state.search.searched = Some("kql".into());
    let report = SyncReport {
        sessions: 12,
        removed: 1,
        fetched: 10,
        unchanged: 2,
        ..SyncReport::default()
    };
    let out = update(
        &mut state,
        Msg::Worker(Event::Synced {
            req,
            result: Ok(report),
        }),
    );
    assert!(state.sync.is_none());
    let (search, query) = search_sent(&out);
    assert_eq!(query, "kql");
    state.requests.finish(search);
    assert!(!state.busy());
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Info);
    assert!(
        status
            .text
            .contains("10 conversations fetched, 2 unchanged"),
        "{}",
        status.text
    );
    // again while it runs: stopped, and its late answers are dropped
    let req = sync_sent(&update(&mut state, ch('S')));
    let out = update(&mut state, ch('S'));
    assert_eq!(out.commands, vec![Command::StopSync { req }]);
    assert!(state.sync.is_none());
    assert!(!state.busy());
    update(
        &mut state,
        Msg::Worker(Event::Synced {
            req,
            result: Err(SyncFailure::Graph(network_error())),
        }),
    );
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .starts_with("Sync stopped")
    );
}

#[test]
fn switching_workspace_stops_the_sync_and_forgets_the_hits() {
    let mut state = loaded();
    let sync = sync_sent(&update(&mut state, ch('S')));
    update(&mut state, ch('f'));
    let (req, query) = search_sent(&update(&mut state, ch('x')));
    answer(&mut state, req, &query, vec![hit("a", "Alpha", None, "x")]);
    update(&mut state, key(KeyCode::Esc));
    let commands = update(&mut state, ch('w')).commands;
    let [Command::LoadWorkspaces { req }] = commands[..] else {
        panic!("{commands:?}")
    };
    let ws = |id: &str| sctui_graph::models::Workspace {
        id: id.into(),
        display_name: None,
    };
    update(
        &mut state,
        Msg::Worker(Event::WorkspacesLoaded {
            req,
            workspaces: vec![ws("default"), ws("other")],
        }),
    );
    update(&mut state, ch('j'));
    let out = update(&mut state, key(KeyCode::Enter));
    assert!(
        out.commands.contains(&Command::StopSync { req: sync }),
        "{out:?}"
    );
    assert!(state.sync.is_none());
    assert!(state.search.results.is_empty());
    assert_eq!(state.search.input.value(), "");
}

#[test]
fn a_failed_sync_says_why() {
    let mut state = loaded();
    let req = sync_sent(&update(&mut state, ch('S')));
    update(
        &mut state,
        Msg::Worker(Event::Synced {
            req,
            result: Err(SyncFailure::Unavailable(StoreUnavailable::Off)),
        }),
    );
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert!(status.text.contains("store is off"), "{}", status.text);
}

/// A store that can only be read is said once, when it opens (as a warning that stays in the
/// status); a sync then does not start and says why.
#[test]
fn a_read_only_store_is_said_once_and_a_sync_into_it_says_why() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Worker(Event::StoreWarning {
            problem: crate::protocol::StoreProblem::ReadOnly,
        }),
    );
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert_eq!(status.text, "Read-only local store: nothing new is kept");
    let req = sync_sent(&update(&mut state, ch('S')));
    update(
        &mut state,
        Msg::Worker(Event::Synced {
            req,
            result: Err(SyncFailure::ReadOnly),
        }),
    );
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert!(status.text.contains("can only be read"), "{}", status.text);
}

// ---- --offline ----

fn offline() -> State {
    let settings = Settings {
        offline: true,
        ..Settings::default()
    };
    let mut state = State::with_settings("default", "offline", settings);
    state.viewport = (100, 30);
    let commands = init(&mut state).commands;
    assert!(
        matches!(commands[..], [Command::OpenWorkspace { .. }]),
        "nothing is asked of Graph: {commands:?}"
    );
    let msg = stored_list(
        &state,
        vec![session("a", "Alpha", 50), session("b", "Bravo", 40)],
        ListInfo {
            known: 2,
            updated: Some("2026-01-31T09:00:00Z".parse().unwrap()),
            complete: None,
        },
    );
    update(&mut state, msg);
    state
}

/// Whether a command would reach Graph (the store-only ones do not).
fn reaches_graph(command: &Command) -> bool {
    !matches!(
        command,
        Command::Search { .. }
            | Command::LoadStoredConversation { .. }
            | Command::ExportStored { .. }
    )
}

#[test]
fn offline_reads_the_store_and_never_asks_graph() {
    let mut state = offline();
    assert_eq!(state.list.visible().len(), 2);
    let out = update(&mut state, Msg::Settled);
    let req = match out.commands.as_slice() {
        [Command::LoadStoredConversation { req, session_id }] if session_id == "a" => *req,
        other => panic!("no prefetch, no Graph: {other:?}"),
    };
    update(
        &mut state,
        Msg::Worker(Event::ConversationFromStore {
            req,
            session_id: "a".into(),
            turns: Some(long_turns()),
        }),
    );
    assert_eq!(state.conversations["a"].turns.len(), 3);
    update(&mut state, ch('j'));
    let req = match update(&mut state, Msg::Settled).commands.as_slice() {
        [Command::LoadStoredConversation { req, .. }] => *req,
        other => panic!("{other:?}"),
    };
    update(
        &mut state,
        Msg::Worker(Event::ConversationFromStore {
            req,
            session_id: "b".into(),
            turns: None,
        }),
    );
    let error = state.conversations["b"]
        .error
        .as_ref()
        .map(|p| p.words().as_str())
        .unwrap_or_default();
    assert!(error.starts_with("Not in the local store"), "{error}");
    // every key of the list, with the time passing: nothing reaches Graph
    let keys = "jkgGrnatesSwRmz][cC?q/";
    for c in keys.chars() {
        let mut s = state.clone();
        for msg in [ch(c), key(KeyCode::Enter), Msg::Settled, Msg::Reconnect] {
            let out = update(&mut s, msg);
            assert!(
                !out.commands.iter().any(reaches_graph),
                "{c}: {:?}",
                out.commands
            );
        }
    }
}

#[test]
fn an_empty_store_is_all_there_is_offline_but_online_graph_is_awaited() {
    let empty = |state: &State| stored_list(state, Vec::new(), ListInfo::default());
    let mut state = State::with_settings(
        "default",
        "offline",
        Settings {
            offline: true,
            ..Settings::default()
        },
    );
    let _ = init(&mut state);
    let msg = empty(&state);
    assert!(update(&mut state, msg).is_empty());
    assert!(
        state.paging.loaded_once,
        "not loading: nothing more will come"
    );
    assert!(state.stored.is_some());
    let mut state = State::new("default", "demo");
    let _ = init(&mut state);
    let msg = empty(&state);
    update(&mut state, msg);
    assert!(!state.paging.loaded_once);
    assert!(
        state.stored.is_none(),
        "Graph's first page is awaited as usual"
    );
}

#[test]
fn offline_changes_are_refused_and_what_was_typed_is_kept() {
    let mut state = offline();
    // rename: the editor stays open with the new name
    update(&mut state, ch('r'));
    update(&mut state, key(KeyCode::End));
    typed(&mut state, " 2");
    let out = update(&mut state, key(KeyCode::Enter));
    assert!(out.commands.is_empty());
    match &state.mode {
        Mode::Renaming(editor) => assert_eq!(editor.input.value(), "Alpha 2"),
        other => panic!("{other:?}"),
    }
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert!(
        status.text.starts_with("Offline: renaming needs Graph"),
        "{}",
        status.text
    );
    update(&mut state, key(KeyCode::Esc));
    // a question: the box stays open with the text and says why
    for opener in ['n', 'a'] {
        update(&mut state, ch(opener));
        typed(&mut state, "who ran it?");
        let out = update(&mut state, key(KeyCode::Enter));
        assert!(out.commands.is_empty(), "{out:?}");
        match &state.mode {
            Mode::Creating(create) => {
                assert_eq!(create.input.value(), "who ran it?");
                assert!(create.in_flight.is_none());
                assert!(
                    create
                        .problem
                        .as_ref()
                        .map(Problem::words)
                        .is_some_and(|p| p.contains("--offline"))
                );
            }
            other => panic!("{other:?}"),
        }
        update(&mut state, key(KeyCode::Esc));
    }
    // refresh and sync say they need Graph
    for c in ['R', 'S', 'w', 't'] {
        state.status = None;
        let out = update(&mut state, ch(c));
        assert!(out.commands.is_empty(), "{c}: {out:?}");
        assert!(
            state
                .status
                .as_ref()
                .is_some_and(|s| s.text.contains("needs Graph")),
            "{c}: {:?}",
            state.status
        );
    }
}

#[test]
fn offline_export_writes_the_stored_conversation_or_says_it_is_not_stored() {
    let mut state = offline();
    update(&mut state, ch('e'));
    let req = match update(&mut state, key(KeyCode::Enter)).commands.as_slice() {
        [Command::ExportStored { req, session, .. }] if session.id == "a" => *req,
        other => panic!("the store, not Graph: {other:?}"),
    };
    update(
        &mut state,
        Msg::Worker(Event::ExportFailed {
            req,
            error: crate::protocol::ExportError::NotStored,
        }),
    );
    let status = state.status.clone().unwrap();
    assert_eq!(status.severity, Severity::Warning);
    assert!(
        status.text.contains("not in the local store"),
        "{}",
        status.text
    );
}

// ---- Graph unreachable at start ----

fn stored_then_unreachable() -> State {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 30);
    let _ = init(&mut state);
    let msg = stored_list(&state, vec![session("a", "Alpha", 50)], ListInfo::default());
    update(&mut state, msg);
    state
}

/// Graph answers the page in flight with the whole (one-session) list.
fn graph_answers(state: &mut State) {
    let req = state.requests.page().expect("a page in flight");
    update(
        state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![session("a", "Alpha", 50)],
                next_link: None,
                count: None,
            },
        }),
    );
}

fn page_fails(state: &mut State, error: GraphError) -> Output {
    let req = state.requests.page().expect("a page in flight");
    update(state, Msg::Worker(Event::PageFailed { req, error }))
}

#[test]
fn unreachable_at_start_keeps_the_stored_list_and_retries_with_backoff() {
    let mut state = stored_then_unreachable();
    let mut waits = Vec::new();
    for _ in 0..7 {
        let out = page_fails(&mut state, network_error());
        match out.effects.as_slice() {
            [Effect::Arm(Timer::Reconnect { secs })] => waits.push(*secs),
            other => panic!("{other:?}"),
        }
        assert_eq!(state.list.visible().len(), 1, "the stored list stays");
        let out = update(&mut state, Msg::Reconnect);
        assert!(matches!(
            out.commands.as_slice(),
            [Command::LoadFirstPage { .. }]
        ));
    }
    assert_eq!(waits, vec![2, 4, 8, 16, 32, 60, 60]);
    // Graph answers: the count starts again, the stored list is confirmed
    graph_answers(&mut state);
    assert_eq!(state.reconnect.failures, 0);
    assert!(state.stored.is_none());
    assert!(!state.paging.failed);
    // a timer left over does nothing
    assert!(update(&mut state, Msg::Reconnect).is_empty());
}

#[test]
fn an_empty_store_and_no_graph_at_start_retry_too_but_not_once_graph_answered() {
    let mut state = State::new("default", "demo");
    state.viewport = (100, 30);
    let _ = init(&mut state);
    let out = page_fails(&mut state, network_error());
    assert_eq!(
        out.effects,
        vec![Effect::Arm(Timer::Reconnect { secs: 2 })],
        "nothing stored, Graph never reached: tried again"
    );
    let out = update(&mut state, Msg::Reconnect);
    assert!(matches!(out.commands[..], [Command::LoadFirstPage { .. }]));
    graph_answers(&mut state);
    // a refresh that fails later is the user's to retry
    update(&mut state, ch('R'));
    assert!(page_fails(&mut state, network_error()).effects.is_empty());
    assert!(update(&mut state, Msg::Reconnect).is_empty());
}

#[test]
fn a_refusal_is_not_retried_by_itself() {
    let mut state = stored_then_unreachable();
    let refused = GraphError::from(sctui_graph::ApiError::from_response(403, b"{}", None));
    let out = page_fails(&mut state, refused);
    assert!(out.effects.is_empty(), "{out:?}");
    assert!(update(&mut state, Msg::Reconnect).is_empty());
}
