//! `sctui fake-graph`: the built-in Graph as a standalone server for any Graph client.

use std::io::Write;

use super::RunError;
use crate::cli::args::FakeGraphArgs;
use crate::fake::{FakeGraph, FakeOptions, Seed};

/// Serves until Ctrl-C (or SIGTERM); the base URL is the first line of stdout.
pub async fn run(args: FakeGraphArgs) -> Result<(), RunError> {
    let fake = FakeGraph::start(FakeOptions {
        seed: match args.sessions {
            Some(n) => Seed::Synthetic(n),
            None => Seed::Demo,
        },
        port: args.port,
        token: args.token,
        faults: args.faults,
        token_lifetime: std::time::Duration::from_secs(args.token_lifetime.max(1)),
        idp: crate::fake::idp::IdpOptions {
            pending_polls: args.pending_polls,
            ..Default::default()
        },
        ..FakeOptions::demo()
    })
    .await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", fake.base_url())?;
        out.flush()?;
    }
    eprintln!(
        "sctui fake-graph: serving Microsoft Graph (fake) at {}; Ctrl-C stops",
        fake.base_url()
    );
    eprintln!(
        "sctui fake-graph: fake sign-in service at http://{} (sctui login --authority-host http://{})",
        fake.addr(),
        fake.addr()
    );
    wait_for_stop().await;
    fake.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
