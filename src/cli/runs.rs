//! `sctui prompts rerun`, `sctui plugins list` and `sctui stats`: running a question again, what
//! Copilot can reach, and how runs went (from the local store alone).

use std::io::Write;

use super::RunError;
use super::conversation::{Run, ended_with_an_answer, write_answer};
use super::recording::{record, record_evaluation, warn_disabled_plugins};
use crate::cli::args::{JqArgs, OutputArg, OutputFormat, PluginsCommand, StatsArgs};
use crate::stats::{Outcome, Summary};
use crate::store::Store;
use jiff::Timestamp;
use sctui_app::sanitize::{sanitize_line, truncate};
use sctui_graph::GraphClient;
use sctui_graph::conversation::PollPlan;
use sctui_graph::models::Plugin;

/// What `prompts rerun` needs besides the ids.
pub(crate) struct Rerun<'a> {
    pub session_id: &'a str,
    pub prompt_id: &'a str,
    pub wait: bool,
    pub output: OutputFormat,
    /// `--jq`/`--raw` for the JSON printed.
    pub jq: JqArgs,
    pub plan: PollPlan,
}

/// Runs `prompts rerun`: reads the prompt (so an unknown one fails before anything is sent),
/// warns about disabled plugins it names, posts one new evaluation of it and, with `--wait`,
/// follows it and prints the answer. Never posts a prompt.
pub async fn rerun(
    client: &GraphClient,
    store: Option<&Store>,
    args: Rerun<'_>,
    notices: &super::notice::Notices,
) -> Result<(), RunError> {
    let prompt = client.get_prompt(args.session_id, args.prompt_id).await?;
    warn_disabled_plugins(store, prompt.content.as_deref().unwrap_or(""));
    let started = client
        .create_evaluation(args.session_id, &prompt.id)
        .await?;
    record_evaluation(store, args.session_id, &prompt.id, &started);
    let said = format!(
        "Running prompt {} of session {} again; waiting for the answer…",
        prompt.id, args.session_id
    );
    let evaluation = Run {
        session: args.session_id,
        prompt: &prompt.id,
        evaluation: started,
    }
    .follow_if(args.wait, args.output, &said, args.plan, notices, client)
    .await?;
    if args.wait {
        record_evaluation(store, args.session_id, &prompt.id, &evaluation);
    }
    let mut out = crate::output::stdout();
    match args.output {
        OutputFormat::Json => {
            let value = serde_json::json!({
                "sessionId": args.session_id,
                "prompt": prompt,
                "evaluation": evaluation,
            });
            super::output::write_json(&mut out, &args.jq, &value)?;
        }
        OutputFormat::Table if args.wait => write_answer(&mut out, &evaluation)?,
        OutputFormat::Table => {
            writeln!(out, "session     {}", sanitize_line(args.session_id))?;
            writeln!(out, "prompt      {}", sanitize_line(&prompt.id))?;
            writeln!(out, "evaluation  {}", sanitize_line(&evaluation.id))?;
            writeln!(out, "state       {}", evaluation.state)?;
        }
    }
    out.flush()?;
    ended_with_an_answer(args.wait, &evaluation)
}

/// Runs `plugins list` online: lists them from Graph, stores them for `--offline`, prints them.
pub async fn plugins(
    client: &GraphClient,
    store: Option<&Store>,
    command: PluginsCommand,
) -> Result<(), RunError> {
    let PluginsCommand::List { output } = command;
    let plugins = client.list_plugins().await?;
    record(store, |s| {
        let records: Vec<_> = plugins.iter().map(crate::store::plugin_record).collect();
        s.put_plugins(&records, Timestamp::now())
    });
    write_plugins(&plugins, &output)
}

/// Runs `plugins list --offline`: the plugins as last listed.
pub fn offline_plugins(store: &Store, command: PluginsCommand) -> Result<(), RunError> {
    let PluginsCommand::List { output } = command;
    let Some(stored) = store.plugins()? else {
        return Err(RunError::NotStored(
            "the plugins are not in the local store (run `sctui plugins list` once online)".into(),
        ));
    };
    if output.output == OutputFormat::Table {
        crate::output::eprintln!(
            "As listed {}",
            crate::timefmt::local(stored.listed, &jiff::tz::TimeZone::system())
        );
    }
    write_plugins(&crate::store::plugins_from(&stored), &output)
}

/// A plugin's setting names, comma-separated (values are never read).
pub fn setting_names(plugin: &Plugin) -> String {
    plugin
        .settings
        .iter()
        .map(|s| sanitize_line(&s.name).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_plugins(plugins: &[Plugin], output: &OutputArg) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    match output.output {
        OutputFormat::Json => super::output::write_json(&mut out, &output.jq, &plugins)?,
        OutputFormat::Table => {
            writeln!(
                out,
                "{:<40}  {:<19}  {:<13}  {:<7}  {:<7}  SETTINGS",
                "NAME", "CATEGORY", "SCOPE", "ENABLED", "PREVIEW"
            )?;
            for p in plugins {
                let text = |v: Option<String>| v.unwrap_or_else(|| "-".into());
                writeln!(
                    out,
                    "{:<40}  {:<19}  {:<13}  {:<7}  {:<7}  {}",
                    truncate(sanitize_line(p.shown_name()).trim(), 40),
                    text(p.category.as_ref().map(ToString::to_string)),
                    text(p.catalog_scope.as_ref().map(ToString::to_string)),
                    match p.is_enabled {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "-",
                    },
                    text(p.preview_state.as_ref().map(ToString::to_string)),
                    setting_names(p)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The stats of the runs recorded in `store` over the `since` window ending `now`.
pub fn summary(
    store: &Store,
    since: std::time::Duration,
    now: Timestamp,
    tz: &jiff::tz::TimeZone,
) -> Result<Summary, RunError> {
    let window = jiff::SignedDuration::try_from(since).unwrap_or(jiff::SignedDuration::MAX);
    let start = now.saturating_sub(window).unwrap_or(Timestamp::MIN);
    let runs: Vec<_> = store
        .evaluations_since(Some(start))?
        .iter()
        .filter_map(crate::store::stats_run)
        .collect();
    // a service clock ahead of this one must not hide its latest runs
    let until = runs.iter().map(|r| r.created).fold(now, Timestamp::max);
    Ok(crate::stats::summarise(&runs, start, until, tz))
}

/// Runs `sctui stats`: the local store only, never the network.
pub fn stats(store: &Store, args: StatsArgs) -> Result<(), RunError> {
    let tz = jiff::tz::TimeZone::system();
    let summary = summary(store, args.since, Timestamp::now(), &tz)?;
    let mut out = crate::output::stdout();
    match args.output.output {
        OutputFormat::Json => super::output::write_json(&mut out, &args.output.jq, &summary)?,
        OutputFormat::Table => write_stats(&mut out, &summary, &tz)?,
    }
    out.flush()?;
    Ok(())
}

fn write_stats(
    out: &mut crate::output::Safe<impl Write>,
    summary: &Summary,
    tz: &jiff::tz::TimeZone,
) -> Result<(), RunError> {
    writeln!(
        out,
        "Evaluations since {}: {}",
        crate::timefmt::local(summary.since, tz),
        summary.evaluations
    )?;
    let parts: Vec<String> = Outcome::ALL
        .iter()
        .map(|o| format!("{} {}", o.name(), summary.by_result.get(*o)))
        .collect();
    writeln!(out, "  {}", parts.join(" · "))?;
    writeln!(out, "Hit capacity: {:.1} %", summary.capacity_share * 100.0)?;
    let median = summary
        .median_seconds_to_answer
        .map(|s| crate::timefmt::elapsed(s.round() as i64))
        .unwrap_or_else(|| "—".into());
    writeln!(out, "Median time to answer: {median}")?;
    if summary.evaluations == 0 {
        writeln!(
            out,
            "Nothing recorded yet: runs are recorded as the TUI, `sctui sync --conversations`, `ask` and `prompts rerun` see them"
        )?;
        return Ok(());
    }
    let header = |first: &str| {
        let mut line = format!("{first:<16}  {:>5}", "TOTAL");
        for o in Outcome::ALL {
            line.push_str(&format!("  {:>16}", o.name()));
        }
        line
    };
    let row = |label: String, bucket: &crate::stats::Bucket| {
        let mut line = format!("{label:<16}  {:>5}", bucket.counts.total());
        for o in Outcome::ALL {
            line.push_str(&format!("  {:>16}", bucket.counts.get(o)));
        }
        line
    };
    writeln!(out)?;
    writeln!(out, "{}", header("DAY"))?;
    for day in summary.per_day.iter().filter(|b| b.counts.total() > 0) {
        let label = day
            .start
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d")
            .to_string();
        writeln!(out, "{}", row(label, day))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", header("HOUR"))?;
    for hour in summary.per_hour.iter().filter(|b| b.counts.total() > 0) {
        let label = hour
            .start
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:00")
            .to_string();
        writeln!(out, "{}", row(label, hour))?;
    }
    Ok(())
}
