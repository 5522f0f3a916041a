//! Sessions as documents a person opens elsewhere. The Markdown export and the [`Conversation`]s
//! every format is built from are the core's (`sctui_app::export`, re-exported here); the formats
//! that need crates the core does not carry are here: a self-contained HTML page ([`html`]), a
//! spreadsheet's CSV ([`csv`]) and JSON with Graph's property names ([`json`]).

pub use sctui_app::export::*;

pub mod csv;
pub mod html;
pub mod json;
