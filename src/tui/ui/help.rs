//! The `?` overlay, generated from the live keymap so it always tells the truth; its rows (long
//! descriptions wrapped under their column) are laid out by the core's `help`, which `update`
//! scrolls by.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, clear_popup};
use crate::tui::app::State;
use sctui_app::keys::Action;
use sctui_app::sanitize::CleanLine;
use sctui_app::state::HelpView;

/// The config file the keys came from, right-aligned on the top border (nothing without one).
fn config_title(state: &State, width: u16) -> Line<'static> {
    let Some(path) = &state.settings().config_path else {
        return Line::default();
    };
    let room = usize::from(width).saturating_sub(12);
    // the user's own file, but a path can hold any character but `/` and NUL
    let path = CleanLine::new(path.display().to_string());
    let text = format!(" config {} ", path.truncate(room.saturating_sub(9)));
    Line::from(Span::styled(text, state.settings().theme.dim)).right_aligned()
}

/// Draws the help overlay: every mode's keys under its heading, scrolled as `view` says.
pub fn render(state: &State, view: &HelpView, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let help = crate::tui::app::help::layout(state, (area.width, area.height));
    let popup = centered(area, help.width, help.height);
    let scroll = view.scroll.min(help.max_scroll());
    let mut hint = super::status::keys_text(state, &[(Action::HelpClose, "closes")]);
    if help.max_scroll() > 0
        && let Some((keys, what)) =
            super::status::pair_hint(state, Action::HelpDown, Action::HelpUp, "scroll")
    {
        hint = format!("{hint} · {keys} {what}");
    }
    let hint = format!(" {hint} ");
    clear_popup(frame, popup);
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(" Keys ", theme.title)))
        .title(config_title(state, popup.width))
        .title_bottom(Line::from(Span::styled(hint, theme.dim)));
    let rows: Vec<Line> = help.rows.into_iter().skip(scroll).collect();
    frame.render_widget(Paragraph::new(rows).block(block), popup);
}
