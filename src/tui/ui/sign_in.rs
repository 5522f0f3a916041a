//! The device-code sign-in popup: where to go, the code to type (`y` copies it), and progress.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{SPINNER, centered};
use crate::tui::app::State;
use crate::tui::app::state::SignInPopup;
use sctui_app::keys::Action;

/// Draws the popup over `area`.
pub fn render(state: &State, popup: &SignInPopup, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let rect = centered(area, 72, 9);
    super::clear_popup(frame, rect);
    let block = super::bordered(theme.border_focused).title(Line::from(Span::styled(
        " Sign in to Microsoft Graph ",
        theme.title,
    )));
    let mut lines = Vec::new();
    if let Some(error) = &popup.error {
        lines.push(Line::from(Span::styled(
            format!("✗ {}", error.words()),
            theme.error,
        )));
        lines.push(Line::default());
        lines.push(Line::from(super::status::key_spans(
            state,
            &[
                (Action::SignInRetry, "try again"),
                (Action::SignInCancel, "close"),
                (Action::SignInQuit, "quit"),
            ],
        )));
    } else if let (Some(uri), Some(code)) = (&popup.verification_uri, &popup.user_code) {
        lines.push(Line::from("Open this page in a browser:"));
        lines.push(Line::from(Span::styled(uri.as_str(), theme.key)));
        lines.push(Line::from(vec![
            Span::raw("and enter the code  "),
            Span::styled(code.as_str(), theme.selected),
        ]));
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!(
                "{} waiting for you to finish signing in…",
                SPINNER[state.spinner_frame() % SPINNER.len()]
            ),
            theme.dim,
        )));
        lines.push(Line::from(super::status::key_spans(
            state,
            &[
                (Action::CopyCode, "copy the code"),
                (Action::SignInCancel, "cancel"),
            ],
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "Asking Microsoft for a sign-in code…",
            theme.dim,
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        rect,
    );
}
