//! A session's conversation on top of the client: its prompts with their latest evaluations,
//! asking a question (session → prompt → evaluation), and following an evaluation to its end.
//! Shared by the TUI's worker and the CLI.

use std::time::Duration;
#[cfg(feature = "client")]
use std::time::Instant;

#[cfg(feature = "client")]
use futures::StreamExt;

#[cfg(feature = "client")]
use super::client::GraphClient;
use super::error::GraphError;
use super::models::{Evaluation, EvaluationResultType, EvaluationState, Prompt, Session};

/// One question and the latest run of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub prompt: Prompt,
    pub evaluation: Option<Evaluation>,
}

/// The longest a session name made from a question gets (Graph has no documented limit; the
/// portal's names are short).
pub const MAX_NAME_CHARS: usize = 80;

/// The display name for a session started by a question: its first non-blank line, trimmed and
/// cut at a word boundary near [`MAX_NAME_CHARS`].
pub fn name_from_question(question: &str) -> String {
    let line = question
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= MAX_NAME_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX_NAME_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > MAX_NAME_CHARS / 2 => cut[..space].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end())
}

/// The most recent evaluation of a list (by creation time, then position).
pub fn latest(mut evaluations: Vec<Evaluation>) -> Option<Evaluation> {
    newest_first(&mut evaluations);
    evaluations.into_iter().next()
}

/// How many evaluation lists one conversation load asks for at once. Opening a conversation is
/// then two round trips (its prompts, then all their evaluations side by side) for up to this
/// many prompts, and one more round trip per further batch; the bound keeps a huge conversation
/// from opening hundreds of connections (over HTTP/2 they share one).
pub const EVALUATION_CONCURRENCY: usize = 64;

#[cfg(feature = "client")]
/// Loads every prompt of a session with its latest evaluation, in the order Graph lists them
/// (sorted by creation time when Graph gives times). Two round trips: the prompts, then their
/// evaluations at most [`EVALUATION_CONCURRENCY`] at a time.
pub async fn load_conversation(
    client: &GraphClient,
    session: &str,
) -> Result<Vec<Turn>, GraphError> {
    load_conversation_gated(client, session, EVALUATION_CONCURRENCY, None).await
}

#[cfg(feature = "client")]
/// [`load_conversation`] for background work: at most `concurrency` evaluation lists at once,
/// and every request (the prompts too) first takes a permit from `gate` when one is given, so
/// several background loads together never have more requests in flight than `gate` has permits.
pub async fn load_conversation_gated(
    client: &GraphClient,
    session: &str,
    concurrency: usize,
    gate: Option<&tokio::sync::Semaphore>,
) -> Result<Vec<Turn>, GraphError> {
    let runs = load_prompt_runs_gated(client, session, concurrency, gate).await?;
    Ok(latest_turns(runs))
}

/// One question with every run of it, newest first: what a re-run adds to.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptRuns {
    pub prompt: Prompt,
    /// Newest first (by creation time; Graph's order breaks ties, later first).
    pub evaluations: Vec<Evaluation>,
}

impl From<Turn> for PromptRuns {
    /// A question with its one known run (none when it has not run).
    fn from(turn: Turn) -> Self {
        Self {
            prompt: turn.prompt,
            evaluations: turn.evaluation.into_iter().collect(),
        }
    }
}

/// Sorts evaluations newest first: by creation time, later positions first among equal times.
pub fn newest_first(evaluations: &mut [Evaluation]) {
    evaluations.reverse();
    // stable: among equal (or unknown) times the later-listed one stays first
    evaluations
        .sort_by_key(|e| std::cmp::Reverse(e.created_date_time.as_ref().and_then(|t| t.instant())));
}

#[cfg(feature = "client")]
/// Every prompt of a session with all its evaluations (newest first), in the order the prompts
/// were asked. Two round trips, as [`load_conversation`].
pub async fn load_prompt_runs(
    client: &GraphClient,
    session: &str,
) -> Result<Vec<PromptRuns>, GraphError> {
    load_prompt_runs_gated(client, session, EVALUATION_CONCURRENCY, None).await
}

#[cfg(feature = "client")]
/// [`load_prompt_runs`] for background work, bounded as [`load_conversation_gated`] is.
pub async fn load_prompt_runs_gated(
    client: &GraphClient,
    session: &str,
    concurrency: usize,
    gate: Option<&tokio::sync::Semaphore>,
) -> Result<Vec<PromptRuns>, GraphError> {
    let prompts = {
        let _permit = acquire(gate).await;
        client.list_prompts(session).await?
    };
    runs_of(client, session, prompts, concurrency, gate).await
}

/// Each question with its latest run only: the conversation as it reads.
pub fn latest_turns(runs: Vec<PromptRuns>) -> Vec<Turn> {
    runs.into_iter()
        .map(|r| Turn {
            prompt: r.prompt,
            evaluation: r.evaluations.into_iter().next(),
        })
        .collect()
}

#[cfg(feature = "client")]
/// Every run of each of `prompts` (sorted by creation time when Graph gives times), at most
/// `concurrency` evaluation lists at once, each request taking a permit from `gate` when one is
/// given. A prompt Graph no longer finds has no runs.
pub async fn runs_of(
    client: &GraphClient,
    session: &str,
    mut prompts: Vec<Prompt>,
    concurrency: usize,
    gate: Option<&tokio::sync::Semaphore>,
) -> Result<Vec<PromptRuns>, GraphError> {
    prompts.sort_by_key(|p| p.created_date_time.as_ref().and_then(|t| t.instant()));
    // a named async fn, not a closure: keeps the future `Send` for any lifetime (https://github.com/rust-lang/rust/issues/110338)
    let requests: Vec<_> = prompts
        .iter()
        .map(|p| evaluations_of(client, session, &p.id, gate))
        .collect();
    let evaluations: Vec<_> = futures::stream::iter(requests)
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut runs = Vec::with_capacity(prompts.len());
    for (prompt, evaluations) in prompts.into_iter().zip(evaluations) {
        let mut evaluations = match evaluations {
            Ok(list) => list,
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e),
        };
        newest_first(&mut evaluations);
        runs.push(PromptRuns {
            prompt,
            evaluations,
        });
    }
    Ok(runs)
}

#[cfg(feature = "client")]
/// The turns of `prompts` (a session's prompts as just listed): each with its latest evaluation,
/// at most `concurrency` evaluation lists at once, each request taking a permit from `gate` when
/// one is given; sorted by creation time when Graph gives times. For a caller that listed the
/// prompts already (to see whether any is new) and now wants the rest.
pub async fn turns_of(
    client: &GraphClient,
    session: &str,
    prompts: Vec<Prompt>,
    concurrency: usize,
    gate: Option<&tokio::sync::Semaphore>,
) -> Result<Vec<Turn>, GraphError> {
    let runs = runs_of(client, session, prompts, concurrency, gate).await?;
    Ok(latest_turns(runs))
}

#[cfg(feature = "client")]
async fn evaluations_of(
    client: &GraphClient,
    session: &str,
    prompt: &str,
    gate: Option<&tokio::sync::Semaphore>,
) -> Result<Vec<Evaluation>, GraphError> {
    let _permit = acquire(gate).await;
    client.list_evaluations(session, prompt).await
}

#[cfg(feature = "client")]
/// A permit from `gate` (none needed without one; a closed gate lets the request through, as the
/// caller that closed it also aborts the task).
async fn acquire(
    gate: Option<&tokio::sync::Semaphore>,
) -> Option<tokio::sync::SemaphorePermit<'_>> {
    match gate {
        Some(gate) => gate.acquire().await.ok(),
        None => None,
    }
}

/// What asking produced: the session (new or given), the prompt and the started evaluation.
#[derive(Debug, Clone)]
pub struct Asked {
    pub session: Session,
    pub created_session: bool,
    pub prompt: Prompt,
    pub evaluation: Evaluation,
}

/// Where asking failed, so the caller can keep what the user typed and say what exists already.
#[derive(Debug)]
pub struct AskError {
    /// The session, when it exists (created before the failure, or given).
    pub session: Option<Session>,
    /// The prompt, when it was posted but could not be run.
    pub prompt: Option<Prompt>,
    pub error: GraphError,
}

#[cfg(feature = "client")]
/// Asks `question`: creates a session when `session` is `None` (named after the first line),
/// posts the prompt and starts its evaluation. `on_session` hears about a new session at once so
/// the list can show it before the rest is done.
pub async fn ask(
    client: &GraphClient,
    session: Option<Session>,
    question: &str,
    on_session: impl FnOnce(&Session),
) -> Result<Asked, AskError> {
    let (session, created_session) = match session {
        Some(s) => (s, false),
        None => {
            let created = client
                .create_session(&name_from_question(question))
                .await
                .map_err(|error| AskError {
                    session: None,
                    prompt: None,
                    error,
                })?;
            on_session(&created);
            (created, true)
        }
    };
    let prompt = match client.create_prompt(&session.id, question).await {
        Ok(p) => p,
        Err(error) => {
            return Err(AskError {
                session: Some(session),
                prompt: None,
                error,
            });
        }
    };
    match client.create_evaluation(&session.id, &prompt.id).await {
        Ok(evaluation) => Ok(Asked {
            session,
            created_session,
            prompt,
            evaluation,
        }),
        Err(error) => Err(AskError {
            session: Some(session),
            prompt: Some(prompt),
            error,
        }),
    }
}

/// How following ended when it did not reach a terminal state.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(
        "still running after {0:?}: stopped following (the evaluation keeps running on the service)"
    )]
    Deadline(Duration),
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// Poll timing: starts at `first`, grows by half each time up to `max`, gives up at `deadline`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPlan {
    pub first: Duration,
    pub max: Duration,
    pub deadline: Duration,
}

impl Default for PollPlan {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(1),
            max: Duration::from_secs(5),
            deadline: Duration::from_secs(300),
        }
    }
}

impl PollPlan {
    /// The wait after one of `previous`.
    pub fn next_interval(&self, previous: Duration) -> Duration {
        previous.mul_f64(1.5).min(self.max).max(self.first)
    }
}

/// Whether polling should stop at this evaluation: terminal, or a state we cannot move past.
pub fn is_settled(evaluation: &Evaluation) -> bool {
    !evaluation.state.is_in_progress()
}

/// Whether an evaluation ended with a usable answer.
pub fn succeeded(evaluation: &Evaluation) -> bool {
    evaluation.state == EvaluationState::Completed
        && evaluation
            .result
            .as_ref()
            .is_some_and(|r| r.result_type == EvaluationResultType::Success)
}

#[cfg(feature = "client")]
/// Polls an evaluation until it settles, calling `on_update` with each version seen (the first
/// poll happens after `plan.first`).
pub async fn follow(
    client: &GraphClient,
    session: &str,
    prompt: &str,
    evaluation: &str,
    plan: PollPlan,
    mut on_update: impl FnMut(&Evaluation),
) -> Result<Evaluation, FollowError> {
    let started = Instant::now();
    let mut interval = plan.first;
    loop {
        tokio::time::sleep(interval).await;
        let current = client.get_evaluation(session, prompt, evaluation).await?;
        on_update(&current);
        if is_settled(&current) {
            return Ok(current);
        }
        if started.elapsed() >= plan.deadline {
            return Err(FollowError::Deadline(plan.deadline));
        }
        interval = plan.next_interval(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_first_line_and_are_kept_short() {
        assert_eq!(name_from_question("\n  who am I?  \nmore"), "who am I?");
        let long = "Summarize every sign-in from unusual countries for the finance team over the last thirty days please";
        let name = name_from_question(long);
        assert!(name.chars().count() <= MAX_NAME_CHARS, "{name}");
        assert!(name.ends_with('…'));
        assert!(name.starts_with("Summarize every sign-in"));
        assert!(!name.contains("  "));
    }

    fn run(id: &str, created: Option<&str>) -> Evaluation {
        let created = created.map_or(String::new(), |t| format!(r#","createdDateTime":"{t}""#));
        serde_json::from_str(&format!(r#"{{"id":"{id}","state":"completed"{created}}}"#)).unwrap()
    }

    #[test]
    fn newest_first_orders_by_time_then_by_later_position() {
        let mut runs = vec![
            run("b", Some("2025-01-01T10:00:00Z")),
            run("c", Some("2025-01-01T11:00:00.5Z")),
            run("a", Some("2025-01-01T09:00:00Z")),
            run("b2", Some("2025-01-01T10:00:00Z")),
        ];
        newest_first(&mut runs);
        let ids: Vec<&str> = runs.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["c", "b2", "b", "a"]);
        assert_eq!(
            latest(vec![run("x", None), run("y", None)]).unwrap().id,
            "y"
        );
    }

    #[test]
    fn poll_interval_grows_to_the_cap() {
        let plan = PollPlan::default();
        let mut i = plan.first;
        let mut seen = vec![i];
        for _ in 0..6 {
            i = plan.next_interval(i);
            seen.push(i);
        }
        assert_eq!(seen[1], Duration::from_millis(1500));
        assert_eq!(*seen.last().unwrap(), Duration::from_secs(5));
    }
}
