//! The prompt box: a centred popup with the question as typed, wrapped at word boundaries.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::centered;
use crate::tui::app::State;
use crate::tui::app::state::CreateBox;
use sctui_app::keys::Action;
use sctui_app::sanitize::truncate;

/// Draws the popup over `area`.
pub fn render(state: &State, create: &CreateBox, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let width = (area.width * 3 / 5).clamp(20.min(area.width), 90);
    let field = usize::from(width.saturating_sub(4)).max(1);
    let (rows, (cursor_row, cursor_col)) =
        crate::tui::app::editor::wrap(create.input.value(), create.input.cursor(), field);
    let visible_rows = rows.len().clamp(1, 8);
    let first_row = (cursor_row + 1).saturating_sub(visible_rows);
    let footer = footer_text(state, create);
    let inner_width = usize::from(width.saturating_sub(2)).max(1);
    let footer_rows = sctui_app::sanitize::width(&footer)
        .div_ceil(inner_width)
        .clamp(1, 3);
    let popup = centered(area, width, (visible_rows + footer_rows) as u16 + 2);
    super::clear_popup(frame, popup);
    let title = match &create.target {
        None => " Ask Security Copilot in a new session ".to_string(),
        Some(session) => {
            // the name as the list shows it, cleaned when it arrived
            let name = state.list().get(&session.id).and_then(|e| e.shown_name());
            let name = name.as_deref().unwrap_or("(untitled)");
            format!(" Ask in “{}” ", truncate(name, usize::from(width) / 2))
        }
    };
    let block =
        super::bordered(theme.border_focused).title(Line::from(Span::styled(title, theme.title)));
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
fn footer_text(state: &State, create: &CreateBox) -> String {
    if create.in_flight.is_some() {
        "sending…".to_string()
    } else if let Some(problem) = &create.problem {
        format!("✗ {}", problem.words())
    } else {
        let keys = super::status::keys_text(
            state,
            &[
                (Action::Submit, "send"),
                (Action::NewLine, "newline"),
                (Action::ExternalEditor, "editor"),
                (Action::Cancel, "close"),
            ],
        );
        if create.draft {
            // first, so a narrow box still says it
            let clear = super::status::keys_text(state, &[(Action::DeleteToStart, "clears")]);
            let clear = if clear.is_empty() {
                String::new()
            } else {
                format!(" — {clear}")
            };
            format!("draft kept{clear} · {keys}")
        } else {
            keys
        }
    }
}
