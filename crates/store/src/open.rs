//! Opening a store file: private folder and file, WAL, busy timeout, migrations; and what to do
//! with a file that is damaged, foreign or from a newer sctui (move it aside, start a fresh one).
//! A store that exists but cannot be written (a read-only file system, no write permission on
//! the file or its folder) is opened read-only, nothing created or tightened on the way.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::schema::{APPLICATION_ID, current_version, migrate};
use crate::{Store, StoreError};

/// How long a write waits for another process (the TUI and a `sync`) before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why an existing file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadFile {
    /// Not a database, or a damaged one (SQLite's words).
    Corrupt(String),
    /// A database, but not a sctui store.
    Foreign,
    /// A sctui store with a schema this build does not know.
    Newer { found: i64, supported: i64 },
}

impl std::fmt::Display for BadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Corrupt(why) => write!(f, "damaged ({why})"),
            Self::Foreign => f.write_str("not a sctui store"),
            Self::Newer { found, supported } => write!(
                f,
                "written by a newer sctui (schema {found}, this one knows {supported})"
            ),
        }
    }
}

/// A file that was set aside so a fresh store could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Where the old file is now (`….corrupt-<time>`): nothing is deleted.
    pub moved_to: PathBuf,
    pub reason: BadFile,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the store was {}: moved it to {} and started a new one",
            self.reason,
            self.moved_to.display()
        )
    }
}

/// What this process may do with a store, decided once when it is opened: the [`Store`] keeps
/// it, so every write asks the same owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads and writes.
    ReadWrite,
    /// Reads only: the file or its folder cannot be written (a read-only file system, no
    /// permission). Searches and reading work; every write is refused with
    /// [`StoreError::ReadOnly`].
    ReadOnly,
}

/// How a connection reaches the file: the one place the read-only URIs are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The file as it is, written through WAL.
    Writable,
    /// `mode=ro`: read-only, still seeing what another process writes (SQLite needs the WAL's
    /// shared memory for that: it exists already, or the folder lets it be made).
    ReadOnly,
    /// `mode=ro&immutable=1`: read-only where not even the WAL's shared memory can be made (a
    /// read-only folder or file system with no WAL beside the file): SQLite reads the file as
    /// it is, taking no locks.
    Immutable,
}

impl Mode {
    /// What this mode lets the process do.
    pub(crate) fn access(self) -> Access {
        match self {
            Self::Writable => Access::ReadWrite,
            Self::ReadOnly | Self::Immutable => Access::ReadOnly,
        }
    }

    /// The name to give SQLite for `path` (a `file:` URI in the read-only modes; `%`, `?` and
    /// `#` in the path escaped so they stay part of it).
    fn target(self, path: &Path) -> PathBuf {
        let query = match self {
            Self::Writable => return path.to_path_buf(),
            Self::ReadOnly => "?mode=ro",
            Self::Immutable => "?mode=ro&immutable=1",
        };
        let mut uri = std::ffi::OsString::from("file:");
        let text = path.as_os_str();
        #[cfg(unix)]
        {
            use std::os::unix::ffi::{OsStrExt, OsStringExt};
            let mut bytes = uri.into_vec();
            for &b in text.as_bytes() {
                match b {
                    b'%' | b'?' | b'#' => bytes.extend(format!("%{b:02X}").bytes()),
                    _ => bytes.push(b),
                }
            }
            uri = std::ffi::OsString::from_vec(bytes);
        }
        #[cfg(not(unix))]
        uri.push(
            text.to_string_lossy()
                .replace('%', "%25")
                .replace('?', "%3F")
                .replace('#', "%23"),
        );
        uri.push(query);
        PathBuf::from(uri)
    }
}

/// An open store, and the file set aside on the way, if any (worth telling the user once).
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    pub recovered: Option<Recovered>,
}

enum Failure {
    Bad(BadFile),
    Store(StoreError),
}

impl Store {
    /// Opens (creating or migrating) the store at `path`; a bad file is moved aside and replaced.
    /// A store that exists but cannot be written opens read-only ([`Store::access`]).
    pub fn open(path: &Path) -> Result<Opened, StoreError> {
        if path.exists() && !writable(path) {
            return Ok(Opened {
                store: open_read_only(path)?,
                recovered: None,
            });
        }
        if let Some(dir) = path.parent() {
            private_dir(dir)?;
        }
        let (conn, recovered) = match try_open(path) {
            Ok(conn) => (conn, None),
            Err(Failure::Store(e)) => return Err(e),
            Err(Failure::Bad(reason)) => {
                let (conn, recovered) = start_over(path, reason)?;
                (conn, Some(recovered))
            }
        };
        Ok(Opened {
            store: Store::from_connection(conn, path.to_path_buf(), Mode::Writable),
            recovered,
        })
    }
}

/// Sets the bad file at `path` aside (kept as `….corrupt-<time>`) and makes a new store there:
/// at open, and when damage inside the file shows later ([`Store`] on a "malformed" error).
pub(crate) fn start_over(
    path: &Path,
    reason: BadFile,
) -> Result<(Connection, Recovered), StoreError> {
    let moved_to = move_aside(path)?;
    tracing::warn!(path = %path.display(), moved_to = %moved_to.display(), %reason, "store set aside");
    let conn = try_open(path).map_err(|failure| match failure {
        Failure::Store(e) => e,
        Failure::Bad(reason) => StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(format!("a new store is {reason}")),
        },
    })?;
    Ok((conn, Recovered { moved_to, reason }))
}

/// Deletes the store at `path` with its WAL, shared-memory and lock files; a missing file is
/// not an error. Returns whether there was anything to delete. While another process has the
/// store open it refuses ([`StoreError::InUse`], naming the process) unless `force`: that
/// process then notices the file is gone and writes nothing more ([`StoreError::Gone`]).
pub fn clear(path: &Path, force: bool) -> Result<bool, StoreError> {
    let _held = match crate::users::exclusive(path) {
        Ok(held) => held,
        Err(StoreError::InUse { .. }) if force => None,
        Err(e) => return Err(e),
    };
    let mut any = false;
    for file in [
        path.to_path_buf(),
        sidecar(path, "-wal"),
        sidecar(path, "-shm"),
        crate::users::lock_path(path),
    ] {
        match fs::remove_file(&file) {
            Ok(()) => any |= file == path,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Io { path: file, source }),
        }
    }
    Ok(any)
}

fn try_open(path: &Path) -> Result<Connection, Failure> {
    private_file(path).map_err(Failure::Store)?;
    let sqlite = |e| Failure::Store(StoreError::sqlite(path, e));
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    // the first read of the header tells a database from anything else
    let (app_id, version, objects) = match read_identity(&mut conn) {
        Ok(identity) => identity,
        Err(e) if is_damage(&e) => return Err(Failure::Bad(BadFile::Corrupt(e.to_string()))),
        Err(e) => return Err(sqlite(e)),
    };
    if app_id != APPLICATION_ID && (app_id != 0 || objects > 0) {
        return Err(Failure::Bad(BadFile::Foreign));
    }
    if version > current_version() {
        return Err(Failure::Bad(BadFile::Newer {
            found: version,
            supported: current_version(),
        }));
    }
    let setup = |conn: &mut Connection| -> rusqlite::Result<()> {
        let mode = enter_wal(conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "store is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        crate::rank::register(conn)?;
        migrate(conn, version)?;
        touch_every_table(conn)
    };
    match setup(&mut conn) {
        Ok(()) => Ok(conn),
        Err(e) if is_damage(&e) => Err(Failure::Bad(BadFile::Corrupt(e.to_string()))),
        Err(e) => Err(sqlite(e)),
    }
}

/// Puts the file in WAL mode and returns the mode it is in. The switch needs the file to itself
/// and SQLite does not wait for it (no busy handler), so while another process is opening the
/// same new file this retries until the busy timeout.
fn enter_wal(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)) {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            result => return result,
        }
    }
}

/// A read-only connection to the store at `path` (reached as `mode` says), for searches (its
/// functions registered).
pub(crate) fn reader(path: &Path, mode: Mode) -> rusqlite::Result<Connection> {
    let conn = read_only_connection(path, mode)?;
    crate::snippet::register(&conn)?;
    Ok(conn)
}

fn read_only_connection(path: &Path, mode: Mode) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(mode.target(path), flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    crate::rank::register(&conn)?;
    Ok(conn)
}

/// Whether this process may write `path` and create files beside it (the WAL): false on a
/// read-only file system, or without write permission on the file or its folder (as the
/// system decides it, so root's privileges count).
fn writable(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    may_write(path) && may_write(dir)
}

#[cfg(unix)]
fn may_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path for the call's duration.
    unsafe { libc::faccessat(libc::AT_FDCWD, name.as_ptr(), libc::W_OK, libc::AT_EACCESS) == 0 }
}

#[cfg(not(unix))]
fn may_write(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// Opens a store that cannot be written: `mode=ro` when SQLite can share the WAL with its
/// writers, else the file as it is (immutable). Nothing is created, tightened, migrated or set
/// aside; a store that cannot be read as it is says why ([`StoreError::ReadOnlyUnusable`]).
fn open_read_only(path: &Path) -> Result<Store, StoreError> {
    let unusable = |reason: String| StoreError::ReadOnlyUnusable {
        path: path.to_path_buf(),
        reason,
    };
    let sqlite = |e| StoreError::sqlite(path, e);
    let connect = |mode| {
        let mut conn = read_only_connection(path, mode)?;
        let identity = read_identity(&mut conn)?;
        Ok::<_, rusqlite::Error>((conn, identity))
    };
    let mut mode = Mode::ReadOnly;
    let mut opened = connect(mode);
    if opened.as_ref().is_err_and(cannot_share_wal) {
        // the WAL's shared memory can be neither opened nor made here
        mode = Mode::Immutable;
        opened = connect(mode);
    }
    let (conn, (app_id, version, _)) = match opened {
        Ok(opened) => opened,
        Err(e) if is_damage(&e) => {
            return Err(unusable(BadFile::Corrupt(e.to_string()).to_string()));
        }
        Err(e) => return Err(sqlite(e)),
    };
    if app_id != APPLICATION_ID {
        return Err(unusable(BadFile::Foreign.to_string()));
    }
    if version > current_version() {
        let newer = BadFile::Newer {
            found: version,
            supported: current_version(),
        };
        return Err(unusable(newer.to_string()));
    }
    if version < current_version() {
        return Err(unusable(format!(
            "written by an older sctui (schema {version}, this one reads {})",
            current_version()
        )));
    }
    match touch_every_table(&conn) {
        Ok(()) => Ok(Store::from_connection(conn, path.to_path_buf(), mode)),
        Err(e) if is_damage(&e) => Err(unusable(BadFile::Corrupt(e.to_string()).to_string())),
        Err(e) => Err(sqlite(e)),
    }
}

/// A read-only connection's failure to reach the WAL's shared memory (it cannot make it).
fn cannot_share_wal(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen)
    )
}

/// Reads every table once: a damaged schema shows here, not in the middle of a session.
fn touch_every_table(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM meta) + (SELECT count(*) FROM search WHERE rowid = 0)",
        [],
        |_| Ok(()),
    )
}

/// The header's id and version and the number of schema objects, read in one transaction: read
/// one by one, another process creating the store in between looks like a foreign file (no id
/// yet, tables already).
fn read_identity(conn: &mut Connection) -> rusqlite::Result<(i32, i64, i64)> {
    let tx = conn.transaction()?;
    let app_id: i32 = tx.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let objects: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    tx.finish()?;
    Ok((app_id, version, objects))
}

/// Errors that mean the file itself is bad, not that the disk is full or the file is busy.
pub(crate) fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    ) || matches!(e, rusqlite::Error::SqliteFailure(_, Some(msg)) if msg.contains("malformed"))
}

/// `path` renamed to `path.corrupt-<UTC time>` (its WAL beside it, the shared memory dropped).
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut moved = path.as_os_str().to_owned();
    moved.push(format!(".corrupt-{stamp}"));
    let moved = PathBuf::from(moved);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    fs::rename(path, &moved).map_err(io(path))?;
    let wal = sidecar(path, "-wal");
    if wal.exists() {
        fs::rename(&wal, sidecar(&moved, "-wal")).map_err(io(&wal))?;
    }
    let shm = sidecar(path, "-shm");
    if shm.exists() {
        fs::remove_file(&shm).map_err(io(&shm))?;
    }
    Ok(moved)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates `dir` (and parents) readable by the owner only; tightens an existing one.
fn private_dir(dir: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir).map_err(io)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    #[cfg(not(unix))]
    builder.create(dir).map_err(io)?;
    Ok(())
}

/// Creates the database file 0600 before SQLite does (SQLite gives its WAL the same mode).
fn private_file(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        options.open(path).map_err(io)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    #[cfg(not(unix))]
    options.open(path).map_err(io)?;
    Ok(())
}
