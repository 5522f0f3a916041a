//! Logs go to a file, never to the terminal the TUI draws on. Tokens are never logged: requests
//! are logged by method, path, status, duration and request-id only. The file is 0600 in a 0700
//! folder, and every line passes through the sanitiser ([`SanitizedLog`]): an error message from
//! the server cannot put an escape sequence into a log someone later `cat`s or `tail -f`s.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

/// Where the log file lives, e.g. `~/.local/state/sctui/sctui.log`.
pub fn log_path() -> Option<PathBuf> {
    let dirs = crate::config::project_dirs()?;
    let dir = dirs
        .state_dir()
        .map(|d| d.to_path_buf())
        .unwrap_or_else(|| dirs.cache_dir().to_path_buf());
    Some(dir.join("sctui.log"))
}

/// Lines waiting for the log's writer thread; more are dropped (the writer only appends to a
/// file, so the queue stays short). The default, 128,000, preallocates 4 MB that every process
/// keeps resident.
const BUFFERED_LINES: usize = 4096;

/// Keeps the background log writer alive; drop it last to flush.
pub struct LogGuard(#[allow(dead_code)] Option<tracing_appender::non_blocking::WorkerGuard>);

/// Starts logging to the log file at `level` (or `SCTUI_LOG`, default `info`). Failing to open the
/// log is not fatal: the program runs without a log.
pub fn init(level: Option<&str>) -> LogGuard {
    let Some(path) = log_path() else {
        return LogGuard(None);
    };
    let Some(dir) = path.parent() else {
        return LogGuard(None);
    };
    if create_private_dir(dir).is_err() {
        return LogGuard(None);
    }
    let filter = level
        .map(str::to_string)
        .or_else(|| std::env::var("SCTUI_LOG").ok())
        .unwrap_or_else(|| "info".to_string());
    let filter = EnvFilter::try_new(format!("warn,sctui={filter}"))
        .unwrap_or_else(|_| EnvFilter::new("warn,sctui=info"));
    let Ok(file) = open_private_log(&path) else {
        return LogGuard(None);
    };
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES)
        .finish(file);
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(SanitizedLog(writer))
        .with_ansi(false)
        .try_init()
        .is_ok();
    LogGuard(installed.then_some(guard))
}

/// The log's chokepoint: every formatted event is sanitised before it reaches the file (the fmt
/// layer writes one event per `write`, so no escape sequence can straddle two writes).
#[derive(Clone)]
pub struct SanitizedLog<W>(pub W);

impl<W: std::io::Write> std::io::Write for SanitizedLog<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0
            .write_all(sctui_app::sanitize::sanitize_multiline(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<'a, W: std::io::Write + Clone + 'a> tracing_subscriber::fmt::MakeWriter<'a>
    for SanitizedLog<W>
{
    type Writer = SanitizedLog<W>;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Creates the log folder 0700 (tightening an existing wider one: it is ours).
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Opens the log for appending, 0600 (an existing wider file is tightened).
fn open_private_log(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn log_lines_are_sanitised() {
        let mut log = SanitizedLog(Vec::new());
        log.write_all(b"error=\"x\x1b]0;pwned\x07y\x1b[2J\xc2\x9b31m\"\n")
            .unwrap();
        let text = String::from_utf8(log.0).unwrap();
        assert_eq!(text, "error=\"xy\"\n");
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("state");
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o777)).unwrap();
        let path = folder.join("sctui.log");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_dir(&folder).unwrap();
        open_private_log(&path).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&path), 0o600);
    }
}
