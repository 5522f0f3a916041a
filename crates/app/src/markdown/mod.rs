//! Copilot's Markdown answers as styled terminal lines, parsed with pulldown-cmark: headings of
//! six distinct levels, emphasis, lists and task lists, quotes and GitHub callouts, code blocks,
//! tables (laid out per width by [`table`]), footnotes as numbered notes at the end, links by
//! their text with the URLs listed at the end, and HTML rendered through [`html`] rather than
//! printed. Learn's `:::` and `[!INCLUDE]` directives are not prose and are left out. Input must
//! already be sanitised.

mod html;
pub mod table;
pub mod wrap;

use std::borrow::Cow;

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use ratatui_core::style::{Modifier, Style};
use ratatui_core::text::{Line, Span};

pub use table::{Shape, Table, TableRow, Wide};
pub use wrap::{LinkRange, Wrapped, drawn_width, line_width, wrap};

use crate::theme::Theme;
use html::HtmlToken;
use table::CellLine;

/// One rendered line, and whether it may wrap: prose wraps, while code lines scroll sideways
/// instead (wrapping them breaks their layout).
#[derive(Debug, Clone, PartialEq)]
pub struct MdLine {
    pub line: Line<'static>,
    /// The link (an index into [`Answer::links`]) of each span; empty when the line has none.
    pub links: Vec<Option<u16>>,
    pub wrap: bool,
    /// Columns of the line's start (quote bars, list indent and marker) that rows wrapped from
    /// it hang under, so a wrapped list item keeps its indent.
    pub hang: u16,
    /// Which code block of the answer (0-based) the line belongs to, so the reader can copy the
    /// block in view.
    pub code: Option<u16>,
}

/// A piece of a rendered answer: a line, or a table (laid out when the width is known).
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Line(MdLine),
    Table(Table),
}

/// A rendered answer: its blocks and the URLs its links point to (numbered from 1 on screen).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    pub blocks: Vec<Block>,
    pub links: Vec<String>,
}

impl Answer {
    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The answer's lines with its tables laid out for `width` columns (prose unwrapped): what
    /// a plain-text view or a test compares.
    pub fn lines(&self, width: usize, keep_wide: bool, theme: &Theme) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        for block in &self.blocks {
            match block {
                Block::Line(l) => out.push(l.line.clone()),
                Block::Table(t) => out.extend(
                    t.lay_out(width, keep_wide, theme)
                        .into_iter()
                        .map(|r| r.line),
                ),
            }
        }
        out
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

/// The text of each code block in `markdown`, in order (what `C` copies).
pub fn code_blocks(markdown: &str) -> Vec<String> {
    let markdown = without_learn_directives(markdown);
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(&markdown, options()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => current = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.push_str(&text);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Renders Markdown to blocks; long prose lines are left for the reader to wrap.
pub fn render(markdown: &str, theme: &Theme) -> Answer {
    let markdown = without_learn_directives(markdown);
    let mut r = Renderer::new(theme);
    for event in Parser::new_ext(&markdown, options()) {
        r.event(event);
    }
    r.finish()
}

/// Microsoft Learn's directives (`:::image …:::`, `::: moniker range=…`, `[!INCLUDE …]`,
/// `> [!div class=…]`) are build instructions, not prose: their lines are dropped, except inside
/// fenced code.
fn without_learn_directives(markdown: &str) -> Cow<'_, str> {
    fn content(line: &str) -> &str {
        line.trim_start_matches(|c: char| c == '>' || c.is_whitespace())
    }
    fn is_directive(line: &str) -> bool {
        let c = content(line);
        let lower = c.get(..10).unwrap_or(c).to_ascii_lowercase();
        c.starts_with(":::") || lower.starts_with("[!include") || lower.starts_with("[!div")
    }
    if !markdown.lines().any(is_directive) {
        return Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut fence: Option<(char, usize)> = None;
    for line in markdown.split_inclusive('\n') {
        let c = content(line);
        let marker = c.chars().next().filter(|m| *m == '`' || *m == '~');
        if let Some(m) = marker {
            let run = c.chars().take_while(|x| *x == m).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((m, run)),
                    Some((open, len)) if open == m && run >= len => fence = None,
                    _ => {}
                }
            }
        }
        if fence.is_none() && is_directive(line) {
            continue;
        }
        out.push_str(line);
    }
    Cow::Owned(out)
}

/// A number in superscript digits (footnote references).
fn superscript_number(n: usize) -> String {
    n.to_string().chars().filter_map(superscript).collect()
}

fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '+' => '⁺',
        '-' => '⁻',
        '=' => '⁼',
        '(' => '⁽',
        ')' => '⁾',
        'n' => 'ⁿ',
        'i' => 'ⁱ',
        _ => return None,
    })
}

/// A link target worth listing and opening: an absolute web or mail address without anything
/// a terminal could read as a control sequence. Anchors and relative paths are not.
fn is_external(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// What a closing HTML tag undoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undo {
    Style,
    Link,
    Superscript,
    Skip,
}

/// A link being rendered: its number (external links only) and where its text starts.
struct OpenLink {
    id: Option<u16>,
    url: String,
    text_from: usize,
}

struct TableState {
    table: Table,
    row: Vec<Vec<CellLine>>,
    cell: Vec<CellLine>,
}

/// Where a footnote's own blocks go while it is rendered, and what it interrupted.
struct OpenFootnote {
    number: usize,
    saved: Vec<Block>,
}

struct Renderer<'t> {
    theme: &'t Theme,
    blocks: Vec<Block>,
    spans: Vec<Span<'static>>,
    span_links: Vec<Option<u16>>,
    styles: Vec<Style>,
    /// Stack of list counters (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// A list item's marker (and its style) waits for its first text.
    pending_marker: Option<(String, Style)>,
    /// The quotes the text is in, innermost last (a callout has its kind).
    quotes: Vec<Option<BlockQuoteKind>>,
    in_code_block: bool,
    /// Code blocks seen so far (the current one is `code_blocks - 1`).
    code_blocks: u16,
    /// The hanging indent of the line being built.
    hang: u16,
    links: Vec<String>,
    open_links: Vec<OpenLink>,
    table: Option<TableState>,
    /// The HTML block being collected (pulldown-cmark hands it over line by line).
    html_block: Option<String>,
    /// Inline effects of HTML tags still open, innermost last.
    html_open: Vec<(String, Undo)>,
    /// Inside `<style>`/`<script>`: their text is not prose.
    html_skip: usize,
    /// Inside `<sup>`.
    superscript: usize,
    /// Footnote labels in the order they are numbered.
    footnote_labels: Vec<String>,
    footnotes: Vec<(usize, Vec<Block>)>,
    footnote: Option<OpenFootnote>,
}

impl<'t> Renderer<'t> {
    fn new(theme: &'t Theme) -> Self {
        Self {
            theme,
            blocks: Vec::new(),
            spans: Vec::new(),
            span_links: Vec::new(),
            styles: vec![Style::new()],
            lists: Vec::new(),
            pending_marker: None,
            quotes: Vec::new(),
            in_code_block: false,
            code_blocks: 0,
            hang: 0,
            links: Vec::new(),
            open_links: Vec::new(),
            table: None,
            html_block: None,
            html_open: Vec::new(),
            html_skip: 0,
            superscript: 0,
            footnote_labels: Vec::new(),
            footnotes: Vec::new(),
            footnote: None,
        }
    }

    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, patch: Style) {
        let next = self.style().patch(patch);
        self.styles.push(next);
    }

    fn pop_style(&mut self) {
        if self.styles.len() > 1 {
            self.styles.pop();
        }
    }

    fn current_link(&self) -> Option<u16> {
        self.open_links.iter().rev().find_map(|l| l.id)
    }

    fn callout_style(&self, kind: BlockQuoteKind) -> Style {
        match kind {
            BlockQuoteKind::Note => self.theme.info,
            BlockQuoteKind::Tip => self.theme.info,
            BlockQuoteKind::Important => self.theme.key,
            BlockQuoteKind::Warning => self.theme.warning,
            BlockQuoteKind::Caution => self.theme.error,
        }
    }

    /// The quote bars and list indent a line starts with.
    fn indent(&self) -> Vec<Span<'static>> {
        let mut spans: Vec<Span<'static>> = self
            .quotes
            .iter()
            .map(|q| match q {
                Some(kind) => Span::styled("▎ ", self.callout_style(*kind)),
                None => Span::styled("│ ", self.theme.dim),
            })
            .collect();
        let depth = self.lists.len().saturating_sub(1);
        if depth > 0 {
            spans.push(Span::raw("  ".repeat(depth)));
        }
        spans
    }

    fn push_span(&mut self, span: Span<'static>, link: Option<u16>) {
        self.span_links.resize(self.spans.len(), None);
        self.spans.push(span);
        self.span_links.push(link);
    }

    fn start_line_if_needed(&mut self) {
        if !self.spans.is_empty() || self.table.is_some() {
            return;
        }
        let indent = self.indent();
        let mut hang = line_width(&Line::from(indent.clone()));
        for span in indent {
            self.push_span(span, None);
        }
        if let Some((marker, style)) = self.pending_marker.take() {
            hang += drawn_width(&marker);
            self.push_span(Span::styled(marker, style), None);
        } else if !self.lists.is_empty() {
            hang += 2;
            self.push_span(Span::raw("  "), None);
        }
        self.hang = u16::try_from(hang).unwrap_or(u16::MAX);
    }

    fn text(&mut self, text: &str) {
        if self.html_skip > 0 {
            return;
        }
        if self.in_code_block {
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    self.flush_line();
                }
                if !line.is_empty() {
                    self.start_line_if_needed();
                    self.push_span(Span::styled(format!("  {line}"), self.theme.label), None);
                }
            }
            return;
        }
        let text = if self.superscript > 0 {
            match text.chars().map(superscript).collect::<Option<String>>() {
                Some(raised) => raised,
                None => text.to_string(),
            }
        } else {
            text.to_string()
        };
        self.start_line_if_needed();
        let link = self.current_link();
        self.push_span(Span::styled(text, self.style()), link);
    }

    fn push(&mut self, line: Line<'static>, mut links: Vec<Option<u16>>) {
        let code = self
            .in_code_block
            .then(|| self.code_blocks.saturating_sub(1));
        let hang = std::mem::take(&mut self.hang);
        if links.iter().all(Option::is_none) {
            links = Vec::new();
        }
        self.blocks.push(Block::Line(MdLine {
            line,
            links,
            wrap: !self.in_code_block,
            hang,
            code,
        }));
    }

    fn flush_line(&mut self) {
        if !self.in_code_block
            && let Some(last) = self.spans.last_mut()
            && last.content.ends_with(' ')
        {
            let trimmed = last.content.trim_end().to_string();
            last.content = trimmed.into();
        }
        if !self.spans.is_empty() {
            let spans = std::mem::take(&mut self.spans);
            let mut links = std::mem::take(&mut self.span_links);
            links.resize(spans.len(), None);
            self.push(Line::from(spans), links);
        }
    }

    /// A line break: a new line of prose, or of the table cell being read.
    fn line_break(&mut self) {
        if let Some(t) = &mut self.table {
            let spans = std::mem::take(&mut self.spans);
            let mut links = std::mem::take(&mut self.span_links);
            links.resize(spans.len(), None);
            t.cell.push(CellLine {
                line: Line::from(spans),
                links,
            });
        } else {
            self.flush_line();
        }
    }

    fn last_is_blank(&self) -> bool {
        match self.blocks.last() {
            None => true,
            Some(Block::Line(l)) => l.line.spans.is_empty(),
            Some(Block::Table(_)) => false,
        }
    }

    /// Ends the current block with one blank line (never two, none at the start).
    fn blank(&mut self) {
        self.flush_line();
        if !self.last_is_blank() {
            self.push(Line::default(), Vec::new());
        }
    }

    /// The end of a paragraph: a blank line, or only a new line inside lists and cells.
    fn paragraph_break(&mut self) {
        if self.table.is_some() {
            if !self.spans.is_empty() {
                self.line_break();
            }
        } else if self.lists.is_empty() {
            self.blank();
        } else {
            self.flush_line();
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(code) => {
                self.start_line_if_needed();
                let link = self.current_link();
                self.push_span(Span::styled(format!("`{code}`"), self.theme.label), link);
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.line_break(),
            Event::Rule => self.rule(),
            Event::TaskListMarker(done) => {
                let mark = if done { "☑ " } else { "☐ " };
                let style = if done {
                    self.theme.info
                } else {
                    self.theme.key
                };
                match &mut self.pending_marker {
                    Some(marker) => *marker = (mark.to_string(), style),
                    None => self.text(mark),
                }
            }
            Event::Html(h) => match &mut self.html_block {
                Some(block) => block.push_str(&h),
                None => self.html(&h, false),
            },
            Event::InlineHtml(h) => self.html(&h, false),
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(&label);
                self.start_line_if_needed();
                self.push_span(Span::styled(superscript_number(n), self.theme.key), None);
            }
            _ => {}
        }
    }

    fn rule(&mut self) {
        self.blank();
        let mut spans = self.indent();
        spans.push(Span::styled("─".repeat(40), self.theme.dim));
        self.push(Line::from(spans), Vec::new());
        self.push(Line::default(), Vec::new());
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        match self.footnote_labels.iter().position(|l| l == label) {
            Some(i) => i + 1,
            None => {
                self.footnote_labels.push(label.to_string());
                self.footnote_labels.len()
            }
        }
    }

    fn heading_style(&self, level: usize) -> Style {
        // modifiers alone tell the levels apart, whatever the theme's colours
        let title = self.theme.title;
        let plain = Style::new();
        match level {
            1 => title.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            2 => title.add_modifier(Modifier::BOLD),
            3 => plain.add_modifier(Modifier::BOLD | Modifier::ITALIC),
            4 => plain.add_modifier(Modifier::ITALIC | Modifier::UNDERLINED),
            5 => plain.add_modifier(Modifier::ITALIC),
            _ => plain.add_modifier(Modifier::DIM),
        }
    }

    fn start_heading(&mut self, level: usize) {
        self.blank();
        self.push_style(self.heading_style(level));
        self.start_line_if_needed();
        let marks = format!("{} ", "#".repeat(level));
        self.hang = self.hang.saturating_add(marks.len() as u16);
        self.push_span(Span::styled(marks, self.theme.key), None);
    }

    fn start_link(&mut self, url: &str) {
        let id = is_external(url).then(|| self.link_id(url));
        self.open_links.push(OpenLink {
            id,
            url: url.to_string(),
            text_from: self.spans.len(),
        });
        if id.is_some() {
            self.push_style(Style::new().add_modifier(Modifier::UNDERLINED));
        }
    }

    fn end_link(&mut self) {
        let Some(link) = self.open_links.pop() else {
            return;
        };
        let Some(id) = link.id else {
            return;
        };
        self.pop_style();
        let shown: String = self
            .spans
            .get(link.text_from..)
            .unwrap_or_default()
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        if shown.trim() != link.url {
            self.start_line_if_needed();
            self.push_span(Span::styled(format!("[{}]", id + 1), self.theme.dim), None);
        }
    }

    fn link_id(&mut self, url: &str) -> u16 {
        match self.links.iter().position(|l| l == url) {
            Some(i) => i as u16,
            None => {
                self.links.push(url.to_string());
                (self.links.len() - 1) as u16
            }
        }
    }

    fn image_alt_start(&mut self) {
        self.push_style(self.theme.dim);
        self.text("[");
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.start_heading(level);
            }
            Tag::BlockQuote(kind) => {
                self.flush_line();
                self.quotes.push(kind);
                if let Some(kind) = kind {
                    let (icon, label) = match kind {
                        BlockQuoteKind::Note => ("ℹ", "Note"),
                        BlockQuoteKind::Tip => ("✦", "Tip"),
                        BlockQuoteKind::Important => ("❢", "Important"),
                        BlockQuoteKind::Warning => ("⚠", "Warning"),
                        BlockQuoteKind::Caution => ("⛔", "Caution"),
                    };
                    let mut spans = self.indent();
                    spans.push(Span::styled(
                        format!("{icon} {label}"),
                        self.callout_style(kind).add_modifier(Modifier::BOLD),
                    ));
                    self.push(Line::from(spans), Vec::new());
                }
            }
            Tag::CodeBlock(kind) => {
                self.blank();
                self.in_code_block = true;
                self.code_blocks = self.code_blocks.saturating_add(1);
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    let mut spans = self.indent();
                    spans.push(Span::styled(format!("  ┌ {lang}"), self.theme.dim));
                    self.push(Line::from(spans), Vec::new());
                }
            }
            Tag::HtmlBlock => {
                self.flush_line();
                self.html_block = Some(String::new());
            }
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.blank();
                } else {
                    self.flush_line();
                }
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush_line();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                self.pending_marker = Some((marker, self.theme.key));
            }
            Tag::FootnoteDefinition(label) => {
                self.flush_line();
                let number = self.footnote_number(&label);
                let saved = std::mem::take(&mut self.blocks);
                self.footnote = Some(OpenFootnote { number, saved });
                self.lists.push(None);
                self.pending_marker =
                    Some((format!("{} ", superscript_number(number)), self.theme.key));
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => self.start_link(&dest_url),
            Tag::Image { .. } => self.image_alt_start(),
            Tag::Table(alignments) => {
                self.blank();
                self.table = Some(TableState {
                    table: Table {
                        alignments,
                        header_rows: 0,
                        rows: Vec::new(),
                        indent: self.indent(),
                    },
                    row: Vec::new(),
                    cell: Vec::new(),
                });
            }
            Tag::TableHead | Tag::TableRow | Tag::TableCell => {}
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.close_html();
                self.paragraph_break();
            }
            TagEnd::Heading(_) => {
                self.pop_style();
                self.blank();
            }
            TagEnd::BlockQuote(_) => {
                self.flush_line();
                self.quotes.pop();
                if self.quotes.is_empty() && self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::CodeBlock => {
                self.blank();
                self.in_code_block = false;
            }
            TagEnd::HtmlBlock => {
                if let Some(block) = self.html_block.take() {
                    self.html(&block, true);
                }
                self.close_html();
                self.paragraph_break();
            }
            TagEnd::List(_) => {
                self.flush_line();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush_line(),
            TagEnd::FootnoteDefinition => {
                self.flush_line();
                self.lists.pop();
                self.pending_marker = None;
                if let Some(open) = self.footnote.take() {
                    let mut blocks = std::mem::replace(&mut self.blocks, open.saved);
                    while matches!(blocks.last(), Some(Block::Line(l)) if l.line.spans.is_empty()) {
                        blocks.pop();
                    }
                    self.footnotes.push((open.number, blocks));
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
            TagEnd::Link => self.end_link(),
            TagEnd::Image => {
                self.text("]");
                self.pop_style();
            }
            TagEnd::TableCell => {
                self.line_break();
                if let Some(t) = &mut self.table {
                    let mut cell = std::mem::take(&mut t.cell);
                    while cell.len() > 1
                        && cell
                            .last()
                            .is_some_and(|l| plain(&l.line).trim().is_empty())
                    {
                        cell.pop();
                    }
                    for l in &mut cell {
                        trim_line(&mut l.line, &mut l.links);
                    }
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.table.rows.push(row);
                    t.table.header_rows = t.table.rows.len();
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.blocks.push(Block::Table(t.table));
                }
                self.blank();
            }
            _ => {}
        }
    }

    /// Renders an HTML fragment: a block (`block`, whose whitespace collapses as a browser's
    /// does) or one inline tag.
    fn html(&mut self, source: &str, block: bool) {
        for token in html::tokens(source) {
            match token {
                HtmlToken::Text(text) => {
                    if self.html_skip > 0 {
                        continue;
                    }
                    let text = if block {
                        html::collapse_whitespace(&text)
                    } else {
                        text
                    };
                    let text = if self.spans.is_empty() {
                        text.trim_start()
                    } else {
                        &text
                    };
                    if !text.is_empty() {
                        self.text(text);
                    }
                }
                HtmlToken::Start { name, href, alt } => self.html_start(&name, href, alt),
                HtmlToken::End(name) => self.html_end(&name),
            }
        }
    }

    fn html_start(&mut self, name: &str, href: Option<String>, alt: Option<String>) {
        let style = |m: Modifier| Style::new().add_modifier(m);
        match name {
            "br" => self.line_break(),
            "p" | "div" | "section" | "article" | "center" | "header" | "footer" | "main"
            | "nav" | "figure" | "figcaption" | "table" | "ul" | "ol" | "dl" | "details"
            | "blockquote" | "pre" => self.paragraph_break(),
            "tr" | "dt" | "dd" => self.line_break(),
            "td" | "th" if !self.spans.is_empty() => self.text("  "),
            "li" => {
                self.flush_line();
                self.pending_marker = Some(("• ".to_string(), self.theme.key));
            }
            "hr" => self.rule(),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.start_heading(level);
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "summary" => {
                self.flush_line();
                self.start_line_if_needed();
                self.push_span(Span::styled("▾ ", self.theme.key), None);
                self.push_style(style(Modifier::BOLD));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "a" => {
                if let Some(href) = href {
                    self.start_link(&href);
                    self.html_open.push((name.to_string(), Undo::Link));
                }
            }
            "img" => {
                if let Some(alt) = alt.map(|a| html::collapse_whitespace(&a))
                    && !alt.trim().is_empty()
                {
                    self.image_alt_start();
                    self.text(alt.trim());
                    self.text("]");
                    self.pop_style();
                }
            }
            "b" | "strong" => {
                self.push_style(style(Modifier::BOLD));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "i" | "em" | "cite" | "var" => {
                self.push_style(style(Modifier::ITALIC));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "u" | "ins" => {
                self.push_style(style(Modifier::UNDERLINED));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "s" | "del" | "strike" => {
                self.push_style(style(Modifier::CROSSED_OUT));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "code" | "tt" | "samp" => {
                self.push_style(self.theme.label);
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "kbd" => {
                self.push_style(self.theme.key.add_modifier(Modifier::BOLD));
                self.html_open.push((name.to_string(), Undo::Style));
            }
            "sup" => {
                self.superscript += 1;
                self.html_open.push((name.to_string(), Undo::Superscript));
            }
            "style" | "script" | "template" | "head" | "title" | "noscript" => {
                self.html_skip += 1;
                self.html_open.push((name.to_string(), Undo::Skip));
            }
            // any other tag is dropped; its text stays
            _ => {}
        }
    }

    fn html_end(&mut self, name: &str) {
        match name {
            "p" | "div" | "section" | "article" | "center" | "header" | "footer" | "main"
            | "nav" | "figure" | "figcaption" | "table" | "ul" | "ol" | "dl" | "details"
            | "blockquote" | "pre" => {
                self.close_html_named(name);
                self.paragraph_break();
            }
            "summary" | "li" | "tr" => {
                self.close_html_named(name);
                self.line_break();
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.close_html_named(name);
                self.blank();
            }
            _ => self.close_html_named(name),
        }
    }

    /// Undoes the innermost open tag called `name` and everything opened inside it.
    fn close_html_named(&mut self, name: &str) {
        if let Some(at) = self.html_open.iter().rposition(|(n, _)| n == name) {
            while self.html_open.len() > at {
                self.undo_html();
            }
        }
    }

    /// Undoes every HTML tag left open (at the end of a block or paragraph).
    fn close_html(&mut self) {
        while !self.html_open.is_empty() {
            self.undo_html();
        }
    }

    fn undo_html(&mut self) {
        let Some((_, undo)) = self.html_open.pop() else {
            return;
        };
        match undo {
            Undo::Style => self.pop_style(),
            Undo::Link => self.end_link(),
            Undo::Superscript => self.superscript = self.superscript.saturating_sub(1),
            Undo::Skip => self.html_skip = self.html_skip.saturating_sub(1),
        }
    }

    /// Ends the answer: the footnotes as numbered notes, then the list of links.
    fn finish(mut self) -> Answer {
        self.flush_line();
        if !self.footnotes.is_empty() {
            self.blank();
            self.push(
                Line::from(Span::styled(
                    "Notes",
                    self.theme.dim.add_modifier(Modifier::BOLD),
                )),
                Vec::new(),
            );
            let mut notes = std::mem::take(&mut self.footnotes);
            notes.sort_by_key(|(n, _)| *n);
            for (_, blocks) in notes {
                self.blocks.extend(blocks);
            }
        }
        if !self.links.is_empty() {
            self.blank();
            self.push(
                Line::from(Span::styled(
                    "Links",
                    self.theme.dim.add_modifier(Modifier::BOLD),
                )),
                Vec::new(),
            );
            for (i, url) in std::mem::take(&mut self.links).iter().enumerate() {
                let marker = format!("[{}] ", i + 1);
                self.hang = u16::try_from(drawn_width(&marker)).unwrap_or(0);
                let line = Line::from(vec![
                    Span::styled(marker, self.theme.dim),
                    Span::styled(url.clone(), Style::new().add_modifier(Modifier::UNDERLINED)),
                ]);
                self.push(line, vec![None, Some(i as u16)]);
                self.links.push(url.clone());
            }
        }
        while self.last_is_blank() && !self.blocks.is_empty() {
            self.blocks.pop();
        }
        Answer {
            blocks: self.blocks,
            links: self.links,
        }
    }
}

/// A line's text without styles.
fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Drops the spaces at both ends of a cell line (Markdown's cell padding).
fn trim_line(line: &mut Line<'static>, links: &mut Vec<Option<u16>>) {
    while line
        .spans
        .first()
        .is_some_and(|s| s.content.trim().is_empty())
    {
        line.spans.remove(0);
        if !links.is_empty() {
            links.remove(0);
        }
    }
    while line
        .spans
        .last()
        .is_some_and(|s| s.content.trim().is_empty())
    {
        line.spans.pop();
        links.truncate(line.spans.len());
    }
    if let Some(first) = line.spans.first_mut() {
        let trimmed = first.content.trim_start().to_string();
        first.content = trimmed.into();
    }
    if let Some(last) = line.spans.last_mut() {
        let trimmed = last.content.trim_end().to_string();
        last.content = trimmed.into();
    }
}

#[cfg(test)]
mod tests;
