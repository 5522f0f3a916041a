//! `promptbook run --inputs-file ROWS.csv [--parallel N]`: the book once per row (one session
//! each), N rows at a time, a capacity wait pausing them all, the reports in a folder and one
//! summary at the end.

use std::path::{Path, PathBuf};

use futures::StreamExt;

use super::super::RunError;
use super::run::{self, Finished, Progress, RunSetup};
use crate::cli::args::{OutputArg, OutputFormat};
use crate::promptbook::{Book, Inputs};
use crate::runner::{CapacityGate, Driver};
use sctui_app::sanitize::sanitize_line;
use sctui_runs::Ending;

/// The rows of a CSV file whose header names the book's inputs; `shared` (from `--input`) fills
/// columns the file does not have. Every row must end up with every input.
pub fn read_rows(book: &Book, path: &Path, shared: &Inputs) -> Result<Vec<Inputs>, RunError> {
    let usage = |message: String| RunError::Usage(format!("{}: {message}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| usage(format!("cannot read it: {e}")))?;
    // spreadsheets save CSV with a BOM, sometimes as UTF-16: read it as books are read
    let text = crate::promptbook::decode(&bytes).map_err(|e| usage(e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| usage(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    for name in &header {
        if !book.inputs().iter().any(|i| &i.name == name) {
            return Err(usage(format!(
                "column {name:?} is not an input of {:?} (its inputs: {})",
                book.name,
                book.inputs()
                    .iter()
                    .map(|i| format!("<{}>", i.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| usage(e.to_string()))?;
        let mut values = shared.clone();
        for (name, value) in header.iter().zip(record.iter()) {
            values.insert(name.clone(), value.to_string());
        }
        let missing = book.missing_inputs(&values);
        if !missing.is_empty() {
            return Err(usage(format!(
                "row {} has no value for {}; nothing was sent",
                n + 1,
                missing
                    .iter()
                    .map(|i| format!("<{}>", i.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        rows.push(values);
    }
    if rows.is_empty() {
        return Err(usage("no rows under the header".into()));
    }
    Ok(rows)
}

/// The reports folder: the one given, or a new one named after the book in the current folder.
pub fn report_dir(book: &Book, given: Option<&Path>) -> Result<PathBuf, RunError> {
    let dir = match given {
        Some(path) => {
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("json"))
            {
                return Err(RunError::Usage(format!(
                    "with --inputs-file, --report names a folder for one report per row, not a \
                     file ({})",
                    path.display()
                )));
            }
            path.to_path_buf()
        }
        None => {
            let slug: String = sanitize_line(&book.name)
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
            let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S");
            PathBuf::from(format!("{}-reports-{stamp}", slug.join("-")))
        }
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        RunError::Io(std::io::Error::new(
            e.kind(),
            format!("cannot create {}: {e}", dir.display()),
        ))
    })?;
    Ok(dir)
}

/// How one row ended.
struct RowResult {
    row: usize,
    run: Option<i64>,
    session: Option<String>,
    status: String,
    error: Option<RunError>,
    failed_step: bool,
}

/// Runs every row, `parallel` at a time, and prints the summary.
pub async fn run_rows(
    setup: &RunSetup<'_>,
    driver: &Driver,
    book: &Book,
    rows: Vec<Inputs>,
    parallel: usize,
    dir: &Path,
    output: &OutputArg,
) -> Result<(), RunError> {
    let gate = CapacityGate::default();
    let driver = Driver {
        gate: Some(gate),
        ..driver.clone()
    };
    let total = rows.len();
    crate::output::eprintln!(
        "{} rows, {parallel} at a time; reports go to {}",
        total,
        dir.display()
    );
    let work = rows.into_iter().enumerate().map(|(i, values)| {
        let driver = &driver;
        async move { run_row(setup, driver, book, i + 1, values, dir).await }
    });
    let batch = futures::stream::iter(work)
        .buffer_unordered(parallel.max(1))
        .collect::<Vec<RowResult>>();
    let mut results = tokio::select! {
        results = batch => results,
        _ = tokio::signal::ctrl_c() => {
            crate::output::eprintln!(
                "Stopped with Ctrl-C: `sctui promptbook runs` lists the rows' runs; `resume` finishes each"
            );
            return Err(RunError::Io(crate::tui::signals::terminated(2)));
        }
    };
    results.sort_by_key(|r| r.row);
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => {
            let value: Vec<serde_json::Value> = results
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "row": r.row,
                        "run": r.run,
                        "session": r.session,
                        "result": r.status,
                        "error": r.error.as_ref().map(|e| e.to_string()),
                    })
                })
                .collect();
            super::super::output::write_json(&mut out, &output.jq, &value)?;
        }
        OutputFormat::Table => {
            writeln!(out, "{:>4}  {:>4}  {:<36}  RESULT", "ROW", "RUN", "SESSION")?;
            for r in &results {
                let result = match &r.error {
                    Some(e) => format!("{}: {e}", r.status),
                    None => r.status.clone(),
                };
                writeln!(
                    out,
                    "{:>4}  {:>4}  {:<36}  {}",
                    r.row,
                    r.run.map(|id| id.to_string()).unwrap_or_else(|| "-".into()),
                    r.session.as_deref().unwrap_or("-"),
                    result
                )?;
            }
        }
    }
    out.flush()?;
    let ok = results
        .iter()
        .filter(|r| r.error.is_none() && !r.failed_step)
        .count();
    if ok == total {
        return Ok(());
    }
    let summary = format!("{} of {total} rows did not finish", total - ok);
    if results.iter().any(|r| r.failed_step) {
        return Err(RunError::Evaluation(summary));
    }
    match results.into_iter().find_map(|r| r.error) {
        Some(error) => Err(RunError::Hinted {
            error: Box::new(error),
            hint: summary,
        }),
        None => Err(RunError::Evaluation(summary)),
    }
}

async fn run_row(
    setup: &RunSetup<'_>,
    driver: &Driver,
    book: &Book,
    row: usize,
    values: Inputs,
    dir: &Path,
) -> RowResult {
    let mut result = RowResult {
        row,
        run: None,
        session: None,
        status: "not started".into(),
        error: None,
        failed_step: false,
    };
    let (mut run, mut log, info, id) = match run::start(setup, book, &values).await {
        Ok(started) => started,
        Err(error) => {
            result.error = Some(error);
            return result;
        }
    };
    result.run = id;
    let mut progress = Progress::new(format!("row {row}: "), false, false);
    let mut watch = |r: &sctui_runs::Run, note| progress.watch(r, note, driver.timer.now());
    let finished = match driver.drive(&mut run, log.as_mut(), &mut watch).await {
        Ok(ending) => Finished::Ended(ending),
        Err(error) => Finished::Stopped(error),
    };
    let record = crate::runner::record_of(&info, id.unwrap_or(0), &run, driver.timer.now());
    result.session = record.session_id.clone();
    result.status = record.status.clone();
    let name = format!("row-{row:03}");
    for ext in ["md", "json"] {
        if let Err(e) = run::write_report(&record, &dir.join(format!("{name}.{ext}"))) {
            result.error.get_or_insert(e);
        }
    }
    match finished {
        Finished::Ended(Ending::Succeeded) => {}
        Finished::Ended(Ending::Failed { .. }) => result.failed_step = true,
        Finished::Stopped(error) => {
            result.error = Some(match error {
                crate::runner::DriveError::Graph(g) => RunError::Graph(g),
                other => RunError::Evaluation(other.to_string()),
            })
        }
        Finished::Cancelled => {}
    }
    result
}
