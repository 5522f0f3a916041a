//! How the CLI writes results: shared by every subcommand so JSON output looks the same everywhere.
//! Everything goes through [`crate::output`], the sanitising chokepoint.

use std::io::Write;

use super::RunError;
use crate::cli::args::JqArgs;
use crate::output::Safe;

/// Pretty JSON with Graph's property names and exact values, then a newline; with `--jq`, the
/// filter's results instead, printed as `jq` prints them ([`crate::jq`]).
pub fn write_json<T: serde::Serialize + ?Sized>(
    out: &mut Safe<impl Write>,
    jq: &JqArgs,
    value: &T,
) -> Result<(), RunError> {
    match &jq.jq {
        None => out.json(value)?,
        Some(filter) => out.write_text(&filter.apply(value, jq.raw)?)?,
    }
    Ok(())
}
