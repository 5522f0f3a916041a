//! Runs (a promptbook, a fork): what was asked, in which session, and each step's prompt and
//! evaluation ids and state, saved as they happen so a run resumes after a crash. Unlike the
//! rest of the store these rows are not a copy of Graph: they are sctui's own record of its work.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Given by the store on [`Store::create_run`]; 0 before.
    pub id: i64,
    /// What kind of run: `promptbook`, `fork`, …
    pub kind: String,
    /// What it runs, for people: the book's name.
    pub title: String,
    /// What it was made from, for a report or a rerun: the book's JSON, or a session id.
    pub source: Option<String>,
    /// Input values as a JSON object.
    pub inputs_json: String,
    pub session_id: Option<String>,
    pub session_name: String,
    /// The run's status as its owner words it (`running`, `succeeded`, …), for lists.
    pub status: String,
    /// Why it stopped early, while it is stopped.
    pub interrupted: Option<String>,
    /// How capacity waits are timed (`next-hour`, `90s`).
    pub capacity_retry: String,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub steps: Vec<RunStepRecord>,
}

/// One step of a stored run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunStepRecord {
    pub question: String,
    /// The step's phase as its owner words it (`pending`, `posting`, `following`, …).
    pub phase: String,
    pub prompt_id: Option<String>,
    pub evaluation_id: Option<String>,
    pub evaluations: u32,
    pub started: Option<Timestamp>,
    pub completed: Option<Timestamp>,
    pub retry_at: Option<Timestamp>,
    /// The latest evaluation's `state`, `result.type` and answer as last seen.
    pub state: Option<String>,
    pub result: Option<String>,
    pub answer: Option<String>,
}

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.as_millisecond())
}

fn time(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

impl Store {
    /// Records a new run with its steps; returns its id.
    pub fn create_run(&self, run: &RunRecord) -> Result<i64, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO runs (kind, title, source, inputs_json, session_id, session_name,
                 status, interrupted, capacity_retry, created_ms, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    run.kind,
                    run.title,
                    run.source,
                    run.inputs_json,
                    run.session_id,
                    run.session_name,
                    run.status,
                    run.interrupted,
                    run.capacity_retry,
                    run.created.as_millisecond(),
                    run.updated.as_millisecond()
                ],
            )?;
            let id = tx.last_insert_rowid();
            write_steps(tx, id, &run.steps)?;
            Ok(id)
        })
    }

    /// Saves a run's current state (its session, status and every step) in one transaction:
    /// what is read back after a crash is one moment of the run, never half of two.
    pub fn save_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE runs SET session_id = ?2, session_name = ?3, status = ?4,
                 interrupted = ?5, capacity_retry = ?6, updated_ms = ?7 WHERE id = ?1",
                params![
                    run.id,
                    run.session_id,
                    run.session_name,
                    run.status,
                    run.interrupted,
                    run.capacity_retry,
                    run.updated.as_millisecond()
                ],
            )?;
            if changed == 0 {
                return Err(rusqlite::Error::QueryReturnedNoRows);
            }
            write_steps(tx, run.id, &run.steps)
        })
    }

    /// One run, if the store has it.
    pub fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        self.with(|conn| {
            let head = conn
                .query_row(&format!("{RUN_COLUMNS} WHERE id = ?1"), [id], read_run)
                .optional()?;
            match head {
                Some(mut run) => {
                    run.steps = read_steps(conn, id)?;
                    Ok(Some(run))
                }
                None => Ok(None),
            }
        })
    }

    /// Every run, newest first, with its steps.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare(&format!("{RUN_COLUMNS} ORDER BY id DESC"))?;
            let mut runs: Vec<RunRecord> = stmt
                .query_map([], read_run)?
                .collect::<rusqlite::Result<_>>()?;
            for run in &mut runs {
                run.steps = read_steps(conn, run.id)?;
            }
            Ok(runs)
        })
    }
}

const RUN_COLUMNS: &str = "SELECT id, kind, title, source, inputs_json, session_id, session_name,
     status, interrupted, capacity_retry, created_ms, updated_ms FROM runs";

fn read_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRecord> {
    Ok(RunRecord {
        id: r.get(0)?,
        kind: r.get(1)?,
        title: r.get(2)?,
        source: r.get(3)?,
        inputs_json: r.get(4)?,
        session_id: r.get(5)?,
        session_name: r.get(6)?,
        status: r.get(7)?,
        interrupted: r.get(8)?,
        capacity_retry: r.get(9)?,
        created: time(Some(r.get(10)?)).unwrap_or(Timestamp::UNIX_EPOCH),
        updated: time(Some(r.get(11)?)).unwrap_or(Timestamp::UNIX_EPOCH),
        steps: Vec::new(),
    })
}

fn read_steps(conn: &rusqlite::Connection, run: i64) -> rusqlite::Result<Vec<RunStepRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT question, phase, prompt_id, evaluation_id, evaluations, started_ms,
         completed_ms, retry_at_ms, state, result, answer
         FROM run_steps WHERE run_id = ?1 ORDER BY position",
    )?;
    stmt.query_map([run], |r| {
        Ok(RunStepRecord {
            question: r.get(0)?,
            phase: r.get(1)?,
            prompt_id: r.get(2)?,
            evaluation_id: r.get(3)?,
            evaluations: r.get(4)?,
            started: time(r.get(5)?),
            completed: time(r.get(6)?),
            retry_at: time(r.get(7)?),
            state: r.get(8)?,
            result: r.get(9)?,
            answer: r.get(10)?,
        })
    })?
    .collect()
}

fn write_steps(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    steps: &[RunStepRecord],
) -> rusqlite::Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO run_steps (run_id, position, question, phase, prompt_id, evaluation_id,
         evaluations, started_ms, completed_ms, retry_at_ms, state, result, answer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (run_id, position) DO UPDATE SET question = excluded.question,
         phase = excluded.phase, prompt_id = excluded.prompt_id,
         evaluation_id = excluded.evaluation_id, evaluations = excluded.evaluations,
         started_ms = excluded.started_ms, completed_ms = excluded.completed_ms,
         retry_at_ms = excluded.retry_at_ms, state = excluded.state, result = excluded.result,
         answer = excluded.answer",
    )?;
    for (position, step) in steps.iter().enumerate() {
        upsert.execute(params![
            run,
            position as i64,
            step.question,
            step.phase,
            step.prompt_id,
            step.evaluation_id,
            step.evaluations,
            ms(step.started),
            ms(step.completed),
            ms(step.retry_at),
            step.state,
            step.result,
            step.answer
        ])?;
    }
    tx.prepare_cached("DELETE FROM run_steps WHERE run_id = ?1 AND position >= ?2")?
        .execute(params![run, steps.len() as i64])?;
    Ok(())
}

/// This process's claim on a run: while it lives no other process can claim the run, and the
/// run does not list as left behind. Ends when dropped, or with the process.
#[derive(Debug)]
pub struct RunClaim {
    users: Option<std::sync::Arc<std::fs::File>>,
    id: i64,
}

impl Drop for RunClaim {
    fn drop(&mut self) {
        if let Some(users) = &self.users {
            crate::users::release_run(users, self.id);
        }
    }
}

impl Store {
    /// Claims run `id` for this process, to drive it: refused while another process drives it
    /// ([`StoreError::RunInUse`]). Advisory: without a lock file (a read-only folder) it is
    /// granted.
    pub fn claim_run(&self, id: i64) -> Result<RunClaim, StoreError> {
        if let Some(users) = &self.users {
            crate::users::claim_run(users, id).map_err(|pid| StoreError::RunInUse { id, pid })?;
        }
        Ok(RunClaim {
            users: self.users.clone(),
            id,
        })
    }

    /// Whether another process is driving run `id` now: a run saved as running that no process
    /// drives was left behind by one that ended (killed, crashed) and waits for a resume.
    pub fn run_driven_elsewhere(&self, id: i64) -> bool {
        self.users
            .as_ref()
            .is_some_and(|users| crate::users::run_claimed_elsewhere(users, id))
    }
}
