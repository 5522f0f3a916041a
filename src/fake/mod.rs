//! The built-in Microsoft Graph fake: a real HTTP server on 127.0.0.1 that speaks the Security
//! Copilot routes of Graph beta closely enough that the client cannot tell the difference.
//!
//! It exists so that `--demo`, `sctui fake-graph` and the test-suite need no account and no network.
//! Layout: [`odata`] parses query options, [`store`] holds state, [`seed`] fills it, [`routes`]
//! maps HTTP to the store, [`auth`] and [`error`] are the middleware every request passes through.
//! [`idp`] is a fake identity provider (device code, refresh, client secret) on the same server.
//! [`faults`] injects throttling, outages and broken answers as one more layer (`--faults SPEC`).

mod auth;
pub mod error;
pub mod faults;
pub mod idp;
pub mod odata;
mod routes;
mod seed;
pub mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::middleware;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::ApiError;
pub use faults::{Fault, FaultInjector, FaultSpec};
pub use seed::{DEFAULT_WORKSPACE, SECOND_WORKSPACE};
pub use store::FakeStore;

/// The token `--demo` uses, so the demo exercises the same bearer check as real use.
pub const DEMO_TOKEN: &str = "sctui-demo-token";

/// What the fake starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seed {
    /// The hand-written demo sessions, prompts and answers from `assets/demo/`.
    Demo,
    /// `n` generated sessions in the default workspace (plus a few in the second), for scale checks.
    Synthetic(usize),
    /// Both workspaces, no sessions.
    Empty,
}

/// How to run the fake.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    /// Initial data.
    pub seed: Seed,
    /// Port on 127.0.0.1; 0 picks a free one (what tests want).
    pub port: u16,
    /// The only bearer token accepted; `None` accepts any non-empty token.
    pub token: Option<String>,
    /// How long an evaluation takes from `created` to `completed`.
    pub evaluation_delay: Duration,
    /// Injected failures (`--faults`); `None` serves everything cleanly.
    pub faults: Option<FaultSpec>,
    /// How long access tokens from the fake identity provider live (short, to exercise refresh).
    pub token_lifetime: Duration,
    /// The fake identity provider's behaviour.
    pub idp: idp::IdpOptions,
}

impl FakeOptions {
    /// What `--demo` runs: demo data, any port, [`DEMO_TOKEN`], 2 s answers.
    pub fn demo() -> Self {
        Self {
            seed: Seed::Demo,
            port: 0,
            token: Some(DEMO_TOKEN.to_string()),
            evaluation_delay: Duration::from_secs(2),
            faults: None,
            token_lifetime: Duration::from_secs(3600),
            idp: idp::IdpOptions::default(),
        }
    }
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self::demo()
    }
}

/// A running fake; dropping it stops the server too (without waiting).
pub struct FakeGraph {
    addr: SocketAddr,
    base_url: String,
    store: FakeStore,
    faults: FaultInjector,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeGraph {
    /// Binds 127.0.0.1:`port` and serves on the current tokio runtime; fails if the port is taken
    /// or the embedded demo data is broken.
    pub async fn start(opts: FakeOptions) -> std::io::Result<FakeGraph> {
        let state = seed::build_state(&opts.seed, opts.evaluation_delay, opts.token.as_deref())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let store = FakeStore::new(state);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let addr = listener.local_addr()?;
        let faults = FaultInjector::new(opts.faults.clone().unwrap_or_default());
        if let Some(spec) = &opts.faults {
            tracing::info!(%spec, "fake graph injects faults");
        }
        let app = routes::router(routes::AppState {
            store: store.clone(),
            addr,
        })
        .layer(middleware::from_fn_with_state(
            store.clone(),
            auth::require_bearer,
        ))
        .layer(middleware::from_fn_with_state(
            faults.clone(),
            faults::inject,
        ))
        .layer(middleware::from_fn(error::envelope))
        .merge(idp::router(store.clone()));
        store.configure_idp(opts.idp.clone(), opts.token_lifetime);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "fake graph server stopped with an error");
            }
        });
        tracing::info!(%addr, "fake graph listening");
        Ok(FakeGraph {
            addr,
            base_url: format!("http://{addr}/beta"),
            store,
            faults,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT/beta`: what a Graph client takes as its base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address (useful with port 0).
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// A handle on the live state, for tests that inspect or change it behind the client's back.
    pub fn store(&self) -> FakeStore {
        self.store.clone()
    }

    /// The fault injector, for tests that script faults, change rates, or check what clients sent.
    pub fn faults(&self) -> FaultInjector {
        self.faults.clone()
    }

    /// Stops accepting, lets in-flight requests finish (up to 5 s), then returns.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl std::fmt::Debug for FakeGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGraph")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}
