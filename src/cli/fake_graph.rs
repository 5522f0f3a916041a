//! The built-in Graph fake in the CLI (the `demo` feature): `sctui fake-graph`, a standalone server
//! for any Graph client, and the in-process fake behind `--demo`.

use std::sync::Arc;
use std::time::Duration;

use sctui_fake::{FakeGraph, FakeOptions, Seed, SessionOrder};
use sctui_graph::auth::{Account, StaticToken, TokenSource};

use super::RunError;
use crate::cli::args::{FakeGraphArgs, GlobalArgs, SessionOrderArg};

/// The in-process fake behind `--demo`.
pub type Server = FakeGraph;

/// Starts the `--demo` fake: its base URL, the token it accepts, and the server.
pub async fn start_demo(
    global: &GlobalArgs,
) -> Result<(String, Arc<dyn TokenSource>, Server), RunError> {
    let defaults = FakeOptions::demo();
    let fake = FakeGraph::start(FakeOptions {
        seed: match global.demo_sessions {
            Some(n) => Seed::Synthetic(n),
            None => Seed::Demo,
        },
        port: global.demo_port.unwrap_or(0),
        faults: global.faults.clone(),
        evaluation_delay: global
            .eval_seconds
            .map_or(defaults.evaluation_delay, Duration::from_secs_f64),
        ..defaults
    })
    .await?;
    Ok((
        fake.base_url().to_string(),
        StaticToken::shared(sctui_fake::DEMO_TOKEN, "demo"),
        fake,
    ))
}

/// Who `--demo` runs as: the fake identity provider's user.
pub fn demo_account() -> Result<Account, RunError> {
    let user = sctui_fake::idp::FakeUser::default();
    Ok(Account {
        username: Some(user.username),
        name: Some(user.name),
        tenant_id: Some(user.tenant_id),
        object_id: Some(user.object_id),
    })
}

/// Stops the `--demo` fake.
pub async fn shutdown(server: Server) {
    server.shutdown().await;
}

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
        evaluation_delay: Duration::from_secs_f64(args.eval_seconds),
        strict: !args.lenient,
        session_order: match args.order {
            SessionOrderArg::NewestFirst => SessionOrder::NewestFirst,
            SessionOrderArg::OldestFirst => SessionOrder::OldestFirst,
        },
        token_lifetime: Duration::from_secs(args.token_lifetime.max(1)),
        idp: sctui_fake::idp::IdpOptions {
            pending_polls: args.pending_polls,
            ..Default::default()
        },
        ..FakeOptions::demo()
    })
    .await?;
    {
        let mut out = crate::output::stdout();
        writeln!(out, "{}", fake.base_url())?;
        out.flush()?;
    }
    crate::output::eprintln!(
        "sctui fake-graph: serving Microsoft Graph (fake) at {}; Ctrl-C stops",
        fake.base_url()
    );
    crate::output::eprintln!(
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
