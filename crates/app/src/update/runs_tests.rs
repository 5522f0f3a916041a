//! Running the question in view again, forking at it, and its earlier runs: what `update`
//! decides (the confirm line first, then exactly one command), with no worker.

use super::*;
use crate::reader::RowKind;
use crate::requests::RequestId;
use crate::state::TurnView;
use crate::update_tests::loaded;
use sctui_graph::conversation::PromptRuns;
use sctui_graph::models::{Evaluation, Prompt, Session};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn prompt(id: &str, content: &str) -> Prompt {
    serde_json::from_value(serde_json::json!({"id": id, "type": "prompt", "content": content}))
        .unwrap()
}

fn run(id: &str, minute: u32, answer: &str) -> Evaluation {
    serde_json::from_value(serde_json::json!({
        "id": id, "state": "completed",
        "result": {"type": "success", "content": answer},
        "createdDateTime": format!("2026-01-31T11:{minute:02}:00Z"),
    }))
    .unwrap()
}

/// Session s0 selected and read in the detail pane: Q1 answered twice (newest first), Q2 once.
fn reading() -> State {
    let mut state = loaded(3, None);
    let out = update(&mut state, Msg::Settled);
    let req = out
        .commands
        .iter()
        .find_map(|c| match c {
            Command::LoadConversation { req, .. } => Some(*req),
            _ => None,
        })
        .expect("the conversation is loaded");
    let runs = vec![
        PromptRuns {
            prompt: prompt("p1", "Is this invoice a lure?"),
            evaluations: vec![
                run("e1b", 30, "Verdict: malicious\nBlock the sender\n"),
                run("e1a", 10, "Verdict: benign\nBlock the sender\n"),
            ],
        },
        PromptRuns {
            prompt: prompt("p2", "Who else got it?"),
            evaluations: vec![run("e2", 40, "Three people")],
        },
    ];
    update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s0".into(),
            runs,
        }),
    );
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.focus, Focus::Detail);
    state
}

fn turn<'a>(state: &'a State, prompt_id: &str) -> &'a TurnView {
    state.conversations["s0"]
        .turns
        .iter()
        .find(|t| t.prompt.id == prompt_id)
        .expect("the question")
}

fn rows(state: &State) -> Vec<String> {
    let layout = state.reader.layout.as_ref().expect("a layout");
    (0..layout.rows.len()).map(|i| layout.row_text(i)).collect()
}

#[test]
fn a_loaded_question_keeps_its_earlier_runs_newest_first_folded() {
    let state = reading();
    let q1 = turn(&state, "p1");
    assert_eq!(q1.evaluation.as_ref().map(|e| e.id.as_str()), Some("e1b"));
    let earlier: Vec<_> = q1
        .earlier
        .iter()
        .map(|e| e.evaluation.id.as_str())
        .collect();
    assert_eq!(earlier, ["e1a"]);
    let layout = state.reader.layout.as_ref().unwrap();
    let folded = layout
        .rows
        .iter()
        .filter(|r| matches!(r.kind, RowKind::EarlierRun(0, 0)))
        .count();
    assert_eq!(folded, 1, "one line for the earlier run");
    let text = rows(&state).join("\n");
    assert!(
        text.contains("\n  1 earlier run, newest first · E shows their answers"),
        "{text}"
    );
    assert!(text.contains("d compares"), "{text}");
    assert!(
        !text.contains("Verdict: benign"),
        "folded: its answer is not shown"
    );
    assert!(turn(&state, "p2").earlier.is_empty());
}

#[test]
fn the_unfold_key_shows_the_earlier_answers_and_again_folds_them() {
    let mut state = reading();
    update(&mut state, ch('E'));
    assert!(rows(&state).iter().any(|r| r.contains("Verdict: benign")));
    assert!(rows(&state).iter().any(|r| r.contains("E folds them")));
    update(&mut state, ch('E'));
    assert!(!rows(&state).iter().any(|r| r.contains("Verdict: benign")));
}

#[test]
fn rerun_asks_first_and_any_other_key_sends_nothing() {
    let mut state = reading();
    let out = update(&mut state, ch('x'));
    assert!(out.commands.is_empty(), "{:?}", out.commands);
    let Mode::Confirming(confirm) = &state.mode else {
        panic!("the confirm line: {:?}", state.mode);
    };
    assert_eq!(confirm.question(), "Run Q1 again (no new question)?");
    for stray in [ch('j'), ch('n'), key(KeyCode::Esc), ch('x')] {
        let out = update(&mut state, stray);
        assert!(out.commands.is_empty());
        assert!(matches!(state.mode, Mode::Browsing));
        assert_eq!(
            state.status.as_ref().map(|s| s.text.as_str()),
            Some("Not sent")
        );
        update(&mut state, ch('x'));
    }
    assert!(matches!(state.mode, Mode::Confirming(_)));
}

#[test]
fn a_confirmed_rerun_starts_one_evaluation_and_its_answer_becomes_the_newest() {
    let mut state = reading();
    update(&mut state, ch('x'));
    let out = update(&mut state, ch('y'));
    let [
        Command::Evaluate {
            req,
            session_id,
            prompt_id,
        },
    ] = out.commands.as_slice()
    else {
        panic!("one evaluation, no prompt: {:?}", out.commands);
    };
    assert_eq!((session_id.as_str(), prompt_id.as_str()), ("s0", "p1"));
    let req: RequestId = *req;
    assert_eq!(turn(&state, "p1").following, Some(req));
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "s0".into(),
            prompt_id: "p1".into(),
            evaluation: run(
                "e1c",
                50,
                "Verdict: malicious, confirmed\nBlock the sender\n",
            ),
        }),
    );
    update(
        &mut state,
        Msg::Worker(Event::FollowEnded {
            req,
            session_id: "s0".into(),
            result: Ok(()),
        }),
    );
    let q1 = turn(&state, "p1");
    assert_eq!(q1.evaluation.as_ref().unwrap().id, "e1c");
    let earlier: Vec<_> = q1
        .earlier
        .iter()
        .map(|e| e.evaluation.id.as_str())
        .collect();
    assert_eq!(earlier, ["e1b", "e1a"], "newest first");
    assert!(q1.following.is_none());
    assert!(
        rows(&state)
            .iter()
            .any(|r| r.contains("Verdict: malicious, confirmed"))
    );
    assert!(rows(&state).iter().any(|r| r.contains("2 earlier runs")));
}

#[test]
fn enter_confirms_too_and_offline_nothing_is_offered() {
    let mut state = reading();
    update(&mut state, ch('x'));
    let out = update(&mut state, key(KeyCode::Enter));
    assert!(matches!(
        out.commands.as_slice(),
        [Command::Evaluate { .. }]
    ));

    let mut state = reading();
    state.settings.offline = true;
    for k in ['x', 'F'] {
        let out = update(&mut state, ch(k));
        assert!(out.commands.is_empty());
        assert!(matches!(state.mode, Mode::Browsing));
        assert!(state.status.as_ref().unwrap().text.starts_with("Offline"));
    }
}

#[test]
fn compare_sets_the_newest_answer_against_the_run_before_and_again_goes_back() {
    let mut state = reading();
    state.viewport = (120, 36);
    update(&mut state, Msg::Resize(120, 36));
    assert!(!state.reader.zoom);
    update(&mut state, ch('d'));
    assert!(state.reader.zoom, "a compare takes the full width");
    let text = rows(&state);
    let changed = text
        .iter()
        .find(|r| r.contains("- Verdict: benign"))
        .expect("the older line");
    assert!(
        changed.contains("│ + Verdict: malicious"),
        "side by side: {changed}"
    );
    assert!(text.iter().any(|r| r.contains("1 line differs")));
    update(&mut state, ch('d'));
    assert!(!state.reader.zoom, "back as it was");
    assert!(!rows(&state).iter().any(|r| r.contains("1 line differs")));

    // narrow: one below the other
    update(&mut state, Msg::Resize(64, 20));
    update(&mut state, ch('d'));
    let text = rows(&state);
    let older = text
        .iter()
        .position(|r| r == "older run")
        .expect("older heading");
    let newer = text
        .iter()
        .position(|r| r == "newest run")
        .expect("newest heading");
    assert!(older < newer);
    assert!(text[older..newer].iter().any(|r| r == "- Verdict: benign"));
    assert!(text[newer..].iter().any(|r| r == "+ Verdict: malicious"));
}

#[test]
fn a_question_run_once_has_nothing_to_compare() {
    let mut state = reading();
    update(&mut state, ch(']'));
    update(&mut state, ch(']'));
    let out = update(&mut state, ch('d'));
    assert!(out.commands.is_empty());
    assert!(state.reader.compare.is_none());
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .starts_with("Nothing to compare")
    );
}

#[test]
fn fork_names_how_many_questions_and_sends_them_in_order_once_confirmed() {
    let mut state = reading();
    // the view on Q2: the fork asks Q1 and Q2
    update(&mut state, ch(']'));
    update(&mut state, ch(']'));
    update(&mut state, ch('F'));
    let Mode::Confirming(confirm) = &state.mode else {
        panic!("the confirm line: {:?}", state.mode);
    };
    assert_eq!(
        confirm.question(),
        "Fork: ask 2 questions (Q1–Q2) in a new session “Session 0 (fork)”, one after another?"
    );
    let out = update(&mut state, ch('y'));
    let [
        Command::Fork {
            req,
            source,
            name,
            questions,
        },
    ] = out.commands.as_slice()
    else {
        panic!("one fork: {:?}", out.commands);
    };
    assert_eq!(source, "s0");
    assert_eq!(name, "Session 0 (fork)");
    assert_eq!(questions, &["Is this invoice a lure?", "Who else got it?"]);
    let req = *req;
    assert!(state.busy());
    update(
        &mut state,
        Msg::Worker(Event::ForkProgress {
            req,
            progress: crate::protocol::ForkProgress {
                asked: 1,
                answered: 0,
                total: 2,
                waiting_secs: None,
            },
        }),
    );
    let fork = Session {
        id: "forked".into(),
        display_name: Some("Session 0 (fork)".into()),
        created_date_time: None,
        last_modified_date_time: None,
    };
    let out = update(
        &mut state,
        Msg::Worker(Event::Forked {
            req,
            session: Some(fork),
            end: crate::protocol::ForkEnd::Answered,
        }),
    );
    assert_eq!(
        state.selected_entry().unwrap().session.id,
        "forked",
        "opened"
    );
    assert_eq!(state.focus, Focus::Detail);
    assert!(out.commands.iter().any(
        |c| matches!(c, Command::LoadConversation { session_id, .. } if session_id == "forked")
    ));
    assert!(
        !state.busy()
            || state
                .requests
                .iter()
                .all(|(_, p)| !matches!(p, Pending::Fork { .. }))
    );
    assert!(
        state
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("every question answered")
    );
}

#[test]
fn a_fork_at_the_first_question_asks_one() {
    let mut state = reading();
    update(&mut state, ch('F'));
    let Mode::Confirming(confirm) = &state.mode else {
        panic!("{:?}", state.mode);
    };
    assert_eq!(
        confirm.question(),
        "Fork: ask 1 question (Q1) in a new session “Session 0 (fork)”?"
    );
    let out = update(&mut state, ch('q'));
    assert!(
        out.commands.is_empty() && out.effects.is_empty(),
        "q cancels, it does not quit"
    );
}
