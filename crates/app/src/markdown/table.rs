//! Tables laid out for a pane width, so they read by scrolling down: at their natural width when
//! they fit; else with cell text wrapped inside columns sized to fit (as the portal does); else,
//! when even the narrowest columns would not fit, each row as a record of `column: value` lines.
//! Kept wide on request, a table scrolls sideways with its first column frozen.

use pulldown_cmark::Alignment;
use ratatui_core::style::Style;
use ratatui_core::text::{Line, Span};
use unicode_linebreak::linebreaks;

use super::wrap::{LinkRange, Wrapped, drawn_width, line_width, wrap};
use crate::theme::Theme;

/// One line of a cell (a `<br>` starts the next), with each span's link.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CellLine {
    pub line: Line<'static>,
    pub links: Vec<Option<u16>>,
}

/// A cell: its lines.
pub type Cell = Vec<CellLine>;

/// A Markdown table as parsed, before it meets a width.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub alignments: Vec<Alignment>,
    /// How many of `rows` are the header.
    pub header_rows: usize,
    pub rows: Vec<Vec<Cell>>,
    /// What each row starts with (the bars of the quotes the table sits in).
    pub indent: Vec<Span<'static>>,
}

/// A table row drawn sideways-scrolled: its full width and the columns that stay put (the
/// indent and the first column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wide {
    pub width: usize,
    pub frozen: u16,
}

/// One drawn row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub line: Line<'static>,
    pub links: Vec<LinkRange>,
    /// `Some` for a row of a table kept wide (wider than the pane).
    pub wide: Option<Wide>,
}

/// How a table was laid out (for tests and the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// At its natural width.
    Natural,
    /// Cell text wrapped in columns sized to fit.
    Wrapped,
    /// Each row as `column: value` lines.
    Records,
    /// Wider than the pane, scrolled sideways.
    Wide,
}

/// A column narrower than this is not worth reading: records instead.
const MIN_COLUMN: usize = 4;
/// Words longer than this (URLs, hashes, base64) are split inside a column rather than
/// making it this wide.
const LONGEST_WORD: usize = 16;

impl Table {
    fn columns(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn cell(&self, row: usize, column: usize) -> &[CellLine] {
        self.rows
            .get(row)
            .and_then(|r| r.get(column))
            .map_or(&[], Vec::as_slice)
    }

    /// The widest line of each column.
    fn natural_widths(&self) -> Vec<usize> {
        let mut widths = vec![0; self.columns()];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                for l in cell {
                    widths[i] = widths[i].max(line_width(&l.line));
                }
            }
        }
        widths
    }

    /// The longest word of each column (capped at [`LONGEST_WORD`], at least [`MIN_COLUMN`]).
    fn narrowest_widths(&self) -> Vec<usize> {
        let mut widths = vec![MIN_COLUMN; self.columns()];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                for l in cell {
                    let text = plain(&l.line);
                    let mut from = 0;
                    for (at, _) in linebreaks(&text) {
                        let word = drawn_width(text[from..at].trim_end());
                        widths[i] = widths[i].max(word.min(LONGEST_WORD));
                        from = at;
                    }
                }
            }
        }
        widths
    }

    /// Which layout the table gets at `width` columns.
    pub fn shape(&self, width: usize, keep_wide: bool) -> Shape {
        let columns = self.columns();
        let room = width.saturating_sub(line_width(&Line::from(self.indent.clone())));
        let borders = 3 * columns + 1;
        let natural: usize = self.natural_widths().iter().sum();
        if natural + borders <= room {
            Shape::Natural
        } else if keep_wide {
            Shape::Wide
        } else if self.narrowest_widths().iter().sum::<usize>() + borders <= room {
            Shape::Wrapped
        } else {
            Shape::Records
        }
    }

    /// The table's rows for a pane `width` columns wide.
    pub fn lay_out(&self, width: usize, keep_wide: bool, theme: &Theme) -> Vec<TableRow> {
        let indent_width = line_width(&Line::from(self.indent.clone()));
        let room = width.saturating_sub(indent_width);
        let borders = 3 * self.columns() + 1;
        match self.shape(width, keep_wide) {
            Shape::Natural => self.grid(&self.natural_widths(), None, theme),
            Shape::Wide => {
                let widths = self.natural_widths();
                let total = indent_width + widths.iter().sum::<usize>() + borders;
                let first = indent_width + 2 + widths.first().copied().unwrap_or(0) + 3;
                // a first column too wide to keep beside the others is not frozen
                let frozen = if first * 2 <= width { first } else { 0 };
                let wide = Wide {
                    width: total,
                    frozen: u16::try_from(frozen).unwrap_or(0),
                };
                self.grid(&widths, Some(wide), theme)
            }
            Shape::Wrapped => {
                let widths = fit(
                    &self.natural_widths(),
                    &self.narrowest_widths(),
                    room.saturating_sub(borders),
                );
                self.grid(&widths, None, theme)
            }
            Shape::Records => self.records(width, theme),
        }
    }

    /// Rows with columns `widths` wide, cell text wrapped inside them.
    fn grid(&self, widths: &[usize], wide: Option<Wide>, theme: &Theme) -> Vec<TableRow> {
        let border = theme.dim;
        let mut out = Vec::new();
        let cells: Vec<Vec<Vec<Wrapped>>> = (0..self.rows.len())
            .map(|r| {
                widths
                    .iter()
                    .enumerate()
                    .map(|(i, &w)| {
                        self.cell(r, i)
                            .iter()
                            .flat_map(|l| wrap(&l.line, &l.links, w.max(1), 0))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let tall = cells
            .iter()
            .skip(self.header_rows)
            .any(|row| row.iter().any(|c| c.len() > 1));
        let rule = |left: &str, middle: &str, right: &str| {
            let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w + 2)).collect();
            let mut spans = self.indent.clone();
            spans.push(Span::styled(
                format!("{left}{}{right}", parts.join(middle)),
                border,
            ));
            TableRow {
                line: Line::from(spans),
                links: Vec::new(),
                wide,
            }
        };
        for (r, row) in cells.iter().enumerate() {
            if r > self.header_rows && tall {
                out.push(rule("├", "┼", "┤"));
            }
            let height = row.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let style = if r < self.header_rows {
                theme.title
            } else {
                Style::new()
            };
            for k in 0..height {
                let mut spans = self.indent.clone();
                let mut col = line_width(&Line::from(spans.clone()));
                let mut links = Vec::new();
                for (i, w) in widths.iter().enumerate() {
                    let sep = if i == 0 { "│ " } else { " │ " };
                    spans.push(Span::styled(sep, border));
                    col += drawn_width(sep);
                    let piece = row[i].get(k);
                    let used = piece.map_or(0, |p| line_width(&p.line));
                    let pad = w.saturating_sub(used);
                    let (left, right) = match self.alignments.get(i) {
                        Some(Alignment::Right) => (pad, 0),
                        Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                        _ => (0, pad),
                    };
                    if left > 0 {
                        spans.push(Span::raw(" ".repeat(left)));
                    }
                    if let Some(piece) = piece {
                        let at = u16::try_from(col + left).unwrap_or(u16::MAX);
                        links.extend(piece.links.iter().map(|l| LinkRange {
                            start: l.start.saturating_add(at),
                            end: l.end.saturating_add(at),
                            link: l.link,
                        }));
                        spans.extend(piece.line.spans.iter().map(|s| {
                            let mut s = s.clone();
                            s.style = style.patch(s.style);
                            s
                        }));
                    }
                    if right > 0 {
                        spans.push(Span::raw(" ".repeat(right)));
                    }
                    col += w;
                }
                spans.push(Span::styled(" │", border));
                out.push(TableRow {
                    line: Line::from(spans),
                    links,
                    wide,
                });
            }
            if r + 1 == self.header_rows {
                out.push(rule("├", "┼", "┤"));
            }
        }
        out
    }

    /// Each body row as `column: value` lines, wrapped to `width`, records apart by a rule.
    fn records(&self, width: usize, theme: &Theme) -> Vec<TableRow> {
        let headers: Vec<String> = (0..self.columns())
            .map(|i| {
                let name = (0..self.header_rows)
                    .flat_map(|r| self.cell(r, i).iter().map(|l| plain(&l.line)))
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = name.trim().to_string();
                if name.is_empty() {
                    format!("Column {}", i + 1)
                } else {
                    name
                }
            })
            .collect();
        let indent_width = line_width(&Line::from(self.indent.clone()));
        let mut out = Vec::new();
        for r in self.header_rows..self.rows.len() {
            if r > self.header_rows {
                let mut spans = self.indent.clone();
                let rule = width.saturating_sub(indent_width).clamp(1, 24);
                spans.push(Span::styled("─".repeat(rule), theme.dim));
                out.push(TableRow {
                    line: Line::from(spans),
                    links: Vec::new(),
                    wide: None,
                });
            }
            for (i, header) in headers.iter().enumerate() {
                // an empty value keeps its line: the column's name is part of the text
                let empty = [CellLine::default()];
                let cell = match self.cell(r, i) {
                    [] => &empty[..],
                    cell => cell,
                };
                let label = format!("{header}: ");
                // a label too wide to hang the value under goes on a line of its own
                let own_line = (indent_width + drawn_width(&label)) * 3 > width;
                if own_line {
                    let mut spans = self.indent.clone();
                    spans.push(Span::styled(label.trim_end().to_string(), theme.title));
                    for row in wrap(&Line::from(spans), &[], width, indent_width) {
                        out.push(TableRow {
                            line: row.line,
                            links: row.links,
                            wide: None,
                        });
                    }
                }
                let lead = if own_line {
                    "  ".to_string()
                } else {
                    " ".repeat(drawn_width(&label))
                };
                let hang = indent_width + drawn_width(&lead);
                for (k, l) in cell.iter().enumerate() {
                    let mut spans = self.indent.clone();
                    let mut links = vec![None; spans.len()];
                    if k == 0 && !own_line {
                        spans.push(Span::styled(label.clone(), theme.title));
                    } else {
                        spans.push(Span::raw(lead.clone()));
                    }
                    links.push(None);
                    spans.extend(l.line.spans.iter().cloned());
                    links.extend(l.links.iter().copied());
                    links.resize(spans.len(), None);
                    for row in wrap(&Line::from(spans), &links, width, hang) {
                        out.push(TableRow {
                            line: row.line,
                            links: row.links,
                            wide: None,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Column widths between `narrowest` and `natural` adding up to at most `room`, shared as
/// water fills vessels: a column that needs less than an equal share gets all it needs (so short
/// columns stay whole), the others split what is left equally (never below their narrowest),
/// and what is left over goes to the column that lacks most.
fn fit(natural: &[usize], narrowest: &[usize], room: usize) -> Vec<usize> {
    let n = natural.len();
    let mut widths = vec![0; n];
    let mut open: Vec<usize> = (0..n).collect();
    let mut room_left = room;
    // short columns first: each that fits an equal share of what is left is given its width
    loop {
        if open.is_empty() {
            break;
        }
        let share = room_left / open.len();
        let Some(at) = open.iter().position(|&i| natural[i] <= share) else {
            break;
        };
        let i = open.remove(at);
        widths[i] = natural[i];
        room_left -= natural[i];
    }
    // the long ones: their narrowest where that is more than a share, equal shares otherwise
    loop {
        if open.is_empty() {
            break;
        }
        let share = room_left / open.len();
        let Some(at) = open.iter().position(|&i| narrowest[i] > share) else {
            for &i in &open {
                widths[i] = share.max(1);
            }
            room_left -= share * open.len();
            break;
        };
        let i = open.remove(at);
        widths[i] = narrowest[i];
        room_left = room_left.saturating_sub(narrowest[i]);
    }
    while room_left > 0 {
        let Some((i, _)) = widths
            .iter()
            .zip(natural)
            .enumerate()
            .map(|(i, (w, n))| (i, n.saturating_sub(*w)))
            .filter(|(_, lack)| *lack > 0)
            .max_by_key(|(i, lack)| (*lack, std::cmp::Reverse(*i)))
        else {
            break;
        };
        widths[i] += 1;
        room_left -= 1;
    }
    widths
}

/// A line's text without styles.
fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}
