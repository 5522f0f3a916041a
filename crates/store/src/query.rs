//! What the user types, made into an FTS5 query that cannot be a syntax error.
//!
//! Every word becomes a quoted phrase, so `T1059.001`, `CVE-2024-3400`, `10.0.0.1`,
//! `DeviceProcessEvents` and `has_any` are searched as typed (a phrase of their parts, in order,
//! adjacent). `"two words"` is a phrase, a trailing `*` asks for a prefix (`CVE-2024*`), and
//! `OR` / `NOT` / `AND` in capitals between terms are operators; words are otherwise all required.
//! `NOT word` leaves out what holds the word; exclusions typed first (`NOT test phishing`) apply
//! to the whole rest of the query, and a query of exclusions alone is refused (an index can only
//! leave out from what something else found). A leading `-` is part of the word: analysts search
//! for `-EncodedCommand` as typed.

/// Why a query cannot be searched, in sctui's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryProblem {
    /// Only `NOT x` / `-x`: nothing to leave them out from.
    #[error("it only says what to leave out; add a word to find, e.g. `phishing NOT test`")]
    OnlyExclusions,
    /// More operators or words than the index's parser takes.
    #[error("it has too many words and operators for one search; use fewer")]
    TooComplex,
    /// Anything else the index did not take.
    #[error("the index could not read it; put words with punctuation in \"quotes\"")]
    NotUnderstood,
}

/// The most words and operators a query keeps (the index's parser has a bounded stack).
const MAX_ITEMS: usize = 128;

/// sctui's words for an error FTS5 reported about a query.
pub(crate) fn worded(fts5_message: &str) -> String {
    if fts5_message.contains("stack overflow") || fts5_message.contains("too many") {
        QueryProblem::TooComplex.to_string()
    } else {
        QueryProblem::NotUnderstood.to_string()
    }
}

/// One piece of the parsed query.
#[derive(Debug, PartialEq)]
enum Item {
    Term { text: String, prefix: bool },
    Op(&'static str),
}

/// The FTS5 query for `input`, or `None` when it holds nothing searchable.
pub fn to_fts(input: &str) -> Result<Option<String>, QueryProblem> {
    let mut items = parse(input);
    // exclusions typed first leave out from everything after them
    let mut leading = Vec::new();
    while let [Item::Op("NOT"), Item::Term { .. }, ..] = items.as_slice() {
        let excluded = items.drain(..2).nth(1);
        leading.extend(excluded.filter(searchable));
    }
    let items = clean(items);
    if items.is_empty() {
        return if leading.is_empty() {
            Ok(None)
        } else {
            Err(QueryProblem::OnlyExclusions)
        };
    }
    if items.len() + 2 * leading.len() > MAX_ITEMS {
        return Err(QueryProblem::TooComplex);
    }
    let mut parts: Vec<String> = items.into_iter().map(fts_text).collect();
    if !leading.is_empty() {
        parts.insert(0, "(".into());
        parts.push(")".into());
        for excluded in leading {
            parts.push("NOT".into());
            parts.push(fts_text(excluded));
        }
    }
    Ok(Some(parts.join(" ")))
}

fn fts_text(item: Item) -> String {
    match item {
        Item::Op(op) => op.to_string(),
        Item::Term { text, prefix } => {
            let quoted = format!("\"{}\"", text.replace('"', "\"\""));
            if prefix { quoted + " *" } else { quoted }
        }
    }
}

fn searchable(item: &Item) -> bool {
    match item {
        Item::Term { text, .. } => text.chars().any(char::is_alphanumeric),
        Item::Op(_) => true,
    }
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
    let searchable: Vec<Item> = items.into_iter().filter(searchable).collect();
    let mut out: Vec<Item> = Vec::with_capacity(searchable.len());
    for item in searchable {
        match item {
            // `a OR NOT b`: the exclusion is what was meant
            Item::Op("NOT") if matches!(out.last(), Some(Item::Op(_))) => {
                out.pop();
                out.push(Item::Op("NOT"));
            }
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
    use super::{QueryProblem, to_fts};

    fn fts(input: &str) -> Option<String> {
        to_fts(input).unwrap()
    }

    #[test]
    fn words_become_quoted_phrases() {
        assert_eq!(
            fts("T1059.001 CVE-2024-3400").as_deref(),
            Some(r#""T1059.001" "CVE-2024-3400""#)
        );
        assert_eq!(fts("10.0.0.1").as_deref(), Some(r#""10.0.0.1""#));
    }

    #[test]
    fn phrases_prefixes_and_operators() {
        assert_eq!(
            fts(r#""encoded powershell" KQL* OR hunt"#).as_deref(),
            Some(r#""encoded powershell" "KQL" * OR "hunt""#)
        );
        assert_eq!(fts(r#""CVE-2024"*"#).as_deref(), Some(r#""CVE-2024" *"#));
    }

    #[test]
    fn nothing_searchable_is_none_and_stray_operators_go() {
        assert_eq!(fts("   "), None);
        assert_eq!(fts(r#"- "" * ***"#), None);
        assert_eq!(fts("OR"), None);
        assert_eq!(fts("b OR OR NOT a NOT").as_deref(), Some(r#""b" NOT "a""#));
        assert_eq!(fts("AND b OR").as_deref(), Some(r#""b""#));
    }

    #[test]
    fn quotes_inside_words_are_escaped_and_unterminated_phrases_end_the_input() {
        assert_eq!(fts(r#"it's"#).as_deref(), Some(r#""it's""#));
        assert_eq!(fts(r#"a"b"#).as_deref(), Some(r#""a" "b""#));
        assert_eq!(fts(r#""open phrase"#).as_deref(), Some(r#""open phrase""#));
    }

    #[test]
    fn exclusions_leave_out_what_the_user_meant() {
        // a leading NOT applies to the rest, not dropped
        assert_eq!(
            fts("NOT test phishing alert").as_deref(),
            Some(r#"( "phishing" "alert" ) NOT "test""#)
        );
        assert_eq!(
            fts("NOT test phishing OR mail").as_deref(),
            Some(r#"( "phishing" OR "mail" ) NOT "test""#)
        );
        assert_eq!(fts("a OR NOT b").as_deref(), Some(r#""a" NOT "b""#));
        // a leading dash is part of the word (a PowerShell flag), found as typed
        assert_eq!(
            fts("-EncodedCommand -x").as_deref(),
            Some(r#""-EncodedCommand" "-x""#)
        );
        assert_eq!(to_fts("NOT x"), Err(QueryProblem::OnlyExclusions));
        assert_eq!(to_fts("NOT x NOT y"), Err(QueryProblem::OnlyExclusions));
    }

    #[test]
    fn hundreds_of_operators_are_refused_in_our_words() {
        let query = format!("a{}", " NOT b".repeat(300));
        assert_eq!(to_fts(&query), Err(QueryProblem::TooComplex));
    }
}
