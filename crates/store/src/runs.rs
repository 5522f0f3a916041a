//! What the store keeps beyond conversations: every evaluation seen (a question run again has
//! several), so `sctui stats` can answer from the disk alone, and the workspace's plugins as last
//! listed, for `--offline`.

use jiff::Timestamp;
use rusqlite::params;

use crate::StoreError;
use crate::store::{Store, get_meta, set_meta};

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

/// One plugin as Graph listed it (JSON, settings' values already dropped by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRecord {
    pub name: String,
    pub json: String,
}

/// The plugins as last listed, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlugins {
    /// In the order Graph listed them.
    pub plugins: Vec<PluginRecord>,
    pub listed: Timestamp,
}

const META_PLUGINS_LISTED: &str = "plugins_listed_ms";

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
            stmt.query_map([since], |r| {
                Ok(EvaluationRecord {
                    id: r.get(0)?,
                    session_id: r.get(1)?,
                    prompt_id: r.get(2)?,
                    created: time(r.get(3)?),
                    completed: time(r.get(4)?),
                    state: r.get(5)?,
                    result_type: r.get(6)?,
                })
            })?
            .collect()
        })
    }

    /// Replaces the stored plugins with a complete listing made `now`.
    pub fn put_plugins(&self, plugins: &[PluginRecord], now: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM plugins", [])?;
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO plugins (name, position, plugin_json) VALUES (?1, ?2, ?3)",
            )?;
            for (position, plugin) in plugins.iter().enumerate() {
                insert.execute(params![plugin.name, position as i64, plugin.json])?;
            }
            set_meta(tx, META_PLUGINS_LISTED, now.as_millisecond())
        })
    }

    /// The plugins as last listed; `None` when they never were.
    pub fn plugins(&self) -> Result<Option<StoredPlugins>, StoreError> {
        self.with(|conn| {
            let Some(listed) = get_meta(conn, META_PLUGINS_LISTED)? else {
                return Ok(None);
            };
            let mut stmt =
                conn.prepare_cached("SELECT name, plugin_json FROM plugins ORDER BY position")?;
            let plugins = stmt
                .query_map([], |r| {
                    Ok(PluginRecord {
                        name: r.get(0)?,
                        json: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(StoredPlugins { plugins, listed }))
        })
    }
}
