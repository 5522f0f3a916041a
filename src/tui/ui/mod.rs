//! Drawing only: every function reads `&State` and paints a `Frame`. No I/O, no mutation, so
//! each screen is a snapshot test.

mod create;
mod detail;
mod export;
mod header;
mod help;
mod list;
mod messages;
mod search;
mod sign_in;
pub mod status;
mod workspaces;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::app::State;
use crate::tui::app::layout;
use crate::tui::app::state::Mode;

/// Spinner frames, one per tick while requests are in flight.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Draws the whole screen for `state`.
pub fn draw(state: &State, frame: &mut Frame) {
    let area = frame.area();
    if !layout::fits(area) {
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(Line::from("terminal too small")).wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let screen = layout::screen_with(area, crate::tui::app::reader::detail_alone(state));
    header::render(state, screen.header, frame);
    if !screen.list.is_empty() {
        list::render(state, screen.list, frame);
    }
    if let Some(detail) = screen.detail {
        detail::render(state, detail, frame);
    }
    status::render(state, screen.status, frame);
    match state.mode() {
        Mode::Creating(create) => create::render(state, create, area, frame),
        Mode::Help(view) => help::render(state, view, area, frame),
        Mode::PickingWorkspace(picker) => workspaces::render(state, picker, area, frame),
        Mode::PickingExport(picker) => export::render(state, picker, area, frame),
        Mode::SigningIn(popup) => sign_in::render(state, popup, area, frame),
        Mode::Messages(view) => messages::render(state, view, area, frame),
        Mode::Searching => search::render(state, area, frame),
        _ => {}
    }
}

/// The frame of every pane and popup: plain borders all round in `border_style`, one look for
/// all of them; each adds its own titles.
pub(crate) fn bordered<'a>(border_style: Style) -> Block<'a> {
    Block::bordered().border_style(border_style)
}

/// A rectangle of `width` × `height` centred in `area` (clamped to it).
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Clears a popup's area, and the wide characters cut by its edges: a CJK character just left of
/// the popup would otherwise be drawn over the left border by the terminal (and one cut by the
/// right edge would leave half a character).
pub(crate) fn clear_popup(frame: &mut Frame, popup: Rect) {
    use unicode_width::UnicodeWidthStr;
    frame.render_widget(Clear, popup);
    let bounds = frame.area();
    let buffer = frame.buffer_mut();
    for y in popup.top()..popup.bottom() {
        if popup.left() > bounds.left()
            && let Some(cell) = buffer.cell_mut((popup.left() - 1, y))
            && cell.symbol().width() > 1
        {
            cell.set_symbol(" ");
        }
        if popup.right() < bounds.right()
            && let Some(cell) = buffer.cell_mut((popup.right(), y))
            && cell.symbol().is_empty()
        {
            cell.set_symbol(" ");
        }
    }
}
