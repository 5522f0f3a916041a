//! The one table from keys to actions. The help overlay reads the same table, so keys and help
//! never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod config;
pub use config::{Conflict, KeyConfigError, KeyOverride, Preset};

/// What a key means while browsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    First,
    Last,
    FocusDetail,
    FocusList,
    Rename,
    Create,
    Ask,
    Export,
    CopyId,
    CopyUrl,
    Sort,
    Workspaces,
    Refresh,
    Filter,
    Help,
    Quit,
    /// The conversation full-screen, and back.
    Zoom,
    NextQuestion,
    PrevQuestion,
    /// Tables and code in the detail pane, sideways.
    ScrollLeft,
    ScrollRight,
    /// The answer in view, as Markdown.
    CopyAnswer,
    /// The code block in view (a KQL query, usually).
    CopyCode,
    /// `/` in the detail pane: find in the conversation.
    Find,
    FindNext,
    FindPrev,
}

impl Action {
    /// What the help overlay says the action does.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MoveUp => "move up",
            Self::MoveDown => "move down",
            Self::PageUp => "page up",
            Self::PageDown => "page down",
            Self::First => "first session",
            Self::Last => "last loaded session (more load as you go)",
            Self::FocusDetail => "focus the detail pane",
            Self::FocusList => "back to the list; stop following an answer",
            Self::Rename => "rename the session (Enter saves, Esc cancels)",
            Self::Create => "ask in a new session (Alt-Enter: new line)",
            Self::Ask => "ask a follow-up in the selected session",
            Self::Export => "export the conversation as Markdown",
            Self::CopyId => "copy the session id (OSC 52: works over SSH and tmux)",
            Self::CopyUrl => "copy the session's Graph URL",
            Self::Sort => "cycle the order: last modified, created, name",
            Self::Workspaces => "pick a workspace (remembered for next time)",
            Self::Refresh => "refresh from Graph",
            Self::Filter => "filter the list as you type (Esc clears)",
            Self::Help => "this help",
            Self::Quit => "quit",
            Self::Zoom => "read the conversation full-screen (again: back)",
            Self::NextQuestion => "next question in the conversation",
            Self::PrevQuestion => "previous question in the conversation",
            Self::ScrollLeft => "detail: tables and code left",
            Self::ScrollRight => "detail: tables and code right",
            Self::CopyAnswer => "copy the answer in view (Markdown)",
            Self::CopyCode => "copy the code block in view (e.g. the KQL)",
            Self::Find => "detail: find in the conversation",
            Self::FindNext => "detail: next match",
            Self::FindPrev => "detail: previous match",
        }
    }

    /// Actions that only apply while the detail pane is focused: there they take their keys
    /// from the browsing actions (`/` finds instead of filtering, `n` goes to the next match).
    pub fn detail_only(self) -> bool {
        matches!(
            self,
            Self::ScrollLeft | Self::ScrollRight | Self::Find | Self::FindNext | Self::FindPrev
        )
    }
}

/// One key with its modifiers, as the user writes it in help and config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyBinding {
    const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Whether a key event is this binding (Shift is implied by upper-case characters).
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let mods = if matches!(key.code, KeyCode::Char(_)) {
            key.modifiers - KeyModifiers::SHIFT
        } else {
            key.modifiers
        };
        key.code == self.code && mods == self.modifiers
    }

    /// How the key is shown in help: `j`, `↓`, `PgDn`, `Ctrl-C`, `F2`.
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", key.to_uppercase())
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{key}")
        } else {
            key
        }
    }
}

/// Keys → actions for browsing mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(KeyBinding, Action)>,
}

impl Default for Keymap {
    /// The vim-flavoured defaults; arrows always work.
    fn default() -> Self {
        use Action::{
            Ask, CopyId, CopyUrl, Create, Export, Filter, First, FocusDetail, FocusList, Help,
            Last, MoveDown, MoveUp, Quit, Refresh, Rename, Sort, Workspaces,
        };
        use KeyCode::{BackTab, Char, Down, End, Enter, Esc, F, Home, Left, Right, Tab, Up};
        let p = KeyBinding::plain;
        Self {
            bindings: vec![
                (p(Up), MoveUp),
                (p(Char('k')), MoveUp),
                (p(Down), MoveDown),
                (p(Char('j')), MoveDown),
                (p(KeyCode::PageUp), Action::PageUp),
                (p(KeyCode::PageDown), Action::PageDown),
                (p(Home), First),
                (p(Char('g')), First),
                (p(End), Last),
                (p(Char('G')), Last),
                (p(Enter), FocusDetail),
                (p(Tab), FocusDetail),
                (p(Esc), FocusList),
                (p(BackTab), FocusList),
                (p(Char('r')), Rename),
                (p(F(2)), Rename),
                (p(Char('n')), Create),
                (p(Char('a')), Ask),
                (p(Char('e')), Export),
                (p(Char('y')), CopyId),
                (p(Char('Y')), CopyUrl),
                (p(Char('s')), Sort),
                (p(Char('w')), Workspaces),
                (p(Char('R')), Refresh),
                (p(F(5)), Refresh),
                (p(Char('/')), Filter),
                (p(Char('?')), Help),
                (p(Char('q')), Quit),
                (KeyBinding::ctrl('c'), Quit),
                (p(Char('z')), Action::Zoom),
                (p(Char(']')), Action::NextQuestion),
                (p(Char('[')), Action::PrevQuestion),
                (p(Char('h')), Action::ScrollLeft),
                (p(Left), Action::ScrollLeft),
                (p(Char('l')), Action::ScrollRight),
                (p(Right), Action::ScrollRight),
                (p(Char('c')), Action::CopyAnswer),
                (p(Char('C')), Action::CopyCode),
                (p(Char('/')), Action::Find),
                (p(Char('n')), Action::FindNext),
                (p(Char('N')), Action::FindPrev),
            ],
        }
    }
}

impl Keymap {
    /// The action bound to a key while browsing the list, if any.
    pub fn action_for(&self, key: &KeyEvent) -> Option<Action> {
        self.action_in(key, false)
    }

    /// The action bound to a key, in the detail pane (`detail`) or the list: in the detail pane
    /// its own actions win, and they do nothing elsewhere.
    pub fn action_in(&self, key: &KeyEvent, detail: bool) -> Option<Action> {
        let mut found = None;
        for &(binding, action) in &self.bindings {
            if !binding.matches(key) || (action.detail_only() && !detail) {
                continue;
            }
            if action.detail_only() {
                return Some(action);
            }
            found = found.or(Some(action));
        }
        found
    }

    /// Help rows: each action once, with all its keys, in table order.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
        for (binding, action) in &self.bindings {
            match rows.iter_mut().find(|(a, _)| a == action) {
                Some((_, labels)) => labels.push(binding.label()),
                None => rows.push((*action, vec![binding.label()])),
            }
        }
        rows.into_iter()
            .map(|(action, labels)| (labels.join(" "), action.describe()))
            .collect()
    }

    /// The first key bound to an action, for hints in the status bar.
    pub fn first_key(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|(_, a)| *a == action)
            .map(|(b, _)| b.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn contract_keys_are_bound() {
        let k = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(
            k.action_for(&key(KeyCode::Char('j'), none)),
            Some(Action::MoveDown)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Down, none)),
            Some(Action::MoveDown)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Char('k'), none)),
            Some(Action::MoveUp)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::F(2), none)),
            Some(Action::Rename)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::F(5), none)),
            Some(Action::Refresh)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Last)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::Refresh)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_ne!(
            k.action_for(&key(KeyCode::Char('c'), none)),
            Some(Action::Quit)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Enter, none)),
            Some(Action::FocusDetail)
        );
        assert_eq!(
            k.action_for(&key(KeyCode::Tab, none)),
            Some(Action::FocusDetail)
        );
    }

    #[test]
    fn help_lists_every_action_with_all_its_keys() {
        let rows = Keymap::default().help_rows();
        assert!(rows.contains(&("r F2".to_string(), Action::Rename.describe())));
        assert!(rows.contains(&("q Ctrl-C".to_string(), Action::Quit.describe())));
        assert!(rows.contains(&("↓ j".to_string(), Action::MoveDown.describe())));
        assert_eq!(rows.len(), Action::ALL.len());
    }
}
