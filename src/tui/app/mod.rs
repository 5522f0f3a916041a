//! Application state and its pure update function: keys, time and worker events in; worker
//! requests and runtime effects out.

pub mod editor;
pub mod layout;
pub mod output;
pub mod reader;
pub mod requests;
pub mod state;
pub mod update;

pub use crate::keys::{Action, KeyMode, Keymap};
pub use output::{Effect, Output, Timer};
pub use requests::{Pending, RequestId, Requests};
pub use state::{Focus, Mode, SessionEntry, Severity, State, StatusMessage};
pub use update::{Msg, init, update};

#[cfg(test)]
mod update_tests;
