//! The bottom line: spinner, retry notice, the last message (errors in red with Graph's
//! request-id) or key hints for the current mode.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::SPINNER;
use crate::sanitize::truncate;
use crate::tui::app::State;
use crate::tui::app::state::{Focus, Mode, Severity};

/// Draws the status bar.
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let mut spans = Vec::new();
    if state.busy() {
        spans.push(Span::styled(
            format!("{} ", SPINNER[state.spinner_frame % SPINNER.len()]),
            theme.key,
        ));
    }
    if let Some(notice) = &state.retry_notice {
        spans.push(Span::styled(format!("{notice} · "), theme.warning));
    }
    if let Some(status) = &state.status {
        let style = match status.severity {
            Severity::Error => theme.error,
            Severity::Warning => theme.warning,
            Severity::Info => theme.info,
        };
        let prefix = match status.severity {
            Severity::Error => "✗ ",
            Severity::Warning => "! ",
            Severity::Info => "",
        };
        let text = format!("{prefix}{}", status.text);
        // the request-id is what support needs: it survives truncation
        let suffix = match &status.request_id {
            Some(id) if !text.contains(id.as_str()) => format!(" (request-id {id})"),
            _ => String::new(),
        };
        let room = usize::from(area.width).saturating_sub(spans.iter().map(|s| s.width()).sum());
        let text = format!(
            "{}{suffix}",
            truncate(&text, room.saturating_sub(crate::sanitize::width(&suffix)))
        );
        spans.push(Span::styled(truncate(&text, room).into_owned(), style));
    } else {
        spans.extend(hints(state));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn hints(state: &State) -> Vec<Span<'static>> {
    let theme = &state.settings.theme;
    let pairs: &[(&str, &str)] = match &state.mode {
        Mode::Renaming(_) => &[("Enter", "save"), ("Esc", "cancel"), ("Ctrl-U", "clear")],
        Mode::Creating(_) => &[
            ("Enter", "send"),
            ("Alt-Enter", "new line"),
            ("Esc", "cancel"),
        ],
        Mode::Filtering => &[("Enter", "keep filter"), ("Esc", "clear"), ("↑↓", "move")],
        Mode::Help => &[("Esc", "close help")],
        Mode::Finding => &[
            ("Enter", "keep"),
            ("Esc", "cancel"),
            ("n/N", "next/previous match"),
        ],
        Mode::Browsing if state.focus == Focus::Detail => &[
            ("j/k", "scroll"),
            ("[/]", "question"),
            ("h/l", "sideways"),
            ("/", "find"),
            ("n/N", "match"),
            ("c", "copy answer"),
            ("C", "copy code"),
            ("z", "zoom"),
            ("Esc", "list"),
            ("?", "help"),
        ],
        Mode::PickingWorkspace(_) => &[("j/k", "move"), ("Enter", "switch"), ("Esc", "cancel")],
        Mode::SigningIn(_) => &[("y", "copy code"), ("Esc", "cancel"), ("q", "quit")],
        Mode::Browsing => &[
            ("j/k", "move"),
            ("Enter", "detail"),
            ("r", "rename"),
            ("n", "ask new"),
            ("a", "ask"),
            ("?", "help"),
            ("q", "quit"),
            ("/", "filter"),
            ("R", "refresh"),
            ("e", "export"),
        ],
    };
    let mut spans = Vec::new();
    for (key, what) in pairs {
        spans.push(Span::styled(*key, theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.dim));
    }
    spans
}
