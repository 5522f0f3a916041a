//! The worker's side of the local store: it opens a workspace's store off the UI thread, hands
//! its stored list and conversations to the app, and writes what Graph returns. A store that
//! fails (full disk, unreadable) is a warning; the app keeps working from memory.
//!
//! Every command writes to the store of the workspace it was issued in: the worker loop takes a
//! [`StoreHandle`] for each command when it arrives (commands arrive in the order `update` issued
//! them, and opening another workspace is one of them), and what the command's answers say is
//! written through that handle, whichever workspace is open by the time they land.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use sctui_graph::conversation::{PromptRuns, Turn, latest_turns};
use sctui_graph::models::Session;
use tokio::sync::mpsc;

use super::protocol::{Event, SearchResult, StoreProblem, StoreUnavailable, StoredSessions};
use crate::store::{Access, CancelSearch, SearchBudget, Store, StoreError, StoreTarget};

/// The local store as the worker holds it: the store of the workspace opened last, and what
/// every workspace's store shares (one warning per run, one search at a time).
pub struct Persist {
    target: Mutex<StoreTarget>,
    store: Mutex<Option<Arc<Store>>>,
    warned: AtomicBool,
    events: mpsc::UnboundedSender<Event>,
    /// The newest search asked for (its request's number): an older one still waiting for its
    /// turn is skipped, so typing fast never queues a search per keystroke.
    latest_search: AtomicU64,
    /// One search at a time (they share the store's search connection anyway).
    searching: tokio::sync::Mutex<()>,
    /// The search running now (its request's number) and how to stop it: a newer search or
    /// quitting stops it at once instead of waiting for its answer.
    running: Mutex<Option<(u64, CancelSearch)>>,
    /// Set when the worker stops: no search starts after it.
    closed: AtomicBool,
}

/// Where one command's results are written: the store of the workspace the command was issued
/// in (`None` inside when that workspace has no store: off, or it could not be opened).
#[derive(Clone)]
pub struct StoreHandle {
    persist: Arc<Persist>,
    store: Option<Arc<Store>>,
}

impl Persist {
    /// The stores of `target`'s Graph host and tenant; none is open until
    /// [`Persist::open_workspace`] opens one, off the UI thread.
    pub fn new(target: StoreTarget, events: mpsc::UnboundedSender<Event>) -> Arc<Self> {
        Arc::new(Self {
            target: Mutex::new(target),
            store: Mutex::new(None),
            warned: AtomicBool::new(false),
            events,
            latest_search: AtomicU64::new(0),
            searching: tokio::sync::Mutex::new(()),
            running: Mutex::new(None),
            closed: AtomicBool::new(false),
        })
    }

    /// Opens the store of `workspace` (the handles taken from now on write to it) and returns
    /// its stored list (even when empty; `None` when the store is off or failed to open). A
    /// handle taken before keeps writing to the store it was taken from.
    pub async fn open_workspace(self: &Arc<Self>, workspace: &str) -> Option<StoredSessions> {
        let target = {
            let mut target = lock(&self.target);
            *target = target.for_workspace(workspace);
            target.clone()
        };
        *lock(&self.store) = None;
        let opened = tokio::task::spawn_blocking(move || {
            let opened = target.open()?;
            let Some(opened) = opened else {
                return Ok(None);
            };
            let sessions = crate::store::stored_sessions(&opened.store)?;
            let info = crate::store::list_info(opened.store.list_info()?);
            Ok::<_, StoreError>(Some((opened, sessions, info)))
        })
        .await;
        match opened {
            Ok(Ok(Some((opened, sessions, info)))) => {
                if let Some(recovered) = opened.recovered {
                    self.warn(StoreProblem::Recovered(recovered.to_string()));
                }
                // said once here; each refused write is only logged
                if opened.store.access() == Access::ReadOnly {
                    self.warn(StoreProblem::ReadOnly);
                }
                *lock(&self.store) = Some(Arc::new(opened.store));
                // even empty: offline, that is all there is to show
                Some(StoredSessions { sessions, info })
            }
            Ok(Ok(None)) => None,
            Ok(Err(e)) => {
                self.failed(e);
                None
            }
            Err(e) => {
                self.warn(StoreProblem::OpenAborted(e.to_string()));
                None
            }
        }
    }

    /// A handle on the store open now, for a command that just arrived.
    pub fn handle(self: &Arc<Self>) -> StoreHandle {
        StoreHandle {
            persist: self.clone(),
            store: lock(&self.store).clone(),
        }
    }

    /// Notes that search number `seq` was asked for (in the worker loop, in the order the
    /// commands come, before any of them runs). A search already running for an older request
    /// is stopped at once.
    pub fn note_search(&self, seq: u64) {
        self.latest_search.fetch_max(seq, Ordering::Relaxed);
        if let Some((running, cancel)) = &*lock(&self.running)
            && *running < seq
        {
            cancel.cancel();
        }
    }

    /// Stops the running search and refuses new ones (the worker is ending: no one waits).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        if let Some((_, cancel)) = &*lock(&self.running) {
            cancel.cancel();
        }
    }

    fn failed(&self, error: StoreError) {
        tracing::warn!(%error, "local store");
        if let StoreError::SetAside(recovered) = &error {
            self.warn(StoreProblem::Recovered(recovered.to_string()));
        } else if error.is_full() || error.is_gone() {
            self.warn(StoreProblem::Failed(error.to_string()));
        }
    }

    /// Tells the user once per run; the log has every occurrence.
    fn warn(&self, problem: StoreProblem) {
        if !self.warned.swap(true, Ordering::Relaxed) {
            let _ = self.events.send(Event::StoreWarning { problem });
        }
    }
}

impl StoreHandle {
    /// Stores sessions as Graph returned them (a rename, a create).
    pub async fn sessions(&self, sessions: Vec<Session>) {
        self.write(move |store| crate::store::put_sessions(store, &sessions, Timestamp::now()))
            .await;
    }

    /// Forgets the sessions the session catalogue found gone from Graph.
    pub async fn forget(&self, ids: Vec<String>, listing_complete: bool) {
        self.write(move |store| store.forget_sessions(&ids, listing_complete))
            .await;
    }

    /// Stores a conversation just read from Graph with every run of its questions: the newest
    /// runs as the conversation, and every run for the stats.
    pub async fn conversation_runs(&self, session_id: String, runs: &[PromptRuns]) {
        let runs = runs.to_vec();
        self.write(move |store| {
            let turns = latest_turns(runs.clone());
            crate::store::put_turns(store, &session_id, None, &turns, Timestamp::now())?;
            crate::store::put_prompt_runs(store, &session_id, &runs)
        })
        .await;
    }

    /// The stored conversation of a session, if any.
    pub async fn stored_conversation(&self, session_id: String) -> Option<Vec<Turn>> {
        let store = self.store.clone()?;
        tokio::task::spawn_blocking(move || store.conversation(&session_id))
            .await
            .ok()?
            .ok()
            .flatten()
            .map(|c| crate::store::turns_from(&c))
    }

    /// The store this handle writes to, if any (for a sync from the TUI).
    pub fn store(&self) -> Option<Arc<Store>> {
        self.store.clone()
    }

    /// The best `limit` hits for `query`, searched on a blocking thread once the searches before
    /// it are done, within the target's time budget; `None` when a newer search was asked for
    /// meanwhile or the worker is ending (no one waits for this one any more).
    pub async fn search(
        &self,
        seq: u64,
        query: String,
        limit: usize,
    ) -> Option<Result<Vec<SearchResult>, StoreUnavailable>> {
        let persist = &self.persist;
        let _turn = persist.searching.lock().await;
        let superseded = || {
            persist.latest_search.load(Ordering::Relaxed) > seq
                || persist.closed.load(Ordering::Relaxed)
        };
        if superseded() {
            return None;
        }
        let budget = SearchBudget::new(lock(&persist.target).search_time);
        *lock(&persist.running) = Some((seq, budget.cancel.clone()));
        // a newer search noted between the check and now found nothing to stop
        if superseded() {
            budget.cancel.cancel();
        }
        let result = self.search_now(query, limit, budget).await;
        *lock(&persist.running) = None;
        match result {
            Ok(hits) => Some(Ok(hits
                .into_iter()
                .map(crate::store::search_result)
                .collect())),
            Err(None) => Some(Err(StoreUnavailable::NotOpen)),
            Err(Some(StoreError::SearchCancelled)) => None,
            // damage found: the store was set aside and a new one started; said once in the
            // status, and in the search view
            Err(Some(StoreError::SetAside(recovered))) => {
                let said = recovered.to_string();
                persist.warn(StoreProblem::Recovered(said.clone()));
                Some(Err(StoreUnavailable::Failed(said)))
            }
            Err(Some(error)) => Some(Err(crate::store::unavailable(error))),
        }
    }

    async fn search_now(
        &self,
        query: String,
        limit: usize,
        budget: SearchBudget,
    ) -> Result<Vec<crate::store::Hit>, Option<StoreError>> {
        // `Err(None)`: no store is open to search
        let store = self.store().ok_or(None)?;
        tokio::task::spawn_blocking(move || store.search_within(&query, limit, &budget))
            .await
            .map_err(|e| StoreError::Io {
                path: std::path::PathBuf::new(),
                source: std::io::Error::other(format!("search task failed: {e}")),
            })?
            .map_err(Some)
    }

    async fn write(&self, f: impl FnOnce(&Store) -> Result<(), StoreError> + Send + 'static) {
        let Some(store) = self.store.clone() else {
            return;
        };
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.persist.failed(e),
            Err(e) => tracing::warn!(error = %e, "store write task failed"),
        }
    }
}

impl Drop for Persist {
    /// The runtime drops the worker's tasks on the way out and then waits for blocking threads:
    /// a search still running must end now, not when its budget runs out.
    fn drop(&mut self) {
        self.close();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_search_superseded_before_its_turn_is_skipped() {
        let (events, _rx) = mpsc::unbounded_channel();
        let target = StoreTarget::new(true, "", "t", "w", false);
        let persist = Persist::new(target, events);
        persist.note_search(3);
        persist.note_search(5);
        let handle = persist.handle();
        assert!(handle.search(3, "x".into(), 10).await.is_none());
        // the newest runs (here: no store is open, which it says)
        assert!(matches!(
            handle.search(5, "x".into(), 10).await,
            Some(Err(StoreUnavailable::NotOpen))
        ));
    }

    /// A newer keystroke's search stops the one running at once (not after its budget), an
    /// older one does not, and the worker ending stops whatever runs.
    #[test]
    fn a_newer_search_or_closing_stops_the_running_one() {
        let (events, _rx) = mpsc::unbounded_channel();
        let persist = Persist::new(StoreTarget::new(true, "", "t", "w", false), events);
        let running = CancelSearch::default();
        *lock(&persist.running) = Some((5, running.clone()));
        persist.note_search(4);
        assert!(!running.is_cancelled(), "an older request stops nothing");
        persist.note_search(6);
        assert!(running.is_cancelled(), "a newer request stops it");
        let next = CancelSearch::default();
        *lock(&persist.running) = Some((6, next.clone()));
        drop(persist);
        assert!(next.is_cancelled(), "quitting stops it");
    }
}
