//! What the TUI and its worker say to each other: [`Command`]s in, [`Event`]s out, each tagged
//! with the [`RequestId`] the app's request ledger awaits. Its own module so that the worker's
//! helpers (prefetch, persist) can speak it without depending on the worker loop.

use std::path::PathBuf;

use sctui_graph::conversation::{FollowError, PromptRuns, Turn};
use sctui_graph::models::{Evaluation, Page, Prompt, Session};
use sctui_graph::{GraphError, ListQuery, RetryNotice};

pub use crate::state::store::SearchResult;

/// Names one request (kept by `app::requests`, the store of what is awaited): the workspace epoch it belongs to and its number within the app's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    /// Bumped by a workspace switch: answers from an older workspace never land in the new one.
    pub epoch: u32,
    /// Unique across the app's life (never reused, even across epochs).
    pub seq: u64,
}

/// Work the UI asks for. Each carries its [`RequestId`], so late answers are recognised (and
/// dropped when no longer awaited).
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Load the first page.
    LoadFirstPage { req: RequestId, query: ListQuery },
    /// Follow a `@odata.nextLink`.
    LoadNextPage { req: RequestId, link: String },
    /// Start walking the whole list again with big pages (`query.top` is the bulk page size); its
    /// pages merge into what is loaded instead of replacing it.
    LoadBulkPage { req: RequestId, query: ListQuery },
    /// PATCH a new display name on session `id`.
    Rename {
        req: RequestId,
        id: String,
        name: String,
    },
    /// Load a session's prompts and their latest evaluations.
    LoadConversation { req: RequestId, session_id: String },
    /// Fetch these sessions' conversations in the background, in order, replacing (and
    /// aborting) any prefetch in progress; empty cancels. See [`super::prefetch`]. Not a request
    /// the user waits on: it has no id, and its answers name their workspace instead.
    Prefetch { session_ids: Vec<String> },
    /// Ask a question: in `session`, or in a new session named after the question; then follow
    /// the evaluation until it settles. `req` names this ask (and its follow) from then on.
    Ask {
        req: RequestId,
        session: Option<Session>,
        text: String,
    },
    /// Poll an evaluation that was already running when its conversation loaded.
    Follow {
        req: RequestId,
        session_id: String,
        prompt_id: String,
        evaluation_id: String,
    },
    /// Stop the ask or follow `req` (the evaluation keeps running on the service).
    StopFollow { req: RequestId },
    /// Write a session's conversation in `format` to `path` (a new file, 0600).
    Export {
        req: RequestId,
        session: Session,
        path: PathBuf,
        format: crate::export::Format,
    },
    /// List the workspaces for the picker.
    LoadWorkspaces { req: RequestId },
    /// Work in `workspace` from now on (at start, and on a switch): every command issued after
    /// this one belongs to it, its Graph calls and what they store. Answered with
    /// [`Event::StoredList`] once the workspace's local store is open.
    OpenWorkspace { req: RequestId, workspace: String },
    /// Start the device-code sign-in (the TUI shows the code in a popup).
    StartSignIn { req: RequestId },
    /// Give up the sign-in in progress.
    CancelSignIn,
    /// Start a new evaluation of a question already saved (the retry key), then follow it like
    /// an ask; never posts the question again.
    Evaluate {
        req: RequestId,
        session_id: String,
        prompt_id: String,
    },
    /// Fork a session: create a session called `name` and ask `questions` in it in order, each
    /// after the answer to the one before, as a run saved step by step in the local store (so
    /// `sctui promptbook resume` finishes one stopped half-way without asking anything twice).
    Fork {
        req: RequestId,
        /// The session forked (kept with the run in the store).
        source: String,
        name: String,
        questions: Vec<String>,
    },
    /// Full-text search of the local store (on a blocking thread, never the UI's): the best
    /// `limit` hits for `query`.
    Search {
        req: RequestId,
        query: String,
        limit: usize,
    },
    /// Sync the list and every conversation into the local store, as `sctui sync
    /// --conversations` does, reporting progress as it goes.
    Sync { req: RequestId, concurrency: usize },
    /// Stop the sync `req` (what it stored so far is kept; the next sync goes on from there).
    StopSync { req: RequestId },
    /// Read a conversation from the local store only (`--offline`): no request to Graph.
    LoadStoredConversation { req: RequestId, session_id: String },
    /// Remove these sessions from the local store: Graph no longer has them. The session
    /// catalogue decides (a read answered 404, or a listing of every session ended without
    /// them: then `listing_complete`, and the store records its list as complete).
    Forget {
        ids: Vec<String>,
        listing_complete: bool,
    },
    /// Write a session's stored conversation in `format` to `path` (`--offline`: no request to
    /// Graph).
    ExportStored {
        req: RequestId,
        session: Session,
        path: PathBuf,
        format: crate::export::Format,
    },
}

/// What happened, for `app::update`. Every answer names the request it answers.
#[derive(Debug)]
pub enum Event {
    /// A page arrived (`first` for a load's page 1).
    PageLoaded {
        req: RequestId,
        first: bool,
        page: Page<Session>,
    },
    /// A page failed to load.
    PageFailed { req: RequestId, error: GraphError },
    /// A rename landed; `session` is the server's version.
    Renamed { req: RequestId, session: Session },
    /// A rename failed; `name` is what the user typed.
    RenameFailed {
        req: RequestId,
        id: String,
        name: String,
        error: GraphError,
    },
    /// A session was created (by ask `req`); its prompt follows.
    Created { req: RequestId, session: Session },
    /// Creating the session failed; the typed text is kept in the prompt box.
    CreateFailed { req: RequestId, error: GraphError },
    /// The question was posted and its evaluation started; following begins.
    Asked {
        req: RequestId,
        session_id: String,
        prompt: Prompt,
        evaluation: Evaluation,
    },
    /// Starting a retried question's evaluation failed.
    EvaluateFailed {
        req: RequestId,
        session_id: String,
        prompt_id: String,
        error: GraphError,
    },
    /// Posting the question or starting its evaluation failed after the session existed.
    AskFailed {
        req: RequestId,
        session: Session,
        prompt: Option<Prompt>,
        error: GraphError,
    },
    /// A newer version of a followed evaluation.
    EvaluationUpdated {
        req: RequestId,
        session_id: String,
        prompt_id: String,
        evaluation: Evaluation,
    },
    /// Following ended: settled (`Ok`), deadline, or an error.
    FollowEnded {
        req: RequestId,
        session_id: String,
        result: Result<(), FollowError>,
    },
    /// A conversation arrived: each question with every run of it, newest first.
    ConversationLoaded {
        req: RequestId,
        session_id: String,
        runs: Vec<PromptRuns>,
    },
    /// A neighbour's conversation, fetched in the background (`workspace` is the one it was read
    /// from, so a late answer after a switch is dropped). Failures are not reported.
    ConversationPrefetched {
        workspace: String,
        session_id: String,
        runs: Vec<PromptRuns>,
    },
    /// How far a fork is (many per fork, before [`Event::Forked`]).
    ForkProgress {
        req: RequestId,
        progress: ForkProgress,
    },
    /// A fork's run ended: the new session (once it was made) and how the run ended.
    Forked {
        req: RequestId,
        session: Option<Session>,
        end: ForkEnd,
    },
    /// A conversation failed to load.
    ConversationFailed {
        req: RequestId,
        session_id: String,
        error: GraphError,
    },
    /// The export was written.
    Exported { req: RequestId, path: PathBuf },
    /// The export failed.
    ExportFailed { req: RequestId, error: ExportError },
    /// The workspaces for the picker.
    WorkspacesLoaded {
        req: RequestId,
        workspaces: Vec<sctui_graph::models::Workspace>,
    },
    /// Listing workspaces failed.
    WorkspacesFailed { req: RequestId, error: GraphError },
    /// Sign-in needs the user: open `verification_uri` and enter `user_code`.
    SignInPrompt {
        req: RequestId,
        verification_uri: String,
        user_code: String,
        message: String,
    },
    /// Sign-in finished; `who` is the account, when the tokens name it.
    SignedIn { req: RequestId, who: Option<String> },
    /// Sign-in failed.
    SignInFailed { req: RequestId, error: SignInError },
    /// A request is waiting before a retry (throttling or a network hiccup).
    Retrying(RetryNotice),
    /// The workspace of [`Command::OpenWorkspace`] `req` is open: the session list its local
    /// store keeps (shown before Graph answers), or `None` when there is no store to read (off,
    /// or it could not be opened: a [`Event::StoreWarning`] says why).
    StoredList {
        req: RequestId,
        stored: Option<StoredSessions>,
    },
    /// A conversation from the local store, while request `req` fetches it from Graph.
    ConversationStored {
        req: RequestId,
        session_id: String,
        turns: Vec<Turn>,
    },
    /// The local store failed in a way worth telling once (a full disk, a file set aside).
    StoreWarning { problem: StoreProblem },
    /// A search of the local store finished: its hits for `query`, or why it failed.
    Searched {
        req: RequestId,
        query: String,
        result: Result<Vec<SearchResult>, StoreUnavailable>,
    },
    /// How far a sync is (many per sync, before [`Event::Synced`]).
    SyncProgress { req: RequestId, progress: Progress },
    /// A sync ended: what it did, or why it stopped.
    Synced {
        req: RequestId,
        result: Result<SyncReport, SyncFailure>,
    },
    /// A conversation read from the local store only (`--offline`); `None` when it was never
    /// stored.
    ConversationFromStore {
        req: RequestId,
        session_id: String,
        turns: Option<Vec<Turn>>,
    },
}

impl Event {
    /// The request this event answers (`None` for a retry notice, which is about the client, and
    /// for a prefetched conversation, which no one waits on).
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Self::PageLoaded { req, .. }
            | Self::PageFailed { req, .. }
            | Self::Renamed { req, .. }
            | Self::RenameFailed { req, .. }
            | Self::Created { req, .. }
            | Self::CreateFailed { req, .. }
            | Self::Asked { req, .. }
            | Self::AskFailed { req, .. }
            | Self::EvaluationUpdated { req, .. }
            | Self::EvaluateFailed { req, .. }
            | Self::FollowEnded { req, .. }
            | Self::ConversationLoaded { req, .. }
            | Self::ConversationFailed { req, .. }
            | Self::Exported { req, .. }
            | Self::ExportFailed { req, .. }
            | Self::WorkspacesLoaded { req, .. }
            | Self::WorkspacesFailed { req, .. }
            | Self::SignInPrompt { req, .. }
            | Self::SignedIn { req, .. }
            | Self::SignInFailed { req, .. }
            | Self::ConversationStored { req, .. }
            | Self::Searched { req, .. }
            | Self::SyncProgress { req, .. }
            | Self::Synced { req, .. }
            | Self::ConversationFromStore { req, .. }
            | Self::ForkProgress { req, .. }
            | Self::Forked { req, .. }
            | Self::StoredList { req, .. } => Some(*req),
            Self::Retrying(_) | Self::ConversationPrefetched { .. } | Self::StoreWarning { .. } => {
                None
            }
        }
    }

    /// Whether this is the last event of its request (an ask also reports its creation, posting
    /// and each new version of its answer before it ends; a sign-in its code).
    pub fn ends_request(&self) -> bool {
        !matches!(
            self,
            Self::Retrying(_)
                | Self::ConversationPrefetched { .. }
                | Self::Created { .. }
                | Self::Asked { .. }
                | Self::EvaluationUpdated { .. }
                | Self::SignInPrompt { .. }
                | Self::ConversationStored { .. }
                | Self::StoreWarning { .. }
                | Self::SyncProgress { .. }
                | Self::ForkProgress { .. }
        )
    }
}

/// How far a fork's run is: its questions asked and answered so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkProgress {
    pub asked: usize,
    pub answered: usize,
    pub total: usize,
    /// Seconds left of a wait for capacity (Security Copilot was out of it), while waiting.
    pub waiting_secs: Option<u64>,
}

/// How a fork's run ended; `update` words it.
#[derive(Debug)]
pub enum ForkEnd {
    /// Every question was asked and answered.
    Answered,
    /// Question `step` (from 1) ended without an answer; the questions after it were not asked.
    Unanswered { step: usize },
    /// The run stopped (Graph, the store, a deadline): saved as interrupted, it resumes with
    /// `sctui promptbook resume RUN` when the store keeps it (`run`).
    Stopped { run: Option<i64>, error: String },
}

/// The session list a workspace's local store keeps, and how fresh it is.
#[derive(Debug)]
pub struct StoredSessions {
    pub sessions: Vec<Session>,
    pub info: ListInfo,
}

/// How much of a workspace's list the local store holds, and how fresh it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListInfo {
    /// Sessions known to the store.
    pub known: usize,
    /// When a page of the list was last stored.
    pub updated: Option<jiff::Timestamp>,
    /// When a listing last reached its end (so the store held every session then).
    pub complete: Option<jiff::Timestamp>,
}

/// Requests in flight at once unless configured (`[store] sync_concurrency`, `--concurrency`).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// How far a sync is, for a progress bar or a gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Pages of the list so far: `sessions` listed.
    Listing { sessions: usize },
    /// Conversations: `done` of `total` to fetch or check, `unchanged` of the done ones found
    /// stored and unchanged (their prompts listed, nothing new).
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
    /// Conversations already stored and unchanged (one request listed their prompts: nothing
    /// new), not fetched again.
    pub unchanged: usize,
    /// Conversations that could not be fetched (the first error is kept).
    pub failed: usize,
    pub first_failure: Option<GraphError>,
}

/// What went wrong with the local store, worth telling the user once (`update` words it; each
/// carries the store's own account of it).
#[derive(Debug)]
pub enum StoreProblem {
    /// A bad store file was set aside and a fresh store made.
    Recovered(String),
    /// The store failed (a full disk, say): the app keeps working from memory.
    Failed(String),
    /// Opening the store never finished (its blocking task panicked or was cancelled).
    OpenAborted(String),
    /// The store can only be read (a read-only file system, no write permission): it opened
    /// read-only, so reading and searching work and nothing new is kept.
    ReadOnly,
}

/// Why an export failed; `update` words it.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Loading the conversation failed.
    #[error("{}", crate::advice::graph(.0))]
    Graph(#[from] GraphError),
    /// `--offline`: the conversation was never stored.
    #[error("this conversation is not in the local store")]
    NotStored,
    /// Writing the file failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why the TUI's sign-in failed; `update` words it.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// This token source has no interactive sign-in (a fixed token, `--demo`).
    #[error("interactive sign-in is not available with this token source")]
    Unavailable,
    /// The device-code flow failed.
    #[error("{}", crate::advice::auth(.0))]
    Auth(#[from] sctui_graph::auth::AuthError),
}

/// Why the local store could not be used for a search or a sync; `update` words it.
#[derive(Debug, thiserror::Error)]
pub enum StoreUnavailable {
    /// `[store] enabled = false` or `--no-store`.
    #[error("the local store is off")]
    Off,
    /// The store could not be opened (the reason was reported when it was).
    #[error("the local store could not be opened")]
    NotOpen,

    /// The search could not read the query (FTS5 syntax): why.
    #[error("{reason}")]
    Query { reason: String },
    /// The store failed: the store's own account of it.
    #[error("{0}")]
    Failed(String),
}

/// Why a sync from the TUI stopped; `update` words it.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    /// There is no store to sync into.
    #[error(transparent)]
    Unavailable(#[from] StoreUnavailable),
    /// Graph failed.
    #[error("{}", crate::advice::graph(.0))]
    Graph(GraphError),
    /// The store failed: its own account of it.
    #[error("{0}")]
    Store(String),
    /// The store can only be read: nothing a sync fetched could be kept, so none started.
    #[error("the local store can only be read")]
    ReadOnly,
}
