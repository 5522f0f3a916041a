//! Property tests of the pure update function: random keys, pastes, resizes and worker answers
//! (successes and failures, in any order) must keep the selection in range, the list offset
//! valid, the index consistent, and must never lose what the user typed: a refresh keeps pending
//! names, a failed rename gives the editor back with the typed name (or says it failed), a
//! failed create keeps the question in the prompt box. Once every request is answered, the
//! request ledger is empty: nothing is left awaited, followed or pending.

use proptest::prelude::*;
use sctui::tui::app::state::Mode;
use sctui::tui::app::{Msg, Pending, State, init, update};
use sctui::tui::worker::{Command, Event};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};
use sctui_graph::models::{GraphTime, Page, Session, Workspace};
use sctui_graph::{ApiError, GraphError, NetworkKind};

/// Keys a user might press in any mode.
const KEYS: &[(KeyCode, KeyModifiers)] = &[
    (KeyCode::Char('j'), KeyModifiers::NONE),
    (KeyCode::Char('k'), KeyModifiers::NONE),
    (KeyCode::Down, KeyModifiers::NONE),
    (KeyCode::Up, KeyModifiers::NONE),
    (KeyCode::PageDown, KeyModifiers::NONE),
    (KeyCode::PageUp, KeyModifiers::NONE),
    (KeyCode::Char('g'), KeyModifiers::NONE),
    (KeyCode::Char('G'), KeyModifiers::NONE),
    (KeyCode::Char('r'), KeyModifiers::NONE),
    (KeyCode::Char('n'), KeyModifiers::NONE),
    (KeyCode::Char('a'), KeyModifiers::NONE),
    (KeyCode::Char('t'), KeyModifiers::NONE),
    (KeyCode::Char('m'), KeyModifiers::NONE),
    (KeyCode::Char('R'), KeyModifiers::NONE),
    (KeyCode::Char('/'), KeyModifiers::NONE),
    (KeyCode::Char('?'), KeyModifiers::NONE),
    (KeyCode::Char('w'), KeyModifiers::NONE),
    (KeyCode::Char('f'), KeyModifiers::NONE),
    (KeyCode::Char('S'), KeyModifiers::NONE),
    (KeyCode::Char('x'), KeyModifiers::NONE),
    (KeyCode::Char('1'), KeyModifiers::NONE),
    (KeyCode::Esc, KeyModifiers::NONE),
    (KeyCode::Enter, KeyModifiers::NONE),
    (KeyCode::Enter, KeyModifiers::ALT),
    (KeyCode::Tab, KeyModifiers::NONE),
    (KeyCode::Backspace, KeyModifiers::NONE),
    (KeyCode::Char('u'), KeyModifiers::CONTROL),
];

#[derive(Debug, Clone)]
enum Op {
    Key(usize),
    Paste(String),
    /// Answer the queued command at this index (modulo), with this outcome.
    Answer {
        which: usize,
        outcome: u8,
        page: Vec<(u8, Option<u8>, u16)>,
        more: bool,
    },
    Resize(u16, u16),
    Settled,
    Tick,
    /// The whole rename gesture: r, Ctrl-U, type, Enter.
    Rename(String),
    /// The whole ask gesture: n, type, Enter.
    Create(String),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..KEYS.len()).prop_map(Op::Key),
        1 => "[a-z \u{202e}\u{1b}é漢]{0,8}".prop_map(Op::Paste),
        5 => (
            any::<usize>(),
            any::<u8>(),
            prop::collection::vec((0u8..24, prop::option::of(0u8..6), any::<u16>()), 0..12),
            any::<bool>()
        )
            .prop_map(|(which, outcome, page, more)| Op::Answer {
                which,
                outcome,
                page,
                more
            }),
        1 => (0u16..220, 0u16..70).prop_map(|(w, h)| Op::Resize(w, h)),
        1 => Just(Op::Settled),
        1 => Just(Op::Tick),
        2 => "[a-z]{1,6}".prop_map(Op::Rename),
        1 => "[a-z ]{1,6}".prop_map(Op::Create),
    ]
}

fn session(id: &str, name: Option<String>, modified: u16) -> Session {
    let at = jiff::Timestamp::from_second(1_750_000_000 + i64::from(modified)).unwrap();
    Session {
        id: id.to_string(),
        display_name: name,
        created_date_time: Some(GraphTime::from_timestamp(at)),
        last_modified_date_time: Some(GraphTime::from_timestamp(at)),
    }
}

fn failure(outcome: u8) -> GraphError {
    match outcome % 5 {
        0 => GraphError::from(ApiError::from_response(404, b"", Some("rid-404"))),
        1 => GraphError::from(ApiError::from_response(503, b"", Some("rid-503"))),
        2 => GraphError::from(ApiError::from_response(403, b"", None)),
        3 => GraphError::Decode {
            method: "GET".into(),
            url: "http://127.0.0.1/beta/x".into(),
            detail: "the body was cut short".into(),
        },
        _ => GraphError::Network {
            url: "http://127.0.0.1/beta/x".into(),
            kind: NetworkKind::Broken,
            detail: "reset".into(),
        },
    }
}

/// What the worker would answer to `command`; `outcome` picks success or which failure.
/// Every request gets a last event (a stop or a workspace switch gets none: nothing is awaited).
fn answer(command: Command, outcome: u8, page: &[(u8, Option<u8>, u16)], more: bool) -> Vec<Event> {
    let ok = !outcome.is_multiple_of(3);
    match command {
        Command::LoadFirstPage { req, .. }
        | Command::LoadNextPage { req, .. }
        | Command::LoadBulkPage { req, .. } => {
            let first = outcome.is_multiple_of(2);
            if !ok {
                return vec![Event::PageFailed {
                    req,
                    error: failure(outcome),
                }];
            }
            let mut seen = std::collections::HashSet::new();
            let value = page
                .iter()
                .filter(|(id, _, _)| seen.insert(*id))
                .map(|&(id, name, modified)| {
                    session(
                        &format!("s{id}"),
                        name.map(|n| format!("name {n}")),
                        modified,
                    )
                })
                .collect();
            vec![Event::PageLoaded {
                req,
                first,
                page: Page {
                    value,
                    next_link: more.then(|| "http://127.0.0.1/beta/next".to_string()),
                    count: None,
                },
            }]
        }
        Command::Rename { req, id, name } => {
            if ok {
                vec![Event::Renamed {
                    req,
                    session: session(&id, Some(name), u16::MAX),
                }]
            } else {
                vec![Event::RenameFailed {
                    req,
                    id,
                    name,
                    error: failure(outcome / 3),
                }]
            }
        }
        Command::Ask {
            req, session: None, ..
        } => {
            if ok {
                let id = format!("c{}", req.seq);
                vec![
                    Event::Created {
                        req,
                        session: session(&id, Some(format!("asked {}", req.seq)), 9),
                    },
                    Event::FollowEnded {
                        req,
                        session_id: id,
                        result: Ok(()),
                    },
                ]
            } else {
                vec![Event::CreateFailed {
                    req,
                    error: failure(outcome / 3),
                }]
            }
        }
        Command::Ask {
            req,
            session: Some(session),
            ..
        } => vec![Event::AskFailed {
            req,
            session,
            prompt: None,
            error: failure(outcome / 3),
        }],
        Command::Follow {
            req, session_id, ..
        } => vec![Event::FollowEnded {
            req,
            session_id,
            result: Ok(()),
        }],
        Command::Evaluate {
            req,
            session_id,
            prompt_id,
        } => {
            if ok {
                vec![Event::FollowEnded {
                    req,
                    session_id,
                    result: Ok(()),
                }]
            } else {
                vec![Event::EvaluateFailed {
                    req,
                    session_id,
                    prompt_id,
                    error: failure(outcome / 3),
                }]
            }
        }
        Command::LoadConversation { req, session_id } => {
            if ok {
                vec![Event::ConversationLoaded {
                    req,
                    session_id,
                    runs: Vec::new(),
                }]
            } else {
                vec![Event::ConversationFailed {
                    req,
                    session_id,
                    error: failure(outcome / 3),
                }]
            }
        }
        Command::Export { req, path, .. } | Command::ExportStored { req, path, .. } => {
            vec![Event::Exported { req, path }]
        }
        Command::Prefetch { session_ids } if ok => session_ids
            .into_iter()
            .map(|session_id| Event::ConversationPrefetched {
                workspace: "default".into(),
                session_id,
                runs: Vec::new(),
            })
            .collect(),
        Command::LoadWorkspaces { req } => {
            if ok {
                vec![Event::WorkspacesLoaded {
                    req,
                    workspaces: ["default", "other"]
                        .into_iter()
                        .map(|id| Workspace {
                            id: id.into(),
                            display_name: Some(format!("{id} workspace")),
                        })
                        .collect(),
                }]
            } else {
                vec![Event::WorkspacesFailed {
                    req,
                    error: failure(outcome / 3),
                }]
            }
        }
        Command::StartSignIn { req } => vec![Event::SignedIn {
            req,
            who: Some("props".into()),
        }],
        Command::Search { req, query, .. } => vec![Event::Searched {
            req,
            query,
            result: Ok(Vec::new()),
        }],
        Command::Sync { req, .. } => vec![Event::Synced {
            req,
            result: Ok(Default::default()),
        }],
        Command::Fork { req, .. } => vec![Event::Forked {
            req,
            session: None,
            end: sctui::tui::worker::ForkEnd::Stopped {
                run: None,
                error: "test".into(),
            },
        }],
        Command::LoadStoredConversation { req, session_id } => {
            vec![Event::ConversationFromStore {
                req,
                session_id,
                turns: None,
            }]
        }
        Command::OpenWorkspace { req, .. } => vec![Event::StoredList { req, stored: None }],
        Command::StopFollow { .. }
        | Command::StopSync { .. }
        | Command::CancelSignIn
        | Command::Forget { .. }
        | Command::Prefetch { .. } => Vec::new(),
    }
}

fn check(state: &State) -> Result<(), TestCaseError> {
    let rows = sctui::tui::app::layout::list_rows(state.viewport());
    if let Err(broken) = state.list().check(rows) {
        prop_assert!(false, "the session list broke a rule: {}", broken);
    }
    Ok(())
}

fn pending(state: &State) -> Vec<(String, String)> {
    let mut names: Vec<_> = state
        .list()
        .entries()
        .iter()
        .filter_map(|e| e.pending().map(|p| (e.session.id.clone(), p.name.clone())))
        .collect();
    names.sort();
    names
}

fn status(state: &State) -> String {
    state
        .status()
        .as_ref()
        .map(|s| s.text.to_string())
        .unwrap_or_default()
}

/// Applies one worker event and checks that nothing typed is lost by it.
fn apply(state: &mut State, queue: &mut Vec<Command>, event: Event) -> Result<(), TestCaseError> {
    let browsing = matches!(state.mode(), Mode::Browsing);
    let pending_before = pending(state);
    // an answer no longer awaited (say, from before a workspace switch) is dropped unseen
    let failed_rename = match &event {
        Event::RenameFailed {
            req,
            id,
            name,
            error,
        } if !error.is_not_found() && state.requests().get(*req).is_some() => {
            Some((state.list().contains(id), name.clone()))
        }
        _ => None,
    };
    let failed_create = match &event {
        Event::CreateFailed { req, .. } => Some((
            *req,
            match state.requests().get(*req) {
                Some(Pending::Ask { text, .. }) => Some(text.clone()),
                _ => None,
            },
            match &state.mode() {
                Mode::Creating(c) => c.in_flight == Some(*req),
                _ => false,
            },
        )),
        _ => None,
    };
    let is_page = matches!(event, Event::PageLoaded { .. });
    queue.extend(update_commands(state, Msg::Worker(event)));
    check(state)?;
    if is_page {
        let after = pending(state);
        for name in &pending_before {
            prop_assert!(after.contains(name), "refresh overwrote pending {:?}", name);
        }
    }
    if let Some((listed, name)) = failed_rename {
        prop_assert!(
            status(state).contains(&format!("Rename to “{name}” failed")),
            "{}",
            status(state)
        );
        if browsing && listed {
            match &state.mode() {
                Mode::Renaming(editor) => prop_assert_eq!(editor.input.value(), name.as_str()),
                other => prop_assert!(false, "editor not reopened: {:?}", other),
            }
        }
    }
    if let Some((seq, Some(text), waiting)) = failed_create
        && (browsing || waiting)
    {
        match &state.mode() {
            Mode::Creating(create) => {
                prop_assert_eq!(create.input.value(), text.as_str(), "create {:?}", seq);
                prop_assert!(create.in_flight.is_none());
            }
            other => prop_assert!(false, "prompt box not kept: {:?}", other),
        }
    }
    Ok(())
}

/// The worker requests of one update (effects are the runtime's; none feeds back here).
fn update_commands(state: &mut State, msg: Msg) -> Vec<Command> {
    update(state, msg).commands
}

fn tick_time() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_750_000_100).unwrap()
}

/// Answers everything still queued (successfully, last pages without more) until nothing is
/// asked any more; then nothing may be left awaited: no request, no follow, no pending name.
fn settle(state: &mut State, queue: &mut Vec<Command>) -> Result<(), TestCaseError> {
    let mut guard = 0;
    while let Some(command) = queue.pop() {
        guard += 1;
        prop_assert!(guard < 10_000, "requests keep coming");
        for event in answer(command, 1, &[], false) {
            apply(state, queue, event)?;
        }
    }
    let left: Vec<_> = state.requests().iter().collect();
    prop_assert!(left.is_empty(), "still awaited after settling: {:?}", left);
    prop_assert!(!state.busy());
    prop_assert!(pending(state).is_empty(), "{:?}", pending(state));
    for (id, conversation) in state.conversations() {
        prop_assert!(
            conversation.turns.iter().all(|t| t.following.is_none()),
            "a turn of {} is still followed",
            id
        );
    }
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut state = State::new("default", "props");
    state.settings_mut_for_tests().page_size = 10;
    let mut queue = init(&mut state).commands;
    check(&state)?;
    for op in ops {
        match op {
            Op::Key(i) => {
                let (code, modifiers) = KEYS[i];
                queue.extend(update_commands(
                    &mut state,
                    Msg::Key(KeyEvent::new(code, modifiers)),
                ));
            }
            Op::Paste(text) => queue.extend(update_commands(&mut state, Msg::Paste(text))),
            Op::Answer {
                which,
                outcome,
                page,
                more,
            } => {
                if queue.is_empty() {
                    continue;
                }
                let command = queue.swap_remove(which % queue.len());
                for event in answer(command, outcome, &page, more) {
                    apply(&mut state, &mut queue, event)?;
                }
            }
            Op::Resize(w, h) => queue.extend(update_commands(&mut state, Msg::Resize(w, h))),
            Op::Settled => queue.extend(update_commands(&mut state, Msg::Settled)),
            Op::Tick => queue.extend(update_commands(&mut state, Msg::Tick(tick_time()))),
            Op::Rename(text) => {
                for msg in [
                    Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)),
                    Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
                    Msg::Paste(text),
                    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
                ] {
                    queue.extend(update_commands(&mut state, msg));
                    check(&state)?;
                }
            }
            Op::Create(text) => {
                for msg in [
                    Msg::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE)),
                    Msg::Paste(text),
                    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
                ] {
                    queue.extend(update_commands(&mut state, msg));
                    check(&state)?;
                }
            }
        }
        check(&state)?;
    }
    settle(&mut state, &mut queue)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn update_keeps_selection_valid_loses_no_typed_text_and_settles_empty(ops in prop::collection::vec(op(), 1..120)) {
        run(ops)?;
    }
}
