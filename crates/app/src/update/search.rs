//! The search view (`f`): every keystroke searches the local store again (on the worker, never
//! here: a newer search supersedes the one in flight and its late answer is dropped), the hits
//! are listed with their highlighted snippets, and `Enter` opens a hit's session in the detail
//! pane, scrolled to the matching question, with the matched word kept as the pane's find (so it
//! is highlighted there and `n`/`N` go through it).

use super::edit::edit_line;
use super::list::{rows, select};
use crate::advice::Problem;
use crate::input::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use crate::keys::{Action, KeyMode};
use crate::layout;
use crate::output::{Effect, Output, Timer};
use crate::protocol::{Command, StoreUnavailable};
use crate::reader::Pin;
use crate::requests::Pending;
use crate::sanitize::CleanLine;
use crate::state::store::SearchResult;
use crate::state::{Focus, Mode, State};
use sctui_graph::models::Session;
use tui_input::Input;

/// How many hits one search lists.
pub const SEARCH_LIMIT: usize = 100;

/// Opens the search view (with the last query and its results, if any).
pub(super) fn open_search(state: &mut State) -> Output {
    state.mode = Mode::Searching;
    Output::none()
}

/// A key in the search view: its own keys move and open, the others edit the query.
pub(super) fn on_search_key(state: &mut State, key: KeyEvent) -> Output {
    if let Some(action) = state.settings.keymap.action_in(KeyMode::Search, &key) {
        let page = layout::search_results(state.viewport);
        let view = &mut state.search;
        let last = view.results.len().saturating_sub(1);
        view.selected = match action {
            Action::SearchUp => view.selected.saturating_sub(1),
            Action::SearchDown => view.selected.saturating_add(1).min(last),
            Action::SearchPageUp => view.selected.saturating_sub(page),
            Action::SearchPageDown => view.selected.saturating_add(page).min(last),
            Action::SearchOpen => return open_result(state),
            Action::SearchClose => {
                state.mode = Mode::Browsing;
                return Output::none();
            }
            _ => view.selected,
        };
        view.offset = view.first_shown(page);
        return Output::none();
    }
    let action = state.settings.keymap.action_in(KeyMode::Editor, &key);
    if edit_line(&mut state.search.input, action, &key) {
        return run_search(state);
    }
    Output::none()
}

/// Text pasted into the query (on one line).
pub(super) fn paste_query(state: &mut State, text: &str) -> Output {
    for c in crate::sanitize::sanitize_line(text).chars() {
        state
            .search
            .input
            .handle(tui_input::InputRequest::InsertChar(c));
    }
    run_search(state)
}

/// Searches for the query as it is now; the search in flight (if any) is superseded. An empty
/// query clears the results without asking anything.
pub(super) fn run_search(state: &mut State) -> Output {
    state
        .requests
        .finish_where(|p| matches!(p, Pending::Search));
    let query = state.search.input.value().trim().to_string();
    if query.is_empty() {
        let view = &mut state.search;
        view.results.clear();
        view.selected = 0;
        view.searched = None;
        view.problem = None;
        return Output::none();
    }
    let req = state.requests.start(Pending::Search);
    Command::Search {
        req,
        query,
        limit: SEARCH_LIMIT,
    }
    .into()
}

/// The hits of a search (or why it failed) arrived.
pub(super) fn on_searched(
    state: &mut State,
    query: String,
    result: Result<Vec<SearchResult>, StoreUnavailable>,
) -> Output {
    let view = &mut state.search;
    view.selected = 0;
    view.offset = 0;
    view.searched = Some(query);
    match result {
        Ok(hits) => {
            view.results = hits;
            view.problem = None;
        }
        Err(error) => {
            view.results.clear();
            view.problem = Some(Problem::other(&search_problem(&error)));
        }
    }
    Output::none()
}

/// Why a search did not work, in words (server and query text sanitised).
fn search_problem(error: &StoreUnavailable) -> String {
    match error {
        StoreUnavailable::Off => {
            "The local store is off ([store] enabled = false or --no-store): nothing to search"
                .to_string()
        }
        StoreUnavailable::NotOpen => {
            "The local store could not be opened: nothing to search".to_string()
        }
        StoreUnavailable::Query { reason } => {
            format!("Can't search for that ({reason}); put words with punctuation in \"quotes\"")
        }
        StoreUnavailable::Failed(other) => format!("The search failed: {other}"),
    }
}

/// Opens the selected hit: its session is selected (shown even when the filter hid it or the
/// list does not hold it yet) and the detail pane takes the keyboard, kept on the matching
/// question as the conversation arrives (from the store at once, then from Graph).
fn open_result(state: &mut State) -> Output {
    let Some(result) = state.search.results.get(state.search.selected).cloned() else {
        return Output::none();
    };
    state.mode = Mode::Browsing;
    let id = result.session_id.clone();
    let rows = rows(state);
    // stored but not in the list (not loaded yet): shown from what the store knows
    state.list.add(
        Session {
            id: id.clone(),
            display_name: result.name.clone().map(CleanLine::into_string),
            created_date_time: None,
            last_modified_date_time: result
                .modified
                .clone()
                .map(sctui_graph::models::GraphTime::new),
        },
        rows,
    );
    let Some(position) = state.list.reveal(&id, rows) else {
        return Output::none();
    };
    let mut out = select(state, position);
    state.focus = Focus::Detail;
    state.reader.pin = result.turn.map(|(_, prompt_id)| Pin {
        session_id: id,
        prompt_id,
    });
    // the matched words stay found in the conversation: highlighted, n/N go through them
    if let Some((word, _)) = result.snippet.iter().find(|(_, matched)| *matched) {
        state.reader.find.input = Input::new(word.to_string());
        state.reader.find.current = 0;
        crate::reader::refind(state);
    }
    // loads the conversation when it is not there yet (a no-op when it is fresh)
    out.effect(Effect::Arm(Timer::Settle));
    out
}

/// The mouse in the search view: a click on a hit selects it (on the selected one, opens it);
/// the wheel moves the selection.
pub(super) fn on_search_mouse(state: &mut State, mouse: MouseEvent) -> Output {
    let per_page = layout::search_results(state.viewport);
    let view = &mut state.search;
    let last = view.results.len().saturating_sub(1);
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let area = ratatui_core::layout::Rect::new(0, 0, state.viewport.0, state.viewport.1);
            // inside the border, below the query and the summary; two rows a hit
            let top = layout::search_view(area).y + 3;
            let Some(row) = mouse.row.checked_sub(top).map(usize::from) else {
                return Output::none();
            };
            if row / 2 >= per_page {
                return Output::none();
            }
            let hit = view.first_shown(per_page) + row / 2;
            if hit > last || view.results.is_empty() {
                return Output::none();
            }
            if hit == view.selected {
                return open_result(state);
            }
            view.selected = hit;
        }
        MouseEventKind::ScrollDown => view.selected = view.selected.saturating_add(1).min(last),
        MouseEventKind::ScrollUp => view.selected = view.selected.saturating_sub(1),
        _ => return Output::none(),
    }
    view.offset = view.first_shown(per_page);
    Output::none()
}
