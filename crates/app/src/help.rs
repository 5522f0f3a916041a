//! The `?` overlay laid out for the terminal: its size, and its rows with each description
//! wrapped under its own column where the overlay is narrower than the longest one. `update`
//! reads it to know how far the overlay scrolls, the drawing to draw it, so the two agree.

use ratatui_core::layout::Rect;
use ratatui_core::text::{Line, Span};

use crate::State;
use crate::keys::HelpLine;
use crate::markdown::{drawn_width, wrap};

/// The widest the keys column gets: longer key lists (the editors') run past it on their row
/// rather than widen it for all.
const KEY_COLUMN: usize = 15;

/// The overlay as drawn in a given terminal.
#[derive(Debug, Clone)]
pub struct HelpLayout {
    /// The overlay's size, borders included (it is centred in the terminal).
    pub width: u16,
    pub height: u16,
    /// Every row inside the borders, in order (headings, keys with what they do, and the wrapped
    /// rest of long descriptions).
    pub rows: Vec<Line<'static>>,
}

impl HelpLayout {
    /// Rows that fit inside the borders.
    pub fn visible(&self) -> usize {
        usize::from(self.height.saturating_sub(2))
    }

    /// The furthest the overlay scrolls: the last row at the bottom.
    pub fn max_scroll(&self) -> usize {
        self.rows.len().saturating_sub(self.visible())
    }
}

/// Lays out the overlay of the keymap in force for a terminal of `viewport` columns × rows.
pub fn layout(state: &State, viewport: (u16, u16)) -> HelpLayout {
    let theme = &state.settings.theme;
    let area = Rect::new(0, 0, viewport.0, viewport.1);
    let lines = state.settings.keymap.help_lines();
    let key_width = lines
        .iter()
        .map(|l| match l {
            HelpLine::Row(k, _) => drawn_width(k),
            HelpLine::Heading(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .min(KEY_COLUMN);
    // a space, the keys column, a space, then what the key does
    let hang = key_width + 2;
    let natural = lines
        .iter()
        .map(|l| match l {
            HelpLine::Row(_, what) => hang + drawn_width(what),
            HelpLine::Heading(title) => drawn_width(title),
        })
        .max()
        .unwrap_or(0);
    let width = (natural + 2).min(usize::from(area.width)) as u16;
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let mut rows = Vec::with_capacity(lines.len());
    for line in lines {
        match line {
            HelpLine::Heading(title) => rows.push(Line::from(Span::styled(title, theme.title))),
            HelpLine::Row(keys, what) => {
                let pad = key_width.saturating_sub(drawn_width(&keys));
                let line = Line::from(vec![
                    Span::styled(format!(" {keys}{} ", " ".repeat(pad)), theme.key),
                    Span::raw(what),
                ]);
                rows.extend(wrap(&line, &[], inner, hang).into_iter().map(|w| w.line));
            }
        }
    }
    let height = (rows.len() + 2).min(usize::from(area.height)) as u16;
    HelpLayout {
        width,
        height,
        rows,
    }
}
