//! What can go wrong with the store, typed so callers can decide: a full disk is a warning (keep
//! working from memory), a bad query is the user's to fix, anything else is logged and skipped.

use std::path::PathBuf;

/// A store failure. The store is a cache: callers degrade to "no store" rather than stop.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The disk (or the quota) is full: nothing more can be kept until space is freed.
    #[error(
        "the disk holding the store is full, or the file is at its size limit ({path}): working \
         from memory"
    )]
    Full { path: PathBuf },
    /// Another process held the database longer than the busy timeout.
    #[error("the store is busy in another sctui process ({path})")]
    Busy { path: PathBuf },
    /// The search text is not a query the index can run (`reason` is sctui's words; the query
    /// is shown cut, since it can be thousands of characters).
    #[error("cannot search for {:?}: {reason}", cut(query))]
    Query { query: String, reason: String },
    /// The search ran past its time budget and was stopped (nothing else was waiting on it).
    #[error(
        "the search took longer than {:.2} s and was stopped: more words, or a \"phrase\", find less",
        budget.as_secs_f64()
    )]
    SearchTimedOut { budget: std::time::Duration },
    /// The search was stopped by its caller (a newer search, Ctrl-C, quitting).
    #[error("the search was stopped")]
    SearchCancelled,
    /// The file or its folder could not be created, read or moved.
    #[error("store {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Anything else SQLite reported.
    #[error("store {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// Another process has the store open (`store clear` refuses unless forced).
    #[error(
        "the store {} is open in another sctui process{}: quit it first, or clear it anyway with \
         --force (that process then stops keeping anything in it)",
        path.display(),
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    InUse { path: PathBuf, pid: Option<u32> },
    /// Another process is driving this run (a `resume` while it still runs elsewhere).
    #[error(
        "run {id} is being run by another sctui process{}: wait for it, or stop it first",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    RunInUse { id: i64, pid: Option<u32> },
    /// The file was deleted or moved while this process had it open: writing on would go into a
    /// file no one will read, so nothing more is written.
    #[error(
        "the store {} was deleted or moved while sctui had it open (sctui store clear?): nothing \
         more is kept in it this run",
        path.display()
    )]
    Gone { path: PathBuf },
    /// The store can only be read (a read-only file system, or no permission to write the file
    /// or its folder): it opened read-only, and this write was refused.
    #[error(
        "the store {} can only be read (a read-only file system, or no permission to write it or \
         its folder): reading and searching work, nothing new is kept in it",
        path.display()
    )]
    ReadOnly { path: PathBuf },
    /// The store can only be read and cannot be read as it is (damaged, not sctui's, another
    /// schema): setting it aside or upgrading it would need writing.
    #[error(
        "the store {} can only be read, and it is {reason}: make it writable (sctui then sets it \
         aside or upgrades it), or move it away",
        path.display()
    )]
    ReadOnlyUnusable { path: PathBuf, reason: String },
    /// Damage inside the file showed (SQLite read a page it calls malformed): the damaged file
    /// was set aside, kept, and a new store started; what was asked of the old one is lost,
    /// the next call works on the new one.
    #[error("{0}")]
    SetAside(crate::Recovered),
    /// There is no data directory on this system to keep a store in.
    #[error("no data directory on this system to keep the store in")]
    NoDataDir,
}

/// The first 40 characters of `query`, with `…` when there were more.
fn cut(query: &str) -> String {
    const SHOWN: usize = 40;
    match query.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}…", &query[..at]),
        None => query.to_string(),
    }
}

impl StoreError {
    /// Classifies a SQLite error met while working on `path`.
    pub(crate) fn sqlite(path: &std::path::Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::Full { path },
            // a write refused past the file size limit (`ulimit -f`: EFBIG) is a full disk too
            Some(ErrorCode::SystemIoFailure)
                if matches!(&source, rusqlite::Error::SqliteFailure(e, _)
                    if e.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE) =>
            {
                Self::Full { path }
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy { path },
            _ => Self::Sqlite { path, source },
        }
    }

    /// True when the disk is full: worth one warning, then keep going without the store.
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full { .. })
    }

    /// True when the store can only be read: said once (when it opens), then every write is
    /// refused the same way.
    pub fn is_read_only(&self) -> bool {
        matches!(self, Self::ReadOnly { .. })
    }

    /// True when a damaged store was just set aside and a new one started: worth telling once.
    pub fn is_set_aside(&self) -> bool {
        matches!(self, Self::SetAside(_))
    }

    /// True when the store's file is gone from under this process: worth one warning, then
    /// keep going without the store.
    pub fn is_gone(&self) -> bool {
        matches!(self, Self::Gone { .. })
    }
}
