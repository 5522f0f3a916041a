//! The create prompt box: a centred popup with one line of input.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use crate::app::State;
use crate::app::state::CreateBox;
use crate::sanitize::{sanitize_line, truncate};

/// Draws the popup over `area`.
pub fn render(state: &State, create: &CreateBox, area: Rect, frame: &mut Frame) {
    let theme = &state.theme;
    let width = (area.width * 3 / 5).clamp(20.min(area.width), 80);
    let popup = centered(area, width, 5);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Line::from(Span::styled(" New session ", theme.title)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);

    let field = usize::from(inner.width).saturating_sub(2);
    let scroll = create.input.visual_scroll(field);
    let value: String = create.input.value().chars().skip(scroll).collect();
    let value = sanitize_line(&value).into_owned();
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", theme.key),
        Span::raw(truncate(&value, field).into_owned()),
    ])];
    if create.in_flight.is_some() {
        lines.push(Line::from(Span::styled("creating…", theme.dim)));
    } else if let Some(problem) = &create.problem {
        lines.push(Line::from(Span::styled(
            format!("✗ {problem}"),
            theme.error,
        )));
    } else {
        lines.push(Line::from(vec![
            Span::styled("Enter", theme.key),
            Span::styled(" create  ", theme.dim),
            Span::styled("Esc", theme.key),
            Span::styled(" cancel", theme.dim),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
    if inner.height > 0 && create.in_flight.is_none() {
        let x = inner.x + 2 + (create.input.visual_cursor() - scroll) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
    }
}
