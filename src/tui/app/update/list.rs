//! The session list: selection and scrolling, paging ahead of need, sorting and filtering, and
//! merging pages from Graph without losing what the user is doing.

use super::*;

/// Moves the selection (clamped) and asks for the next page when it nears the end.
pub(super) fn select(state: &mut State, position: usize) -> Output {
    // only `G` (the end, however far) keeps the selection following a walk to the end
    state.paging.to_end = position == usize::MAX && state.paging.bulk;
    let before = state.list.selected_id();
    state.list.select(position, rows(state));
    let after = state.list.selected_id();
    let mut out = Output::none();
    if before != after {
        crate::tui::app::reader::reset(state);
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

/// Loads the list from its first page; a page still on its way belongs to the old load and
/// its answer is dropped.
pub(super) fn start_load(state: &mut State) -> Output {
    state
        .requests
        .finish_where(|p| matches!(p, Pending::Page { .. }));
    state.paging.next_link = None;
    state.paging.bulk = false;
    state.paging.to_end = false;
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
        crate::tui::app::reader::reset(state);
        out.effect(Effect::Arm(Timer::Settle));
    }
    out
}

/// Applies a page; returns whether the selection should settle again (a refresh revalidates the
/// conversation on screen).
pub(super) fn apply_page(state: &mut State, first: bool, page: Page<Session>) -> bool {
    let selected_id = state.list.selected_id();
    let rows = rows(state);
    let mut added = 0;
    if first {
        state.list.replace_all(page.value, rows);
        state.paging.total = page.count;
    } else {
        added = state.list.merge(page.value, rows);
        if page.count.is_some() {
            state.paging.total = page.count;
        }
    }
    if page.next_link.is_none() {
        // the listing reached its end: every session Graph has is known as of now
        state.paging.complete = Some(state.now);
    }
    state.paging.next_link = page.next_link;
    // A later page that brings nothing new but links on would be asked for again at once, and
    // again (a server looping on its nextLink): stop paging until the user refreshes.
    if !first && added == 0 && state.paging.next_link.is_some() {
        state.paging.next_link = None;
        let reload = state.settings.keymap.note(Action::Refresh, "reloads");
        state.status = Some(warning(format!(
            "Stopped loading: the server's next page brought no new sessions{reload}"
        )));
    }
    state.paging.loaded_once = true;
    state.paging.failed = false;
    if first
        && state
            .status
            .as_ref()
            .is_some_and(|s| s.kind == StatusKind::Refreshing)
    {
        state.status = None;
    }
    if first {
        // a refresh revalidates the conversation on screen
        if let Some(c) = selected_id
            .as_ref()
            .and_then(|id| state.conversations.get_mut(id))
        {
            c.fetched_at = None;
        }
    }
    first
}

/// Forgets a session Graph no longer has.
pub(super) fn remove_session(state: &mut State, id: &str) {
    if state.list.remove(id, rows(state)) {
        state.paging.total = state.paging.total.map(|t| t.saturating_sub(1));
    }
}
