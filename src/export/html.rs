//! A session as one self-contained HTML page to mail, attach to a ticket or print: styles inline,
//! no script, nothing fetched from elsewhere (a Content-Security-Policy says so to the browser
//! too). Answers are Copilot's Markdown rendered by pulldown-cmark (tables, code blocks with their
//! language, links, GitHub's `[!NOTE]` callouts, footnotes).
//!
//! Server text cannot add markup: raw HTML in an answer is shown as text, links and images keep
//! only `http`, `https` and `mailto` targets (anything else is left as its text), images become
//! links (loading one would be a request), and escape sequences are stripped before parsing.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};
use pulldown_cmark_escape::escape_html;

use super::{
    Conversation, Provenance, human_duration, session_name, time_to_answer, utc, utc_time,
};
use sctui_app::sanitize::{sanitize_line, sanitize_multiline};
use sctui_graph::models::EvaluationState;

/// The page's styles: readable on a screen, light on paper, nothing loaded.
const STYLE: &str = include_str!("export.css");

/// Markdown features answers use, as GitHub renders them. Heading attributes stay off: they would
/// let an answer set ids and classes.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
}

/// The whole page for one conversation.
pub fn page(conversation: &Conversation, provenance: &Provenance) -> String {
    let session = &conversation.session;
    let name = session_name(session);
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<meta name=\"generator\" content=\"sctui {}\">\n<title>",
        env!("CARGO_PKG_VERSION")
    ));
    push_text(&mut out, &name);
    out.push_str(" · Security Copilot session</title>\n<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<main>\n<header>\n<p class=\"provenance\">");
    out.push_str("Security Copilot session exported ");
    push_text(&mut out, &utc(provenance.exported_at));
    if let Some(by) = &provenance.by {
        out.push_str(" by ");
        push_text(&mut out, &sanitize_line(by));
    }
    out.push_str(" from workspace <code>");
    push_text(&mut out, &sanitize_line(&provenance.workspace));
    out.push_str("</code> with sctui</p>\n<h1>");
    push_text(&mut out, &name);
    out.push_str("</h1>\n<dl class=\"facts\">\n");
    fact(&mut out, "Session id", Some(&sanitize_line(&session.id)));
    fact(
        &mut out,
        "Created",
        utc_time(session.created_date_time.as_ref()).as_deref(),
    );
    fact(
        &mut out,
        "Last modified",
        utc_time(session.last_modified_date_time.as_ref()).as_deref(),
    );
    fact(
        &mut out,
        "Questions",
        Some(&conversation.turns.len().to_string()),
    );
    out.push_str("</dl>\n</header>\n");
    if conversation.turns.is_empty() {
        out.push_str("<p class=\"empty\">No questions in this session.</p>\n");
    }
    for (i, turn) in conversation.turns.iter().enumerate() {
        let n = i + 1;
        out.push_str(&format!(
            "<section class=\"turn\" id=\"q{n}\">\n<h2>Question {n}"
        ));
        if let Some(asked) = utc_time(turn.prompt.created_date_time.as_ref()) {
            out.push_str(" <time>");
            push_text(&mut out, &asked);
            out.push_str("</time>");
        }
        out.push_str("</h2>\n<div class=\"question\">");
        let question = sanitize_multiline(turn.prompt.content.as_deref().unwrap_or(""));
        push_text(&mut out, question.trim());
        out.push_str("</div>\n");
        match &turn.evaluation {
            None => out.push_str("<p class=\"status\">Not run.</p>\n"),
            Some(evaluation) => {
                let content = evaluation
                    .result
                    .as_ref()
                    .and_then(|r| r.content.as_deref());
                match content {
                    Some(text) => {
                        out.push_str("<div class=\"answer\">\n");
                        push_markdown(&mut out, text, n);
                        out.push_str("</div>\n");
                    }
                    None if evaluation.state == EvaluationState::Completed => {
                        out.push_str("<p class=\"status\">No answer text.</p>\n")
                    }
                    None => out.push_str("<p class=\"status\">Still running.</p>\n"),
                }
                out.push_str("<p class=\"result\">");
                let result = evaluation
                    .result
                    .as_ref()
                    .map(|r| r.result_type.as_str())
                    .unwrap_or("none");
                out.push_str("Result <b>");
                push_text(&mut out, &sanitize_line(result));
                out.push_str("</b> · state ");
                push_text(&mut out, &sanitize_line(evaluation.state.as_str()));
                if let Some(done) = utc_time(evaluation.completed_date_time.as_ref()) {
                    out.push_str(" · answered <time>");
                    push_text(&mut out, &done);
                    out.push_str("</time>");
                }
                if let Some(took) = time_to_answer(evaluation) {
                    out.push_str(" · took ");
                    push_text(&mut out, &human_duration(took));
                }
                out.push_str("</p>\n");
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// `text` escaped for an element's body or an attribute value.
fn push_text(out: &mut String, text: &str) {
    // writing to a String cannot fail
    let _ = escape_html(&mut *out, text);
}

fn fact(out: &mut String, term: &str, value: Option<&str>) {
    let Some(value) = value else { return };
    out.push_str("<dt>");
    push_text(out, term);
    out.push_str("</dt><dd>");
    push_text(out, value);
    out.push_str("</dd>\n");
}

/// Renders one answer's Markdown (the `n`th question's) into `out`, made inert first.
fn push_markdown(out: &mut String, markdown: &str, n: usize) {
    let clean = sanitize_multiline(markdown);
    let mut inert = Inert::new(n);
    let events = Parser::new_ext(&clean, options()).flat_map(|event| inert.map(event));
    pulldown_cmark::html::push_html(out, events);
}

/// Turns a parser's events into ones that cannot add markup or make a request.
struct Inert {
    /// Which question's answer this is: footnote names get it as a prefix, so two answers'
    /// `[^1]` are different anchors on the page.
    answer: usize,
    /// The links and images open at this point (their ends must match their starts).
    links: Vec<Open>,
}

impl Inert {
    fn new(answer: usize) -> Self {
        Self {
            answer,
            links: Vec::new(),
        }
    }

    fn footnote<'a>(&self, name: &CowStr<'a>) -> CowStr<'a> {
        CowStr::from(format!("a{}-{name}", self.answer))
    }

    fn map<'a>(&mut self, event: Event<'a>) -> Vec<Event<'a>> {
        match event {
            // raw HTML, block or inline, is shown as the text it is
            Event::Html(html) | Event::InlineHtml(html) => vec![Event::Text(html)],
            Event::Start(Tag::HtmlBlock) => {
                vec![Event::Html("<pre class=\"raw-html\">".into())]
            }
            Event::End(TagEnd::HtmlBlock) => vec![Event::Html("</pre>\n".into())],
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = link_type == LinkType::Email || allowed_target(&dest_url);
                self.links.push(Open {
                    kept: keep,
                    image: false,
                });
                if keep {
                    vec![Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })]
                } else {
                    Vec::new()
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let open = self.links.pop().unwrap_or_default();
                let mut events = Vec::new();
                if open.kept {
                    events.push(Event::End(TagEnd::Link));
                }
                if open.image {
                    events.push(Event::Html("</span>".into()));
                }
                events
            }
            // an image would be fetched: it becomes a link to it, labelled with its text
            Event::Start(Tag::Image {
                dest_url,
                title,
                id,
                ..
            }) => {
                let keep = allowed_target(&dest_url);
                self.links.push(Open {
                    kept: keep,
                    image: true,
                });
                let mut events = vec![Event::Html("<span class=\"image\">image: ".into())];
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type: LinkType::Inline,
                        dest_url,
                        title,
                        id,
                    }));
                }
                events
            }
            // answers' headings sit under the page's h1 and each question's h2
            Event::Start(Tag::Heading {
                level,
                id: _,
                classes: _,
                attrs: _,
            }) => vec![Event::Start(Tag::Heading {
                level: below_questions(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            })],
            Event::End(TagEnd::Heading(level)) => {
                vec![Event::End(TagEnd::Heading(below_questions(level)))]
            }
            Event::FootnoteReference(name) => vec![Event::FootnoteReference(self.footnote(&name))],
            Event::Start(Tag::FootnoteDefinition(name)) => {
                vec![Event::Start(Tag::FootnoteDefinition(self.footnote(&name)))]
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut figure = String::from("<figure class=\"code\">");
                if let CodeBlockKind::Fenced(info) = &kind {
                    let language = info.split_whitespace().next().unwrap_or("");
                    if !language.is_empty() {
                        figure.push_str("<figcaption>");
                        push_text(&mut figure, language);
                        figure.push_str("</figcaption>");
                    }
                }
                vec![
                    Event::Html(figure.into()),
                    Event::Start(Tag::CodeBlock(kind)),
                ]
            }
            Event::End(TagEnd::CodeBlock) => vec![
                Event::End(TagEnd::CodeBlock),
                Event::Html("</figure>\n".into()),
            ],
            Event::Start(Tag::BlockQuote(Some(kind))) => vec![
                Event::Start(Tag::BlockQuote(Some(kind))),
                Event::Html(
                    format!("<p class=\"callout-title\">{}</p>\n", callout_title(kind)).into(),
                ),
            ],
            // math and metadata blocks are not enabled; anything else is safe as rendered
            other => vec![other],
        }
    }
}

/// A link or image being rendered.
#[derive(Debug, Default, Clone, Copy)]
struct Open {
    /// Its target was allowed, so it is an `<a>` whose end must be written.
    kept: bool,
    /// It is an image (written as a labelled link inside a `<span>`).
    image: bool,
}

/// Whether a link may point there: the web and mail only (no `javascript:`, `data:`, `file:`,
/// and nothing relative, which would point nowhere in a file that travels).
fn allowed_target(url: &str) -> bool {
    url::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto"))
}

/// An answer's heading level under the page's own `h1` (the session) and `h2` (each question).
fn below_questions(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The title GitHub shows on a callout.
fn callout_title(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::conversation::Turn;
    use sctui_graph::models::{Evaluation, Prompt, Session};

    fn conversation(question: &str, answer: &str) -> Conversation {
        let session: Session = serde_json::from_value(serde_json::json!({
            "id": "s1", "displayName": "<b>Phish</b> \u{1b}[31mtriage",
            "createdDateTime": "2025-09-17T19:23:41.1506601Z"
        }))
        .unwrap();
        let prompt: Prompt = serde_json::from_value(serde_json::json!({
            "id": "p1", "type": "prompt", "content": question,
            "createdDateTime": "2025-09-17T19:23:42Z"
        }))
        .unwrap();
        let evaluation: Evaluation = serde_json::from_value(serde_json::json!({
            "id": "e1", "state": "completed",
            "result": {"content": answer, "type": "success"},
            "createdDateTime": "2025-09-17T19:23:42Z",
            "completedDateTime": "2025-09-17T19:23:58.25Z"
        }))
        .unwrap();
        Conversation {
            session,
            turns: vec![Turn {
                prompt,
                evaluation: Some(evaluation),
            }],
        }
    }

    fn provenance() -> Provenance {
        Provenance {
            exported_at: "2025-09-18T08:00:00Z".parse().unwrap(),
            by: Some("Alex <alex@contoso.example>".into()),
            workspace: "default".into(),
        }
    }

    #[test]
    fn renders_tables_code_links_callouts_and_footnotes() {
        let answer = "## Findings\n\n| Host | Risk |\n|---|---|\n| web01 | high |\n\n\
                      ```kql\nSigninLogs | take 10\n```\n\n\
                      See [the docs](https://learn.microsoft.com/x) or <mailto:soc@contoso.example>.\n\n\
                      > [!WARNING]\n> Rotate the key.\n\nA claim.[^1]\n\n[^1]: The source.\n";
        let html = page(
            &conversation("What happened?\nDetails please", answer),
            &provenance(),
        );
        assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
        assert!(html.contains("<h4>Findings</h4>"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("<td>web01</td>"),
            "{html}"
        );
        assert!(
            html.contains("<figcaption>kql</figcaption>\n<pre><code class=\"language-kql\">SigninLogs | take 10"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://learn.microsoft.com/x\">the docs</a>"),
            "{html}"
        );
        assert!(
            html.contains("href=\"mailto:soc@contoso.example\""),
            "{html}"
        );
        assert!(
            html.contains("<blockquote class=\"markdown-alert-warning\">")
                && html.contains("<p class=\"callout-title\">Warning</p>"),
            "{html}"
        );
        assert!(
            html.contains("href=\"#a1-1\"") && html.contains("id=\"a1-1\""),
            "{html}"
        );
        assert!(html.contains("What happened?\nDetails please"), "{html}");
        assert!(
            html.contains("&lt;b&gt;Phish&lt;/b&gt; triage"),
            "the name is text: {html}"
        );
        assert!(html.contains("took 16.2 s"), "{html}");
        assert!(
            html.contains("by Alex &lt;alex@contoso.example&gt;"),
            "{html}"
        );
    }

    #[test]
    fn a_hostile_answer_is_inert() {
        let answer = "Hi <script>alert(1)</script> there\n\n\
                      <img src=x onerror=\"alert(2)\">\n\n\
                      [click](javascript:alert(3)) [data](data:text/html,<script>alert(4)</script>) \
                      [rel](/etc/passwd) <javascript:alert(5)>\n\n\
                      ![pixel](http://127.0.0.1:9/track.png) ![local](file:///etc/passwd)\n\n\
                      \u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\ \u{1b}[2J\u{9b}31m\n\n\
                      <iframe src=\"https://evil.example\"></iframe>\n\n\
                      # Title {#x onclick=alert(6)}\n";
        let html = page(&conversation("<script>q()</script>", answer), &provenance());
        let body = &html[html.find("<body>").unwrap()..];
        for live in [
            "<script",
            "<img",
            "<iframe",
            "href=\"javascript",
            "href=\"data",
            "href=\"file",
            "href=\"/etc",
            "href=\"https://evil",
            "<h3 id",
            "\u{1b}",
            "\u{9b}",
        ] {
            assert!(!body.contains(live), "{live:?} in {body}");
        }
        assert!(body.contains("Title {#x onclick=alert(6)}</h3>"), "{body}");
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{body}"
        );
        assert!(
            body.contains("&lt;img src=x onerror=\"alert(2)\"&gt;"),
            "{body}"
        );
        assert!(body.contains("click") && body.contains("pixel"), "{body}");
        assert!(
            body.contains("<a href=\"http://127.0.0.1:9/track.png\">pixel</a>"),
            "an image becomes a link: {body}"
        );
        assert!(html.contains("Content-Security-Policy"), "{html}");
    }
}
