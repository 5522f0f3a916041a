//! The session list: selection and scrolling, paging ahead of need, sorting and filtering, and
//! merging pages from Graph without losing what the user is doing.

use super::edit::edit_line;
use super::modes::not_found_hint;
use super::offline::schedule_reconnect;
use super::prefetch::cancel_prefetch;
use super::{from_error, warning};
use crate::input::KeyEvent;
use crate::keys::{Action, KeyMode};
use crate::layout;
use crate::output::{Effect, Output, Timer};
use crate::protocol::Command;
use crate::requests::Pending;
use crate::sanitize::CleanLine;
use crate::state::{Listing, Mode, SessionEntry, State, StatusKind};
use sctui_graph::models::{Page, Session};
use sctui_graph::{GraphError, ListQuery};

/// Moves the selection (clamped) and asks for the next page when it nears the end.
pub(super) fn select(state: &mut State, position: usize) -> Output {
    // only `G` (the end, however far) keeps the selection following a walk to the end
    state.paging.to_end = position == usize::MAX && state.paging.bulk;
    let before = state.list.selected_id();
    state.list.select(position, rows(state));
    let after = state.list.selected_id();
    let mut out = Output::none();
    if before != after {
        crate::reader::reset(state);
        if after.is_some() {
            out.effect(Effect::Arm(Timer::Settle));
        }
        // the neighbours being fetched are the old selection's
        out.merge(cancel_prefetch(state));
    }
    out.merge(maybe_prefetch(state));
    out
}

/// How many list rows the viewport shows.
pub(super) fn rows(state: &State) -> usize {
    layout::list_rows(state.viewport)
}

/// Requests the next page ahead of need: when the selection is within two screens (or half a
/// page) of the end of what is shown, and no page is already on its way.
pub(super) fn maybe_prefetch(state: &mut State) -> Output {
    if state.page_loading() {
        return Output::none();
    }
    let Some(link) = state.paging.next_link.clone() else {
        return Output::none();
    };
    let margin = (layout::list_rows(state.viewport) * 2).max(state.settings.page_size as usize / 2);
    let remaining = state
        .list
        .visible()
        .len()
        .saturating_sub(state.list.selected() + 1);
    if remaining > margin && !state.paging.bulk {
        return Output::none();
    }
    let req = state.requests.start(Pending::Page { first: false });
    Command::LoadNextPage { req, link }.into()
}

/// Loads the rest of the list in big pages, one right after the other, for what needs all of it
/// (`G`, a filter, a sort). A walk of small pages in progress is superseded: its page in flight is
/// dropped when it lands, and the walk starts again from the top with the bulk page size (the
/// pages merge, so nothing loaded disappears meanwhile). Nothing to do when the list is complete,
/// not loaded yet, or already walked in bulk.
pub(super) fn load_everything(state: &mut State) -> Output {
    let paging = &mut state.paging;
    if paging.bulk || !paging.loaded_once || paging.failed || paging.next_link.is_none() {
        return Output::none();
    }
    paging.bulk = true;
    paging.next_link = None;
    paging.listing.restart();
    state
        .requests
        .finish_where(|p| matches!(p, Pending::Page { .. }));
    let req = state.requests.start(Pending::Page { first: false });
    Command::LoadBulkPage {
        req,
        query: ListQuery {
            top: Some(state.settings.bulk_page_size),
            count: true,
            ..ListQuery::default()
        },
    }
    .into()
}

/// Starts a listing from the first page (at start, `R`, a sign-in, a workspace switch); a page
/// still on its way belongs to the old listing and its answer is dropped, so a second `R`
/// during a walk starts it again cleanly. Nothing known leaves the list until the new listing
/// is complete (see [`on_page`]).
pub(super) fn start_load(state: &mut State) -> Output {
    state
        .requests
        .finish_where(|p| matches!(p, Pending::Page { .. }));
    state.paging.next_link = None;
    state.paging.bulk = false;
    state.paging.to_end = false;
    state.paging.listing = Listing::default();
    let req = state.requests.start(Pending::Page { first: true });
    Command::LoadFirstPage {
        req,
        query: ListQuery {
            count: true,
            ..ListQuery::default()
        },
    }
    .into()
}

pub(super) fn on_filter_key(state: &mut State, key: KeyEvent) -> Output {
    let before = state.list.selected_id();
    let rows = rows(state);
    let mut out = match state.settings.keymap.action_in(KeyMode::Editor, &key) {
        Some(Action::Cancel) => {
            state.mode = Mode::Browsing;
            state.list.clear_filter(rows);
            Output::none()
        }
        Some(Action::Submit) => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        Some(Action::CursorDown) => select(state, state.list.selected().saturating_add(1)),
        Some(Action::CursorUp) => select(state, state.list.selected().saturating_sub(1)),
        action => {
            if state
                .list
                .edit_filter(rows, |input| edit_line(input, action, &key))
            {
                if !state.filter_text().is_empty() {
                    // a filter is over every session: load the rest in big pages
                    load_everything(state)
                } else {
                    maybe_prefetch(state)
                }
            } else {
                Output::none()
            }
        }
    };
    // a filter that lands on another session loads its conversation like moving there would
    let after = state.list.selected_id();
    if after.is_some() && after != before {
        crate::reader::reset(state);
        out.effect(Effect::Arm(Timer::Settle));
    }
    out
}

/// A page of the listing arrived: merged into the list, never replacing it (new sessions
/// appear, known ones take Graph's version, a pending name stays). After the first page, when
/// the list knows sessions it did not list (a refresh of a longer list, the stored list at
/// start), the rest is walked in big pages; the last page of the listing drops the sessions it
/// never listed (a rename in flight, or a session made here meanwhile, stays). A failed or
/// stopped walk drops nothing.
pub(super) fn on_page(state: &mut State, first: bool, page: Page<Session>) -> Output {
    // Graph answered: the tries to reach it are over
    state.reconnect = crate::state::store::Reconnect {
        reached: true,
        ..Default::default()
    };
    // the link this page was read from (a first page, or a walk's top, has none)
    let followed = state.paging.next_link.take();
    let looping = state.paging.listing.read_page(
        followed.as_deref(),
        page.value.iter().map(|s| s.id.as_str()),
        page.next_link.as_deref(),
    );
    let mut out = Output::none();
    // the refresh is here: its message goes (anything said below replaces it anyway)
    if first
        && state
            .status
            .as_ref()
            .is_some_and(|s| s.kind == StatusKind::Refreshing)
    {
        out.clear_status();
    }
    let selected_id = state.list.selected_id();
    let rows = rows(state);
    state.list.merge(page.value, rows);
    if first || page.count.is_some() {
        state.paging.total = page.count;
    }
    state.paging.next_link = page.next_link;
    state.paging.loaded_once = true;
    state.paging.failed = false;
    if state.paging.next_link.is_none() {
        // the listing reached its end: every session Graph has is known as of now
        state.paging.complete = Some(state.now);
        out.merge(end_listing(state));
        // the session on screen was deleted elsewhere: its neighbour is shown, as if moved to
        let now_selected = state.list.selected_id();
        if selected_id.is_some() && now_selected != selected_id {
            crate::reader::reset(state);
            if now_selected.is_some() {
                out.effect(Effect::Arm(Timer::Settle));
            }
            out.merge(cancel_prefetch(state));
        }
    } else if looping {
        // A server looping on its nextLink (a page or a link it gave already) would be asked
        // again at once, and again: stop paging until the user refreshes. Nothing is dropped.
        state.paging.next_link = None;
        let reload = state.settings.keymap.note(Action::Refresh, "reloads");
        out.say(warning(format!(
            "Stopped loading: the server's next page repeats one already read{reload}"
        )));
    } else if first {
        let listing = &state.paging.listing;
        let unconfirmed = state
            .list
            .entries()
            .iter()
            .any(|e| e.pending().is_none() && !listing.saw(&e.session.id));
        if unconfirmed {
            // the list knows more than this page: check all of it, walking to the end
            state.paging.listing.revalidate();
            out.merge(load_everything(state));
        } else {
            // every known session is on Graph's first page: the list is Graph's now
            state.stored = None;
            if !state.filter_text().is_empty() {
                out.merge(load_everything(state));
            }
        }
    }
    if first {
        // a refresh revalidates the conversation on screen
        if let Some(c) = selected_id
            .as_ref()
            .and_then(|id| state.conversations.get_mut(id))
        {
            c.fetched_at = None;
        }
        out.effect(Effect::Arm(Timer::Settle));
    }
    if state.paging.to_end {
        out.merge(select(state, usize::MAX));
        state.paging.to_end &= state.paging.next_link.is_some();
    }
    out.merge(maybe_prefetch(state));
    out
}

/// The listing is complete: the known sessions it never listed are gone from Graph, except a
/// session with a rename in flight; the list is Graph's now (no longer the stored one), and the
/// local store forgets exactly the sessions that left the list.
fn end_listing(state: &mut State) -> Output {
    let listing = std::mem::take(&mut state.paging.listing);
    let stays = |e: &SessionEntry| e.pending().is_some() || listing.saw(&e.session.id);
    let gone: Vec<String> = state
        .list
        .entries()
        .iter()
        .filter(|e| !stays(e))
        .map(|e| e.session.id.clone())
        .collect();
    let rows = rows(state);
    state.list.retain(stays, rows);
    state.stored = None;
    Command::Forget {
        ids: gone,
        listing_complete: true,
    }
    .into()
}

/// Forgets a session Graph no longer has: it leaves the list and the local store.
pub(super) fn remove_session(state: &mut State, id: &str) -> Output {
    if state.list.remove(id, rows(state)) {
        state.paging.total = state.paging.total.map(|t| t.saturating_sub(1));
    }
    Command::Forget {
        ids: vec![id.to_string()],
        listing_complete: false,
    }
    .into()
}

/// A page could not be read: the list says so, and a reconnect is planned when Graph could not
/// be reached.
pub(super) fn on_page_failed(state: &mut State, error: &GraphError) -> Output {
    // a later `G`, filter or sort starts the walk again
    state.paging.bulk = false;
    state.paging.to_end = false;
    state.paging.loaded_once = true;
    state.paging.failed = true;
    let mut status = from_error("Could not load sessions", error);
    if let Some(hint) = not_found_hint(state, error) {
        // first, so a narrow status line still shows the way out
        status.text = CleanLine::new(format!("{hint} · {}", status.text));
    }
    let mut out = Output::from(status);
    out.merge(schedule_reconnect(state, error));
    out
}
