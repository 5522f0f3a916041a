//! The reader, tested by looking at the drawn screen: every demo conversation, at widths 40 to
//! 200 and two heights, can be read to its last line; `k` after `G` moves the view; tables and
//! code wider than the pane are reachable in full with `l`. Plus snapshots of the reader's
//! screens (narrow, zoomed, sideways, finding, a question's earlier runs and their compare).

use crate::common::demo;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sctui::tui::app::{self, Msg, State, layout, reader};
use sctui_app::input::KeyCode;

use demo::{DemoConversation, key};

const WIDTHS: [u16; 5] = [40, 64, 80, 120, 200];
const HEIGHTS: [u16; 2] = [20, 40];

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn draw(state: &State) -> Buffer {
    let mut terminal =
        Terminal::new(TestBackend::new(state.viewport().0, state.viewport().1)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The detail pane's inner rectangle as drawn.
fn pane(state: &State) -> Rect {
    let area = Rect::new(0, 0, state.viewport().0, state.viewport().1);
    let detail = layout::screen_with(area, reader::detail_alone(state))
        .detail
        .expect("the detail pane is shown");
    Rect::new(
        detail.x + 1,
        detail.y + 1,
        detail.width - 2,
        detail.height - 2,
    )
}

/// The pane's rows as text.
fn pane_rows(state: &State, buffer: &Buffer) -> Vec<String> {
    let inner = pane(state);
    (inner.y..inner.bottom())
        .map(|y| {
            (inner.x..inner.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// Text compared without layout: no whitespace, no box bars (quote bars repeat on wrapped
/// rows), no link numbers (`[3]`: they count the links of the whole answer).
fn squash(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│' && *c != '▎')
        .collect();
    let mut out = String::with_capacity(kept.len());
    let mut rest = kept.as_str();
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(']') {
            rest = &after[digits + 1..];
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// What the last line of a conversation's export looks like on screen: the last line that is
/// the answer's (or, without an answer, the question's) text, rendered from its Markdown.
/// `None` for a session without prompts. Table rows come back as their cells.
fn last_line(markdown: &str) -> Option<Vec<String>> {
    if markdown.contains("_No prompts in this session._") {
        return None;
    }
    let line = markdown.lines().rev().find(|l| {
        let t = l.trim();
        !t.is_empty()
            && !t.starts_with("```")
            && !t.starts_with("**Answer** (state:")
            && !matches!(t, "_Not run._" | "_Still running._" | "_No answer text._")
    })?;
    let line = line.strip_prefix("> ").unwrap_or(line);
    if line.trim_start().starts_with('|') {
        return Some(
            line.split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| {
                    // cells are Markdown too (`code`, **bold**)
                    squash(&rendered(c))
                })
                .collect(),
        );
    }
    Some(vec![squash(&rendered(line))])
}

fn rendered(markdown: &str) -> String {
    let theme = sctui_app::theme::Theme::dark();
    sctui_app::markdown::render(markdown, &theme)
        .lines(200, false, &theme)
        .iter()
        .take_while(|l| l.to_string() != "Links")
        .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
        .collect()
}

/// Everything the pane shows, across every sideways position of the table rows and code
/// lines: each row's columns as seen unmarked in some position (cut edges show `…`).
fn reachable_text(state: &mut State) -> String {
    let inner = pane(state);
    let width = usize::from(inner.width);
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    app::update(state, ch('G'));
    // back to the left edge, then right until the end
    for _ in 0..1000 {
        app::update(state, key(KeyCode::Left));
    }
    loop {
        let buffer = draw(state);
        let shift = state.reader().hscroll;
        for y in 0..usize::from(inner.height) {
            if rows.len() <= y {
                rows.push(Vec::new());
            }
            let cells: Vec<String> = row_cells(&buffer, inner, y);
            for (x, cell) in cells.into_iter().enumerate() {
                let marked = cell == "…" && (x == 0 || x + 1 == width);
                let col = shift + x;
                if rows[y].len() <= col {
                    rows[y].resize(col + 1, None);
                }
                if !marked || rows[y][col].is_none() {
                    rows[y][col] = Some(cell);
                }
            }
        }
        let before = state.reader().hscroll;
        app::update(state, key(KeyCode::Right));
        if state.reader().hscroll == before {
            break;
        }
    }
    rows.into_iter()
        .map(|r| {
            r.into_iter()
                .map(Option::unwrap_or_default)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row_cells(buffer: &Buffer, inner: Rect, y: usize) -> Vec<String> {
    (inner.x..inner.right())
        .map(|x| buffer[(x, inner.y + y as u16)].symbol().to_string())
        .collect()
}

fn check(c: &DemoConversation, width: u16, height: u16) {
    let name = c.session.display_name.as_deref().unwrap_or("(untitled)");
    let mut state = demo::reading(c, width, height);
    assert!(reader::detail_alone(&state) || layout::two_panes(width));
    app::update(&mut state, ch('G'));
    let at_end = pane_rows(&state, &draw(&state));
    let max = reader::max_scroll(&state);
    assert_eq!(state.reader().scroll, max, "{name} {width}x{height}");
    if max > 0 {
        app::update(&mut state, ch('k'));
        let after_k = pane_rows(&state, &draw(&state));
        assert_ne!(
            at_end, after_k,
            "{name} {width}x{height}: k after G moves the view"
        );
        assert_eq!(state.reader().scroll, max - 1);
    }
    let Some(expected) = last_line(&c.markdown) else {
        return;
    };
    if expected.len() == 1 && squash(&at_end.concat()).contains(&expected[0]) {
        return;
    }
    // a table row or code line wider than the pane: reachable sideways
    let seen = squash(&reachable_text(&mut state));
    for cell in &expected {
        assert!(
            seen.contains(cell.as_str()),
            "{name} at {width}x{height}: {cell:?} is not reachable; the pane shows:\n{}",
            at_end.join("\n")
        );
    }
}

#[test]
fn every_demo_conversation_is_readable_to_its_last_line_at_every_size() {
    let all = demo::conversations();
    assert!(all.len() >= 40, "{} demo sessions", all.len());
    assert!(all.iter().filter(|c| !c.turns.is_empty()).count() >= 30);
    for c in &all {
        for width in WIDTHS {
            for height in HEIGHTS {
                check(c, width, height);
            }
        }
    }
}

fn named(all: &[DemoConversation], prefix: &str) -> usize {
    all.iter()
        .position(|c| {
            c.session
                .display_name
                .as_deref()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no demo session named {prefix}…"))
}

/// The detail pane as drawn, borders and titles included: the reader's part of the screen, so
/// a change to the header, the list or the status line leaves these snapshots alone.
fn screen(state: &State) -> String {
    let buffer = draw(state);
    let area = Rect::new(0, 0, state.viewport().0, state.viewport().1);
    let detail = layout::screen_with(area, reader::detail_alone(state))
        .detail
        .expect("the detail pane is shown");
    (detail.top()..detail.bottom())
        .map(|y| {
            (detail.left()..detail.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn reader_screens() {
    let all = demo::conversations();
    let kql = &all[named(&all, "KQL hunt: encoded PowerShell")];

    // 64 columns: the conversation alone, at its end
    let mut state = demo::reading(kql, 64, 20);
    app::update(&mut state, ch('G'));
    insta::assert_snapshot!("r01_narrow_at_the_end", screen(&state));

    // zoomed at 120×36, on the second question
    let mut state = demo::reading(kql, 120, 36);
    app::update(&mut state, key(KeyCode::Esc));
    app::update(&mut state, ch('z'));
    app::update(&mut state, ch(']'));
    insta::assert_snapshot!("r02_zoomed", screen(&state));

    // a table kept wide (W) scrolled sideways at 64 columns: its first column stays, cut
    // edges marked
    let mut state = demo::reading(kql, 64, 20);
    app::update(&mut state, ch('W'));
    let table = state
        .reader()
        .layout
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .position(|r| matches!(r.kind, reader::RowKind::Wide(w) if w.width > 62 && w.frozen > 0))
        .expect("a table wider than the pane");
    for _ in 0..table.saturating_sub(5) {
        app::update(&mut state, ch('j'));
    }
    app::update(&mut state, ch('l'));
    app::update(&mut state, ch('l'));
    insta::assert_snapshot!("r03_sideways", screen(&state));

    // finding: matches highlighted, the query on the bottom border
    let mut state = demo::reading(kql, 120, 36);
    app::update(&mut state, ch('/'));
    for c in "powershell".chars() {
        app::update(&mut state, ch(c));
    }
    insta::assert_snapshot!("r04_finding", screen(&state));
}

/// The demo question answered twice, its runs at fixed times (the demo's follow the clock).
fn answered_twice(all: &[DemoConversation]) -> DemoConversation {
    let c = &all[named(all, "Phishing triage: invoice lure to finance")];
    let mut runs = c.runs.clone();
    let times = [
        "2026-02-01T11:40:00Z",
        "2026-01-31T16:05:00Z",
        "2026-01-30T09:00:00Z",
    ];
    for run in &mut runs {
        for (evaluation, at) in run.evaluations.iter_mut().zip(times) {
            evaluation.created_date_time = Some(sctui_graph::models::GraphTime::new(at));
        }
    }
    assert_eq!(runs[0].evaluations.len(), 2, "the demo answered Q1 twice");
    DemoConversation {
        session: c.session.clone(),
        turns: sctui_graph::conversation::latest_turns(runs.clone()),
        runs,
        markdown: c.markdown.clone(),
    }
}

/// Scrolls up from question 2 until the line of question 1's earlier runs is in view, near the
/// top.
fn to_the_earlier_runs(state: &mut State) {
    app::update(state, ch(']'));
    app::update(state, ch(']'));
    let heading = |state: &State| {
        let layout = state.reader().layout.as_ref().unwrap();
        (0..layout.rows.len())
            .position(|i| layout.row_text(i).contains("earlier run"))
            .expect("the earlier runs' line")
    };
    while state.reader().scroll + 3 > heading(state) && state.reader().scroll > 0 {
        app::update(state, ch('k'));
    }
}

/// The last row of the screen: the status line.
fn status_row(state: &State) -> String {
    let buffer = draw(state);
    let y = state.viewport().1 - 1;
    (0..state.viewport().0)
        .map(|x| buffer[(x, y)].symbol())
        .collect()
}

#[test]
fn earlier_runs_and_compare_screens() {
    let all = demo::conversations();
    let twice = answered_twice(&all);
    for (width, height) in [(120, 36), (80, 24), (64, 20)] {
        // folded: the newest answer, then one line per earlier run with its time and result
        let mut state = demo::reading(&twice, width, height);
        to_the_earlier_runs(&mut state);
        insta::assert_snapshot!(
            format!("r05_earlier_runs_folded_{width}x{height}"),
            screen(&state)
        );
        // compared: side by side where the full width allows, else one below the other
        let mut state = demo::reading(&twice, width, height);
        app::update(&mut state, ch('d'));
        insta::assert_snapshot!(format!("r06_compare_{width}x{height}"), screen(&state));
        let text = screen(&state);
        let side_by_side = text
            .lines()
            .any(|l| l.contains("older run") && l.contains("│ newest run"));
        assert_eq!(side_by_side, width >= 80, "{width}x{height}:\n{text}");
    }
    // unfolded at 80×24: the earlier run's answer under its line
    let mut state = demo::reading(&twice, 80, 24);
    app::update(&mut state, ch('E'));
    to_the_earlier_runs(&mut state);
    for _ in 0..4 {
        app::update(&mut state, ch('j'));
    }
    insta::assert_snapshot!("r07_earlier_runs_unfolded_80x24", screen(&state));

    // the re-run key asks on the status line first, even at 64 columns
    let mut state = demo::reading(&twice, 64, 20);
    app::update(&mut state, ch('x'));
    let status = status_row(&state);
    assert!(
        status.starts_with("? Run Q1 again (no new question)?")
            && status.trim_end().ends_with("y/Enter: yes · other: no"),
        "{status:?}"
    );
}
