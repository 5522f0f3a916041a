//! `[keys]` as written in the config file, turned into a [`Keymap`]. Values keep their spans so
//! errors and conflicts can name the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::tui::app::keys::{Conflict, KeyOverride, Keymap, Preset};

/// One action's keys: `"r"` or `["r", "F2"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum KeyList {
    One(String),
    Many(Vec<String>),
}

/// The `[keys]` table: `preset = "vim"` plus one entry per action.
pub(super) type KeysTable = BTreeMap<String, Spanned<KeyList>>;

/// The keymap the table asks for, and the clashes in it. Errors are `(line, message)`.
pub(super) fn resolve(
    table: Option<&KeysTable>,
    text: &str,
) -> Result<(Keymap, Vec<Conflict>), (usize, String)> {
    let Some(table) = table else {
        return Ok((Keymap::default(), Vec::new()));
    };
    let line = |value: &Spanned<KeyList>| super::line_at(text, value.span().start);
    let mut preset = Preset::default();
    let mut overrides = Vec::new();
    for (name, value) in table {
        let keys = match value.get_ref() {
            KeyList::One(key) => vec![key.clone()],
            KeyList::Many(keys) => keys.clone(),
        };
        if name == "preset" {
            let known = Preset::ALL.map(Preset::name).join(", ");
            preset = match keys.as_slice() {
                [one] => Preset::from_name(one),
                _ => None,
            }
            .ok_or_else(|| {
                (
                    line(value),
                    format!(
                        "[keys] preset must be one of {known}, not {}",
                        keys.join(", ")
                    ),
                )
            })?;
            continue;
        }
        overrides.push(KeyOverride {
            action: name.clone(),
            keys,
            line: line(value),
        });
    }
    // file order decides which of two clashing entries wins
    overrides.sort_by_key(|o| o.line);
    Keymap::from_config(preset, &overrides).map_err(|e| (e.line(), e.to_string()))
}
