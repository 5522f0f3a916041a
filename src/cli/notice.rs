//! Telling a script's user that a command is waiting: each retry is announced on stderr as it
//! is scheduled, and a command still running after [`quiet_for`] says it is waiting (once,
//! unless something was already said). stdout is never touched.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sctui_graph::{RetryNotice, RetryObserver};

/// How long a command may run silently before stderr says it is waiting, at least.
pub const QUIET_FOR: Duration = Duration::from_secs(2);

/// How long a command may run silently: [`QUIET_FOR`], and longer than a connection attempt
/// may take, so a host that never answers gets its one error line and no "waiting" before it.
pub fn quiet_for(connect_timeout: Duration) -> Duration {
    QUIET_FOR.max(connect_timeout + Duration::from_secs(1))
}

/// Whether anything was said on stderr during this command (a retry, a progress line), so the
/// "still waiting" line is not added on top.
#[derive(Clone, Default)]
pub struct Notices {
    said: Arc<AtomicBool>,
}

impl Notices {
    /// Records that a progress line was written.
    pub fn said(&self) {
        self.said.store(true, Ordering::Relaxed);
    }

    /// An observer for [`sctui_graph::GraphClient::with_retry_observer`] that prints each retry;
    /// `server` is how the server is named ([`super::Backend::server_name`]).
    pub fn retry_observer(&self, server: &str, max_retries: u32) -> RetryObserver {
        let notices = self.clone();
        let server = server.to_string();
        Arc::new(move |notice: RetryNotice| {
            notices.said();
            crate::output::eprintln!("sctui: {}", retry_line(&notice, &server, max_retries));
        })
    }

    /// Runs `work`; if it is still running after `quiet` ([`quiet_for`]) and nothing was said
    /// yet, says on stderr that it is waiting for `server` ([`super::Backend::server_name`]).
    pub async fn while_waiting<T>(
        &self,
        server: &str,
        quiet: Duration,
        work: impl Future<Output = T>,
    ) -> T {
        self.after(server, tokio::time::sleep(quiet), work).await
    }

    /// [`Self::while_waiting`] with the quiet period as a future (tests pass a ready one).
    async fn after<T>(
        &self,
        server: &str,
        quiet: impl Future<Output = ()>,
        work: impl Future<Output = T>,
    ) -> T {
        let mut work = std::pin::pin!(work);
        tokio::select! {
            biased;
            done = &mut work => return done,
            () = quiet => {}
        }
        if !self.said.swap(true, Ordering::Relaxed) {
            crate::output::eprintln!("sctui: waiting for {server}… (Ctrl-C stops)");
        }
        work.await
    }
}

/// "could not reach Graph at http://…/beta (network error); retrying in 4 s (retry 1 of 3)".
pub fn retry_line(notice: &RetryNotice, server: &str, max_retries: u32) -> String {
    let why = match notice.status {
        Some(429) => "throttled by Graph (429)".to_string(),
        Some(code) => format!("Graph is unavailable ({code})"),
        None => format!("could not reach {server} (network error)"),
    };
    let secs = notice.wait.as_secs_f64();
    let wait = if secs < 10.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} s", secs.round())
    };
    format!(
        "{why}; retrying in {wait} (retry {} of {max_retries})",
        notice.attempt
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_lines_say_why_and_how_long() {
        let notice = |status, secs| RetryNotice {
            attempt: 1,
            wait: Duration::from_secs_f64(secs),
            status,
        };
        assert_eq!(
            retry_line(&notice(None, 3.4), "Graph at http://127.0.0.1:9/beta", 3),
            "could not reach Graph at http://127.0.0.1:9/beta (network error); retrying in 3.4 s (retry 1 of 3)"
        );
        assert_eq!(
            retry_line(&notice(Some(429), 12.2), "u", 3),
            "throttled by Graph (429); retrying in 12 s (retry 1 of 3)"
        );
        assert!(
            retry_line(&notice(Some(503), 1.0), "u", 3).starts_with("Graph is unavailable (503)")
        );
    }

    #[tokio::test]
    async fn quick_work_says_nothing_and_slow_work_says_it_waits_once() {
        let notices = Notices::default();
        let out = notices
            .after("u", std::future::pending(), async { 7 })
            .await;
        assert_eq!(out, 7);
        assert!(!notices.said.load(Ordering::Relaxed));
        let out = notices
            .after("u", std::future::ready(()), async {
                tokio::task::yield_now().await;
                8
            })
            .await;
        assert_eq!(out, 8);
        assert!(
            notices.said.load(Ordering::Relaxed),
            "the wait was announced"
        );
    }
}
