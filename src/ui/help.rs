//! The `?` overlay, generated from the live keymap so it always tells the truth.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table};

use super::centered;
use crate::app::State;

/// Keys of the text editors (rename, create, filter), which the keymap does not cover.
const EDITOR_KEYS: &[(&str, &str)] = &[
    ("←/→ Home/End", "move the cursor (editors)"),
    ("Ctrl-W Ctrl-U", "delete word / line (editors)"),
];

/// Draws the help overlay.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.theme;
    let mut rows: Vec<(String, &str)> = state.keymap.help_rows();
    rows.extend(EDITOR_KEYS.iter().map(|(k, d)| (k.to_string(), *d)));
    let key_width = rows
        .iter()
        .map(|(k, _)| crate::sanitize::width(k))
        .max()
        .unwrap_or(0) as u16;
    let height = rows.len() as u16 + 2;
    let popup = centered(area, 70, height);
    frame.render_widget(Clear, popup);
    let table = Table::new(
        rows.into_iter().map(|(keys, what)| {
            Row::new(vec![
                Cell::from(Span::styled(keys, theme.key)),
                Cell::from(what.to_string()),
            ])
        }),
        [Constraint::Length(key_width + 1), Constraint::Min(10)],
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border_focused)
            .title(Line::from(Span::styled(" Keys ", theme.title)))
            .title_bottom(Line::from(Span::styled(" Esc closes ", theme.dim))),
    );
    frame.render_widget(table, popup);
}
