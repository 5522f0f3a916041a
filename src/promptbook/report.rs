//! A run's report, made from what the store recorded (so it can be made again later, offline):
//! Markdown for people (the book's name, its inputs, then each step's question and answer with
//! its result and timings) or JSON for scripts.

use jiff::Timestamp;
use sctui_store::RunRecord;
use serde_json::{Value, json};

use sctui_app::sanitize::{sanitize_line, sanitize_multiline};

/// Which report a file name asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Json,
}

impl Format {
    /// JSON for a `.json` file, Markdown for anything else.
    pub fn for_path(path: &std::path::Path) -> Self {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Self::Json,
            _ => Self::Markdown,
        }
    }
}

/// The run's inputs, in the order they were stored.
fn inputs(run: &RunRecord) -> serde_json::Map<String, Value> {
    match serde_json::from_str(&run.inputs_json) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    }
}

fn rfc3339(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_string()))
}

/// The JSON report: `promptbook`, `inputs`, `session {id, displayName}` and `steps[]`, plus the
/// run's `id` and `status`.
pub fn json(run: &RunRecord) -> Value {
    let steps: Vec<Value> = run
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "index": i + 1,
                "prompt": s.question,
                "promptId": s.prompt_id,
                "evaluationId": s.evaluation_id,
                "state": s.phase,
                "result": s.result,
                "answer": s.answer,
                "startedAt": rfc3339(s.started),
                "completedAt": rfc3339(s.completed),
                "evaluations": s.evaluations,
            })
        })
        .collect();
    json!({
        "id": run.id,
        "status": run.status,
        "promptbook": run.title,
        "inputs": inputs(run),
        "session": { "id": run.session_id, "displayName": run.session_name },
        "steps": steps,
    })
}

/// How long from `start` to `end`, as people read it (`14 s`, `2 min 5 s`).
pub fn elapsed(start: Timestamp, end: Timestamp) -> String {
    let secs = end.duration_since(start).as_secs().max(0);
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

/// The Markdown report. Server text is sanitised (the file may be `cat`ed to a terminal).
pub fn markdown(run: &RunRecord) -> String {
    let mut out = format!("# {}\n\n", sanitize_line(&run.title).trim());
    out.push_str(&format!("- Run: {} ({})\n", run.id, run.status));
    match &run.session_id {
        Some(id) => out.push_str(&format!(
            "- Session: {} (`{}`)\n",
            sanitize_line(&run.session_name),
            sanitize_line(id)
        )),
        None => out.push_str(&format!(
            "- Session: {} (not created yet)\n",
            sanitize_line(&run.session_name)
        )),
    }
    out.push_str(&format!("- Started: {}\n", run.created));
    let inputs = inputs(run);
    if inputs.is_empty() {
        out.push_str("- Inputs: none\n");
    } else {
        out.push_str("- Inputs:\n");
        for (name, value) in &inputs {
            let value = value.as_str().unwrap_or_default();
            out.push_str(&format!(
                "  - `{}`: {}\n",
                sanitize_line(name),
                sanitize_line(value)
            ));
        }
    }
    for (i, step) in run.steps.iter().enumerate() {
        let result = step.result.as_deref().unwrap_or("none");
        let timing = match (step.started, step.completed) {
            (Some(start), Some(end)) => format!(", {}", elapsed(start, end)),
            _ => String::new(),
        };
        let evaluations = match step.evaluations {
            0 | 1 => String::new(),
            n => format!(", {n} evaluations"),
        };
        out.push_str(&format!(
            "\n## Step {}: {} (result: {result}{timing}{evaluations})\n\n",
            i + 1,
            step.phase
        ));
        for line in sanitize_multiline(&step.question).lines() {
            out.push_str(&format!("> {line}\n"));
        }
        out.push('\n');
        if let (Some(start), Some(end)) = (step.started, step.completed) {
            out.push_str(&format!("_Asked {start}, answered {end}._\n\n"));
        }
        match step.answer.as_deref().filter(|a| !a.trim().is_empty()) {
            Some(answer) => {
                out.push_str(sanitize_multiline(answer).trim_end());
                out.push('\n');
            }
            None if step.phase == "pending" => out.push_str("_Not run._\n"),
            None => out.push_str("_No answer._\n"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_store::RunStepRecord;

    fn run() -> RunRecord {
        let at = |s: &str| s.parse::<Timestamp>().ok();
        RunRecord {
            id: 7,
            kind: "promptbook".into(),
            title: "Sign-in \u{1b}[31mtriage".into(),
            source: None,
            inputs_json: r#"{"upn":"lena@contoso.com","days":"7"}"#.into(),
            session_id: Some("s-1".into()),
            session_name: "Sign-in triage (upn=lena@contoso.com)".into(),
            status: "failed".into(),
            interrupted: None,
            capacity_retry: "next-hour".into(),
            created: "2026-12-06T18:00:00Z".parse().unwrap(),
            updated: "2026-12-06T18:01:00Z".parse().unwrap(),
            steps: vec![
                RunStepRecord {
                    question: "Who is lena@contoso.com?\nBe brief.".into(),
                    phase: "succeeded".into(),
                    prompt_id: Some("p1".into()),
                    evaluation_id: Some("e2".into()),
                    evaluations: 2,
                    started: at("2026-12-06T18:00:01Z"),
                    completed: at("2026-12-06T18:02:06Z"),
                    state: Some("completed".into()),
                    result: Some("success".into()),
                    answer: Some("## Lena\n\nAn analyst.\u{1b}]52;c;x\u{7}".into()),
                    ..RunStepRecord::default()
                },
                RunStepRecord {
                    question: "Next".into(),
                    phase: "failed".into(),
                    prompt_id: Some("p2".into()),
                    evaluation_id: Some("e3".into()),
                    evaluations: 1,
                    result: Some("timedOut".into()),
                    ..RunStepRecord::default()
                },
                RunStepRecord {
                    question: "Last".into(),
                    phase: "pending".into(),
                    ..RunStepRecord::default()
                },
            ],
        }
    }

    #[test]
    fn markdown_has_the_book_inputs_and_each_step_without_escapes() {
        let md = markdown(&run());
        assert!(md.starts_with("# Sign-in triage\n"), "{md}");
        assert!(md.contains("- Session: Sign-in triage (upn=lena@contoso.com) (`s-1`)"));
        assert!(md.contains("  - `upn`: lena@contoso.com\n"), "{md}");
        assert!(md.contains(
            "## Step 1: succeeded (result: success, 2 min 5 s, 2 evaluations)\n\n> Who is lena@contoso.com?\n> Be brief.\n"
        ), "{md}");
        assert!(md.contains("## Lena\n\nAn analyst."));
        assert!(md.contains("## Step 2: failed (result: timedOut)\n\n> Next\n\n_No answer._"));
        assert!(md.contains("## Step 3: pending (result: none)\n\n> Last\n\n_Not run._"));
        assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md:?}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let value = json(&run());
        assert_eq!(
            value["promptbook"], "Sign-in \u{1b}[31mtriage",
            "exact values"
        );
        assert_eq!(value["inputs"]["upn"], "lena@contoso.com");
        assert_eq!(value["session"]["id"], "s-1");
        assert_eq!(
            value["session"]["displayName"],
            "Sign-in triage (upn=lena@contoso.com)"
        );
        let step = &value["steps"][0];
        for key in [
            "index",
            "prompt",
            "promptId",
            "evaluationId",
            "state",
            "result",
            "answer",
            "startedAt",
            "completedAt",
        ] {
            assert!(step.get(key).is_some(), "{key}");
        }
        assert_eq!(step["index"], 1);
        assert_eq!(step["startedAt"], "2026-12-06T18:00:01Z");
        assert_eq!(value["steps"][2]["promptId"], Value::Null);
        assert_eq!(Format::for_path("x.JSON".as_ref()), Format::Json);
        assert_eq!(Format::for_path("x.md".as_ref()), Format::Markdown);
    }
}
