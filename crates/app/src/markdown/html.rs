//! HTML in answers (README-style `<p align>`, `<details>`, `<br>`, Learn's `<a href>` buttons)
//! read with a real tokenizer (`html5gum`, WHATWG-compliant) and reduced to what the renderer
//! needs: tags by name with the two attributes it uses, and text. Comments and doctypes go.

use html5gum::{Token, Tokenizer};

/// One piece of an HTML fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HtmlToken {
    /// An opening tag, its name lower-cased, with `href` (links) and `alt` (images).
    Start {
        name: String,
        href: Option<String>,
        alt: Option<String>,
    },
    /// A closing tag, its name lower-cased.
    End(String),
    /// Text between tags, entities decoded.
    Text(String),
}

/// The tokens of an HTML fragment.
pub(super) fn tokens(html: &str) -> Vec<HtmlToken> {
    let mut out: Vec<HtmlToken> = Vec::new();
    for token in Tokenizer::new(html).flatten() {
        match token {
            Token::StartTag(tag) => {
                let attribute = |name: &[u8]| {
                    tag.attributes
                        .get(name)
                        .map(|v| String::from_utf8_lossy(&v.value).into_owned())
                };
                out.push(HtmlToken::Start {
                    name: String::from_utf8_lossy(&tag.name).to_ascii_lowercase(),
                    href: attribute(b"href"),
                    alt: attribute(b"alt"),
                });
            }
            Token::EndTag(tag) => out.push(HtmlToken::End(
                String::from_utf8_lossy(&tag.name).to_ascii_lowercase(),
            )),
            Token::String(text) => {
                let text = String::from_utf8_lossy(&text.value);
                match out.last_mut() {
                    Some(HtmlToken::Text(last)) => last.push_str(&text),
                    _ => out.push(HtmlToken::Text(text.into_owned())),
                }
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    out
}

/// Collapses runs of whitespace (line breaks included) to one space, as a browser does: words
/// on either side of a line break stay apart, and never more than one space between them.
pub(super) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_text_and_attributes() {
        let found = tokens(
            "<p align=\"center\">A <i>cat(1)</i> clone<br><!-- x --><a href=\"https://e.example/?a=1&amp;b=2\">go</a>\
             <img src=\"l.svg\" alt=\"bat &amp; co\"></P>",
        );
        assert_eq!(
            found,
            [
                HtmlToken::Start {
                    name: "p".into(),
                    href: None,
                    alt: None
                },
                HtmlToken::Text("A ".into()),
                HtmlToken::Start {
                    name: "i".into(),
                    href: None,
                    alt: None
                },
                HtmlToken::Text("cat(1)".into()),
                HtmlToken::End("i".into()),
                HtmlToken::Text(" clone".into()),
                HtmlToken::Start {
                    name: "br".into(),
                    href: None,
                    alt: None
                },
                HtmlToken::Start {
                    name: "a".into(),
                    href: Some("https://e.example/?a=1&b=2".into()),
                    alt: None
                },
                HtmlToken::Text("go".into()),
                HtmlToken::End("a".into()),
                HtmlToken::Start {
                    name: "img".into(),
                    href: None,
                    alt: Some("bat & co".into())
                },
                HtmlToken::End("p".into()),
            ]
        );
    }

    #[test]
    fn whitespace_collapses_but_words_stay_apart() {
        assert_eq!(collapse_whitespace("very\nactive"), "very active");
        assert_eq!(collapse_whitespace("laptop,\n  ssh"), "laptop, ssh");
        assert_eq!(collapse_whitespace("\n a \t b \n"), " a b ");
    }
}
