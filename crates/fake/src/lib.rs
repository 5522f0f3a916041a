//! The built-in Microsoft Graph fake: a real HTTP server on 127.0.0.1 that speaks the Security
//! Copilot routes of Graph beta closely enough that the client cannot tell the difference.
//!
//! It exists so that `--demo`, `sctui fake-graph` and the test-suite need no account and no network.
//! It writes Graph's wire JSON from its own types ([`wire`], written from the API reference) and
//! does not depend on the client crate, so the client and the fake cannot share a misreading.
//!
//! Layout, each module depending only on those before it: [`clock`] (the injected time),
//! [`wire`] (Graph's shapes), [`odata`] (query options), [`error`] (Graph's error envelope),
//! `records` (stored rows and their wire form), [`store`] (state), `seed` (initial data),
//! [`idp`] (a fake identity provider: device code, refresh, client secret), `auth` (the bearer
//! check), [`faults`] (throttling, outages, broken answers: `--faults SPEC`), `routes` (HTTP to
//! the store), [`control`] (moving the clock from another process), and this file, which
//! assembles the server.

mod auth;
pub mod clock;
pub mod control;
pub mod documents;
pub mod error;
pub mod faults;
pub mod idp;
pub mod odata;
mod records;
mod routes;
mod seed;
pub mod store;
pub mod wire;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::middleware;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clock::Clock;
pub use error::ApiError;
pub use faults::{Fault, FaultInjector, FaultSpec, Held};
pub use idp::FakeIdp;
pub use seed::{DEFAULT_WORKSPACE, SECOND_WORKSPACE, Seed};
pub use store::{FakeStore, SessionOrder};

/// The token `--demo` uses, so the demo exercises the same bearer check as real use.
pub const DEMO_TOKEN: &str = "sctui-demo-token";

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
    /// Query options the docs do not list for a resource are answered with 400, so a client can
    /// never come to depend on one (on by default; off serves `$orderby` and friends).
    pub strict: bool,
    /// The sessions list's default order.
    pub session_order: SessionOrder,
    /// The fake's time; share a clone to move it from a test ([`Clock::advance`]).
    pub clock: Clock,
}

impl FakeOptions {
    /// What `--demo` runs: demo data, any port, [`DEMO_TOKEN`], 2 s answers, strict, newest
    /// first, the wall clock.
    pub fn demo() -> Self {
        Self {
            seed: Seed::Demo,
            port: 0,
            token: Some(DEMO_TOKEN.to_string()),
            evaluation_delay: Duration::from_secs(2),
            faults: None,
            token_lifetime: Duration::from_secs(3600),
            idp: idp::IdpOptions::default(),
            strict: true,
            session_order: SessionOrder::NewestFirst,
            clock: Clock::system(),
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
    idp: FakeIdp,
    faults: FaultInjector,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeGraph {
    /// Binds 127.0.0.1:`port` and serves on the current tokio runtime; fails if the port is taken
    /// or the embedded demo data is broken.
    pub async fn start(opts: FakeOptions) -> std::io::Result<FakeGraph> {
        let clock = opts.clock.clone();
        let mut state = seed::build_state(
            &opts.seed,
            clock.now(),
            opts.evaluation_delay,
            opts.token.as_deref(),
        )
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        state.strict = opts.strict;
        state.session_order = opts.session_order;
        let store = FakeStore::new(state, clock.clone());
        let idp = FakeIdp::new(clock);
        idp.configure(opts.idp.clone(), opts.token_lifetime);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, opts.port)).await?;
        let addr = listener.local_addr()?;
        let faults = FaultInjector::new(opts.faults.clone().unwrap_or_default());
        if let Some(spec) = &opts.faults {
            tracing::info!(%spec, "fake graph injects faults");
        }
        let gate = auth::Gate {
            store: store.clone(),
            idp: idp.clone(),
        };
        let routed = routes::router(routes::AppState {
            store: store.clone(),
            addr,
        })
        .layer(middleware::from_fn_with_state(gate, auth::require_bearer))
        .layer(middleware::from_fn_with_state(
            faults.clone(),
            faults::inject,
        ))
        .layer(middleware::from_fn(error::envelope))
        .merge(idp::router(idp.clone()))
        .merge(control::router(store.clock().clone(), faults.clone()));
        // Key syntax and trailing slashes are rewritten before routing, as Graph accepts both.
        let app = Router::new()
            .fallback_service(routed)
            .layer(middleware::map_request(canonical_request));
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
            idp,
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

    /// The identity provider, for tests that script sign-ins or expire tokens.
    pub fn idp(&self) -> FakeIdp {
        self.idp.clone()
    }

    /// The fake's clock: [`Clock::advance`] makes tokens expire and evaluations progress at once.
    pub fn clock(&self) -> Clock {
        self.store.clock().clone()
    }

    /// Whether a bearer token would be accepted right now (issued and unexpired, or on the
    /// accepted list).
    pub fn accepts_token(&self, token: &str) -> bool {
        auth::Gate {
            store: self.store.clone(),
            idp: self.idp.clone(),
        }
        .accepts(token)
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

/// `sessions('id')` → `sessions/id`, `…/sessions/` → `…/sessions`, before routing.
async fn canonical_request(mut req: Request) -> Request {
    if let Some(path) = routes::canonical_path(req.uri().path()) {
        let target = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(uri) = target.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
    req
}
