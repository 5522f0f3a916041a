//! What the reader (the detail pane) keeps in the state: its cached layout and where the user
//! is in it. Plain data, so the state does not depend on the reader's logic (`app::reader`).

use ratatui_core::text::Line;
use tui_input::Input;

/// Where the user is in the conversation, and its cached layout.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    /// The conversation laid out for the pane's width (`None` before the first message).
    pub layout: Option<ReaderLayout>,
    /// First drawn row (clamped to `0..=rows - height`).
    pub scroll: usize,
    /// Columns table rows and code lines are shifted left by (`h`/`l`).
    pub hscroll: usize,
    /// The conversation fills the screen (`z`).
    pub zoom: bool,
    /// Rows of text the pane shows (its inner height).
    pub height: usize,
    /// A question to keep in view until the user scrolls: an ask and its answer.
    pub pin: Option<Pin>,
    /// `/` in the detail pane.
    pub find: Find,
    /// Tables wider than the pane are kept wide (scrolled sideways, first column frozen)
    /// instead of wrapped to fit.
    pub wide_tables: bool,
    /// The link the user moved to (an index into [`ReaderLayout::link_spots`]).
    pub link: Option<usize>,
    /// Questions (by prompt id) whose earlier runs show their answers, not one line each.
    pub unfolded: std::collections::HashSet<String>,
    /// The question whose newest answer is compared with the run before it, instead of shown.
    pub compare: Option<Compare>,
}

/// A compare in the reader: the question (by prompt id), and whether the reader was zoomed
/// before it (the compare takes the full width; closing it gives back what was).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    pub prompt_id: String,
    pub was_zoomed: bool,
}

/// The question (by prompt id) of a session the reader keeps in view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub session_id: String,
    pub prompt_id: String,
}

/// Finding text in the conversation: the query being typed or in force, and its matches.
#[derive(Debug, Clone, Default)]
pub struct Find {
    /// The query as typed (kept after Enter, so `n`/`N` can use it).
    pub input: Input,
    /// Every match, in row order.
    pub matches: Vec<Match>,
    /// The match `n`/`N` moved to last.
    pub current: usize,
    /// Where the view was when `/` was pressed (Esc goes back there).
    pub origin: usize,
}

/// One occurrence of the find query: a row and the columns it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub row: usize,
    pub start: usize,
    pub end: usize,
}

/// The selected conversation laid out in drawn rows for one width.
#[derive(Debug, Clone)]
pub struct ReaderLayout {
    /// What it was built from (session, names, conversation revisions), as a hash.
    pub fingerprint: u64,
    pub width: u16,
    pub session_id: Option<String>,
    pub rows: Vec<Row>,
    /// Each question's rows.
    pub turns: Vec<TurnRows>,
    /// Each code block's rows.
    pub code_blocks: Vec<CodeRows>,
    /// The widest table row or code line.
    pub widest: usize,
    /// Whether tables wider than the pane were kept wide.
    pub wide_tables: bool,
    /// The URLs of every answer's links, in answer order.
    pub links: Vec<String>,
    /// Where link text is drawn, in row order.
    pub link_spots: Vec<LinkSpot>,
}

/// Link text on a row: columns `start..end` of row `row` open `links[link]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSpot {
    pub row: usize,
    pub start: u16,
    pub end: u16,
    pub link: usize,
}

/// One drawn row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The text (empty for the rows drawing fills in).
    pub line: Line<'static>,
    pub kind: RowKind,
}

/// What a row is, for drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// Prose, already wrapped to the width.
    Text,
    /// A code line or a row of a table kept wide: scrolls sideways (but for its frozen
    /// columns), cut edges marked.
    Wide(crate::markdown::Wide),
    /// The session's creation time (relative to now, so drawn fresh).
    Created,
    /// The session's last change.
    Modified,
    /// The state of question `n`'s evaluation (a spinner and elapsed time while it runs).
    Status(usize),
    /// One line for an earlier run of a question: `(question, run)`, an index into its
    /// earlier runs (its time and result, drawn in the user's time zone).
    EarlierRun(usize, usize),
    /// The heading of question `n`'s compare: which two runs, when.
    CompareHeading(usize),
}

/// Rows of one question and its answer: `question..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnRows {
    pub question: usize,
    pub end: usize,
}

/// Rows `start..end` of code block `block` of question `turn`'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRows {
    pub turn: usize,
    pub block: u16,
    pub start: usize,
    pub end: usize,
}

impl ReaderLayout {
    /// The plain text of row `i` (empty for rows drawing fills in).
    pub fn row_text(&self, i: usize) -> String {
        self.rows
            .get(i)
            .map(|r| r.line.spans.iter().map(|s| s.content.as_ref()).collect())
            .unwrap_or_default()
    }

    /// The question whose rows hold `row` (the first one above the first question).
    pub fn turn_at(&self, row: usize) -> Option<usize> {
        if self.turns.is_empty() {
            return None;
        }
        Some(
            self.turns
                .partition_point(|t| t.question <= row)
                .saturating_sub(1),
        )
    }
}
