//! Every evaluation the store has seen (a question run again has several), so `sctui stats` can
//! answer from the disk alone.

use jiff::Timestamp;
use rusqlite::params;

use crate::StoreError;
use crate::store::Store;

/// One evaluation (one run of a question) as the store keeps it for statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvaluationRecord {
    pub id: String,
    pub session_id: String,
    pub prompt_id: String,
    /// When it was started.
    pub created: Option<Timestamp>,
    /// When it ended (none while it runs).
    pub completed: Option<Timestamp>,
    /// Graph's `state`.
    pub state: String,
    /// Graph's `result.type`, once there is a result.
    pub result_type: Option<String>,
}

fn ms(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| t.as_millisecond())
}

fn time(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

impl Store {
    /// Records evaluations as Graph last showed them (a later sight of the same run wins).
    pub fn put_evaluations(&self, runs: &[EvaluationRecord]) -> Result<(), StoreError> {
        if runs.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO evaluations (id, session_id, prompt_id, created_ms, completed_ms, state, result_type)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (id) DO UPDATE SET created_ms = coalesce(excluded.created_ms, created_ms),
                   completed_ms = excluded.completed_ms, state = excluded.state,
                   result_type = excluded.result_type",
            )?;
            for run in runs {
                upsert.execute(params![
                    run.id,
                    run.session_id,
                    run.prompt_id,
                    ms(run.created),
                    ms(run.completed),
                    run.state,
                    run.result_type
                ])?;
            }
            Ok(())
        })
    }

    /// Every recorded evaluation of a session's questions, newest first (unknown starts last).
    pub fn evaluations_of(&self, session_id: &str) -> Result<Vec<EvaluationRecord>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, session_id, prompt_id, created_ms, completed_ms, state, result_type
                 FROM evaluations WHERE session_id = ?1
                 ORDER BY created_ms IS NULL, created_ms DESC, id",
            )?;
            stmt.query_map([session_id], record)?.collect()
        })
    }

    /// Every recorded evaluation started at or after `since` (all when `None`; runs with no
    /// known start are left out then too), oldest first.
    pub fn evaluations_since(
        &self,
        since: Option<Timestamp>,
    ) -> Result<Vec<EvaluationRecord>, StoreError> {
        let since = ms(since).unwrap_or(i64::MIN);
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, session_id, prompt_id, created_ms, completed_ms, state, result_type
                 FROM evaluations WHERE created_ms >= ?1 ORDER BY created_ms, id",
            )?;
            stmt.query_map([since], record)?.collect()
        })
    }
}

/// A row of `evaluations` (its columns in the order the queries above select them).
fn record(r: &rusqlite::Row<'_>) -> rusqlite::Result<EvaluationRecord> {
    Ok(EvaluationRecord {
        id: r.get(0)?,
        session_id: r.get(1)?,
        prompt_id: r.get(2)?,
        created: time(r.get(3)?),
        completed: time(r.get(4)?),
        state: r.get(5)?,
        result_type: r.get(6)?,
    })
}
