//! Sessions as documents a person opens elsewhere. The Markdown export and the [`Conversation`]s
//! every format is built from are the core's (`sctui_app::export`, re-exported here); the formats
//! that need crates the core does not carry are here: a self-contained HTML page ([`html`]), a
//! spreadsheet's CSV ([`csv`]) and JSON with Graph's property names ([`json`]).

pub use sctui_app::export::*;

pub mod csv;
pub mod html;
pub mod json;

/// One session's export in `format`: the text of the file (CSV with no byte-order mark: the
/// writer adds it). The CLI's `sessions export ID` and the TUI's `e` both write this.
pub fn one(
    format: Format,
    conversation: &Conversation,
    provenance: &Provenance,
) -> std::io::Result<String> {
    Ok(match format {
        Format::Markdown => conversation_markdown(&conversation.session, &conversation.turns),
        Format::Html => html::page(conversation, provenance),
        Format::Json => crate::output::to_json(&json::session_json(conversation))? + "\n",
        Format::Csv => csv::rows(std::slice::from_ref(conversation))?,
    })
}
