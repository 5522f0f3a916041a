//! The one place key configuration is read: the config file's `[keys]` table (spans kept, so
//! errors and conflicts name the line), key names as users write them (`F2`, `Ctrl-C`,
//! `Shift-Tab`), presets, and the [`Keymap`] they make.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::input::{KeyCode, KeyModifiers};
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use toml::Spanned;

use super::{Action, KeyBinding, KeyMode, Keymap};

/// The table `[keys]` starts from before the user's entries are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// Letters move too (`j`/`k`/`g`/`G`), as in vim, less, k9s and lazygit.
    #[default]
    Vim,
    /// No letter movement keys, for people who never want a stray letter to move the list.
    Arrows,
}

impl Preset {
    /// Every preset, in the order the docs list them.
    pub const ALL: [Preset; 2] = [Preset::Vim, Preset::Arrows];

    /// The name used in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vim => "vim",
            Self::Arrows => "arrows",
        }
    }

    /// The preset called `name` in the config file.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// One `[keys]` entry as written: `rename = ["r", "F2"]` on line `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    /// The table it was written in (`[keys]` is browse, `[keys.detail]` detail, …).
    pub mode: KeyMode,
    pub action: String,
    pub keys: Vec<String>,
    pub line: usize,
}

/// A key bound to two actions. One of them keeps it; the warning says which, so the user can
/// fix the file instead of guessing why a key does the "wrong" thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The key as shown in help, e.g. `j` or `Ctrl-C`.
    pub key: String,
    /// The action that keeps the key.
    pub kept: Action,
    /// Where the kept binding was written; `None` for the preset or the always-on arrows.
    pub kept_line: Option<usize>,
    /// The action that loses it.
    pub dropped: Action,
    /// Where the losing binding was written; `None` for the preset.
    pub dropped_line: Option<usize>,
}

impl Conflict {
    /// The config line to point the user at: the binding that lost, else the one that won.
    pub fn line(&self) -> usize {
        self.dropped_line.or(self.kept_line).unwrap_or(1)
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = |line: Option<usize>| match line {
            Some(line) => format!("line {line}"),
            None => "built in".to_string(),
        };
        write!(
            f,
            "line {}: key {} is bound to both {} ({}) and {} ({}); {} keeps it",
            self.line(),
            self.key,
            self.kept.qualified_name(),
            from(self.kept_line),
            self.dropped.qualified_name(),
            from(self.dropped_line),
            self.kept.qualified_name(),
        )
    }
}

/// A `[keys]` entry that cannot be used: the message names the offending word, [`Self::line`]
/// the config line (the caller adds the file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyConfigError {
    #[error("unknown action `{name}` in [keys{table}] (known: {known})", table = table_suffix(*mode), known = known_names(*mode))]
    UnknownAction {
        mode: KeyMode,
        name: String,
        line: usize,
    },
    #[error("`{key}` for {action} is not a key name: {reason}")]
    BadKey {
        action: String,
        key: String,
        line: usize,
        reason: String,
    },
}

fn table_suffix(mode: KeyMode) -> String {
    match mode {
        KeyMode::Browse => String::new(),
        other => format!(".{}", other.table()),
    }
}

fn known_names(mode: KeyMode) -> String {
    let mut names: Vec<&str> = Action::ALL
        .iter()
        .filter(|a| a.mode() == mode)
        .map(|a| a.name())
        .collect();
    if mode == KeyMode::Browse {
        names.push("preset");
        names.extend(KeyMode::ALL.iter().skip(1).map(|m| m.table()));
    }
    names.join(", ")
}

impl Action {
    /// The name in warnings: `sort` for the list's table, `detail.back` for the others.
    pub fn qualified_name(self) -> String {
        match self.mode() {
            KeyMode::Browse => self.name().to_string(),
            mode => format!("{}.{}", mode.table(), self.name()),
        }
    }
}

impl KeyConfigError {
    /// The config line at fault.
    pub fn line(&self) -> usize {
        match self {
            Self::UnknownAction { line, .. } | Self::BadKey { line, .. } => *line,
        }
    }
}

impl KeyBinding {
    /// Parses a key as written in the config file: a single character (`r`, `G`, `/`), a named
    /// key (`Up`, `PgDn`, `Enter`, `Space`, `F2`, …, any case), optionally after `Ctrl-`, `Alt-`
    /// or `Shift-` (`Shift-Tab`, `Ctrl-R`).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("empty key".into());
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        while let Some((prefix, tail)) = rest.split_once('-') {
            let modifier = match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => KeyModifiers::CONTROL,
                "alt" | "meta" => KeyModifiers::ALT,
                "shift" => KeyModifiers::SHIFT,
                _ => break,
            };
            if tail.is_empty() {
                break;
            }
            modifiers |= modifier;
            rest = tail;
        }
        let code = key_code(rest)?;
        Self::normalise(code, modifiers, text)
    }

    /// Folds Shift into what terminals actually send: `Shift-Tab` is BackTab, `Shift-a` is `A`;
    /// `Ctrl-C` is reported as Ctrl + lower-case `c`.
    fn normalise(code: KeyCode, mut modifiers: KeyModifiers, text: &str) -> Result<Self, String> {
        let mut code = code;
        if modifiers.contains(KeyModifiers::SHIFT) {
            match code {
                KeyCode::Tab => {
                    code = KeyCode::BackTab;
                    modifiers -= KeyModifiers::SHIFT;
                }
                KeyCode::Char(c) if c.is_alphabetic() => {
                    code = KeyCode::Char(c.to_uppercase().next().unwrap_or(c));
                    modifiers -= KeyModifiers::SHIFT;
                }
                KeyCode::Char(_) => {
                    return Err(format!(
                        "write the shifted character itself instead of `{text}`"
                    ));
                }
                _ => {}
            }
        }
        if modifiers.contains(KeyModifiers::CONTROL)
            && let KeyCode::Char(c) = code
        {
            code = KeyCode::Char(c.to_ascii_lowercase());
        }
        Ok(Self { code, modifiers })
    }
}

/// The key after any modifiers: one character or a name.
fn key_code(name: &str) -> Result<KeyCode, String> {
    let mut chars = name.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        // the arrows as help shows them
        return Ok(match c {
            '←' => KeyCode::Left,
            '→' => KeyCode::Right,
            '↑' => KeyCode::Up,
            '↓' => KeyCode::Down,
            c => KeyCode::Char(c),
        });
    }
    let lower = name.to_ascii_lowercase();
    let code = match lower.as_str() {
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "enter" | "return" => KeyCode::Enter,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "esc" | "escape" => KeyCode::Esc,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "minus" => KeyCode::Char('-'),
        f if f.starts_with('f') && f.len() > 1 => match f[1..].parse::<u8>() {
            Ok(n @ 1..=12) => KeyCode::F(n),
            _ => return Err("function keys are F1 to F12".into()),
        },
        _ => {
            return Err(
                "use a single character, Up, Down, Left, Right, PgUp, PgDn, Home, End, Enter, \
                 Tab, Esc, Space, Backspace, Delete, Insert or F1..F12, optionally after Ctrl-, \
                 Alt- or Shift-"
                    .into(),
            );
        }
    };
    Ok(code)
}

/// Where a candidate binding came from; lower wins a clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// The arrows for moving, which always work.
    Arrow,
    /// A `[keys]` entry: (position in the file, line).
    User(usize, usize),
    Preset,
}

impl Keymap {
    /// The table of a preset, before any `[keys]` entries.
    pub fn preset(preset: Preset) -> Self {
        let mut map = Self::default();
        if preset == Preset::Arrows {
            map.bindings
                .retain(|(b, a)| !(matches!(b.code, KeyCode::Char(_)) && a.is_letter_move()));
        }
        map
    }

    /// Applies the `[keys]` entries to `preset`. An entry replaces all keys of its action (an
    /// empty list unbinds it); the arrows always move. When a key ends up bound twice, the user's
    /// entry beats the preset and an earlier line beats a later one; every clash is returned so
    /// start-up can report it.
    pub fn from_config(
        preset: Preset,
        overrides: &[KeyOverride],
    ) -> Result<(Keymap, Vec<Conflict>), KeyConfigError> {
        let base = Self::preset(preset);
        let mut user: HashMap<Action, Vec<(KeyBinding, Origin)>> = HashMap::new();
        for (position, entry) in overrides.iter().enumerate() {
            let action = Action::from_name(entry.mode, &entry.action).ok_or_else(|| {
                KeyConfigError::UnknownAction {
                    mode: entry.mode,
                    name: entry.action.clone(),
                    line: entry.line,
                }
            })?;
            let mut keys = Vec::new();
            for text in &entry.keys {
                let binding = KeyBinding::parse(text).map_err(|reason| KeyConfigError::BadKey {
                    action: action.qualified_name(),
                    key: text.clone(),
                    line: entry.line,
                    reason,
                })?;
                if !keys.iter().any(|(b, _)| *b == binding) {
                    keys.push((binding, Origin::User(position, entry.line)));
                }
            }
            // a later entry for the same action replaces an earlier one, like TOML would refuse
            user.insert(action, keys);
        }

        // every candidate (action, key, origin), in help order
        let mut candidates: Vec<(Action, KeyBinding, Origin)> = Vec::new();
        for &action in Action::ALL {
            let arrow = action.fixed_key();
            let mut keys: Vec<(KeyBinding, Origin)> = match user.get(&action) {
                Some(keys) => keys.clone(),
                None => base
                    .bindings
                    .iter()
                    .filter(|(_, a)| *a == action)
                    .map(|(b, _)| (*b, Origin::Preset))
                    .collect(),
            };
            if let Some(arrow) = arrow {
                keys.retain(|(b, _)| *b != arrow);
                keys.insert(0, (arrow, Origin::Arrow));
            }
            candidates.extend(keys.into_iter().map(|(b, o)| (action, b, o)));
        }

        // a key clashes only with keys of the same mode
        let mut winner: HashMap<(KeyMode, KeyBinding), (Action, Origin)> = HashMap::new();
        for &(action, binding, origin) in &candidates {
            let entry = winner
                .entry((action.mode(), binding))
                .or_insert((action, origin));
            if origin < entry.1 {
                *entry = (action, origin);
            }
        }
        let mut conflicts = Vec::new();
        let mut bindings = Vec::new();
        for (action, binding, origin) in candidates {
            let (kept, kept_origin) = winner[&(action.mode(), binding)];
            if kept == action {
                if kept_origin == origin {
                    bindings.push((binding, action));
                }
                continue;
            }
            let line_of = |o: Origin| match o {
                Origin::User(_, line) => Some(line),
                _ => None,
            };
            let (kept_line, dropped_line) = (line_of(kept_origin), line_of(origin));
            if kept_line.is_none() && dropped_line.is_none() {
                // the preset never clashes with itself or the arrows
                continue;
            }
            conflicts.push(Conflict {
                key: binding.label(),
                kept,
                kept_line,
                dropped: action,
                dropped_line,
            });
        }
        conflicts.sort_by_key(Conflict::line);
        Ok((Keymap { bindings }, conflicts))
    }
}

/// One action's keys as written: `"r"` or `["r", "F2"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn keys(&self) -> Vec<String> {
        match self {
            KeyList::One(key) => vec![key.clone()],
            KeyList::Many(keys) => keys.clone(),
        }
    }
}

/// The `[keys]` table as written: the browse entries at its top level (plus `preset`), the other
/// modes in sub-tables (`[keys.detail]`, …). Each value keeps its span for line numbers.
#[derive(Debug, Clone, Default)]
pub struct KeysTable {
    entries: Vec<(KeyMode, String, Spanned<KeyList>)>,
}

impl<'de> Deserialize<'de> for KeysTable {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor;
        impl<'de> Visitor<'de> for TableVisitor {
            type Value = KeysTable;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of actions and keys")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeysTable, A::Error> {
                let mut entries = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    match KeyMode::from_table(&name) {
                        // `[keys.browse]` is the same as the top level
                        Some(mode) => {
                            let table: BTreeMap<String, Spanned<KeyList>> = map.next_value()?;
                            entries.extend(table.into_iter().map(|(k, v)| (mode, k, v)));
                        }
                        None => {
                            let value: Spanned<KeyList> = map.next_value()?;
                            entries.push((KeyMode::Browse, name, value));
                        }
                    }
                }
                Ok(KeysTable { entries })
            }
        }
        deserializer.deserialize_map(TableVisitor)
    }
}

/// The keymap `[keys]` asks for, and the clashes in it; `line_at` turns a byte offset in the file
/// into its line number. Errors are `(line, message)`.
pub fn resolve(
    table: Option<&KeysTable>,
    line_at: &dyn Fn(usize) -> usize,
) -> Result<(Keymap, Vec<Conflict>), (usize, String)> {
    let Some(table) = table else {
        return Ok((Keymap::default(), Vec::new()));
    };
    let line = |value: &Spanned<KeyList>| line_at(value.span().start);
    let mut preset = Preset::default();
    let mut overrides = Vec::new();
    for (mode, name, value) in &table.entries {
        let keys = value.get_ref().keys();
        if *mode == KeyMode::Browse && name == "preset" {
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
            mode: *mode,
            action: name.clone(),
            keys,
            line: line(value),
        });
    }
    // file order decides which of two clashing entries wins
    overrides.sort_by_key(|o| o.line);
    Keymap::from_config(preset, &overrides).map_err(|e| (e.line(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::KeyEvent;

    fn parse(text: &str) -> KeyBinding {
        KeyBinding::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn kb(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
        KeyBinding { code, modifiers }
    }

    fn entry(action: &str, keys: &[&str], line: usize) -> KeyOverride {
        KeyOverride {
            mode: KeyMode::Browse,
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
        }
    }

    #[test]
    fn every_key_syntax_parses() {
        let none = KeyModifiers::NONE;
        let cases = [
            ("r", kb(KeyCode::Char('r'), none)),
            ("G", kb(KeyCode::Char('G'), none)),
            ("/", kb(KeyCode::Char('/'), none)),
            ("-", kb(KeyCode::Char('-'), none)),
            ("Up", kb(KeyCode::Up, none)),
            ("down", kb(KeyCode::Down, none)),
            ("Left", kb(KeyCode::Left, none)),
            ("Right", kb(KeyCode::Right, none)),
            ("PgUp", kb(KeyCode::PageUp, none)),
            ("PgDn", kb(KeyCode::PageDown, none)),
            ("Home", kb(KeyCode::Home, none)),
            ("End", kb(KeyCode::End, none)),
            ("Enter", kb(KeyCode::Enter, none)),
            ("Tab", kb(KeyCode::Tab, none)),
            ("Esc", kb(KeyCode::Esc, none)),
            ("Space", kb(KeyCode::Char(' '), none)),
            ("F1", kb(KeyCode::F(1), none)),
            ("F12", kb(KeyCode::F(12), none)),
            ("Ctrl-C", kb(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            ("ctrl-r", kb(KeyCode::Char('r'), KeyModifiers::CONTROL)),
            ("Alt-x", kb(KeyCode::Char('x'), KeyModifiers::ALT)),
            ("Shift-Tab", kb(KeyCode::BackTab, none)),
            ("Shift-g", kb(KeyCode::Char('G'), none)),
            ("Shift-Up", kb(KeyCode::Up, KeyModifiers::SHIFT)),
            (
                "Ctrl-Alt-Down",
                kb(KeyCode::Down, KeyModifiers::CONTROL | KeyModifiers::ALT),
            ),
            ("Ctrl--", kb(KeyCode::Char('-'), KeyModifiers::CONTROL)),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), want, "{text}");
        }
        for bad in ["", "F0", "F13", "Hyper-x", "PageSideways", "Shift-1", "jj"] {
            assert!(KeyBinding::parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn parsed_keys_match_what_terminals_send() {
        let cases = [
            (
                "Ctrl-C",
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            ),
            ("G", KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            (
                "Shift-Tab",
                KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            ),
            ("F2", KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)),
        ];
        for (text, event) in cases {
            let binding = parse(text);
            // BackTab arrives with Shift on some terminals and without on others
            let event = if event.code == KeyCode::BackTab {
                KeyEvent::new(KeyCode::BackTab, KeyModifiers::NONE)
            } else {
                event
            };
            assert!(binding.matches(&event), "{text} vs {event:?}");
        }
    }

    #[test]
    fn labels_round_trip_through_parse() {
        for (binding, _) in &Keymap::default().bindings {
            let label = binding
                .label()
                .replace('↑', "Up")
                .replace('↓', "Down")
                .replace('←', "Left")
                .replace('→', "Right");
            assert_eq!(parse(&label), *binding, "{label}");
        }
    }

    #[test]
    fn vim_preset_is_the_default_table() {
        let (map, conflicts) = Keymap::from_config(Preset::Vim, &[]).unwrap();
        assert!(conflicts.is_empty());
        assert_eq!(map, Keymap::default());
        assert!(map.binds(parse("j"), Action::MoveDown));
        assert!(map.binds(parse("k"), Action::MoveUp));
        assert!(map.binds(parse("Down"), Action::MoveDown));
    }

    #[test]
    fn arrows_preset_has_no_letter_moves_but_arrows() {
        let (map, _) = Keymap::from_config(Preset::Arrows, &[]).unwrap();
        for letter in ["j", "k", "g", "G"] {
            let event = KeyEvent::new(
                KeyCode::Char(letter.chars().next().unwrap()),
                KeyModifiers::NONE,
            );
            assert_eq!(map.action_for(&event), None, "{letter}");
        }
        assert!(map.binds(parse("Up"), Action::MoveUp));
        assert!(map.binds(parse("Down"), Action::MoveDown));
        assert!(map.binds(parse("Home"), Action::First));
        assert!(map.binds(parse("r"), Action::Rename));
    }

    #[test]
    fn an_entry_replaces_its_actions_keys_and_arrows_stay() {
        let (map, conflicts) = Keymap::from_config(
            Preset::Vim,
            &[
                entry("rename", &["F2", "Ctrl-R"], 2),
                entry("move_down", &["n"], 3),
                entry("create", &["o"], 4),
                entry("export", &[], 5),
            ],
        )
        .unwrap();
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert!(map.binds(parse("F2"), Action::Rename));
        assert!(map.binds(parse("Ctrl-r"), Action::Rename));
        assert!(!map.binds(parse("r"), Action::Rename));
        assert!(map.binds(parse("n"), Action::MoveDown));
        assert!(map.binds(parse("Down"), Action::MoveDown));
        assert!(!map.binds(parse("j"), Action::MoveDown));
        assert_eq!(map.first_key(Action::Export), None);
        let rows = map.help_rows(KeyMode::Browse);
        assert!(rows.contains(&("F2 Ctrl-R".to_string(), Action::Rename.describe())));
        assert!(rows.contains(&("↓ n".to_string(), Action::MoveDown.describe())));
    }

    #[test]
    fn conflicts_are_reported_with_lines_and_the_user_wins() {
        let (map, conflicts) = Keymap::from_config(
            Preset::Vim,
            &[
                entry("sort", &["j"], 7),
                entry("refresh", &["x"], 9),
                entry("export", &["x"], 11),
                entry("help", &["Down"], 12),
            ],
        )
        .unwrap();
        assert_eq!(
            conflicts,
            vec![
                Conflict {
                    key: "j".into(),
                    kept: Action::Sort,
                    kept_line: Some(7),
                    dropped: Action::MoveDown,
                    dropped_line: None,
                },
                Conflict {
                    key: "x".into(),
                    kept: Action::Refresh,
                    kept_line: Some(9),
                    dropped: Action::Export,
                    dropped_line: Some(11),
                },
                Conflict {
                    key: "↓".into(),
                    kept: Action::MoveDown,
                    kept_line: None,
                    dropped: Action::Help,
                    dropped_line: Some(12),
                },
            ]
        );
        assert_eq!(
            conflicts[0].to_string(),
            "line 7: key j is bound to both sort (line 7) and move_down (built in); sort keeps it"
        );
        assert_eq!(conflicts[1].line(), 11);
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.action_for(&j), Some(Action::Sort));
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.action_for(&x), Some(Action::Refresh));
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(map.action_for(&down), Some(Action::MoveDown));
        // help shows each key once, under the action that has it
        let rows = map.help_rows(KeyMode::Browse);
        assert!(rows.contains(&("↓".to_string(), Action::MoveDown.describe())));
    }

    #[test]
    fn bad_names_are_errors_with_their_line() {
        let err = Keymap::from_config(Preset::Vim, &[entry("renam", &["r"], 4)]).unwrap_err();
        assert_eq!(err.line(), 4);
        assert!(err.to_string().contains("renam"), "{err}");
        assert!(err.to_string().contains("move_up"), "{err}");
        let err =
            Keymap::from_config(Preset::Vim, &[entry("rename", &["r", "Hyper-r"], 6)]).unwrap_err();
        assert_eq!(err.line(), 6);
        assert!(err.to_string().contains("Hyper-r"), "{err}");
        assert_eq!(Preset::from_name("emacs"), None);
        assert_eq!(Preset::from_name("arrows"), Some(Preset::Arrows));
    }

    #[test]
    fn action_names_round_trip() {
        for &action in Action::ALL {
            assert_eq!(
                Action::from_name(action.mode(), action.name()),
                Some(action)
            );
        }
    }

    #[test]
    fn arrows_preset_drops_letter_moves_in_every_mode() {
        let (map, _) = Keymap::from_config(Preset::Arrows, &[]).unwrap();
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        for mode in KeyMode::ALL {
            assert!(
                !matches!(
                    map.action_in(mode, &j),
                    Some(
                        Action::MoveDown | Action::ScrollDown | Action::HelpDown | Action::PickDown
                    )
                ),
                "{mode:?}"
            );
        }
        let down = KeyEvent::new(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(
            map.action_in(KeyMode::Detail, &down),
            Some(Action::ScrollDown)
        );
    }

    #[test]
    fn sub_tables_rebind_their_mode_only_and_clash_within_it() {
        let detail = |action: &str, keys: &[&str], line| KeyOverride {
            mode: KeyMode::Detail,
            ..entry(action, keys, line)
        };
        let (map, conflicts) = Keymap::from_config(
            Preset::Vim,
            &[
                detail("scroll_down", &["v"], 2),
                detail("back", &["v", "X"], 3),
            ],
        )
        .unwrap();
        let n = KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE);
        assert_eq!(map.action_in(KeyMode::Detail, &n), Some(Action::ScrollDown));
        assert_eq!(map.action_for(&n), None);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            conflicts[0].to_string(),
            "line 3: key v is bound to both detail.scroll_down (line 2) and detail.back (line 3); detail.scroll_down keeps it"
        );
        let err = Keymap::from_config(Preset::Vim, &[detail("rename", &["r"], 4)]).unwrap_err();
        assert!(err.to_string().contains("[keys.detail]"), "{err}");
    }
}
