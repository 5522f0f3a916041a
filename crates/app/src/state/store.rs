//! What the TUI shows of the local store besides the list: the search view (`f`), the sync
//! gauge (`S`), and reconnecting to Graph after it could not be reached at start. Plain data;
//! `update/search.rs` and `update/sync.rs` change it.

use tui_input::Input;

use super::super::requests::RequestId;
use crate::sanitize::CleanLine;

/// The search view: the query as typed, and the hits of the last search that came back.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    /// The query as typed (FTS5 syntax: see `sctui_store::to_fts`).
    pub input: Input,
    /// The hits of [`Self::searched`], best first.
    pub results: Vec<SearchResult>,
    /// The result the cursor is on.
    pub selected: usize,
    /// The first result shown (kept so the selection stays in view without jumping).
    pub offset: usize,
    /// The query the results are for (`None` before the first search, or after clearing it).
    pub searched: Option<String>,
    /// Why the last search did not work, shown instead of results.
    pub problem: Option<crate::advice::Problem>,
}

impl SearchView {
    /// The first result drawn when `per_page` fit: the kept offset, moved just enough to show
    /// the selection.
    pub fn first_shown(&self, per_page: usize) -> usize {
        let per_page = per_page.max(1);
        if self.selected < self.offset {
            self.selected
        } else if self.selected >= self.offset + per_page {
            self.selected + 1 - per_page
        } else {
            self.offset
        }
    }
}

/// One hit as the view draws it, derived once when it arrives: every piece of server text
/// sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchResult {
    /// The session the hit is in (opened by `Enter`).
    pub session_id: String,
    /// The session's name as drawn (`None`: untitled).
    pub name: Option<CleanLine<'static>>,
    /// The matching question (0-based) and its prompt id; `None` for a match in the name.
    pub turn: Option<(usize, String)>,
    /// The snippet in pieces, each with whether it is a match.
    pub snippet: Vec<(CleanLine<'static>, bool)>,
    /// The session's `lastModifiedDateTime` as stored (to show the session when it is not in the
    /// list).
    pub modified: Option<String>,
}

impl SearchResult {
    /// The drawn form of a hit in `session_id` (named `name`): in its question `turn` (position
    /// and prompt id) or in its name, `snippet` in pieces each with whether it matched.
    pub fn new(
        session_id: String,
        name: Option<&str>,
        turn: Option<(usize, String)>,
        snippet: &[(&str, bool)],
        modified: Option<String>,
    ) -> Self {
        let name = name
            .map(|n| CleanLine::new(n).trim().into_owned())
            .filter(|n| !n.is_empty());
        let snippet = snippet
            .iter()
            .map(|(text, matched)| (CleanLine::new(*text).into_owned(), *matched))
            .filter(|(text, _)| !text.is_empty())
            .collect();
        Self {
            session_id,
            name,
            turn,
            snippet,
            modified,
        }
    }
}

/// A sync of every conversation started with `S`, and how far it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncGauge {
    /// The sync's request (the sync key again stops it).
    pub req: RequestId,
    /// The last step the worker reported.
    pub progress: crate::protocol::Progress,
}

impl SyncGauge {
    /// How far, from 0 to 1 (listing counts as the start).
    pub fn ratio(&self) -> f64 {
        use crate::protocol::Progress;
        match self.progress {
            Progress::Listing { .. } => 0.0,
            Progress::Conversations { done, total, .. } if total > 0 => {
                (done as f64 / total as f64).clamp(0.0, 1.0)
            }
            Progress::Conversations { .. } => 1.0,
        }
    }
}

/// Asking Graph for the list again after it could not be reached at start: how many tries
/// failed in a row, and when the next one is due (the runtime's timer brings `Msg::Reconnect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reconnect {
    /// Tries that failed in a row (the header counts them; the wait doubles with each).
    pub failures: u32,
    /// Seconds until the next try, as armed.
    pub wait_secs: u64,
    /// Graph has answered a page in this workspace (a failure after that is not a failed start).
    pub reached: bool,
}

/// The first wait after a failed start; it doubles each time up to [`RECONNECT_MAX_SECS`].
pub const RECONNECT_FIRST_SECS: u64 = 2;
/// The longest wait between tries.
pub const RECONNECT_MAX_SECS: u64 = 60;

impl Reconnect {
    /// Whether the list on screen is not Graph's yet: from the store, or nothing at all, before
    /// Graph has answered once.
    pub fn before_graph(&self, state: &super::State) -> bool {
        state.stored.is_some() || !self.reached
    }

    /// Whether Graph is to be called unreachable: a try at start failed and no page has
    /// arrived since (through the tries after it, so the screen does not flicker back to
    /// "refreshing" on each).
    pub fn unreachable(&self, state: &super::State) -> bool {
        self.failures > 0 && self.before_graph(state)
    }

    /// The wait before the try after `failures` failures in a row: 2 s, 4 s, 8 s … 60 s.
    pub fn wait_after(failures: u32) -> u64 {
        let doubled =
            RECONNECT_FIRST_SECS.saturating_mul(1u64 << failures.saturating_sub(1).min(16));
        doubled.min(RECONNECT_MAX_SECS)
    }
}
