//! The workspace picker (`w`): a centred list of the workspaces Graph returned, or, when that
//! list can't be read (or with `i`), a field to type a workspace id.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use tui_input::Input;

use super::centered;
use crate::tui::app::State;
use crate::tui::app::state::WorkspacePicker;
use sctui_app::keys::Action;
use sctui_app::sanitize::{CleanLine, truncate};

/// Draws the picker over `area`.
pub fn render(state: &State, picker: &WorkspacePicker, area: Rect, frame: &mut Frame) {
    if let Some(input) = &picker.typed {
        let error = picker.error.as_ref().map(sctui_app::advice::Problem::words);
        return render_typed(state, error, input, area, frame);
    }
    let theme = &state.settings().theme;
    let rows = picker.workspaces.as_ref().map_or(1, |w| w.len().max(1));
    let hints = footer(
        state,
        &[
            (Action::Choose, "switch"),
            (Action::TypeId, "type an id"),
            (Action::PickClose, "cancel"),
        ],
    );
    let inner = popup(state, centered(area, 60, rows as u16 + 3), &hints, frame);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = match &picker.workspaces {
        None => vec![Line::from(Span::styled("Loading workspaces…", theme.dim))],
        Some(list) if list.is_empty() => {
            vec![Line::from(Span::styled("No workspaces", theme.dim))]
        }
        Some(list) => list
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let current = if w.id.eq_ignore_ascii_case(state.workspace()) {
                    " (current)"
                } else {
                    ""
                };
                let name = w.name.as_deref().unwrap_or("(unnamed)");
                let text = format!(
                    "{} {name}  {}{current}",
                    if i == picker.selected { "›" } else { " " },
                    w.id_shown
                );
                let text = truncate(&text, width).into_owned();
                if i == picker.selected {
                    Line::from(Span::styled(text, theme.selected))
                } else {
                    Line::from(text)
                }
            })
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The footer's key hints (` Enter switch · Esc cancel `) from the keymap in force.
fn footer(state: &State, items: &[(Action, &str)]) -> String {
    let text = state.settings().keymap.footer(items);
    if text.is_empty() {
        text
    } else {
        format!(" {text} ")
    }
}

/// Clears `area` and draws the picker's frame with its key hints; returns the inside.
fn popup(state: &State, area: Rect, hints: &str, frame: &mut Frame) -> Rect {
    let theme = &state.settings().theme;
    frame.render_widget(Clear, area);
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(" Workspaces ", theme.title)))
        .title_bottom(Line::from(Span::styled(hints.to_string(), theme.dim)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// The id field: why the list is missing (wrapped, up to four rows), then `Workspace id: …`
/// with the terminal cursor in it.
fn render_typed(
    state: &State,
    error: Option<&CleanLine>,
    input: &Input,
    area: Rect,
    frame: &mut Frame,
) {
    let theme = &state.settings().theme;
    let error_rows: u16 = if error.is_some() { 4 } else { 0 };
    let hints = footer(
        state,
        &[(Action::Submit, "switch"), (Action::Cancel, "cancel")],
    );
    let inner = popup(state, centered(area, 60, error_rows + 4), &hints, frame);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    if let Some(error) = error {
        let rows = Rect {
            height: error_rows.min(inner.height.saturating_sub(2)),
            ..inner
        };
        let text = format!("✗ {error}");
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.error)).wrap(Wrap { trim: true }),
            rows,
        );
    }
    let label = "Workspace id: ";
    let field = usize::from(inner.width).saturating_sub(label.len() + 1);
    // typed by the user: cleaned as drawn (a paste can hold controls)
    let value = CleanLine::new(input.value());
    let scroll = input.visual_scroll(field);
    let shown = sctui_app::sanitize::skip_columns(&value, scroll);
    let y = inner.bottom() - 1;
    let line = Line::from(vec![
        Span::styled(label, theme.label),
        Span::styled(truncate(shown, field).into_owned(), theme.title),
    ]);
    frame.render_widget(
        Paragraph::new(line),
        Rect {
            y,
            height: 1,
            ..inner
        },
    );
    let x = inner.x + (label.len() + input.visual_cursor() - scroll) as u16;
    frame.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
}
