//! The top line: product, workspace, who is signed in, loaded/total count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::sanitize::{sanitize_line, truncate};
use crate::tui::app::State;

/// Draws the header.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let loaded = state.sessions.len();
    let count = match state.paging.total {
        Some(total) if total as usize > loaded => format!("{loaded}/{total} sessions"),
        Some(0) => "0 sessions".to_string(),
        Some(total) => format!("{total}/{total} sessions"),
        None if state.paging.next_link.is_some() => format!("{loaded}+ sessions"),
        None => format!("{loaded} sessions"),
    };
    // the list from the local store, until Graph has confirmed it: "stored 2 h ago · refreshing"
    let count = match &state.stored {
        Some(stored) => {
            let age = stored
                .updated
                .map(|t| crate::timefmt::relative(t, state.now, &state.settings.tz))
                .unwrap_or_else(|| "earlier".into());
            let doing = if state.paging.failed {
                "Graph unreachable, retrying"
            } else {
                "refreshing"
            };
            format!("{loaded} known · stored {age} · {doing}")
        }
        None => count,
    };
    let workspace = match &state.workspace_name {
        Some(name) => format!(
            "{} ({})",
            sanitize_line(name),
            sanitize_line(&state.workspace)
        ),
        None => sanitize_line(&state.workspace).into_owned(),
    };
    let profile = match &state.settings.profile {
        Some(name) => format!(" · profile {}", sanitize_line(name)),
        None => String::new(),
    };
    let text = format!(
        " sctui │ workspace {workspace} │ {}{profile} │ {count}",
        sanitize_line(&state.who)
    );
    let text = truncate(&text, usize::from(area.width));
    frame.render_widget(
        Paragraph::new(Line::from(Span::raw(text.into_owned()))).style(state.settings.theme.header),
        area,
    );
}
