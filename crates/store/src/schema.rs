//! The schema, as a list of migrations: `user_version` counts how many have run, so an older file
//! is brought forward step by step and a newer one is recognised (and set aside, never misread).

use rusqlite::{Connection, TransactionBehavior};

/// Marks a database as sctui's (`PRAGMA application_id`, "SCTU"): anything else is foreign.
pub const APPLICATION_ID: i32 = 0x5343_5455;

/// Each entry moves the schema one version forward; never edit one that has shipped, add another.
///
/// The full-text index uses `unicode61` with no extra token characters: `T1059.001`,
/// `CVE-2024-3400`, `10.0.0.1` and `has_any` are indexed as their parts, and a query term is
/// searched as a phrase of its parts (see `query.rs`), so each is found exactly as typed, even
/// at the end of a sentence (`…T1059.001.`) where extra token characters would glue the full stop
/// on. Row ids: a turn's id for a question and answer, minus the session's key for a name.
pub const MIGRATIONS: &[&str] = &[
    // 1: sessions, turns, the full-text index, and small facts about the list.
    "CREATE TABLE meta (
         key TEXT PRIMARY KEY,
         value TEXT NOT NULL
     ) STRICT;
     CREATE TABLE sessions (
         key INTEGER PRIMARY KEY,
         id TEXT NOT NULL UNIQUE,
         display_name TEXT,
         created TEXT,
         modified TEXT,
         modified_ms INTEGER,
         seen_ms INTEGER NOT NULL,
         conversation_ms INTEGER,
         conversation_modified TEXT,
         conversation_settled INTEGER NOT NULL DEFAULT 0
     ) STRICT;
     CREATE INDEX sessions_by_modified ON sessions (modified_ms DESC);
     CREATE TABLE turns (
         id INTEGER PRIMARY KEY,
         session_key INTEGER NOT NULL REFERENCES sessions (key) ON DELETE CASCADE,
         position INTEGER NOT NULL,
         prompt_id TEXT NOT NULL,
         prompt_json TEXT NOT NULL,
         evaluation_json TEXT,
         UNIQUE (session_key, position)
     ) STRICT;
     CREATE VIRTUAL TABLE search USING fts5 (
         name, question, answer,
         session_key UNINDEXED, at UNINDEXED,
         tokenize = 'unicode61 remove_diacritics 2'
     );",
    // 2: every evaluation seen (for `sctui stats`), and the workspace's plugins (for --offline).
    "CREATE TABLE evaluations (
         id TEXT PRIMARY KEY,
         session_id TEXT NOT NULL,
         prompt_id TEXT NOT NULL,
         created_ms INTEGER,
         completed_ms INTEGER,
         state TEXT NOT NULL,
         result_type TEXT
     ) STRICT;
     CREATE INDEX evaluations_by_created ON evaluations (created_ms);
     CREATE INDEX evaluations_by_session ON evaluations (session_id);
     CREATE TABLE plugins (
         name TEXT PRIMARY KEY,
         position INTEGER NOT NULL,
         plugin_json TEXT NOT NULL
     ) STRICT;",
    // 3: runs (a promptbook, a fork) and their steps, saved as they happen so a run resumes.
    "CREATE TABLE runs (
         id INTEGER PRIMARY KEY,
         kind TEXT NOT NULL,
         title TEXT NOT NULL,
         source TEXT,
         inputs_json TEXT NOT NULL,
         session_id TEXT,
         session_name TEXT NOT NULL,
         status TEXT NOT NULL,
         interrupted TEXT,
         capacity_retry TEXT NOT NULL,
         created_ms INTEGER NOT NULL,
         updated_ms INTEGER NOT NULL
     ) STRICT;
     CREATE TABLE run_steps (
         run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
         position INTEGER NOT NULL,
         question TEXT NOT NULL,
         phase TEXT NOT NULL,
         prompt_id TEXT,
         evaluation_id TEXT,
         evaluations INTEGER NOT NULL DEFAULT 0,
         started_ms INTEGER,
         completed_ms INTEGER,
         retry_at_ms INTEGER,
         state TEXT,
         result TEXT,
         answer TEXT,
         PRIMARY KEY (run_id, position)
     ) STRICT;",
];

/// The schema version this build writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Runs the migrations `conn` has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from.max(0) as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // another process may have migrated while we waited for the write lock
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now > index as i64 {
            tx.commit()?;
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
