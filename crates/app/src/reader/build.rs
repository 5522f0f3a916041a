//! Lays a conversation out in drawn rows for one pane width: prose is wrapped by Unicode's line
//! breaking rules with hanging indents, tables are fitted to the width (or kept wide on request),
//! code lines stay whole (they scroll sideways), and rows whose text changes with the clock
//! (times, a running answer's spinner) are left for drawing to fill in.

use ratatui_core::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::{CodeRows, LinkSpot, ReaderLayout, Row, RowKind, TurnRows};
use crate::State;
use crate::keys::Action;
use crate::markdown::{Answer, Block, LinkRange, Wide, line_width, wrap};
use crate::sanitize::sanitize_line;

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
        wide_tables: state.reader.wide_tables,
        links: Vec::new(),
        link_spots: Vec::new(),
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
        Some(name) => Line::from(Span::styled(name.into_string(), theme.title)),
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
            Line::from(Span::styled(format!("✗ {}", error.words()), theme.error)),
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
        let comparing = state
            .reader
            .compare
            .as_ref()
            .is_some_and(|c| c.prompt_id == turn.prompt.id)
            && turn.earlier.first().is_some_and(|e| e.text.is_some());
        if comparing {
            out.dynamic(RowKind::CompareHeading(index));
            let newer = turn.answer_markdown().unwrap_or_default();
            let older = turn.earlier[0].text.as_deref().unwrap_or_default();
            for line in super::compare::rows(older, &newer, w, theme) {
                out.push(line, RowKind::Text);
            }
        } else {
            out.answer(&turn.answer, Some(index), state, w);
        }
        if !turn.earlier.is_empty() {
            out.push(Line::default(), RowKind::Text);
            let unfolded = state.reader.unfolded.contains(&turn.prompt.id);
            let keys = &state.settings.keymap;
            let unfold = keys
                .hint_key(Action::Earlier)
                .map(|k| {
                    let what = if unfolded {
                        "folds them"
                    } else {
                        "shows their answers"
                    };
                    format!(" · {k} {what}")
                })
                .unwrap_or_default();
            let compare = keys
                .hint_key(Action::Compare)
                .filter(|_| turn.earlier[0].text.is_some() && !turn.answer.is_empty())
                .map(|k| {
                    let what = if comparing {
                        "shows the answer"
                    } else {
                        "compares"
                    };
                    format!(" · {k} {what}")
                })
                .unwrap_or_default();
            let runs = turn.earlier.len();
            let plural = if runs == 1 { "" } else { "s" };
            out.text(
                Line::from(Span::styled(
                    format!("  {runs} earlier run{plural}, newest first{unfold}{compare}"),
                    theme.dim,
                )),
                w,
                2,
            );
            for (run, earlier) in turn.earlier.iter().enumerate() {
                out.dynamic(RowKind::EarlierRun(index, run));
                if unfolded && !earlier.answer.is_empty() {
                    out.answer(&earlier.answer, None, state, w);
                    out.push(Line::default(), RowKind::Text);
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
    /// Lays out an answer: tables fitted (or kept wide), prose wrapped, code lines whole. Its
    /// code blocks are registered as question `turn`'s when given (the newest answer's, which
    /// the copy key copies).
    fn answer(&mut self, answer: &Answer, turn: Option<usize>, state: &State, w: usize) {
        let theme = &state.settings.theme;
        let link_base = self.links.len();
        self.links.extend(answer.links.iter().cloned());
        for block in &answer.blocks {
            let md = match block {
                Block::Line(md) => md,
                Block::Table(table) => {
                    for row in table.lay_out(w, state.reader.wide_tables, theme) {
                        let kind = match row.wide {
                            Some(wide) => {
                                self.widest = self.widest.max(wide.width);
                                RowKind::Wide(wide)
                            }
                            None => RowKind::Text,
                        };
                        self.push_linked(row.line, kind, &row.links, link_base);
                    }
                    continue;
                }
            };
            let start = self.rows.len();
            if md.wrap {
                for row in wrap(&md.line, &md.links, w, usize::from(md.hang)) {
                    self.push_linked(row.line, RowKind::Text, &row.links, link_base);
                }
            } else {
                let width = line_width(&md.line);
                self.widest = self.widest.max(width);
                self.push(md.line.clone(), RowKind::Wide(Wide { width, frozen: 0 }));
            }
            if let (Some(block), Some(index)) = (md.code, turn) {
                match self.code_blocks.last_mut() {
                    Some(last) if last.turn == index && last.block == block => {
                        last.end = self.rows.len()
                    }
                    _ => self.code_blocks.push(CodeRows {
                        turn: index,
                        block,
                        start,
                        end: self.rows.len(),
                    }),
                }
            }
        }
    }

    fn push(&mut self, line: Line<'static>, kind: RowKind) {
        self.rows.push(Row { line, kind });
    }

    /// Pushes a row with links on it (their numbers relative to the answer's `base`).
    fn push_linked(
        &mut self,
        line: Line<'static>,
        kind: RowKind,
        links: &[LinkRange],
        base: usize,
    ) {
        let row = self.rows.len();
        self.link_spots.extend(links.iter().map(|l| LinkSpot {
            row,
            start: l.start,
            end: l.end,
            link: base + usize::from(l.link),
        }));
        self.push(line, kind);
    }

    fn dynamic(&mut self, kind: RowKind) {
        self.push(Line::default(), kind);
    }

    /// Wraps `line` to `width` columns; rows after the first start with the first `hang`
    /// columns of the line blanked (quote bars kept), so wrapped items hang under their text.
    fn text(&mut self, line: Line<'static>, width: usize, hang: usize) {
        for row in wrap(&line, &[], width, hang) {
            self.push(row.line, RowKind::Text);
        }
    }
}
