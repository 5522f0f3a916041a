//! Two answers to one question compared line by line (the Markdown as Copilot wrote it): side
//! by side when the pane is wide enough, the older above the newer when it is not. Changed
//! lines carry `-`/`+` marks as well as colours, so the compare reads the same with `NO_COLOR`.
//! The diff is `similar`'s (Myers); this file only lays its lines out in rows.

use ratatui_core::style::Style;
use ratatui_core::text::{Line, Span};
use similar::{DiffOp, TextDiff};

use crate::markdown::{line_width, wrap};
use crate::theme::Theme;

/// The narrowest pane (inner columns) that shows the two answers side by side.
pub const SIDE_BY_SIDE_MIN: usize = 76;

/// How a line of one side fares in the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Same,
    Removed,
    Added,
}

/// One row of the diff: the older answer's line and the newer one's, either missing.
type Pair<'a> = (Option<(&'a str, Change)>, Option<(&'a str, Change)>);

/// The rows comparing `older` with `newer` at `width` columns.
pub fn rows(older: &str, newer: &str, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let diff = TextDiff::from_lines(older, newer);
    let old: Vec<&str> = diff.old_slices().iter().map(|l| trim_eol(l)).collect();
    let new: Vec<&str> = diff.new_slices().iter().map(|l| trim_eol(l)).collect();
    let mut pairs: Vec<Pair> = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => pairs.extend((0..len).map(|i| {
                (
                    Some((old[old_index + i], Change::Same)),
                    Some((new[new_index + i], Change::Same)),
                )
            })),
            DiffOp::Delete {
                old_index, old_len, ..
            } => pairs.extend(
                old[old_index..old_index + old_len]
                    .iter()
                    .map(|l| (Some((*l, Change::Removed)), None)),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => pairs.extend(
                new[new_index..new_index + new_len]
                    .iter()
                    .map(|l| (None, Some((*l, Change::Added)))),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => pairs.extend((0..old_len.max(new_len)).map(|i| {
                (
                    (i < old_len).then(|| (old[old_index + i], Change::Removed)),
                    (i < new_len).then(|| (new[new_index + i], Change::Added)),
                )
            })),
        }
    }
    let changed = pairs
        .iter()
        .filter(|(o, n)| o.is_none_or(|o| o.1 != Change::Same) || n.is_none())
        .count();
    let mut out = Vec::new();
    let summary = match changed {
        0 => "  the same answer, line for line".to_string(),
        1 => "  1 line differs".to_string(),
        n => format!("  {n} lines differ"),
    };
    out.push(Line::from(Span::styled(summary, theme.dim)));
    if width >= SIDE_BY_SIDE_MIN {
        side_by_side(&pairs, width, theme, &mut out);
    } else {
        one_below_the_other(&pairs, width, theme, &mut out);
    }
    out
}

/// A line without its line ending.
fn trim_eol(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// A side's line with its mark, styled by how it fares, wrapped to `width` (wrapped rows hang
/// under the text, past the mark).
fn cell(line: &str, change: Change, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (mark, style) = match change {
        Change::Same => ("  ", Style::new()),
        Change::Removed => ("- ", theme.error),
        Change::Added => ("+ ", theme.info),
    };
    let line = Line::from(vec![
        Span::styled(mark, style),
        Span::styled(line.to_string(), style),
    ]);
    wrap(&line, &[], width, 2)
        .into_iter()
        .map(|w| w.line)
        .collect()
}

/// The older answer on the left, the newer on the right, a changed line beside its
/// replacement; a line wrapped on one side leaves blank rows on the other.
fn side_by_side(pairs: &[Pair], width: usize, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let left = (width - 3) / 2;
    let right = width - 3 - left;
    let heading = |text: &str, room: usize| Span::styled(format!("{text:<room$}"), theme.label);
    out.push(Line::from(vec![
        heading("older run", left),
        Span::styled(" │ ", theme.border),
        heading("newest run", right),
    ]));
    for (old, new) in pairs {
        let lefts = old.map_or_else(Vec::new, |(l, c)| cell(l, c, left, theme));
        let rights = new.map_or_else(Vec::new, |(l, c)| cell(l, c, right, theme));
        for i in 0..lefts.len().max(rights.len()) {
            let mut spans = Vec::new();
            let shown = match lefts.get(i) {
                Some(line) => {
                    spans.extend(line.spans.iter().cloned());
                    line_width(line)
                }
                None => 0,
            };
            spans.push(Span::raw(" ".repeat(left.saturating_sub(shown))));
            spans.push(Span::styled(" │ ", theme.border));
            if let Some(line) = rights.get(i) {
                spans.extend(line.spans.iter().cloned());
            }
            out.push(Line::from(spans));
        }
    }
}

/// The older answer, then the newer one, each whole with its changed lines marked.
fn one_below_the_other(pairs: &[Pair], width: usize, theme: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(Span::styled("older run", theme.label)));
    for (line, change) in pairs.iter().filter_map(|(old, _)| *old) {
        out.extend(cell(line, change, width, theme));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("newest run", theme.label)));
    for (line, change) in pairs.iter().filter_map(|(_, new)| *new) {
        out.extend(cell(line, change, width, theme));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn side_by_side_pairs_a_changed_line_with_its_replacement() {
        let older = "Verdict: benign\nSame line\nOnly before\n";
        let newer = "Verdict: malicious\nSame line\n";
        let rows = text(&rows(older, newer, 80, &Theme::default()));
        assert_eq!(rows[0], "  2 lines differ");
        assert!(rows[1].starts_with("older run") && rows[1].contains(" │ newest run"));
        let changed = &rows[2];
        assert!(changed.starts_with("- Verdict: benign"), "{changed:?}");
        assert!(changed.contains(" │ + Verdict: malicious"), "{changed:?}");
        assert!(rows[3].starts_with("  Same line") && rows[3].ends_with("│   Same line"));
        assert!(rows[4].starts_with("- Only before") && rows[4].trim_end().ends_with('│'));
        let width = |r: &String| unicode_width::UnicodeWidthStr::width(r.as_str());
        assert!(rows[1..].iter().all(|r| width(r) <= 80), "{rows:#?}");
    }

    #[test]
    fn narrow_shows_the_older_above_the_newer() {
        let rows = text(&rows("a\nb\n", "a\nc\n", 40, &Theme::default()));
        assert_eq!(
            rows,
            [
                "  1 line differs",
                "older run",
                "  a",
                "- b",
                "",
                "newest run",
                "  a",
                "+ c",
            ]
        );
    }

    #[test]
    fn long_lines_wrap_in_their_column_and_the_other_side_waits() {
        let older = "word ".repeat(30);
        let rows = text(&rows(&older, "short\n", 80, &Theme::default()));
        // 150 columns of text in a 38-column side: several rows, the right side blank after
        // its one line
        assert!(rows.len() >= 6, "{rows:#?}");
        assert!(rows[2].contains("│ + short"));
        assert!(rows[3].trim_end().ends_with('│'), "{:?}", rows[3]);
    }

    #[test]
    fn the_same_answer_says_so() {
        let rows = text(&rows("x\n", "x\n", 40, &Theme::default()));
        assert_eq!(rows[0], "  the same answer, line for line");
    }
}
