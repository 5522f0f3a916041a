//! A typed Microsoft Graph beta client for Security Copilot sessions, and the sign-in that feeds it
//! tokens. Knows nothing of terminals: the sctui CLI and TUI both sit on top of it.
//!
//! Layers, each using only those above it: [`endpoint`] (which URLs may receive a token),
//! [`auth`] (where tokens come from), [`models`] and [`odata`] (Graph's shapes and queries),
//! [`error`] and [`retry`], then [`client`] and [`conversation`]. Safety rules each have their
//! module: [`transport`] (redirects, proxies, TLS roots, body limits), [`ids`] (ids as path
//! segments), [`paging`] (no endless paging), [`hosts`] (who gets a Graph token).

pub mod auth;
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
pub mod transport;

pub use client::{ClientOptions, GraphClient, RetryNotice, RetryObserver, SessionPager};
pub use error::{ApiError, GraphError, NetworkKind};
pub use odata::ListQuery;
