//! `promptbook run`, `runs` and `resume`: a book's steps through Graph with progress on stderr,
//! saved in the local store as they happen, and its report.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use sctui_graph::GraphClient;
use sctui_runs::{CapacityRetry, Ending, Phase, Run, Status};
use sctui_store::{RunRecord, Store};

use super::super::RunError;
use crate::cli::args::{OutputArg, OutputFormat};
use crate::promptbook::report::{self, Format};
use crate::promptbook::{Book, Inputs};
use crate::runner::{self, DriveError, Driver, Note, RunInfo, RunLog, StoredRun, Unsaved};
use sctui_app::sanitize::{sanitize_line, truncate};

/// The kind of run a promptbook makes, as the store records it.
pub const KIND: &str = "promptbook";

/// The values for a book's inputs: the given ones (each must be declared), and on a terminal
/// the missing ones asked for; otherwise a missing one is a usage error naming it, before
/// anything is sent.
pub fn collect_inputs(
    book: &Book,
    given: &[(String, String)],
    ask: bool,
) -> Result<Inputs, RunError> {
    let mut values = Inputs::new();
    for (name, value) in given {
        if !book.inputs().iter().any(|i| &i.name == name) {
            let declared: Vec<String> = book
                .inputs()
                .iter()
                .map(|i| format!("<{}>", i.name))
                .collect();
            return Err(RunError::Usage(format!(
                "the book {:?} has no input <{name}> (its inputs: {}; names are case-sensitive)",
                book.name,
                if declared.is_empty() {
                    "none".into()
                } else {
                    declared.join(", ")
                }
            )));
        }
        values.insert(name.clone(), value.clone());
    }
    let missing: Vec<_> = book.missing_inputs(&values).into_iter().cloned().collect();
    if missing.is_empty() {
        return Ok(values);
    }
    if ask {
        for input in missing {
            let description = input
                .description
                .as_ref()
                .and_then(|d| d.as_deref())
                .unwrap_or("");
            let value = ask_line(&format!(
                "{}{}: ",
                sanitize_line(&input.name),
                if description.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", sanitize_line(description))
                }
            ))?;
            values.insert(input.name.clone(), value);
        }
        return Ok(values);
    }
    let named: Vec<String> = missing
        .iter()
        .map(|i| {
            let description = i
                .description
                .as_ref()
                .and_then(|d| d.as_deref())
                .unwrap_or("");
            if description.is_empty() {
                format!("<{}>", i.name)
            } else {
                format!("<{}> ({description})", i.name)
            }
        })
        .collect();
    Err(RunError::Usage(format!(
        "missing input{} {}: give each as --input NAME=VALUE; nothing was sent",
        if missing.len() == 1 { "" } else { "s" },
        named.join(", ")
    )))
}

/// Reads one line from the terminal after `prompt` (on stderr).
fn ask_line(prompt: &str) -> Result<String, RunError> {
    let mut err = crate::output::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let value = line.trim_end_matches(['\n', '\r']).to_string();
    if value.trim().is_empty() {
        return Err(RunError::Usage(
            "an input cannot be empty; nothing was sent".into(),
        ));
    }
    Ok(value)
}

/// The name of the session a book's run creates: the book's name and its inputs' values.
pub fn session_name(book: &Book, values: &Inputs) -> String {
    let shown: Vec<String> = book
        .inputs()
        .iter()
        .filter_map(|i| values.get(&i.name).map(|v| format!("{}={}", i.name, v)))
        .collect();
    let full = if shown.is_empty() {
        book.name.clone()
    } else {
        format!("{} ({})", book.name, shown.join(", "))
    };
    sctui_graph::conversation::name_from_question(&full)
}

/// Shows a run's progress on stderr: a line per finished step, and on a terminal a live line
/// for the running step (elapsed time, or the capacity countdown).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// What was last said about each step, so each change is said once.
    said: HashMap<usize, Phase>,
    label: String,
    quiet: bool,
}

impl Progress {
    /// `label` starts each line (empty for one run; the row for a batch); `quiet` prints only
    /// the live line (batches print a summary instead).
    pub fn new(label: impl Into<String>, live: bool, quiet: bool) -> Self {
        let bar = live.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            said: HashMap::new(),
            label: label.into(),
            quiet,
        }
    }

    fn line(&self, text: String) {
        let text = sctui_app::sanitize::sanitize_line(&text).into_owned();
        match &self.bar {
            Some(bar) => bar.println(text),
            None => crate::output::eprintln!("{text}"),
        }
    }

    /// Hears the driver.
    pub fn watch(&mut self, run: &Run, note: Note, now: Timestamp) {
        let total = run.steps().len();
        for (i, step) in run.steps().iter().enumerate() {
            let question = truncate(
                &sanitize_line(step.question.lines().next().unwrap_or("")),
                60,
            )
            .into_owned();
            let phase = step.phase;
            if self.said.get(&i) == Some(&phase) {
                continue;
            }
            self.said.insert(i, phase);
            let took = match (step.started_at, step.completed_at) {
                (Some(s), Some(e)) => format!(" ({})", report::elapsed(s, e)),
                _ => String::new(),
            };
            let result = step
                .last
                .as_ref()
                .and_then(|l| l.result.clone())
                .unwrap_or_else(|| "no result".into());
            if self.quiet {
                continue;
            }
            match phase {
                Phase::Succeeded => self.line(format!(
                    "{}✓ {}/{total} {question}{took}",
                    self.label,
                    i + 1
                )),
                Phase::Failed => self.line(format!(
                    "{}✗ {}/{total} {question}: ended without an answer ({result}){took}",
                    self.label,
                    i + 1
                )),
                Phase::WaitingForCapacity => self.line(format!(
                    "{}… {}/{total} out of capacity ({result}): a new evaluation at {}",
                    self.label,
                    i + 1,
                    step.retry_at.map(|t| t.to_string()).unwrap_or_default()
                )),
                _ => {}
            }
        }
        let Some(bar) = &self.bar else { return };
        let current = run
            .steps()
            .iter()
            .enumerate()
            .find(|(_, s)| !s.phase.is_final());
        match (note, current) {
            (Note::Waiting(left), Some((i, _))) => bar.set_message(format!(
                "{}{}/{total} waiting for capacity: {} left",
                self.label,
                i + 1,
                countdown(left)
            )),
            (_, Some((i, step))) => {
                let since = step
                    .started_at
                    .map(|s| report::elapsed(s, now))
                    .unwrap_or_default();
                let state = step
                    .last
                    .as_ref()
                    .map(|l| l.state.clone())
                    .unwrap_or_else(|| step.phase.to_string());
                bar.set_message(format!(
                    "{}{}/{total} {} · {state} {since}",
                    self.label,
                    i + 1,
                    truncate(
                        &sanitize_line(step.question.lines().next().unwrap_or("")),
                        50
                    )
                ));
            }
            (_, None) => bar.set_message(String::new()),
        }
    }

    /// Clears the live line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `41:05` or `1:02:03`.
fn countdown(left: Duration) -> String {
    let s = left.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// How a run ended, for the caller to turn into an exit code.
pub enum Finished {
    Ended(Ending),
    Stopped(DriveError),
    /// Ctrl-C.
    Cancelled,
}

/// Drives `run` with progress on stderr until it ends, fails, or Ctrl-C; the run is saved as
/// interrupted in the last two cases.
pub async fn drive_with_progress(
    driver: &Driver,
    run: &mut Run,
    log: &mut dyn RunLog,
    progress: &mut Progress,
) -> Finished {
    let timer = driver.timer.clone();
    let mut watch = |r: &Run, note: Note| progress.watch(r, note, timer.now());
    let ended = {
        let driving = driver.drive(run, log, &mut watch);
        tokio::select! {
            ended = driving => Some(ended),
            _ = tokio::signal::ctrl_c() => None,
        }
    };
    progress.finish();
    match ended {
        Some(Ok(ending)) => Finished::Ended(ending),
        Some(Err(error)) => Finished::Stopped(error),
        None => {
            // the driver saved before every request: what is stored is true, only mark it
            run.interrupt("stopped with Ctrl-C");
            let _ = log.save(run);
            Finished::Cancelled
        }
    }
}

/// What `run` and `resume` print and return once a run stopped.
pub fn conclude(
    finished: Finished,
    record: &RunRecord,
    stored: bool,
    run: &Run,
    report_file: Option<&Path>,
    output: &OutputArg,
) -> Result<(), RunError> {
    let id = stored.then_some(record.id);
    let resume = |id: Option<i64>| match id {
        Some(id) => format!("`sctui promptbook resume {id}` goes on from here"),
        None => "the store is off, so this run cannot be resumed".into(),
    };
    if let Some(path) = report_file {
        write_report(record, path)?;
        crate::output::eprintln!("Report written to {}", path.display());
    }
    {
        let mut out = crate::output::stdout();
        match output.output {
            OutputFormat::Json => {
                super::super::output::write_json(&mut out, &output.jq, &report::json(record))?
            }
            OutputFormat::Table => {
                writeln!(
                    out,
                    "run {}  {}  {}/{} steps  session {}",
                    record.id,
                    record.status,
                    run.succeeded_steps(),
                    run.steps().len(),
                    record.session_id.as_deref().unwrap_or("-")
                )?;
            }
        }
        out.flush()?;
    }
    match finished {
        Finished::Ended(Ending::Succeeded) => Ok(()),
        Finished::Ended(Ending::Failed { step }) => {
            let result = run.steps()[step]
                .last
                .as_ref()
                .map(|l| {
                    format!(
                        "{}, {}",
                        l.state,
                        l.result.as_deref().unwrap_or("no result")
                    )
                })
                .unwrap_or_default();
            Err(RunError::Evaluation(format!(
                "step {} ended without an answer ({result}); {}",
                step + 1,
                resume(id).replace("goes on from here", "evaluates it again")
            )))
        }
        Finished::Cancelled => {
            crate::output::eprintln!("Stopped with Ctrl-C: {}", resume(id));
            Err(RunError::Io(crate::tui::signals::terminated(2)))
        }
        Finished::Stopped(DriveError::Graph(error)) => Err(RunError::Hinted {
            error: Box::new(RunError::Graph(error)),
            hint: resume(id),
        }),
        Finished::Stopped(other) => Err(RunError::Hinted {
            error: Box::new(RunError::Evaluation(other.to_string())),
            hint: resume(id),
        }),
    }
}

/// Writes a run's report to `path`: JSON for a `.json` file, else Markdown.
pub fn write_report(record: &RunRecord, path: &Path) -> Result<(), RunError> {
    let text = match Format::for_path(path) {
        Format::Json => crate::output::to_json(&report::json(record))? + "\n",
        Format::Markdown => report::markdown(record),
    };
    crate::output::write_file(path, &text).map_err(|e| {
        RunError::Io(std::io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", path.display()),
        ))
    })?;
    Ok(())
}

/// Everything a run of a book needs beside the book.
pub struct RunSetup<'a> {
    pub client: &'a GraphClient,
    pub store: Option<Arc<Store>>,
    pub capacity: CapacityRetry,
    /// The existing session to ask in.
    pub session: Option<String>,
}

/// Starts a run of `book` with `values`: the run and where it is saved.
pub async fn start(
    setup: &RunSetup<'_>,
    book: &Book,
    values: &Inputs,
) -> Result<(Run, Box<dyn RunLog>, RunInfo, Option<i64>), RunError> {
    let questions = book.questions(values);
    for question in &questions {
        super::super::recording::warn_disabled_plugins(setup.store.as_deref(), question);
    }
    let run = match &setup.session {
        Some(id) => {
            let session = setup.client.get_session(id).await?;
            Run::in_session(
                session.id.clone(),
                session.display_name.clone().unwrap_or_default(),
                questions,
                setup.capacity,
            )
        }
        None => Run::in_new_session(session_name(book, values), questions, setup.capacity),
    }
    .ok_or_else(|| RunError::Usage("the book has no prompts".into()))?;
    let info = RunInfo {
        kind: KIND.into(),
        title: book.name.clone(),
        source: serde_json::to_string(book).ok(),
        inputs_json: serde_json::to_string(values).unwrap_or_else(|_| "{}".into()),
        created: Timestamp::now(),
    };
    match &setup.store {
        Some(store) => {
            let stored =
                StoredRun::create(store.clone(), info.clone(), &run, runner::Timer::system())?;
            let id = stored.id();
            Ok((run, Box::new(stored), info, Some(id)))
        }
        None => Ok((run, Box::new(Unsaved), info, None)),
    }
}

/// A stored run's state as listed: one saved as under way that no process drives any more was
/// left by a process that ended (killed, crashed) and is listed as interrupted, with that reason.
fn listed_state<'a>(store: &Store, run: &'a RunRecord) -> (&'a str, Option<&'a str>) {
    let under_way = run.status == Status::Running.as_str()
        || run.status == Status::WaitingForCapacity(Timestamp::UNIX_EPOCH).as_str();
    if under_way && !store.run_driven_elsewhere(run.id) {
        return (
            Status::Interrupted.as_str(),
            Some(
                run.interrupted
                    .as_deref()
                    .unwrap_or("the sctui process running it ended"),
            ),
        );
    }
    (run.status.as_str(), run.interrupted.as_deref())
}

/// `promptbook runs`: newest first.
pub fn list_runs(store: &Store, output: &OutputArg) -> Result<(), RunError> {
    let runs = store.runs()?;
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => {
            let value: Vec<serde_json::Value> = runs
                .iter()
                .map(|r| {
                    let inputs: serde_json::Value =
                        serde_json::from_str(&r.inputs_json).unwrap_or(serde_json::Value::Null);
                    let (state, interrupted) = listed_state(store, r);
                    serde_json::json!({
                        "id": r.id,
                        "kind": r.kind,
                        "promptbook": r.title,
                        "inputs": inputs,
                        "session": { "id": r.session_id, "displayName": r.session_name },
                        "state": state,
                        "steps": r.steps.len(),
                        "succeeded": r.steps.iter().filter(|s| s.phase == Phase::Succeeded.as_str()).count(),
                        "interrupted": interrupted,
                        "createdAt": r.created.to_string(),
                        "updatedAt": r.updated.to_string(),
                    })
                })
                .collect();
            super::super::output::write_json(&mut out, &output.jq, &value)?;
        }
        OutputFormat::Table => {
            if runs.is_empty() {
                crate::output::eprintln!("No runs yet: `sctui promptbook run BOOK` starts one.");
                return Ok(());
            }
            writeln!(
                out,
                "{:>4}  {:<18}  {:>5}  {:<36}  BOOK (INPUTS)",
                "ID", "STATE", "STEPS", "SESSION"
            )?;
            for r in &runs {
                let done = r
                    .steps
                    .iter()
                    .filter(|s| s.phase == Phase::Succeeded.as_str())
                    .count();
                let inputs = match serde_json::from_str::<serde_json::Value>(&r.inputs_json) {
                    Ok(serde_json::Value::Object(map)) if !map.is_empty() => format!(
                        " ({})",
                        map.iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "{:>4}  {:<18}  {:>5}  {:<36}  {}",
                    r.id,
                    listed_state(store, r).0,
                    format!("{done}/{}", r.steps.len()),
                    r.session_id.as_deref().unwrap_or("-"),
                    truncate(&sanitize_line(&format!("{}{inputs}", r.title)), 60)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Whether to show the live line: stderr is a terminal.
pub fn live() -> bool {
    std::io::stderr().is_terminal()
}
