//! Copilot's Markdown answers as styled terminal lines (headings, emphasis, lists, code blocks,
//! tables, links as text), parsed with pulldown-cmark. Input must already be sanitised.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::sanitize::width;
use crate::theme::Theme;

/// One rendered line, and whether it may wrap: prose wraps, while table rows and code lines
/// scroll sideways instead (wrapping them breaks their layout).
#[derive(Debug, Clone, PartialEq)]
pub struct MdLine {
    pub line: Line<'static>,
    pub wrap: bool,
    /// Columns of the line's start (quote bars, list indent and marker) that rows wrapped from
    /// it hang under, so a wrapped list item keeps its indent.
    pub hang: u16,
    /// Which code block of the answer (0-based) the line belongs to, so the reader can copy the
    /// block in view.
    pub code: Option<u16>,
}

impl MdLine {
    fn nowrap(line: Line<'static>) -> Self {
        Self {
            line,
            wrap: false,
            hang: 0,
            code: None,
        }
    }
}

/// The text of each code block in `markdown`, in order (what `C` copies).
pub fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
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

/// Renders Markdown to lines; long prose lines are left for the paragraph to wrap.
pub fn to_lines(markdown: &str, theme: &Theme) -> Vec<MdLine> {
    let mut r = Renderer::new(theme);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.flush_line();
    while r.lines.last().is_some_and(|l| l.line.spans.is_empty()) {
        r.lines.pop();
    }
    r.lines
}

struct TableState {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<String>>,
    header_rows: usize,
    cell: String,
    row: Vec<String>,
}

struct Renderer<'t> {
    theme: &'t Theme,
    lines: Vec<MdLine>,
    spans: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// Stack of list counters (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// A list item's marker waits for its first text.
    pending_marker: Option<String>,
    quote_depth: usize,
    in_code_block: bool,
    /// Code blocks seen so far (the current one is `code_blocks - 1`).
    code_blocks: u16,
    /// The hanging indent of the line being built.
    hang: u16,
    link_urls: Vec<String>,
    table: Option<TableState>,
}

impl<'t> Renderer<'t> {
    fn new(theme: &'t Theme) -> Self {
        Self {
            theme,
            lines: Vec::new(),
            spans: Vec::new(),
            styles: vec![Style::new()],
            lists: Vec::new(),
            pending_marker: None,
            quote_depth: 0,
            in_code_block: false,
            code_blocks: 0,
            hang: 0,
            link_urls: Vec::new(),
            table: None,
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

    fn indent(&self) -> String {
        let list_indent = "  ".repeat(self.lists.len().saturating_sub(1));
        format!("{}{list_indent}", "│ ".repeat(self.quote_depth))
    }

    fn start_line_if_needed(&mut self) {
        if self.spans.is_empty() {
            let indent = self.indent();
            let mut hang = width(&indent);
            if !indent.is_empty() {
                self.spans.push(Span::styled(indent, self.theme.dim));
            }
            if let Some(marker) = self.pending_marker.take() {
                hang += width(&marker);
                self.spans.push(Span::styled(marker, self.theme.key));
            } else if !self.lists.is_empty() {
                hang += 2;
                self.spans.push(Span::raw("  "));
            }
            self.hang = u16::try_from(hang).unwrap_or(u16::MAX);
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(table) = &mut self.table {
            table.cell.push_str(text);
            return;
        }
        if self.in_code_block {
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    self.flush_line();
                }
                if !line.is_empty() {
                    self.start_line_if_needed();
                    self.spans
                        .push(Span::styled(format!("  {line}"), self.theme.label));
                }
            }
            return;
        }
        self.start_line_if_needed();
        self.spans
            .push(Span::styled(text.to_string(), self.style()));
    }

    fn push(&mut self, line: Line<'static>) {
        let wrap = !self.in_code_block && self.table.is_none();
        let code = self
            .in_code_block
            .then(|| self.code_blocks.saturating_sub(1));
        let hang = std::mem::take(&mut self.hang);
        self.lines.push(MdLine {
            line,
            wrap,
            hang,
            code,
        });
    }

    fn flush_line(&mut self) {
        if !self.spans.is_empty() {
            let spans = std::mem::take(&mut self.spans);
            self.push(Line::from(spans));
        }
    }

    /// Ends the current block with one blank line (never two).
    fn blank(&mut self) {
        self.flush_line();
        if self.lines.last().is_some_and(|l| !l.line.spans.is_empty()) {
            self.push(Line::default());
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(code) => {
                if let Some(table) = &mut self.table {
                    table.cell.push_str(&code);
                } else {
                    self.start_line_if_needed();
                    self.spans
                        .push(Span::styled(format!("`{code}`"), self.theme.label));
                }
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.flush_line(),
            Event::Rule => {
                self.blank();
                self.push(Line::from(Span::styled("─".repeat(40), self.theme.dim)));
                self.push(Line::default());
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
            Event::Html(h) | Event::InlineHtml(h) => self.text(&h),
            Event::FootnoteReference(f) => self.text(&format!("[^{f}]")),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.blank();
                let marks = match level {
                    HeadingLevel::H1 => "# ",
                    HeadingLevel::H2 => "## ",
                    _ => "### ",
                };
                self.push_style(self.theme.title.add_modifier(Modifier::BOLD));
                self.start_line_if_needed();
                self.hang = self.hang.saturating_add(marks.len() as u16);
                self.spans
                    .push(Span::styled(marks.to_string(), self.theme.key));
            }
            Tag::BlockQuote(_) => {
                self.flush_line();
                self.quote_depth += 1;
            }
            Tag::CodeBlock(kind) => {
                self.blank();
                self.in_code_block = true;
                self.code_blocks = self.code_blocks.saturating_add(1);
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    self.push(Line::from(Span::styled(
                        format!("  ┌ {lang}"),
                        self.theme.dim,
                    )));
                }
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
                self.pending_marker = Some(marker);
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.link_urls.push(dest_url.to_string());
                self.push_style(Style::new().add_modifier(Modifier::UNDERLINED));
            }
            Tag::Image { dest_url, .. } => {
                self.link_urls.push(dest_url.to_string());
                self.text("[image: ");
            }
            Tag::Table(alignments) => {
                self.blank();
                self.table = Some(TableState {
                    alignments,
                    rows: Vec::new(),
                    header_rows: 0,
                    cell: String::new(),
                    row: Vec::new(),
                });
            }
            Tag::TableHead | Tag::TableRow => {}
            Tag::TableCell => {
                if let Some(t) = &mut self.table {
                    t.cell.clear();
                }
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                if self.lists.is_empty() {
                    self.blank();
                } else {
                    self.flush_line();
                }
            }
            TagEnd::Heading(_) => {
                self.pop_style();
                self.blank();
            }
            TagEnd::BlockQuote(_) => {
                self.flush_line();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.blank();
                self.in_code_block = false;
            }
            TagEnd::List(_) => {
                self.flush_line();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => self.flush_line(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.pop_style(),
            TagEnd::Link => {
                self.pop_style();
                if let Some(url) = self.link_urls.pop() {
                    let shown_text = self
                        .spans
                        .last()
                        .map(|s| s.content.to_string())
                        .unwrap_or_default();
                    if !url.is_empty() && shown_text != url {
                        if let Some(t) = &mut self.table {
                            t.cell.push_str(&format!(" ({url})"));
                        } else {
                            self.spans
                                .push(Span::styled(format!(" ({url})"), self.theme.dim));
                        }
                    }
                }
            }
            TagEnd::Image => {
                self.link_urls.pop();
                self.text("]");
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    let cell = std::mem::take(&mut t.cell);
                    t.row.push(cell.trim().to_string());
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                    t.header_rows = t.rows.len();
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.draw_table(t);
                }
                self.blank();
            }
            _ => {}
        }
    }

    fn draw_table(&mut self, t: TableState) {
        let columns = t.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in &t.rows {
            for (i, cell) in row.iter().enumerate() {
                // no cap: the reader scrolls wide tables sideways, so no cell is cut
                widths[i] = widths[i].max(width(cell));
            }
        }
        let border = self.theme.dim;
        for (r, row) in t.rows.iter().enumerate() {
            let mut spans = vec![Span::styled(self.indent(), border)];
            for (i, w) in widths.iter().enumerate() {
                let cell = row.get(i).map(String::as_str).unwrap_or("");
                let cell = crate::sanitize::truncate(cell, *w).into_owned();
                let pad = w.saturating_sub(width(&cell));
                let (left, right) = match t.alignments.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                spans.push(Span::styled(if i == 0 { "│ " } else { " │ " }, border));
                let style = if r < t.header_rows {
                    self.theme.title
                } else {
                    Style::new()
                };
                spans.push(Span::styled(
                    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right)),
                    style,
                ));
            }
            spans.push(Span::styled(" │", border));
            self.lines.push(MdLine::nowrap(Line::from(spans)));
            if r + 1 == t.header_rows {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.lines.push(MdLine::nowrap(Line::from(Span::styled(
                    format!("{}├─{}─┤", self.indent(), rule.join("─┼─")),
                    border,
                ))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[MdLine]) -> String {
        lines
            .iter()
            .map(|l| {
                l.line
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn renders_headings_lists_code_tables_and_links() {
        let md = "# Summary\n\nThe user **alice** clicked a [link](https://x.example/a).\n\n\
                  1. Reset password\n2. Revoke sessions\n   - nested\n\n\
                  ```kql\nSigninLogs\n| take 10\n```\n\n\
                  | Device | Risk |\n|---|--:|\n| WKS-1 | High |\n| SRV-22 | Low |\n";
        let out = text(&to_lines(md, &Theme::dark()));
        assert!(
            out.starts_with("# Summary\n\nThe user alice clicked a link (https://x.example/a)."),
            "{out}"
        );
        assert!(
            out.contains("1. Reset password\n2. Revoke sessions\n  • nested"),
            "{out}"
        );
        assert!(out.contains("  ┌ kql\n  SigninLogs\n  | take 10"), "{out}");
        assert!(
            out.contains(
                "│ Device │ Risk │\n├────────┼──────┤\n│ WKS-1  │ High │\n│ SRV-22 │  Low │"
            ),
            "{out}"
        );
    }

    #[test]
    fn tables_and_code_do_not_wrap_prose_does() {
        let md = "Some prose.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode line\n```\n";
        let lines = to_lines(md, &Theme::dark());
        let wraps: Vec<(String, bool)> = lines
            .iter()
            .filter(|l| !l.line.spans.is_empty())
            .map(|l| (text(std::slice::from_ref(l)), l.wrap))
            .collect();
        assert_eq!(wraps[0], ("Some prose.".to_string(), true));
        assert!(
            wraps
                .iter()
                .filter(|(t, _)| t.contains('│') || t.contains('├'))
                .all(|(_, w)| !w)
        );
        assert!(wraps.iter().any(|(t, w)| t.contains("code line") && !w));
    }

    #[test]
    fn bold_is_styled() {
        let lines = to_lines("a **b** _c_", &Theme::dark());
        let b = lines[0]
            .line
            .spans
            .iter()
            .find(|s| s.content == "b")
            .unwrap();
        assert!(b.style.add_modifier.contains(Modifier::BOLD));
        let c = lines[0]
            .line
            .spans
            .iter()
            .find(|s| s.content == "c")
            .unwrap();
        assert!(c.style.add_modifier.contains(Modifier::ITALIC));
    }
}
