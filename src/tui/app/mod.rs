//! Application state and its pure update function: keys and worker events in, commands out.

pub mod keys;
pub mod layout;
pub mod state;
pub mod update;

pub use keys::{Action, Keymap};
pub use state::{Focus, Mode, SessionEntry, Severity, State, StatusMessage};
pub use update::{Msg, init, update};

#[cfg(test)]
mod update_tests;
