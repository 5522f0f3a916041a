//! Neighbour prefetch, the worker's side: while the user reads a conversation, the next and
//! previous sessions' conversations are fetched in the background so that moving on shows them
//! at once.
//!
//! The bounds are what make it safe to leave on:
//! - **one prefetch at a time**: a new wish replaces the old one and aborts it (its requests are
//!   dropped, which cancels them), and the selection moving on sends an empty wish;
//! - **few requests in flight**: every prefetch request, the prompts list included, first takes a
//!   permit from a gate of [`PREFETCH_IN_FLIGHT`], shared across replacements, so an aborted
//!   prefetch still winding down and its successor together never exceed it;
//! - **user requests never wait for it**: what the user asks for runs on its own task and never
//!   touches the gate, so it is never queued behind a prefetch.
//!
//! The sessions are fetched one after the other, in the order given (the next one first: that is
//! where readers usually go).

use std::sync::Arc;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::{AbortHandle, JoinSet};

use super::protocol::Event;
use sctui_graph::GraphClient;
use sctui_graph::conversation::load_prompt_runs_gated;

/// The most requests all prefetching together has in flight: a neighbour of up to three prompts
/// arrives in two round trips, and a far or busy Graph sees little extra load.
pub const PREFETCH_IN_FLIGHT: usize = 4;

/// Runs at most one prefetch at a time under a shared gate (see the module docs).
#[derive(Debug)]
pub struct Prefetcher {
    gate: Arc<Semaphore>,
    limit: usize,
    current: Option<AbortHandle>,
    wanted: Vec<String>,
}

impl Default for Prefetcher {
    fn default() -> Self {
        Self::new(PREFETCH_IN_FLIGHT)
    }
}

impl Prefetcher {
    /// A prefetcher whose requests never exceed `in_flight` at once.
    pub fn new(in_flight: usize) -> Self {
        Self {
            gate: Arc::new(Semaphore::new(in_flight.max(1))),
            limit: in_flight.max(1),
            current: None,
            wanted: Vec::new(),
        }
    }

    /// Replaces what is being prefetched with `session_ids` (in order; empty cancels). The
    /// conversations arrive as [`Event::ConversationPrefetched`]; failures are only logged (the
    /// user's own load will say what is wrong, if the user goes there).
    pub fn want(
        &mut self,
        session_ids: Vec<String>,
        client: &GraphClient,
        tasks: &mut JoinSet<()>,
        events: &mpsc::UnboundedSender<Event>,
    ) {
        self.cancel();
        if session_ids.is_empty() {
            return;
        }
        self.wanted = session_ids.clone();
        let (client, gate, events) = (client.clone(), self.gate.clone(), events.clone());
        let limit = self.limit;
        self.current = Some(tasks.spawn(async move {
            for session_id in session_ids {
                let workspace = client.workspace().to_string();
                let loaded = load_prompt_runs_gated(&client, &session_id, limit, Some(&gate)).await;
                match loaded {
                    Ok(runs) => {
                        let _ = events.send(Event::ConversationPrefetched {
                            workspace,
                            session_id,
                            runs,
                        });
                    }
                    Err(error) => {
                        tracing::debug!(%error, "prefetching a conversation failed");
                    }
                }
            }
        }));
    }

    /// Aborts the prefetch in progress, if any.
    pub fn cancel(&mut self) {
        if let Some(task) = self.current.take() {
            task.abort();
        }
        self.wanted.clear();
    }

    /// The sessions of the prefetch in progress (empty when none was asked for or it was
    /// cancelled).
    pub fn wanted(&self) -> &[String] {
        &self.wanted
    }
}
