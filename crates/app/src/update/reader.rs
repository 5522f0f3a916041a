//! Keys of the reader (the detail pane): scrolling in drawn rows, sideways for tables and code,
//! between questions, zoom, copying the answer or code in view, and `/` find.

use super::edit::edit_line;
use super::{copy, info, warning};
use crate::input::KeyEvent;
use crate::keys::{Action, KeyMode};
use crate::output::{Effect, Output};
use crate::reader;
use crate::state::{Focus, Mode, State};
use tui_input::Input;

/// An action while the detail pane is focused; `None` when it is not the reader's.
pub(super) fn on_detail_action(state: &mut State, action: Action) -> Option<Output> {
    let mut out = Output::none();
    match action {
        Action::ScrollDown => reader::scroll_by(state, 1),
        Action::ScrollUp => reader::scroll_by(state, -1),
        Action::ScrollPageDown => reader::scroll_by(state, reader::page(state)),
        Action::ScrollPageUp => reader::scroll_by(state, -reader::page(state)),
        Action::ScrollTop => reader::scroll_to(state, 0),
        Action::ScrollBottom => reader::scroll_to(state, usize::MAX),
        Action::ScrollLeft => reader::hscroll_by(state, -HSCROLL_STEP),
        Action::ScrollRight => reader::hscroll_by(state, HSCROLL_STEP),
        Action::RowStart => reader::hscroll_by(state, isize::MIN),
        Action::RowEnd => {
            if !reader::hscroll_to_row_end(state) {
                out.say(info("Nothing in view is wider than the pane"));
            }
        }
        Action::WideTables => {
            state.reader.wide_tables = !state.reader.wide_tables;
            state.reader.hscroll = 0;
            out.say(info(if state.reader.wide_tables {
                "Wide tables kept wide: scroll sideways, the first column stays"
            } else {
                "Wide tables wrapped to fit the pane"
            }));
        }
        Action::NextLink | Action::PrevLink => {
            return Some(step_link(state, action == Action::NextLink));
        }
        Action::OpenLink => return Some(open_link(state)),
        Action::Back => {
            state.focus = Focus::List;
            state.reader.zoom = false;
        }
        Action::Find => {
            state.reader.find.input = Input::default();
            state.reader.find.origin = state.reader.scroll;
            reader::refind(state);
            state.mode = Mode::Finding;
        }
        Action::FindNext | Action::FindPrev => {
            return Some(step_match(state, action == Action::FindNext));
        }
        _ => return None,
    }
    Some(out)
}

/// Columns `h`/`l` shift tables and code by.
const HSCROLL_STEP: isize = 8;

/// Reader actions that work from the list too (they act on the selected conversation).
pub(super) fn on_reader_action(state: &mut State, action: Action) -> Output {
    match action {
        Action::Zoom => {
            if state.reader.zoom {
                state.reader.zoom = false;
            } else if state.selected_entry().is_some() {
                state.reader.zoom = true;
                state.focus = Focus::Detail;
            }
            Output::none()
        }
        Action::NextQuestion | Action::PrevQuestion => {
            reader::jump_question(state, action == Action::NextQuestion);
            Output::none()
        }
        Action::CopyAnswer => copy_answer(state),
        Action::CopyCodeBlock => copy_code(state),
        _ => Output::none(),
    }
}

/// Moves to the next or previous link; the status line shows where it goes.
fn step_link(state: &mut State, forward: bool) -> Output {
    let Some(i) = reader::step_link(state, forward) else {
        return warning("No links in this conversation").into();
    };
    let url = state
        .reader
        .layout
        .as_ref()
        .and_then(|l| l.link_spots.get(i).and_then(|s| l.links.get(s.link)))
        .cloned()
        .unwrap_or_default();
    let open = state.settings.keymap.press(Action::OpenLink, "open it");
    info(format!("{url}{open}")).into()
}

fn open_link(state: &mut State) -> Output {
    match reader::link_to_open(state) {
        Some(url) => {
            let opening = info(format!("Opening {url}"));
            Output::from(Effect::OpenLink { url }).saying(opening)
        }
        None => Output::from(warning("No link in view")),
    }
}

/// Moves to the next or previous match of the kept query.
fn step_match(state: &mut State, forward: bool) -> Output {
    let count = state.reader.find.matches.len();
    if count == 0 {
        let key = state
            .settings
            .keymap
            .first_key(Action::Find)
            .unwrap_or_default();
        return Output::from(if state.reader.find.input.value().is_empty() {
            warning(format!(
                "Nothing to find yet: press {key} in the detail pane"
            ))
        } else {
            warning(format!(
                "No match for “{}”",
                state.reader.find.input.value()
            ))
        });
    }
    let current = state.reader.find.current;
    let next = if forward {
        (current + 1) % count
    } else {
        (current + count - 1) % count
    };
    // the pane's border counts the match in view: nothing to say in the status line (or log)
    reader::show_match(state, next);
    Output::none()
}

/// Keys while typing a `/` query: the view follows the first match as you type; Enter keeps
/// the query (`n`/`N` move between matches), Esc drops it and goes back.
pub(super) fn on_find_key(state: &mut State, key: KeyEvent) -> Output {
    // the editors' keymap, as in the filter and rename: a rebound submit or cancel works here too
    let action = state.settings.keymap.action_in(KeyMode::Editor, &key);
    let mut out = Output::none();
    match action {
        Some(Action::Cancel) => {
            state.reader.find.input = Input::default();
            reader::refind(state);
            let origin = state.reader.find.origin;
            reader::scroll_to(state, origin);
            state.mode = Mode::Browsing;
        }
        Some(Action::Submit) => {
            state.mode = Mode::Browsing;
            let count = state.reader.find.matches.len();
            let next = state
                .settings
                .keymap
                .first_key(Action::FindNext)
                .unwrap_or_default();
            let prev = state
                .settings
                .keymap
                .first_key(Action::FindPrev)
                .unwrap_or_default();
            out.say(match count {
                0 if state.reader.find.input.value().is_empty() => info("Find cleared"),
                0 => warning(format!(
                    "No match for “{}”",
                    state.reader.find.input.value()
                )),
                n => info(format!(
                    "{n} match{}: {next} next, {prev} previous",
                    if n == 1 { "" } else { "es" }
                )),
            });
        }
        action => {
            if edit_line(&mut state.reader.find.input, action, &key) {
                reader::refind(state);
                let origin = state.reader.find.origin;
                reader::goto_match(state, true, origin);
            }
        }
    }
    out
}

/// The sanitised Markdown of question `turn`'s answer, if it has one.
fn answer_markdown(state: &State, turn: usize) -> Option<String> {
    let entry = state.selected_entry()?;
    let conversation = state.conversations.get(&entry.session.id)?;
    let text = conversation
        .turns
        .get(turn)?
        .evaluation
        .as_ref()?
        .result
        .as_ref()?
        .content
        .as_deref()?;
    Some(crate::sanitize::sanitize_multiline(text).trim().to_string())
}

fn copy_answer(state: &mut State) -> Output {
    let Some(turn) = reader::current_turn(state) else {
        return Output::from(warning("Nothing to copy: no answer in view"));
    };
    let Some(text) = answer_markdown(state, turn).filter(|t| !t.is_empty()) else {
        return Output::from(warning(format!("Q{} has no answer yet", turn + 1)));
    };
    let what = format!(
        "the answer to Q{} ({} lines of Markdown)",
        turn + 1,
        text.lines().count()
    );
    copy(text, &what)
}

fn copy_code(state: &mut State) -> Output {
    let top = state.reader.scroll;
    let bottom = top + state.reader.height;
    let block = state.reader.layout.as_ref().and_then(|l| {
        l.code_blocks
            .iter()
            .find(|b| b.start < bottom && b.end > top)
            .copied()
    });
    let Some(block) = block else {
        return Output::from(warning("No code block in view"));
    };
    let code = answer_markdown(state, block.turn)
        .and_then(|md| {
            crate::markdown::code_blocks(&md)
                .into_iter()
                .nth(usize::from(block.block))
        })
        .unwrap_or_default();
    let code = code.trim_end_matches('\n').to_string();
    let what = format!(
        "the code block of Q{} ({} lines)",
        block.turn + 1,
        code.lines().count()
    );
    copy(code, &what)
}
