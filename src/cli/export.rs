//! `sctui sessions export`: one session as Markdown, HTML or JSON, or with `--all` every stored
//! session as CSV or JSON, to a file or stdout. Offline it reads the local store only; online it
//! first fetches what the store lacks (one session: its conversation; `--all`: a sync of the
//! conversations), so both write from the same data.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use jiff::Timestamp;

use super::RunError;
use crate::cli::args::{ExportArgs, JqArgs, OutputFormat};
use crate::export::{Conversation, Format, Provenance, json};
use crate::store::sync::{self, SyncOptions};
use crate::store::{Store, StoreTarget};
use sctui_graph::GraphClient;

/// What one `sessions export` run does, decided from its flags before anything is read or sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub which: Which,
    pub format: Format,
    pub destination: Destination,
    /// What the command itself prints about the export.
    pub printed: OutputFormat,
    /// `--jq`: for the JSON printed on stdout (the summary, or a JSON export).
    pub jq: JqArgs,
}

/// The sessions to export.
#[derive(Debug, Clone, PartialEq)]
pub enum Which {
    One(String),
    /// Every stored session (modified within `since`, when given).
    All {
        since: Option<Duration>,
    },
}

/// Where the export goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

impl Plan {
    /// Checks the flags' combination. `-o/--output` is the printed format (`table`, `json`); any
    /// other value is taken as the file it named before `--file` existed, with a warning.
    pub fn from_args(args: ExportArgs) -> Result<Self, RunError> {
        let ExportArgs {
            id,
            all,
            since,
            format,
            file,
            output,
            jq,
        } = args;
        let (printed, legacy_file) = match output.as_deref() {
            // --jq filters the JSON summary, unless the export itself is JSON on stdout
            None if jq.jq.is_some() => (OutputFormat::Json, None),
            None => (OutputFormat::Table, None),
            Some(value) => match OutputFormat::from_str(value, true) {
                Ok(printed) => (printed, None),
                Err(_) => (OutputFormat::Table, Some(PathBuf::from(value))),
            },
        };
        let file = match (file, legacy_file) {
            (Some(_), Some(legacy)) => {
                return Err(RunError::Usage(format!(
                    "`-o/--output` is the printed format (table or json), not a file: give the \
                     file once, with --file (`{}` is neither)",
                    legacy.display()
                )));
            }
            (Some(file), None) => Some(file),
            (None, Some(legacy)) => {
                crate::output::eprintln!(
                    "sctui: warning: `-o/--output` is the printed format (table or json), as on \
                     every command; writing {} as if `--file {}` were given (scripts should use \
                     --file)",
                    legacy.display(),
                    legacy.display()
                );
                Some(legacy)
            }
            (None, None) => None,
        };
        let destination = match file {
            Some(path) if path.as_os_str() == "-" => Destination::Stdout,
            Some(path) => Destination::File(path),
            None => Destination::Stdout,
        };
        let which = match (id, all) {
            (Some(id), false) => {
                super::hints::check_id("session id", &id)?;
                Which::One(id)
            }
            (None, true) => Which::All { since },
            _ => {
                return Err(RunError::Usage(
                    "give a session id, or --all for every stored session".into(),
                ));
            }
        };
        let format = format.map(Format::from).unwrap_or(Format::Markdown);
        if matches!(which, Which::All { .. }) && !format.holds_many() {
            return Err(RunError::Usage(
                "--all writes every session into one file: use --format csv or --format json \
                 (md and html export one session)"
                    .into(),
            ));
        }
        if jq.jq.is_some() && destination == Destination::Stdout {
            if format != Format::Json {
                return Err(RunError::Usage(format!(
                    "--jq filters JSON, and this export prints {}: use --format json, or --file \
                     PATH to filter the summary of what was written",
                    format.extension()
                )));
            }
        } else if printed == OutputFormat::Json && destination == Destination::Stdout {
            return Err(RunError::Usage(
                "`--output json` prints a summary of the file written, but this export goes to \
                 stdout: add --file PATH, or use --format json for the session as JSON \
                 (`--file json` writes a file named json)"
                    .into(),
            ));
        }
        Ok(Self {
            which,
            format,
            destination,
            printed,
            jq,
        })
    }
}

/// Runs an export from the local store only (`--offline`): no request is sent.
pub fn offline(target: &StoreTarget, plan: &Plan, by: Option<String>) -> Result<(), RunError> {
    let store = super::store::open_to_read(target)?;
    let conversations = match &plan.which {
        Which::One(id) => vec![stored_one(&store, id)?],
        Which::All { since } => stored_all(&store, *since)?,
    };
    let provenance = Provenance {
        exported_at: Timestamp::now(),
        by,
        workspace: target.key.workspace.clone(),
    };
    write(plan, &conversations, &provenance)
}

/// Runs an export online: fetches what the store lacks, keeps it there (when the store is on),
/// then writes.
pub async fn online(
    client: &GraphClient,
    target: &StoreTarget,
    concurrency: usize,
    plan: &Plan,
    by: Option<String>,
) -> Result<(), RunError> {
    let conversations = match &plan.which {
        Which::One(id) => vec![fetch_one(client, target, id).await?],
        Which::All { since } => {
            if !target.enabled {
                return Err(RunError::Usage(
                    "--all exports from the local store, which is off ([store] enabled = false \
                     or --no-store)"
                        .into(),
                ));
            }
            let store = Arc::new(super::store::open(target)?);
            sync_conversations(client, &store, *since, concurrency).await?;
            stored_all(&store, *since)?
        }
    };
    let provenance = Provenance {
        exported_at: Timestamp::now(),
        by,
        workspace: client.workspace().to_string(),
    };
    write(plan, &conversations, &provenance)
}

/// One session from Graph, kept in the store on the way (a store that cannot be written only
/// costs a warning: the export itself does not need it).
async fn fetch_one(
    client: &GraphClient,
    target: &StoreTarget,
    id: &str,
) -> Result<Conversation, RunError> {
    let session = client.get_session(id).await?;
    let turns = sctui_graph::conversation::load_conversation(client, id).await?;
    let kept = target.open().and_then(|opened| match opened {
        Some(opened) => {
            let now = Timestamp::now();
            crate::store::put_sessions(&opened.store, std::slice::from_ref(&session), now)?;
            crate::store::put_conversation(&opened.store, &session, &turns, now)
        }
        None => Ok(()),
    });
    if let Err(error) = kept {
        crate::output::eprintln!("sctui: warning: not kept in the local store: {error}");
    }
    Ok(Conversation { session, turns })
}

/// Brings the store up to date for `--all`: the session list, and the conversations it lacks or
/// holds stale (see [`sync::run`]).
async fn sync_conversations(
    client: &GraphClient,
    store: &Arc<Store>,
    since: Option<Duration>,
    concurrency: usize,
) -> Result<(), RunError> {
    if std::io::stderr().is_terminal() {
        crate::output::eprintln!("Fetching what the local store lacks…");
    }
    let options = SyncOptions {
        conversations: true,
        since,
        concurrency,
    };
    let report = sync::run(client, store.clone(), &options, &|_| {}, None)
        .await
        .map_err(|e| match e {
            sync::SyncError::Graph(g) => RunError::Graph(g),
            sync::SyncError::Store(s) => RunError::Store(s),
        })?;
    if let Some(error) = report.first_failure {
        crate::output::eprintln!(
            "sctui: warning: {} conversations could not be fetched ({}); the stored copies \
             are exported",
            report.failed,
            sctui_app::advice::graph(&error)
        );
    }
    Ok(())
}

fn stored_one(store: &Store, id: &str) -> Result<Conversation, RunError> {
    Ok(Conversation {
        session: super::store::stored_session(store, id)?,
        turns: super::store::stored_turns(store, id)?,
    })
}

/// Every stored session modified within `since` whose conversation is stored, newest first;
/// the others are counted in a warning.
fn stored_all(store: &Store, since: Option<Duration>) -> Result<Vec<Conversation>, RunError> {
    let cutoff = since
        .and_then(|since| jiff::SignedDuration::try_from(since).ok())
        .and_then(|since| Timestamp::now().checked_sub(since).ok());
    let mut conversations = Vec::new();
    let mut missing = 0;
    for session in crate::store::stored_sessions(store)? {
        let modified = session
            .last_modified_date_time
            .as_ref()
            .and_then(|t| t.instant());
        if let (Some(cutoff), Some(modified)) = (cutoff, modified)
            && modified < cutoff
        {
            continue;
        }
        match store.conversation(&session.id)? {
            Some(stored) => conversations.push(Conversation {
                turns: crate::store::turns_from(&stored),
                session,
            }),
            None => missing += 1,
        }
    }
    if missing > 0 {
        crate::output::eprintln!(
            "sctui: warning: {missing} sessions are left out: their conversations are not in the \
             local store (run `sctui sync --conversations` while online)"
        );
    }
    Ok(conversations)
}

/// The export's text: the document, or the data for a spreadsheet or a script.
pub fn render(
    format: Format,
    conversations: &[Conversation],
    provenance: &Provenance,
) -> Result<String, RunError> {
    Ok(match (format, conversations) {
        (format, [one]) => crate::export::one(format, one, provenance)?,
        (Format::Csv, many) => crate::export::csv::rows(many)?,
        (Format::Json, many) => {
            let all: Vec<_> = many.iter().map(json::session_json).collect();
            crate::output::to_json(&all)? + "\n"
        }
        (Format::Markdown | Format::Html, _) => {
            return Err(RunError::Usage(
                "md and html export one session at a time".into(),
            ));
        }
    })
}

fn write(
    plan: &Plan,
    conversations: &[Conversation],
    provenance: &Provenance,
) -> Result<(), RunError> {
    if plan.destination == Destination::Stdout && plan.jq.jq.is_some() {
        let mut out = crate::output::stdout();
        match conversations {
            [one] => super::output::write_json(&mut out, &plan.jq, &json::session_json(one))?,
            many => {
                let all: Vec<_> = many.iter().map(json::session_json).collect();
                super::output::write_json(&mut out, &plan.jq, &all)?
            }
        }
        out.flush()?;
        return Ok(());
    }
    let text = render(plan.format, conversations, provenance)?;
    let bom = if plan.format == Format::Csv {
        crate::export::csv::BOM
    } else {
        ""
    };
    match &plan.destination {
        Destination::Stdout => {
            let mut out = crate::output::stdout();
            if !bom.is_empty() {
                out.byte_order_mark()?;
            }
            out.write_records(&text)?;
            out.flush()?;
        }
        Destination::File(path) => {
            crate::output::write_file_bytes(path, bom.as_bytes(), &text).map_err(|e| {
                RunError::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot write {}: {e}", path.display()),
                ))
            })?;
            report(plan, path, conversations)?;
        }
    }
    Ok(())
}

/// Says what was written: a line on stderr, or an object on stdout with `-o json`.
fn report(plan: &Plan, path: &Path, conversations: &[Conversation]) -> Result<(), RunError> {
    let questions: usize = conversations.iter().map(|c| c.turns.len()).sum();
    match plan.printed {
        OutputFormat::Table => {
            let sessions = match conversations.len() {
                1 => "1 session".to_string(),
                n => format!("{n} sessions"),
            };
            crate::output::eprintln!(
                "Exported {sessions} ({questions} questions) as {} to {}",
                plan.format.extension(),
                path.display()
            );
        }
        OutputFormat::Json => {
            let summary = serde_json::json!({
                "file": path.display().to_string(),
                "format": plan.format.extension(),
                "sessions": conversations.len(),
                "questions": questions,
            });
            let mut out = crate::output::stdout();
            super::output::write_json(&mut out, &plan.jq, &summary)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Who is exporting, when that is known without a request: the demo's user, or the account in
/// the token cache when the cache is what signs in.
pub fn exporter(demo: bool, token_file: Option<&Path>) -> Option<String> {
    if demo {
        return super::fake_graph::demo_account().ok().map(|a| a.display());
    }
    let from_environment = std::env::var("SCTUI_ACCESS_TOKEN").is_ok_and(|t| !t.is_empty());
    if token_file.is_some() || from_environment {
        return None;
    }
    sctui_graph::auth::cache::TokenCache::default_location()
        .ok()?
        .account()
        .map(|a| a.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::ExportFormat;

    fn args(id: Option<&str>) -> ExportArgs {
        ExportArgs {
            id: id.map(str::to_string),
            all: false,
            since: None,
            format: None,
            file: None,
            output: None,
            jq: JqArgs::default(),
        }
    }

    #[test]
    fn output_keeps_its_meaning_and_an_old_file_name_still_works() {
        let plan = Plan::from_args(args(Some("s1"))).unwrap();
        assert_eq!(plan.destination, Destination::Stdout);
        assert_eq!(plan.format, Format::Markdown);

        let old = ExportArgs {
            output: Some("notes.md".into()),
            ..args(Some("s1"))
        };
        let plan = Plan::from_args(old).unwrap();
        assert_eq!(plan.destination, Destination::File("notes.md".into()));
        assert_eq!(plan.printed, OutputFormat::Table);

        let summary = ExportArgs {
            output: Some("json".into()),
            file: Some("x.html".into()),
            format: Some(ExportFormat::Html),
            ..args(Some("s1"))
        };
        let plan = Plan::from_args(summary).unwrap();
        assert_eq!(plan.printed, OutputFormat::Json);
        assert_eq!(plan.format, Format::Html);

        // `-o json` alone was a file named json; now it would print JSON over the export
        let ambiguous = ExportArgs {
            output: Some("json".into()),
            ..args(Some("s1"))
        };
        let Err(RunError::Usage(message)) = Plan::from_args(ambiguous) else {
            panic!("a usage error")
        };
        assert!(
            message.contains("--file") && message.contains("--format json"),
            "{message}"
        );

        let twice = ExportArgs {
            output: Some("a.md".into()),
            file: Some("b.md".into()),
            ..args(Some("s1"))
        };
        assert!(matches!(Plan::from_args(twice), Err(RunError::Usage(_))));
    }

    #[test]
    fn all_writes_one_file_of_csv_or_json() {
        let all = |format| ExportArgs {
            all: true,
            format: Some(format),
            file: Some("-".into()),
            ..args(None)
        };
        for format in [ExportFormat::Md, ExportFormat::Html] {
            assert!(matches!(
                Plan::from_args(all(format)),
                Err(RunError::Usage(_))
            ));
        }
        let plan = Plan::from_args(all(ExportFormat::Csv)).unwrap();
        assert_eq!(plan.which, Which::All { since: None });
        assert_eq!(plan.destination, Destination::Stdout);
    }
}
