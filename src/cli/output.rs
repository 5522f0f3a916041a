//! How the CLI writes results: shared by every subcommand so JSON output looks the same everywhere.

use std::io::Write;

use super::RunError;

/// Pretty JSON with Graph's property names, then a newline.
pub fn write_json<T: serde::Serialize>(out: &mut impl Write, value: &T) -> Result<(), RunError> {
    serde_json::to_writer_pretty(&mut *out, value)
        .map_err(|e| RunError::Io(std::io::Error::other(e)))?;
    writeln!(out)?;
    Ok(())
}
