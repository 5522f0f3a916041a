//! The local store as the app uses it: which file a run uses, and Graph's models in and out of
//! the store's records. The database itself is `sctui_store`; `sync` fills it from Graph.

pub mod duration;
pub mod plain_text;
pub mod sync;

use jiff::Timestamp;
pub use sctui_store::{
    Access, CancelSearch, Hit, HitKind, ListInfo, Opened, SearchBudget, Snippet, Stats, Store,
    StoreError, StoreKey, StoredConversation,
};

use sctui_graph::conversation::{PromptRuns, Turn};
use sctui_graph::models::{Evaluation, GraphTime, Plugin, Session};

/// Whether and where this run keeps a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreTarget {
    /// Whose sessions these are (Graph host, tenant, workspace).
    pub key: StoreKey,
    /// `[store] enabled` and not `--no-store`.
    pub enabled: bool,
    /// The folder of the store files: the user's data folder unless set (tests use a temporary
    /// one).
    pub dir: Option<std::path::PathBuf>,
    /// The most time one search may take in the TUI (`[store] search_timeout`).
    pub search_time: std::time::Duration,
}

/// The TUI's search budget when the config does not say.
pub const DEFAULT_TUI_SEARCH_TIME: std::time::Duration = std::time::Duration::from_millis(250);

impl StoreTarget {
    /// The store for `graph_url` (or the demo), `tenant` and `workspace`.
    pub fn new(demo: bool, graph_url: &str, tenant: &str, workspace: &str, enabled: bool) -> Self {
        Self {
            key: StoreKey::new(host_of(demo, graph_url), tenant, workspace),
            enabled,
            dir: None,
            search_time: DEFAULT_TUI_SEARCH_TIME,
        }
    }

    /// The same target with its files in `dir`.
    pub fn in_dir(self, dir: impl Into<std::path::PathBuf>) -> Self {
        Self {
            dir: Some(dir.into()),
            ..self
        }
    }

    /// The same target for another workspace (picked with `w`).
    pub fn for_workspace(&self, workspace: &str) -> Self {
        Self {
            key: StoreKey::new(&self.key.host, &self.key.tenant, workspace),
            enabled: self.enabled,
            dir: self.dir.clone(),
            search_time: self.search_time,
        }
    }

    /// The database file this target uses.
    pub fn path(&self) -> Result<std::path::PathBuf, StoreError> {
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => sctui_store::default_dir()?,
        };
        Ok(dir.join(self.key.file_name()))
    }

    /// Whether the store file exists: a command that only reads says it found none rather than
    /// create an empty one (which would read as an empty workspace).
    pub fn exists(&self) -> Result<bool, StoreError> {
        Ok(self.path()?.exists())
    }

    /// The other stores kept on this machine, by the readable parts of their file names (host,
    /// tenant, workspace), sorted: what a read that found no store can point to.
    pub fn others(&self) -> Vec<[String; 3]> {
        let Ok(path) = self.path() else {
            return Vec::new();
        };
        let Some(Ok(entries)) = path.parent().map(std::fs::read_dir) else {
            return Vec::new();
        };
        let mut found: Vec<[String; 3]> = entries
            .flatten()
            .filter(|entry| entry.path() != path)
            .filter_map(|entry| sctui_store::readable_parts(&entry.file_name().to_string_lossy()))
            .collect();
        found.sort();
        found
    }

    /// Opens (or creates) the store; `Ok(None)` when the store is turned off.
    pub fn open(&self) -> Result<Option<Opened>, StoreError> {
        if !self.enabled {
            return Ok(None);
        }
        open_at(&self.path()?).map(Some)
    }
}

/// Opens (or creates) the store file at `path` as the app uses it: its index cleaned by
/// [`index_text`]. Every store the app opens goes through here.
pub fn open_at(path: &std::path::Path) -> Result<Opened, StoreError> {
    let opened = Store::open(path)?;
    Ok(Opened {
        store: opened.store.cleaning_index_with(index_text),
        ..opened
    })
}

/// Server text as the index keeps it: sanitised (no escape sequences or controls; line breaks
/// kept), so a snippet is cut from what the screen would show.
fn index_text(text: &str) -> String {
    sctui_app::sanitize::sanitize_multiline(text).into_owned()
}

/// `host[:port]` of a Graph URL; `demo` for the built-in fake (whose port changes every run).
fn host_of(demo: bool, graph_url: &str) -> String {
    if demo {
        return "demo".into();
    }
    match url::Url::parse(graph_url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => graph_url.to_string(),
        },
        Err(_) => graph_url.to_string(),
    }
}

/// A search hit as the app shows it: its server text sanitised once, here.
pub fn search_result(hit: Hit) -> crate::tui::protocol::SearchResult {
    let hit = sanitized(hit);
    let turn = match hit.kind {
        HitKind::Name => None,
        HitKind::Turn {
            position,
            prompt_id,
        } => Some((position, prompt_id)),
    };
    crate::tui::protocol::SearchResult::new(
        hit.session_id,
        hit.session_name.as_deref(),
        turn,
        &hit.snippet.pieces(),
        hit.session_modified,
    )
}

/// How much of the list a store holds, as the app is told.
pub fn list_info(info: ListInfo) -> crate::tui::protocol::ListInfo {
    crate::tui::protocol::ListInfo {
        known: info.known,
        updated: info.updated,
        complete: info.complete,
    }
}

/// A store failure as the app is told: a query it could not read, or the store's own words.
pub fn unavailable(error: StoreError) -> crate::tui::protocol::StoreUnavailable {
    use crate::tui::protocol::StoreUnavailable;
    match error {
        StoreError::Query { reason, .. } => StoreUnavailable::Query { reason },
        other => StoreUnavailable::Failed(other.to_string()),
    }
}

/// A session as the store keeps it.
pub fn session_record(session: &Session) -> sctui_store::SessionRecord {
    sctui_store::SessionRecord {
        id: session.id.clone(),
        display_name: session.display_name.clone(),
        created: session
            .created_date_time
            .as_ref()
            .map(|t| t.raw().into_owned()),
        modified: session
            .last_modified_date_time
            .as_ref()
            .map(|t| t.raw().into_owned()),
    }
}

/// A stored session, back as Graph's model.
pub fn session_from(record: sctui_store::SessionRecord) -> Session {
    Session {
        id: record.id,
        display_name: record.display_name,
        created_date_time: record.created.map(GraphTime::new),
        last_modified_date_time: record.modified.map(GraphTime::new),
    }
}

/// A turn as the store keeps it: Graph's JSON plus the question and answer to index.
pub fn turn_record(turn: &Turn) -> sctui_store::TurnRecord {
    sctui_store::TurnRecord {
        prompt_id: turn.prompt.id.clone(),
        prompt_json: serde_json::to_string(&turn.prompt).unwrap_or_default(),
        evaluation_json: turn
            .evaluation
            .as_ref()
            .and_then(|e| serde_json::to_string(e).ok()),
        question: turn.prompt.content.clone(),
        // the index keeps what a reader sees, so snippets are text, not Markdown source
        answer: turn
            .evaluation
            .as_ref()
            .and_then(|e| e.result.as_ref())
            .and_then(|r| r.content.as_deref())
            .map(plain_text::plain_text),
        asked: turn
            .prompt
            .created_date_time
            .as_ref()
            .and_then(GraphTime::instant),
    }
}

/// A stored conversation, back as turns; a turn whose JSON no longer reads is left out.
pub fn turns_from(conversation: &StoredConversation) -> Vec<Turn> {
    conversation
        .turns
        .iter()
        .filter_map(|t| {
            let prompt = serde_json::from_str(&t.prompt_json).ok()?;
            let evaluation = t
                .evaluation_json
                .as_deref()
                .and_then(|json| serde_json::from_str(json).ok());
            Some(Turn { prompt, evaluation })
        })
        .collect()
}

/// Whether no evaluation of the conversation is still running (a settled one changes only when
/// someone asks again, which Graph does not show on the session: sync lists its prompts to see).
pub fn settled(turns: &[Turn]) -> bool {
    turns.iter().all(|t| {
        t.evaluation
            .as_ref()
            .is_none_or(|e| !e.state.is_in_progress())
    })
}

/// Stores a conversation just read from Graph for `session`.
pub fn put_conversation(
    store: &Store,
    session: &Session,
    turns: &[Turn],
    now: Timestamp,
) -> Result<(), StoreError> {
    let modified = session.last_modified_date_time.as_ref().map(|t| t.raw());
    put_turns(store, &session.id, modified.as_deref(), turns, now)
}

/// Stores the turns of session `session_id` as its conversation (`modified`: the session's
/// `lastModifiedDateTime` when known) and records their evaluations for `sctui stats`.
pub fn put_turns(
    store: &Store,
    session_id: &str,
    modified: Option<&str>,
    turns: &[Turn],
    now: Timestamp,
) -> Result<(), StoreError> {
    let records: Vec<_> = turns.iter().map(turn_record).collect();
    store.put_conversation(session_id, modified, &records, settled(turns), now)?;
    let runs: Vec<_> = turns
        .iter()
        .filter_map(|t| {
            let evaluation = t.evaluation.as_ref()?;
            Some(evaluation_record(session_id, &t.prompt.id, evaluation))
        })
        .collect();
    store.put_evaluations(&runs)
}

/// One evaluation as the store records it for `sctui stats`.
pub fn evaluation_record(
    session_id: &str,
    prompt_id: &str,
    evaluation: &Evaluation,
) -> sctui_store::EvaluationRecord {
    let instant = |t: &Option<GraphTime>| t.as_ref().and_then(GraphTime::instant);
    sctui_store::EvaluationRecord {
        id: evaluation.id.clone(),
        session_id: session_id.to_string(),
        prompt_id: prompt_id.to_string(),
        created: instant(&evaluation.created_date_time),
        completed: instant(&evaluation.completed_date_time),
        state: evaluation.state.to_string(),
        result_type: evaluation
            .result
            .as_ref()
            .map(|r| r.result_type.to_string()),
    }
}

/// A stored conversation with every run the store has seen of each question, newest first: the
/// latest with its answer (the conversation keeps it), the earlier ones as recorded (state,
/// result type and times; the store keeps no answer of theirs).
pub fn prompt_runs_from(
    turns: Vec<Turn>,
    records: &[sctui_store::EvaluationRecord],
) -> Vec<PromptRuns> {
    turns
        .into_iter()
        .map(|turn| {
            let mut runs = PromptRuns::from(turn);
            let kept: Vec<String> = runs.evaluations.iter().map(|e| e.id.clone()).collect();
            runs.evaluations.extend(
                records
                    .iter()
                    .filter(|r| r.prompt_id == runs.prompt.id && !kept.contains(&r.id))
                    .filter_map(recorded_evaluation),
            );
            sctui_graph::conversation::newest_first(&mut runs.evaluations);
            runs
        })
        .collect()
}

/// A recorded evaluation in Graph's shape, without the answer the store does not keep.
fn recorded_evaluation(record: &sctui_store::EvaluationRecord) -> Option<Evaluation> {
    let result = record
        .result_type
        .as_ref()
        .map(|kind| serde_json::json!({ "type": kind }));
    serde_json::from_value(serde_json::json!({
        "id": record.id,
        "state": record.state,
        "result": result,
        "createdDateTime": record.created.map(|t| t.to_string()),
        "completedDateTime": record.completed.map(|t| t.to_string()),
    }))
    .ok()
}

/// A recorded evaluation as the stats count it (`None` when its start is unknown).
pub fn stats_run(record: &sctui_store::EvaluationRecord) -> Option<crate::stats::Run> {
    Some(crate::stats::Run {
        created: record.created?,
        completed: record.completed,
        outcome: crate::stats::Outcome::of(record.result_type.as_deref()),
    })
}

/// Records every run of a session's questions (as `prompts list` or a re-run saw them).
pub fn put_prompt_runs(
    store: &Store,
    session_id: &str,
    runs: &[PromptRuns],
) -> Result<(), StoreError> {
    let records: Vec<_> = runs
        .iter()
        .flat_map(|r| {
            r.evaluations
                .iter()
                .map(|e| evaluation_record(session_id, &r.prompt.id, e))
        })
        .collect();
    store.put_evaluations(&records)
}

/// A plugin as the store keeps it: Graph's JSON as the client read it (no settings' values).
pub fn plugin_record(plugin: &Plugin) -> sctui_store::PluginRecord {
    sctui_store::PluginRecord {
        name: plugin.name.clone(),
        json: serde_json::to_string(plugin).unwrap_or_default(),
    }
}

/// The stored plugins, back as Graph's model; one whose JSON no longer reads is left out.
pub fn plugins_from(stored: &sctui_store::StoredPlugins) -> Vec<Plugin> {
    stored
        .plugins
        .iter()
        .filter_map(|p| serde_json::from_str(&p.json).ok())
        .collect()
}

/// Stores sessions just read from Graph.
pub fn put_sessions(store: &Store, sessions: &[Session], now: Timestamp) -> Result<(), StoreError> {
    let records: Vec<_> = sessions.iter().map(session_record).collect();
    store.put_sessions(&records, now)
}

/// A hit as it may be shown: its snippet sanitised as one line before it is cut into pieces, so
/// it shows exactly what the sanitised name or answer shows (an escape sequence cut by a match
/// cannot leave half of itself on screen).
pub fn sanitized(mut hit: Hit) -> Hit {
    let marked = hit.snippet.marked();
    if let std::borrow::Cow::Owned(clean) = sctui_app::sanitize::sanitize_line(&marked) {
        hit.snippet = Snippet::from_marked(&clean);
    }
    hit
}

/// Every stored session as Graph's model, newest first.
pub fn stored_sessions(store: &Store) -> Result<Vec<Session>, StoreError> {
    // row by row: a time's text lives only while it is parsed (see `Store::sessions_with`)
    store.sessions_with(|row| Session {
        id: row.id.to_string(),
        display_name: row.display_name.map(str::to_string),
        created_date_time: row.created.map(GraphTime::new),
        last_modified_date_time: row.modified.map(GraphTime::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::models::{EvaluationState, Prompt};

    #[test]
    fn hosts_keep_their_port_and_the_demo_is_one_store() {
        let t = StoreTarget::new(
            false,
            "https://graph.microsoft.com/beta",
            "contoso",
            "default",
            true,
        );
        assert_eq!(t.key.host, "graph.microsoft.com");
        let fake = StoreTarget::new(false, "http://127.0.0.1:4321/beta", "t", "w", true);
        assert_eq!(fake.key.host, "127.0.0.1:4321");
        let demo = StoreTarget::new(true, "http://127.0.0.1:4321/beta", "t", "w", true);
        assert_eq!(demo.key.host, "demo");
        assert_eq!(demo.for_workspace("other").key.workspace, "other");
        let off = StoreTarget::new(true, "x", "t", "w", false);
        assert!(off.open().unwrap().is_none());
    }

    #[test]
    fn turns_round_trip_through_their_json() {
        let prompt: Prompt = serde_json::from_str(
            r#"{"id":"p1","type":"prompt","content":"why?","createdDateTime":"2025-09-17T19:23:41.07343Z"}"#,
        )
        .unwrap();
        let evaluation: Evaluation = serde_json::from_str(
            r#"{"id":"e1","state":"completed","result":{"content":"because","type":"success"}}"#,
        )
        .unwrap();
        let turn = Turn {
            prompt,
            evaluation: Some(evaluation),
        };
        let record = turn_record(&turn);
        assert_eq!(record.question.as_deref(), Some("why?"));
        assert_eq!(record.answer.as_deref(), Some("because"));
        let stored = StoredConversation {
            turns: vec![sctui_store::StoredTurn {
                prompt_json: record.prompt_json,
                evaluation_json: record.evaluation_json,
            }],
            stored: Timestamp::UNIX_EPOCH,
            session_modified: None,
            settled: true,
        };
        assert_eq!(turns_from(&stored), vec![turn.clone()]);
        assert!(settled(std::slice::from_ref(&turn)));
        let mut running = turn;
        if let Some(e) = running.evaluation.as_mut() {
            e.state = EvaluationState::Running;
        }
        assert!(!settled(&[running]));
    }

    #[test]
    fn sessions_round_trip_with_exact_times() {
        let json = r#"{"id":"a","displayName":null,"createdDateTime":"2025-09-17T19:23:41.07343Z","lastModifiedDateTime":"2025-09-17T19:23:41.1506601Z"}"#;
        let session: Session = serde_json::from_str(json).unwrap();
        let back = session_from(session_record(&session));
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    /// A real Markdown document (crossterm 0.29.0's README, MIT, from crates.io: HTML, tables,
    /// code fences, bold, links) stored as an answer: its snippets are its text, never its source.
    #[test]
    fn snippets_of_a_real_markdown_answer_are_its_text() {
        let markdown = include_str!("../../tests/fixtures/markdown/crossterm-README.md");
        let prompt: Prompt =
            serde_json::from_str(r#"{"id":"p1","type":"prompt","content":"which crates?"}"#)
                .unwrap();
        let mut evaluation: Evaluation = serde_json::from_str(
            r#"{"id":"e1","state":"completed","result":{"content":"","type":"success"}}"#,
        )
        .unwrap();
        if let Some(result) = evaluation.result.as_mut() {
            result.content = Some(markdown.to_string());
        }
        let turn = Turn {
            prompt,
            evaluation: Some(evaluation),
        };
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3"))
            .unwrap()
            .store
            .cleaning_index_with(index_text);
        store
            .put_conversation("s", None, &[turn_record(&turn)], true, Timestamp::now())
            .unwrap();
        // a table row, a code block, bold text, HTML, a link's text
        for word in [
            "parking_lot",
            "dependencies",
            "Timon",
            "Cargo.toml",
            "serializing",
            "examples",
        ] {
            let hits = store.search(word, 10).unwrap();
            assert_eq!(hits.len(), 1, "{word}");
            let text = &hits[0].snippet.text;
            for markup in ["|", "---", "```", "**", "<details", "<p", "<img", "](", "`"] {
                assert!(
                    !text.contains(markup),
                    "{markup} in the snippet for {word}: {text}"
                );
            }
        }
    }
}
