//! The reader: the detail pane's conversation as drawn rows, and where the user is in it.
//!
//! `update` keeps a layout of the selected conversation for the pane's width ([`sync`], after
//! every message): rebuilt only when the session, its conversation or the width changes, never
//! per frame. Scrolling counts drawn rows and is clamped to `0..=rows - height`, so every row is
//! reachable and `k` after `G` moves at once. Drawing only reads it.

mod build;
mod compare;

pub use compare::SIDE_BY_SIDE_MIN;

use std::hash::{Hash, Hasher};

use ratatui_core::layout::Rect;

pub use super::state::reader::{
    CodeRows, Find, LinkSpot, Match, Pin, Reader, ReaderLayout, Row, RowKind, TurnRows,
};

use super::layout;
use super::state::{Focus, State};
use crate::advice::Problem;

/// Whether the detail pane is shown alone (zoomed, or focused where two panes do not fit).
pub fn detail_alone(state: &State) -> bool {
    state.reader.zoom || (state.focus == Focus::Detail && !layout::two_panes(state.viewport.0))
}

/// The detail pane's area as it is, or would be when shown (the reader lays out for it).
pub fn pane(state: &State) -> Rect {
    let area = Rect::new(0, 0, state.viewport.0, state.viewport.1);
    let alone = state.reader.zoom || !layout::two_panes(state.viewport.0);
    layout::screen_with(area, alone).detail.unwrap_or(area)
}

/// A hash of everything the layout is built from except the width.
fn fingerprint(state: &State) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(entry) = state.selected_entry() {
        entry.session.id.hash(&mut h);
        entry.shown_name().hash(&mut h);
        entry.pending().map(|p| &p.name).hash(&mut h);
        if let Some(c) = state.conversations.get(&entry.session.id) {
            true.hash(&mut h);
            state.conversation_loading(&entry.session.id).hash(&mut h);
            c.error.as_ref().map(Problem::words).hash(&mut h);
            c.fetched_at.is_some().hash(&mut h);
            for t in &c.turns {
                t.revision.hash(&mut h);
                state.reader.unfolded.contains(&t.prompt.id).hash(&mut h);
            }
            state
                .reader
                .compare
                .as_ref()
                .map(|c| &c.prompt_id)
                .hash(&mut h);
        }
    }
    h.finish()
}

/// Brings the layout up to date (rebuilding it only when its inputs changed), applies a pin,
/// and clamps the scroll offsets. Called after every message.
pub fn refresh_layout(state: &mut State) {
    let area = pane(state);
    let width = area.width.saturating_sub(2).max(1);
    state.reader.height = usize::from(area.height.saturating_sub(2)).max(1);
    let fingerprint = fingerprint(state);
    let stale = state.reader.layout.as_ref().is_none_or(|l| {
        l.fingerprint != fingerprint
            || l.width != width
            || l.wide_tables != state.reader.wide_tables
    });
    if stale {
        state.reader.layout = Some(build::build(state, width, fingerprint));
        state.reader.link = None;
        refind(state);
    }
    if let Some(pin) = &state.reader.pin
        && let Some(layout) = &state.reader.layout
        && layout.session_id.as_deref() == Some(pin.session_id.as_str())
        && let Some(c) = state.conversations.get(&pin.session_id)
        && let Some(i) = c.turns.iter().position(|t| t.prompt.id == pin.prompt_id)
        && let Some(turn) = layout.turns.get(i)
    {
        state.reader.scroll = turn.question;
        // a kept find (a search hit opened here) counts from the question in view
        let find = &mut state.reader.find;
        if let Some(i) = find.matches.iter().position(|m| m.row >= turn.question) {
            find.current = i;
        }
    }
    clamp(state);
}

/// Builds a layout for drawing when the cached one does not match the state (a state changed
/// without `update`, as some tests do); the normal path never gets here.
pub fn layout_for_draw(state: &State, width: u16) -> std::borrow::Cow<'_, ReaderLayout> {
    match &state.reader.layout {
        Some(l)
            if l.width == width
                && l.fingerprint == fingerprint(state)
                && l.wide_tables == state.reader.wide_tables =>
        {
            std::borrow::Cow::Borrowed(l)
        }
        _ => std::borrow::Cow::Owned(build::build(state, width, 0)),
    }
}

/// The largest first row: the last screenful ends at the last row.
pub fn max_scroll(state: &State) -> usize {
    let rows = state.reader.layout.as_ref().map_or(0, |l| l.rows.len());
    rows.saturating_sub(state.reader.height)
}

/// The largest sideways shift: the widest table row or code line ends at the pane's edge.
pub fn max_hscroll(state: &State) -> usize {
    state
        .reader
        .layout
        .as_ref()
        .map_or(0, |l| l.widest.saturating_sub(usize::from(l.width)))
}

fn clamp(state: &mut State) {
    state.reader.scroll = state.reader.scroll.min(max_scroll(state));
    state.reader.hscroll = state.reader.hscroll.min(max_hscroll(state));
}

/// Scrolls by `delta` rows (the user moved: any pin is dropped).
pub fn scroll_by(state: &mut State, delta: isize) {
    state.reader.pin = None;
    let to = state.reader.scroll.saturating_add_signed(delta);
    state.reader.scroll = to.min(max_scroll(state));
}

/// Scrolls to row `row` (clamped).
pub fn scroll_to(state: &mut State, row: usize) {
    state.reader.pin = None;
    state.reader.scroll = row.min(max_scroll(state));
}

/// Shifts table rows and code lines sideways by `delta` columns.
pub fn hscroll_by(state: &mut State, delta: isize) {
    let to = state.reader.hscroll.saturating_add_signed(delta);
    state.reader.hscroll = to.min(max_hscroll(state));
}

/// Shifts sideways to the end of the longest code line or kept-wide table row in view; `false`
/// when none in view is wider than the pane.
pub fn hscroll_to_row_end(state: &mut State) -> bool {
    let Some(layout) = &state.reader.layout else {
        return false;
    };
    let top = state.reader.scroll;
    let end = (top + state.reader.height).min(layout.rows.len());
    let room = usize::from(layout.width);
    let furthest = layout.rows[top..end]
        .iter()
        .filter_map(|r| match r.kind {
            RowKind::Wide(wide) => Some(wide.width.saturating_sub(room)),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    if furthest == 0 {
        return false;
    }
    state.reader.hscroll = furthest.min(max_hscroll(state));
    true
}

/// Moves to the next (`forward`) or previous link, from the one moved to last when it is in
/// view, else from the view's top; brings it into view. Its index in the layout's link spots.
pub fn step_link(state: &mut State, forward: bool) -> Option<usize> {
    let layout = state.reader.layout.as_ref()?;
    let spots = &layout.link_spots;
    if spots.is_empty() {
        return None;
    }
    let top = state.reader.scroll;
    let bottom = top + state.reader.height;
    let in_view = |i: usize| spots.get(i).is_some_and(|s| s.row >= top && s.row < bottom);
    let next = match state.reader.link.filter(|&i| in_view(i)) {
        Some(i) if forward => (i + 1) % spots.len(),
        Some(i) => (i + spots.len() - 1) % spots.len(),
        None if forward => spots.iter().position(|s| s.row >= top).unwrap_or(0),
        None => spots
            .iter()
            .rposition(|s| s.row < bottom)
            .unwrap_or(spots.len() - 1),
    };
    let spot = spots[next];
    state.reader.link = Some(next);
    let height = state.reader.height;
    if spot.row < top || spot.row >= bottom {
        scroll_to(state, spot.row.saturating_sub(height / 3));
        state.reader.link = Some(next);
    }
    Some(next)
}

/// The address of the link to open: the one moved to when it is in view, else the first in
/// view.
pub fn link_to_open(state: &State) -> Option<String> {
    let layout = state.reader.layout.as_ref()?;
    let top = state.reader.scroll;
    let bottom = top + state.reader.height;
    let in_view = |s: &LinkSpot| s.row >= top && s.row < bottom;
    let spot = state
        .reader
        .link
        .and_then(|i| layout.link_spots.get(i))
        .filter(|s| in_view(s))
        .or_else(|| layout.link_spots.iter().find(|s| in_view(s)))?;
    layout.links.get(spot.link).cloned()
}

/// One page: the pane's height less a row of overlap.
pub fn page(state: &State) -> isize {
    state.reader.height.saturating_sub(1).max(1) as isize
}

/// Jumps to the next (`forward`) or previous question: its row goes to the top, and it is the
/// question in view (pinned) until the user scrolls, even where the conversation is too short
/// to bring it to the top. Past the last question `]` goes to the end; before the first, `[`
/// goes to the top.
pub fn jump_question(state: &mut State, forward: bool) {
    let Some(layout) = &state.reader.layout else {
        return;
    };
    let top = state.reader.scroll;
    let mut questions = layout.turns.iter().map(|t| t.question).enumerate();
    let target = if forward {
        questions.find(|&(_, q)| q > top)
    } else {
        questions.rev().find(|&(_, q)| q < top)
    };
    match target {
        Some((i, row)) => {
            let pin = layout
                .session_id
                .as_ref()
                .and_then(|s| Some((s, state.conversations.get(s)?.turns.get(i)?)))
                .map(|(s, t)| Pin {
                    session_id: s.clone(),
                    prompt_id: t.prompt.id.clone(),
                });
            scroll_to(state, row);
            state.reader.pin = pin;
        }
        None if forward => scroll_to(state, usize::MAX),
        None => scroll_to(state, 0),
    }
}

/// The question the view is on: the one jumped to (until the user scrolls), else the one
/// holding the row a third of the way down the pane.
pub fn current_turn(state: &State) -> Option<usize> {
    let layout = state.reader.layout.as_ref()?;
    if let Some(pin) = &state.reader.pin
        && layout.session_id.as_deref() == Some(pin.session_id.as_str())
        && let Some(i) = state
            .conversations
            .get(&pin.session_id)
            .and_then(|c| c.turns.iter().position(|t| t.prompt.id == pin.prompt_id))
        && i < layout.turns.len()
    {
        return Some(i);
    }
    layout.turn_at(state.reader.scroll + state.reader.height / 3)
}

/// Resets the view for another session: a kept find belongs to the conversation it was typed
/// in, so it goes too.
pub fn reset(state: &mut State) {
    state.reader.scroll = 0;
    state.reader.hscroll = 0;
    state.reader.pin = None;
    state.reader.link = None;
    state.reader.find = Default::default();
    if let Some(compare) = state.reader.compare.take() {
        state.reader.zoom = compare.was_zoomed;
    }
}

/// Recomputes the find matches over the rows (after a rebuild or a query change).
pub fn refind(state: &mut State) {
    let query = state.reader.find.input.value().to_lowercase();
    let reader = &mut state.reader;
    reader.find.matches.clear();
    let Some(layout) = &reader.layout else {
        return;
    };
    if query.is_empty() {
        return;
    }
    for i in 0..layout.rows.len() {
        let text = layout.row_text(i);
        let lower = text.to_lowercase();
        // columns, not bytes: lower-casing keeps ASCII offsets; others are measured
        let mut from = 0;
        while let Some(at) = lower[from..].find(&query) {
            let start = from + at;
            let end = start + query.len();
            let (Some(head), Some(hit)) = (lower.get(..start), lower.get(start..end)) else {
                break;
            };
            let start_col = crate::sanitize::width(head);
            reader.find.matches.push(Match {
                row: i,
                start: start_col,
                end: start_col + crate::sanitize::width(hit),
            });
            from = end;
        }
    }
    let count = reader.find.matches.len();
    reader.find.current = reader.find.current.min(count.saturating_sub(1));
}

/// Moves to the first match at or after the view's top (`forward`) or the previous one, and
/// brings it into view (sideways too, for a table row or code line).
pub fn goto_match(state: &mut State, forward: bool, from_row: usize) {
    let matches = &state.reader.find.matches;
    if matches.is_empty() {
        return;
    }
    let i = if forward {
        matches.iter().position(|m| m.row >= from_row).unwrap_or(0)
    } else {
        matches
            .iter()
            .rposition(|m| m.row < from_row)
            .unwrap_or(matches.len() - 1)
    };
    show_match(state, i);
}

/// Makes match `i` current and scrolls it into view.
pub fn show_match(state: &mut State, i: usize) {
    let Some(m) = state.reader.find.matches.get(i).copied() else {
        return;
    };
    state.reader.find.current = i;
    let height = state.reader.height;
    if m.row < state.reader.scroll || m.row >= state.reader.scroll + height {
        scroll_to(state, m.row.saturating_sub(height / 3));
    }
    let wide = state
        .reader
        .layout
        .as_ref()
        .and_then(|l| l.rows.get(m.row))
        .is_some_and(|r| matches!(r.kind, RowKind::Wide(_)));
    if wide {
        let width = state
            .reader
            .layout
            .as_ref()
            .map_or(1, |l| usize::from(l.width));
        let h = state.reader.hscroll;
        if m.start < h || m.end > h + width {
            state.reader.hscroll = m.start.saturating_sub(width / 3).min(max_hscroll(state));
        }
    }
}

#[cfg(test)]
mod tests;
