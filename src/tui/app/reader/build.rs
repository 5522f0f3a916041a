//! Lays a conversation out in drawn rows for one pane width: prose is word-wrapped with hanging
//! indents, table rows and code lines stay whole (they scroll sideways), and rows whose text
//! changes with the clock (times, a running answer's spinner) are left for drawing to fill in.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{CodeRows, ReaderLayout, Row, RowKind, TurnRows};
use crate::sanitize::sanitize_line;
use crate::tui::app::State;

/// Lays out what the detail pane shows for the selected session at `width` columns.
pub fn build(state: &State, width: u16, fingerprint: u64) -> ReaderLayout {
    let w = usize::from(width.max(1));
    let theme = &state.settings.theme;
    let mut out = ReaderLayout {
        fingerprint,
        width,
        session_id: None,
        rows: Vec::new(),
        turns: Vec::new(),
        code_blocks: Vec::new(),
        widest: 0,
    };
    let Some(entry) = state.selected_entry() else {
        out.text(
            Line::from(Span::styled("No session selected", theme.dim)),
            w,
            0,
        );
        return out;
    };
    let session = &entry.session;
    out.session_id = Some(session.id.clone());
    let name = match entry.shown_name() {
        Some(name) => Line::from(Span::styled(name.to_string(), theme.title)),
        None => Line::from(Span::styled("(untitled)", theme.dim)),
    };
    out.text(name, w, 0);
    out.text(
        Line::from(vec![
            Span::styled(format!("{:<9}", "Id"), theme.label),
            Span::raw(sanitize_line(&session.id).into_owned()),
        ]),
        w,
        9,
    );
    out.dynamic(RowKind::Created);
    out.dynamic(RowKind::Modified);
    if let Some(pending) = entry.pending() {
        out.text(
            Line::from(Span::styled(
                format!(
                    "⟳ renaming to “{}”: waiting for Graph",
                    sanitize_line(&pending.name)
                ),
                theme.pending,
            )),
            w,
            2,
        );
    }
    out.push(
        Line::from(Span::styled("─".repeat(w), theme.border)),
        RowKind::Text,
    );
    let Some(c) = state.conversations.get(&session.id) else {
        out.text(
            Line::from(Span::styled("Loading conversation…", theme.dim)),
            w,
            0,
        );
        return out;
    };
    let loading = state.conversation_loading(&session.id);
    if let Some(error) = &c.error {
        out.text(
            Line::from(Span::styled(format!("✗ {error}"), theme.error)),
            w,
            2,
        );
    }
    if c.turns.is_empty() {
        let text = if loading || (c.fetched_at.is_none() && c.error.is_none()) {
            "Loading conversation…".to_string()
        } else {
            let ask = state
                .settings
                .keymap
                .press(crate::keys::Action::Ask, "ask Security Copilot");
            format!("No prompts yet{ask}")
        };
        out.text(Line::from(Span::styled(text, theme.dim)), w, 0);
    } else if loading {
        out.text(Line::from(Span::styled("refreshing…", theme.dim)), w, 0);
    }
    for (index, turn) in c.turns.iter().enumerate() {
        out.push(Line::default(), RowKind::Text);
        let question_row = out.rows.len();
        let label = format!("▶ Q{} ", index + 1);
        let hang = label.width();
        let mut lines = turn.question.lines();
        out.text(
            Line::from(vec![
                Span::styled(label, theme.key),
                Span::styled(lines.next().unwrap_or("").to_string(), theme.title),
            ]),
            w,
            hang,
        );
        for more in lines {
            out.text(
                Line::from(vec![
                    Span::raw(" ".repeat(hang)),
                    Span::styled(more.to_string(), theme.title),
                ]),
                w,
                hang,
            );
        }
        out.dynamic(RowKind::Status(index));
        if !turn.answer.is_empty() {
            out.push(Line::default(), RowKind::Text);
        }
        for md in &turn.answer {
            let start = out.rows.len();
            if md.wrap {
                out.text(md.line.clone(), w, usize::from(md.hang));
            } else {
                let width = md.line.width();
                out.widest = out.widest.max(width);
                out.push(md.line.clone(), RowKind::Wide(width));
            }
            if let Some(block) = md.code {
                match out.code_blocks.last_mut() {
                    Some(last) if last.turn == index && last.block == block => {
                        last.end = out.rows.len()
                    }
                    _ => out.code_blocks.push(CodeRows {
                        turn: index,
                        block,
                        start,
                        end: out.rows.len(),
                    }),
                }
            }
        }
        out.turns.push(TurnRows {
            question: question_row,
            end: out.rows.len(),
        });
    }
    out
}

impl ReaderLayout {
    fn push(&mut self, line: Line<'static>, kind: RowKind) {
        self.rows.push(Row { line, kind });
    }

    fn dynamic(&mut self, kind: RowKind) {
        self.push(Line::default(), kind);
    }

    /// Wraps `line` to `width` columns; rows after the first start with the first `hang`
    /// columns of the line blanked (quote bars kept), so wrapped items hang under their text.
    fn text(&mut self, line: Line<'static>, width: usize, hang: usize) {
        for row in wrap(&line, width, hang) {
            self.push(row, RowKind::Text);
        }
    }
}

/// Word-wraps a styled line to `width` columns. Words longer than a row are split; spaces at a
/// break are dropped. Rows after the first get a hanging indent of `hang` columns.
pub fn wrap(line: &Line<'static>, width: usize, hang: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    if line.width() <= width {
        return vec![line.clone()];
    }
    let hang = if hang * 2 > width { 0 } else { hang };
    let prefix = hang_prefix(line, hang);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut row = Row2::new(Vec::new(), 0);
    for span in &line.spans {
        for piece in pieces(&span.content) {
            let piece_width = piece.width();
            let is_space = piece.starts_with(' ');
            if row.used + piece_width <= width {
                row.add(piece, span.style, piece_width);
                continue;
            }
            if is_space {
                // a break: the spaces go
                rows.push(row.finish());
                row = Row2::new(prefix.clone(), hang);
                continue;
            }
            if row.used > row.start && piece_width <= width - hang {
                rows.push(row.finish());
                row = Row2::new(prefix.clone(), hang);
                row.add(piece, span.style, piece_width);
                continue;
            }
            // a word longer than a row: split it by characters
            for c in piece.chars() {
                let cw = c.width().unwrap_or(0);
                if row.used + cw > width && row.used > row.start {
                    rows.push(row.finish());
                    row = Row2::new(prefix.clone(), hang);
                }
                let mut buf = [0u8; 4];
                row.add(c.encode_utf8(&mut buf), span.style, cw);
            }
        }
    }
    if row.used > row.start || rows.is_empty() {
        rows.push(row.finish());
    }
    rows
}

/// A row being filled by [`wrap`].
struct Row2 {
    spans: Vec<Span<'static>>,
    used: usize,
    start: usize,
}

impl Row2 {
    fn new(spans: Vec<Span<'static>>, used: usize) -> Self {
        Self {
            spans,
            used,
            start: used,
        }
    }

    fn add(&mut self, text: &str, style: Style, width: usize) {
        // trailing spaces at the start of a continuation row are not drawn
        if self.used == self.start && self.start > 0 && text.starts_with(' ') {
            return;
        }
        match self.spans.last_mut() {
            Some(last) if last.style == style && self.used > self.start => {
                last.content.to_mut().push_str(text)
            }
            _ => self.spans.push(Span::styled(text.to_string(), style)),
        }
        self.used += width;
    }

    fn finish(mut self) -> Line<'static> {
        // the space before a word that moved to the next row is not part of this one
        if self.used > self.start
            && let Some(last) = self.spans.last_mut()
        {
            let trimmed = last.content.trim_end_matches(' ').len();
            last.content.to_mut().truncate(trimmed);
        }
        Line::from(self.spans)
    }
}

/// The first `hang` columns of `line` as a continuation prefix: quote bars stay, the rest
/// (indent, list marker, question label) becomes spaces.
fn hang_prefix(line: &Line<'static>, hang: usize) -> Vec<Span<'static>> {
    if hang == 0 {
        return Vec::new();
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for span in &line.spans {
        let mut text = String::new();
        for c in span.content.chars() {
            if used >= hang {
                break;
            }
            let cw = c.width().unwrap_or(0);
            if c == '│' {
                text.push('│');
            } else {
                text.extend(std::iter::repeat_n(' ', cw));
            }
            used += cw;
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

/// Splits text into runs of spaces and runs of anything else.
fn pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let space = first == ' ';
        let end = rest
            .char_indices()
            .find(|&(_, c)| (c == ' ') != space)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn wraps_at_words_and_hangs_continuations() {
        let line = Line::from(vec![
            Span::raw("• "),
            Span::raw("one two three four five six"),
        ]);
        let rows: Vec<String> = wrap(&line, 12, 2).iter().map(text).collect();
        assert_eq!(rows, ["• one two", "  three four", "  five six"]);
    }

    #[test]
    fn quote_bars_continue_on_wrapped_rows() {
        let line = Line::from(vec![Span::raw("│ "), Span::raw("alpha beta gamma delta")]);
        let rows: Vec<String> = wrap(&line, 12, 2).iter().map(text).collect();
        assert_eq!(rows, ["│ alpha beta", "│ gamma", "│ delta"]);
    }

    #[test]
    fn long_words_are_split_and_nothing_is_lost() {
        let line = Line::from("abcdefghijklmnopqrstuvwxyz end");
        let rows: Vec<String> = wrap(&line, 10, 0).iter().map(text).collect();
        assert_eq!(rows, ["abcdefghij", "klmnopqrst", "uvwxyz end"]);
        for row in wrap(&Line::from("東京都庁舎東京都庁舎 x"), 5, 0) {
            assert!(row.width() <= 5);
        }
    }

    #[test]
    fn every_word_survives_wrapping_at_any_width() {
        let source = "The sign-in from 203.0.113.7 matches a known password-spray pattern \
                      across fourteen accounts in three minutes.";
        for width in 1..60 {
            let rows = wrap(&Line::from(source), width, 0);
            let joined: Vec<String> = rows.iter().map(text).collect();
            assert!(
                rows.iter().all(|r| r.width() <= width),
                "{width}: {joined:?}"
            );
            assert_eq!(
                joined.concat().replace(' ', ""),
                source.replace(' ', ""),
                "{width}"
            );
        }
    }
}
