//! The search view (`f`): the query, what the search found, and each hit as two rows (the
//! session and where the match is; the snippet with the matched words highlighted), the selected
//! hit kept in view. Every piece of text was sanitised when the hit arrived.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::clear_popup;
use crate::tui::app::State;
use crate::tui::app::layout;
use crate::tui::app::state::store::SearchResult;
use sctui_app::keys::Action;
use sctui_app::sanitize::{CleanLine, skip_columns, truncate, width};

/// What a query can say, shown before the first search.
const SYNTAX: [&str; 4] = [
    "  words      every word matches: kql encoded",
    "  \"a b\"      a phrase; prefix* matches beginnings",
    "  OR, NOT    in capitals: phish OR lure, ransomware NOT test",
    "  as typed   T1059.001, CVE-2024-3400, 10.0.0.15, has_any",
];

/// Draws the view over the body of the screen (the header and status line stay).
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let view = state.search();
    let popup = layout::search_view(area);
    clear_popup(frame, popup);
    let hint = super::status::keys_text(
        state,
        &[(Action::SearchOpen, "open"), (Action::SearchClose, "back")],
    );
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(
            " Search the local store ",
            theme.title,
        )))
        .title_bottom(Line::from(Span::styled(format!(" {hint} "), theme.dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let columns = usize::from(inner.width);
    let mut lines = vec![query_line(state, columns)];
    lines.extend(summary_lines(state, columns));
    if view.searched.is_none() && view.problem.is_none() {
        lines.push(Line::default());
        for help in SYNTAX {
            lines.push(Line::from(Span::styled(
                truncate(help, columns).into_owned(),
                theme.dim,
            )));
        }
    }
    let per_page = layout::search_results(state.viewport());
    let first = view.first_shown(per_page);
    for (i, result) in view.results.iter().enumerate().skip(first).take(per_page) {
        let selected = i == view.selected;
        lines.push(title_line(state, result, selected, columns));
        lines.push(snippet_line(state, result, columns));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    // the cursor at the end of the query (typing always goes there)
    let at = 2 + view.input.visual_cursor().min(columns.saturating_sub(3));
    frame.set_cursor_position((inner.x + at as u16, inner.y));
}

/// `/ query`, cut from the left when it does not fit (the end is where typing goes).
fn query_line(state: &State, columns: usize) -> Line<'static> {
    let theme = &state.settings().theme;
    // typed by the user: cleaned as drawn (a paste can hold controls)
    let query = CleanLine::new(state.search().input.value()).into_string();
    let room = columns.saturating_sub(3);
    let shown = match width(&query).checked_sub(room) {
        Some(cut) if cut > 0 => skip_columns(&query, cut).to_string(),
        _ => query,
    };
    Line::from(vec![Span::styled("/ ", theme.key), Span::raw(shown)])
}

/// What the results are: a count, a search on its way, a problem, or how to start (wrapped:
/// with no hits there is room).
fn summary_lines(state: &State, columns: usize) -> Vec<Line<'static>> {
    let theme = &state.settings().theme;
    let view = state.search();
    let searching = state
        .requests()
        .iter()
        .any(|(_, p)| matches!(p, crate::tui::app::Pending::Search));
    let (text, style) = match (&view.problem, &view.searched) {
        (Some(problem), _) => (problem.words().to_string(), theme.error),
        (None, _) if searching && view.results.is_empty() => ("searching…".to_string(), theme.dim),
        (None, None) => (
            "Type to search every stored session name, question and answer".to_string(),
            theme.dim,
        ),
        (None, Some(query)) if view.results.is_empty() => {
            let sync = state
                .settings()
                .keymap
                .hint_key(Action::Sync)
                .map(|key| format!(" ({key} syncs every conversation into it)"))
                .unwrap_or_default();
            (
                format!(
                    "No match for “{}” in the local store{sync}",
                    CleanLine::new(query.as_str())
                ),
                theme.dim,
            )
        }
        (None, Some(_)) => {
            let n = view.results.len();
            let more = if n >= crate::tui::app::update::SEARCH_LIMIT {
                " (the best ones)"
            } else {
                ""
            };
            let label = if n == 1 { "match" } else { "matches" };
            (format!("{n} {label}{more}, best first"), theme.dim)
        }
    };
    if !view.results.is_empty() {
        // one row, so the hits start where the mouse expects them
        return vec![Line::from(Span::styled(
            truncate(&text, columns).into_owned(),
            style,
        ))];
    }
    crate::tui::app::editor::wrap(&text, 0, columns)
        .0
        .into_iter()
        .map(|row| Line::from(Span::styled(row, style)))
        .collect()
}

/// The session's name, where the match is and when the session last changed:
/// `› Name · question 3 · 2 d ago`.
fn title_line(
    state: &State,
    result: &SearchResult,
    selected: bool,
    columns: usize,
) -> Line<'static> {
    let theme = &state.settings().theme;
    let when = result
        .modified
        .as_deref()
        .and_then(|raw| sctui_graph::models::GraphTime::new(raw).instant())
        .map(|t| {
            format!(
                " · {}",
                crate::timefmt::relative(t, state.now(), &state.settings().tz)
            )
        })
        .unwrap_or_default();
    let place = match &result.turn {
        Some((position, _)) => format!(" · question {}{when}", position + 1),
        None => format!(" · name{when}"),
    };
    let marker = if selected { "› " } else { "  " };
    let room = columns.saturating_sub(width(marker) + width(&place));
    let (name, name_style) = match &result.name {
        Some(name) => (name.truncate(room).into_string(), theme.title),
        None => (truncate("(untitled)", room).into_owned(), theme.dim),
    };
    let style = |s: Style| if selected { s.patch(theme.selected) } else { s };
    let pad = columns.saturating_sub(width(marker) + width(&name) + width(&place));
    Line::from(vec![
        Span::styled(marker, style(theme.key)),
        Span::styled(name, style(name_style)),
        Span::styled(place, style(theme.dim)),
        Span::styled(
            " ".repeat(if selected { pad } else { 0 }),
            style(Style::new()),
        ),
    ])
}

/// The snippet, indented, with its matches highlighted; when the first match would fall past
/// the middle of the row the start is cut (`…`) so the match is in view.
fn snippet_line(state: &State, result: &SearchResult, columns: usize) -> Line<'static> {
    let theme = &state.settings().theme;
    let indent = "    ";
    let room = columns.saturating_sub(width(indent));
    let before_match: usize = result
        .snippet
        .iter()
        .take_while(|(_, matched)| !matched)
        .map(|(text, _)| width(text))
        .sum();
    let mut skip = before_match.saturating_sub(room / 3);
    let mut spans = vec![Span::raw(indent)];
    let mut used = 0;
    if skip > 0 {
        spans.push(Span::styled("…", theme.dim));
        used += 1;
        skip += 1;
    }
    let highlight = theme.key.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    for (text, matched) in &result.snippet {
        let text_width = width(text);
        if skip >= text_width {
            skip -= text_width;
            continue;
        }
        let text = skip_columns(text, skip);
        skip = 0;
        let left = room.saturating_sub(used);
        if left == 0 {
            break;
        }
        let piece = truncate(text, left).into_owned();
        used += width(&piece);
        let style = if *matched { highlight } else { Style::new() };
        spans.push(Span::styled(piece, style));
    }
    Line::from(spans)
}
