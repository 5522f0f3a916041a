//! Stand-ins for the built-in Graph fake in a build without the `demo` feature: `--demo` is
//! refused with a way out instead of failing to compile.

use std::sync::Arc;

use sctui_graph::auth::{Account, TokenSource};

use super::RunError;
use crate::cli::args::GlobalArgs;

/// No fake can run in this build.
pub type Server = std::convert::Infallible;

fn refused() -> RunError {
    RunError::Usage(
        "--demo needs the built-in Graph fake, which this sctui was built without; rebuild with the default `demo` feature".into(),
    )
}

/// `--demo` in a build without the fake.
pub async fn start_demo(
    _global: &GlobalArgs,
) -> Result<(String, Arc<dyn TokenSource>, Server), RunError> {
    Err(refused())
}

/// `login`/`whoami --demo` in a build without the fake.
pub fn demo_account() -> Result<Account, RunError> {
    Err(refused())
}

/// Nothing to stop.
pub async fn shutdown(server: Server) {
    match server {}
}
