//! The sync key: syncs the list and every conversation into the local store through the same
//! code as `sctui sync --conversations` (on the worker), with a gauge in the status line; the
//! key again stops it (what was stored is kept, and the next sync goes on from there). A search
//! shown in the search view runs again when a sync ends.

use super::offline::offline_refusal;
use super::search::run_search;
use super::{error_text, from_error, info, warning};
use crate::output::Output;
use crate::protocol::{Command, Progress, StoreUnavailable, SyncFailure, SyncReport};
use crate::requests::{Pending, RequestId};
use crate::state::State;
use crate::state::store::SyncGauge;

/// Starts a sync, or stops the one running.
pub(super) fn start_sync(state: &mut State) -> Output {
    if state.settings.offline {
        return Output::from(offline_refusal("syncing"));
    }
    if let Some(gauge) = state.sync.take() {
        state.requests.finish(gauge.req);
        return Output::from(Command::StopSync { req: gauge.req }).saying(info(
            "Sync stopped: what it fetched is kept, and the next sync goes on from there",
        ));
    }
    let req = state.requests.start(Pending::Sync);
    state.sync = Some(SyncGauge {
        req,
        progress: Progress::Listing { sessions: 0 },
    });
    Command::Sync {
        req,
        concurrency: state.settings.sync_concurrency,
    }
    .into()
}

/// A step of the sync: the gauge follows it.
pub(super) fn on_sync_progress(state: &mut State, req: RequestId, progress: Progress) -> Output {
    if let Some(gauge) = state.sync.as_mut().filter(|g| g.req == req) {
        gauge.progress = progress;
    }
    Output::none()
}

/// The sync ended: the gauge goes and the status says what it did.
pub(super) fn on_synced(
    state: &mut State,
    req: RequestId,
    result: Result<SyncReport, SyncFailure>,
) -> Output {
    if state.sync.is_some_and(|g| g.req == req) {
        state.sync = None;
    }
    let mut out = Output::from(match result {
        Ok(report) => {
            let done = format!(
                "Synced {} sessions ({} removed): {} conversations fetched, {} unchanged",
                report.sessions, report.removed, report.fetched, report.unchanged
            );
            match &report.first_failure {
                Some(error) => from_error(
                    &format!("{done}, {} failed; the first", report.failed),
                    error,
                ),
                None => info(done),
            }
        }
        Err(SyncFailure::Unavailable(StoreUnavailable::Off)) => warning(
            "Nothing to sync into: the local store is off ([store] enabled = false or --no-store)",
        ),
        Err(SyncFailure::Unavailable(e)) => error_text(format!("Sync failed: {e}")),
        Err(SyncFailure::ReadOnly) => warning(
            "Nothing synced: the local store can only be read (a read-only file system, or no \
             write permission)",
        ),
        Err(SyncFailure::Graph(error)) => from_error("Sync failed", &error),
        Err(SyncFailure::Store(e)) => {
            error_text(crate::sanitize::sanitize_line(&format!("Sync failed: {e}")).into_owned())
        }
    });
    // what the search view shows may have changed: search again
    if state.search.searched.is_some() {
        out.merge(run_search(state));
    }
    out
}
