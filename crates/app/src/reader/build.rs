//! Lays a conversation out in drawn rows for one pane width: prose is wrapped by Unicode's line
//! breaking rules with hanging indents, tables are fitted to the width (or kept wide on request),
//! code lines stay whole (they scroll sideways), and rows whose text changes with the clock
//! (times, a running answer's spinner) are left for drawing to fill in.

use ratatui_core::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::{CodeRows, LinkSpot, ReaderLayout, Row, RowKind, TurnRows};
use crate::State;
use crate::markdown::{Block, LinkRange, Wide, line_width, wrap};
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
        let link_base = out.links.len();
        out.links.extend(turn.answer.links.iter().cloned());
        for block in &turn.answer.blocks {
            let md = match block {
                Block::Line(md) => md,
                Block::Table(table) => {
                    for row in table.lay_out(w, state.reader.wide_tables, theme) {
                        let kind = match row.wide {
                            Some(wide) => {
                                out.widest = out.widest.max(wide.width);
                                RowKind::Wide(wide)
                            }
                            None => RowKind::Text,
                        };
                        out.push_linked(row.line, kind, &row.links, link_base);
                    }
                    continue;
                }
            };
            let start = out.rows.len();
            if md.wrap {
                for row in wrap(&md.line, &md.links, w, usize::from(md.hang)) {
                    out.push_linked(row.line, RowKind::Text, &row.links, link_base);
                }
            } else {
                let width = line_width(&md.line);
                out.widest = out.widest.max(width);
                out.push(md.line.clone(), RowKind::Wide(Wide { width, frozen: 0 }));
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
