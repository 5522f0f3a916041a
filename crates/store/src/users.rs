//! Which processes have a store open, and which process drives which run: each process that
//! opens a store holds a shared lock on the first byte of the file beside it (`<store>-lock`)
//! for as long as it keeps the store, so `store clear` can tell that it is in use and name a
//! process (`fcntl`'s `F_GETLK` reports one holder's pid); a process driving run `id` holds an
//! exclusive lock on byte `RUNS + id`, so a second process cannot drive it too, and a run that
//! says "running" with no holder was left by a process that ended.
//!
//! Why a file of its own: the locks are POSIX record locks, which a process loses on *every*
//! lock of a file as soon as it closes *any* descriptor of that file; SQLite keeps its own locks
//! on the database, so no other descriptor of the database may ever be opened and closed.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// The byte whose locks say who has the store open.
const USERS: imp::Range = imp::Range { start: 0, len: 1 };
/// Run `id` is claimed by an exclusive lock on byte `RUNS + id`.
const RUNS: i64 = 1 << 32;

fn run_byte(id: i64) -> imp::Range {
    imp::Range {
        start: RUNS.saturating_add(id.max(0)),
        len: 1,
    }
}

/// The lock file beside the database `db`.
pub(crate) fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-lock");
    PathBuf::from(name)
}

/// Takes this process's shared lock on `db`'s lock file, kept while the returned file lives.
/// Advisory: when it cannot be taken (a clear holds it, the folder is read-only) the store opens
/// all the same. A store opened read-only only uses a lock file that exists (it creates none).
pub(crate) fn hold(db: &Path, access: crate::Access) -> Option<File> {
    let path = lock_path(db);
    let file = match access {
        crate::Access::ReadWrite => {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path).or_else(|_| File::open(&path))
        }
        crate::Access::ReadOnly => File::open(&path),
    }
    .ok()?;
    if let Err(e) = imp::lock(&file, imp::Kind::Shared, USERS) {
        tracing::debug!(path = %path.display(), error = %e, "store lock not taken");
    }
    Some(file)
}

/// `db`'s lock file, held exclusively (for as long as the store is being deleted), or which
/// process has the store open. `None` when there is no lock file (no sctui ever opened it).
pub(crate) fn exclusive(db: &Path) -> Result<Option<File>, StoreError> {
    let path = lock_path(db);
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(StoreError::Io { path, source }),
    };
    match imp::lock(&file, imp::Kind::Exclusive, USERS) {
        Ok(()) => Ok(Some(file)),
        Err(_) => Err(StoreError::InUse {
            path: db.to_path_buf(),
            pid: imp::holder(&file, USERS),
        }),
    }
}

/// Claims run `id` for this process through the store's lock file `users` (held by the store):
/// refused, with the other process's pid when the system says, while another process has it.
pub(crate) fn claim_run(users: &File, id: i64) -> Result<(), Option<u32>> {
    imp::lock(users, imp::Kind::Exclusive, run_byte(id))
        .map_err(|_| imp::holder(users, run_byte(id)))
}

/// Gives run `id` up (the claim also ends with the process).
pub(crate) fn release_run(users: &File, id: i64) {
    imp::unlock(users, run_byte(id));
}

/// Whether another process has claimed run `id`.
pub(crate) fn run_claimed_elsewhere(users: &File, id: i64) -> bool {
    imp::is_locked(users, run_byte(id))
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::os::fd::AsRawFd;

    pub(super) enum Kind {
        Shared,
        Exclusive,
    }

    /// Bytes of the lock file.
    #[derive(Clone, Copy)]
    pub(super) struct Range {
        pub start: i64,
        pub len: i64,
    }

    fn request(kind: libc::c_int, range: Range) -> libc::flock {
        // SAFETY: `flock` is plain data; all-zero is a valid value, the fields set below matter.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = kind as libc::c_short;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = range.start as libc::off_t;
        lock.l_len = range.len as libc::off_t;
        lock
    }

    fn set(file: &File, lock: &libc::flock) -> std::io::Result<()> {
        // SAFETY: a valid descriptor and a valid `flock` for the call's duration.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, lock) };
        if rc == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// Takes the lock without waiting.
    pub(super) fn lock(file: &File, kind: Kind, range: Range) -> std::io::Result<()> {
        let kind = match kind {
            Kind::Shared => libc::F_RDLCK,
            Kind::Exclusive => libc::F_WRLCK,
        };
        set(file, &request(kind, range))
    }

    pub(super) fn unlock(file: &File, range: Range) {
        let _ = set(file, &request(libc::F_UNLCK, range));
    }

    /// The lock another process holds that keeps an exclusive one out, if any.
    fn conflict(file: &File, range: Range) -> Option<libc::flock> {
        let mut lock = request(libc::F_WRLCK, range);
        // SAFETY: a valid descriptor and a valid `flock` the call fills in.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
        (rc != -1 && lock.l_type != libc::F_UNLCK as libc::c_short).then_some(lock)
    }

    /// A process holding a lock that keeps an exclusive one out, if the system says.
    pub(super) fn holder(file: &File, range: Range) -> Option<u32> {
        conflict(file, range)
            .filter(|lock| lock.l_pid > 0)
            .map(|lock| lock.l_pid as u32)
    }

    /// Whether another process holds a lock on `range`.
    pub(super) fn is_locked(file: &File, range: Range) -> bool {
        conflict(file, range).is_some()
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;

    pub(super) enum Kind {
        Shared,
        Exclusive,
    }

    #[derive(Clone, Copy)]
    pub(super) struct Range {
        pub start: i64,
        pub len: i64,
    }

    pub(super) fn lock(_file: &File, _kind: Kind, _range: Range) -> std::io::Result<()> {
        Ok(())
    }

    pub(super) fn unlock(_file: &File, _range: Range) {}

    pub(super) fn holder(_file: &File, _range: Range) -> Option<u32> {
        None
    }

    pub(super) fn is_locked(_file: &File, _range: Range) -> bool {
        false
    }
}
