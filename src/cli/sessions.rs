//! `sctui sessions …`: the same client as the TUI, for scripts. JSON output keeps Graph's
//! property names and exact values; table output is sanitised for the terminal.

use std::io::Write;

use jiff::tz::TimeZone;

use super::RunError;
use super::output::write_json;
use crate::cli::args::{OutputArg, OutputFormat, SessionsCommand};
use crate::timefmt;
use sctui_app::sanitize::{sanitize_line, truncate, width};
use sctui_graph::models::Session;
use sctui_graph::{GraphClient, ListQuery};

/// Runs one sessions subcommand, printing to stdout.
pub async fn run(client: &GraphClient, command: SessionsCommand) -> Result<(), RunError> {
    let mut out = crate::output::stdout();
    match command {
        SessionsCommand::List {
            all,
            top,
            filter,
            output,
        } => {
            // one page to look at is small; reading everything asks for the biggest pages
            let default_top = if all {
                client.bulk_page_size()
            } else {
                client.page_size()
            };
            let query = ListQuery {
                top: top.or(Some(default_top)),
                filter,
                ..ListQuery::default()
            };
            let mut sessions = if all {
                client.all_sessions(query).await?
            } else {
                client.list_sessions(&query).await?.value
            };
            sort_newest_first(&mut sessions);
            match output.output {
                OutputFormat::Json => write_json(&mut out, &output.jq, &sessions)?,
                OutputFormat::Table => write_table(&mut out, &sessions, &TimeZone::system())?,
            }
        }
        SessionsCommand::Get { id, output } => {
            let session = client.get_session(&id).await?;
            write_one(&mut out, &session, &output)?;
        }
        SessionsCommand::Create { name, output } => {
            if name.trim().is_empty() {
                return Err(RunError::Usage("a session name cannot be empty".into()));
            }
            let session = client.create_session(name.trim()).await?;
            write_one(&mut out, &session, &output)?;
        }
        SessionsCommand::Export(_) => {
            return Err(RunError::Usage(
                "sessions export runs through its own path (cli::export)".into(),
            ));
        }
        SessionsCommand::Rename { id, name, output } => {
            if name.trim().is_empty() {
                return Err(RunError::Usage("a session name cannot be empty".into()));
            }
            let session = client.rename_session(&id, name.trim()).await?;
            write_one(&mut out, &session, &output)?;
        }
        // a run with its own store and poll plan: `cli::dispatch` sends it to `cli::fork`
        SessionsCommand::Fork { .. } => {
            return Err(RunError::Usage(
                "sessions fork is run by the fork command".into(),
            ));
        }
    }
    out.flush()?;
    Ok(())
}

/// Refuses empty and path-like session ids before anything is sent ([`super::hints::check_id`]).
pub fn check_ids(command: &SessionsCommand) -> Result<(), RunError> {
    match command {
        SessionsCommand::Get { id, .. }
        | SessionsCommand::Fork { id, .. }
        | SessionsCommand::Rename { id, .. } => super::hints::check_id("session id", id),
        SessionsCommand::Export(args) => match &args.id {
            Some(id) => super::hints::check_id("session id", id),
            None => Ok(()),
        },
        SessionsCommand::List { .. } | SessionsCommand::Create { .. } => Ok(()),
    }
}

/// Newest-modified first (to Graph's tick), equal times by id: the order of every session table,
/// online and `--offline`, and what [`LAST_MODIFIED_HEADING`] says (Graph's `$orderby` is not
/// documented here, so the CLI sorts what it lists).
pub fn sort_newest_first(sessions: &mut [Session]) {
    sessions.sort_by(|a, b| {
        let ta = a.last_modified_date_time.as_ref().and_then(|t| t.instant());
        let tb = b.last_modified_date_time.as_ref().and_then(|t| t.instant());
        tb.cmp(&ta).then_with(|| a.id.cmp(&b.id))
    });
}

pub(crate) fn write_one(
    out: &mut crate::output::Safe<impl Write>,
    session: &Session,
    output: &OutputArg,
) -> Result<(), RunError> {
    match output.output {
        OutputFormat::Json => write_json(out, &output.jq, session),
        OutputFormat::Table => {
            let tz = TimeZone::system();
            let now = jiff::Timestamp::now();
            let name = display_name(session);
            writeln!(out, "id            {}", sanitize_line(&session.id))?;
            writeln!(out, "displayName   {name}")?;
            writeln!(
                out,
                "created       {}",
                timefmt::local_and_relative(session.created_date_time.as_ref(), now, &tz)
            )?;
            writeln!(
                out,
                "lastModified  {}",
                timefmt::local_and_relative(session.last_modified_date_time.as_ref(), now, &tz)
            )?;
            Ok(())
        }
    }
}

fn display_name(session: &Session) -> String {
    session
        .display_name
        .as_deref()
        .map(|n| sanitize_line(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(untitled)".to_string())
}

/// The heading of the time column, which the rows are sorted by ([`sort_newest_first`]).
pub const LAST_MODIFIED_HEADING: &str = "LAST MODIFIED ↓";

/// The list as a table. Times are local, to the minute, in one shape for every row.
pub(crate) fn write_table(
    out: &mut crate::output::Safe<impl Write>,
    sessions: &[Session],
    tz: &TimeZone,
) -> Result<(), RunError> {
    const NAME_COLS: usize = 60;
    writeln!(
        out,
        "{:<36}  {:<NAME_COLS$}  {LAST_MODIFIED_HEADING}",
        "ID", "DISPLAY NAME"
    )?;
    for session in sessions {
        let name = display_name(session);
        let name = truncate(&name, NAME_COLS);
        let pad = NAME_COLS.saturating_sub(width(&name));
        writeln!(
            out,
            "{:<36}  {name}{}  {}",
            sanitize_line(&session.id),
            " ".repeat(pad),
            timefmt::table_cell(session.last_modified_date_time.as_ref(), tz)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_times_have_one_shape_for_fresh_and_old_sessions() {
        let now = jiff::Timestamp::now();
        let fresh = now.to_string();
        let hour_ago = (now - jiff::SignedDuration::from_hours(1)).to_string();
        let sessions: Vec<Session> = [
            ("a", fresh.as_str()),
            ("b", hour_ago.as_str()),
            ("c", "2024-02-03T04:05:06.1234567Z"),
        ]
        .iter()
        .map(|(id, t)| {
            serde_json::from_value(serde_json::json!({
                "id": id, "displayName": format!("session {id}"), "lastModifiedDateTime": t
            }))
            .unwrap()
        })
        .collect();
        let mut out = crate::output::Safe::new(Vec::new());
        write_table(&mut out, &sessions, &TimeZone::UTC).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            !text.contains("ago") && !text.contains("just now"),
            "{text}"
        );
        assert_eq!(text.lines().count(), 4, "{text}");
        let shape = |l: &str| {
            let cell = l.get(l.len() - 16..).unwrap_or("");
            jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", cell).is_ok()
        };
        assert!(text.lines().skip(1).all(shape), "{text}");
        assert!(text.contains("2024-02-03 04:05"), "{text}");
    }
}
