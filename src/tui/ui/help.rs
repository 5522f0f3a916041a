//! The `?` overlay, generated from the live keymap so it always tells the truth.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, clear_popup};
use crate::keys::{Action, HelpLine};
use crate::tui::app::State;

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

/// The widest the keys column gets.
const KEY_COLUMN: usize = 15;

/// Draws the help overlay: every mode's keys under its heading.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let lines = state.settings.keymap.help_lines();
    // long key lists (the editors') run past the column rather than widen it for all
    let key_width = lines
        .iter()
        .map(|l| match l {
            HelpLine::Row(k, _) => crate::sanitize::width(k),
            HelpLine::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .min(KEY_COLUMN) as u16;
    let text_width = lines
        .iter()
        .map(|l| match l {
            HelpLine::Row(_, d) => crate::sanitize::width(d) + usize::from(key_width) + 1,
            HelpLine::Heading(h) => crate::sanitize::width(h),
        })
        .max()
        .unwrap_or(0) as u16;
    let height = lines.len() as u16 + 2;
    let popup = centered(area, text_width + 3, height);
    // rows that do not fit scroll
    let fits = usize::from(popup.height.saturating_sub(2));
    let scroll = state.help_scroll.min(lines.len().saturating_sub(fits));
    let mut hint = super::status::keys_text(state, &[(Action::HelpClose, "closes")]);
    if lines.len() > fits
        && let Some((keys, what)) =
            super::status::pair_hint(state, Action::HelpDown, Action::HelpUp, "scroll")
    {
        hint = format!("{hint} · {keys} {what}");
    }
    let hint = format!(" {hint} ");
    clear_popup(frame, popup);
    let key_width = usize::from(key_width);
    let text: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .map(|line| match line {
            HelpLine::Heading(title) => Line::from(Span::styled(title, theme.title)),
            HelpLine::Row(keys, what) => {
                let pad = key_width.saturating_sub(crate::sanitize::width(&keys));
                Line::from(vec![
                    Span::styled(format!(" {keys}{} ", " ".repeat(pad)), theme.key),
                    Span::raw(what),
                ])
            }
        })
        .collect();
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(" Keys ", theme.title)))
        .title(config_title(state, popup.width))
        .title_bottom(Line::from(Span::styled(hint, theme.dim)));
    frame.render_widget(Paragraph::new(text).block(block), popup);
}
