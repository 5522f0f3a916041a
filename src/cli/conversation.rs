//! `sctui prompts list`, `sctui ask` and `sctui sessions export`: conversations for scripts.

use std::io::Write;
use std::path::Path;

use super::RunError;
use crate::cli::args::{AskArgs, Output, PromptsCommand};
use crate::sanitize::{sanitize_line, sanitize_multiline, truncate};
use sctui_graph::GraphClient;
use sctui_graph::conversation::{self, PollPlan, Turn, succeeded};
use sctui_graph::models::Evaluation;

/// Runs `prompts list`.
pub async fn prompts(client: &GraphClient, command: PromptsCommand) -> Result<(), RunError> {
    let PromptsCommand::List { session_id, output } = command;
    let turns = conversation::load_conversation(client, &session_id).await?;
    write_prompts(&turns, output.output)
}

/// Prints a conversation's prompts as `prompts list` does (also from the store, `--offline`).
pub(crate) fn write_prompts(turns: &[Turn], output: Output) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    match output {
        Output::Json => {
            let value: Vec<serde_json::Value> = turns.iter().map(turn_json).collect();
            super::output::write_json(&mut out, &value)?;
        }
        Output::Table => {
            writeln!(
                out,
                "{:<36}  {:<10}  {:<16}  PROMPT",
                "ID", "STATE", "RESULT"
            )?;
            for turn in turns {
                let (state, result) = state_and_result(turn.evaluation.as_ref());
                let content = sanitize_line(turn.prompt.content.as_deref().unwrap_or(""));
                writeln!(
                    out,
                    "{:<36}  {state:<10}  {result:<16}  {}",
                    sanitize_line(&turn.prompt.id),
                    truncate(content.trim(), 80)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn turn_json(turn: &Turn) -> serde_json::Value {
    let mut prompt = serde_json::to_value(&turn.prompt).unwrap_or_default();
    if let Some(object) = prompt.as_object_mut() {
        object.insert(
            "latestEvaluation".into(),
            serde_json::to_value(&turn.evaluation).unwrap_or_default(),
        );
    }
    prompt
}

fn state_and_result(evaluation: Option<&Evaluation>) -> (String, String) {
    match evaluation {
        None => ("not run".into(), "-".into()),
        Some(e) => (
            e.state.to_string(),
            e.result
                .as_ref()
                .map(|r| r.result_type.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
    }
}

/// The question for `ask`: the argument, or stdin for `-` (or no argument while stdin is not a
/// terminal, as in `echo … | sctui ask`). Read before anything is sent; empty is a usage error.
pub fn question(text: Option<&str>) -> Result<String, RunError> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    let from_stdin = |stdin: std::io::Stdin| {
        std::io::read_to_string(stdin.lock())
            .map_err(|e| RunError::Usage(format!("cannot read the question from stdin: {e}")))
    };
    let text = match text {
        Some("-") => from_stdin(stdin)?,
        Some(text) => text.to_string(),
        None if stdin.is_terminal() => {
            return Err(RunError::Usage(
                "give the question as an argument, or `-` to read it from stdin".into(),
            ));
        }
        None => from_stdin(stdin)?,
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(RunError::Usage("the question cannot be empty".into()));
    }
    Ok(text.to_string())
}

/// Runs `ask`: creates the session when needed, posts the question, starts the evaluation and,
/// with `--wait`, follows it and prints the answer.
pub async fn ask(
    client: &GraphClient,
    args: AskArgs,
    question: &str,
    plan: PollPlan,
    notices: &super::notice::Notices,
) -> Result<(), RunError> {
    let session = match &args.session {
        Some(id) => Some(client.get_session(id).await?),
        None => None,
    };
    let asked = conversation::ask(client, session, question, |_| {})
        .await
        .map_err(|failure| {
            if let Some(s) = &failure.session {
                crate::output::eprintln!(
                    "sctui: the session {} exists; the question was not run",
                    s.id
                );
            }
            RunError::Graph(failure.error)
        })?;
    let mut evaluation = asked.evaluation.clone();
    if args.wait {
        if args.output.output == Output::Table {
            notices.said();
            crate::output::eprintln!(
                "Asked in session {} (prompt {}); waiting for the answer…",
                asked.session.id,
                asked.prompt.id
            );
        }
        evaluation = conversation::follow(
            client,
            &asked.session.id,
            &asked.prompt.id,
            &evaluation.id,
            plan,
            |_| {},
        )
        .await
        .map_err(|e| match e {
            conversation::FollowError::Graph(g) => RunError::Graph(g),
            deadline => RunError::Evaluation(deadline.to_string()),
        })?;
    }
    let mut out = crate::output::stdout();
    match args.output.output {
        Output::Json => {
            let value = serde_json::json!({
                "session": asked.session,
                "prompt": asked.prompt,
                "evaluation": evaluation,
            });
            super::output::write_json(&mut out, &value)?;
        }
        Output::Table => {
            if args.wait {
                let answer = evaluation
                    .result
                    .as_ref()
                    .and_then(|r| r.content.as_deref())
                    .unwrap_or("");
                writeln!(out, "{}", sanitize_multiline(answer).trim_end())?;
            } else {
                writeln!(out, "session     {}", sanitize_line(&asked.session.id))?;
                writeln!(out, "prompt      {}", sanitize_line(&asked.prompt.id))?;
                writeln!(out, "evaluation  {}", sanitize_line(&evaluation.id))?;
                writeln!(out, "state       {}", evaluation.state)?;
            }
        }
    }
    out.flush()?;
    if args.wait && !succeeded(&evaluation) {
        let (state, result) = state_and_result(Some(&evaluation));
        // waitingForInput is not an end: Security Copilot waits for a person
        let waiting = if evaluation.state == sctui_graph::models::EvaluationState::WaitingForInput {
            ": Security Copilot waits for input, which only its portal can give"
        } else {
            ""
        };
        return Err(RunError::Evaluation(format!(
            "the evaluation ended without an answer (state {state}, result {result}){waiting}"
        )));
    }
    Ok(())
}

/// Runs `sessions export`: the conversation as Markdown to stdout or `file`.
pub async fn export(client: &GraphClient, id: &str, file: Option<&Path>) -> Result<(), RunError> {
    let session = client.get_session(id).await?;
    let turns = conversation::load_conversation(client, id).await?;
    write_export(&session, &turns, file)
}

/// Writes a conversation as Markdown to stdout or `file` (also from the store, `--offline`).
pub(crate) fn write_export(
    session: &sctui_graph::models::Session,
    turns: &[Turn],
    file: Option<&Path>,
) -> Result<(), RunError> {
    let text = crate::export::conversation_markdown(session, turns);
    match file {
        Some(path) => {
            crate::output::write_file(path, &text).map_err(|e| {
                RunError::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot write {}: {e}", path.display()),
                ))
            })?;
            crate::output::eprintln!("Exported to {}", path.display());
        }
        None => {
            let mut out = crate::output::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}
