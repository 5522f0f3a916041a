//! The detail pane: the selected session's name, id and times.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::State;
use crate::app::state::Focus;
use crate::sanitize::sanitize_line;
use crate::timefmt;

/// Draws the detail of the selected session (or a hint when none is selected).
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.theme;
    let focused = state.focus == Focus::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(Line::from(Span::styled(" Detail ", theme.title)));
    let Some(entry) = state.selected_entry() else {
        frame.render_widget(
            Paragraph::new(Span::styled("No session selected", theme.dim)).block(block),
            area,
        );
        return;
    };
    let session = &entry.session;
    let name = match &entry.shown_name {
        Some(name) => Span::styled(name.clone(), theme.title),
        None => Span::styled("(untitled)", theme.dim),
    };
    let mut lines = vec![
        Line::from(name),
        Line::default(),
        field(state, "Id", sanitize_line(&session.id).into_owned()),
        field(
            state,
            "Created",
            timefmt::local_and_relative(session.created_date_time.as_ref(), state.now, &state.tz),
        ),
        field(
            state,
            "Modified",
            timefmt::local_and_relative(
                session.last_modified_date_time.as_ref(),
                state.now,
                &state.tz,
            ),
        ),
    ];
    if let Some(pending) = &entry.pending {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "⟳ renaming to “{}”: waiting for Graph",
                sanitize_line(&pending.name)
            ),
            theme.pending,
        )));
    }
    let inner_height = block.inner(area).height;
    let max_scroll = (lines.len() as u16).saturating_sub(inner_height);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((state.detail_scroll.min(max_scroll), 0)),
        area,
    );
}

fn field<'a>(state: &State, label: &'a str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), state.theme.label),
        Span::raw(value),
    ])
}
