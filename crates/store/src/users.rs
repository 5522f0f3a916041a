//! Which processes have a store open: each one that opens a store holds a shared lock on the
//! file beside it (`<store>-lock`) for as long as it keeps the store, so `store clear` can tell
//! that it is in use and name a process (`fcntl`'s `F_GETLK` reports one holder's pid).
//!
//! Why a file of its own: the locks are POSIX record locks, which a process loses on *every*
//! lock of a file as soon as it closes *any* descriptor of that file; SQLite keeps its own locks
//! on the database, so no other descriptor of the database may ever be opened and closed.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::StoreError;

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
    if let Err(e) = imp::lock(&file, imp::Kind::Shared) {
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
    match imp::lock(&file, imp::Kind::Exclusive) {
        Ok(()) => Ok(Some(file)),
        Err(_) => Err(StoreError::InUse {
            path: db.to_path_buf(),
            pid: imp::holder(&file),
        }),
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::os::fd::AsRawFd;

    pub(super) enum Kind {
        Shared,
        Exclusive,
    }

    fn whole_file(kind: libc::c_short) -> libc::flock {
        // SAFETY: `flock` is plain data; all-zero is a valid value, the fields set below matter.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = kind;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = 0;
        lock.l_len = 0;
        lock
    }

    /// Takes the lock without waiting.
    pub(super) fn lock(file: &File, kind: Kind) -> std::io::Result<()> {
        let kind = match kind {
            Kind::Shared => libc::F_RDLCK,
            Kind::Exclusive => libc::F_WRLCK,
        };
        let lock = whole_file(kind as libc::c_short);
        // SAFETY: a valid descriptor and a valid `flock` for the call's duration.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lock) };
        if rc == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// A process holding a lock that keeps an exclusive one out, if the system says.
    pub(super) fn holder(file: &File) -> Option<u32> {
        let mut lock = whole_file(libc::F_WRLCK as libc::c_short);
        // SAFETY: a valid descriptor and a valid `flock` the call fills in.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut lock) };
        (rc != -1 && lock.l_type != libc::F_UNLCK as libc::c_short && lock.l_pid > 0)
            .then_some(lock.l_pid as u32)
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;

    pub(super) enum Kind {
        Shared,
        Exclusive,
    }

    pub(super) fn lock(_file: &File, _kind: Kind) -> std::io::Result<()> {
        Ok(())
    }

    pub(super) fn holder(_file: &File) -> Option<u32> {
        None
    }
}
