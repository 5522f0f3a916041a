//! Sessions as CSV for a spreadsheet: a header, then one row per question, RFC 4180 (every
//! field with a comma, a quote or a line break is quoted; records end in CRLF; line breaks inside
//! an answer are kept). The file is written UTF-8 with a byte-order mark ([`BOM`]) so Excel reads
//! it as UTF-8.
//!
//! Server text is sanitised like everywhere else, and a cell that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-` or `@`) starts with a `'` instead, as OWASP advises
//! against CSV injection.

use super::{Conversation, time_to_answer};
use sctui_app::sanitize::{sanitize_line, sanitize_multiline};

/// The UTF-8 byte-order mark a CSV export starts with.
pub const BOM: &str = "\u{feff}";

/// The column names, in order.
pub const COLUMNS: [&str; 8] = [
    "Session id",
    "Session name",
    "Question time (UTC)",
    "Question",
    "Answer",
    "Result",
    "Evaluation state",
    "Time to answer (s)",
];

/// The CSV text (without the byte-order mark): the header and a row per question.
pub fn rows(conversations: &[Conversation]) -> std::io::Result<String> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for conversation in conversations {
        let session = &conversation.session;
        let id = sanitize_line(&session.id);
        let name = guard(
            sanitize_line(session.display_name.as_deref().unwrap_or(""))
                .trim()
                .to_string(),
        );
        for turn in &conversation.turns {
            let asked = turn
                .prompt
                .created_date_time
                .as_ref()
                .and_then(|t| t.instant())
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_default();
            let question = guard(
                sanitize_multiline(turn.prompt.content.as_deref().unwrap_or(""))
                    .trim()
                    .to_string(),
            );
            let evaluation = turn.evaluation.as_ref();
            let answer = evaluation
                .and_then(|e| e.result.as_ref())
                .and_then(|r| r.content.as_deref())
                .map(|a| guard(sanitize_multiline(a).trim_end().to_string()))
                .unwrap_or_default();
            let result = evaluation
                .and_then(|e| e.result.as_ref())
                .map(|r| sanitize_line(r.result_type.as_str()).into_owned())
                .unwrap_or_default();
            let state = evaluation
                .map(|e| sanitize_line(e.state.as_str()).into_owned())
                .unwrap_or_else(|| "not run".into());
            let took = evaluation
                .and_then(time_to_answer)
                .map(|d| format!("{:.1}", d.as_secs_f64()))
                .unwrap_or_default();
            writer.write_record([
                id.as_ref(),
                &name,
                &asked,
                &question,
                &answer,
                &result,
                &state,
                &took,
            ])?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    String::from_utf8(bytes).map_err(std::io::Error::other)
}

/// A cell a spreadsheet would take for a formula gets a leading `'`, which shows it as text.
fn guard(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::conversation::Turn;
    use sctui_graph::models::{Evaluation, Prompt, Session};

    fn turn(question: &str, answer: Option<&str>) -> Turn {
        let prompt: Prompt = serde_json::from_value(serde_json::json!({
            "id": "p", "type": "prompt", "content": question,
            "createdDateTime": "2025-09-17T19:23:41.1506601Z"
        }))
        .unwrap();
        let evaluation = answer.map(|a| {
            serde_json::from_value::<Evaluation>(serde_json::json!({
                "id": "e", "state": "completed",
                "result": {"content": a, "type": "success"},
                "createdDateTime": "2025-09-17T19:23:42Z",
                "completedDateTime": "2025-09-17T19:23:58.25Z"
            }))
            .unwrap()
        });
        Turn { prompt, evaluation }
    }

    #[test]
    fn one_quoted_row_per_question_with_line_breaks_kept() {
        let session: Session = serde_json::from_value(
            serde_json::json!({"id": "s1", "displayName": "Phish, \"urgent\""}),
        )
        .unwrap();
        let text = rows(&[Conversation {
            session,
            turns: vec![
                turn("who?", Some("line one\nline \u{1b}[31mtwo")),
                turn("=cmd|' /C calc'!A0", None),
            ],
        }])
        .unwrap();
        let expected = "Session id,Session name,Question time (UTC),Question,Answer,Result,\
                        Evaluation state,Time to answer (s)\r\n\
                        s1,\"Phish, \"\"urgent\"\"\",2025-09-17 19:23:41,who?,\"line one\nline two\",\
                        success,completed,16.2\r\n\
                        s1,\"Phish, \"\"urgent\"\"\",2025-09-17 19:23:41,'=cmd|' /C calc'!A0,,,\
                        not run,\r\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn formula_cells_are_shown_as_text() {
        for (cell, shown) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(guard(cell.to_string()), shown);
        }
    }
}
