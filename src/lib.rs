//! sctui: a keyboard-first terminal UI and CLI for Microsoft Security Copilot sessions.
//!
//! The crate is a library plus a thin binary so that tests, benches and the CLI all drive the same
//! pieces: `graph` (typed client), `fake` (built-in Graph), `app` (pure state), `ui` (drawing),
//! `worker` (the async side).

pub mod app;
pub mod auth;
pub mod cli;
pub mod clipboard;
pub mod cmd;
pub mod config;
pub mod exit;
pub mod export;
pub mod fake;
pub mod graph;
pub mod logging;
pub mod markdown;
pub mod sanitize;
pub mod theme;
pub mod timefmt;
pub mod tui;
pub mod ui;
pub mod worker;
