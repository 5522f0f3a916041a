//! Logs go to a file, never to the terminal the TUI draws on. Tokens are never logged: requests
//! are logged by method, path, status, duration and request-id only.

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
    if std::fs::create_dir_all(dir).is_err() {
        return LogGuard(None);
    }
    let filter = level
        .map(str::to_string)
        .or_else(|| std::env::var("SCTUI_LOG").ok())
        .unwrap_or_else(|| "info".to_string());
    let filter = EnvFilter::try_new(format!("warn,sctui={filter}"))
        .unwrap_or_else(|_| EnvFilter::new("warn,sctui=info"));
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return LogGuard(None);
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .is_ok();
    LogGuard(installed.then_some(guard))
}
