//! Runs: a list of questions asked in order in one Security Copilot session (a promptbook, a
//! fork of a session), as a state machine that a crash cannot make repeat a POST.
//!
//! The machine is pure: it does no I/O and reads no clock (times arrive in what it is told). A
//! driver elsewhere loops:
//!
//! ```text
//! loop {
//!     let action = run.next_action();          // what to do next
//!     if let Action::Done(ending) = action { break }
//!     run.begin(&action, now);                 // marks what may be sent: record it first
//!     save(&run);                              // durable BEFORE the request leaves
//!     let outcome = execute(action).await?;    // Graph
//!     run.apply(outcome)?;                     // what came back
//!     save(&run);
//! }
//! ```
//!
//! Because [`Run::begin`] marks a step `posting` (or `evaluating`) before its POST is sent, a run
//! restored after a crash knows that request may have reached Graph without its answer being
//! recorded. It then asks to look for what that request made ([`Action::FindPrompt`],
//! [`Action::FindEvaluation`]) instead of sending it again: a step's prompt is posted at most once.
//!
//! When an evaluation ends `capacityExceeded`, the step waits ([`Action::WaitCapacity`], until
//! the time [`CapacityRetry`] gives) and then creates a new evaluation of the same prompt; the
//! prompt is never posted again. Any other end without an answer fails the step and stops the
//! run; [`Run::retry_failed`] (a resume) evaluates that prompt again.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// Where a step stands. Each phase says exactly which request may be outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Nothing sent for this step.
    Pending,
    /// The prompt's POST may have been sent; its id is not known yet.
    Posting,
    /// The prompt exists (its id is known); no evaluation is outstanding.
    Posted,
    /// An evaluation's POST may have been sent; its id is not known yet.
    Evaluating,
    /// An evaluation runs (its id is known): follow it to its end.
    Following,
    /// The last evaluation ended `capacityExceeded`: wait, then evaluate the prompt again.
    WaitingForCapacity,
    /// The last evaluation ended with an answer.
    Succeeded,
    /// The last evaluation ended without an answer (other than for capacity).
    Failed,
}

impl Phase {
    /// The name the store and JSON output use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Posting => "posting",
            Self::Posted => "posted",
            Self::Evaluating => "evaluating",
            Self::Following => "following",
            Self::WaitingForCapacity => "waitingForCapacity",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// The phase named `text` (see [`Phase::as_str`]).
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Posting,
            Self::Posted,
            Self::Evaluating,
            Self::Following,
            Self::WaitingForCapacity,
            Self::Succeeded,
            Self::Failed,
        ]
        .into_iter()
        .find(|p| p.as_str() == text)
    }

    /// Whether the step is over (succeeded or failed).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An evaluation as the driver last saw it, in Graph's words (`state`, `result.type`) and with
/// its answer text. Kept as text so the machine needs no Graph types and the store keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Seen {
    /// Graph's `state`: `running`, `completed`, …
    pub state: String,
    /// Graph's `result.type`: `success`, `capacityExceeded`, …
    pub result: Option<String>,
    /// The answer (or the service's failure text).
    pub answer: Option<String>,
}

/// What an evaluation's end means for its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Completed with an answer.
    Answered,
    /// Out of capacity: wait and evaluate again.
    CapacityExceeded,
    /// Ended without an answer for any other reason.
    NoAnswer,
}

impl Seen {
    /// How an evaluation that has settled ended.
    pub fn verdict(&self) -> Verdict {
        match (self.state.as_str(), self.result.as_deref()) {
            ("completed", Some("success")) => Verdict::Answered,
            (_, Some("capacityExceeded")) => Verdict::CapacityExceeded,
            _ => Verdict::NoAnswer,
        }
    }
}

/// One question of a run and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The question exactly as it is (or was) sent.
    pub question: String,
    pub phase: Phase,
    /// The prompt Graph made for it, once known.
    pub prompt_id: Option<String>,
    /// The latest evaluation of that prompt, once known.
    pub evaluation_id: Option<String>,
    /// How many evaluations were created for the prompt (more than one after capacity waits or
    /// a retried failure).
    pub evaluations: u32,
    /// When the step's prompt was first sent.
    pub started_at: Option<Timestamp>,
    /// When its last evaluation ended (succeeded or failed).
    pub completed_at: Option<Timestamp>,
    /// When a capacity wait ends.
    pub retry_at: Option<Timestamp>,
    /// The latest evaluation as last seen.
    pub last: Option<Seen>,
}

impl Step {
    /// A step not started yet.
    pub fn new(question: impl Into<String>) -> Self {
        Self {
            question: question.into(),
            phase: Phase::Pending,
            prompt_id: None,
            evaluation_id: None,
            evaluations: 0,
            started_at: None,
            completed_at: None,
            retry_at: None,
            last: None,
        }
    }

    /// Whether the ids this step holds fit its phase (a restored step is checked with this).
    fn is_consistent(&self) -> bool {
        let prompt = self.prompt_id.is_some();
        let evaluation = self.evaluation_id.is_some();
        match self.phase {
            Phase::Pending | Phase::Posting => !prompt,
            Phase::Posted | Phase::Evaluating => prompt,
            Phase::Following | Phase::Succeeded | Phase::Failed => prompt && evaluation,
            Phase::WaitingForCapacity => prompt && self.retry_at.is_some(),
        }
    }
}

/// How long a step waits after its evaluation ran out of capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapacityRetry {
    /// Until the next hour begins (UTC), when Security Copilot's capacity renews.
    #[default]
    NextHour,
    /// A fixed time after the evaluation ended.
    After(Duration),
}

impl CapacityRetry {
    /// When to evaluate again after an evaluation ended at `ended`.
    pub fn retry_at(self, ended: Timestamp) -> Timestamp {
        match self {
            Self::NextHour => {
                let hour = 3600;
                let next = (ended.as_second().div_euclid(hour) + 1) * hour;
                Timestamp::from_second(next).unwrap_or(ended)
            }
            Self::After(wait) => {
                let wait = SignedDuration::try_from(wait).unwrap_or(SignedDuration::MAX);
                ended.saturating_add(wait).unwrap_or(Timestamp::MAX)
            }
        }
    }

    /// The text the store keeps: `next-hour`, or seconds such as `90s`.
    pub fn to_text(self) -> String {
        match self {
            Self::NextHour => "next-hour".into(),
            Self::After(d) => format!("{}s", d.as_secs()),
        }
    }

    /// Reads [`CapacityRetry::to_text`].
    pub fn from_text(text: &str) -> Option<Self> {
        if text == "next-hour" {
            return Some(Self::NextHour);
        }
        let secs = text.strip_suffix('s')?.parse::<u64>().ok()?;
        Some(Self::After(Duration::from_secs(secs)))
    }
}

/// The session a run asks its questions in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSession {
    /// Its id, once it exists (given, or created by the run).
    pub id: Option<String>,
    /// Its display name (the name a new session is created with).
    pub display_name: String,
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create the run's session with this name; answer [`Outcome::SessionCreated`].
    CreateSession { display_name: String },
    /// Post the step's question as a new prompt; answer [`Outcome::PromptPosted`].
    PostPrompt { step: usize, content: String },
    /// A POST of this step's question may have reached Graph unrecorded: list the session's
    /// prompts and look for one with exactly this content, created no earlier than `not_before`
    /// and not one of `claimed` (the other steps' prompts); answer [`Outcome::PromptFound`].
    FindPrompt {
        step: usize,
        content: String,
        not_before: Option<Timestamp>,
        claimed: Vec<String>,
    },
    /// Start an evaluation of the step's prompt; answer [`Outcome::EvaluationCreated`].
    CreateEvaluation { step: usize, prompt_id: String },
    /// An evaluation's POST may have reached Graph unrecorded: list the prompt's evaluations and
    /// take the newest unless it is `previous` (the one known before); answer
    /// [`Outcome::EvaluationFound`].
    FindEvaluation {
        step: usize,
        prompt_id: String,
        previous: Option<String>,
    },
    /// Poll the evaluation until it settles; answer [`Outcome::Progress`] along the way and
    /// [`Outcome::Settled`] at the end.
    Follow {
        step: usize,
        prompt_id: String,
        evaluation_id: String,
    },
    /// Wait until `until` (show the countdown); answer [`Outcome::CapacityWaited`].
    WaitCapacity { step: usize, until: Timestamp },
    /// Nothing left to do.
    Done(Ending),
}

impl Action {
    /// The step this action is about, if any.
    pub fn step(&self) -> Option<usize> {
        match self {
            Self::PostPrompt { step, .. }
            | Self::FindPrompt { step, .. }
            | Self::CreateEvaluation { step, .. }
            | Self::FindEvaluation { step, .. }
            | Self::Follow { step, .. }
            | Self::WaitCapacity { step, .. } => Some(*step),
            Self::CreateSession { .. } | Self::Done(_) => None,
        }
    }

    /// Whether the action sends a request that creates something on the service.
    pub fn creates(&self) -> bool {
        matches!(
            self,
            Self::CreateSession { .. } | Self::PostPrompt { .. } | Self::CreateEvaluation { .. }
        )
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every step has its answer.
    Succeeded,
    /// This step (0-based) ended without an answer; the steps after it were not run.
    Failed { step: usize },
}

/// What the driver reports back after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    SessionCreated {
        id: String,
    },
    PromptPosted {
        step: usize,
        prompt_id: String,
    },
    /// The prompt a [`Action::FindPrompt`] found, or `None`: the POST never arrived, so posting
    /// again is safe.
    PromptFound {
        step: usize,
        prompt_id: Option<String>,
    },
    EvaluationCreated {
        step: usize,
        evaluation_id: String,
    },
    /// The evaluation a [`Action::FindEvaluation`] found, or `None` (create one).
    EvaluationFound {
        step: usize,
        evaluation_id: Option<String>,
    },
    /// The evaluation still runs; this is how it looks now.
    Progress {
        step: usize,
        seen: Seen,
    },
    /// The evaluation settled at `at` (the driver's clock).
    Settled {
        step: usize,
        seen: Seen,
        at: Timestamp,
    },
    CapacityWaited {
        step: usize,
    },
}

impl Outcome {
    fn step(&self) -> Option<usize> {
        match self {
            Self::SessionCreated { .. } => None,
            Self::PromptPosted { step, .. }
            | Self::PromptFound { step, .. }
            | Self::EvaluationCreated { step, .. }
            | Self::EvaluationFound { step, .. }
            | Self::Progress { step, .. }
            | Self::Settled { step, .. }
            | Self::CapacityWaited { step } => Some(*step),
        }
    }
}

/// An outcome that does not fit the run: a driver bug, never a user's doing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("step {step} does not exist")]
    NoSuchStep { step: usize },
    #[error("step {step} is {phase}: {outcome} does not apply")]
    Unexpected {
        step: usize,
        phase: Phase,
        outcome: &'static str,
    },
    #[error("the run's session exists already")]
    SessionExists,
}

/// A saved run that cannot be restored as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error("step {step} is {phase} but its ids do not fit that")]
    Inconsistent { step: usize, phase: Phase },
    #[error("a run has at least one step")]
    NoSteps,
}

/// Where a whole run stands, for lists and exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Work remains and nothing says it stopped.
    Running,
    /// A step waits for capacity until this time.
    WaitingForCapacity(Timestamp),
    /// Work remains and the driver stopped (Ctrl-C, a network failure); resume finishes it.
    Interrupted,
    Succeeded,
    /// A step ended without an answer.
    Failed {
        step: usize,
    },
}

impl Status {
    /// The name lists and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::WaitingForCapacity(_) => "waitingForCapacity",
            Self::Interrupted => "interrupted",
            Self::Succeeded => "succeeded",
            Self::Failed { .. } => "failed",
        }
    }
}

/// Questions asked in order in one session: the state machine (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    session: RunSession,
    steps: Vec<Step>,
    capacity: CapacityRetry,
    /// Why the driver last stopped before the end, until work resumes.
    interrupted: Option<String>,
}

impl Run {
    /// A run of `questions` in a new session named `display_name`. `None` when there are no
    /// questions.
    pub fn in_new_session(
        display_name: impl Into<String>,
        questions: impl IntoIterator<Item = String>,
        capacity: CapacityRetry,
    ) -> Option<Self> {
        Self::start(
            RunSession {
                id: None,
                display_name: display_name.into(),
            },
            questions,
            capacity,
        )
    }

    /// A run of `questions` in the existing session `id` (named `display_name`).
    pub fn in_session(
        id: impl Into<String>,
        display_name: impl Into<String>,
        questions: impl IntoIterator<Item = String>,
        capacity: CapacityRetry,
    ) -> Option<Self> {
        Self::start(
            RunSession {
                id: Some(id.into()),
                display_name: display_name.into(),
            },
            questions,
            capacity,
        )
    }

    fn start(
        session: RunSession,
        questions: impl IntoIterator<Item = String>,
        capacity: CapacityRetry,
    ) -> Option<Self> {
        let steps: Vec<Step> = questions.into_iter().map(Step::new).collect();
        (!steps.is_empty()).then_some(Self {
            session,
            steps,
            capacity,
            interrupted: None,
        })
    }

    /// A run as it was saved; each step's ids must fit its phase.
    pub fn restore(
        session: RunSession,
        steps: Vec<Step>,
        capacity: CapacityRetry,
        interrupted: Option<String>,
    ) -> Result<Self, RestoreError> {
        if steps.is_empty() {
            return Err(RestoreError::NoSteps);
        }
        if let Some((step, s)) = steps.iter().enumerate().find(|(_, s)| !s.is_consistent()) {
            return Err(RestoreError::Inconsistent {
                step,
                phase: s.phase,
            });
        }
        Ok(Self {
            session,
            steps,
            capacity,
            interrupted,
        })
    }

    /// The session the questions are asked in.
    pub fn session(&self) -> &RunSession {
        &self.session
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// How capacity waits are timed.
    pub fn capacity(&self) -> CapacityRetry {
        self.capacity
    }

    /// Times capacity waits from now on another way (a resume with `--retry-capacity-after`).
    pub fn set_capacity(&mut self, capacity: CapacityRetry) {
        self.capacity = capacity;
    }

    /// Why the driver stopped early, while the run is stopped.
    pub fn interrupted(&self) -> Option<&str> {
        self.interrupted.as_deref()
    }

    /// What to do next: the first unfinished step decides (steps run strictly in order).
    pub fn next_action(&self) -> Action {
        if self.session.id.is_none() {
            return Action::CreateSession {
                display_name: self.session.display_name.clone(),
            };
        }
        for (index, step) in self.steps.iter().enumerate() {
            let prompt_id = || step.prompt_id.clone().unwrap_or_default();
            return match step.phase {
                Phase::Succeeded => continue,
                Phase::Failed => Action::Done(Ending::Failed { step: index }),
                Phase::Pending => Action::PostPrompt {
                    step: index,
                    content: step.question.clone(),
                },
                Phase::Posting => Action::FindPrompt {
                    step: index,
                    content: step.question.clone(),
                    not_before: step.started_at,
                    claimed: self
                        .steps
                        .iter()
                        .enumerate()
                        .filter(|(other, _)| *other != index)
                        .filter_map(|(_, s)| s.prompt_id.clone())
                        .collect(),
                },
                Phase::Posted => Action::CreateEvaluation {
                    step: index,
                    prompt_id: prompt_id(),
                },
                Phase::Evaluating => Action::FindEvaluation {
                    step: index,
                    prompt_id: prompt_id(),
                    previous: step.evaluation_id.clone(),
                },
                Phase::Following => Action::Follow {
                    step: index,
                    prompt_id: prompt_id(),
                    evaluation_id: step.evaluation_id.clone().unwrap_or_default(),
                },
                Phase::WaitingForCapacity => Action::WaitCapacity {
                    step: index,
                    until: step.retry_at.unwrap_or(Timestamp::UNIX_EPOCH),
                },
            };
        }
        Action::Done(Ending::Succeeded)
    }

    /// Marks what `action` may send, at `now`, before it is sent: the driver saves the run after
    /// this and only then executes the action.
    pub fn begin(&mut self, action: &Action, now: Timestamp) {
        self.interrupted = None;
        match action {
            Action::PostPrompt { step, .. } => {
                if let Some(s) = self.steps.get_mut(*step)
                    && s.phase == Phase::Pending
                {
                    s.phase = Phase::Posting;
                    s.started_at.get_or_insert(now);
                }
            }
            Action::CreateEvaluation { step, .. } => {
                if let Some(s) = self.steps.get_mut(*step)
                    && s.phase == Phase::Posted
                {
                    s.phase = Phase::Evaluating;
                }
            }
            _ => {}
        }
    }

    /// Records what came back from an action.
    pub fn apply(&mut self, outcome: Outcome) -> Result<(), ApplyError> {
        let Some(index) = outcome.step() else {
            let Outcome::SessionCreated { id } = outcome else {
                unreachable!("only SessionCreated has no step")
            };
            if self.session.id.is_some() {
                return Err(ApplyError::SessionExists);
            }
            self.session.id = Some(id);
            return Ok(());
        };
        let capacity = self.capacity;
        let step = self
            .steps
            .get_mut(index)
            .ok_or(ApplyError::NoSuchStep { step: index })?;
        let unexpected = |step: &Step, outcome: &'static str| ApplyError::Unexpected {
            step: index,
            phase: step.phase,
            outcome,
        };
        match outcome {
            Outcome::SessionCreated { .. } => unreachable!("handled above"),
            Outcome::PromptPosted { prompt_id, .. } => {
                if step.phase != Phase::Posting {
                    return Err(unexpected(step, "a posted prompt"));
                }
                step.prompt_id = Some(prompt_id);
                step.phase = Phase::Posted;
            }
            Outcome::PromptFound { prompt_id, .. } => {
                if step.phase != Phase::Posting {
                    return Err(unexpected(step, "a found prompt"));
                }
                match prompt_id {
                    Some(id) => {
                        step.prompt_id = Some(id);
                        step.phase = Phase::Posted;
                    }
                    None => step.phase = Phase::Pending,
                }
            }
            Outcome::EvaluationCreated { evaluation_id, .. } => {
                if step.phase != Phase::Evaluating {
                    return Err(unexpected(step, "a created evaluation"));
                }
                step.evaluation_id = Some(evaluation_id);
                step.evaluations += 1;
                step.last = None;
                step.phase = Phase::Following;
            }
            Outcome::EvaluationFound { evaluation_id, .. } => {
                if step.phase != Phase::Evaluating {
                    return Err(unexpected(step, "a found evaluation"));
                }
                match evaluation_id {
                    Some(id) => {
                        step.evaluation_id = Some(id);
                        step.evaluations += 1;
                        step.last = None;
                        step.phase = Phase::Following;
                    }
                    None => step.phase = Phase::Posted,
                }
            }
            Outcome::Progress { seen, .. } => {
                if step.phase != Phase::Following {
                    return Err(unexpected(step, "progress"));
                }
                step.last = Some(seen);
            }
            Outcome::Settled { seen, at, .. } => {
                if step.phase != Phase::Following {
                    return Err(unexpected(step, "a settled evaluation"));
                }
                match seen.verdict() {
                    Verdict::Answered => {
                        step.phase = Phase::Succeeded;
                        step.completed_at = Some(at);
                    }
                    Verdict::CapacityExceeded => {
                        step.phase = Phase::WaitingForCapacity;
                        step.retry_at = Some(capacity.retry_at(at));
                    }
                    Verdict::NoAnswer => {
                        step.phase = Phase::Failed;
                        step.completed_at = Some(at);
                    }
                }
                step.last = Some(seen);
            }
            Outcome::CapacityWaited { .. } => {
                if step.phase != Phase::WaitingForCapacity {
                    return Err(unexpected(step, "the end of a capacity wait"));
                }
                step.retry_at = None;
                step.phase = Phase::Posted;
            }
        }
        Ok(())
    }

    /// Notes that the driver stopped before the end (Ctrl-C, a network failure, following gave
    /// up), and why; the next [`Run::begin`] clears it.
    pub fn interrupt(&mut self, reason: impl Into<String>) {
        if !self.is_finished() {
            self.interrupted = Some(reason.into());
        }
    }

    /// Makes a failed step's prompt be evaluated again (a resume): the prompt is kept, so it is
    /// not posted again. Returns whether a step had failed.
    pub fn retry_failed(&mut self) -> bool {
        match self.steps.iter_mut().find(|s| s.phase == Phase::Failed) {
            Some(step) => {
                step.phase = Phase::Posted;
                step.completed_at = None;
                step.last = None;
                true
            }
            None => false,
        }
    }

    /// Whether nothing is left to do.
    pub fn is_finished(&self) -> bool {
        matches!(self.next_action(), Action::Done(_))
    }

    /// Where the run stands as a whole.
    pub fn status(&self) -> Status {
        match self.next_action() {
            Action::Done(Ending::Succeeded) => Status::Succeeded,
            Action::Done(Ending::Failed { step }) => Status::Failed { step },
            _ if self.interrupted.is_some() => Status::Interrupted,
            Action::WaitCapacity { until, .. } => Status::WaitingForCapacity(until),
            _ => Status::Running,
        }
    }

    /// How many steps have their answer.
    pub fn succeeded_steps(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| s.phase == Phase::Succeeded)
            .count()
    }
}

#[cfg(test)]
mod tests;
