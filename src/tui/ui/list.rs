//! The session list pane. Builds only the rows in view, so cost follows the screen, not the
//! number of sessions loaded.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::timefmt;
use crate::tui::app::State;
use crate::tui::app::state::{Focus, Mode, SessionEntry, SortOrder};
use sctui_app::sanitize::{CleanLine, truncate, width};
use sctui_graph::models::GraphTime;

/// Columns of the time column: the widest relative time ("59 min ago", "2025-12-15"), so the
/// name column keeps its width whatever the dates say.
const TIME_COLS: usize = 10;

/// The time the list shows: the one it is sorted by (last modified under the name order).
fn shown_time(sort: SortOrder) -> (&'static str, fn(&SessionEntry) -> Option<&GraphTime>) {
    match sort {
        SortOrder::Created => ("created", |e| e.session.created_date_time.as_ref()),
        SortOrder::LastModified | SortOrder::Name => {
            ("modified", |e| e.session.last_modified_date_time.as_ref())
        }
    }
}

/// How much of the workspace the list holds while it is incomplete: `150/300` (or `150+` when
/// Graph gave no count). `None` once every page is in.
pub fn coverage(state: &State) -> Option<String> {
    if !state.list_incomplete() {
        return None;
    }
    let loaded = state.list().len();
    Some(match state.paging().total {
        Some(total) if total as usize > loaded => format!("{loaded}/{total}"),
        _ => format!("{loaded}+"),
    })
}

/// Draws the list with its title (count, filter) and the inline rename editor.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let focused = state.focus() == Focus::List;
    let list = state.list();
    let mut title = vec![
        Span::styled(" Sessions ", theme.title),
        Span::styled(format!("↓{} ", list.sort().label()), theme.dim),
    ];
    let filter = list.filter().value();
    let filtering = matches!(state.mode(), Mode::Filtering);
    if filtering || !filter.is_empty() {
        title.push(Span::styled(
            // typed by the user: cleaned as drawn (a paste can hold controls)
            format!("/{} ", CleanLine::new(filter)),
            theme.key,
        ));
        let of = coverage(state).unwrap_or_else(|| list.len().to_string());
        title.push(Span::styled(
            format!("{} of {of} ", list.visible().len()),
            theme.dim,
        ));
    } else if let Some(coverage) = coverage(state) {
        let word = if state.revalidating() {
            "known"
        } else {
            "loaded"
        };
        title.push(Span::styled(format!("{coverage} {word} "), theme.dim));
    }
    // the time column's heading, over it, when there is room
    let (time_label, _) = shown_time(list.sort());
    let heading = format!(" {time_label} ");
    let title_cols: usize = title.iter().map(|s| width(&s.content)).sum();
    let room = title_cols + width(&heading) + 3 <= usize::from(area.width);
    let title_bottom = if state.page_loading() && state.paging().bulk {
        // the walk that loads every page, with how far it got (a walk that checks the known
        // list counts what it has listed again, not what the list holds)
        let (doing, loaded) = if state.revalidating() {
            ("refreshing", state.paging().listing.listed())
        } else {
            ("loading", state.list().len())
        };
        let text = match state.paging().total {
            Some(total) if total as usize > loaded => format!(" {doing} {loaded} of {total}… "),
            _ => format!(" {doing}, {loaded} so far… "),
        };
        Some(Line::from(Span::styled(text, theme.dim)))
    } else if state.page_loading() {
        Some(Line::from(Span::styled(" loading… ", theme.dim)))
    } else if state.paging().next_link.is_some() {
        Some(Line::from(Span::styled(" more below ", theme.dim)))
    } else {
        None
    };
    let mut block = super::bordered(if focused {
        theme.border_focused
    } else {
        theme.border
    })
    .title(Line::from(title));
    if room {
        block = block.title(Line::from(Span::styled(heading, theme.dim)).right_aligned());
    }
    if let Some(bottom) = title_bottom {
        block = block.title_bottom(bottom);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if filtering {
        let before = width(" Sessions ") + width(&format!("↓{} ", list.sort().label())) + 1;
        let x = area.x + 1 + before as u16 + list.filter().visual_cursor() as u16;
        if x < area.right() {
            frame.set_cursor_position(Position::new(x, area.y));
        }
    }

    if list.visible().is_empty() {
        use sctui_app::keys::Action;
        let key = |action| state.settings().keymap.hint_key(action);
        let text = if !state.paging().loaded_once {
            "Loading sessions…".to_string()
        } else if (state.paging().failed || state.reconnect().unreachable(state)) && list.is_empty()
        {
            let retry = key(Action::Refresh)
                .map(|k| format!(": {k} retries"))
                .unwrap_or_default();
            format!("Could not load sessions (see below){retry}")
        } else if !state.filter_text().is_empty() {
            let clear = key(Action::FocusList)
                .map(|k| format!(" ({k} clears it)"))
                .unwrap_or_default();
            format!("No session matches the filter{clear}")
        } else if state.settings().offline {
            "Nothing stored for this workspace: sync it while online (sctui sync --conversations)"
                .to_string()
        } else {
            format!(
                "No sessions yet{}",
                super::status::press(state, Action::Create, "create one")
            )
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.dim))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    }

    let rows = usize::from(inner.height);
    let end = (list.offset() + rows).min(list.visible().len());
    let width_cols = usize::from(inner.width);
    let mut cursor = None;
    let buf = frame.buffer_mut();
    for (y, position) in (inner.y..).zip(list.offset()..end) {
        let Some(entry) = list.row(position) else {
            break;
        };
        let selected = position == list.selected();
        let area = Rect::new(inner.x, y, inner.width, 1);
        match state.mode() {
            Mode::Renaming(editor) if selected && editor.id == entry.session.id => {
                let field = width_cols.saturating_sub(2);
                let scroll = editor.input.visual_scroll(field);
                let value = sctui_app::sanitize::skip_columns(editor.input.value(), scroll);
                let value = CleanLine::new(value);
                let line = Line::from(vec![
                    Span::styled("✎ ", theme.key),
                    Span::styled(truncate(&value, field), theme.title),
                ]);
                buf.set_line(area.x, area.y, &line, area.width);
                let cursor_x = inner.x + 2 + (editor.input.visual_cursor() - scroll) as u16;
                cursor = Some(Position::new(
                    cursor_x.min(inner.right().saturating_sub(1)),
                    y,
                ));
            }
            _ => draw_row(state, entry, selected, area, buf),
        }
    }
    if let Some(cursor) = cursor {
        frame.set_cursor_position(cursor);
    }
}

/// One session's row: marker, name (cut to fit), the pending or following mark, and its time
/// at the right edge. Written straight into the buffer: a list row never wraps.
fn draw_row(state: &State, entry: &SessionEntry, selected: bool, area: Rect, buf: &mut Buffer) {
    let theme = &state.settings().theme;
    let cols = usize::from(area.width);
    let (_, time) = shown_time(state.list().sort());
    let when = timefmt::relative_graph(time(entry), state.now(), &state.settings().tz);
    let marker = if selected { "› " } else { "  " };
    let pending = if entry.pending().is_some() {
        " ⟳"
    } else if state.is_following(&entry.session.id) {
        " ◌"
    } else {
        ""
    };
    let fixed = width(marker) + width(pending) + width(&when).max(TIME_COLS) + 1;
    let name_cols = cols.saturating_sub(fixed);
    let shown = entry.shown_name();
    let (name, name_style) = match &shown {
        Some(n) => (Cow::from(n.truncate(name_cols)), Style::new()),
        None => (truncate("(untitled)", name_cols), theme.dim),
    };
    let name_style = if entry.pending().is_some() {
        theme.pending
    } else {
        name_style
    };
    let used = width(marker) + width(&name) + width(pending);
    let left = Line::from(vec![
        Span::raw(marker),
        Span::styled(name, name_style),
        Span::styled(pending, theme.pending),
    ]);
    buf.set_line(area.x, area.y, &left, area.width);
    // the time ends at the right edge; the gap before it is part of the row (selected with it)
    let gap = cols.saturating_sub(used + width(&when));
    let when_x = area.x.saturating_add((used + gap) as u16);
    if when_x < area.right() {
        buf.set_stringn(
            when_x,
            area.y,
            &when,
            usize::from(area.right() - when_x),
            theme.dim,
        );
    }
    if selected {
        buf.set_style(area, theme.selected);
    }
}
