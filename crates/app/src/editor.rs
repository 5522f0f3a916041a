//! The prompt box's text: a small multi-line editor (lines, a cursor, a goal column for Up/Down)
//! and the word wrap that draws it. Pure: keys arrive as [`Action`]s from the editor keymap.

use crate::keys::Action;
use crate::sanitize::sanitize_line;

/// Multi-line text with a cursor. The cursor is a byte offset on a character boundary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextArea {
    text: String,
    cursor: usize,
    /// The column Up/Down aim for, kept across short lines.
    goal: Option<usize>,
}

/// Turns every line ending a terminal may send (CR, LF, CRLF) into `\n`.
pub fn normalise_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

impl TextArea {
    /// Text with the cursor at its end.
    pub fn new(text: impl Into<String>) -> Self {
        let text = normalise_line_endings(&text.into());
        Self {
            cursor: text.len(),
            text,
            goal: None,
        }
    }

    /// The whole text.
    pub fn value(&self) -> &str {
        &self.text
    }

    /// The cursor as a character index (what drawing needs).
    pub fn cursor(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }

    /// Inserts text at the cursor; line endings become `\n`.
    pub fn insert_str(&mut self, text: &str) {
        let text = normalise_line_endings(text);
        self.text.insert_str(self.cursor, &text);
        self.cursor += text.len();
        self.goal = None;
    }

    /// Inserts one character at the cursor.
    pub fn insert_char(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
        self.goal = None;
    }

    fn line_start_of(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end_of(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    fn prev_boundary(&self, at: usize) -> usize {
        self.text[..at].char_indices().last().map_or(0, |(i, _)| i)
    }

    fn next_boundary(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    fn column(&self) -> usize {
        self.text[self.line_start_of(self.cursor)..self.cursor]
            .chars()
            .count()
    }

    /// The byte offset `column` characters into the line starting at `start` (or its end).
    fn at_column(&self, start: usize, column: usize) -> usize {
        let end = self.line_end_of(start);
        self.text[start..end]
            .char_indices()
            .nth(column)
            .map_or(end, |(i, _)| start + i)
    }

    fn word_left_of(&self, at: usize) -> usize {
        let before: Vec<(usize, char)> = self.text[..at].char_indices().collect();
        let mut i = before.len();
        while i > 0 && before[i - 1].1.is_whitespace() {
            i -= 1;
        }
        while i > 0 && !before[i - 1].1.is_whitespace() {
            i -= 1;
        }
        before.get(i).map_or(0, |&(b, _)| b)
    }

    fn word_right_of(&self, at: usize) -> usize {
        let mut pos = at;
        let mut chars = self.text[at..].chars().peekable();
        while let Some(&c) = chars.peek()
            && c.is_whitespace()
        {
            pos += c.len_utf8();
            chars.next();
        }
        while let Some(&c) = chars.peek()
            && !c.is_whitespace()
        {
            pos += c.len_utf8();
            chars.next();
        }
        pos
    }

    /// Applies an editor action; `false` when the action is not an editing one (submit, cancel,
    /// the external editor), which the caller handles.
    pub fn apply(&mut self, action: Action) -> bool {
        let keeps_goal = matches!(action, Action::CursorUp | Action::CursorDown);
        match action {
            Action::NewLine => self.insert_char('\n'),
            Action::CursorLeft => self.cursor = self.prev_boundary(self.cursor),
            Action::CursorRight => self.cursor = self.next_boundary(self.cursor),
            Action::CursorUp | Action::CursorDown => {
                let goal = self.goal.unwrap_or_else(|| self.column());
                let start = self.line_start_of(self.cursor);
                let target = if action == Action::CursorUp {
                    (start > 0).then(|| self.line_start_of(start - 1))
                } else {
                    let end = self.line_end_of(self.cursor);
                    (end < self.text.len()).then_some(end + 1)
                };
                match target {
                    Some(line) => self.cursor = self.at_column(line, goal),
                    // on the first/last line Up/Down go to its start/end, like most editors
                    None if action == Action::CursorUp => self.cursor = start,
                    None => self.cursor = self.line_end_of(self.cursor),
                }
                self.goal = Some(goal);
            }
            Action::LineStart => self.cursor = self.line_start_of(self.cursor),
            Action::LineEnd => self.cursor = self.line_end_of(self.cursor),
            Action::WordLeft => self.cursor = self.word_left_of(self.cursor),
            Action::WordRight => self.cursor = self.word_right_of(self.cursor),
            Action::DeleteBack => {
                let from = self.prev_boundary(self.cursor);
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            Action::DeleteForward => {
                let to = self.next_boundary(self.cursor);
                self.text.replace_range(self.cursor..to, "");
            }
            Action::DeleteWord => {
                let from = self.word_left_of(self.cursor);
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            Action::DeleteToStart => {
                let from = self.line_start_of(self.cursor);
                let from = if from == self.cursor {
                    self.prev_boundary(self.cursor)
                } else {
                    from
                };
                self.text.replace_range(from..self.cursor, "");
                self.cursor = from;
            }
            Action::DeleteToEnd => {
                let to = self.line_end_of(self.cursor);
                let to = if to == self.cursor {
                    self.next_boundary(self.cursor)
                } else {
                    to
                };
                self.text.replace_range(self.cursor..to, "");
            }
            _ => return false,
        }
        if !keeps_goal {
            self.goal = None;
        }
        true
    }
}

/// Splits editor text into display rows of at most `width` columns, breaking at spaces when a
/// word would not fit (a word longer than a row is cut), newlines kept, each character shown
/// sanitised; and finds the cursor's row and column (`cursor` counts characters).
pub fn wrap(value: &str, cursor: usize, width: usize) -> (Vec<String>, (usize, usize)) {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut rows: Vec<String> = Vec::new();
    let mut at = None;
    let mut index = 0;
    for line in value.split('\n') {
        let cells: Vec<(char, String, usize)> = line
            .chars()
            .map(|c| {
                let shown = sanitize_line(c.encode_utf8(&mut [0; 4])).into_owned();
                let w = UnicodeWidthStr::width(shown.as_str());
                (c, shown, w)
            })
            .collect();
        let mut start = 0;
        loop {
            let mut end = start;
            let mut col = 0;
            let mut after_space = None;
            while end < cells.len() && col + cells[end].2 <= width {
                col += cells[end].2;
                if cells[end].0 == ' ' {
                    after_space = Some(end + 1);
                }
                end += 1;
            }
            if end < cells.len() {
                match after_space {
                    Some(b) if b > start => end = b,
                    _ if end == start => end = start + 1,
                    _ => {}
                }
            }
            let row: String = cells[start..end].iter().map(|c| c.1.as_str()).collect();
            if at.is_none() && (start..end).contains(&cursor.wrapping_sub(index)) {
                let col: usize = cells[start..cursor - index].iter().map(|c| c.2).sum();
                at = Some((rows.len(), col));
            }
            rows.push(row);
            start = end;
            if start >= cells.len() {
                break;
            }
        }
        if at.is_none() && cursor == index + cells.len() {
            let last = rows.len() - 1;
            let col = crate::sanitize::width(&rows[last]);
            at = Some(if col >= width {
                rows.push(String::new());
                (last + 1, 0)
            } else {
                (last, col)
            });
        }
        index += cells.len() + 1;
    }
    let at = at.unwrap_or((rows.len().saturating_sub(1), 0));
    (rows, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_of_every_terminal_become_newlines() {
        let mut t = TextArea::default();
        t.insert_str("one\rtwo\r\nthree\nfour");
        assert_eq!(t.value(), "one\ntwo\nthree\nfour");
        assert_eq!(TextArea::new("a\r\nb").value(), "a\nb");
    }

    #[test]
    fn up_down_home_end_move_within_lines() {
        let mut t = TextArea::new("first line\nab\nthird line");
        assert_eq!(t.cursor(), 24);
        t.apply(Action::CursorUp);
        assert_eq!(t.cursor(), 13, "end of `ab` (column clamped)");
        t.apply(Action::CursorUp);
        assert_eq!(t.cursor(), 10, "goal column 10 kept");
        t.apply(Action::LineStart);
        assert_eq!(t.cursor(), 0);
        t.apply(Action::CursorDown);
        assert_eq!(t.cursor(), 11);
        t.apply(Action::LineEnd);
        assert_eq!(t.cursor(), 13);
        t.insert_char('c');
        assert_eq!(t.value(), "first line\nabc\nthird line");
        t.apply(Action::CursorDown);
        t.apply(Action::CursorDown);
        assert_eq!(t.cursor(), t.value().chars().count());
        t.apply(Action::DeleteWord);
        assert_eq!(t.value(), "first line\nabc\nthird ");
        t.apply(Action::DeleteToStart);
        assert_eq!(t.value(), "first line\nabc\n");
        t.apply(Action::DeleteBack);
        assert_eq!(t.value(), "first line\nabc");
        t.apply(Action::WordLeft);
        t.apply(Action::WordLeft);
        assert_eq!(t.cursor(), 6);
        t.apply(Action::DeleteToEnd);
        assert_eq!(t.value(), "first \nabc");
        assert!(!t.apply(Action::Submit));
    }

    #[test]
    fn unicode_is_edited_by_characters() {
        let mut t = TextArea::new("東京");
        t.apply(Action::CursorLeft);
        t.apply(Action::DeleteBack);
        assert_eq!(t.value(), "京");
        t.apply(Action::DeleteForward);
        assert_eq!(t.value(), "");
        assert_eq!(t.cursor(), 0);
    }

    #[test]
    fn wraps_at_word_boundaries_and_places_the_cursor() {
        let (rows, at) = wrap("hello big world", 15, 10);
        assert_eq!(rows, ["hello big ", "world"]);
        assert_eq!(at, (1, 5));
        let (rows, at) = wrap("ab\ncd", 3, 10);
        assert_eq!(rows, ["ab", "cd"]);
        assert_eq!(at, (1, 0));
        let (_, at) = wrap("", 0, 10);
        assert_eq!(at, (0, 0));
        let (rows, at) = wrap("東京都", 2, 4);
        assert_eq!(rows, ["東京", "都"]);
        assert_eq!(at, (1, 0));
        let (rows, at) = wrap("abcd", 4, 4);
        assert_eq!(rows, ["abcd", ""]);
        assert_eq!(at, (1, 0));
        // a word longer than a row is cut
        let (rows, _) = wrap("abcdefgh ij", 0, 4);
        assert_eq!(rows, ["abcd", "efgh", " ij"]);
        let (rows, at) = wrap("one two", 4, 5);
        assert_eq!(rows, ["one ", "two"]);
        assert_eq!(at, (1, 0));
    }
}
