//! What CLI commands add to the local store as they go (a run they saw, the plugins they
//! listed) and what they read from it before sending (disabled plugins a question names). The
//! store only adds here: a store that is off or broken costs a warning, never the command.

use crate::store::{Store, StoreTarget};

/// The store for work that only adds to it (a re-run's evaluation, a plugin listing): a store
/// that is off or cannot be opened costs a warning, never the command.
pub(crate) fn open_for_recording(target: &StoreTarget) -> Option<Store> {
    match target.open() {
        Ok(Some(opened)) => Some(opened.store),
        Ok(None) => None,
        Err(e) => {
            crate::output::eprintln!("sctui: warning: the local store is not used: {e}");
            None
        }
    }
}

/// Records `what` in the store when there is one; a failure is a warning.
pub(crate) fn record(
    store: Option<&Store>,
    what: impl FnOnce(&Store) -> Result<(), crate::store::StoreError>,
) {
    if let Some(store) = store
        && let Err(e) = what(store)
    {
        crate::output::eprintln!("sctui: warning: not recorded in the local store: {e}");
    }
}

/// Records one evaluation for `sctui stats`, when there is a store.
pub(crate) fn record_evaluation(
    store: Option<&Store>,
    session_id: &str,
    prompt_id: &str,
    evaluation: &sctui_graph::models::Evaluation,
) {
    let run = crate::store::evaluation_record(session_id, prompt_id, evaluation);
    record(store, |s| s.put_evaluations(std::slice::from_ref(&run)));
}

/// Warns on stderr when `question` names a plugin the stored listing says is turned off (no
/// request: the last `sctui plugins list` or TUI listing is what is known).
pub(crate) fn warn_disabled_plugins(store: Option<&Store>, question: &str) {
    let Some(stored) = store.and_then(|s| s.plugins().ok().flatten()) else {
        return;
    };
    let plugins = crate::store::plugins_from(&stored);
    if let Some(warning) = crate::plugins::disabled_warning(question, &plugins) {
        crate::output::eprintln!("sctui: warning: {warning}");
    }
}
