//! The terminal UI: [`app`] holds the state and the one `update` that changes it, [`ui`] draws it,
//! [`worker`] is the async side that talks to Graph ([`prefetch`] fetches neighbours ahead), and
//! [`runtime`] wires terminal events, the worker and the screen together. Nothing here is used by the CLI subcommands.

pub mod app;
pub mod clipboard;
pub mod links;
pub mod persist;
pub mod prefetch;
pub mod protocol;
pub mod runtime;
pub mod signals;
pub mod ui;
pub mod worker;
