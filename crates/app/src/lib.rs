//! sctui's core: the application state and the one function that changes it. Keys, time and
//! worker events go in as messages; requests for the worker ([`protocol`]) and effects for the
//! runtime ([`output`]) come out. Pure: no terminal, no async runtime, no HTTP, no SQLite, no
//! clock; the compiler keeps it so (this crate depends on none of them), and every behaviour is a
//! unit test.
//!
//! Also here, because the state holds what they make: the keymap ([`keys`], with the key events
//! of [`input`]), Markdown as styled lines ([`markdown`]), colours ([`theme`]), the one gate for
//! server text ([`sanitize`]), the `?` overlay's rows ([`help`]), and the words shared with the
//! CLI ([`advice`] for errors, [`hints`], [`export`]).

pub mod advice;
pub mod editor;
pub mod export;
pub mod help;
pub mod hints;
pub mod input;
pub mod keys;
pub mod layout;
pub mod markdown;
pub mod output;
pub mod protocol;
pub mod reader;
pub mod requests;
pub mod sanitize;
pub mod state;
pub mod theme;
pub mod update;

pub use crate::keys::{Action, KeyMode, Keymap};
pub use output::{Effect, Output, Timer};
pub use requests::{Pending, RequestId, Requests};
pub use state::{Focus, Mode, SessionEntry, Severity, State, StatusMessage};
pub use update::{Msg, init, update};

#[cfg(test)]
mod update_tests;
