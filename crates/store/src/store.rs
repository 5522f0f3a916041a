//! The store's reads and writes. Writes take the write lock up front (`BEGIN IMMEDIATE`) so two
//! processes wait for each other (busy timeout) instead of failing halfway.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::StoreError;
use crate::search::{HIGHLIGHT_END, HIGHLIGHT_START};

/// One SQLite connection to one store file. `Sync`: share it with an `Arc`; calls take turns.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    /// Searches' own read-only connection, opened by the first search.
    searcher: Mutex<Option<Connection>>,
    path: PathBuf,
    /// Makes server text fit for the index (see [`Store::cleaning_index_with`]).
    clean: Cleaner,
    /// The store's lock file, with this process's shared lock on it while the store is open
    /// (and its claims on runs: [`Store::claim_run`]).
    pub(crate) users: Option<std::sync::Arc<std::fs::File>>,
    /// How the file was opened, and so whether it may be written ([`Store::access`]).
    mode: crate::open::Mode,
    /// The file that was opened (device and inode): when `path` no longer names it, the store
    /// was cleared or moved aside and nothing more is written. A new file when a damaged one
    /// was set aside.
    identity: Mutex<Option<(u64, u64)>>,
    /// How many damaged files were set aside under this store: a search that met damage on a
    /// connection to a file already set aside has nothing more to set aside.
    generation: AtomicU64,
}

/// Which file `path` names now (device and inode), if it exists.
fn identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| (0, 0))
    }
}

/// Turns server text into the text the index keeps.
pub type Cleaner = fn(&str) -> String;

fn unchanged(text: &str) -> String {
    text.to_string()
}

/// A session as the list shows it, with Graph's exact timestamp text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub display_name: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

/// A stored session's columns, borrowed from the row being read ([`Store::sessions_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRow<'a> {
    pub id: &'a str,
    pub display_name: Option<&'a str>,
    pub created: Option<&'a str>,
    pub modified: Option<&'a str>,
}

/// One question and its latest evaluation, as Graph sent them (JSON), plus the text to index.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnRecord {
    pub prompt_id: String,
    pub prompt_json: String,
    pub evaluation_json: Option<String>,
    /// The question, indexed for search.
    pub question: Option<String>,
    /// The answer's text as a reader sees it (not its Markdown source), indexed for search.
    pub answer: Option<String>,
    /// When the question was asked, for ranking equal matches newest first.
    pub asked: Option<Timestamp>,
}

/// One stored turn, as Graph sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTurn {
    pub prompt_json: String,
    pub evaluation_json: Option<String>,
}

/// A stored conversation and what is known about its freshness.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    pub turns: Vec<StoredTurn>,
    /// When it was fetched from Graph.
    pub stored: Timestamp,
    /// The session's `lastModifiedDateTime` at that time.
    pub session_modified: Option<String>,
    /// Whether every evaluation had ended then (a running one will change).
    pub settled: bool,
}

/// What the list header says about the stored list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListInfo {
    /// Sessions known to the store.
    pub known: usize,
    /// When a page of the list was last stored.
    pub updated: Option<Timestamp>,
    /// When a listing last reached its end (so the store held every session then).
    pub complete: Option<Timestamp>,
}

/// `sctui store stats`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    pub path: PathBuf,
    /// The database plus its WAL, in bytes.
    pub bytes: u64,
    pub sessions: u64,
    pub conversations: u64,
    pub turns: u64,
    pub schema_version: i64,
    /// When the list was last complete (RFC 3339).
    pub list_complete: Option<String>,
}

const META_LIST_UPDATED: &str = "list_updated_ms";
const META_LIST_COMPLETE: &str = "list_complete_ms";

impl Store {
    pub(crate) fn from_connection(
        conn: Connection,
        path: PathBuf,
        mode: crate::open::Mode,
    ) -> Self {
        Self {
            conn: Mutex::new(conn),
            searcher: Mutex::new(None),
            users: crate::users::hold(&path, mode.access()).map(std::sync::Arc::new),
            identity: Mutex::new(identity(&path)),
            generation: AtomicU64::new(0),
            mode,
            path,
            clean: unchanged,
        }
    }

    /// Passes every name, question and answer through `clean` before it is indexed (the app's
    /// sanitiser: the index, and so every snippet, then holds only text a terminal may show, and
    /// a snippet's window can never start inside an escape sequence the display would drop).
    pub fn cleaning_index_with(mut self, clean: Cleaner) -> Self {
        self.clean = clean;
        self
    }

    /// Whether this store may be written (decided when it opened): a read-only one serves reads
    /// and searches and refuses every write ([`StoreError::ReadOnly`]).
    pub fn access(&self) -> crate::Access {
        self.mode.access()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection, naming this file in any error. Damage it meets sets the file
    /// aside ([`StoreError::SetAside`]).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = lock(&self.conn);
        match f(&mut conn) {
            Ok(out) => Ok(out),
            Err(e) if crate::open::is_damage(&e) => Err(self.start_over(&mut conn, e)),
            Err(e) => Err(StoreError::sqlite(&self.path, e)),
        }
    }

    /// Runs `f` on the searches' connection (opened on first use), naming this file in any error.
    /// Damage it meets sets the file aside ([`StoreError::SetAside`]).
    pub(crate) fn with_searcher<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let result = {
            let mut searcher = lock(&self.searcher);
            match &mut *searcher {
                Some(conn) => f(conn),
                None => crate::open::reader(&self.path, self.mode)
                    .and_then(|conn| f(searcher.insert(conn))),
            }
        };
        match result {
            Ok(out) => Ok(out),
            // the searcher is let go first: setting the file aside closes it
            Err(e) if crate::open::is_damage(&e) => {
                let mut conn = lock(&self.conn);
                if self.generation.load(Ordering::SeqCst) != generation {
                    return Err(StoreError::sqlite(&self.path, e));
                }
                Err(self.start_over(&mut conn, e))
            }
            Err(e) => Err(StoreError::sqlite(&self.path, e)),
        }
    }

    /// Damage inside the file showed (`cause`): closes this store's connections to it, sets it
    /// aside and carries on in a new file at the same path, `conn` its connection. Returns what
    /// to tell the user. A read-only store cannot be set aside; one that another process set
    /// aside (or cleared) already is gone for this one.
    fn start_over(&self, conn: &mut Connection, cause: rusqlite::Error) -> StoreError {
        let reason = crate::BadFile::Corrupt(cause.to_string());
        let path = self.path.clone();
        if self.access() == crate::Access::ReadOnly {
            return StoreError::ReadOnlyUnusable {
                path,
                reason: reason.to_string(),
            };
        }
        let mut opened = lock(&self.identity);
        if identity(&path) != *opened {
            return StoreError::Gone { path };
        }
        *lock(&self.searcher) = None;
        match Connection::open_in_memory() {
            Ok(placeholder) => drop(std::mem::replace(conn, placeholder)),
            Err(e) => return StoreError::sqlite(&path, e),
        }
        match crate::open::start_over(&path, reason) {
            Ok((fresh, recovered)) => {
                *conn = fresh;
                *opened = identity(&path);
                self.generation.fetch_add(1, Ordering::SeqCst);
                StoreError::SetAside(recovered)
            }
            Err(e) => e,
        }
    }

    /// Runs `f` in a write transaction taken up front (`BEGIN IMMEDIATE`).
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        if self.access() == crate::Access::ReadOnly {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        // never into a file that was deleted or moved under us: no one would read it again
        let opened = *lock(&self.identity);
        if opened.is_some() && identity(&self.path) != opened {
            return Err(StoreError::Gone {
                path: self.path.clone(),
            });
        }
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Every stored session, most recently modified first (unknown times last, then the most
    /// recently stored first).
    pub fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.sessions_with(|row| SessionRecord {
            id: row.id.to_string(),
            display_name: row.display_name.map(str::to_string),
            created: row.created.map(str::to_string),
            modified: row.modified.map(str::to_string),
        })
    }

    /// [`Store::sessions`], each made by `make` from the row as it is read (borrowed, nothing
    /// copied that `make` does not keep).
    ///
    /// Why: the TUI keeps only the id and name of each session as text (times are parsed), and
    /// 100,000 rows read into owned records first left every time string's freed memory wedged
    /// between the kept ones, where the allocator cannot give it back (≈ 10 MB of RSS).
    ///
    /// The table is read in storage order and sorted here: walking the time index instead looks
    /// every row up by key and sorts again for ties, about half the start-up budget for 10,000
    /// sessions (the TUI's first frame waits on this).
    pub fn sessions_with<T>(
        &self,
        mut make: impl FnMut(SessionRow<'_>) -> T,
    ) -> Result<Vec<T>, StoreError> {
        self.with(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT modified_ms, key, id, display_name, created, modified FROM sessions",
            )?;
            let mut rows = stmt.query([])?;
            let mut out: Vec<(Option<i64>, i64, T)> = Vec::new();
            while let Some(r) = rows.next()? {
                let text = |i: usize| -> rusqlite::Result<Option<&str>> {
                    match r.get_ref(i)? {
                        ValueRef::Null => Ok(None),
                        value => value.as_str().map(Some).map_err(|e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                i,
                                value.data_type(),
                                e.into(),
                            )
                        }),
                    }
                };
                let row = SessionRow {
                    id: text(2)?.unwrap_or(""),
                    display_name: text(3)?,
                    created: text(4)?,
                    modified: text(5)?,
                };
                out.push((r.get(0)?, r.get(1)?, make(row)));
            }
            // newest first with unknown times last (`None` sorts below every time), then key
            out.sort_unstable_by_key(|row| std::cmp::Reverse((row.0, row.1)));
            Ok(out.into_iter().map(|(_, _, made)| made).collect())
        })
    }

    /// Stores sessions as Graph listed them (a page, a rename, a create), seen `now`.
    pub fn put_sessions(
        &self,
        sessions: &[SessionRecord],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let now_ms = now.as_millisecond();
        let clean = self.clean;
        self.write(|tx| {
            for session in sessions {
                upsert_session(tx, session, now_ms, clean)?;
            }
            set_meta(tx, META_LIST_UPDATED, now_ms)
        })
    }

    /// A listing that began at `started` reached its last page: sessions it did not see are gone
    /// from Graph and leave the store. Returns their ids.
    pub fn finish_listing(&self, started: Timestamp) -> Result<Vec<String>, StoreError> {
        let started_ms = started.as_millisecond();
        self.write(|tx| {
            let gone: Vec<(i64, String)> = {
                let mut stmt = tx.prepare("SELECT key, id FROM sessions WHERE seen_ms < ?1")?;
                let rows = stmt.query_map([started_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for (key, _) in &gone {
                delete_session(tx, *key)?;
            }
            set_meta(tx, META_LIST_COMPLETE, Timestamp::now().as_millisecond())?;
            Ok(gone.into_iter().map(|(_, id)| id).collect())
        })
    }

    /// Forgets the sessions `ids`, which Graph no longer has, in one transaction; with
    /// `listing_complete`, they are what a listing of every session just left out, and the list
    /// is recorded as complete as of now.
    pub fn forget_sessions(
        &self,
        ids: &[String],
        listing_complete: bool,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            for id in ids {
                if let Some(key) = session_key(tx, id)? {
                    delete_session(tx, key)?;
                }
            }
            if listing_complete {
                set_meta(tx, META_LIST_COMPLETE, Timestamp::now().as_millisecond())?;
            }
            Ok(())
        })
    }

    /// Forgets one session (Graph answered 404 for it).
    pub fn remove_session(&self, id: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            if let Some(key) = session_key(tx, id)? {
                delete_session(tx, key)?;
            }
            Ok(())
        })
    }

    /// How many sessions are known, and when the list was last updated and last complete.
    pub fn list_info(&self) -> Result<ListInfo, StoreError> {
        self.with(|conn| {
            let known: i64 = conn.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))?;
            Ok(ListInfo {
                known: known as usize,
                updated: get_meta(conn, META_LIST_UPDATED)?,
                complete: get_meta(conn, META_LIST_COMPLETE)?,
            })
        })
    }

    /// Replaces a session's stored conversation. `session_modified` is the session's
    /// `lastModifiedDateTime` now; `settled` says no evaluation was still running.
    pub fn put_conversation(
        &self,
        session_id: &str,
        session_modified: Option<&str>,
        turns: &[TurnRecord],
        settled: bool,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let now_ms = now.as_millisecond();
        let clean = self.clean;
        self.write(|tx| {
            let key = match session_key(tx, session_id)? {
                Some(key) => key,
                None => {
                    let bare = SessionRecord {
                        id: session_id.to_string(),
                        display_name: None,
                        created: None,
                        modified: session_modified.map(str::to_string),
                    };
                    upsert_session(tx, &bare, now_ms, clean)?
                }
            };
            delete_turns(tx, key)?;
            let mut insert_turn = tx.prepare_cached(
                "INSERT INTO turns (session_key, position, prompt_id, prompt_json, evaluation_json)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_text = tx.prepare_cached(
                "INSERT INTO search (rowid, name, question, answer, session_key, at)
                 VALUES (?1, '', ?2, ?3, ?4, ?5)",
            )?;
            for (position, turn) in turns.iter().enumerate() {
                insert_turn.execute(params![
                    key,
                    position as i64,
                    turn.prompt_id,
                    turn.prompt_json,
                    turn.evaluation_json
                ])?;
                let id = tx.last_insert_rowid();
                insert_text.execute(params![
                    id,
                    indexable(turn.question.as_deref(), clean),
                    indexable(turn.answer.as_deref(), clean),
                    key,
                    turn.asked.map(|t| t.as_millisecond()),
                ])?;
            }
            tx.execute(
                "UPDATE sessions SET conversation_ms = ?2, conversation_modified = coalesce(?3, modified),
                 conversation_settled = ?4 WHERE key = ?1",
                params![key, now_ms, session_modified, settled],
            )?;
            Ok(())
        })
    }

    /// A session's stored conversation, if it was ever fetched.
    pub fn conversation(&self, session_id: &str) -> Result<Option<StoredConversation>, StoreError> {
        self.with(|conn| {
            let head = conn
                .query_row(
                    "SELECT key, conversation_ms, conversation_modified, conversation_settled
                     FROM sessions WHERE id = ?1 AND conversation_ms IS NOT NULL",
                    [session_id],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()?;
            let Some((key, stored_ms, session_modified, settled)) = head else {
                return Ok(None);
            };
            let mut stmt = conn.prepare_cached(
                "SELECT prompt_json, evaluation_json FROM turns WHERE session_key = ?1
                 ORDER BY position",
            )?;
            let turns = stmt
                .query_map([key], |r| {
                    Ok(StoredTurn {
                        prompt_json: r.get(0)?,
                        evaluation_json: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(Some(StoredConversation {
                turns,
                stored: Timestamp::from_millisecond(stored_ms).unwrap_or(Timestamp::UNIX_EPOCH),
                session_modified,
                settled,
            }))
        })
    }

    /// Whether a session's conversation must be fetched: never stored, the session changed
    /// since (`modified` differs), or an evaluation was still running when it was stored.
    pub fn conversation_is_stale(
        &self,
        session_id: &str,
        modified: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.with(|conn| {
            let row = conn
                .query_row(
                    "SELECT conversation_modified, conversation_settled FROM sessions
                     WHERE id = ?1 AND conversation_ms IS NOT NULL",
                    [session_id],
                    |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, bool>(1)?)),
                )
                .optional()?;
            Ok(match row {
                None => true,
                Some((stored, settled)) => {
                    !settled || modified.is_none() || stored.as_deref() != modified
                }
            })
        })
    }

    /// Counts and size for `sctui store stats`.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let (sessions, conversations, turns, schema_version, complete) = self.with(|conn| {
            let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
            Ok((
                count("SELECT count(*) FROM sessions")?,
                count("SELECT count(*) FROM sessions WHERE conversation_ms IS NOT NULL")?,
                count("SELECT count(*) FROM turns")?,
                conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?,
                get_meta(conn, META_LIST_COMPLETE)?,
            ))
        })?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        Ok(Stats {
            path: self.path.clone(),
            bytes: size(&self.path) + size(Path::new(&wal)),
            sessions: sessions as u64,
            conversations: conversations as u64,
            turns: turns as u64,
            schema_version,
            list_complete: complete.map(|t: Timestamp| t.to_string()),
        })
    }

    /// SQLite's own consistency check: `Ok(true)` when the file is sound (tests, `store stats`).
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        self.with(|conn| {
            let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            conn.execute("INSERT INTO search (search) VALUES ('integrity-check')", [])?;
            Ok(result == "ok")
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Inserts or updates one session, keeping its name in the index; returns its key.
fn upsert_session(
    tx: &Transaction<'_>,
    s: &SessionRecord,
    now_ms: i64,
    clean: Cleaner,
) -> rusqlite::Result<i64> {
    let modified_ms = s
        .modified
        .as_deref()
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t.as_millisecond());
    let old = tx
        .query_row(
            "SELECT key, display_name FROM sessions WHERE id = ?1",
            [&s.id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
        )
        .optional()?;
    let key =
        match &old {
            Some((key, _)) => {
                tx.prepare_cached(
                    "UPDATE sessions SET display_name = ?2, created = coalesce(?3, created),
                 modified = coalesce(?4, modified), modified_ms = coalesce(?5, modified_ms),
                 seen_ms = ?6 WHERE key = ?1",
                )?
                .execute(params![
                    key,
                    s.display_name,
                    s.created,
                    s.modified,
                    modified_ms,
                    now_ms
                ])?;
                *key
            }
            None => {
                tx.prepare_cached(
                "INSERT INTO sessions (id, display_name, created, modified, modified_ms, seen_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![s.id, s.display_name, s.created, s.modified, modified_ms, now_ms])?;
                tx.last_insert_rowid()
            }
        };
    let renamed = old.as_ref().is_none_or(|(_, name)| *name != s.display_name);
    if renamed {
        tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
            .execute([-key])?;
        if let Some(name) = s.display_name.as_deref().filter(|n| !n.trim().is_empty()) {
            tx.prepare_cached(
                "INSERT INTO search (rowid, name, question, answer, session_key, at)
                 VALUES (?1, ?2, '', '', ?3, ?4)",
            )?
            .execute(params![
                -key,
                indexable(Some(name), clean),
                key,
                modified_ms
            ])?;
        }
    }
    Ok(key)
}

fn session_key(tx: &Connection, id: &str) -> rusqlite::Result<Option<i64>> {
    tx.query_row("SELECT key FROM sessions WHERE id = ?1", [id], |r| r.get(0))
        .optional()
}

fn delete_turns(tx: &Transaction<'_>, key: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM search WHERE rowid IN (SELECT id FROM turns WHERE session_key = ?1)",
    )?
    .execute([key])?;
    tx.prepare_cached("DELETE FROM turns WHERE session_key = ?1")?
        .execute([key])?;
    Ok(())
}

fn delete_session(tx: &Transaction<'_>, key: i64) -> rusqlite::Result<()> {
    delete_turns(tx, key)?;
    tx.prepare_cached(
        "DELETE FROM evaluations WHERE session_id = (SELECT id FROM sessions WHERE key = ?1)",
    )?
    .execute([key])?;
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute([-key])?;
    tx.prepare_cached("DELETE FROM sessions WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}

pub(crate) fn set_meta(tx: &Transaction<'_>, key: &str, ms: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute(params![key, ms.to_string()])?;
    Ok(())
}

pub(crate) fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<Timestamp>> {
    let value: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    Ok(value
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|ms| Timestamp::from_millisecond(ms).ok()))
}

/// Text for the index: the highlight markers cannot occur in it, so a snippet's marks are ours.
fn indexable(text: Option<&str>, clean: Cleaner) -> String {
    let text = clean(text.unwrap_or(""));
    if text.contains([HIGHLIGHT_START, HIGHLIGHT_END]) {
        text.replace([HIGHLIGHT_START, HIGHLIGHT_END], " ")
    } else {
        text
    }
}
