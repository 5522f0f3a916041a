//! Colours and emphasis in one place, so a theme (or `NO_COLOR`) changes the whole screen at once.
//! Nothing that matters is conveyed by colour alone: markers and text carry the meaning too.

use ratatui_core::style::{Color, Modifier, Style};

/// The styles the UI draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub header: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selected: Style,
    pub dim: Style,
    pub pending: Style,
    pub title: Style,
    pub label: Style,
    pub error: Style,
    pub warning: Style,
    pub info: Style,
    pub key: Style,
    pub popup: Style,
}

impl Theme {
    /// The default theme for dark terminals.
    pub fn dark() -> Self {
        Self {
            header: Style::new().fg(Color::Black).bg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            pending: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::ITALIC),
            title: Style::new().add_modifier(Modifier::BOLD),
            label: Style::new().fg(Color::Cyan),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Yellow),
            info: Style::new().fg(Color::Green),
            key: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            popup: Style::new(),
        }
    }

    /// For light terminals: dark text, blue accents, and no yellow (unreadable on white).
    pub fn light() -> Self {
        Self {
            header: Style::new().fg(Color::White).bg(Color::Blue),
            border: Style::new().fg(Color::Gray),
            border_focused: Style::new().fg(Color::Blue),
            selected: Style::new()
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            dim: Style::new().fg(Color::DarkGray),
            pending: Style::new()
                .fg(Color::Magenta)
                .add_modifier(Modifier::ITALIC),
            title: Style::new().add_modifier(Modifier::BOLD),
            label: Style::new().fg(Color::Blue),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Magenta),
            info: Style::new().fg(Color::Green),
            key: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            popup: Style::new(),
        }
    }

    /// No colours at all (`NO_COLOR`): emphasis by reverse video, bold and markers only.
    pub fn no_color() -> Self {
        let plain = Style::new();
        Self {
            header: Style::new().add_modifier(Modifier::REVERSED),
            border: plain,
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            dim: plain,
            pending: Style::new().add_modifier(Modifier::ITALIC),
            title: Style::new().add_modifier(Modifier::BOLD),
            label: plain,
            error: Style::new().add_modifier(Modifier::BOLD),
            warning: plain,
            info: plain,
            key: Style::new().add_modifier(Modifier::BOLD),
            popup: plain,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::dark()
    }
}
