//! Filling the store from Graph: every page of the session list, then (when asked) every
//! session's prompts and evaluations, a bounded number of requests at a time.
//!
//! Each page and each conversation is written as soon as it arrives, in its own transaction, so
//! an interrupted sync keeps what it fetched and the next one skips conversations already stored
//! and unchanged (same `lastModifiedDateTime`, no evaluation running when stored). Every request
//! goes through the client's own retry policy, and no more than `concurrency` are in flight; a
//! 429 answer also holds back the next pages and conversations for as long as Graph asked, so
//! throttling slows the whole sync down instead of piling up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::Semaphore;

use super::{Store, StoreError};
use sctui_graph::conversation::load_conversation_gated;
use sctui_graph::models::Session;
use sctui_graph::{GraphClient, GraphError, ListQuery, RetryNotice, RetryObserver};

/// Requests in flight at once unless configured (`[store] sync_concurrency`, `--concurrency`).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// What to sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Also fetch every session's conversation (not just the list).
    pub conversations: bool,
    /// Only conversations of sessions modified this recently.
    pub since: Option<Duration>,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            conversations: false,
            since: None,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// How far a sync is, for a progress bar or a gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Pages of the list so far: `sessions` listed.
    Listing { sessions: usize },
    /// Conversations: `done` of `total` to fetch (`unchanged` more were already stored).
    Conversations {
        done: usize,
        total: usize,
        unchanged: usize,
    },
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncReport {
    /// Sessions in the complete listing.
    pub sessions: usize,
    /// Sessions gone from Graph, removed from the store.
    pub removed: usize,
    /// Conversations fetched and stored.
    pub fetched: usize,
    /// Conversations already stored and unchanged, not fetched again.
    pub unchanged: usize,
    /// Conversations that could not be fetched (the first error is kept).
    pub failed: usize,
    pub first_failure: Option<GraphError>,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Syncs `store` from `client` (see the module notes). `progress` hears each step; `observer`,
/// if any, also hears every retry (the TUI's status line).
pub async fn run(
    client: &GraphClient,
    store: Arc<Store>,
    options: &SyncOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
    observer: Option<RetryObserver>,
) -> Result<SyncReport, SyncError> {
    let gate = Arc::new(Gate::default());
    let client = {
        let gate = gate.clone();
        client
            .clone()
            .with_retry_observer(Arc::new(move |notice: RetryNotice| {
                if notice.status == Some(429) {
                    gate.pause_for(notice.wait);
                }
                if let Some(observer) = &observer {
                    observer(notice);
                }
            }))
    };
    let started = Timestamp::now();
    let mut report = SyncReport::default();
    let mut listed: Vec<Session> = Vec::new();
    let mut pager = client.sessions_pager(ListQuery::default());
    progress(Progress::Listing { sessions: 0 });
    loop {
        gate.wait().await;
        let Some(page) = pager.next().await? else {
            break;
        };
        let sessions = page.value;
        blocking(&store, {
            let sessions = sessions.clone();
            move |store| super::put_sessions(store, &sessions, Timestamp::now())
        })
        .await?;
        listed.extend(sessions);
        progress(Progress::Listing {
            sessions: listed.len(),
        });
    }
    report.sessions = listed.len();
    report.removed = blocking(&store, move |store| store.finish_listing(started))
        .await?
        .len();
    if !options.conversations {
        return Ok(report);
    }

    let cutoff = options
        .since
        .and_then(|since| jiff::SignedDuration::try_from(since).ok())
        .and_then(|since| started.checked_sub(since).ok());
    let recent: Vec<Session> = listed
        .into_iter()
        .filter(|s| match (cutoff, modified(s)) {
            (Some(cutoff), Some(at)) => at >= cutoff,
            _ => true,
        })
        .collect();
    let (stale, unchanged) = blocking(&store, move |store| {
        let mut stale = Vec::new();
        let mut unchanged = 0;
        for session in recent {
            let modified = session.last_modified_date_time.as_ref().map(|t| t.raw());
            if store.conversation_is_stale(&session.id, modified.as_deref())? {
                stale.push(session);
            } else {
                unchanged += 1;
            }
        }
        Ok((stale, unchanged))
    })
    .await?;
    report.unchanged = unchanged;
    let total = stale.len();
    progress(Progress::Conversations {
        done: 0,
        total,
        unchanged,
    });
    let concurrency = options.concurrency.max(1);
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut fetches = futures::stream::iter(stale)
        .map(|session| {
            let client = client.clone();
            let permits = permits.clone();
            let gate = gate.clone();
            async move {
                // a 429 anywhere holds back every session not yet started
                gate.wait().await;
                let turns =
                    load_conversation_gated(&client, &session.id, concurrency, Some(&permits))
                        .await;
                (session, turns)
            }
        })
        .buffer_unordered(concurrency);
    let mut done = 0;
    while let Some((session, turns)) = fetches.next().await {
        done += 1;
        match turns {
            Ok(turns) => {
                blocking(&store, move |store| {
                    super::put_conversation(store, &session, &turns, Timestamp::now())
                })
                .await?;
                report.fetched += 1;
            }
            Err(e) if e.is_not_found() => {
                let id = session.id.clone();
                blocking(&store, move |store| store.remove_session(&id)).await?;
                report.removed += 1;
            }
            // no point asking the rest: every request would be refused the same way
            Err(e) if matches!(e.status(), Some(401 | 403)) || matches!(e, GraphError::Auth(_)) => {
                return Err(e.into());
            }
            Err(e) => {
                tracing::warn!(session = %session.id, error = %e, "sync: conversation not fetched");
                report.failed += 1;
                report.first_failure.get_or_insert(e);
            }
        }
        progress(Progress::Conversations {
            done,
            total,
            unchanged,
        });
    }
    Ok(report)
}

fn modified(session: &Session) -> Option<Timestamp> {
    session
        .last_modified_date_time
        .as_ref()
        .and_then(|t| t.instant())
}

/// Runs a store call on a blocking thread (SQLite never runs on an async worker).
async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| {
            Err(StoreError::Io {
                path: std::path::PathBuf::new(),
                source: std::io::Error::other(format!("store task failed: {e}")),
            })
        })
}

/// Shared pause after a 429: no request of the sync starts before `until`.
#[derive(Default)]
struct Gate {
    until: Mutex<Option<tokio::time::Instant>>,
}

impl Gate {
    fn pause_for(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut current = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if current.is_none_or(|c| c < until) {
            *current = Some(until);
        }
    }

    async fn wait(&self) {
        loop {
            let until = *self.until.lock().unwrap_or_else(|p| p.into_inner());
            match until {
                Some(until) if until > tokio::time::Instant::now() => {
                    tokio::time::sleep_until(until).await
                }
                _ => return,
            }
        }
    }
}
