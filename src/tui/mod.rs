//! The terminal UI around the core (`sctui-app`, here as [`app`]: the state and the one `update`
//! that changes it): [`ui`] draws it, [`worker`] is the async side that talks to Graph and the
//! local store ([`prefetch`] fetches neighbours ahead, [`persist`] writes answers), and
//! [`runtime`] wires terminal events, the worker and the screen together. Nothing here is used by
//! the CLI subcommands.

pub use sctui_app as app;
pub use sctui_app::protocol;

pub mod clipboard;
pub mod links;
pub mod persist;
pub mod prefetch;
pub mod runtime;
pub mod signals;
pub mod ui;
pub mod worker;
