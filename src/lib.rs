//! sctui: a keyboard-first terminal UI and CLI for Microsoft Security Copilot sessions.
//!
//! The Graph client and sign-in live in the `sctui-graph` crate, the local store in
//! `sctui-store`, the built-in Graph fake in `sctui-fake`, and the TUI's pure core (state,
//! update, keymap, the protocol with the worker) in `sctui-app`. This crate is what users run:
//! [`cli`] (the command line, its subcommands and exit codes), [`tui`] (drawing, the async worker,
//! the runtime), and what both share: [`config`], [`store`] (Graph's models in and out of the
//! store), [`output`], [`plugins`], [`stats`], [`timefmt`] and [`logging`]. See ARCHITECTURE.md
//! for the map.

pub mod child_env;
pub mod cli;
pub mod config;
pub mod export;
pub mod jq;
pub mod logging;
pub mod output;
pub mod plugins;
pub mod promptbook;
pub mod runner;
pub mod stats;
pub mod store;
pub mod timefmt;
pub mod tui;
