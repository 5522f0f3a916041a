//! Everything the screen shows, in one place. Only `app::update` changes it; `ui` only reads it.

pub mod listing;
mod names;
pub mod reader;
pub mod sessions;
pub mod store;

pub use listing::Listing;
pub use sessions::{PendingRename, SessionEntry, SessionList, SortOrder};

use crate::advice::Problem;
use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tui_input::Input;

use super::requests::{RequestId, Requests};
use crate::keys::Keymap;

use crate::sanitize::{self, CleanLine};
use crate::theme::Theme;
use sctui_graph::conversation::{PromptRuns, Turn};
use sctui_graph::models::{Evaluation, Prompt, Session};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The prompt box: a question for a new session (`target` is `None`, key `n`) or a follow-up in
/// `target` (key `a`); whether it is in flight, and the last problem.
#[derive(Debug, Clone, Default)]
pub struct CreateBox {
    pub input: super::editor::TextArea,
    /// The session a follow-up goes to; `None` creates a session named after the question.
    pub target: Option<Session>,
    /// The ask request in flight, if any (the box stays open until it lands).
    pub in_flight: Option<RequestId>,
    /// Why the last try did not work, shown inside the box.
    pub problem: Option<Problem>,
    /// The box opened on a draft kept from before: it says so, and the editors' delete-to-start
    /// drops the whole draft (so nothing left from before is sent unseen).
    pub draft: bool,
}

/// One question of a conversation with its latest evaluation and the text drawing needs,
/// derived once when it changes.
#[derive(Debug, Clone)]
pub struct TurnView {
    pub prompt: Prompt,
    pub evaluation: Option<Evaluation>,
    /// The question, sanitised (newlines kept).
    pub question: String,
    /// The answer rendered from Markdown (empty while there is none).
    pub answer: crate::markdown::Answer,
    /// The ask or follow request polling this evaluation, if any.
    pub following: Option<RequestId>,
    /// Changes whenever the question, the run shown, its answer text or the earlier runs do (a
    /// fingerprint of them), so the reader knows when to lay the conversation out again.
    pub revision: u64,
    /// Why the question, saved on the service, has no evaluation: starting it failed. The retry
    /// key starts one for this prompt (it never posts the question again).
    pub not_run: Option<Problem>,
    /// The question's older runs, newest first (the one above is the newest): shown folded, one
    /// line each, and compared with the newest.
    pub earlier: Vec<EarlierRun>,
}

/// An older run of a question, with its answer ready to show or compare.
#[derive(Debug, Clone)]
pub struct EarlierRun {
    pub evaluation: Evaluation,
    /// The answer's Markdown, sanitised (`None`: the run gave no answer).
    pub text: Option<String>,
    /// The answer rendered from Markdown, for unfolding.
    pub answer: crate::markdown::Answer,
}

impl EarlierRun {
    /// Derives the view of an older run.
    pub fn new(evaluation: Evaluation, theme: &Theme) -> Self {
        let text = answer_of(&evaluation).map(|t| sanitize::sanitize_multiline(t).into_owned());
        let answer = text
            .as_deref()
            .map(|t| crate::markdown::render(t, theme))
            .unwrap_or_default();
        Self {
            evaluation,
            text,
            answer,
        }
    }
}

/// The Markdown an evaluation answered, if any.
fn answer_of(evaluation: &Evaluation) -> Option<&str> {
    evaluation
        .result
        .as_ref()
        .and_then(|r| r.content.as_deref())
}

impl TurnView {
    /// Derives the view of a turn.
    pub fn new(turn: Turn, theme: &Theme) -> Self {
        let question = sanitize::sanitize_multiline(turn.prompt.content.as_deref().unwrap_or(""))
            .trim()
            .to_string();
        let mut view = Self {
            prompt: turn.prompt,
            evaluation: None,
            question,
            answer: crate::markdown::Answer::default(),
            following: None,
            revision: 0,
            not_run: None,
            earlier: Vec::new(),
        };
        view.set_evaluation(turn.evaluation, theme);
        view
    }

    /// Derives the view of a question with every run of it: the newest shown, the others kept
    /// as its earlier runs.
    pub fn with_runs(runs: PromptRuns, theme: &Theme) -> Self {
        let mut evaluations = runs.evaluations.into_iter();
        let mut view = Self::new(
            Turn {
                prompt: runs.prompt,
                evaluation: evaluations.next(),
            },
            theme,
        );
        view.earlier = evaluations.map(|e| EarlierRun::new(e, theme)).collect();
        view.revision = view.content_revision();
        view
    }

    /// Replaces the evaluation, re-rendering the answer only when its text changed. Another
    /// evaluation than the one shown (a re-run) is newer: the one shown becomes the newest of
    /// the earlier runs.
    pub fn set_evaluation(&mut self, evaluation: Option<Evaluation>, theme: &Theme) {
        if let (Some(old), Some(new)) = (&self.evaluation, &evaluation)
            && old.id != new.id
        {
            let old = EarlierRun::new(old.clone(), theme);
            self.earlier.insert(0, old);
        }
        let old = self.answer_text().map(str::to_string);
        self.evaluation = evaluation;
        let new = self.answer_text();
        if old.as_deref() != new || (new.is_some() && self.answer.is_empty()) {
            self.answer = match new {
                Some(text) => crate::markdown::render(&sanitize::sanitize_multiline(text), theme),
                None => crate::markdown::Answer::default(),
            };
        }
        self.revision = self.content_revision();
    }

    /// A fingerprint of what the reader lays out from this turn: the question, the run shown
    /// with its answer, and the earlier runs (the same content gives the same revision, in any
    /// process: the core keeps no counter of its own).
    fn content_revision(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.prompt.id.hash(&mut h);
        self.question.hash(&mut h);
        self.evaluation.as_ref().map(|e| &e.id).hash(&mut h);
        self.answer_text().hash(&mut h);
        for run in &self.earlier {
            run.evaluation.id.hash(&mut h);
        }
        h.finish()
    }

    fn answer_text(&self) -> Option<&str> {
        self.evaluation.as_ref().and_then(answer_of)
    }

    /// The newest answer's Markdown, sanitised (what a compare sets against an earlier run).
    pub fn answer_markdown(&self) -> Option<String> {
        self.answer_text()
            .map(|t| sanitize::sanitize_multiline(t).into_owned())
    }
}

/// A session's conversation as loaded (cached; revalidated when the session is selected again).
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    pub turns: Vec<TurnView>,
    /// When it was last loaded (for stale-while-revalidate).
    pub fetched_at: Option<Timestamp>,
    /// Why the last load failed.
    pub error: Option<Problem>,
}

/// The inline rename editor on one row.
#[derive(Debug, Clone)]
pub struct RenameEditor {
    pub id: String,
    pub input: Input,
}

/// Something the user typed whose request failed while another popup was open; it comes back
/// as soon as the user is browsing again, so nothing typed is lost.
#[derive(Debug, Clone, PartialEq)]
pub enum DeferredEdit {
    /// Reopen the rename editor on `id` with `name`.
    Rename { id: String, name: String },
    /// Reopen the prompt box with `text` (for `target`, or a new session) and the problem.
    Prompt {
        text: String,
        target: Option<Session>,
        problem: Problem,
    },
}

/// The workspace picker (`w`).
#[derive(Debug, Clone, Default)]
pub struct WorkspacePicker {
    /// `None` while the list is loading.
    pub workspaces: Option<Vec<WorkspaceChoice>>,
    pub selected: usize,
    /// Why the list could not be read, or why a typed id was refused (shown in the picker).
    pub error: Option<Problem>,
    /// A workspace id being typed: opened when the list can't be read or is empty, or with `i`.
    pub typed: Option<Input>,
}

/// A workspace the picker lists: its id as Graph takes it, and its text as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceChoice {
    /// The id, for Graph's paths (what a switch opens and the copy key copies).
    pub id: String,
    /// The id as drawn.
    pub id_shown: CleanLine<'static>,
    /// The display name as drawn (`None`: Graph gave none).
    pub name: Option<CleanLine<'static>>,
}

impl WorkspaceChoice {
    /// A listed workspace, its text cleaned once.
    pub fn new(workspace: sctui_graph::models::Workspace) -> Self {
        Self {
            id_shown: CleanLine::new(workspace.id.clone()),
            id: workspace.id,
            name: workspace.display_name.map(CleanLine::new),
        }
    }
}

/// The export picker (`e`): which format to write the selected session in.
#[derive(Debug, Clone)]
pub struct ExportPicker {
    /// The session to export, as selected when the picker opened.
    pub session: Session,
    /// Index into [`EXPORT_FORMATS`].
    pub selected: usize,
}

/// The formats `e` offers, in the picker's order (CSV is for many sessions: `sessions export
/// --all`).
pub const EXPORT_FORMATS: [crate::export::Format; 3] = [
    crate::export::Format::Markdown,
    crate::export::Format::Html,
    crate::export::Format::Json,
];

/// The device-code sign-in popup: the code to enter (once the service gave one) or what failed.
#[derive(Debug, Clone, Default)]
pub struct SignInPopup {
    pub verification_uri: Option<CleanLine<'static>>,
    pub user_code: Option<CleanLine<'static>>,
    /// The service sent the code with control or invisible characters: it is shown cleaned, and
    /// never copied (what would be pasted is not what the service asked for).
    pub code_tampered: bool,
    pub message: Option<CleanLine<'static>>,
    /// Why the sign-in failed.
    pub error: Option<Problem>,
}

/// The messages view (`m`): every message of the run, the selected one can be copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessagesView {
    /// Index into [`State::messages`].
    pub selected: usize,
}

/// The help overlay (`?`): how far it is scrolled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HelpView {
    /// First row shown when the overlay does not fit.
    pub scroll: usize,
}

/// What the keyboard is doing now.
#[derive(Debug, Clone)]
pub enum Mode {
    Browsing,
    PickingWorkspace(WorkspacePicker),
    /// Choosing the format of an export (`e`).
    PickingExport(ExportPicker),
    Messages(MessagesView),
    SigningIn(SignInPopup),
    Renaming(RenameEditor),
    Creating(CreateBox),
    Filtering,
    /// Typing a `/` query in the detail pane.
    Finding,
    /// The `?` overlay: every mode's keys.
    Help(HelpView),
    /// The search view (`f`): full-text search of the local store (see [`State::search`]).
    Searching,
    /// Something that sends waits for a yes on the status line; any other key says no.
    Confirming(Confirm),
}

/// Work that sends to Graph, held until the user says yes (a stray key never sends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Run question `number` (from 1) of a session again: a new evaluation of `prompt_id`, no
    /// new question.
    Rerun {
        session_id: String,
        prompt_id: String,
        number: usize,
    },
    /// Fork a session at question `questions.len()`: a new session called `name` asks these
    /// questions in order, each after the answer to the one before.
    Fork {
        session_id: String,
        name: String,
        questions: Vec<String>,
    },
}

impl Confirm {
    /// What the confirm line asks, in words (what is sent first: a narrow line cuts the end).
    pub fn question(&self) -> String {
        match self {
            Self::Rerun { number, .. } => {
                format!("Run Q{number} again (no new question)?")
            }
            Self::Fork {
                name, questions, ..
            } => {
                let name = sanitize::sanitize_line(name);
                match questions.len() {
                    1 => format!("Fork: ask 1 question (Q1) in a new session “{name}”?"),
                    n => format!(
                        "Fork: ask {n} questions (Q1–Q{n}) in a new session “{name}”, one after \
                         another?"
                    ),
                }
            }
        }
    }
}

/// How bad a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What a status message is about, so code recognises a message by its kind, never by its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusKind {
    /// Anything said once (done, failed, hints).
    #[default]
    General,
    /// A refresh is on its way; the first page that lands clears it.
    Refreshing,
}

/// The status bar's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// What it says, cleaned once when it was made (it can name a session or hold Graph's words),
    /// so the status line and the messages view draw it as it is.
    pub text: CleanLine<'static>,
    pub severity: Severity,
    pub request_id: Option<String>,
    /// What it is about.
    pub kind: StatusKind,
}

impl Severity {
    /// How long a message of this level stays in the status line by itself: info expires,
    /// warnings and errors stay until dismissed (`Esc`) or replaced.
    pub fn expires_after_secs(self) -> Option<i64> {
        match self {
            Severity::Info => Some(INFO_SECONDS),
            Severity::Warning | Severity::Error => None,
        }
    }
}

/// How long an info message stays in the status line.
pub const INFO_SECONDS: i64 = 6;

/// A message as the messages view lists it: when it was shown, in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    pub at: Timestamp,
    pub message: StatusMessage,
}

/// How many messages the run keeps for the messages view (the oldest go first).
pub const MESSAGES_KEPT: usize = 500;

/// Paging progress of the session list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    /// Where the next page is, when Graph said there is one.
    pub next_link: Option<String>,
    /// Graph's `@odata.count`, when it gave one.
    pub total: Option<u64>,
    /// The first page of the current generation has arrived.
    pub loaded_once: bool,
    /// The last page request failed (the empty list then says so instead of "no sessions").
    pub failed: bool,
    /// The whole list is being loaded in big pages, one right after the other (after `G`, a
    /// filter or a sort), instead of a small page when the selection nears the end.
    pub bulk: bool,
    /// `G` was pressed during that walk: the selection follows the end as pages arrive.
    pub to_end: bool,
    /// When a listing last reached its end (every session known then), here or, at start, as
    /// the local store remembers it.
    pub complete: Option<Timestamp>,
    /// The listing under way since its first page: what it listed, and whether it walks to the
    /// end to check the sessions known before it (after `R`, or the stored list at start).
    pub listing: Listing,
}

/// What is fixed when the app starts, from the config, the flags and the environment. Built by
/// the CLI before the TUI opens; `update` only reads it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Graph base URL, for `Y` (copy a session's Graph URL).
    pub graph_url: String,
    /// Whether mouse clicks and the wheel are handled.
    pub mouse: bool,
    /// The time zone times are shown in.
    pub tz: TimeZone,
    /// Page size, for PgUp/PgDn prefetch distance.
    pub page_size: u32,
    /// `$top` of the pages that load everything (`bulk_page_size`).
    pub bulk_page_size: u32,
    /// Where `e` writes exports (the working directory).
    pub export_dir: std::path::PathBuf,
    /// The key table in force (help is generated from it).
    pub keymap: Keymap,
    /// Colours and emphasis.
    pub theme: Theme,
    /// The config file that was loaded, named in help so users know which file to edit.
    pub config_path: Option<std::path::PathBuf>,
    /// The `[profiles.NAME]` in force, shown in the header.
    pub profile: Option<String>,
    /// Whether a usable token exists at start (else the app opens on the sign-in popup).
    pub signed_in_at_start: bool,
    /// A warning to show in the status bar at start (config problems).
    pub notice: Option<String>,
    /// `--offline`: the local store only; nothing is asked of Graph and changes are refused.
    pub offline: bool,
    /// Requests in flight at once for the sync key (`[store] sync_concurrency`).
    pub sync_concurrency: usize,
    /// The terminal shows OSC 8 hyperlinks: link text in answers is drawn as one.
    pub hyperlinks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            graph_url: sctui_graph::endpoint::DEFAULT_GRAPH_URL.to_string(),
            mouse: true,
            tz: TimeZone::UTC,
            page_size: 100,
            bulk_page_size: sctui_graph::odata::DEFAULT_BULK_PAGE_SIZE,
            export_dir: std::path::PathBuf::from("."),
            keymap: Keymap::default(),
            theme: Theme::default(),
            config_path: None,
            profile: None,
            signed_in_at_start: true,
            notice: None,
            offline: false,
            sync_concurrency: crate::protocol::DEFAULT_CONCURRENCY,
            hyperlinks: false,
        }
    }
}

/// The list as the local store had it, shown until Graph has confirmed it (the walk that checks
/// it is [`Paging::listing`]).
#[derive(Debug, Clone, Default)]
pub struct StoredList {
    /// When the store last took a page of the list.
    pub updated: Option<Timestamp>,
    /// When a listing last reached its end.
    pub complete: Option<Timestamp>,
}

/// The whole application state.
#[derive(Debug, Clone)]
pub struct State {
    /// The workspace in use: its id, as Graph's paths and the local store take it.
    pub(crate) workspace: String,
    /// Header: [`State::workspace`] as drawn.
    pub(crate) workspace_shown: CleanLine<'static>,
    /// The workspace's display name, once known (from the picker).
    pub(crate) workspace_name: Option<CleanLine<'static>>,
    /// False until a usable token exists; the app then starts with the sign-in popup.
    pub(crate) signed_in: bool,
    /// What was fixed at start (config, flags, environment); never changed by `update`.
    pub(crate) settings: Settings,
    /// Header: who is signed in, or `demo`; empty when no account is used (`--offline`).
    pub(crate) who: CleanLine<'static>,
    /// Every known session: order, filter and selection (see [`SessionList`]).
    pub(crate) list: SessionList,
    pub(crate) focus: Focus,
    pub(crate) mode: Mode,
    pub(crate) paging: Paging,
    /// The list came from the local store and Graph has not confirmed it yet (`None`
    /// otherwise). Whether a walk is checking the list is [`Paging::listing`]'s question.
    pub(crate) stored: Option<StoredList>,
    /// Requests sent to the worker and not answered yet (drives the spinner).
    pub(crate) requests: Requests,
    pub(crate) spinner_frame: usize,
    pub(crate) status: Option<StatusMessage>,
    /// When the status message was shown (info messages expire after [`INFO_SECONDS`]).
    pub(crate) status_since: Timestamp,
    /// Every message of the run, oldest first (at most [`MESSAGES_KEPT`]).
    pub(crate) messages: Vec<LoggedMessage>,
    /// Prompt-box drafts left with `Esc`, by target session id (`""`: a new session).
    pub(crate) drafts: HashMap<String, String>,
    /// The format `e` offers first: the last one chosen, remembered across runs (the runtime
    /// writes it on [`crate::Effect::RememberExportFormat`]; the start reads it back).
    pub(crate) export_format: crate::export::Format,
    /// "throttled, retrying in N s" while a retry waits.
    pub(crate) retry_notice: Option<String>,
    /// Terminal size, so paging keys and scrolling know the viewport.
    pub(crate) viewport: (u16, u16),
    /// The clock used for relative times (from `Msg::Clock`/`Msg::Tick`, fixed in tests).
    pub(crate) now: Timestamp,
    /// The detail pane's conversation: layout, scroll, zoom, find.
    pub(crate) reader: reader::Reader,
    /// Conversations by session id.
    pub(crate) conversations: HashMap<String, Conversation>,
    /// Neighbours' conversations were asked for in the background (so moving on cancels them).
    pub(crate) prefetch_wished: bool,
    /// Typed text waiting to be given back (see [`DeferredEdit`]).
    pub(crate) deferred: Vec<DeferredEdit>,
    /// The search view's query and results (kept while it is closed).
    pub(crate) search: store::SearchView,
    /// The sync started with the sync key, while it runs.
    pub(crate) sync: Option<store::SyncGauge>,
    /// Tries to reach Graph after it could not be reached at start.
    pub(crate) reconnect: store::Reconnect,
}

impl State {
    /// A fresh state before anything is loaded, with default settings (tests start here).
    pub fn new(workspace: impl Into<String>, who: impl Into<String>) -> Self {
        Self::with_settings(workspace, who, Settings::default())
    }

    /// A fresh state before anything is loaded, with the settings the app started with.
    pub fn with_settings(
        workspace: impl Into<String>,
        who: impl Into<String>,
        settings: Settings,
    ) -> Self {
        let workspace = workspace.into();
        Self {
            workspace_shown: CleanLine::new(workspace.clone()),
            workspace,
            workspace_name: None,
            signed_in: settings.signed_in_at_start,
            status: settings.notice.clone().map(|text| StatusMessage {
                text: CleanLine::new(text),
                severity: Severity::Warning,
                request_id: None,
                kind: StatusKind::General,
            }),
            settings,
            who: CleanLine::new(who.into()),
            list: SessionList::default(),
            focus: Focus::List,
            mode: Mode::Browsing,
            paging: Paging::default(),
            stored: None,
            requests: Requests::default(),
            spinner_frame: 0,
            status_since: Timestamp::UNIX_EPOCH,
            messages: Vec::new(),
            drafts: HashMap::new(),
            export_format: crate::export::Format::default(),
            retry_notice: None,
            viewport: (80, 24),
            now: Timestamp::UNIX_EPOCH,
            reader: reader::Reader::default(),
            conversations: HashMap::new(),
            prefetch_wished: false,
            deferred: Vec::new(),
            search: store::SearchView::default(),
            sync: None,
            reconnect: store::Reconnect::default(),
        }
    }

    /// This state offering `format` first in the export picker (the one chosen in an earlier
    /// run, which the CLI reads back at start).
    pub fn offering_export_format(mut self, format: crate::export::Format) -> Self {
        self.export_format = format;
        self
    }

    /// Works in workspace `id` from now on (its name is not known yet).
    pub(crate) fn set_workspace(&mut self, id: String) {
        self.workspace_shown = CleanLine::new(id.clone());
        self.workspace = id;
    }

    /// The selected session, if any row is visible.
    pub fn selected_entry(&self) -> Option<&SessionEntry> {
        self.list.selected_entry()
    }

    /// Whether the spinner should turn: something was asked of the worker and not answered.
    pub fn busy(&self) -> bool {
        self.requests.iter().any(|(_, p)| p.awaited_by_user())
    }

    /// Whether the runtime should send ticks: the spinner turns, or a message waits to expire.
    pub fn wants_ticks(&self) -> bool {
        self.busy()
            || self
                .status
                .as_ref()
                .is_some_and(|s| s.severity.expires_after_secs().is_some())
    }

    /// The selected session's last question that has no evaluation and is not being asked now:
    /// what the retry key runs.
    pub fn retry_target(&self) -> Option<(&str, &TurnView)> {
        let id = self.selected_entry()?.session.id.as_str();
        let turn = self.conversations.get(id)?.turns.last()?;
        (turn.evaluation.is_none() && turn.following.is_none()).then_some((id, turn))
    }

    /// Whether the retry key has something to run in the selected session.
    pub fn selected_can_retry(&self) -> bool {
        self.retry_target().is_some()
    }

    /// Whether an ask in this session is being followed.
    pub fn is_following(&self, session_id: &str) -> bool {
        self.requests.following(session_id)
    }

    /// Whether a page of the list is on its way.
    pub fn page_loading(&self) -> bool {
        self.requests.page().is_some()
    }

    /// Whether some of the workspace's sessions are not loaded yet: Graph linked to a next page,
    /// or the walk that loads every page is under way.
    pub fn list_incomplete(&self) -> bool {
        self.paging.next_link.is_some() || (self.paging.bulk && self.page_loading())
    }

    /// Whether the list holds sessions Graph has not listed again yet: shown from the local
    /// store, or being checked by the walk after a refresh (counts then say "known", not
    /// "loaded": the list holds more than the pages read so far).
    pub fn revalidating(&self) -> bool {
        self.stored.is_some() || self.paging.listing.revalidating()
    }

    /// Whether the conversation of `session_id` is loading.
    pub fn conversation_loading(&self, session_id: &str) -> bool {
        self.requests.loading_conversation(session_id)
    }

    /// The filter text, trimmed; empty means no filter.
    pub fn filter_text(&self) -> &str {
        self.list.filter_text()
    }
}

/// Read access for the drawing, the runtime and tests: outside the core the state is read-only,
/// and only `update` changes it.
impl State {
    /// The workspace shown (its id).
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    /// The workspace's display name, once known.
    pub fn workspace_name(&self) -> Option<&CleanLine<'static>> {
        self.workspace_name.as_ref()
    }

    /// The workspace's id as drawn.
    pub fn workspace_shown(&self) -> &CleanLine<'static> {
        &self.workspace_shown
    }

    /// Whether a usable token exists.
    pub fn signed_in(&self) -> bool {
        self.signed_in
    }

    /// What was fixed at start.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Who is signed in, `demo`, or empty (`--offline`).
    pub fn who(&self) -> &CleanLine<'static> {
        &self.who
    }

    /// Every known session: order, filter and selection.
    pub fn list(&self) -> &SessionList {
        &self.list
    }

    /// Which pane has the keyboard.
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// What the keyboard is doing now, with the open view's own state.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Paging progress of the session list.
    pub fn paging(&self) -> &Paging {
        &self.paging
    }

    /// The list as the local store had it, while Graph has not confirmed it.
    pub fn stored(&self) -> Option<&StoredList> {
        self.stored.as_ref()
    }

    /// Requests sent to the worker and not answered yet.
    pub fn requests(&self) -> &Requests {
        &self.requests
    }

    /// The spinner's frame.
    pub fn spinner_frame(&self) -> usize {
        self.spinner_frame
    }

    /// The status line's message.
    pub fn status(&self) -> Option<&StatusMessage> {
        self.status.as_ref()
    }

    /// Every message of the run, oldest first.
    pub fn messages(&self) -> &[LoggedMessage] {
        &self.messages
    }

    /// The format `e` offers first.
    pub fn export_format(&self) -> crate::export::Format {
        self.export_format
    }

    /// "throttled, retrying in N s" while a retry waits.
    pub fn retry_notice(&self) -> Option<&str> {
        self.retry_notice.as_deref()
    }

    /// The terminal's size (columns, rows).
    pub fn viewport(&self) -> (u16, u16) {
        self.viewport
    }

    /// The clock relative times are shown against.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The detail pane's conversation: layout, scroll, zoom, find.
    pub fn reader(&self) -> &reader::Reader {
        &self.reader
    }

    /// Conversations by session id.
    pub fn conversations(&self) -> &HashMap<String, Conversation> {
        &self.conversations
    }

    /// The search view's query and results.
    pub fn search(&self) -> &store::SearchView {
        &self.search
    }

    /// The sync under way, if any.
    pub fn sync(&self) -> Option<&store::SyncGauge> {
        self.sync.as_ref()
    }

    /// Tries to reach Graph after it could not be reached at start.
    pub fn reconnect(&self) -> &store::Reconnect {
        &self.reconnect
    }
}

/// Ways in for tests and benches outside the core, to set up what no message sets: the settings
/// the app starts with, a sign-in that ended, a request awaited without the command that starts
/// it, a list put back as it was before a timed page. The app itself never calls them.
impl State {
    #[doc(hidden)]
    pub fn settings_mut_for_tests(&mut self) -> &mut Settings {
        &mut self.settings
    }

    #[doc(hidden)]
    pub fn set_signed_in_for_tests(&mut self, signed_in: bool) {
        self.signed_in = signed_in;
    }

    #[doc(hidden)]
    pub fn requests_mut_for_tests(&mut self) -> &mut Requests {
        &mut self.requests
    }

    #[doc(hidden)]
    pub fn list_mut_for_tests(&mut self) -> &mut SessionList {
        &mut self.list
    }

    #[doc(hidden)]
    pub fn paging_mut_for_tests(&mut self) -> &mut Paging {
        &mut self.paging
    }
}
