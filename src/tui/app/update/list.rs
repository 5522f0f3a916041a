//! The session list: selection and scrolling, paging ahead of need, sorting and filtering, and
//! merging pages from Graph without losing what the user is doing.

use super::*;

/// Moves the selection (clamped) and asks for the next page when it nears the end.
pub(super) fn select(state: &mut State, position: usize) -> Output {
    // only `G` (the end, however far) keeps the selection following a walk to the end
    state.paging.to_end = position == usize::MAX && state.paging.bulk;
    let last = state.visible.len().saturating_sub(1);
    let position = position.min(last);
    let before = state.selected_entry().map(|e| e.session.id.clone());
    state.selected = position;
    let after = state.selected_entry().map(|e| e.session.id.clone());
    let mut out = Output::none();
    if before != after {
        crate::tui::app::reader::reset(state);
        if after.is_some() {
            out.effect(Effect::Arm(Timer::Settle));
        }
        // the neighbours being fetched are the old selection's
        out.merge(cancel_prefetch(state));
    }
    keep_selection_in_view(state);
    out.merge(maybe_prefetch(state));
    out
}

pub(super) fn keep_selection_in_view(state: &mut State) {
    let rows = layout::list_rows(state.viewport);
    if state.selected < state.list_offset {
        state.list_offset = state.selected;
    } else if state.selected >= state.list_offset + rows {
        state.list_offset = state.selected + 1 - rows;
    }
    let max_offset = state.visible.len().saturating_sub(rows);
    state.list_offset = state.list_offset.min(max_offset);
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
    let remaining = state.visible.len().saturating_sub(state.selected + 1);
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
    let before = state.selected_entry().map(|e| e.session.id.clone());
    let mut out = match state.settings.keymap.action_in(KeyMode::Editor, &key) {
        Some(Action::Cancel) => {
            state.filter = Input::default();
            state.mode = Mode::Browsing;
            refilter(state);
            Output::none()
        }
        Some(Action::Submit) => {
            state.mode = Mode::Browsing;
            Output::none()
        }
        Some(Action::CursorDown) => select(state, state.selected.saturating_add(1)),
        Some(Action::CursorUp) => select(state, state.selected.saturating_sub(1)),
        action => {
            if edit_line(&mut state.filter, action, &key) {
                refilter(state);
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
    let after = state.selected_entry().map(|e| e.session.id.clone());
    if after.is_some() && after != before {
        crate::tui::app::reader::reset(state);
        out.effect(Effect::Arm(Timer::Settle));
    }
    out
}

/// Recomputes `visible` from the filter, keeping the selected session selected when it still
/// matches. Case-insensitive substring over the names as shown.
pub(super) fn refilter(state: &mut State) {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    refilter_keeping(state, selected_id.as_deref());
}

pub(super) fn restore_selection(state: &mut State, id: Option<&str>) {
    // `visible` holds ascending indexes, so a binary search finds the row.
    let position = id
        .and_then(|id| state.index.get(id))
        .and_then(|&i| state.visible.binary_search(&i).ok());
    state.selected = match position {
        Some(p) => p,
        None => state.selected.min(state.visible.len().saturating_sub(1)),
    };
    keep_selection_in_view(state);
}

/// Sorts by the chosen order (stable; ties by id), then rebuilds the index and filter.
pub(super) fn resort(state: &mut State, keep_id: Option<&str>) {
    let order = state.sort;
    state.sessions.sort_by(|a, b| order.compare(a, b));
    reindex_from(state, 0);
    let keep = keep_id.map(str::to_string);
    refilter_keeping(state, keep.as_deref());
}

pub(super) fn refilter_keeping(state: &mut State, id: Option<&str>) {
    fill_visible(state);
    restore_selection(state, id);
}

/// Applies a page; returns whether the selection should settle again (a refresh revalidates the
/// conversation on screen).
pub(super) fn apply_page(state: &mut State, first: bool, page: Page<Session>) -> bool {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    // For a next page: how many sessions were loaded before it, and which of them it updated.
    let mut loaded = 0;
    let mut updated: Vec<usize> = Vec::new();
    if first {
        let old = std::mem::take(&mut state.sessions);
        let old_index = std::mem::take(&mut state.index);
        let mut fresh: Vec<SessionEntry> = Vec::with_capacity(page.value.len());
        for session in page.value {
            let mut entry = SessionEntry::new(session);
            if let Some(&i) = old_index.get(&entry.session.id) {
                // never let a refresh overwrite a name the user is waiting on
                entry.pending = old[i].pending.clone();
                entry.derive();
            }
            fresh.push(entry);
        }
        // sessions with a rename in flight stay, even if this page does not hold them
        for entry in old {
            if entry.pending.is_some() && !fresh.iter().any(|e| e.session.id == entry.session.id) {
                fresh.push(entry);
            }
        }
        state.sessions = fresh;
        state.index.clear();
        state.paging.total = page.count;
    } else {
        loaded = state.sessions.len();
        for session in page.value {
            match state.index.get(&session.id).copied() {
                Some(i) => {
                    state.sessions[i].replace_session(session);
                    if i < loaded {
                        updated.push(i);
                    }
                }
                None => {
                    state.index.insert(session.id.clone(), state.sessions.len());
                    state.sessions.push(SessionEntry::new(session));
                }
            }
        }
        if page.count.is_some() {
            state.paging.total = page.count;
        }
    }
    state.paging.next_link = page.next_link;
    // A later page that brings nothing new but links on would be asked for again at once, and
    // again (a server looping on its nextLink): stop paging until the user refreshes.
    if !first && state.sessions.len() == loaded && state.paging.next_link.is_some() {
        state.paging.next_link = None;
        state.status = Some(warning(
            "Stopped loading: the server's next page brought no new sessions (R reloads)",
        ));
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
    if first || !merge_page(state, loaded, &updated, selected_id.as_deref()) {
        resort(state, selected_id.as_deref());
    }
    first
}

pub(super) fn remove_session(state: &mut State, id: &str) {
    let selected_id = state.selected_entry().map(|e| e.session.id.clone());
    if let Some(i) = state.index.get(id).copied() {
        state.sessions.remove(i);
        state.paging.total = state.paging.total.map(|t| t.saturating_sub(1));
    }
    resort(state, selected_id.as_deref().filter(|s| *s != id));
}

/// Recomputes `visible` (ascending indexes of the sessions whose name contains the filter,
/// case-insensitively). One pass; ASCII names are compared without allocating.
pub(super) fn fill_visible(state: &mut State) {
    let needle = state.filter_text().to_lowercase();
    state.visible.clear();
    if needle.is_empty() {
        state.visible.extend(0..state.sessions.len());
    } else {
        state.visible.extend(
            state
                .sessions
                .iter()
                .enumerate()
                .filter(|(_, e)| e.name_contains(&needle))
                .map(|(i, _)| i),
        );
    }
}

/// Points the index at the positions of `sessions[from..]`, updating values in place (no clone
/// of an id that is already there) and dropping ids that are no longer in the list.
pub(super) fn reindex_from(state: &mut State, from: usize) {
    for (i, entry) in state.sessions.iter().enumerate().skip(from) {
        match state.index.get_mut(entry.session.id.as_str()) {
            Some(slot) => *slot = i,
            None => {
                state.index.insert(entry.session.id.clone(), i);
            }
        }
    }
    if state.index.len() != state.sessions.len() {
        let sessions = &state.sessions;
        state
            .index
            .retain(|id, &mut i| sessions.get(i).is_some_and(|e| e.session.id == *id));
    }
}

/// Merges a next page into the sorted list without re-sorting, re-hashing or re-filtering what
/// was already there: `sessions[..loaded]` is the sorted list before the page, `sessions[loaded..]`
/// the page's new sessions (already in the index), `updated` the loaded entries it replaced.
///
/// Sorts the new run and merges it in with one pass; the index of the entries that moved is
/// shifted in place (a scan of its values, no hashing) and only the new ids are looked up.
/// Returns `false` (nothing changed) when the fast path does not apply: an update moved an entry,
/// or, under the name order, an optimistic rename left the list out of order; the caller then
/// re-sorts everything.
pub(super) fn merge_page(
    state: &mut State,
    loaded: usize,
    updated: &[usize],
    keep_id: Option<&str>,
) -> bool {
    let order = state.sort;
    let sessions = &state.sessions;
    let in_order = |i: usize| order.compare(&sessions[i], &sessions[i + 1]).is_lt();
    if updated
        .iter()
        .any(|&i| (i > 0 && !in_order(i - 1)) || (i + 1 < loaded && !in_order(i)))
    {
        return false;
    }
    // Times and ids change only with a re-sort; a pending name (shown at once) can break the
    // name order until the rename lands.
    let sorted = || sessions[..loaded].is_sorted_by(|a, b| order.compare(a, b).is_lt());
    if order == crate::tui::app::state::SortOrder::Name && !sorted() {
        return false;
    }
    debug_assert!(sorted(), "the loaded sessions are kept sorted");
    let mut fresh = state.sessions.split_off(loaded);
    fresh.sort_by(|a, b| order.compare(a, b));
    // Where each new entry goes among the loaded ones (non-decreasing).
    let slots: Vec<usize> = fresh
        .iter()
        .map(|f| {
            state
                .sessions
                .partition_point(|e| order.compare(e, f).is_lt())
        })
        .collect();
    let start = slots.first().copied().unwrap_or(loaded);
    // In place, from the back: the range from a new entry's slot to the end of what is still
    // unplaced holds old entries followed by the new ones not yet placed; rotating the latter to
    // the front puts the last of them where it belongs and shifts the old entries once.
    state.sessions.append(&mut fresh);
    let mut end = state.sessions.len();
    for (j, &slot) in slots.iter().enumerate().rev() {
        state.sessions[slot..end].rotate_right(j + 1);
        end = slot + j;
    }
    if start < loaded {
        // A loaded entry moves down by the number of new ones placed before it.
        for position in state.index.values_mut() {
            if (start..loaded).contains(position) {
                *position += slots.partition_point(|&s| s <= *position);
            }
        }
    }
    for (j, &slot) in slots.iter().enumerate() {
        let position = slot + j;
        let id = state.sessions[position].session.id.as_str();
        if let Some(p) = state.index.get_mut(id) {
            *p = position;
        }
    }
    fill_visible(state);
    restore_selection(state, keep_id);
    true
}
