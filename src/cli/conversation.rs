//! `sctui prompts list` and `sctui ask`: conversations for scripts.

use std::io::Write;

use super::RunError;
use crate::cli::args::{AskArgs, OutputArg, OutputFormat};
use sctui_app::sanitize::{sanitize_line, sanitize_multiline, truncate};
use sctui_graph::GraphClient;
use sctui_graph::conversation::{self, PollPlan, PromptRuns, succeeded};
use sctui_graph::models::Evaluation;

/// Runs `prompts list` (every evaluation of each prompt is read, for `-o json`); what it saw
/// is recorded in the store for `sctui stats`.
pub async fn prompts(
    client: &GraphClient,
    store: Option<&crate::store::Store>,
    session_id: &str,
    output: &OutputArg,
) -> Result<(), RunError> {
    let runs = conversation::load_prompt_runs(client, session_id).await?;
    if let Some(store) = store
        && let Err(e) = crate::store::put_prompt_runs(store, session_id, &runs)
    {
        crate::output::eprintln!("sctui: warning: not recorded in the local store: {e}");
    }
    write_prompts(&runs, output)
}

/// Prints a conversation's prompts as `prompts list` does (also from the store, `--offline`,
/// where only the latest evaluation of each is kept).
pub(crate) fn write_prompts(runs: &[PromptRuns], output: &OutputArg) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => {
            let value: Vec<serde_json::Value> = runs.iter().map(prompt_json).collect();
            super::output::write_json(&mut out, &output.jq, &value)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<36}  {:<10}  {:<16}  PROMPT",
                "ID", "STATE", "RESULT"
            )?;
            for turn in runs {
                let (state, result) = state_and_result(turn.evaluations.first());
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

/// A prompt as Graph sent it, plus `latestEvaluation` and `evaluations` (latest first).
fn prompt_json(runs: &PromptRuns) -> serde_json::Value {
    let mut prompt = serde_json::to_value(&runs.prompt).unwrap_or_default();
    if let Some(object) = prompt.as_object_mut() {
        object.insert(
            "latestEvaluation".into(),
            serde_json::to_value(runs.evaluations.first()).unwrap_or_default(),
        );
        object.insert(
            "evaluations".into(),
            serde_json::to_value(&runs.evaluations).unwrap_or_default(),
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
    store: Option<&crate::store::Store>,
    args: AskArgs,
    question: &str,
    plan: PollPlan,
    notices: &super::notice::Notices,
) -> Result<(), RunError> {
    super::recording::warn_disabled_plugins(store, question);
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
    let said = format!(
        "Asked in session {} (prompt {}); waiting for the answer…",
        asked.session.id, asked.prompt.id
    );
    let run = Run {
        session: &asked.session.id,
        prompt: &asked.prompt.id,
        evaluation: asked.evaluation.clone(),
    };
    let evaluation = run
        .follow_if(args.wait, args.output.output, &said, plan, notices, client)
        .await?;
    super::recording::record_evaluation(store, &asked.session.id, &asked.prompt.id, &evaluation);
    let mut out = crate::output::stdout();
    match args.output.output {
        OutputFormat::Json => {
            let value = serde_json::json!({
                "session": asked.session,
                "prompt": asked.prompt,
                "evaluation": evaluation,
            });
            super::output::write_json(&mut out, &args.output.jq, &value)?;
        }
        OutputFormat::Table => {
            if args.wait {
                write_answer(&mut out, &evaluation)?;
            } else {
                writeln!(out, "session     {}", sanitize_line(&asked.session.id))?;
                writeln!(out, "prompt      {}", sanitize_line(&asked.prompt.id))?;
                writeln!(out, "evaluation  {}", sanitize_line(&evaluation.id))?;
                writeln!(out, "state       {}", evaluation.state)?;
            }
        }
    }
    out.flush()?;
    ended_with_an_answer(args.wait, &evaluation)
}

/// One started evaluation of a prompt, for the commands that may wait for it.
pub(crate) struct Run<'a> {
    pub session: &'a str,
    pub prompt: &'a str,
    pub evaluation: Evaluation,
}

impl Run<'_> {
    /// With `wait`, says `said` on stderr (table output) and follows the evaluation to its end;
    /// else the evaluation as started.
    pub async fn follow_if(
        self,
        wait: bool,
        output: OutputFormat,
        said: &str,
        plan: PollPlan,
        notices: &super::notice::Notices,
        client: &GraphClient,
    ) -> Result<Evaluation, RunError> {
        if !wait {
            return Ok(self.evaluation);
        }
        if output == OutputFormat::Table {
            notices.said();
            crate::output::eprintln!("{said}");
        }
        conversation::follow(
            client,
            self.session,
            self.prompt,
            &self.evaluation.id,
            plan,
            |_| {},
        )
        .await
        .map_err(|e| match e {
            conversation::FollowError::Graph(g) => RunError::Graph(g),
            deadline => RunError::Evaluation(deadline.to_string()),
        })
    }
}

/// Prints an answer's Markdown, sanitised.
pub(crate) fn write_answer(
    out: &mut crate::output::Safe<impl Write>,
    evaluation: &Evaluation,
) -> Result<(), RunError> {
    let answer = evaluation
        .result
        .as_ref()
        .and_then(|r| r.content.as_deref())
        .unwrap_or("");
    writeln!(out, "{}", sanitize_multiline(answer).trim_end())?;
    Ok(())
}

/// After a `--wait`: the exit-7 error when the evaluation ended without an answer, naming how.
pub(crate) fn ended_with_an_answer(waited: bool, evaluation: &Evaluation) -> Result<(), RunError> {
    if !waited || succeeded(evaluation) {
        return Ok(());
    }
    let (state, result) = state_and_result(Some(evaluation));
    // waitingForInput is not an end: Security Copilot waits for a person
    let waiting = if evaluation.state == sctui_graph::models::EvaluationState::WaitingForInput {
        ": Security Copilot waits for input, which only its portal can give"
    } else {
        ""
    };
    let renews = match evaluation.result.as_ref().map(|r| &r.result_type) {
        Some(sctui_graph::models::EvaluationResultType::CapacityExceeded) => {
            let at = evaluation
                .last_modified_date_time
                .as_ref()
                .and_then(|t| t.instant())
                .unwrap_or_else(jiff::Timestamp::now);
            format!(
                "; capacity renews at {} (run it again then)",
                crate::timefmt::local(
                    crate::stats::capacity_renews(at),
                    &jiff::tz::TimeZone::system()
                )
            )
        }
        _ => String::new(),
    };
    Err(RunError::Evaluation(format!(
        "the evaluation ended without an answer (state {state}, result {result}){waiting}{renews}"
    )))
}
