//! The text of a Markdown answer as a reader sees it, for the search index: what a search finds
//! and what its snippet shows is the answer's words, not its source (`|---|`, ```` ``` ````,
//! `**`, `<br>`, link targets).
//!
//! Blocks (paragraphs, headings, list items, table rows, code lines) end with a line break, table
//! cells are parted by two spaces, HTML keeps only the text between its tags, and links and
//! images keep their text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// `markdown` as plain text (see the module's doc).
pub fn plain_text(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut out = String::with_capacity(markdown.len());
    let mut in_tag = false;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::InlineMath(text) | Event::DisplayMath(text) => out.push_str(&text),
            Event::Html(html) | Event::InlineHtml(html) => {
                // the text between tags; a tag itself parts words
                for c in html.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' if in_tag => {
                            in_tag = false;
                            space(&mut out);
                        }
                        c if !in_tag => out.push(c),
                        _ => {}
                    }
                }
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak | Event::Rule => line(&mut out),
            Event::FootnoteReference(label) => {
                out.push('[');
                out.push_str(&label);
                out.push(']');
            }
            Event::TaskListMarker(_) => {}
            Event::Start(Tag::TableCell) if !out.ends_with('\n') && !out.is_empty() => {
                out.push_str("  ");
            }
            Event::Start(Tag::Item | Tag::FootnoteDefinition(_)) => line(&mut out),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock,
            ) => line(&mut out),
            _ => {}
        }
    }
    // trailing breaks and blank runs mean nothing to a search
    let mut tidy = String::with_capacity(out.len());
    for l in out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
    {
        if !tidy.is_empty() {
            tidy.push('\n');
        }
        tidy.push_str(l);
    }
    tidy
}

fn line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn space(out: &mut String) {
    if !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::plain_text;

    #[test]
    fn markup_goes_and_the_words_stay() {
        let md = "# Findings\n\n**Bold** and `code` with a [link](https://example.com/x).\n\n\
                  | Host | Count |\n|---|---:|\n| web01 | 12 |\n\n\
                  ```kql\nDeviceProcessEvents\n| take 10\n```\n\n\
                  - [x] done<br>next\n\n<p align=\"center\">Centered</p>\n";
        let text = plain_text(md);
        for markup in ["**", "`", "|---", "](", "https://", "<br>", "<p", "#"] {
            assert!(!text.contains(markup), "{markup} in {text:?}");
        }
        assert_eq!(
            text,
            "Findings\nBold and code with a link.\nHost  Count\nweb01  12\n\
             DeviceProcessEvents\n| take 10\ndone next\nCentered"
        );
    }
}
