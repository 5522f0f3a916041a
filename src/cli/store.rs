//! `sctui store …`, `sctui sync`, `sctui search` and the `--offline` forms of the read commands:
//! everything the CLI does with the local store.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use super::RunError;
use crate::cli::args::{
    GlobalArgs, OutputFormat, PromptsCommand, SearchArgs, SessionsCommand, StoreCommand, SyncArgs,
};
use crate::config::Config;
use crate::store::sync::{self, Progress, SyncOptions};
use crate::store::{Access, Hit, HitKind, SearchBudget, Store, StoreError, StoreTarget};
use sctui_app::sanitize::{sanitize_line, truncate};
use sctui_graph::GraphClient;

/// The store this run uses: the configured (or remembered) workspace on this Graph host and tenant.
pub fn target(global: &GlobalArgs, config: &Config) -> StoreTarget {
    StoreTarget {
        search_time: config.search_timeout,
        ..StoreTarget::new(
            global.demo,
            &config.graph_url,
            &config.auth.tenant,
            &super::workspace_for(global, config),
            config.store_enabled,
        )
    }
}

/// Opens the store for a command that only reads it: one that does not exist is not created (an
/// empty store would read as an empty workspace); the error says whose store was looked for.
pub(super) fn open_to_read(target: &StoreTarget) -> Result<Store, RunError> {
    open_to_read_or(target, FILL_IT)
}

/// How a store gets filled, for a read that found none and no other store either.
pub const FILL_IT: &str = "run `sctui sync` (or the TUI) online first";

/// [`open_to_read`], with `fill_it` saying how to fill the store when this machine has none.
fn open_to_read_or(target: &StoreTarget, fill_it: &str) -> Result<Store, RunError> {
    if target.enabled && !target.exists()? {
        return Err(missing(target, fill_it));
    }
    open(target)
}

/// The error for a read of a store that does not exist: whose store it looked for (stores are
/// kept per Graph host, tenant and workspace) and, as the hint, which ones this machine has, or
/// `fill_it` when it has none.
pub fn missing(target: &StoreTarget, fill_it: &str) -> RunError {
    let key = &target.key;
    let error = RunError::NotStored(format!(
        "no local store for Graph host {} (tenant {}, workspace {})",
        sanitize_line(&key.host),
        sanitize_line(&key.tenant),
        sanitize_line(&key.workspace)
    ));
    let others = target.others();
    let hint = if others.is_empty() {
        format!("nothing was kept on this machine yet: {fill_it}")
    } else {
        let listed: Vec<String> = others
            .iter()
            .map(|[host, tenant, workspace]| {
                format!("{host} (tenant {tenant}, workspace {workspace})")
            })
            .collect();
        format!(
            "a store is kept per Graph host; this machine has stores for {}: pass the \
             --graph-url (or --demo) and --workspace they were kept with",
            listed.join(", ")
        )
    };
    RunError::Hinted {
        error: Box::new(error),
        hint,
    }
}

/// Opens (or creates) the store for a command that cannot work without one.
pub(crate) fn open(target: &StoreTarget) -> Result<Store, RunError> {
    match target.open()? {
        Some(opened) => {
            if let Some(recovered) = opened.recovered {
                crate::output::eprintln!("sctui: warning: {recovered}");
            }
            Ok(opened.store)
        }
        None => Err(RunError::Usage(
            "the local store is turned off ([store] enabled = false or --no-store)".into(),
        )),
    }
}

/// Runs `sctui store path|stats|clear`.
pub fn store(global: &GlobalArgs, config: &Config, command: StoreCommand) -> Result<(), RunError> {
    let target = target(global, config);
    let path = target.path()?;
    let mut out = crate::output::stdout();
    match command {
        StoreCommand::Path => writeln!(out, "{}", path.display())?,
        StoreCommand::Stats { output } => {
            let stats = open_to_read(&target)?.stats()?;
            match output.output {
                OutputFormat::Json => super::output::write_json(&mut out, &output.jq, &stats)?,
                OutputFormat::Table => {
                    writeln!(out, "path           {}", stats.path.display())?;
                    writeln!(out, "size           {}", human_bytes(stats.bytes))?;
                    writeln!(out, "sessions       {}", stats.sessions)?;
                    writeln!(out, "conversations  {}", stats.conversations)?;
                    writeln!(out, "questions      {}", stats.turns)?;
                    writeln!(out, "schema         {}", stats.schema_version)?;
                    let complete = stats
                        .list_complete
                        .as_deref()
                        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                        .map(|t| crate::timefmt::local(t, &jiff::tz::TimeZone::system()))
                        .unwrap_or_else(|| "never".into());
                    writeln!(out, "list complete  {complete}")?;
                }
            }
        }
        StoreCommand::Clear { force } => {
            if sctui_store::clear(&path, force)? {
                writeln!(out, "Deleted {}", path.display())?;
            } else {
                writeln!(out, "Nothing to delete: {} does not exist", path.display())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Runs `sctui sync`, with a progress bar on a terminal; Ctrl-C stops it and keeps what was
/// fetched (the next run goes on from there).
pub async fn sync(
    client: &GraphClient,
    target: &StoreTarget,
    concurrency: usize,
    args: SyncArgs,
) -> Result<(), RunError> {
    let store = Arc::new(open(target)?);
    if store.access() == Access::ReadOnly {
        // before any request: nothing fetched could be kept
        return Err(StoreError::ReadOnly {
            path: store.path().to_path_buf(),
        }
        .into());
    }
    let options = SyncOptions {
        conversations: args.conversations,
        since: args.since,
        concurrency: args.concurrency.map_or(concurrency, usize::from),
    };
    let bar = std::io::stderr()
        .is_terminal()
        .then(indicatif::ProgressBar::new_spinner);
    let progress = {
        let bar = bar.clone();
        move |step: Progress| {
            let Some(bar) = &bar else { return };
            match step {
                Progress::Listing { sessions } => {
                    bar.set_message(format!("listing sessions: {sessions}"));
                    bar.tick();
                }
                Progress::Conversations {
                    done,
                    total,
                    unchanged,
                } => {
                    if bar.length() != Some(total as u64) {
                        bar.set_length(total as u64);
                        bar.set_style(
                            indicatif::ProgressStyle::with_template(
                                "{bar:30} {pos}/{len} conversations {msg} ({eta} left)",
                            )
                            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                        );
                    }
                    bar.set_message(format!("({unchanged} unchanged)"));
                    bar.set_position(done as u64);
                }
            }
        }
    };
    let run = sync::run(client, store, &options, &progress, None);
    let report = tokio::select! {
        report = run => report,
        _ = tokio::signal::ctrl_c() => {
            if let Some(bar) = &bar {
                bar.abandon();
            }
            return Err(RunError::Usage(
                "sync interrupted: what was fetched is kept; run it again to go on".into(),
            ));
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report.map_err(|e| match e {
        sync::SyncError::Graph(g) => RunError::Graph(g),
        sync::SyncError::Store(s) => RunError::Store(s),
    })?;
    let mut out = crate::output::stdout();
    write!(
        out,
        "Synced {} sessions ({} removed)",
        report.sessions, report.removed
    )?;
    if options.conversations {
        write!(
            out,
            "; {} conversations fetched, {} unchanged",
            report.fetched, report.unchanged
        )?;
        if report.failed > 0 {
            write!(out, ", {} failed", report.failed)?;
        }
    }
    writeln!(out)?;
    out.flush()?;
    match report.first_failure {
        Some(error) => Err(RunError::Graph(error)),
        None => Ok(()),
    }
}

/// Runs `sctui search`: the store only, never the network, within its time budget (`--timeout`,
/// `[store] cli_search_timeout`); Ctrl-C stops it at once (exit 130, as a shell expects).
pub async fn search(
    target: &StoreTarget,
    config: &Config,
    args: SearchArgs,
) -> Result<(), RunError> {
    let store = Arc::new(open_to_read(target)?);
    let budget = SearchBudget::new(args.timeout.map_or(
        config.cli_search_timeout,
        std::time::Duration::from_secs_f64,
    ));
    let searching = {
        let (store, budget) = (store.clone(), budget.clone());
        let (query, limit) = (args.query.clone(), args.limit as usize);
        tokio::task::spawn_blocking(move || {
            tracing::debug!(limit, "searching the store");
            match store.search_within(&query, limit, &budget) {
                // damage found on the way: the store was set aside and a new one started
                Err(StoreError::SetAside(recovered)) => {
                    crate::output::eprintln!("sctui: warning: {recovered}");
                    store.search_within(&query, limit, &budget)
                }
                searched => searched,
            }
        })
    };
    let hits = tokio::select! {
        hits = searching => hits.map_err(std::io::Error::other)??
            .into_iter()
            .map(crate::store::sanitized)
            .collect::<Vec<_>>(),
        _ = tokio::signal::ctrl_c() => {
            budget.cancel.cancel();
            return Err(RunError::Io(crate::tui::signals::terminated(2)));
        }
    };
    let mut out = crate::output::stdout();
    match args.output.output {
        OutputFormat::Json => super::output::write_json(&mut out, &args.output.jq, &hits)?,
        OutputFormat::Table => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            if hits.is_empty() {
                writeln!(
                    out,
                    "No match in {} stored sessions (sctui sync --conversations stores every answer)",
                    store.list_info()?.known
                )?;
            }
            for hit in &hits {
                write_hit(&mut out, hit, color)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// One hit: where it is, then its snippet with the matches marked (bold on a terminal, `**`
/// otherwise); every piece of server text sanitised.
fn write_hit(
    out: &mut crate::output::Safe<impl Write>,
    hit: &Hit,
    color: bool,
) -> Result<(), RunError> {
    let name = hit
        .session_name
        .as_deref()
        .map(|n| sanitize_line(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(untitled)".into());
    let place = match &hit.kind {
        HitKind::Name => "name".to_string(),
        HitKind::Turn { position, .. } => format!("question {}", position + 1),
    };
    writeln!(
        out,
        "{}  {}  ({place})",
        truncate(&name, 60),
        sanitize_line(&hit.session_id)
    )?;
    out.write_text("    ")?;
    for (piece, matched) in hit.snippet.pieces() {
        let piece = sanitize_line(piece);
        match (matched, color) {
            (true, true) => out.highlight(&piece)?,
            (true, false) => out.write_text(&format!("**{piece}**"))?,
            (false, _) => out.write_text(&piece)?,
        }
    }
    writeln!(out)?;
    Ok(())
}

/// `sessions …` with `--offline`: reads from the store; changes are refused.
pub fn offline_sessions(target: &StoreTarget, command: SessionsCommand) -> Result<(), RunError> {
    let store = open_to_read(target)?;
    let mut out = crate::output::stdout();
    match command {
        SessionsCommand::List {
            top,
            filter,
            output,
            all,
        } => {
            if filter.is_some() {
                return Err(RunError::Usage(
                    "--filter is Graph's and needs the network; use `sctui search` offline".into(),
                ));
            }
            let mut sessions = crate::store::stored_sessions(&store)?;
            // the order the online list has, to the tick and for equal times
            super::sessions::sort_newest_first(&mut sessions);
            if !all && let Some(top) = top {
                sessions.truncate(top as usize);
            }
            match output.output {
                OutputFormat::Json => super::output::write_json(&mut out, &output.jq, &sessions)?,
                OutputFormat::Table => super::sessions::write_table(
                    &mut out,
                    &sessions,
                    &jiff::tz::TimeZone::system(),
                )?,
            }
        }
        SessionsCommand::Get { id, output } => {
            let session = stored_session(&store, &id)?;
            super::sessions::write_one(&mut out, &session, &output)?;
        }
        SessionsCommand::Export(_) => {
            return Err(RunError::Usage(
                "sessions export runs through its own path (cli::export)".into(),
            ));
        }
        SessionsCommand::Create { .. } | SessionsCommand::Rename { .. } => {
            return Err(refused("creating or renaming a session"));
        }
        SessionsCommand::Fork { .. } => return Err(refused("forking a session")),
    }
    out.flush()?;
    Ok(())
}

/// `prompts list` with `--offline`: every run the store has seen of each question (the latest
/// with its answer); `prompts rerun` is refused.
pub fn offline_prompts(target: &StoreTarget, command: PromptsCommand) -> Result<(), RunError> {
    let PromptsCommand::List { session_id, output } = command else {
        return Err(refused("running a question again"));
    };
    let store = open_to_read(target)?;
    let turns = stored_turns(&store, &session_id)?;
    let records = store.evaluations_of(&session_id)?;
    let runs = crate::store::prompt_runs_from(turns, &records);
    super::conversation::write_prompts(&runs, &output)
}

/// `plugins list --offline`.
pub fn offline_plugins(
    target: &StoreTarget,
    command: crate::cli::args::PluginsCommand,
) -> Result<(), RunError> {
    let store = open_to_read_or(target, "run `sctui plugins list` once online")?;
    super::runs::offline_plugins(&store, command)
}

/// `sctui stats`: always from the store.
pub fn stats(target: &StoreTarget, args: crate::cli::args::StatsArgs) -> Result<(), RunError> {
    super::runs::stats(&open_to_read(target)?, args)
}

/// The error for a change asked for with `--offline`.
pub fn refused(what: &str) -> RunError {
    RunError::Usage(format!(
        "--offline: {what} needs Graph; run the command again without --offline"
    ))
}

/// A stored session as Graph's model; `NotStored` when the store does not know it.
pub(super) fn stored_session(
    store: &Store,
    id: &str,
) -> Result<sctui_graph::models::Session, RunError> {
    store
        .sessions()?
        .into_iter()
        .find(|s| s.id == id)
        .map(crate::store::session_from)
        .ok_or_else(|| RunError::NotStored(format!("session {id} is not in the local store")))
}

/// A stored session's conversation; `NotStored` when the store does not hold it.
pub(super) fn stored_turns(
    store: &Store,
    id: &str,
) -> Result<Vec<sctui_graph::conversation::Turn>, RunError> {
    match store.conversation(id)? {
        Some(conversation) => Ok(crate::store::turns_from(&conversation)),
        None => Err(RunError::NotStored(format!(
            "the conversation of session {id} is not in the local store \
             (run `sctui sync --conversations` while online)"
        ))),
    }
}
