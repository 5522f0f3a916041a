//! The workspace picker (`w`): a centred list of the workspaces Graph returned.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use crate::sanitize::{sanitize_line, truncate};
use crate::tui::app::State;
use crate::tui::app::state::WorkspacePicker;

/// Draws the picker over `area`.
pub fn render(state: &State, picker: &WorkspacePicker, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let rows = picker.workspaces.as_ref().map_or(1, |w| w.len().max(1));
    let popup = centered(area, 60, rows as u16 + 3);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(Line::from(Span::styled(" Workspaces ", theme.title)))
        .title_bottom(Line::from(Span::styled(
            " Enter switch · Esc cancel ",
            theme.dim,
        )));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = match &picker.workspaces {
        None => vec![Line::from(Span::styled("Loading workspaces…", theme.dim))],
        Some(list) if list.is_empty() => {
            vec![Line::from(Span::styled("No workspaces", theme.dim))]
        }
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let current = if w.id.eq_ignore_ascii_case(&state.workspace) {
                    " (current)"
                } else {
                    ""
                };
                let name = w.display_name.as_deref().unwrap_or("(unnamed)");
                let text = format!(
                    "{} {}  {}{current}",
                    if i == picker.selected { "›" } else { " " },
                    sanitize_line(name),
                    sanitize_line(&w.id)
                );
                let text = truncate(&text, width).into_owned();
                if i == picker.selected {
                    Line::from(Span::styled(text, theme.selected))
                } else {
                    Line::from(text)
                }
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
