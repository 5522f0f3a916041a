//! How the CLI writes results: shared by every subcommand so JSON output looks the same everywhere.
//! Everything goes through [`crate::output`], the sanitising chokepoint.

use std::io::Write;

use super::RunError;
use crate::output::Safe;

/// Pretty JSON with Graph's property names and exact values, then a newline.
pub fn write_json<T: serde::Serialize>(
    out: &mut Safe<impl Write>,
    value: &T,
) -> Result<(), RunError> {
    out.json(value)?;
    Ok(())
}
