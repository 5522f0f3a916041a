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

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Bytes at the start of `text` that are each one grapheme of one column: printable ASCII, but
/// not the last such byte before anything else, which may start a grapheme with what follows
/// (`e` and a combining accent). Two printable ASCII characters are never one grapheme, so the
/// graphemes of the rest are the rest of the graphemes of `text`.
fn ascii_run(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.iter().position(|b| !(b' '..=b'~').contains(b)) {
        None => bytes.len(),
        Some(first_other) => first_other.saturating_sub(1),
    }
}

/// Writes `text[..n]` (printable ASCII) a byte per cell from `(x, y)`; the caller checked that
/// the `n` cells are in the row.
fn put_ascii(buf: &mut Buffer, x: u16, y: u16, text: &str, n: usize, style: Style) {
    if n == 0 {
        return;
    }
    let start = buf.index_of(x, y);
    for (i, cell) in buf.content[start..start + n].iter_mut().enumerate() {
        cell.set_symbol(&text[i..=i]).set_style(style);
    }
}

/// `Buffer::set_stringn`: `text` from `(x, y)`, at most `max_width` columns and not past the
/// buffer's right edge, control characters left out; where it stops and on which row.
pub(crate) fn set_stringn(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    text: &str,
    max_width: usize,
    style: Style,
) -> (u16, u16) {
    let max_width = u16::try_from(max_width).unwrap_or(u16::MAX);
    let room = buf.area.right().saturating_sub(x).min(max_width);
    let run = ascii_run(text).min(usize::from(room));
    put_ascii(buf, x, y, text, run, style);
    // `run` fits in `room`, a u16
    let run_cols = run as u16;
    let rest = &text[run..];
    if run_cols == room || rest.is_empty() {
        return (x + run_cols, y);
    }
    buf.set_stringn(x + run_cols, y, rest, usize::from(room - run_cols), style)
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
/// grapheme's hidden cells are left as they are.
/// The paragraph's own style is not in the cells' styles (only in the area's).
fn paragraph_line(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    let max = area.width;
    let mut used: u16 = 0;
    for span in &line.spans {
        let style = line.style.patch(span.style);
        let text: &str = &span.content;
        let run = ascii_run(text);
        let fits = usize::from(max - used).min(run);
        put_ascii(buf, area.left() + used, y, text, fits, style);
        // `fits` is at most `max - used`, a u16
        used += fits as u16;
        if fits < run {
            return;
        }
        let rest = Span::styled(&text[run..], style);
        for grapheme in rest.styled_graphemes(Style::default()) {
            let width = grapheme.symbol.cell_width();
            if width > max {
                continue;
            }
            if used + width > max {
                return;
            }
            if width > 0 {
                buf[(area.left() + used, y)]
                    .set_symbol(grapheme.symbol)
                    .set_style(grapheme.style);
            }
            used += width;
        }
    }
}

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
        use ratatui::symbols::line;
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (left, top) = (area.left(), area.top());
        let right = area.right().saturating_sub(1);
        let bottom = area.bottom().saturating_sub(1);
        let mut put = |x: u16, y: u16, symbol: &str| {
            buf[(x, y)].set_symbol(symbol).set_style(self.border_style);
        };
        // the sides run corner to corner, as with the block's default merge (replace)
        let (rows, columns) = (top..=bottom, left..=right);
        for y in rows.clone() {
            put(left, y, line::VERTICAL);
        }
        for x in columns.clone() {
            put(x, top, line::HORIZONTAL);
        }
        for y in rows {
            put(right, y, line::VERTICAL);
        }
        for x in columns {
            put(x, bottom, line::HORIZONTAL);
        }
        put(right, bottom, line::BOTTOM_RIGHT);
        put(right, top, line::TOP_RIGHT);
        put(left, bottom, line::BOTTOM_LEFT);
        put(left, top, line::TOP_LEFT);
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
    use ratatui::style::{Color, Modifier};
    use ratatui::widgets::{Block, Borders};

    /// Pieces of text that stress grapheme splitting and widths: ASCII, controls, combining
    /// marks, wide and zero-width characters, emoji with VS16 and ZWJ, halfwidth sound marks,
    /// Hangul jamo, regional indicators.
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
        (prop::collection::vec((text(), style()), 0..4), style()).prop_map(|(spans, s)| {
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
            title in line(), right in prop::option::of(line()), bottom in prop::option::of(line())
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
