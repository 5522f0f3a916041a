//! Drives a [`Run`] (questions asked in order in one session) against Graph: executes each
//! action the run asks for and saves the run before the request leaves and after its answer, so
//! a run stopped anywhere (Ctrl-C, a crash, a lost network) resumes without posting a prompt
//! twice. Shared by `sctui promptbook run`/`resume`, batches, and anything else built on runs.
//!
//! Time comes from a [`Timer`], so tests move a clock instead of sleeping through a capacity
//! wait; a [`CapacityGate`] makes one run's capacity wait pause every run of a batch.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use sctui_graph::conversation::{self, FollowError, PollPlan};
use sctui_graph::models::Evaluation;
use sctui_graph::{GraphClient, GraphError};
use sctui_runs::{Action, ApplyError, CapacityRetry, Ending, Outcome, Phase, Run, Seen, Step};
use sctui_store::{RunRecord, RunStepRecord, Store, StoreError};

/// The driver's "now" and its way to wait.
#[derive(Clone)]
pub struct Timer {
    now: Arc<dyn Fn() -> Timestamp + Send + Sync>,
    sleep: Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>,
}

impl Timer {
    /// The wall clock and tokio's sleep.
    pub fn system() -> Self {
        Self {
            now: Arc::new(Timestamp::now),
            sleep: Arc::new(|d| Box::pin(tokio::time::sleep(d))),
        }
    }

    /// Any clock and sleep (tests: a sleep that moves a fake clock).
    pub fn new(
        now: impl Fn() -> Timestamp + Send + Sync + 'static,
        sleep: impl Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync + 'static,
    ) -> Self {
        Self {
            now: Arc::new(now),
            sleep: Arc::new(sleep),
        }
    }

    /// Now.
    pub fn now(&self) -> Timestamp {
        (self.now)()
    }

    /// Waits until `until` in steps of at most a second, calling `tick` with the time left
    /// before each step (a countdown).
    async fn wait_until(&self, until: Timestamp, mut tick: impl FnMut(Duration)) {
        loop {
            let left = until.duration_since(self.now());
            let Ok(left) = Duration::try_from(left) else {
                return;
            };
            if left.is_zero() {
                return;
            }
            tick(left);
            (self.sleep)(left.min(Duration::from_secs(1))).await;
        }
    }
}

impl std::fmt::Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Timer")
    }
}

/// Shared by the runs of a batch: while one waits for capacity, none sends a request that
/// would use capacity (a new prompt or evaluation).
#[derive(Debug, Clone, Default)]
pub struct CapacityGate {
    until: Arc<Mutex<Option<Timestamp>>>,
}

impl CapacityGate {
    /// Holds every run's next request that uses capacity until `until` (or later, when a
    /// later pause is set).
    pub fn pause_until(&self, until: Timestamp) {
        let mut paused = self.until.lock().unwrap_or_else(|e| e.into_inner());
        *paused = Some(paused.map_or(until, |p| p.max(until)));
    }

    fn paused_until(&self) -> Option<Timestamp> {
        *self.until.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Where a run is saved as it goes.
pub trait RunLog: Send {
    /// Saves the run as it is now; an error stops the driver (the run is not lost: what was
    /// saved before stands, and nothing more is sent).
    fn save(&mut self, run: &Run) -> Result<(), StoreError>;
}

/// No saving: a run with the store turned off (it cannot be resumed).
#[derive(Debug, Default)]
pub struct Unsaved;

impl RunLog for Unsaved {
    fn save(&mut self, _: &Run) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What a run is, beside its steps: kept with it in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// `promptbook`, `fork`, …
    pub kind: String,
    /// For people: the book's name.
    pub title: String,
    /// What it was made from (the book's JSON, a session id).
    pub source: Option<String>,
    /// Input values, as a JSON object.
    pub inputs_json: String,
    pub created: Timestamp,
}

/// Saves a run in the local store, and holds this process's claim on it while it drives it.
#[derive(Debug)]
pub struct StoredRun {
    store: Arc<Store>,
    info: RunInfo,
    id: i64,
    timer: Timer,
    _claim: sctui_store::RunClaim,
}

impl StoredRun {
    /// Records a new run; its id is [`StoredRun::id`].
    pub fn create(
        store: Arc<Store>,
        info: RunInfo,
        run: &Run,
        timer: Timer,
    ) -> Result<Self, StoreError> {
        let record = record_of(&info, 0, run, timer.now());
        let id = store.create_run(&record)?;
        let claim = store.claim_run(id)?;
        Ok(Self {
            store,
            info,
            id,
            timer,
            _claim: claim,
        })
    }

    /// A run read back from the store, to resume it: refused while another process drives it
    /// ([`StoreError::RunInUse`]), so two resumes never ask the same question twice.
    pub fn open(
        store: Arc<Store>,
        id: i64,
        timer: Timer,
    ) -> Result<Option<(Self, Run)>, OpenError> {
        let Some(record) = store.run(id)? else {
            return Ok(None);
        };
        let claim = store.claim_run(id)?;
        // read again under the claim: the process that held it may have saved since
        let record = store.run(id)?.unwrap_or(record);
        let run = run_of(&record)?;
        let info = info_of(&record);
        Ok(Some((
            Self {
                store,
                info,
                id,
                timer,
                _claim: claim,
            },
            run,
        )))
    }

    /// The run's id in the store.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// What the run is.
    pub fn info(&self) -> &RunInfo {
        &self.info
    }
}

impl RunLog for StoredRun {
    fn save(&mut self, run: &Run) -> Result<(), StoreError> {
        self.store
            .save_run(&record_of(&self.info, self.id, run, self.timer.now()))
    }
}

/// Why a stored run cannot be resumed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored run is damaged: {0}")]
    Damaged(String),
}

/// A run as the store keeps it.
pub fn record_of(info: &RunInfo, id: i64, run: &Run, now: Timestamp) -> RunRecord {
    RunRecord {
        id,
        kind: info.kind.clone(),
        title: info.title.clone(),
        source: info.source.clone(),
        inputs_json: info.inputs_json.clone(),
        session_id: run.session().id.clone(),
        session_name: run.session().display_name.clone(),
        status: run.status().as_str().to_string(),
        interrupted: run.interrupted().map(str::to_string),
        capacity_retry: run.capacity().to_text(),
        created: info.created,
        updated: now,
        steps: run
            .steps()
            .iter()
            .map(|s| RunStepRecord {
                question: s.question.clone(),
                phase: s.phase.as_str().to_string(),
                prompt_id: s.prompt_id.clone(),
                evaluation_id: s.evaluation_id.clone(),
                evaluations: s.evaluations,
                started: s.started_at,
                completed: s.completed_at,
                retry_at: s.retry_at,
                state: s.last.as_ref().map(|l| l.state.clone()),
                result: s.last.as_ref().and_then(|l| l.result.clone()),
                answer: s.last.as_ref().and_then(|l| l.answer.clone()),
            })
            .collect(),
    }
}

/// What a stored run is, beside its steps.
pub fn info_of(record: &RunRecord) -> RunInfo {
    RunInfo {
        kind: record.kind.clone(),
        title: record.title.clone(),
        source: record.source.clone(),
        inputs_json: record.inputs_json.clone(),
        created: record.created,
    }
}

/// A stored run, back as the state machine.
pub fn run_of(record: &RunRecord) -> Result<Run, OpenError> {
    let damaged = |what: String| OpenError::Damaged(what);
    let steps = record
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let phase = Phase::parse(&s.phase)
                .ok_or_else(|| damaged(format!("step {} has phase {:?}", i + 1, s.phase)))?;
            Ok(Step {
                question: s.question.clone(),
                phase,
                prompt_id: s.prompt_id.clone(),
                evaluation_id: s.evaluation_id.clone(),
                evaluations: s.evaluations,
                started_at: s.started,
                completed_at: s.completed,
                retry_at: s.retry_at,
                last: s.state.as_ref().map(|state| Seen {
                    state: state.clone(),
                    result: s.result.clone(),
                    answer: s.answer.clone(),
                }),
            })
        })
        .collect::<Result<Vec<_>, OpenError>>()?;
    let capacity = CapacityRetry::from_text(&record.capacity_retry).unwrap_or_default();
    Run::restore(
        sctui_runs::RunSession {
            id: record.session_id.clone(),
            display_name: record.session_name.clone(),
        },
        steps,
        capacity,
        record.interrupted.clone(),
    )
    .map_err(|e| damaged(e.to_string()))
}

/// Why the driver stopped before the run's end. The run is saved as interrupted and resumes.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    #[error("{}", sctui_app::advice::graph(.0))]
    Graph(#[from] GraphError),
    #[error("cannot save the run: {0}")]
    Store(#[from] StoreError),
    #[error("step {step} is still running after {after:?}: stopped following it")]
    Deadline { step: usize, after: Duration },
    #[error("the run's state machine refused an answer: {0}")]
    Apply(#[from] ApplyError),
}

/// What the driver tells its watcher, with the run as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The run changed (a step moved on, an evaluation was seen).
    Changed,
    /// Waiting for capacity (this run's, or the batch's): this much time is left.
    Waiting(Duration),
}

/// Executes runs' actions against one Graph client.
#[derive(Clone)]
pub struct Driver {
    pub client: GraphClient,
    /// How evaluations are polled, and how long one is followed before giving up.
    pub plan: PollPlan,
    pub timer: Timer,
    /// Set for the runs of one batch.
    pub gate: Option<CapacityGate>,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver")
            .field("plan", &self.plan)
            .field("gate", &self.gate)
            .finish_non_exhaustive()
    }
}

/// How far back from a step's start a prompt found after a crash may have been created (clocks
/// of this machine and the service differ).
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

impl Driver {
    /// A driver on the wall clock, alone (no batch).
    pub fn new(client: GraphClient, plan: PollPlan) -> Self {
        Self {
            client,
            plan,
            timer: Timer::system(),
            gate: None,
        }
    }

    /// Runs `run` to its end, or until something stops it. Saves through `log` before each
    /// request that creates something and after every answer; `watch` hears of every change.
    /// On an error the run is marked interrupted (and saved, when the store still works).
    pub async fn drive(
        &self,
        run: &mut Run,
        log: &mut dyn RunLog,
        watch: &mut (dyn FnMut(&Run, Note) + Send),
    ) -> Result<Ending, DriveError> {
        match self.drive_inner(run, log, watch).await {
            Ok(ending) => Ok(ending),
            Err(error) => {
                run.interrupt(error.to_string());
                if !matches!(error, DriveError::Store(_)) {
                    let _ = log.save(run);
                }
                watch(run, Note::Changed);
                Err(error)
            }
        }
    }

    async fn drive_inner(
        &self,
        run: &mut Run,
        log: &mut dyn RunLog,
        watch: &mut (dyn FnMut(&Run, Note) + Send),
    ) -> Result<Ending, DriveError> {
        loop {
            let action = run.next_action();
            if let Action::Done(ending) = action {
                log.save(run)?;
                return Ok(ending);
            }
            if action.creates() {
                self.wait_for_gate(run, watch).await;
            }
            run.begin(&action, self.timer.now());
            log.save(run)?;
            watch(run, Note::Changed);
            let outcome = self.execute(run, &action, watch).await?;
            run.apply(outcome)?;
            log.save(run)?;
            watch(run, Note::Changed);
        }
    }

    /// Holds a request that uses capacity while the batch waits for capacity.
    async fn wait_for_gate(&self, run: &Run, watch: &mut (dyn FnMut(&Run, Note) + Send)) {
        let Some(gate) = &self.gate else { return };
        while let Some(until) = gate.paused_until() {
            if self.timer.now() >= until {
                return;
            }
            self.timer
                .wait_until(until, |left| watch(run, Note::Waiting(left)))
                .await;
        }
    }

    async fn execute(
        &self,
        run: &Run,
        action: &Action,
        watch: &mut (dyn FnMut(&Run, Note) + Send),
    ) -> Result<Outcome, DriveError> {
        let client = &self.client;
        let session = run.session().id.clone().unwrap_or_default();
        Ok(match action {
            Action::CreateSession { display_name } => Outcome::SessionCreated {
                id: client.create_session(display_name).await?.id,
            },
            Action::PostPrompt { step, content } => Outcome::PromptPosted {
                step: *step,
                prompt_id: client.create_prompt(&session, content).await?.id,
            },
            Action::FindPrompt {
                step,
                content,
                not_before,
                claimed,
            } => {
                let earliest = not_before.and_then(|t| t.checked_sub(CLOCK_SKEW).ok());
                let mut prompts = client.list_prompts(&session).await?;
                prompts.sort_by_key(|p| p.created_date_time.as_ref().and_then(|t| t.instant()));
                let found = prompts.into_iter().find(|p| {
                    p.content.as_deref() == Some(content.as_str())
                        && !claimed.contains(&p.id)
                        && match (
                            earliest,
                            p.created_date_time.as_ref().and_then(|t| t.instant()),
                        ) {
                            (Some(earliest), Some(created)) => created >= earliest,
                            _ => true,
                        }
                });
                Outcome::PromptFound {
                    step: *step,
                    prompt_id: found.map(|p| p.id),
                }
            }
            Action::CreateEvaluation { step, prompt_id } => Outcome::EvaluationCreated {
                step: *step,
                evaluation_id: client.create_evaluation(&session, prompt_id).await?.id,
            },
            Action::FindEvaluation {
                step,
                prompt_id,
                previous,
            } => {
                let evaluations = match client.list_evaluations(&session, prompt_id).await {
                    Ok(list) => list,
                    Err(e) if e.is_not_found() => Vec::new(),
                    Err(e) => return Err(e.into()),
                };
                let newest = conversation::latest(evaluations).map(|e| e.id);
                Outcome::EvaluationFound {
                    step: *step,
                    evaluation_id: newest.filter(|id| Some(id) != previous.as_ref()),
                }
            }
            Action::Follow {
                step,
                prompt_id,
                evaluation_id,
            } => {
                let mut seen_run = run.clone();
                let settled = conversation::follow(
                    client,
                    &session,
                    prompt_id,
                    evaluation_id,
                    self.plan,
                    |evaluation| {
                        if !conversation::is_settled(evaluation) {
                            let progress = Outcome::Progress {
                                step: *step,
                                seen: seen(evaluation),
                            };
                            if seen_run.apply(progress).is_ok() {
                                watch(&seen_run, Note::Changed);
                            }
                        }
                    },
                )
                .await
                .map_err(|e| match e {
                    FollowError::Graph(g) => DriveError::Graph(g),
                    FollowError::Deadline(after) => DriveError::Deadline {
                        step: step + 1,
                        after,
                    },
                })?;
                Outcome::Settled {
                    step: *step,
                    seen: seen(&settled),
                    at: self.timer.now(),
                }
            }
            Action::WaitCapacity { step, until } => {
                if let Some(gate) = &self.gate {
                    gate.pause_until(*until);
                }
                self.timer
                    .wait_until(*until, |left| watch(run, Note::Waiting(left)))
                    .await;
                Outcome::CapacityWaited { step: *step }
            }
            Action::Done(_) => unreachable!("the loop ends on Done"),
        })
    }
}

/// An evaluation as the run machine keeps it.
fn seen(evaluation: &Evaluation) -> Seen {
    Seen {
        state: evaluation.state.as_str().to_string(),
        result: evaluation
            .result
            .as_ref()
            .map(|r| r.result_type.as_str().to_string()),
        answer: evaluation.result.as_ref().and_then(|r| r.content.clone()),
    }
}
