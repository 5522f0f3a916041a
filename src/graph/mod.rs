//! A typed Microsoft Graph client for the Security Copilot API. Knows nothing about the TUI; the CLI
//! and the worker both use it.

pub mod client;
pub mod conversation;
pub mod error;
pub mod models;
pub mod odata;
pub mod retry;

pub use client::{ClientOptions, GraphClient, RetryNotice, RetryObserver, SessionPager};
pub use error::{ApiError, GraphError, NetworkKind};
pub use odata::ListQuery;
