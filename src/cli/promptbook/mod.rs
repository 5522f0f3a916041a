//! `sctui promptbook …`: the library (list, show, lint), runs through Graph (run, runs,
//! resume) and making a book from a session (new).

mod batch;
pub(crate) mod run;

use std::io::IsTerminal;
use std::sync::Arc;

use sctui_graph::conversation::PollPlan;
use sctui_runs::{CapacityRetry, Status};
use sctui_store::Store;

use super::RunError;
use crate::cli::args::{GlobalArgs, OutputArg, OutputFormat, PromptbookCommand, PromptbookRunArgs};
use crate::config::Config;
use crate::promptbook::Book;
use crate::promptbook::library::{self, BookError, Entry, Library};
use crate::promptbook::lint::{self, Severity};
use crate::runner::{self, Driver, StoredRun};
use sctui_app::sanitize::{sanitize_line, sanitize_multiline, truncate};

/// Runs one `promptbook` subcommand.
pub async fn run(global: &GlobalArgs, command: PromptbookCommand) -> Result<(), RunError> {
    let config = super::load_config(global)?;
    match command {
        PromptbookCommand::List { paths, output } => {
            list(&load_library(global, &config, &paths), &output)
        }
        PromptbookCommand::Show { book, output } => {
            let entry = resolve(global, &config, &book)?;
            show(&entry, &output)
        }
        PromptbookCommand::Lint {
            books,
            strict,
            output,
        } => lint_books(global, &config, &books, strict, &output),
        PromptbookCommand::Run(args) => run_book(global, &config, args).await,
        PromptbookCommand::Runs { output } => {
            let store = open_store(global, &config, None)?;
            run::list_runs(&store, &output)
        }
        PromptbookCommand::Resume {
            run,
            report,
            retry_capacity_after,
            output,
        } => resume(global, &config, run, report, retry_capacity_after, output).await,
        PromptbookCommand::New {
            from_session,
            out,
            inputs,
            name,
            force,
        } => {
            super::hints::check_id("session id", &from_session)?;
            new_book(global, &config, &from_session, &out, &inputs, name, force).await
        }
    }
}

/// The store runs are saved in (this workspace's), required.
fn open_store(
    global: &GlobalArgs,
    config: &Config,
    workspace: Option<&str>,
) -> Result<Arc<Store>, RunError> {
    let mut target = super::store::target(global, config);
    if let Some(workspace) = workspace {
        target = target.for_workspace(workspace);
    }
    Ok(Arc::new(super::store::open(&target)?))
}

/// `promptbook run`.
async fn run_book(
    global: &GlobalArgs,
    config: &Config,
    args: PromptbookRunArgs,
) -> Result<(), RunError> {
    if global.offline {
        return Err(super::store::refused("running a promptbook"));
    }
    let entry = resolve(global, config, &args.book)?;
    let book = entry.book;
    let problems = lint::lint(&book);
    if !lint::is_runnable(&problems) {
        for problem in problems.iter().filter(|p| p.severity == Severity::Error) {
            crate::output::eprintln!("{}: {problem}", entry.origin);
        }
        return Err(RunError::Usage(format!(
            "{:?} is not runnable as written (`sctui promptbook lint` lists why); nothing was sent",
            book.name
        )));
    }
    if let Some(id) = &args.session {
        super::hints::check_id("session id", id)?;
    }
    // every input is known before anything is sent
    let shared: crate::promptbook::Inputs = args.inputs.iter().cloned().collect();
    let rows = match &args.inputs_file {
        Some(path) => {
            run::collect_inputs(&book, &args.inputs, false).or_else(|e| match e {
                // columns of the file fill what --input leaves out
                RunError::Usage(m) if m.starts_with("missing input") => Ok(shared.clone()),
                other => Err(other),
            })?;
            Some(batch::read_rows(&book, path, &shared)?)
        }
        None => None,
    };
    let values = match rows {
        Some(_) => shared,
        None => {
            let ask = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
            run::collect_inputs(&book, &args.inputs, ask)?
        }
    };
    let capacity = args
        .retry_capacity_after
        .map_or(CapacityRetry::NextHour, CapacityRetry::After);
    let report_dir = match &rows {
        Some(_) => Some(batch::report_dir(&book, args.report.as_deref())?),
        None => None,
    };
    super::with_graph(global, false, async |client, config, _notices| {
        let store = store_or_warn(global, &config, client.workspace());
        let plan = PollPlan {
            deadline: config.ask_timeout,
            ..PollPlan::default()
        };
        let setup = run::RunSetup {
            client: &client,
            store: store.clone(),
            capacity,
            session: args.session.clone(),
        };
        let driver = Driver::new(client.clone(), plan);
        if let (Some(rows), Some(dir)) = (rows, &report_dir) {
            return batch::run_rows(
                &setup,
                &driver,
                &book,
                rows,
                usize::from(args.parallel),
                dir,
                &args.output,
            )
            .await;
        }
        let (mut run, mut log, info, id) = run::start(&setup, &book, &values).await?;
        let place = match &run.session().id {
            Some(id) => format!("session {id}"),
            None => format!("a new session, {:?}", run.session().display_name),
        };
        match id {
            Some(id) => crate::output::eprintln!(
                "Run {id}: {:?}, {} steps in {place}",
                book.name,
                run.steps().len()
            ),
            None => crate::output::eprintln!(
                "Running {:?}, {} steps in {place} (the store is off: this run cannot be resumed)",
                book.name,
                run.steps().len()
            ),
        }
        let mut progress = run::Progress::new("", run::live(), false);
        let finished =
            run::drive_with_progress(&driver, &mut run, log.as_mut(), &mut progress).await;
        let record = runner::record_of(&info, id.unwrap_or(0), &run, jiff::Timestamp::now());
        run::conclude(
            finished,
            &record,
            id.is_some(),
            &run,
            args.report.as_deref(),
            &args.output,
        )
    })
    .await
}

/// The store, or `None` with a warning when it is off (the run then cannot be resumed).
fn store_or_warn(global: &GlobalArgs, config: &Config, workspace: &str) -> Option<Arc<Store>> {
    let target = super::store::target(global, config).for_workspace(workspace);
    match target.open() {
        Ok(Some(opened)) => {
            if let Some(recovered) = opened.recovered {
                crate::output::eprintln!("sctui: warning: {recovered}");
            }
            Some(Arc::new(opened.store))
        }
        Ok(None) => None,
        Err(e) => {
            crate::output::eprintln!(
                "sctui: warning: {e}: the run is not saved and cannot be resumed"
            );
            None
        }
    }
}

/// `promptbook resume`: a finished run only writes its report (offline too); otherwise the run
/// goes on where it stopped, a failed step evaluated again.
async fn resume(
    global: &GlobalArgs,
    config: &Config,
    id: i64,
    report: Option<std::path::PathBuf>,
    retry_capacity_after: Option<std::time::Duration>,
    output: OutputArg,
) -> Result<(), RunError> {
    let store = open_store(global, config, None)?;
    let timer = runner::Timer::system();
    let (stored, mut run) = StoredRun::open(store.clone(), id, timer)
        .map_err(|e| match e {
            runner::OpenError::Store(s) => RunError::Store(s),
            damaged => RunError::Usage(damaged.to_string()),
        })?
        .ok_or_else(|| {
            RunError::NotStored(format!(
                "no run {id} in this workspace's store (`sctui promptbook runs` lists them)"
            ))
        })?;
    if run.status() == Status::Succeeded {
        crate::output::eprintln!("Run {id} has finished: nothing to resume.");
        let record = runner::record_of(stored.info(), id, &run, jiff::Timestamp::now());
        return run::conclude(
            run::Finished::Ended(sctui_runs::Ending::Succeeded),
            &record,
            true,
            &run,
            report.as_deref(),
            &output,
        );
    }
    if global.offline {
        return Err(super::store::refused("resuming a run"));
    }
    if let Some(wait) = retry_capacity_after {
        run.set_capacity(CapacityRetry::After(wait));
    }
    if run.retry_failed() {
        crate::output::eprintln!("Run {id}: evaluating the failed step again");
    }
    let mut log = stored;
    super::with_graph(global, false, async |client, config, _notices| {
        let plan = PollPlan {
            deadline: config.ask_timeout,
            ..PollPlan::default()
        };
        let driver = Driver::new(client.clone(), plan);
        crate::output::eprintln!(
            "Resuming run {id}: {:?}, {}/{} steps done",
            log.info().title,
            run.succeeded_steps(),
            run.steps().len()
        );
        let mut progress = run::Progress::new("", run::live(), false);
        let finished = run::drive_with_progress(&driver, &mut run, &mut log, &mut progress).await;
        let record = runner::record_of(log.info(), id, &run, jiff::Timestamp::now());
        run::conclude(finished, &record, true, &run, report.as_deref(), &output)
    })
    .await
}

/// `promptbook new --from-session`: the session's questions, in order, as a book.
async fn new_book(
    global: &GlobalArgs,
    config: &Config,
    session_id: &str,
    out: &std::path::Path,
    inputs: &[(String, String)],
    name: Option<String>,
    force: bool,
) -> Result<(), RunError> {
    if out.exists() && !force {
        return Err(RunError::Usage(format!(
            "{} exists: choose another --out, or add --force to replace it",
            out.display()
        )));
    }
    for (input, _) in inputs {
        if input
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>')
        {
            return Err(RunError::Usage(format!(
                "input name {input:?}: no spaces or angle brackets (a prompt writes it <{}>)",
                input.trim()
            )));
        }
    }
    let (session, turns) = if global.offline {
        let target = super::store::target(global, config);
        let store = super::store::open(&target)?;
        let conversation = store.conversation(session_id)?.ok_or_else(|| {
            RunError::NotStored(format!("session {session_id} is not in the local store"))
        })?;
        let session = crate::store::stored_sessions(&store)?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(|| RunError::NotStored(format!("session {session_id} is not stored")))?;
        (session, crate::store::turns_from(&conversation))
    } else {
        let session_id = session_id.to_string();
        let mut found = None;
        super::with_graph(global, false, async |client, _, _| {
            let session = client.get_session(&session_id).await?;
            let turns = sctui_graph::conversation::load_conversation(&client, &session_id).await?;
            found = Some((session, turns));
            Ok(())
        })
        .await?;
        found.expect("set on success")
    };
    let questions: Vec<String> = turns
        .iter()
        .filter(|t| t.prompt.prompt_type == sctui_graph::models::PromptType::Prompt)
        .filter_map(|t| t.prompt.content.clone())
        .filter(|c| !c.trim().is_empty())
        .collect();
    if questions.is_empty() {
        return Err(RunError::Usage(format!(
            "session {session_id} has no questions to make a book from"
        )));
    }
    let values: crate::promptbook::Inputs = inputs.iter().cloned().collect();
    let session_name = session
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Untitled session".into());
    let name = name.unwrap_or_else(|| session_name.clone());
    let description = format!("Made by sctui from the session {session_name:?} ({session_id})");
    let book = Book::from_questions(&name, &description, &questions, &values);
    for (input, value) in &values {
        if !questions.iter().any(|q| q.contains(value.as_str())) || value.is_empty() {
            crate::output::eprintln!(
                "sctui: warning: no question has the value of <{input}>: the input is declared \
                 but not used"
            );
        }
    }
    let text = crate::output::to_json(&book)? + "\n";
    crate::output::write_file(out, &text).map_err(|e| {
        RunError::Io(std::io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", out.display()),
        ))
    })?;
    crate::output::eprintln!(
        "Wrote {} ({} steps, {} inputs)",
        out.display(),
        book.prompts.len(),
        values.len()
    );
    Ok(())
}

/// The library this run sees: the config folder's `promptbooks/`, `extra`, and the demo's books
/// with `--demo`. Files that cannot be read are reported on stderr and left out.
fn load_library(global: &GlobalArgs, config: &Config, extra: &[std::path::PathBuf]) -> Library {
    let dir = library::dir_for(config.loaded_from.as_deref().or(global.config.as_deref()));
    let library = Library::load(dir, extra, global.demo);
    for problem in &library.unreadable {
        crate::output::eprintln!("sctui: warning: {problem}");
    }
    library
}

/// The book a BOOK argument names.
fn resolve(global: &GlobalArgs, config: &Config, wanted: &str) -> Result<Entry, RunError> {
    let library = {
        let dir = library::dir_for(config.loaded_from.as_deref().or(global.config.as_deref()));
        Library::load(dir, &[], global.demo)
    };
    library.resolve(wanted).map_err(book_error)
}

/// How a book that cannot be had ends the command: a missing one is "not found" (exit 4), an
/// unreadable one a usage error (exit 2).
fn book_error(error: BookError) -> RunError {
    match error {
        BookError::NotFound { .. } => RunError::NotStored(error.to_string()),
        other => RunError::Usage(other.to_string()),
    }
}

/// The inputs' names, joined for a table.
fn input_names(entry: &Entry) -> String {
    let names: Vec<&str> = entry
        .book
        .inputs()
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    if names.is_empty() {
        "-".into()
    } else {
        names.join(", ")
    }
}

fn list(library: &Library, output: &OutputArg) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => {
            let value: Vec<serde_json::Value> = library
                .entries
                .iter()
                .map(|entry| {
                    serde_json::json!({
                        "name": entry.book.name,
                        "description": entry.book.description(),
                        "inputs": entry.book.inputs().iter().map(|i| serde_json::json!({
                            "name": i.name,
                            "description": i.description.as_ref().and_then(|d| d.as_deref()),
                        })).collect::<Vec<_>>(),
                        "steps": entry.book.prompts.len(),
                        "file": entry.origin.to_string(),
                    })
                })
                .collect();
            super::output::write_json(&mut out, &output.jq, &value)?;
        }
        OutputFormat::Table => {
            if library.entries.is_empty() {
                let place = library
                    .dir
                    .as_ref()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|| "the config folder's promptbooks/".into());
                crate::output::eprintln!(
                    "No promptbooks: put Microsoft-format .json files in {place}, or name files \
                     and folders after `list` (--demo has a few of its own)."
                );
                return Ok(());
            }
            let name_width = library
                .entries
                .iter()
                .map(|e| sctui_app::sanitize::width(&e.book.name).min(40))
                .max()
                .unwrap_or(4)
                .max(4);
            writeln!(
                out,
                "{:<name_width$}  {:<24}  {:>5}  FILE",
                "NAME", "INPUTS", "STEPS"
            )?;
            for entry in &library.entries {
                let name = truncate(&sanitize_line(&entry.book.name), 40).into_owned();
                let pad = name_width.saturating_sub(sctui_app::sanitize::width(&name));
                writeln!(
                    out,
                    "{name}{}  {:<24}  {:>5}  {}",
                    " ".repeat(pad),
                    truncate(&sanitize_line(&input_names(entry)), 24),
                    entry.book.prompts.len(),
                    entry.origin
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn show(entry: &Entry, output: &OutputArg) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    let book = &entry.book;
    match output.output {
        // the book itself, not a JSON value: its fields keep Microsoft's order
        OutputFormat::Json => super::output::write_json(&mut out, &output.jq, book)?,
        OutputFormat::Table => {
            writeln!(out, "{}", sanitize_line(&book.name))?;
            if let Some(description) = book.description().filter(|d| !d.trim().is_empty()) {
                writeln!(out, "{}", sanitize_multiline(description).trim_end())?;
            }
            writeln!(out, "File: {}", entry.origin)?;
            writeln!(out)?;
            if book.inputs().is_empty() {
                writeln!(out, "Inputs: none")?;
            } else {
                writeln!(out, "Inputs:")?;
                for input in book.inputs() {
                    let description = input
                        .description
                        .as_ref()
                        .and_then(|d| d.as_deref())
                        .unwrap_or("");
                    writeln!(
                        out,
                        "  <{}>  {}",
                        sanitize_line(&input.name),
                        sanitize_line(description)
                    )?;
                }
            }
            writeln!(out)?;
            writeln!(out, "Steps:")?;
            let steps = book.steps();
            let width = steps.len().to_string().len();
            for (n, (_, prompt)) in steps.iter().enumerate() {
                let kind = if prompt.is_runnable() {
                    String::new()
                } else {
                    format!("[{}] ", sanitize_line(prompt.kind()))
                };
                let text = sanitize_multiline(prompt.text());
                let mut lines = text.lines();
                writeln!(
                    out,
                    "  {:>width$}. {kind}{}",
                    n + 1,
                    lines.next().unwrap_or("")
                )?;
                for line in lines {
                    writeln!(out, "  {:>width$}  {line}", "")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn lint_books(
    global: &GlobalArgs,
    config: &Config,
    books: &[String],
    strict: bool,
    output: &OutputArg,
) -> Result<(), RunError> {
    let mut failed = 0;
    let mut report = Vec::new();
    let mut out = crate::output::stdout();
    for wanted in books {
        let (label, problems, name) = match resolve(global, config, wanted) {
            Ok(entry) => (
                entry.origin.to_string(),
                lint::lint(&entry.book),
                Some(entry.book.name.clone()),
            ),
            // a file that does not read is a problem of its own, reported with the rest
            Err(RunError::NotStored(message) | RunError::Usage(message)) => {
                failed += 1;
                match output.output {
                    OutputFormat::Json => report.push(serde_json::json!({
                        "book": wanted, "runnable": false,
                        "problems": [{"severity": "error", "place": "book", "message": message}],
                    })),
                    OutputFormat::Table => {
                        writeln!(out, "{}: error: {message}", sanitize_line(wanted))?
                    }
                }
                continue;
            }
            Err(other) => return Err(other),
        };
        let passes = if strict {
            problems.is_empty()
        } else {
            lint::is_runnable(&problems)
        };
        if !passes {
            failed += 1;
        }
        match output.output {
            OutputFormat::Json => report.push(serde_json::json!({
                "book": wanted,
                "file": label,
                "name": name,
                "runnable": lint::is_runnable(&problems),
                "problems": problems,
            })),
            OutputFormat::Table => {
                for problem in &problems {
                    writeln!(out, "{label}: {problem}")?;
                }
                if problems.iter().all(|p| p.severity == Severity::Warning) {
                    let warnings = match problems.len() {
                        0 => String::new(),
                        1 => " (1 warning)".into(),
                        n => format!(" ({n} warnings)"),
                    };
                    writeln!(out, "{label}: runnable{warnings}")?;
                }
            }
        }
    }
    if output.output == OutputFormat::Json {
        super::output::write_json(&mut out, &output.jq, &report)?;
    }
    out.flush()?;
    match failed {
        0 => Ok(()),
        n => Err(RunError::Lint(format!(
            "{n} of {} promptbook{} {} not {}",
            books.len(),
            if books.len() == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" },
            if strict { "clean" } else { "runnable" }
        ))),
    }
}
