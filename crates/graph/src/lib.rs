//! A typed Microsoft Graph beta client for Security Copilot sessions, and the sign-in that feeds it
//! tokens. Knows nothing of terminals: the sctui CLI and TUI both sit on top of it.
//!
//! Layers, each using only those above it: [`endpoint`] (which URLs may receive a token),
//! [`auth`] (where tokens come from), [`models`] and [`odata`] (Graph's shapes and queries),
//! [`error`] and [`retry`], then [`client`] and [`conversation`]. Safety rules each have their
//! module: [`transport`] (redirects, proxies, TLS roots, body limits), [`ids`] (ids as path
//! segments), [`paging`] (no endless paging), [`hosts`] (who gets a Graph token).

//!
//! Without its `client` feature (on by default) the crate is Graph's vocabulary only: models,
//! queries, errors, retry notices and conversation types, with no HTTP, no async runtime and no
//! sign-in, for code that must stay pure (the app's core).

pub mod auth;
#[cfg(feature = "client")]
pub mod client;
pub mod conversation;
pub mod endpoint;
pub mod error;
pub mod hosts;
pub mod ids;
pub mod models;
pub mod odata;
pub mod paging;
pub mod retry;
#[cfg(feature = "client")]
pub mod transport;

#[cfg(feature = "client")]
pub use client::{ClientOptions, GraphClient, SessionPager};
pub use error::{ApiError, GraphError, NetworkKind};
pub use odata::ListQuery;
pub use retry::{RetryNotice, RetryObserver};
