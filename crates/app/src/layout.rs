//! Screen geometry shared by `update` (how far PgDn moves, which rows are visible) and `ui`
//! (where things are drawn), so the two never disagree.

use ratatui_core::layout::{Constraint, Layout, Rect};

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

/// Whether the list and the detail fit side by side at this terminal width.
pub fn two_panes(width: u16) -> bool {
    width >= TWO_PANES_MIN_WIDTH
}

/// Below this width one pane is shown at a time, full width.
pub const TWO_PANES_MIN_WIDTH: u16 = 70;

/// Splits the screen: header line, list | detail, status line. Narrow terminals show only the
/// list here; see [`screen_with`] for the detail shown alone.
pub fn screen(area: Rect) -> ScreenLayout {
    screen_with(area, false)
}

/// Like [`screen`], with the detail pane alone over the whole body when `detail_alone` (zoomed,
/// or focused where two panes do not fit); the list is then an empty rectangle.
pub fn screen_with(area: Rect, detail_alone: bool) -> ScreenLayout {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    if detail_alone {
        return ScreenLayout {
            header,
            list: Rect::new(body.x, body.y, 0, 0),
            detail: Some(body),
            status,
        };
    }
    if two_panes(body.width) {
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

/// The search view: the whole body, between the header and the status line (which stay, with the
/// sync gauge and the hints).
pub fn search_view(area: Rect) -> Rect {
    let l = screen(area);
    Rect::new(
        area.x,
        l.header.bottom(),
        area.width,
        l.status.y.saturating_sub(l.header.bottom()),
    )
}

/// How many hits fit in the search view: two rows each (the session, the snippet), inside its
/// border and below the query and the summary line.
pub fn search_results(viewport: (u16, u16)) -> usize {
    let view = search_view(Rect::new(0, 0, viewport.0, viewport.1));
    usize::from(view.height.saturating_sub(4) / 2).max(1)
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
