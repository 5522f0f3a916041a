//! Breaking styled lines into rows of a given width by Unicode's line breaking rules (Unicode
//! Standard Annex 14, from the `unicode-linebreak` crate): between words, between CJK
//! ideographs, never before closing punctuation. Widths are measured the way the terminal draws:
//! grapheme by grapheme, as ratatui's buffer writes them, so a row never ends up wider than it
//! was measured.

use ratatui_core::buffer::CellWidth;
use ratatui_core::style::Style;
use ratatui_core::text::{Line, Span};
use unicode_linebreak::{BreakOpportunity, linebreaks};
use unicode_segmentation::UnicodeSegmentation;

/// Columns of a row where a link's text is drawn (`start..end`), and which link it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkRange {
    pub start: u16,
    pub end: u16,
    pub link: u16,
}

/// One wrapped row: its text and the links on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Wrapped {
    pub line: Line<'static>,
    pub links: Vec<LinkRange>,
}

/// The columns `text` takes on screen: the sum of its graphemes' widths, as the buffer draws
/// them. Not `UnicodeWidthStr::width`, which counts some sequences (Arabic lam-alef) as one
/// column where the terminal draws two cells.
pub fn drawn_width(text: &str) -> usize {
    if text.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return text.len();
    }
    text.graphemes(true)
        .filter(|g| !g.contains(char::is_control))
        .map(|g| usize::from(g.cell_width()))
        .sum()
}

/// The drawn width of a whole line.
pub fn line_width(line: &Line<'_>) -> usize {
    line.spans.iter().map(|s| drawn_width(&s.content)).sum()
}

/// Wraps `line` to `width` columns. `span_links` gives the link of each span (shorter or empty
/// when spans carry none). Rows after the first start with the first `hang` columns of the line
/// blanked (quote bars kept), so wrapped list items hang under their text. Spaces at a break are
/// dropped; a word wider than a row is split between graphemes. Nothing else is lost.
pub fn wrap(
    line: &Line<'static>,
    span_links: &[Option<u16>],
    width: usize,
    hang: usize,
) -> Vec<Wrapped> {
    let width = width.max(1);
    let mut text = String::new();
    let mut starts = Vec::with_capacity(line.spans.len());
    for span in &line.spans {
        starts.push(text.len());
        text.push_str(&span.content);
    }
    let source = Source {
        line,
        span_links,
        starts: &starts,
    };
    if drawn_width(&text) <= width {
        let mut row = RowBuilder::first();
        source.append(&mut row, &text, 0, text.len());
        return vec![row.finish()];
    }
    let hang = if hang * 2 > width { 0 } else { hang };
    let prefix = hang_prefix(line, hang);
    let mut rows = Vec::new();
    let mut row = RowBuilder::first();
    let mut from = 0;
    for (at, opportunity) in linebreaks(&text) {
        let segment = &text[from..at];
        let content = segment.trim_end_matches([' ', '\n', '\r']);
        let content_width = drawn_width(content);
        let spaces = if row.used > row.start || row.keep_leading {
            row.pending_spaces.1
        } else {
            0
        };
        // a word that fits a row of its own starts one; a longer one is split where it is
        if row.used + spaces + content_width > width
            && row.used > row.start
            && content_width <= width - hang
        {
            rows.push(row.finish());
            row = RowBuilder::new(prefix.clone(), hang);
        }
        let spaces = if row.used > row.start || row.keep_leading {
            row.pending_spaces.1
        } else {
            0
        };
        if row.used + spaces + content_width <= width {
            let end = from + content.len();
            source.append(&mut row, &text, from, end);
            // the spaces after a word count until the next word shows whether they fit
            let spaces = &text[end..at];
            row.pending_spaces = (end, drawn_width(spaces.trim_end_matches(['\n', '\r'])));
        } else {
            // wider than a row: split between graphemes, after the spaces before it
            let (space_at, space_width) = std::mem::take(&mut row.pending_spaces);
            if space_width > 0 && row.used > row.start && row.used + space_width < width {
                source.push_range(&mut row, &text, space_at, from);
            }
            let mut offset = from;
            for grapheme in content.graphemes(true) {
                let w = drawn_width(grapheme);
                if row.used + w > width && row.used > row.start {
                    rows.push(row.finish());
                    row = RowBuilder::new(prefix.clone(), hang);
                }
                source.append(&mut row, &text, offset, offset + grapheme.len());
                offset += grapheme.len();
            }
            row.pending_spaces = (offset, drawn_width(&text[offset..at]));
        }
        if opportunity == BreakOpportunity::Mandatory && at < text.len() {
            rows.push(row.finish());
            row = RowBuilder::new(prefix.clone(), hang);
        }
        from = at;
    }
    if row.used > row.start || rows.is_empty() {
        rows.push(row.finish());
    }
    rows
}

/// The line being wrapped, as one text with each span's start.
struct Source<'a> {
    line: &'a Line<'static>,
    span_links: &'a [Option<u16>],
    starts: &'a [usize],
}

impl Source<'_> {
    /// Appends `text[from..to]` to `row` in the styles (and links) of the spans it comes from,
    /// after any spaces the row holds back.
    fn append(&self, row: &mut RowBuilder, text: &str, from: usize, to: usize) {
        if from >= to {
            return;
        }
        let (space_at, space_width) = std::mem::take(&mut row.pending_spaces);
        if space_width > 0 && (row.used > row.start || row.keep_leading) && space_at < from {
            self.push_range(row, text, space_at, from);
        }
        self.push_range(row, text, from, to);
    }

    fn push_range(&self, row: &mut RowBuilder, text: &str, from: usize, to: usize) {
        let first = self
            .starts
            .partition_point(|&s| s <= from)
            .saturating_sub(1);
        for i in first..self.line.spans.len() {
            let start = self.starts[i].max(from);
            let end = self
                .starts
                .get(i + 1)
                .copied()
                .unwrap_or(text.len())
                .min(to);
            if start >= to {
                break;
            }
            if start >= end {
                continue;
            }
            let link = self.span_links.get(i).copied().flatten();
            row.add(
                &text[start..end],
                self.line.spans[i].style,
                link,
                drawn_width(&text[start..end]),
            );
        }
    }
}

/// A row being filled by [`wrap`].
struct RowBuilder {
    spans: Vec<Span<'static>>,
    links: Vec<LinkRange>,
    /// Columns used so far (the hanging indent included).
    used: usize,
    /// Where the row's own text starts (after the hanging indent).
    start: usize,
    /// Spaces after the last word (where they start, how wide), drawn only if a word follows.
    pending_spaces: (usize, usize),
    /// The link of the last span added, so one link's pieces extend one range.
    last_link: Option<u16>,
    /// The first row keeps the line's leading spaces (its indent); continuation rows do not.
    keep_leading: bool,
}

impl RowBuilder {
    fn new(spans: Vec<Span<'static>>, used: usize) -> Self {
        Self {
            spans,
            links: Vec::new(),
            used,
            start: used,
            pending_spaces: (0, 0),
            last_link: None,
            keep_leading: false,
        }
    }

    /// The first row of a line: it keeps the line's leading spaces.
    fn first() -> Self {
        Self {
            keep_leading: true,
            ..Self::new(Vec::new(), 0)
        }
    }

    fn add(&mut self, text: &str, style: Style, link: Option<u16>, width: usize) {
        let col = u16::try_from(self.used).unwrap_or(u16::MAX);
        let end = u16::try_from(self.used + width).unwrap_or(u16::MAX);
        if let Some(link) = link {
            match self.links.last_mut() {
                Some(last) if self.last_link == Some(link) && last.end == col => last.end = end,
                _ => self.links.push(LinkRange {
                    start: col,
                    end,
                    link,
                }),
            }
        }
        self.last_link = link;
        match self.spans.last_mut() {
            Some(last) if last.style == style && self.used > self.start => {
                last.content.to_mut().push_str(text)
            }
            _ => self.spans.push(Span::styled(text.to_string(), style)),
        }
        self.used += width;
    }

    fn finish(self) -> Wrapped {
        Wrapped {
            line: Line::from(self.spans),
            links: self.links,
        }
    }
}

/// Characters of a line's start that continue on its wrapped rows (quote and callout bars).
fn is_bar(c: char) -> bool {
    matches!(c, '│' | '▎' | '┃')
}

/// The first `hang` columns of `line` as a continuation prefix: bars stay, the rest (indent,
/// list marker, question label) becomes spaces.
fn hang_prefix(line: &Line<'static>, hang: usize) -> Vec<Span<'static>> {
    if hang == 0 {
        return Vec::new();
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for span in &line.spans {
        let mut text = String::new();
        for g in span.content.graphemes(true) {
            if used >= hang {
                break;
            }
            let w = drawn_width(g);
            if g.chars().all(is_bar) {
                text.push_str(g);
            } else {
                text.extend(std::iter::repeat_n(' ', w));
            }
            used += w;
        }
        if !text.is_empty() {
            spans.push(Span::styled(text, span.style));
        }
        if used >= hang {
            break;
        }
    }
    if used < hang {
        spans.push(Span::raw(" ".repeat(hang - used)));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn rows(line: &Line<'static>, width: usize, hang: usize) -> Vec<String> {
        wrap(line, &[], width, hang)
            .iter()
            .map(|r| text(&r.line))
            .collect()
    }

    #[test]
    fn wraps_at_words_and_hangs_continuations() {
        let line = Line::from(vec![
            Span::raw("• "),
            Span::raw("one two three four five six"),
        ]);
        assert_eq!(
            rows(&line, 12, 2),
            ["• one two", "  three four", "  five six"]
        );
    }

    #[test]
    fn quote_bars_continue_on_wrapped_rows() {
        let line = Line::from(vec![Span::raw("│ "), Span::raw("alpha beta gamma delta")]);
        assert_eq!(rows(&line, 12, 2), ["│ alpha beta", "│ gamma", "│ delta"]);
    }

    #[test]
    fn long_words_are_split_and_nothing_is_lost() {
        let line = Line::from("abcdefghijklmnopqrstuvwxyz end");
        assert_eq!(
            rows(&line, 10, 0),
            ["abcdefghij", "klmnopqrst", "uvwxyz end"]
        );
        for row in wrap(&Line::from("東京都庁舎東京都庁舎 x"), &[], 5, 0) {
            assert!(line_width(&row.line) <= 5);
        }
    }

    #[test]
    fn every_word_survives_wrapping_at_any_width() {
        let source = "The sign-in from 203.0.113.7 matches a known password-spray pattern \
                      across fourteen accounts in three minutes.";
        for width in 1..60 {
            let wrapped = wrap(&Line::from(source), &[], width, 0);
            let joined: Vec<String> = wrapped.iter().map(|r| text(&r.line)).collect();
            assert!(
                wrapped.iter().all(|r| line_width(&r.line) <= width),
                "{width}: {joined:?}"
            );
            assert_eq!(
                joined.concat().replace(' ', ""),
                source.replace(' ', ""),
                "{width}"
            );
        }
    }

    #[test]
    fn cjk_breaks_between_ideographs_and_never_before_closing_punctuation() {
        // from trekhleb/javascript-algorithms, README.zh-CN.md (MIT)
        let source =
            "数据结构是在计算机中组织和存储数据的一种特殊方式，使得数据可以高效地被访问和修改。";
        for width in 4..40 {
            let out = rows(&Line::from(source), width, 0);
            assert_eq!(out.concat(), source, "{width}: nothing lost or added");
            for (i, row) in out.iter().enumerate() {
                assert!(drawn_width(row) <= width, "{width}: {row}");
                assert!(
                    !row.starts_with(['，', '。']),
                    "{width}: row {i} starts with closing punctuation: {out:?}"
                );
                // rows are full: only the last, or one whose next character could not follow
                if i + 1 < out.len() {
                    assert!(drawn_width(row) + 4 >= width, "{width}: {out:?}");
                }
            }
        }
    }

    #[test]
    fn lam_alef_is_measured_as_drawn() {
        // "لا" is one column to `unicode-width` and two cells on the terminal
        assert_eq!(drawn_width("لا"), 2);
        let persian = "کلاس بالا و لایه‌های مختلف";
        for width in 3..20 {
            for row in wrap(&Line::from(persian), &[], width, 0) {
                let drawn: usize = text(&row.line)
                    .graphemes(true)
                    .map(|g| usize::from(g.cell_width()))
                    .sum();
                assert!(drawn <= width, "{width}: {:?}", text(&row.line));
            }
        }
    }

    #[test]
    fn link_ranges_follow_the_link_text_across_rows() {
        let line = Line::from(vec![
            Span::raw("see "),
            Span::raw("the very long link text"),
            Span::raw(" after"),
        ]);
        let wrapped = wrap(&line, &[None, Some(7), None], 12, 0);
        let found: Vec<(String, Vec<LinkRange>)> = wrapped
            .iter()
            .map(|r| (text(&r.line), r.links.clone()))
            .collect();
        assert_eq!(found[0].0, "see the very");
        assert_eq!(
            found[0].1,
            [LinkRange {
                start: 4,
                end: 12,
                link: 7
            }]
        );
        assert_eq!(found[1].0, "long link");
        assert_eq!(
            found[1].1,
            [LinkRange {
                start: 0,
                end: 9,
                link: 7
            }]
        );
        assert_eq!(found[2].0, "text after");
        assert_eq!(found[2].1[0].end, 4);
    }

    #[test]
    fn a_word_longer_than_any_row_starts_where_it_is() {
        let line = Line::from("Id       5f0c1a2b-0000-4000-8000-000000000001");
        assert_eq!(
            rows(&line, 20, 9),
            [
                "Id       5f0c1a2b-00",
                "         00-4000-800",
                "         0-000000000",
                "         001"
            ]
        );
    }
}
