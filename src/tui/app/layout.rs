//! Screen geometry shared by `update` (how far PgDn moves, which rows are visible) and `ui`
//! (where things are drawn), so the two never disagree.

use ratatui::layout::{Constraint, Layout, Rect};

/// Smallest usable terminal; below this a "terminal too small" notice is drawn.
pub const MIN_WIDTH: u16 = 20;
/// Smallest usable terminal height.
pub const MIN_HEIGHT: u16 = 5;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    pub header: Rect,
    pub list: Rect,
    /// `None` when the terminal is too narrow for two panes.
    pub detail: Option<Rect>,
    pub status: Rect,
}

/// Whether the terminal is big enough to draw the app.
pub fn fits(area: Rect) -> bool {
    area.width >= MIN_WIDTH && area.height >= MIN_HEIGHT
}

/// Splits the screen: header line, list | detail, status line. Narrow terminals drop the detail.
pub fn screen(area: Rect) -> ScreenLayout {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if body.width >= 70 {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(body);
        ScreenLayout {
            header,
            list,
            detail: Some(detail),
            status,
        }
    } else {
        ScreenLayout {
            header,
            list: body,
            detail: None,
            status,
        }
    }
}

/// How many session rows fit in the list pane (inside its border).
pub fn list_rows(viewport: (u16, u16)) -> usize {
    let area = Rect::new(0, 0, viewport.0, viewport.1);
    usize::from(screen(area).list.height.saturating_sub(2)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_terminal_has_two_panes() {
        let l = screen(Rect::new(0, 0, 120, 40));
        assert_eq!(l.header.height, 1);
        assert_eq!(l.status.y, 39);
        assert!(l.detail.is_some());
        assert_eq!(list_rows((120, 40)), 36);
    }

    #[test]
    fn narrow_terminal_drops_the_detail() {
        assert!(screen(Rect::new(0, 0, 40, 10)).detail.is_none());
        assert!(!fits(Rect::new(0, 0, 19, 10)));
        assert!(fits(Rect::new(0, 0, 20, 5)));
        assert_eq!(list_rows((20, 5)), 1);
    }
}
