//! The detail pane: the selected session's facts, then its conversation — each question with
//! its latest evaluation's state and the answer rendered from Markdown.

use std::num::NonZeroU16;

use ratatui::Frame;
use ratatui::buffer::{Buffer, CellDiffOption};
use ratatui::layout::{Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::SPINNER;
use crate::timefmt;
use crate::tui::app::State;
use crate::tui::app::reader::{self, ReaderLayout, RowKind};
use crate::tui::app::state::{Focus, Mode, TurnView};
use sctui_app::markdown::Wide;
use sctui_app::sanitize::CleanLine;
use sctui_graph::models::{EvaluationResultType, EvaluationState};

/// Draws the detail of the selected session from the reader's layout: only the rows in view
/// are touched, so a frame costs the same for a short and a very long conversation.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let focused = state.focus() == Focus::Detail;
    let inner_width = area.width.saturating_sub(2).max(1);
    let layout = reader::layout_for_draw(state, inner_width);
    let height = usize::from(area.height.saturating_sub(2));
    let rows = layout.rows.len();
    let max = rows.saturating_sub(height);
    let scroll = state.reader().scroll.min(max);
    let mut block = super::bordered(if focused {
        theme.border_focused
    } else {
        theme.border
    })
    .title(Line::from(Span::styled(" Detail ", theme.title)));
    if rows > height {
        block = block.title(position(state, &layout, scroll, max).right_aligned());
    }
    if let Some(find) = find_title(state) {
        block = block.title_bottom(find);
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let conversation = layout
        .session_id
        .as_ref()
        .and_then(|id| state.conversations().get(id));
    let entry = state.selected_entry();
    let hscroll = state.reader().hscroll;
    let buf = frame.buffer_mut();
    let end = (scroll + height).min(rows);
    for (i, row) in layout.rows[scroll..end].iter().enumerate() {
        let y = inner.y + i as u16;
        match row.kind {
            RowKind::Text => {
                buf.set_line(inner.x, y, &row.line, inner.width);
            }
            RowKind::Wide(wide) => {
                draw_shifted(buf, inner, y, &row.line, hscroll, wide, theme.dim);
            }
            RowKind::Created | RowKind::Modified => {
                let Some(entry) = entry else { continue };
                let (label, time) = if row.kind == RowKind::Created {
                    ("Created", entry.session.created_date_time.as_ref())
                } else {
                    ("Modified", entry.session.last_modified_date_time.as_ref())
                };
                let value = timefmt::local_and_relative(time, state.now(), &state.settings().tz);
                let line = cut(field(state, label, value), inner.width);
                buf.set_line(inner.x, y, &line, inner.width);
            }
            RowKind::Status(turn) => {
                if let Some(turn) = conversation.and_then(|c| c.turns.get(turn)) {
                    let mut line = status_line(state, turn);
                    if !turn.earlier.is_empty()
                        && let Some(evaluation) = &turn.evaluation
                    {
                        let runs = turn.earlier.len() + 1;
                        line.spans.push(Span::styled(
                            format!(" · run {runs} of {runs}, {}", run_time(state, evaluation)),
                            theme.dim,
                        ));
                    }
                    let line = cut(line, inner.width);
                    buf.set_line(inner.x, y, &line, inner.width);
                }
            }
            RowKind::EarlierRun(turn, run) => {
                if let Some(turn) = conversation.and_then(|c| c.turns.get(turn))
                    && let Some(earlier) = turn.earlier.get(run)
                {
                    let number = turn.earlier.len() - run;
                    let line = cut(
                        earlier_run_line(state, number, &earlier.evaluation),
                        inner.width,
                    );
                    buf.set_line(inner.x, y, &line, inner.width);
                }
            }
            RowKind::CompareHeading(turn) => {
                if let Some(turn) = conversation.and_then(|c| c.turns.get(turn))
                    && let (Some(newest), Some(before)) = (&turn.evaluation, turn.earlier.first())
                {
                    let runs = turn.earlier.len() + 1;
                    let text = format!(
                        "  comparing run {} ({}) with run {runs} ({})",
                        runs - 1,
                        run_time(state, &before.evaluation),
                        run_time(state, newest)
                    );
                    let line = cut(Line::from(Span::styled(text, theme.label)), inner.width);
                    buf.set_line(inner.x, y, &line, inner.width);
                }
            }
        }
    }
    highlight_matches(state, &layout, buf, inner, scroll, end);
    mark_links(state, &layout, buf, inner, scroll, end);
    if rows > height {
        let mut bar = ScrollbarState::new(max + 1)
            .position(scroll)
            .viewport_content_length(height);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .track_symbol(Some("│"))
                .thumb_symbol("┃")
                .track_style(theme.border)
                .thumb_style(if focused {
                    theme.border_focused
                } else {
                    theme.title
                }),
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut bar,
        );
    }
}

/// Where the view is, for the title: the question at the top and how far down (`top`, `end`
/// or a percentage).
fn position(state: &State, layout: &ReaderLayout, scroll: usize, max: usize) -> Line<'static> {
    let at = if scroll == 0 {
        "top".to_string()
    } else if scroll >= max {
        "end".to_string()
    } else {
        format!("{}%", scroll * 100 / max.max(1))
    };
    // the question the keys act on (the one jumped to, else the one a third down the pane)
    let turn = reader::current_turn(state).filter(|&t| t < layout.turns.len());
    let text = match turn.or_else(|| layout.turn_at(scroll + state.reader().height / 3)) {
        Some(turn) => format!(" Q{}/{} · {at} ", turn + 1, layout.turns.len()),
        None => format!(" {at} "),
    };
    Line::from(Span::styled(text, state.settings().theme.dim))
}

/// The `/` query and which match is current, on the bottom border.
fn find_title(state: &State) -> Option<Line<'static>> {
    let find = &state.reader().find;
    let typing = matches!(state.mode(), Mode::Finding);
    if !typing && find.input.value().is_empty() {
        return None;
    }
    let count = find.matches.len();
    let at = match count {
        0 => "no match".to_string(),
        n if typing => format!("{n}"),
        n => format!("{}/{n}", find.current + 1),
    };
    let cursor = if typing { "▏" } else { "" };
    Some(Line::from(vec![
        Span::styled(" /", state.settings().theme.key),
        Span::styled(
            // typed by the user: cleaned as drawn (a paste can hold controls)
            format!("{}{cursor}", CleanLine::new(find.input.value())),
            state.settings().theme.title,
        ),
        Span::styled(format!(" {at} "), state.settings().theme.dim),
    ]))
}

/// Draws a code line or a wide table row shifted left by `skip` columns, all but its frozen
/// first columns, with `…` where it is cut.
fn draw_shifted(
    buf: &mut Buffer,
    inner: Rect,
    y: u16,
    line: &Line<'_>,
    skip: usize,
    wide: Wide,
    marker: Style,
) {
    let room = usize::from(inner.width);
    let frozen = usize::from(wide.frozen).min(room);
    draw_columns(buf, inner.x, y, line, 0, frozen);
    let x = inner.x + frozen as u16;
    draw_columns(buf, x, y, line, frozen + skip, room - frozen);
    if skip > 0 && wide.width > 0 && room > frozen {
        buf.set_string(x, y, "…", marker);
    }
    if wide.width > skip + room {
        buf.set_string(inner.x + inner.width - 1, y, "…", marker);
    }
}

/// Draws the columns of `line` from column `from` on, into `room` cells from `x` (a wide
/// character cut at either edge leaves a blank).
fn draw_columns(buf: &mut Buffer, x: u16, y: u16, line: &Line<'_>, from: usize, room: usize) {
    let mut col = 0usize;
    let mut drawn = 0usize;
    for span in &line.spans {
        if drawn >= room {
            break;
        }
        let content: &str = &span.content;
        let mut start = 0;
        if col < from {
            let mut cut = content.len();
            for (i, c) in content.char_indices() {
                if col >= from {
                    cut = i;
                    break;
                }
                col += c.width().unwrap_or(0);
            }
            if col < from {
                continue;
            }
            drawn = col - from;
            start = cut;
        }
        let text = &content[start..];
        let (end, _) = buf.set_stringn(
            x + drawn as u16,
            y,
            text,
            room.saturating_sub(drawn),
            span.style,
        );
        drawn = usize::from(end - x);
    }
}

/// Marks the link moved to, and (where the terminal shows them) makes link text an OSC 8
/// hyperlink: the first cell opens the link before its symbol, the last closes it after.
fn mark_links(
    state: &State,
    layout: &ReaderLayout,
    buf: &mut Buffer,
    inner: Rect,
    scroll: usize,
    end: usize,
) {
    let first = layout.link_spots.partition_point(|s| s.row < scroll);
    for (i, spot) in layout.link_spots.iter().enumerate().skip(first) {
        if spot.row >= end {
            break;
        }
        let y = inner.y + (spot.row - scroll) as u16;
        let cells: Vec<u16> = (usize::from(spot.start)..usize::from(spot.end))
            .filter_map(|col| drawn_x(state, layout, inner, spot.row, col))
            .collect();
        if state.reader().link == Some(i) {
            for &x in &cells {
                buf[(x, y)].set_style(state.settings().theme.selected);
            }
        }
        if state.settings().hyperlinks
            && let (Some(&first_x), Some(&last_x)) = (cells.first(), cells.last())
            && let Some(url) = layout.links.get(spot.link)
        {
            hyperlink(buf, first_x, last_x, y, url);
        }
    }
}

/// Wraps cells `first..=last` of row `y` in an OSC 8 hyperlink to `url` (already checked to
/// hold no control characters).
fn hyperlink(buf: &mut Buffer, first: u16, last: u16, y: u16, url: &str) {
    let open = format!("\x1b]8;;{url}\x1b\\");
    let close = "\x1b]8;;\x1b\\";
    let width = |cell: &ratatui::buffer::Cell| {
        NonZeroU16::new(cell.symbol().width().max(1) as u16).unwrap_or(NonZeroU16::MIN)
    };
    let cell = &mut buf[(first, y)];
    let w = width(cell);
    let symbol = format!("{open}{}", cell.symbol());
    cell.set_symbol(&symbol)
        .set_diff_option(CellDiffOption::ForcedWidth(w));
    let cell = &mut buf[(last, y)];
    let w = width(cell);
    let symbol = format!("{}{close}", cell.symbol());
    cell.set_symbol(&symbol)
        .set_diff_option(CellDiffOption::ForcedWidth(w));
}

/// Marks the find matches in view: the current one in the selection colours, the others
/// reversed.
fn highlight_matches(
    state: &State,
    layout: &ReaderLayout,
    buf: &mut Buffer,
    inner: Rect,
    scroll: usize,
    end: usize,
) {
    let find = &state.reader().find;
    let first = find.matches.partition_point(|m| m.row < scroll);
    for (i, m) in find.matches.iter().enumerate().skip(first) {
        if m.row >= end {
            break;
        }
        let style = if i == find.current {
            state.settings().theme.selected
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        };
        let y = inner.y + (m.row - scroll) as u16;
        for col in m.start..m.end {
            if let Some(x) = drawn_x(state, layout, inner, m.row, col) {
                buf[(x, y)].set_style(style);
            }
        }
    }
}

/// Where column `col` of row `row` is drawn, if it is: a wide row's frozen columns stay put,
/// the rest move by the sideways scroll.
fn drawn_x(
    state: &State,
    layout: &ReaderLayout,
    inner: Rect,
    row: usize,
    col: usize,
) -> Option<u16> {
    let (shift, frozen) = match layout.rows.get(row)?.kind {
        RowKind::Wide(wide) => (state.reader().hscroll, usize::from(wide.frozen)),
        _ => (0, 0),
    };
    let x = if col < frozen {
        col
    } else {
        col.checked_sub(shift).filter(|x| *x >= frozen)?
    };
    (x < usize::from(inner.width)).then(|| inner.x + x as u16)
}

fn status_line(state: &State, turn: &TurnView) -> Line<'static> {
    let theme = &state.settings().theme;
    let Some(evaluation) = &turn.evaluation else {
        let retry = state
            .settings()
            .keymap
            .hint_key(sctui_app::keys::Action::Retry)
            .map(|key| format!(" ({key} runs it again)"))
            .unwrap_or_default();
        return match &turn.not_run {
            Some(problem) => Line::from(Span::styled(
                format!("  ✗ {}{retry}", problem.words()),
                theme.error,
            )),
            None if turn.following.is_some() => Line::from(Span::styled(
                format!(
                    "  {} starting…",
                    SPINNER[state.spinner_frame() % SPINNER.len()]
                ),
                theme.warning,
            )),
            None => Line::from(Span::styled(format!("  not run{retry}"), theme.dim)),
        };
    };
    let result = evaluation.result.as_ref().map(|r| &r.result_type);
    if evaluation.state.is_in_progress() {
        let since = evaluation
            .run_start_date_time
            .as_ref()
            .and_then(|t| t.instant())
            .or_else(|| {
                evaluation
                    .created_date_time
                    .as_ref()
                    .and_then(|t| t.instant())
            });
        let elapsed = since
            .map(|t| {
                let secs = state.now().as_second() - t.as_second();
                format!(" {}", timefmt::elapsed(secs))
            })
            .unwrap_or_default();
        let spinner = if turn.following.is_some() {
            SPINNER[state.spinner_frame() % SPINNER.len()]
        } else {
            "…"
        };
        let note = if turn.following.is_some() {
            String::new()
        } else {
            not_followed(state)
        };
        return Line::from(Span::styled(
            format!("  {spinner} {}{elapsed}{note}", evaluation.state),
            theme.warning,
        ));
    }
    match (&evaluation.state, result) {
        (EvaluationState::Completed, Some(EvaluationResultType::Success)) => {
            Line::from(Span::styled("  ✓ answered", theme.info))
        }
        // it waits for a person (the status message says where to answer)
        (EvaluationState::WaitingForInput, _) => Line::from(Span::styled(
            format!("  ⏸ waitingForInput{}", not_followed(state)),
            theme.warning,
        )),
        (EvaluationState::Cancelled, _) => Line::from(Span::styled("  ✗ cancelled", theme.error)),
        (state_value, Some(kind)) if *kind != EvaluationResultType::Unknown => Line::from(
            Span::styled(format!("  ✗ {state_value}: {kind}"), theme.error),
        ),
        (state_value, _) => Line::from(Span::styled(
            format!("  ! {state_value}{}", not_followed(state)),
            theme.warning,
        )),
    }
}

/// When a run started, in the user's time zone and relative to now.
fn run_time(state: &State, evaluation: &sctui_graph::models::Evaluation) -> String {
    timefmt::relative_graph(
        evaluation.created_date_time.as_ref(),
        state.now(),
        &state.settings().tz,
    )
}

/// One folded line for an earlier run: its number, when it ran and how it ended.
fn earlier_run_line(
    state: &State,
    number: usize,
    evaluation: &sctui_graph::models::Evaluation,
) -> Line<'static> {
    let theme = &state.settings().theme;
    let result = evaluation.result.as_ref().map(|r| &r.result_type);
    let (outcome, style) = match result {
        Some(EvaluationResultType::Success) => ("✓ success".to_string(), theme.info),
        Some(kind) if *kind != EvaluationResultType::Unknown => (format!("✗ {kind}"), theme.error),
        _ => (format!("! {}", evaluation.state), theme.warning),
    };
    Line::from(vec![
        Span::styled(
            format!("  ◦ run {number}, {} · ", run_time(state, evaluation)),
            theme.dim,
        ),
        Span::styled(outcome, style),
    ])
}

/// `" (not followed: KEY refreshes)"` with the refresh key in force (one row: the status row
/// changes without a new layout, so it must fit).
fn not_followed(state: &State) -> String {
    let refresh = state
        .settings()
        .keymap
        .hint_key(sctui_app::keys::Action::Refresh)
        .map(|key| format!(": {key} refreshes"))
        .unwrap_or_default();
    format!(" (not followed{refresh})")
}

/// A row whose text changes with the clock, cut with `…` to the pane's `width` (the layout gave it
/// one row, so it cannot wrap).
fn cut(line: Line<'_>, width: u16) -> Line<'_> {
    let room = usize::from(width);
    if line.width() <= room {
        return line;
    }
    let mut left = room;
    let mut spans = Vec::new();
    for span in line.spans {
        let columns = span.width();
        if columns < left {
            left -= columns;
            spans.push(span);
            continue;
        }
        // the span where the row is cut (one that fills the row exactly is cut too: more follow)
        let text = if columns == left {
            format!("{} ", span.content)
        } else {
            span.content.to_string()
        };
        spans.push(Span::styled(
            sctui_app::sanitize::truncate(&text, left).into_owned(),
            span.style,
        ));
        break;
    }
    Line::from(spans)
}

fn field<'a>(state: &State, label: &'a str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), state.settings().theme.label),
        Span::raw(value),
    ])
}
