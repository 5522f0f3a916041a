//! The export picker (`e`): the formats one session can be written in, the last one chosen
//! selected, and the file it will be written to.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, clear_popup};
use crate::export::Format;
use crate::tui::app::State;
use crate::tui::app::state::{EXPORT_FORMATS, ExportPicker};
use sctui_app::keys::Action;
use sctui_app::sanitize::truncate;

/// What a format is called in the picker, with what it is for.
fn label(format: Format) -> &'static str {
    match format {
        Format::Markdown => "Markdown   as the reader shows it",
        Format::Html => "HTML       one page to open, print or mail",
        Format::Json => "JSON       Graph's names, for scripts",
        Format::Csv => "CSV        one row per question",
    }
}

/// Draws the picker over `area`.
pub fn render(state: &State, picker: &ExportPicker, area: Rect, frame: &mut Frame) {
    let theme = &state.settings().theme;
    let popup = centered(area, 50, EXPORT_FORMATS.len() as u16 + 4);
    clear_popup(frame, popup);
    let keys = super::status::keys_text(
        state,
        &[(Action::Choose, "export"), (Action::PickClose, "cancel")],
    );
    let block = super::bordered(theme.border_focused)
        .title(Line::from(Span::styled(" Export as ", theme.title)))
        .title_bottom(Line::from(Span::styled(format!(" {keys} "), theme.dim)));
    let width = usize::from(popup.width.saturating_sub(2));
    let mut lines: Vec<Line> = EXPORT_FORMATS
        .iter()
        .enumerate()
        .map(|(i, format)| {
            let selected = i == picker.selected;
            let text = format!("{} {}", if selected { "›" } else { " " }, label(*format));
            let text = truncate(&text, width).into_owned();
            if selected {
                Line::from(Span::styled(text, theme.selected))
            } else {
                Line::from(text)
            }
        })
        .collect();
    // where it goes: the name of a new file in the export folder (never one overwritten)
    let format = EXPORT_FORMATS[picker.selected.min(EXPORT_FORMATS.len() - 1)];
    let name = crate::export::file_name(&picker.session, format);
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        truncate(&format!("to {name}"), width).into_owned(),
        theme.dim,
    )));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
