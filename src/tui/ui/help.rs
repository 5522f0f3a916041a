//! The `?` overlay, generated from the live keymap so it always tells the truth.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table};

use super::centered;
use crate::tui::app::State;

/// Keys of the text editors (rename, create, filter), which the keymap does not cover.
const EDITOR_KEYS: &[(&str, &str)] = &[
    ("←/→ Home/End", "move the cursor (editors)"),
    ("Ctrl-W Ctrl-U", "delete word / line (editors)"),
];

/// The config file the keys came from, right-aligned on the top border (nothing without one).
fn config_title(state: &State, width: u16) -> Line<'static> {
    let Some(path) = &state.settings.config_path else {
        return Line::default();
    };
    let room = usize::from(width).saturating_sub(12);
    let path = crate::sanitize::sanitize_line(&path.display().to_string()).into_owned();
    let text = format!(
        " config {} ",
        crate::sanitize::truncate(&path, room.saturating_sub(9))
    );
    Line::from(Span::styled(text, state.settings.theme.dim)).right_aligned()
}

/// Draws the help overlay.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let mut rows: Vec<(String, &str)> = state.settings.keymap.help_rows();
    rows.extend(EDITOR_KEYS.iter().map(|(k, d)| (k.to_string(), *d)));
    let key_width = rows
        .iter()
        .map(|(k, _)| crate::sanitize::width(k))
        .max()
        .unwrap_or(0) as u16;
    let desc_width = rows
        .iter()
        .map(|(_, d)| crate::sanitize::width(d))
        .max()
        .unwrap_or(0) as u16;
    let height = rows.len() as u16 + 2;
    let popup = centered(area, key_width + desc_width + 5, height);
    // rows that do not fit scroll with j/k
    let fits = usize::from(popup.height.saturating_sub(2));
    let scroll = state.help_scroll.min(rows.len().saturating_sub(fits));
    let hint = if rows.len() > fits {
        " Esc closes · j/k scroll "
    } else {
        " Esc closes "
    };
    frame.render_widget(Clear, popup);
    let table = Table::new(
        rows.into_iter().skip(scroll).map(|(keys, what)| {
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
            .title(config_title(state, popup.width))
            .title_bottom(Line::from(Span::styled(hint, theme.dim))),
    );
    frame.render_widget(table, popup);
}
