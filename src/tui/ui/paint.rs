//! Writing lines and pane borders into the frame's buffer: cell for cell what ratatui's
//! `Buffer::set_line` / `set_stringn`, `Paragraph` and `Block` write, for less work, because
//! a frame is drawn on every change and its cost is what the user waits for (issue 11, part 9).
//!
//! Two savings. A run of printable ASCII is written a byte per cell: each such byte is a
//! grapheme one column wide, so splitting it into graphemes and measuring each (what ratatui
//! does for every string) changes nothing; anything else goes through ratatui's own grapheme
//! path. And no cell is restyled with the empty style: ratatui's `Block` and `Paragraph` restyle
//! every cell of their area even when their style is the default, which leaves the cells as
//! they were. The tests below compare each helper with the ratatui call it replaces.

use ratatui::buffer::{Buffer, Cell, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};
use unicode_segmentation::UnicodeSegmentation;

/// Bytes at the start of `text` that are each one grapheme of one column: printable ASCII, but
/// not the last such byte before anything else, which may start a grapheme with what follows
/// (`e` and a combining accent). Two printable ASCII characters are never one grapheme, so the
/// graphemes of the rest are the rest of the graphemes of `text`.
fn ascii_run(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes
        .iter()
        .position(|b| !b.is_ascii_graphic() && *b != b' ')
    {
        None => bytes.len(),
        Some(first_other) => first_other.saturating_sub(1),
    }
}

/// Where the next run of printable ASCII starts after `from`: the first place where two
/// printable ASCII characters meet (always a grapheme boundary), or the end.
fn next_ascii_pair(bytes: &[u8], from: usize) -> usize {
    let printable = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    (from.max(1)..bytes.len())
        .find(|&i| printable(&bytes[i - 1]) && printable(&bytes[i]))
        .unwrap_or(bytes.len())
}

/// A piece of text as ratatui draws it: a run of printable ASCII (a cell per byte, one column
/// each), or one grapheme without control characters and its width as ratatui measures it.
enum Piece<'a> {
    Ascii(&'a str),
    Grapheme(&'a str, u16),
}

/// The pieces of a text: runs of printable ASCII are passed whole without being segmented; what
/// lies between them is segmented as ratatui does, control characters left out.
struct Pieces<'a> {
    text: &'a str,
    /// Where the next run starts.
    at: usize,
    /// The graphemes before it (a segmenter is only set up where there is something to segment).
    between: Option<unicode_segmentation::Graphemes<'a>>,
}

impl<'a> Pieces<'a> {
    fn new(text: &'a str) -> Self {
        Pieces {
            text,
            at: 0,
            between: None,
        }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        loop {
            if let Some(between) = &mut self.between {
                match between.next() {
                    Some(grapheme) if grapheme.contains(char::is_control) => continue,
                    Some(grapheme) => {
                        return Some(Piece::Grapheme(grapheme, grapheme.cell_width()));
                    }
                    None => self.between = None,
                }
            }
            let text = self.text;
            if self.at >= text.len() {
                return None;
            }
            let end = self.at + ascii_run(&text[self.at..]);
            let next = next_ascii_pair(text.as_bytes(), end + 1);
            let run = &text[self.at..end];
            if next > end {
                self.between = Some(text[end..next].graphemes(true));
            }
            self.at = next;
            if !run.is_empty() {
                return Some(Piece::Ascii(run));
            }
        }
    }
}

/// A cell for each printable ASCII character, built at compile time. Writing a character by
/// cloning its cell copies a ready symbol, where `Cell::set_symbol` builds one (most of the
/// cost of writing a cell).
static ASCII_CELLS: [Cell; 95] = {
    const PRINTABLE: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@\
                             ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    let mut cells = [Cell::EMPTY; 95];
    let mut i = 0;
    while i < cells.len() {
        let (_, from) = PRINTABLE.as_bytes().split_at(i);
        let (byte, _) = from.split_at(1);
        let Ok(symbol) = core::str::from_utf8(byte) else {
            panic!("printable ASCII")
        };
        // the empty cell it replaces owns nothing
        core::mem::forget(core::mem::replace(&mut cells[i], Cell::new(symbol)));
        i += 1;
    }
    cells
};

/// Gives `cell` the symbol of `ready` (a cell built at compile time), as `Cell::set_symbol`
/// would: the cell keeps its style and diff options.
fn put_symbol(cell: &mut Cell, ready: &Cell) {
    let mut written = ready.clone();
    written
        .set_style(cell.style())
        .set_diff_option(cell.diff_option);
    #[allow(deprecated)]
    {
        written.skip = cell.skip;
    }
    *cell = written;
}

/// Writes `run` (printable ASCII) a byte per cell from `(x, y)`, as `set_symbol` and
/// `set_style` would; the caller checked that the cells are in the row.
fn put_ascii(buf: &mut Buffer, x: u16, y: u16, run: &str, style: Style) {
    if run.is_empty() {
        return;
    }
    let start = buf.index_of(x, y);
    for (cell, byte) in buf.content[start..start + run.len()]
        .iter_mut()
        .zip(run.bytes())
    {
        // a blank cell already shows a space (a cell with no symbol equals one with " ")
        if byte != b' ' || cell.symbol() != " " {
            put_symbol(cell, &ASCII_CELLS[usize::from(byte - b' ')]);
        }
        cell.set_style(style);
    }
}

/// `Buffer::set_stringn`: `text` from `(x, y)`, at most `max_width` columns and not past the
/// buffer's right edge, control characters left out, stopping at the first grapheme that does
/// not fit; a wide grapheme's hidden cells are reset. Where it stopped, and on which row.
pub(crate) fn set_stringn(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    text: &str,
    max_width: usize,
    style: Style,
) -> (u16, u16) {
    let max_width = u16::try_from(max_width).unwrap_or(u16::MAX);
    let mut remaining = buf.area.right().saturating_sub(x).min(max_width);
    let mut x = x;
    for piece in Pieces::new(text) {
        match piece {
            Piece::Ascii(run) => {
                let fits = run.len().min(usize::from(remaining));
                put_ascii(buf, x, y, &run[..fits], style);
                // `fits` is at most `remaining`, a u16
                x += fits as u16;
                remaining -= fits as u16;
                if fits < run.len() {
                    break;
                }
            }
            Piece::Grapheme(_, 0) => {}
            Piece::Grapheme(grapheme, width) => {
                let Some(left) = remaining.checked_sub(width) else {
                    break;
                };
                remaining = left;
                buf[(x, y)].set_symbol(grapheme).set_style(style);
                for hidden in x + 1..x + width {
                    buf[(hidden, y)].reset();
                }
                x += width;
            }
        }
    }
    (x, y)
}

/// `Buffer::set_line`: the spans of `line` one after the other from `(x, y)`, each in the
/// line's style patched with its own, at most `max_width` columns in all.
pub(crate) fn set_line(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    line: &Line<'_>,
    max_width: u16,
) -> (u16, u16) {
    let mut remaining = max_width;
    let mut x = x;
    for span in &line.spans {
        if remaining == 0 {
            break;
        }
        let (end, _) = set_stringn(
            buf,
            x,
            y,
            &span.content,
            usize::from(remaining),
            line.style.patch(span.style),
        );
        remaining = remaining.saturating_sub(end.saturating_sub(x));
        x = end;
    }
    (x, y)
}

/// `Paragraph::new(lines).style(style)` rendered in `area` (no wrapping, no scrolling): the area
/// takes `style` (skipped when it is the default, which changes nothing), then each line is
/// written in its row, cut at the first grapheme that does not fit.
pub(crate) fn paragraph(buf: &mut Buffer, area: Rect, lines: &[Line<'_>], style: Style) {
    if lines
        .iter()
        .any(|l| l.alignment.is_some_and(|a| a != Alignment::Left))
    {
        // aligned lines are placed by their width: ratatui's own path
        Paragraph::new(lines.to_vec())
            .style(style)
            .render(area, buf);
        return;
    }
    let area = area.intersection(buf.area);
    if style != Style::default() {
        buf.set_style(area, style);
    }
    if area.is_empty() {
        return;
    }
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        paragraph_line(buf, area, y, line);
    }
}

/// One row of [`paragraph`], as ratatui's `LineTruncator` and `render_line` do it: a grapheme
/// wider than the whole area is left out, the first one that does not fit ends the line, a wide
/// grapheme's hidden cells are left as they are. The paragraph's own style is not in the cells'
/// styles (only in the area's).
fn paragraph_line(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    let max = area.width;
    let mut used: u16 = 0;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        for piece in Pieces::new(&span.content) {
            match piece {
                Piece::Ascii(run) => {
                    let fits = run.len().min(usize::from(max - used));
                    put_ascii(buf, area.left() + used, y, &run[..fits], style);
                    // `fits` is at most `max - used`, a u16
                    used += fits as u16;
                    if fits < run.len() {
                        return;
                    }
                }
                Piece::Grapheme(_, width) if width > max => {}
                Piece::Grapheme(_, width) if used + width > max => return,
                Piece::Grapheme(_, 0) => {}
                Piece::Grapheme(grapheme, width) => {
                    buf[(area.left() + used, y)]
                        .set_symbol(grapheme)
                        .set_style(style);
                    used += width;
                }
            }
        }
    }
}

/// The plain border's cells: vertical, horizontal, then the corners top left, top right,
/// bottom left, bottom right.
static BORDER_CELLS: [Cell; 6] = {
    use ratatui::symbols::line;
    [
        Cell::new(line::VERTICAL),
        Cell::new(line::HORIZONTAL),
        Cell::new(line::TOP_LEFT),
        Cell::new(line::TOP_RIGHT),
        Cell::new(line::BOTTOM_LEFT),
        Cell::new(line::BOTTOM_RIGHT),
    ]
};

/// A pane's frame: ratatui's `Block` with all four plain borders in `border_style`, a title at
/// the top left, optionally one at the top right and one at the bottom left, without the
/// block's restyling of every cell inside it (its style is the default).
pub(crate) struct Pane<'a> {
    pub border_style: Style,
    pub title: Line<'a>,
    pub title_right: Option<Line<'a>>,
    pub title_bottom: Option<Line<'a>>,
}

impl Pane<'_> {
    /// The area inside the borders.
    pub(crate) fn inner(area: Rect) -> Rect {
        let mut inner = area;
        inner.x = inner.x.saturating_add(1).min(inner.right());
        inner.width = inner.width.saturating_sub(1);
        inner.y = inner.y.saturating_add(1).min(inner.bottom());
        inner.height = inner.height.saturating_sub(1);
        inner.width = inner.width.saturating_sub(1);
        inner.height = inner.height.saturating_sub(1);
        inner
    }

    /// Draws the borders and titles in the order `Block` does: sides, corners, then the top
    /// titles (left, then right) and the bottom one.
    pub(crate) fn render(&self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (left, top) = (area.left(), area.top());
        let right = area.right().saturating_sub(1);
        let bottom = area.bottom().saturating_sub(1);
        let mut put = |x: u16, y: u16, symbol: &Cell| {
            let cell = &mut buf[(x, y)];
            put_symbol(cell, symbol);
            cell.set_style(self.border_style);
        };
        // the sides run corner to corner, as with the block's default merge (replace)
        let (rows, columns) = (top..=bottom, left..=right);
        let [
            vertical,
            horizontal,
            top_left,
            top_right,
            bottom_left,
            bottom_right,
        ] = &BORDER_CELLS;
        for y in rows.clone() {
            put(left, y, vertical);
        }
        for x in columns.clone() {
            put(x, top, horizontal);
        }
        for y in rows {
            put(right, y, vertical);
        }
        for x in columns {
            put(x, bottom, horizontal);
        }
        put(right, bottom, bottom_right);
        put(right, top, top_right);
        put(left, bottom, bottom_left);
        put(left, top, top_left);
        let titles = Rect {
            x: left.saturating_add(1),
            y: top,
            width: area.width.saturating_sub(2),
            height: 1,
        };
        title_left(&self.title, titles, buf);
        if let Some(title) = &self.title_right {
            title_right(title, titles, buf);
        }
        if let Some(title) = &self.title_bottom {
            title_left(
                title,
                Rect {
                    y: bottom,
                    ..titles
                },
                buf,
            );
        }
    }
}

/// The width `Block` gives a title.
fn title_width(title: &Line<'_>) -> u16 {
    u16::try_from(title.width()).unwrap_or(u16::MAX)
}

/// A title at the left of `titles` (the row between the corners), as `Block` places it.
fn title_left(title: &Line<'_>, titles: Rect, buf: &mut Buffer) {
    if titles.is_empty() {
        return;
    }
    let area = Rect {
        width: title_width(title).min(titles.width),
        ..titles
    };
    title.render(area, buf);
}

/// A title at the right of `titles` (drawn after the left one, so it wins where they overlap).
fn title_right(title: &Line<'_>, titles: Rect, buf: &mut Buffer) {
    if titles.is_empty() {
        return;
    }
    let width = title_width(title);
    let area = Rect {
        x: titles.right().saturating_sub(width).max(titles.left()),
        width: width.min(titles.width),
        ..titles
    };
    title.render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::buffer::CellDiffOption;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders};

    /// Pieces of text that stress grapheme splitting and widths: ASCII, controls, combining
    /// marks, wide and zero-width characters, emoji with VS16 and ZWJ, halfwidth sound marks,
    /// Hangul jamo, regional indicators, prepended marks (which join what follows).
    const PIECES: &[&str] = &[
        "a",
        "Z",
        " ",
        "~",
        "|",
        "-",
        "e",
        "\u{301}",
        "\t",
        "\n",
        "\r",
        "\r\n",
        "\x1b",
        "\x7f",
        "中",
        "文",
        "│",
        "─",
        "…",
        "•",
        "✓",
        "⚠\u{fe0f}",
        "👍",
        "👨\u{200d}👩",
        "\u{200b}",
        "\u{200d}",
        "ｶ",
        "\u{ff9e}",
        "\u{1100}",
        "\u{1161}",
        "\u{1f1e6}",
        "\u{1f1e8}",
        "é",
        "#\u{fe0f}\u{20e3}",
        "\u{0915}\u{094d}",
        "\u{85}",
        "\u{600}",
        "\u{d4e}",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|p| p.concat())
    }

    fn style() -> impl Strategy<Value = Style> {
        (0u8..6, 0u8..4).prop_map(|(c, m)| {
            let mut s = Style::new();
            if c > 0 {
                s = s.fg(Color::Indexed(c));
            }
            if c > 3 {
                s = s.bg(Color::Indexed(c + 10));
            }
            match m {
                1 => s.add_modifier(Modifier::BOLD),
                2 => s.add_modifier(Modifier::REVERSED),
                3 => s.remove_modifier(Modifier::BOLD),
                _ => s,
            }
        })
    }

    fn line() -> impl Strategy<Value = Line<'static>> {
        line_of(text())
    }

    /// Titles: text whose width is the sum of its graphemes' widths (ratatui's truncation of a
    /// too-wide right-aligned title asserts that in debug builds, for `Block` as for `Pane`).
    fn title() -> impl Strategy<Value = Line<'static>> {
        const TITLE_PIECES: &[&str] = &["a", "Z", " ", "-", "中", "文", "…", "•", "│", "é"];
        line_of(
            prop::collection::vec(prop::sample::select(TITLE_PIECES), 0..24)
                .prop_map(|p| p.concat()),
        )
    }

    fn line_of(text: impl Strategy<Value = String>) -> impl Strategy<Value = Line<'static>> {
        (prop::collection::vec((text, style()), 0..4), style()).prop_map(|(spans, s)| {
            Line::from(
                spans
                    .into_iter()
                    .map(|(t, st)| Span::styled(t, st))
                    .collect::<Vec<_>>(),
            )
            .style(s)
        })
    }

    /// A 16×4 buffer at (2, 1) already holding text, wide characters and styles, so that what a
    /// helper overwrites or leaves shows.
    fn canvas() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(2, 1, 16, 4));
        buf.set_string(
            2,
            1,
            "old 中文 text ⚠\u{fe0f}!",
            Style::new().fg(Color::Red),
        );
        buf.set_string(4, 2, "x中y", Style::new().bg(Color::Blue));
        buf.set_style(
            Rect::new(10, 3, 5, 2),
            Style::new().add_modifier(Modifier::BOLD),
        );
        buf.set_style(
            Rect::new(3, 3, 6, 1),
            Style::new().underline_color(Color::Green),
        );
        buf[(6, 4)].set_diff_option(CellDiffOption::Skip);
        buf[(7, 4)].set_diff_option(CellDiffOption::AlwaysUpdate);
        #[allow(deprecated)]
        {
            buf[(8, 4)].skip = true;
        }
        buf
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn set_stringn_writes_what_ratatui_writes(
            t in text(), x in 2u16..20, y in 1u16..5, max in 0usize..20, s in style()
        ) {
            let (mut ours, mut theirs) = (canvas(), canvas());
            let a = set_stringn(&mut ours, x, y, &t, max, s);
            let b = theirs.set_stringn(x, y, &t, max, s);
            prop_assert_eq!(a, b);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn set_line_writes_what_ratatui_writes(
            l in line(), x in 2u16..20, y in 1u16..5, max in 0u16..20
        ) {
            let (mut ours, mut theirs) = (canvas(), canvas());
            let a = set_line(&mut ours, x, y, &l, max);
            let b = theirs.set_line(x, y, &l, max);
            prop_assert_eq!(a, b);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn paragraph_writes_what_ratatui_writes(
            lines in prop::collection::vec(line(), 0..6),
            x in 0u16..20, y in 0u16..6, w in 0u16..20, h in 0u16..6, s in style(),
            aligned in prop::bool::weighted(0.1)
        ) {
            let mut lines = lines;
            if aligned && let Some(first) = lines.first_mut() {
                *first = first.clone().right_aligned();
            }
            let area = Rect::new(x, y, w, h);
            let (mut ours, mut theirs) = (canvas(), canvas());
            paragraph(&mut ours, area, &lines, s);
            Paragraph::new(lines.clone()).style(s).render(area, &mut theirs);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn pane_draws_what_block_draws(
            x in 0u16..20, y in 0u16..6, w in 0u16..20, h in 0u16..6, border in style(),
            title in title(), right in prop::option::of(title()), bottom in prop::option::of(title())
        ) {
            let area = Rect::new(x, y, w, h);
            let pane = Pane {
                border_style: border,
                title: title.clone(),
                title_right: right.clone().map(Line::right_aligned),
                title_bottom: bottom.clone(),
            };
            let mut block = Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(title);
            if let Some(right) = right {
                block = block.title(right.right_aligned());
            }
            if let Some(bottom) = bottom {
                block = block.title_bottom(bottom);
            }
            prop_assert_eq!(Pane::inner(area), block.inner(area));
            let (mut ours, mut theirs) = (canvas(), canvas());
            pane.render(area, &mut ours);
            block.render(area, &mut theirs);
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn the_ascii_run_stops_before_the_character_that_may_join_what_follows() {
        assert_eq!(ascii_run("plain text"), 10);
        assert_eq!(ascii_run("cafe\u{301}"), 3);
        assert_eq!(ascii_run("a\tb"), 0);
        assert_eq!(ascii_run(""), 0);
        assert_eq!(ascii_run("中"), 0);
    }
}
