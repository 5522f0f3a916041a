//! Every committed snapshot file belongs to a test that still writes it. A snapshot renamed or
//! dropped in a test otherwise leaves its old file behind unnoticed: insta reports unreferenced
//! files only through `cargo insta`, which the test command does not run.

use std::path::Path;

/// A snapshot's file is `it__<module>__<name>.snap`; its name is one the module's source can
/// write: a string literal (a `format!` hole such as `{w}` matches any text) or, for a snapshot
/// given no name, the name of a function.
#[test]
fn every_snapshot_file_is_written_by_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let mut orphans = Vec::new();
    let mut files = 0;
    for entry in std::fs::read_dir(root.join("snapshots")).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        // a `.snap.new` is a pending change of a failing test, not a committed file
        let Some(stem) = file.strip_suffix(".snap") else {
            continue;
        };
        files += 1;
        let Some((module, name)) = stem
            .strip_prefix("it__")
            .and_then(|rest| rest.split_once("__"))
        else {
            orphans.push(file);
            continue;
        };
        let written = std::fs::read_to_string(root.join(format!("{module}.rs")))
            .is_ok_and(|source| names_written(&source).iter().any(|n| n.matches(name)));
        if !written {
            orphans.push(file);
        }
    }
    assert!(files > 0, "no snapshot files found");
    orphans.sort();
    assert!(
        orphans.is_empty(),
        "snapshot files no test writes (delete them, or the test lost its snapshot):\n{}",
        orphans.join("\n")
    );
}

/// A name a test can give a snapshot: fixed pieces with any text between them.
struct NamePattern(Vec<String>);

impl NamePattern {
    /// Whether `name` is the pieces in order, the first at its start and the last at its end,
    /// with any text where the holes were.
    fn matches(&self, name: &str) -> bool {
        let pieces = &self.0;
        let [first, middle @ .., last] = pieces.as_slice() else {
            return pieces.first().is_some_and(|only| only == name);
        };
        let Some(mut rest) = name.strip_prefix(first.as_str()) else {
            return false;
        };
        for piece in middle {
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        rest.ends_with(last.as_str())
    }
}

/// Every string literal of `source` that can be a snapshot's name (holes `{…}` as wildcards;
/// outside them only lowercase letters, digits and `_`, a letter first) and every function name.
fn names_written(source: &str) -> Vec<NamePattern> {
    let mut names = Vec::new();
    for literal in string_literals(source) {
        let fixed: String = literal
            .split('{')
            .map(|part| part.rsplit_once('}').map_or(part, |(_, after)| after))
            .collect();
        let a_name = literal.starts_with(|c: char| c.is_ascii_lowercase())
            && fixed
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !a_name {
            continue;
        }
        let mut pieces = vec![String::new()];
        let mut in_hole = false;
        for c in literal.chars() {
            match c {
                '{' if !in_hole => in_hole = true,
                '}' if in_hole => {
                    in_hole = false;
                    pieces.push(String::new());
                }
                _ if in_hole => {}
                _ => pieces.last_mut().unwrap().push(c),
            }
        }
        names.push(NamePattern(pieces));
    }
    for line in source.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("fn ") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            names.push(NamePattern(vec![name]));
        }
    }
    names
}

/// The string literals of Rust `source` as written (escapes kept; snapshot names have none):
/// plain, byte and raw ones, with comments and char literals skipped so a quote in them does not
/// open a string.
fn string_literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |at: usize| at > 0 && (chars[at - 1].is_alphanumeric() || chars[at - 1] == '_');
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                // '\n', '\u{1b}', '"' are chars; 'a without a closing quote is a lifetime
                if chars.get(i + 1) == Some(&'\\') {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 2;
                }
                i += 1;
            }
            'r' | 'b' if !word(i) => {
                let mut at = i + 1;
                if chars[i] == 'b' && chars.get(at) == Some(&'r') {
                    at += 1;
                }
                let hashes = chars[at..].iter().take_while(|&&c| c == '#').count();
                let raw = chars[i] == 'r' || at > i + 1;
                if raw && chars.get(at + hashes) == Some(&'"') {
                    let start = at + hashes + 1;
                    let close: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let end = (start..chars.len())
                        .find(|&e| chars[e..].starts_with(&close))
                        .unwrap_or(chars.len());
                    out.push(chars[start..end].iter().collect());
                    i = end + close.len();
                } else {
                    i += 1;
                }
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        text.push('\\');
                        i += 1;
                    }
                    text.extend(chars.get(i));
                    i += 1;
                }
                out.push(text);
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn a_name_pattern_matches_only_its_pieces_in_order() {
    let pattern = |literal: &str| names_written(&format!("\"{literal}\"")).remove(0);
    let sized = pattern("full_{w}x{h}_list");
    assert!(sized.matches("full_120x36_list"));
    assert!(!sized.matches("full_120x36_list_old"));
    assert!(!sized.matches("s01_list_with_detail"));
    assert!(
        names_written(r#""{screen}" "at {w}x{h}: {text}""#).is_empty(),
        "a message is no name"
    );
    let plain = pattern("s13_too_small");
    assert!(plain.matches("s13_too_small"));
    assert!(!plain.matches("s13_too_small_19x4"));
    let function = names_written("fn conversation_running() {}");
    assert!(function.iter().any(|n| n.matches("conversation_running")));
}

#[test]
fn string_literals_skip_comments_chars_and_raw_quotes() {
    let source = r##"
        // a "quoted" word in a comment
        let quote = '"';
        let json = br#"{"error":"x"}"#;
        fn f<'a>(s: &'a str) {}
        insta::assert_snapshot!("s01_name", text);
        let escaped = "say \"hi\"";
    "##;
    assert_eq!(
        string_literals(source),
        [r#"{"error":"x"}"#, "s01_name", r#"say \"hi\""#]
    );
}
