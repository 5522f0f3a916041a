//! Sessions as documents a person opens elsewhere: the Markdown export (`e` in the TUI and
//! `sessions export`) and the [`Conversation`]s every format is built from. The HTML, CSV and JSON
//! writers need crates the core does not carry, so they live in sctui's `export` module, beside a
//! re-export of this one. Every piece of server text is sanitised on the way in.

use jiff::Timestamp;

use crate::sanitize::{sanitize_line, sanitize_multiline};
use sctui_graph::conversation::Turn;
use sctui_graph::models::{Evaluation, EvaluationState, GraphTime, Session};

/// What an export writes: a document to read, or data for a spreadsheet or a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Markdown, as the reader shows it.
    #[default]
    Markdown,
    /// One self-contained HTML page (inline styles, no script, no outside request).
    Html,
    /// Graph's JSON: the session, its prompts and their evaluations.
    Json,
    /// One row per question, UTF-8 with a byte-order mark, for Excel and Power BI.
    Csv,
}

impl Format {
    /// The file name extension for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Html => "html",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }

    /// Whether the format holds many sessions in one file (`sessions export --all`).
    pub fn holds_many(self) -> bool {
        matches!(self, Self::Json | Self::Csv)
    }
}

/// One session and its questions with their latest answers: what every format writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub session: Session,
    pub turns: Vec<Turn>,
}

/// Who exported, when and from which workspace: the small header of a document export.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub exported_at: Timestamp,
    /// The signed-in account, when it is known without asking the network.
    pub by: Option<String>,
    pub workspace: String,
}

/// The session's name for a document: sanitised, trimmed, `(untitled)` when empty.
pub fn session_name(session: &Session) -> String {
    session
        .display_name
        .as_deref()
        .map(|n| sanitize_line(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(untitled)".to_string())
}

/// An instant in UTC to the second, `2025-09-17 19:23:41 UTC`: the same for every reader of a
/// shared document, whatever their zone.
pub fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A Graph time as [`utc`], or `None` when unset or unreadable.
pub fn utc_time(time: Option<&GraphTime>) -> Option<String> {
    time.and_then(GraphTime::instant).map(utc)
}

/// How long an answer took: from the evaluation's creation (or its run's start) to its
/// completion; `None` while it runs or when Graph gave no times.
pub fn time_to_answer(evaluation: &Evaluation) -> Option<jiff::SignedDuration> {
    let done = evaluation.completed_date_time.as_ref()?.instant()?;
    let start = evaluation
        .created_date_time
        .as_ref()
        .and_then(GraphTime::instant)
        .or_else(|| {
            evaluation
                .run_start_date_time
                .as_ref()
                .and_then(GraphTime::instant)
        })?;
    let took = done.duration_since(start);
    (!took.is_negative()).then_some(took)
}

/// A duration as a person reads it: `850 ms`, `16.2 s`, `4 min 3 s`, `2 h 5 min`.
pub fn human_duration(took: jiff::SignedDuration) -> String {
    let ms = took.as_millis();
    match ms {
        ..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
        _ => format!("{} h {} min", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// The Markdown text: a title, the session's facts, then each question and its answer.
/// Control characters are stripped (the file may be `cat`ed to a terminal).
pub fn conversation_markdown(session: &Session, turns: &[Turn]) -> String {
    let name = session_name(session);
    let mut out = format!("# {name}\n\n");
    out.push_str(&format!("- Session id: `{}`\n", sanitize_line(&session.id)));
    if let Some(t) = &session.created_date_time {
        out.push_str(&format!("- Created: {}\n", t.raw()));
    }
    if let Some(t) = &session.last_modified_date_time {
        out.push_str(&format!("- Last modified: {}\n", t.raw()));
    }
    if turns.is_empty() {
        out.push_str("\n_No prompts in this session._\n");
    }
    for (i, turn) in turns.iter().enumerate() {
        let question = turn.prompt.content.as_deref().unwrap_or("");
        out.push_str(&format!("\n## Prompt {}\n\n", i + 1));
        for line in sanitize_multiline(question).lines() {
            out.push_str(&format!("> {line}\n"));
        }
        out.push('\n');
        match &turn.evaluation {
            None => out.push_str("_Not run._\n"),
            Some(e) => {
                let result = e
                    .result
                    .as_ref()
                    .map(|r| r.result_type.to_string())
                    .unwrap_or_else(|| "none".to_string());
                out.push_str(&format!(
                    "**Answer** (state: {}, result: {result})\n\n",
                    e.state
                ));
                let content = e.result.as_ref().and_then(|r| r.content.as_deref());
                match content {
                    Some(text) => {
                        out.push_str(sanitize_multiline(text).trim_end());
                        out.push('\n');
                    }
                    None if e.state == EvaluationState::Completed => {
                        out.push_str("_No answer text._\n")
                    }
                    None => out.push_str("_Still running._\n"),
                }
            }
        }
    }
    out
}

/// A file name for the Markdown export: `sctui-<name>-<id prefix>.md` ([`file_name`]).
pub fn default_file_name(session: &Session) -> String {
    file_name(session, Format::Markdown)
}

/// A file name for an export of one session: `sctui-<name>-<id prefix>.<extension>`, safe on
/// every file system. The name is sanitised first, so an escape sequence in it leaves nothing
/// behind (`ESC[31m` is dropped whole, not turned into `-31m`).
pub fn file_name(session: &Session, format: Format) -> String {
    let name = sanitize_line(session.display_name.as_deref().unwrap_or("untitled"));
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    let slug: String = slug.join("-").chars().take(40).collect();
    let id: String = session
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(8)
        .collect();
    format!(
        "sctui-{}-{id}.{}",
        if slug.is_empty() {
            "untitled"
        } else {
            slug.trim_end_matches('-')
        },
        format.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::models::{Evaluation, Prompt};

    fn turn(question: &str, answer: Option<&str>, state: &str) -> Turn {
        let prompt: Prompt = serde_json::from_value(
            serde_json::json!({"id":"p","type":"prompt","content":question}),
        )
        .unwrap();
        let evaluation: Evaluation = serde_json::from_value(serde_json::json!({
            "id":"e","state":state,"result":{"content":answer,"type": if answer.is_some() {"success"} else {"unknown"}}
        })).unwrap();
        Turn {
            prompt,
            evaluation: Some(evaluation),
        }
    }

    #[test]
    fn markdown_has_questions_and_answers_without_escapes() {
        let session: Session = serde_json::from_value(serde_json::json!({
            "id":"8e95c36e-c9bd","displayName":"Phish\u{1b}[31m triage","createdDateTime":"2025-09-17T19:23:41.1506601Z"
        })).unwrap();
        let md = conversation_markdown(
            &session,
            &[
                turn(
                    "who am i?\nsecond line",
                    Some("## You\n\nJordan"),
                    "completed",
                ),
                turn("next", None, "running"),
            ],
        );
        assert!(md.starts_with("# Phish triage\n"), "{md}");
        assert!(md.contains("> who am i?\n> second line\n"));
        assert!(
            md.contains("**Answer** (state: completed, result: success)\n\n## You\n\nJordan\n")
        );
        assert!(md.contains("_Still running._"));
        assert!(!md.contains('\u{1b}'));
        assert_eq!(
            default_file_name(&session),
            "sctui-phish-triage-8e95c36e.md"
        );
    }

    #[test]
    fn file_name_keeps_no_fragment_of_escape_sequences() {
        let named = |name: &str| -> Session {
            serde_json::from_value(serde_json::json!({"id":"ab12cd34-ef56","displayName":name}))
                .unwrap()
        };
        for (name, expected) in [
            (
                "\u{1b}[1;31mRed\u{1b}[0m alert",
                "sctui-red-alert-ab12cd34.md",
            ),
            ("\u{1b}]0;pwned\u{7}Title", "sctui-title-ab12cd34.md"),
            (
                "\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\ text",
                "sctui-link-text-ab12cd34.md",
            ),
            ("\u{9b}2JCSI", "sctui-csi-ab12cd34.md"),
            ("\u{1b}[2J", "sctui-untitled-ab12cd34.md"),
        ] {
            assert_eq!(default_file_name(&named(name)), expected, "{name:?}");
        }
    }
}
