//! sctui's local store: a cache of what Graph returned (session names, questions, answers), kept in
//! one SQLite file per Graph host, tenant and workspace, with a full-text index over all of it.
//!
//! Graph stays the truth: the store only makes start-up instant, lets filter and sort cover every
//! known session, answers full-text searches and keeps reading possible offline. Everything here is
//! blocking (SQLite): async callers run it on a blocking thread, never on the UI thread.
//!
//! A file that is not a sctui store, is damaged, or was written by a newer sctui is moved aside
//! (`….corrupt-<time>`) and a fresh one is made: the store never refuses to start over a cache.
//! Damage deeper inside the file is set aside the same way when a read or write first meets it
//! ([`StoreError::SetAside`]).
//! A store that can only be read (a read-only file system, no write permission) opens read-only:
//! reads and searches work, writes are refused ([`StoreError::ReadOnly`]).

mod error;
mod evaluations;
mod key;
mod open;
mod plugins;
mod query;
mod rank;
mod runs;
mod schema;
mod search;
mod snippet;
mod store;
mod users;

pub use error::StoreError;
pub use evaluations::EvaluationRecord;
pub use key::{StoreKey, default_dir, readable_parts};
pub use open::{Access, BadFile, Opened, Recovered, clear};
pub use plugins::{PluginRecord, StoredPlugins};
pub use query::{QueryProblem, to_fts};
pub use runs::{RunClaim, RunRecord, RunStepRecord};
pub use schema::{APPLICATION_ID, current_version};
pub use search::{
    CancelSearch, DEFAULT_SEARCH_TIME, HIGHLIGHT_END, HIGHLIGHT_START, Hit, HitKind, SearchBudget,
    Snippet,
};
pub use store::{
    Cleaner, ListInfo, SessionRecord, SessionRow, Stats, Store, StoredConversation, StoredTurn,
    TurnRecord,
};
