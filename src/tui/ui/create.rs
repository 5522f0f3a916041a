//! The create prompt box: a centred popup with one line of input.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use crate::sanitize::{sanitize_line, truncate};
use crate::tui::app::State;
use crate::tui::app::state::CreateBox;

/// Draws the popup over `area`.
pub fn render(state: &State, create: &CreateBox, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let width = (area.width * 3 / 5).clamp(20.min(area.width), 90);
    let field = usize::from(width.saturating_sub(4)).max(1);
    let (rows, (cursor_row, cursor_col)) =
        wrap_with_cursor(create.input.value(), create.input.cursor(), field);
    let visible_rows = rows.len().clamp(1, 8);
    let first_row = (cursor_row + 1).saturating_sub(visible_rows);
    let footer = footer_text(create);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let footer_rows = crate::sanitize::width(&footer)
        .div_ceil(inner_width)
        .clamp(1, 3);
    let popup = centered(area, width, (visible_rows + footer_rows) as u16 + 2);
    frame.render_widget(Clear, popup);
    let title = match &create.target {
        None => " Ask Security Copilot in a new session ".to_string(),
        Some(session) => {
            let name = session
                .display_name
                .as_deref()
                .map(|n| sanitize_line(n).into_owned())
                .unwrap_or_else(|| "(untitled)".into());
            format!(" Ask in “{}” ", truncate(&name, usize::from(width) / 2))
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Line::from(Span::styled(title, theme.title)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    // The rows are already wrapped to fit, so they are drawn as they are; only the footer wraps.
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(first_row)
        .take(visible_rows)
        .map(|(i, row)| {
            let lead = if i == 0 { "› " } else { "  " };
            Line::from(vec![Span::styled(lead, theme.key), Span::raw(row.clone())])
        })
        .collect();
    let shown_rows = lines.len() as u16;
    frame.render_widget(Paragraph::new(lines), inner);
    let footer_area = Rect {
        y: inner.y + shown_rows,
        height: inner.height.saturating_sub(shown_rows),
        ..inner
    };
    let footer_style = if create.problem.is_some() && create.in_flight.is_none() {
        theme.error
    } else {
        theme.dim
    };
    frame.render_widget(
        Paragraph::new(Span::styled(footer, footer_style)).wrap(Wrap { trim: true }),
        footer_area,
    );
    if inner.height > 0 && create.in_flight.is_none() {
        let x = inner.x + 2 + cursor_col as u16;
        let y = inner.y + (cursor_row - first_row) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            y.min(inner.bottom().saturating_sub(1)),
        ));
    }
}

/// The line under the input: progress, the last problem, or the keys.
fn footer_text(create: &CreateBox) -> String {
    if create.in_flight.is_some() {
        "sending…".to_string()
    } else if let Some(problem) = &create.problem {
        format!("✗ {problem}")
    } else {
        "Enter send · Alt-Enter new line · Esc cancel".to_string()
    }
}

/// Splits editor text into display rows of at most `width` columns (hard wrap, newlines kept,
/// text sanitised) and finds the cursor's row and column; `cursor` counts characters.
pub(crate) fn wrap_with_cursor(
    value: &str,
    cursor: usize,
    width: usize,
) -> (Vec<String>, (usize, usize)) {
    use unicode_width::UnicodeWidthStr;
    let mut rows = vec![String::new()];
    let mut col = 0;
    let mut at = None;
    for (i, c) in value.chars().enumerate() {
        if c == '\n' {
            if i == cursor {
                at = Some((rows.len() - 1, col));
            }
            rows.push(String::new());
            col = 0;
            continue;
        }
        let shown = sanitize_line(c.encode_utf8(&mut [0; 4])).into_owned();
        let w = UnicodeWidthStr::width(shown.as_str());
        if col + w > width && col > 0 {
            rows.push(String::new());
            col = 0;
        }
        if i == cursor {
            at = Some((rows.len() - 1, col));
        }
        if let Some(row) = rows.last_mut() {
            row.push_str(&shown);
        }
        col += w;
    }
    let at = at.unwrap_or_else(|| {
        if col >= width {
            rows.push(String::new());
            col = 0;
        }
        (rows.len() - 1, col)
    });
    (rows, at)
}

#[cfg(test)]
mod tests {
    use super::wrap_with_cursor;

    #[test]
    fn wraps_and_places_the_cursor() {
        let (rows, at) = wrap_with_cursor("hello world", 11, 5);
        assert_eq!(rows, ["hello", " worl", "d"]);
        assert_eq!(at, (2, 1));
        let (rows, at) = wrap_with_cursor("ab\ncd", 3, 10);
        assert_eq!(rows, ["ab", "cd"]);
        assert_eq!(at, (1, 0));
        let (_, at) = wrap_with_cursor("", 0, 10);
        assert_eq!(at, (0, 0));
        let (rows, at) = wrap_with_cursor("東京都", 2, 4);
        assert_eq!(rows, ["東京", "都"]);
        assert_eq!(at, (1, 0));
        let (_, at) = wrap_with_cursor("abcd", 4, 4);
        assert_eq!(at, (1, 0));
    }
}
