//! Keys named inside sentences (status messages, the detail pane, popup footers): always the key
//! in force for an action, never its default's text, so a rebound key is named as rebound and an
//! unbound one is left out of the sentence.

use super::{Action, Keymap};

impl Keymap {
    /// `" (KEY what)"`, e.g. `" (R refreshes)"`; empty when `action` has no key.
    pub fn note(&self, action: Action, what: &str) -> String {
        self.hint_key(action)
            .map(|key| format!(" ({key} {what})"))
            .unwrap_or_default()
    }

    /// `": press KEY to what"`; empty when `action` has no key.
    pub fn press(&self, action: Action, what: &str) -> String {
        self.hint_key(action)
            .map(|key| format!(": press {key} to {what}"))
            .unwrap_or_default()
    }

    /// `"KEY what"` joined by `" · "` for the actions that have a key (a popup's footer).
    pub fn footer(&self, items: &[(Action, &str)]) -> String {
        items
            .iter()
            .filter_map(|(action, what)| self.hint_key(*action).map(|key| format!("{key} {what}")))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use crate::keys::config::{KeyOverride, Preset};
    use crate::keys::{Action, KeyMode, Keymap};

    #[test]
    fn sentences_name_the_key_in_force_or_none() {
        let vim = Keymap::default();
        assert_eq!(vim.note(Action::Refresh, "refreshes"), " (R refreshes)");
        assert_eq!(vim.press(Action::Ask, "ask"), ": press a to ask");
        let rebound = |action: &str, keys: &[&str]| KeyOverride {
            mode: KeyMode::Browse,
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line: 1,
        };
        let (keys, _) = Keymap::from_config(
            Preset::Vim,
            &[rebound("refresh", &["F6"]), rebound("ask", &[])],
        )
        .unwrap();
        assert_eq!(keys.note(Action::Refresh, "refreshes"), " (F6 refreshes)");
        assert_eq!(keys.press(Action::Ask, "ask"), "");
        assert_eq!(
            keys.footer(&[(Action::Ask, "ask"), (Action::Refresh, "refresh")]),
            "F6 refresh"
        );
    }
}
