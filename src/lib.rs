//! sctui: a keyboard-first terminal UI and CLI for Microsoft Security Copilot sessions.
//!
//! The Graph client and sign-in live in the `sctui-graph` crate and the built-in Graph fake in
//! `sctui-fake`; this crate is what users run: [`cli`] (the command line, its subcommands and exit
//! codes), [`tui`] (state, update, drawing, the async worker), and what both share: [`config`],
//! [`markdown`] and [`export`] (answers as text), [`sanitize`] (the one gate for server text),
//! [`theme`], [`timefmt`] and [`logging`]. See ARCHITECTURE.md for the map.

pub mod child_env;
pub mod cli;
pub mod config;
pub mod export;
pub mod hints;
pub mod jq;
pub mod keys;
pub mod logging;
pub mod markdown;
pub mod output;
pub mod plugins;
pub mod promptbook;
pub mod runner;
pub mod sanitize;
pub mod stats;
pub mod store;
pub mod theme;
pub mod timefmt;
pub mod tui;
