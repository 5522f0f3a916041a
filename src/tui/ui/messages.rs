//! The messages view (`m`): every message of the run, newest last, each in full (wrapped) with
//! its time, level and Graph's request-id; the selected one can be copied.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::clear_popup;
use crate::tui::app::State;
use crate::tui::app::editor::wrap;
use crate::tui::app::state::{MessagesView, Severity};
use sctui_app::keys::Action;

/// Draws the view over `area` (a margin of the screen left around it).
pub fn render(state: &State, view: &MessagesView, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let popup = Rect {
        x: area.x + 2.min(area.width / 10),
        y: area.y + 1.min(area.height / 10),
        width: area.width.saturating_sub(2 * 2.min(area.width / 10)),
        height: area.height.saturating_sub(2 * 1.min(area.height / 10)),
    };
    clear_popup(frame, popup);
    let hint = super::status::keys_text(
        state,
        &[(Action::PickCopy, "copy"), (Action::PickClose, "close")],
    );
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(
            format!(" Messages ({}) ", state.messages().len()),
            theme.title,
        )))
        .title_bottom(Line::from(Span::styled(format!(" {hint} "), theme.dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if state.messages().is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("No messages yet", theme.dim)),
            inner,
        );
        return;
    }
    let width = usize::from(inner.width.saturating_sub(2)).max(1);
    let height = usize::from(inner.height);
    // each message wrapped in full; the selected one is kept in view
    let wrapped: Vec<Vec<String>> = state
        .messages()
        .iter()
        .map(|m| {
            wrap(
                &crate::tui::app::update::message_text(m, &state.settings().tz),
                0,
                width,
            )
            .0
        })
        .collect();
    let selected = view.selected.min(wrapped.len() - 1);
    let mut first = selected;
    let mut rows = wrapped[selected].len();
    while first > 0 && rows + wrapped[first - 1].len() <= height {
        rows += wrapped[first - 1].len();
        first -= 1;
    }
    let mut lines = Vec::new();
    for (i, rows) in wrapped.iter().enumerate().skip(first) {
        let severity = state.messages()[i].message.severity;
        let style = match severity {
            Severity::Error => theme.error,
            Severity::Warning => theme.warning,
            Severity::Info => ratatui::style::Style::default(),
        };
        let style = if i == selected {
            style.patch(theme.selected)
        } else {
            style
        };
        for (r, row) in rows.iter().enumerate() {
            let lead = if i == selected && r == 0 {
                "› "
            } else {
                "  "
            };
            lines.push(Line::from(vec![
                Span::styled(lead, theme.key),
                Span::styled(row.clone(), style),
            ]));
        }
        if lines.len() >= height {
            break;
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
