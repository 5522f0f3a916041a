//! What the user types, made into an FTS5 query that cannot be a syntax error.
//!
//! Every word becomes a quoted phrase, so `T1059.001`, `CVE-2024-3400`, `10.0.0.1`,
//! `DeviceProcessEvents` and `has_any` are searched as typed (a phrase of their parts, in order,
//! adjacent). `"two words"` is a phrase, a trailing `*` asks for a prefix (`CVE-2024*`), and
//! `OR` / `NOT` / `AND` in capitals between terms are operators; words are otherwise all required.

/// One piece of the parsed query.
#[derive(Debug, PartialEq)]
enum Item {
    Term { text: String, prefix: bool },
    Op(&'static str),
}

/// The FTS5 query for `input`, or `None` when it holds nothing searchable.
pub fn to_fts(input: &str) -> Option<String> {
    let items = clean(parse(input));
    if items.is_empty() {
        return None;
    }
    let parts: Vec<String> = items
        .into_iter()
        .map(|item| match item {
            Item::Op(op) => op.to_string(),
            Item::Term { text, prefix } => {
                let quoted = format!("\"{}\"", text.replace('"', "\"\""));
                if prefix { quoted + " *" } else { quoted }
            }
        })
        .collect();
    Some(parts.join(" "))
}

fn parse(input: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '"' {
            chars.next();
            let mut text = String::new();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
            let mut prefix = false;
            while chars.peek() == Some(&'*') {
                chars.next();
                prefix = true;
            }
            items.push(term(text, prefix));
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            word.push(c);
            chars.next();
        }
        items.push(match word.as_str() {
            "OR" => Item::Op("OR"),
            "AND" => Item::Op("AND"),
            "NOT" => Item::Op("NOT"),
            _ => {
                let trimmed = word.trim_end_matches('*');
                let prefix = trimmed.len() != word.len();
                term(trimmed.to_string(), prefix)
            }
        });
    }
    items
}

fn term(text: String, prefix: bool) -> Item {
    Item::Term { text, prefix }
}

/// Drops terms with nothing to index (`-`, `""`) and operators that do not sit between two terms.
fn clean(items: Vec<Item>) -> Vec<Item> {
    let searchable: Vec<Item> = items
        .into_iter()
        .filter(|item| match item {
            Item::Term { text, .. } => text.chars().any(char::is_alphanumeric),
            Item::Op(_) => true,
        })
        .collect();
    let mut out: Vec<Item> = Vec::with_capacity(searchable.len());
    for item in searchable {
        match item {
            Item::Op(_) if !matches!(out.last(), Some(Item::Term { .. })) => {}
            other => out.push(other),
        }
    }
    while matches!(out.last(), Some(Item::Op(_))) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_fts;

    #[test]
    fn words_become_quoted_phrases() {
        assert_eq!(
            to_fts("T1059.001 CVE-2024-3400").as_deref(),
            Some(r#""T1059.001" "CVE-2024-3400""#)
        );
        assert_eq!(to_fts("10.0.0.1").as_deref(), Some(r#""10.0.0.1""#));
    }

    #[test]
    fn phrases_prefixes_and_operators() {
        assert_eq!(
            to_fts(r#""encoded powershell" KQL* OR hunt"#).as_deref(),
            Some(r#""encoded powershell" "KQL" * OR "hunt""#)
        );
        assert_eq!(to_fts(r#""CVE-2024"*"#).as_deref(), Some(r#""CVE-2024" *"#));
    }

    #[test]
    fn nothing_searchable_is_none_and_stray_operators_go() {
        assert_eq!(to_fts("   "), None);
        assert_eq!(to_fts(r#"- "" * ***"#), None);
        assert_eq!(to_fts("OR"), None);
        assert_eq!(
            to_fts("NOT a OR OR b NOT").as_deref(),
            Some(r#""a" OR "b""#)
        );
    }

    #[test]
    fn quotes_inside_words_are_escaped_and_unterminated_phrases_end_the_input() {
        assert_eq!(to_fts(r#"it's"#).as_deref(), Some(r#""it's""#));
        assert_eq!(to_fts(r#"a"b"#).as_deref(), Some(r#""a" "b""#));
        assert_eq!(
            to_fts(r#""open phrase"#).as_deref(),
            Some(r#""open phrase""#)
        );
    }
}
