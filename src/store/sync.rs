//! Filling the store from Graph: every page of the session list, then (when asked) every
//! session's prompts and evaluations, a bounded number of requests at a time.
//!
//! Each page and each conversation is written as soon as it arrives, in its own transaction, so
//! an interrupted sync keeps what it fetched and the next one does not fetch again a conversation
//! already stored and unchanged. Graph bumps a session's `lastModifiedDateTime` only when its
//! name changes, not when a prompt is added, so that alone cannot tell: a stored conversation with
//! no evaluation running and the same `lastModifiedDateTime` costs one request (its prompts), and
//! only when that list differs from the stored one are the evaluations fetched. Every request
//! goes through the client's own retry policy, and no more than `concurrency` are in flight; a
//! 429 answer also holds back the next pages and conversations for as long as Graph asked, so
//! throttling slows the whole sync down instead of piling up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use jiff::Timestamp;
use tokio::sync::Semaphore;

use super::{Store, StoreError};
use sctui_graph::conversation::{PromptRuns, Turn, latest_turns, load_prompt_runs_gated, runs_of};
use sctui_graph::models::Session;
use sctui_graph::{GraphClient, GraphError, ListQuery, RetryNotice, RetryObserver};

pub use crate::tui::protocol::DEFAULT_CONCURRENCY;

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

pub use crate::tui::protocol::{Progress, SyncReport};

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{}", sctui_app::advice::graph(.0))]
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
    let jobs = blocking(&store, move |store| {
        let mut jobs = Vec::new();
        for session in recent {
            let modified = session.last_modified_date_time.as_ref().map(|t| t.raw());
            let known = if store.conversation_is_stale(&session.id, modified.as_deref())? {
                None
            } else {
                // settled and not renamed: new prompts are still possible, and a question
                // whose run failed may have been run again (a full fetch for that one)
                store
                    .conversation(&session.id)?
                    .map(|c| super::turns_from(&c))
                    .filter(|turns| turns.iter().all(|t| t.evaluation.is_some()))
                    .map(|turns| prompt_ids(&turns))
            };
            jobs.push((session, known));
        }
        Ok(jobs)
    })
    .await?;
    let total = jobs.len();
    progress(Progress::Conversations {
        done: 0,
        total,
        unchanged: 0,
    });
    let concurrency = options.concurrency.max(1);
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut fetches = futures::stream::iter(jobs)
        .map(|(session, known)| {
            let client = client.clone();
            let permits = permits.clone();
            let gate = gate.clone();
            async move {
                // a 429 anywhere holds back every session not yet started
                gate.wait().await;
                let turns = match known {
                    None => {
                        load_prompt_runs_gated(&client, &session.id, concurrency, Some(&permits))
                            .await
                            .map(Some)
                    }
                    Some(known) => {
                        changed_turns(&client, &session.id, &known, concurrency, &permits).await
                    }
                };
                (session, turns)
            }
        })
        .buffer_unordered(concurrency);
    let mut done = 0;
    while let Some((session, turns)) = fetches.next().await {
        done += 1;
        match turns {
            Ok(None) => report.unchanged += 1,
            Ok(Some(runs)) => {
                blocking(&store, move |store| {
                    super::put_prompt_runs(store, &session.id, &runs)?;
                    super::put_conversation(store, &session, &latest_turns(runs), Timestamp::now())
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
            unchanged: report.unchanged,
        });
    }
    Ok(report)
}

/// The prompt ids of a conversation, sorted (to compare with a fresh listing).
fn prompt_ids(turns: &[Turn]) -> Vec<String> {
    let mut ids: Vec<String> = turns.iter().map(|t| t.prompt.id.clone()).collect();
    ids.sort_unstable();
    ids
}

/// A settled stored conversation whose prompts were `known`: one request lists its prompts, and
/// only when they differ (a question asked elsewhere) are their evaluations fetched. `None`:
/// unchanged.
async fn changed_turns(
    client: &GraphClient,
    session: &str,
    known: &[String],
    concurrency: usize,
    permits: &Semaphore,
) -> Result<Option<Vec<PromptRuns>>, GraphError> {
    let prompts = {
        let _permit = permits.acquire().await.ok();
        client.list_prompts(session).await?
    };
    let mut ids: Vec<&str> = prompts.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    if ids.iter().eq(known.iter()) {
        return Ok(None);
    }
    runs_of(client, session, prompts, concurrency, Some(permits))
        .await
        .map(Some)
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

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_fake::{FakeGraph, FakeOptions, Seed};
    use sctui_graph::ClientOptions;
    use sctui_graph::auth::StaticToken;

    async fn sync(client: &GraphClient, store: &Arc<Store>) -> SyncReport {
        let options = SyncOptions {
            conversations: true,
            ..SyncOptions::default()
        };
        run(client, store.clone(), &options, &|_| {}, None)
            .await
            .expect("sync")
    }

    /// Graph leaves `lastModifiedDateTime` alone when a prompt is added: a sync still finds the
    /// new prompt, with one request per stored conversation to see it (their prompts), and
    /// fetches only the conversation that changed.
    #[tokio::test]
    async fn a_prompt_added_without_a_rename_is_found_by_the_next_sync() {
        let fake = FakeGraph::start(FakeOptions {
            seed: Seed::Synthetic(6),
            token: None,
            ..FakeOptions::demo()
        })
        .await
        .expect("fake");
        let client = GraphClient::new(
            ClientOptions {
                graph_url: fake.base_url().to_string(),
                ..ClientOptions::default()
            },
            StaticToken::shared("t", "test"),
        )
        .expect("client");
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("s.db")).unwrap().store);

        let first = sync(&client, &store).await;
        assert_eq!((first.fetched, first.unchanged), (6, 0));
        fake.faults().clear_seen();
        let second = sync(&client, &store).await;
        assert_eq!((second.fetched, second.unchanged), (0, 6));
        let seen = fake.faults().seen();
        let prompt_lists = seen.iter().filter(|r| r.path.contains("/prompts")).count();
        assert_eq!(
            prompt_lists, 6,
            "one request per stored conversation: {seen:?}"
        );

        let session = fake.store().sessions("default")[2].clone();
        fake.store()
            .insert_prompt("default", &session.id, "asked in the portal")
            .expect("prompt");
        let now = fake.store().session("default", &session.id).unwrap();
        assert_eq!(now.last_modified_date_time, session.last_modified_date_time);

        let third = sync(&client, &store).await;
        assert_eq!((third.fetched, third.unchanged), (1, 5));
        let stored = store.conversation(&session.id).unwrap().expect("stored");
        let turns = super::super::turns_from(&stored);
        assert_eq!(turns.len(), 1);
        assert_eq!(
            turns[0].prompt.content.as_deref(),
            Some("asked in the portal")
        );
        fake.shutdown().await;
    }
}
