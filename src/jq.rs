//! `--jq EXPR`: jq run in process on the JSON a command prints, so scripts need no `jq`
//! installed. The language and its standard library are jaq's (`jaq-core`, `jaq-std`,
//! `jaq-json`), which follows jq's documented semantics; the output follows jq's conventions:
//! each result on its own line, pretty-printed with two spaces, and with `--raw` (jq's `-r`)
//! strings without quotes.
//!
//! The expression is checked when the command line is read, so a mistake is a usage error with
//! its position before anything is sent. `env` is left out of the library: it would print
//! sctui's secrets (a token in `SCTUI_ACCESS_TOKEN`).

use std::fmt;
use std::sync::Arc;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;

/// A jq expression given with `--jq`, known to compile.
#[derive(Clone, PartialEq, Eq)]
pub struct Filter {
    expression: Arc<str>,
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({:?})", self.expression)
    }
}

/// Why an expression does not compile: what is wrong and where (1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at column {column} of the jq expression")]
pub struct ExpressionError {
    pub what: String,
    pub column: usize,
}

/// A filter that failed on its input (as `jq` reports `Cannot iterate over null`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the jq expression failed: {0}")]
pub struct RunError(String);

type Data = data::JustLut<Val>;

fn compile(expression: &str) -> Result<jaq_core::Filter<Data>, ExpressionError> {
    let column = |part: &str| {
        let start = jaq_core::load::span(expression, part).start;
        expression[..start.min(expression.len())].chars().count() + 1
    };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs().filter(|(name, ..)| *name != "env"))
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let program = File {
        code: expression,
        path: (),
    };
    let modules = Loader::new(defs).load(&arena, program).map_err(|errors| {
        let (_, error) = errors.into_iter().next().expect("an error");
        match error {
            jaq_core::load::Error::Io(io) => ExpressionError {
                what: io
                    .first()
                    .map(|(_, e)| e.clone())
                    .unwrap_or_else(|| "cannot load".into()),
                column: io.first().map_or(1, |(at, _)| column(at)),
            },
            jaq_core::load::Error::Lex(lex) => match &lex[0] {
                // the opening bracket or quote is the place to look
                (jaq_core::load::lex::Expect::Delim(open), _) => ExpressionError {
                    what: format!("`{open}` is never closed"),
                    column: column(open),
                },
                (expected, at) => ExpressionError {
                    what: format!("expected {}", expected.as_str()),
                    column: column(at),
                },
            },
            jaq_core::load::Error::Parse(parse) => {
                let (expected, at) = &parse[0];
                let found = if at.is_empty() {
                    "the end".to_string()
                } else {
                    format!("`{at}`")
                };
                ExpressionError {
                    what: format!("expected {}, found {found}", expected.as_str()),
                    column: column(at),
                }
            }
        }
    })?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let (_, undefined) = errors.into_iter().next().expect("an error");
            let (name, kind) = &undefined[0];
            let arity = match kind {
                jaq_core::compile::Undefined::Filter(arity) => format!("/{arity}"),
                _ => String::new(),
            };
            ExpressionError {
                what: format!("undefined {} `{name}{arity}`", kind.as_str()),
                column: column(name),
            }
        })
}

impl Filter {
    /// Checks an expression (clap's value parser for `--jq`): the error says what and where.
    pub fn parse(expression: &str) -> Result<Self, ExpressionError> {
        compile(expression)?;
        Ok(Self {
            expression: expression.into(),
        })
    }

    /// The expression as given.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// Runs the filter on `input` and prints its results as `jq` does: one per line, JSON
    /// pretty-printed with two spaces, or with `raw` strings as their text. What a terminal would
    /// act on is escaped in JSON (`\u001b`) and left out of raw text (the output is printed).
    pub fn apply<T: serde::Serialize + ?Sized>(
        &self,
        input: &T,
        raw: bool,
    ) -> Result<String, RunError> {
        let filter = compile(&self.expression).map_err(|e| RunError(e.to_string()))?;
        let json = serde_json::to_vec(input).map_err(|e| RunError(e.to_string()))?;
        let input = jaq_json::read::parse_single(&json).map_err(|e| RunError(format!("{e:?}")))?;
        let ctx = Ctx::<Data>::new(&filter.lut, Vars::new([]));
        let pretty = jaq_json::write::Pp {
            indent: Some("  ".to_string()),
            sep_space: true,
            ..Default::default()
        };
        let mut out = String::new();
        for result in filter.id.run((ctx, input)) {
            let value = match result {
                Ok(value) => value,
                Err(exception) => match exception.get_err() {
                    Ok(error) => return Err(RunError(error.to_string())),
                    // `halt`: the results so far are the output
                    Err(_) => break,
                },
            };
            match &value {
                Val::TStr(text) if raw => {
                    out.push_str(&sctui_app::sanitize::sanitize_multiline(
                        &String::from_utf8_lossy(text),
                    ));
                }
                _ => {
                    let mut bytes = Vec::new();
                    jaq_json::write::write(&mut bytes, &pretty, 0, &value)
                        .map_err(|e| RunError(e.to_string()))?;
                    out.push_str(&crate::output::escape_terminal_hazards(
                        &String::from_utf8_lossy(&bytes),
                    ));
                }
            }
            out.push('\n');
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jq(expression: &str, input: serde_json::Value, raw: bool) -> String {
        Filter::parse(expression)
            .unwrap()
            .apply(&input, raw)
            .unwrap()
    }

    #[test]
    fn prints_as_jq_does() {
        let input = json!([
            {"id": "a", "displayName": "Phish", "n": 1},
            {"id": "b", "displayName": null, "n": 2.5}
        ]);
        // (serde_json's `json!` sorts an object's keys; jq keeps them in the order given)
        assert_eq!(
            jq(".[0]", input.clone(), false),
            "{\n  \"displayName\": \"Phish\",\n  \"id\": \"a\",\n  \"n\": 1\n}\n"
        );
        assert_eq!(jq(".[].id", input.clone(), false), "\"a\"\n\"b\"\n");
        assert_eq!(jq(".[].id", input.clone(), true), "a\nb\n");
        assert_eq!(jq("[.[].n] | add", input.clone(), false), "3.5\n");
        assert_eq!(
            jq("map(.displayName)", input.clone(), true),
            "[\n  \"Phish\",\n  null\n]\n"
        );
        assert_eq!(jq("{}, []", input.clone(), false), "{}\n[]\n");
        assert_eq!(jq("empty", input, false), "");
    }

    #[test]
    fn hazards_are_escaped_in_json_and_dropped_from_raw_text() {
        let input = json!({"name": "a\u{1b}[2Jb\u{9b}c\u{202e}d"});
        let text = jq(".name", input.clone(), false);
        assert_eq!(text, "\"a\\u001b[2Jb\\u009bc\\u202ed\"\n");
        assert_eq!(
            serde_json::from_str::<String>(text.trim()).unwrap(),
            "a\u{1b}[2Jb\u{9b}c\u{202e}d"
        );
        // the C1 CSI takes the `c` after it as its final byte
        assert_eq!(jq(".name", input, true), "abd\n");
    }

    #[test]
    fn mistakes_say_what_and_where() {
        let error = Filter::parse(".[0] | map(.id").unwrap_err();
        assert_eq!(error.column, 11, "{error}");
        assert!(error.what.contains("`(` is never closed"), "{error}");
        let error = Filter::parse(".a | .b |").unwrap_err();
        assert_eq!(error.column, 10, "{error}");
        assert!(error.what.contains("found the end"), "{error}");
        let error = Filter::parse(".a | nosuch(1)").unwrap_err();
        assert_eq!(error.column, 6, "{error}");
        assert!(error.what.contains("nosuch/1"), "{error}");
        for secret in ["env.SCTUI_ACCESS_TOKEN", "$ENV.SCTUI_ACCESS_TOKEN"] {
            let error = Filter::parse(secret).unwrap_err();
            assert!(
                error.what.contains("ENV") || error.what.contains("env"),
                "{error}"
            );
        }
        let error = Filter::parse("\"abc").unwrap_err();
        assert_eq!(error.column, 1, "{error}");
        let failed = Filter::parse(".[]").unwrap().apply(&json!(null), false);
        assert!(failed.is_err(), "{failed:?}");
    }
}
