//! The reader on real documents (`crates/fake/assets/documents`, sources and licences in its
//! `SOURCES.md`): Learn KQL and Sentinel pages, Microsoft's Security Copilot workshop, READMEs
//! with HTML, CJK, Hebrew and Persian text, task lists, footnotes and callouts. On the drawn
//! screen at 120×36 and 64×20, by scrolling down alone: every word of the document's prose
//! is reached (code blocks scroll sideways and are left out), no row is wider than the pane, no
//! HTML tag or callout marker is on screen, and words HTML puts on separate lines keep their
//! space. Plus snapshots of the screens that show each kind.

use std::collections::BTreeMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use sctui::tui::app::{self, State, layout, reader};
use sctui_app::input::KeyCode;
use sctui_fake::documents::{DOCUMENTS, Document, keyword};
use sctui_graph::conversation::Turn;

use crate::common::demo::{self, DemoConversation, key};

const SIZES: [(u16, u16); 2] = [(120, 36), (64, 20)];

/// A session whose one question is answered with `document`.
fn conversation(document: &Document) -> DemoConversation {
    let session = serde_json::from_value(serde_json::json!({
        "id": format!("doc-{}", document.name.replace(' ', "-")),
        "displayName": document.name,
    }))
    .unwrap();
    let turn = Turn {
        prompt: serde_json::from_value(serde_json::json!({
            "id": "p1", "type": "prompt", "content": keyword(document)
        }))
        .unwrap(),
        evaluation: Some(
            serde_json::from_value(serde_json::json!({
                "id": "e1", "state": "completed",
                "result": {"type": "success", "content": document.markdown},
                "createdDateTime": "2026-02-01T11:59:50Z",
                "runStartDateTime": "2026-02-01T11:59:52Z"
            }))
            .unwrap(),
        ),
    };
    DemoConversation {
        session,
        runs: vec![turn.clone().into()],
        turns: vec![turn],
        markdown: String::new(),
    }
}

fn draw(state: &State) -> Buffer {
    let mut terminal =
        Terminal::new(TestBackend::new(state.viewport().0, state.viewport().1)).unwrap();
    terminal.draw(|f| sctui::tui::ui::draw(state, f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The detail pane, border included.
fn pane(state: &State) -> Rect {
    let area = Rect::new(0, 0, state.viewport().0, state.viewport().1);
    layout::screen_with(area, reader::detail_alone(state))
        .detail
        .expect("the detail pane")
}

/// The detail pane's inner rectangle.
fn inner(state: &State) -> Rect {
    let detail = pane(state);
    Rect::new(
        detail.x + 1,
        detail.y + 1,
        detail.width - 2,
        detail.height - 2,
    )
}

/// The detail pane as drawn (its snapshot changes with the reader only, not with the header or
/// the status line).
fn screen(state: &State) -> String {
    let buffer = draw(state);
    let pane = pane(state);
    (pane.y..pane.bottom())
        .map(|y| {
            (pane.x..pane.right())
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every layout row as drawn, reached by paging down from the top (PgDn only), keyed by row.
fn read_down(state: &mut State) -> BTreeMap<usize, String> {
    let area = inner(state);
    let mut rows = BTreeMap::new();
    app::update(state, key(KeyCode::Home));
    loop {
        let buffer = draw(state);
        let top = state.reader().scroll;
        for y in 0..area.height {
            let text: String = (area.x..area.right())
                .map(|x| buffer[(x, area.y + y)].symbol())
                .collect();
            rows.insert(top + usize::from(y), text);
        }
        app::update(state, key(KeyCode::PageDown));
        if state.reader().scroll == top {
            break;
        }
    }
    rows
}

/// Learn's directive lines, which the reader leaves out on purpose.
fn is_directive(line: &str) -> bool {
    let c = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
    let lower = c.to_ascii_lowercase();
    c.starts_with(":::") || lower.starts_with("[!include") || lower.starts_with("[!div")
}

/// The words of the document's prose as the Markdown parser sees them (code blocks, comments,
/// styles and directives aside): what a reader must be able to reach.
fn prose_words(markdown: &str) -> Vec<String> {
    let source: String = markdown
        .lines()
        .filter(|l| !is_directive(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut words = Vec::new();
    let mut in_code = false;
    let mut block: Option<String> = None;
    let mut html = Vec::new();
    for event in Parser::new_ext(&source, options) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::HtmlBlock) => block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => html.extend(block.take()),
            Event::Text(t) | Event::Code(t) if !in_code => {
                words.extend(t.split_whitespace().map(str::to_string))
            }
            Event::Html(h) if block.is_some() => block.iter_mut().for_each(|b| b.push_str(&h)),
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.to_string()),
            _ => {}
        }
        for h in html.drain(..) {
            let mut skip = 0;
            for token in html5gum::Tokenizer::new(h.as_str()).flatten() {
                match token {
                    html5gum::Token::StartTag(t) if matches!(&t.name[..], b"style" | b"script") => {
                        skip += 1
                    }
                    html5gum::Token::EndTag(t) if matches!(&t.name[..], b"style" | b"script") => {
                        skip -= 1
                    }
                    html5gum::Token::String(s) if skip == 0 => words.extend(
                        String::from_utf8_lossy(&s)
                            .split_whitespace()
                            .map(str::to_string),
                    ),
                    _ => {}
                }
            }
        }
    }
    words
}

/// Text compared without layout: no whitespace, no table or quote bars, and none of the
/// invisible format characters (zero-width joiners, bidi controls) the sanitiser takes out.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '│' | '▎' | '├' | '┼' | '┤' | '─'))
        .filter(|c| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
        .collect()
}

/// Words of `words` not found on `screen` (in order where they can be; anywhere else).
fn missing(words: &[String], screen: &str) -> Vec<String> {
    let mut lost = Vec::new();
    let mut at = 0;
    for word in words {
        let word = squash(word);
        if word.is_empty() {
            continue;
        }
        if let Some(i) = screen[at..].find(&word) {
            at += i + word.len();
        } else if !screen.contains(&word) {
            lost.push(word);
        }
    }
    lost
}

const MARKERS: [&str; 24] = [
    "<p",
    "</p>",
    "<a ",
    "</a>",
    "<img",
    "<br",
    "<details",
    "</details>",
    "<summary",
    "<!--",
    "<style",
    "<div",
    "</div>",
    "<kbd",
    "<sup",
    "<i>",
    "<b>",
    "[!NOTE]",
    "[!TIP]",
    "[!IMPORTANT]",
    "[!WARNING]",
    "[!CAUTION]",
    "[!INCLUDE",
    "[!div",
];

#[test]
fn every_word_of_every_document_is_reached_by_scrolling_down() {
    for document in DOCUMENTS {
        let c = conversation(document);
        let words = prose_words(document.markdown);
        assert!(
            words.len() > 100,
            "{}: {} words",
            document.name,
            words.len()
        );
        for (width, height) in SIZES {
            let mut state = demo::reading(&c, width, height);
            let what = format!("{} at {width}x{height}", document.name);
            let rows = read_down(&mut state);
            let layout = state.reader().layout.as_ref().unwrap();
            assert_eq!(rows.len(), layout.rows.len(), "{what}: every row drawn");
            let is_code = |row: usize| {
                layout
                    .code_blocks
                    .iter()
                    .any(|b| (b.start..b.end).contains(&row))
            };
            // prose rows fit the pane: nothing is cut at the right edge
            let room = usize::from(inner(&state).width);
            for (i, r) in layout.rows.iter().enumerate() {
                if r.kind == reader::RowKind::Text {
                    let w = sctui_app::markdown::line_width(&r.line);
                    assert!(
                        w <= room,
                        "{what}: row {i} is {w} wide: {:?}",
                        layout.row_text(i)
                    );
                }
            }
            let screen_text = squash(&rows.values().cloned().collect::<String>());
            let lost = missing(&words, &screen_text);
            assert!(
                lost.is_empty(),
                "{what}: {} words not reached: {lost:?}",
                lost.len()
            );
            for (row, text) in &rows {
                if is_code(*row) {
                    continue;
                }
                for marker in MARKERS {
                    assert!(!text.contains(marker), "{what}: {marker} on screen: {text}");
                }
            }
        }
    }
}

#[test]
fn words_on_separate_html_lines_keep_their_space() {
    let bat = DOCUMENTS.iter().find(|d| d.name == "bat readme").unwrap();
    let mut state = demo::reading(&conversation(bat), 120, 36);
    let rows = read_down(&mut state);
    let text: String = rows
        .values()
        .map(|r| r.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for joined in [
        "Key Features • How To Use • Installation • Customization • Project goals, alternatives",
        "A cat(1) clone with syntax highlighting and Git integration.",
        "[English] [",
    ] {
        assert!(
            text.contains(joined),
            "{joined:?} is not on screen as one text"
        );
    }
}

/// Scrolls until a row containing `needle` is at the top.
fn scroll_to_text(state: &mut State, needle: &str) {
    let layout = state.reader().layout.as_ref().unwrap();
    let row = (0..layout.rows.len())
        .find(|&i| layout.row_text(i).contains(needle))
        .unwrap_or_else(|| panic!("{needle} is not in the layout"));
    for _ in 0..row {
        app::update(state, key(KeyCode::Down));
    }
}

fn document(name: &str) -> DemoConversation {
    conversation(DOCUMENTS.iter().find(|d| d.name == name).unwrap())
}

#[test]
fn document_screens() {
    let cases: [(&str, u16, u16, &str); 10] = [
        ("bat readme", 64, 20, "bat - a cat clone"),
        ("bat readme", 120, 36, "bat - a cat clone"),
        ("summarize operator", 64, 20, "any_x"),
        ("summarize operator", 120, 36, "Supported parameters"),
        ("prompting with markdown", 64, 20, "Initial prompt"),
        ("mdbook markdown", 64, 20, "Task lists"),
        ("mdbook markdown", 120, 36, "Notes"),
        ("dijkstra chinese", 64, 20, "Dijkstra"),
        ("dijkstra hebrew", 64, 20, "Dijkstra"),
        ("algorithms persian", 64, 20, "ساختارهای داده"),
    ];
    for (i, (name, width, height, at)) in cases.into_iter().enumerate() {
        let mut state = demo::reading(&document(name), width, height);
        scroll_to_text(&mut state, at);
        insta::assert_snapshot!(
            format!("d{:02}_{}_{width}x{height}", i + 1, name.replace(' ', "_")),
            screen(&state)
        );
    }
}
