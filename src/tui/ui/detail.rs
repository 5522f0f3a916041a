//! The detail pane: the selected session's facts, then its conversation — each question with
//! its latest evaluation's state and the answer rendered from Markdown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::SPINNER;
use crate::sanitize::sanitize_line;
use crate::timefmt;
use crate::tui::app::State;
use crate::tui::app::state::{Focus, TurnView};
use sctui_graph::models::{EvaluationResultType, EvaluationState};

/// Draws the detail of the selected session (or a hint when none is selected).
pub fn render(state: &State, area: Rect, frame: &mut Frame) {
    let theme = &state.settings.theme;
    let focused = state.focus == Focus::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(Line::from(Span::styled(" Detail ", theme.title)));
    let Some(entry) = state.selected_entry() else {
        frame.render_widget(
            Paragraph::new(Span::styled("No session selected", theme.dim)).block(block),
            area,
        );
        return;
    };
    let session = &entry.session;
    let inner_width = usize::from(area.width.saturating_sub(2));
    let name = match &entry.shown_name {
        Some(name) => Span::styled(name.clone(), theme.title),
        None => Span::styled("(untitled)", theme.dim),
    };
    let mut lines = vec![
        Line::from(name),
        field(state, "Id", sanitize_line(&session.id).into_owned()),
        field(
            state,
            "Created",
            timefmt::local_and_relative(
                session.created_date_time.as_ref(),
                state.now,
                &state.settings.tz,
            ),
        ),
        field(
            state,
            "Modified",
            timefmt::local_and_relative(
                session.last_modified_date_time.as_ref(),
                state.now,
                &state.settings.tz,
            ),
        ),
    ];
    if let Some(pending) = &entry.pending {
        lines.push(Line::from(Span::styled(
            format!(
                "⟳ renaming to “{}”: waiting for Graph",
                sanitize_line(&pending.name)
            ),
            theme.pending,
        )));
    }
    lines.push(Line::from(Span::styled(
        "─".repeat(usize::from(area.width.saturating_sub(2))),
        theme.border,
    )));
    match state.conversations.get(&session.id) {
        None => lines.push(Line::from(Span::styled("Loading conversation…", theme.dim))),
        Some(c) => {
            let loading = state.conversation_loading(&session.id);
            if let Some(error) = &c.error {
                lines.push(Line::from(Span::styled(format!("✗ {error}"), theme.error)));
            }
            if c.turns.is_empty() {
                let text = if loading || (c.fetched_at.is_none() && c.error.is_none()) {
                    "Loading conversation…".to_string()
                } else {
                    format!(
                        "No prompts yet{}",
                        super::status::press(
                            state,
                            crate::keys::Action::Ask,
                            "ask Security Copilot"
                        )
                    )
                };
                lines.push(Line::from(Span::styled(text, theme.dim)));
            } else if loading {
                lines.push(Line::from(Span::styled("refreshing…", theme.dim)));
            }
            for (i, turn) in c.turns.iter().enumerate() {
                push_turn(state, i, turn, inner_width, &mut lines);
            }
        }
    }
    let inner = block.inner(area);
    // Scrolling counts logical lines; the last screenful stays reachable.
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height.saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((state.detail_scroll.min(max_scroll), 0)),
        area,
    );
}

/// A table row or code line cut at the pane's edge with `…` (wrapping would break its layout).
fn cut_line(line: &Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line.clone();
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for span in &line.spans {
        let w = span.width();
        if used + w < width {
            spans.push(span.clone());
            used += w;
            continue;
        }
        let room = width.saturating_sub(used);
        let cut = crate::sanitize::truncate(&span.content, room).into_owned();
        spans.push(ratatui::text::Span::styled(cut, span.style));
        break;
    }
    Line::from(spans)
}

fn push_turn<'a>(
    state: &State,
    index: usize,
    turn: &'a TurnView,
    width: usize,
    lines: &mut Vec<Line<'a>>,
) {
    let theme = &state.settings.theme;
    lines.push(Line::default());
    let mut question = turn.question.lines();
    lines.push(Line::from(vec![
        Span::styled(format!("▶ Q{} ", index + 1), theme.key),
        Span::styled(question.next().unwrap_or("").to_string(), theme.title),
    ]));
    for more in question {
        lines.push(Line::from(Span::styled(
            format!("     {more}"),
            theme.title,
        )));
    }
    lines.push(status_line(state, turn));
    if !turn.answer.is_empty() {
        lines.push(Line::default());
        for md in &turn.answer {
            lines.push(if md.wrap {
                md.line.clone()
            } else {
                cut_line(&md.line, width)
            });
        }
    }
}

fn status_line(state: &State, turn: &TurnView) -> Line<'static> {
    let theme = &state.settings.theme;
    let Some(evaluation) = &turn.evaluation else {
        let retry = state
            .settings
            .keymap
            .hint_key(crate::keys::Action::Retry)
            .map(|key| format!(" ({key} runs it again)"))
            .unwrap_or_default();
        return match &turn.not_run {
            Some(reason) => Line::from(Span::styled(
                format!("  ✗ not run: {reason}{retry}"),
                theme.error,
            )),
            None if turn.following.is_some() => Line::from(Span::styled(
                format!(
                    "  {} starting…",
                    SPINNER[state.spinner_frame % SPINNER.len()]
                ),
                theme.warning,
            )),
            None => Line::from(Span::styled(format!("  not run{retry}"), theme.dim)),
        };
    };
    let result = evaluation.result.as_ref().map(|r| &r.result_type);
    if evaluation.state.is_in_progress() {
        let since = evaluation
            .run_start_date_time
            .as_ref()
            .and_then(|t| t.instant())
            .or_else(|| {
                evaluation
                    .created_date_time
                    .as_ref()
                    .and_then(|t| t.instant())
            });
        let elapsed = since
            .map(|t| format!(" {} s", (state.now.as_second() - t.as_second()).max(0)))
            .unwrap_or_default();
        let spinner = if turn.following.is_some() {
            SPINNER[state.spinner_frame % SPINNER.len()]
        } else {
            "…"
        };
        let note = if turn.following.is_some() {
            ""
        } else {
            " (not followed: R refreshes)"
        };
        return Line::from(Span::styled(
            format!("  {spinner} {}{elapsed}{note}", evaluation.state),
            theme.warning,
        ));
    }
    match (&evaluation.state, result) {
        (EvaluationState::Completed, Some(EvaluationResultType::Success)) => {
            Line::from(Span::styled("  ✓ answered", theme.info))
        }
        (state_value, Some(kind)) if *kind != EvaluationResultType::Unknown => Line::from(
            Span::styled(format!("  ✗ {state_value}: {kind}"), theme.error),
        ),
        (state_value, _) => Line::from(Span::styled(format!("  ! {state_value}"), theme.warning)),
    }
}

fn field<'a>(state: &State, label: &'a str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<9}"), state.settings.theme.label),
        Span::raw(value),
    ])
}
