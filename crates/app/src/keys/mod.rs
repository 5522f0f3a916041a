//! Keys → actions, one table per mode (browse, detail, editor, help, picker, sign-in). The help
//! overlay and the status line's hints read the same table, so a rebound or unbound key is never
//! shown wrongly. Nothing here knows the app's state: the app asks "which action is this key in
//! this mode" and "which key does this action have".
//!
//! `[keys]` in the config file (parsed in [`config`], the one place key configuration is read)
//! rebinds any action: top-level entries are the browse table (`rename = "F2"`), the other modes
//! are sub-tables (`[keys.detail]`, `[keys.editor]`, `[keys.help_overlay]`, `[keys.picker]`,
//! `[keys.sign_in]`, `[keys.search_view]`).

use crate::input::{KeyCode, KeyEvent, KeyModifiers};

pub mod config;
mod notes;
pub use config::{Conflict, KeyConfigError, KeyOverride, KeysTable, Preset, resolve};

/// Which key table is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyMode {
    /// The session list has the keyboard.
    Browse,
    /// The detail pane has the keyboard; keys it does not bind fall through to [`Self::Browse`].
    Detail,
    /// A text editor: the prompt box, inline rename, the filter.
    Editor,
    /// The `?` overlay.
    Help,
    /// A list to choose from: the workspace picker, the messages view.
    Picker,
    /// The sign-in popup.
    SignIn,
    /// The search view (full-text search of the local store); keys it does not bind edit the
    /// query as in [`Self::Editor`].
    Search,
    /// A question before something is sent (a re-run, a fork): its keys say yes, any other key
    /// says no, so a stray key never sends anything.
    Confirm,
}

impl KeyMode {
    /// Every mode, in the order help lists them.
    pub const ALL: [KeyMode; 8] = [
        KeyMode::Browse,
        KeyMode::Detail,
        KeyMode::Editor,
        KeyMode::Help,
        KeyMode::Picker,
        KeyMode::SignIn,
        KeyMode::Search,
        KeyMode::Confirm,
    ];

    /// The `[keys.NAME]` sub-table of this mode (`browse` is also the top level of `[keys]`).
    pub fn table(self) -> &'static str {
        match self {
            Self::Browse => "browse",
            Self::Detail => "detail",
            Self::Editor => "editor",
            // not `help`: that is the list's key for opening it, in the same `[keys]` table
            Self::Help => "help_overlay",
            Self::Picker => "picker",
            Self::SignIn => "sign_in",
            // not `search`: that is the list's key for opening it, in the same `[keys]` table
            Self::Search => "search_view",
            Self::Confirm => "confirm",
        }
    }

    /// The mode whose sub-table is called `name`.
    pub fn from_table(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.table() == name)
    }

    /// The heading of this mode's section in help.
    pub fn title(self) -> &'static str {
        match self {
            Self::Browse => "Session list",
            Self::Detail => "Detail pane (other keys as in the list)",
            Self::Editor => "Editors: prompt box, rename, filter",
            Self::Help => "This help",
            Self::Picker => "Pickers: workspaces, export format, messages",
            Self::SignIn => "Sign-in",
            Self::Search => "Search view (other keys edit the query)",
            Self::Confirm => "Before a re-run or a fork is sent (any other key: no)",
        }
    }
}

macro_rules! actions {
    ($( $mode:ident { $( $variant:ident $name:literal $describe:literal, )* } )*) => {
        /// Something a key can mean. Each action belongs to one [`KeyMode`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $( $( $variant, )* )* }

        impl Action {
            /// Every action, in the order help lists them.
            pub const ALL: &'static [Action] = &[ $( $( Action::$variant, )* )* ];

            /// The mode whose table the action is in.
            pub fn mode(self) -> KeyMode {
                match self { $( $( Self::$variant => KeyMode::$mode, )* )* }
            }

            /// The name used in `[keys]` (unique within its mode's table).
            pub fn name(self) -> &'static str {
                match self { $( $( Self::$variant => $name, )* )* }
            }

            /// What the help overlay says the action does.
            pub fn describe(self) -> &'static str {
                match self { $( $( Self::$variant => $describe, )* )* }
            }
        }
    };
}

actions! {
    Browse {
        MoveUp "move_up" "move up",
        MoveDown "move_down" "move down",
        PageUp "page_up" "page up",
        PageDown "page_down" "page down",
        First "first" "first session",
        Last "last" "last loaded session (more load as you go)",
        FocusDetail "focus_detail" "focus the detail pane",
        FocusList "focus_list" "dismiss the message; clear a kept filter; stop following an answer",
        Rename "rename" "rename the session inline (with the editors' keys)",
        Create "create" "ask in a new session",
        Ask "ask" "ask a follow-up in the selected session",
        Retry "retry" "run the last question again where it failed (no new prompt)",
        Export "export" "export the conversation: Markdown, HTML or JSON",
        CopyId "copy_id" "copy the session id",
        CopyUrl "copy_url" "copy the session's Graph URL",
        Sort "sort" "cycle the order: last modified, created, name",
        Workspaces "workspaces" "pick a workspace (remembered for next time)",
        Refresh "refresh" "refresh from Graph",
        Filter "filter" "filter the list as you type (the editors' cancel clears it)",
        Messages "messages" "every message of this run, in full, with request-ids",
        Search "search" "search every stored name, question and answer (the local store)",
        Sync "sync" "sync every conversation into the local store (again: stop)",
        Zoom "zoom" "read the conversation full-screen (again: back)",
        NextQuestion "next_question" "next question in the conversation",
        PrevQuestion "prev_question" "previous question in the conversation",
        CopyAnswer "copy_answer" "copy the answer in view (Markdown)",
        CopyCodeBlock "copy_code" "copy the code block in view (e.g. the KQL)",
        Help "help" "this help",
        Quit "quit" "quit",
    }
    Detail {
        ScrollUp "scroll_up" "scroll up",
        ScrollDown "scroll_down" "scroll down",
        ScrollPageUp "page_up" "page up",
        ScrollPageDown "page_down" "page down",
        ScrollTop "top" "top of the conversation",
        ScrollBottom "bottom" "end of the conversation",
        ScrollLeft "scroll_left" "tables and code left",
        ScrollRight "scroll_right" "tables and code right",
        RowStart "row_start" "tables and code: back to the start of the rows",
        RowEnd "row_end" "tables and code: to the end of the longest row in view",
        WideTables "wide_tables" "wide tables: wrapped to fit, or kept wide (first column frozen)",
        NextLink "next_link" "move to the next link (its address in the status line)",
        PrevLink "prev_link" "move to the previous link",
        OpenLink "open_link" "open the link moved to (else the first in view) in the browser",
        Rerun "rerun" "run the question in view again: no new question (asks first)",
        Earlier "earlier" "show or fold the answers of the question's earlier runs",
        Compare "compare" "compare the newest answer with the run before it (again: back)",
        Fork "fork" "fork at the question in view: a new session asks 1..N (asks first)",
        Find "find" "find in the conversation",
        FindNext "find_next" "next match",
        FindPrev "find_prev" "previous match",
        Back "back" "back to the list",
    }
    Editor {
        Submit "submit" "send / save / keep the filter",
        Cancel "cancel" "close (the prompt box keeps your draft)",
        NewLine "new_line" "new line (prompt box)",
        ExternalEditor "external_editor" "edit in $VISUAL / $EDITOR (prompt box)",
        CursorLeft "left" "cursor left",
        CursorRight "right" "cursor right",
        CursorUp "up" "line up (in the filter: move the list)",
        CursorDown "down" "line down (in the filter: move the list)",
        LineStart "line_start" "start of the line",
        LineEnd "line_end" "end of the line",
        WordLeft "word_left" "word left",
        WordRight "word_right" "word right",
        DeleteBack "delete_back" "delete the character before the cursor",
        DeleteForward "delete_forward" "delete the character under the cursor",
        DeleteWord "delete_word" "delete the word before the cursor",
        DeleteToStart "delete_to_start" "delete to the start of the line",
        DeleteToEnd "delete_to_end" "delete to the end of the line",
    }
    Help {
        HelpUp "scroll_up" "scroll up",
        HelpDown "scroll_down" "scroll down",
        HelpClose "close" "close help",
    }
    Picker {
        PickUp "up" "move up",
        PickDown "down" "move down",
        Choose "choose" "use the workspace / export in the format / copy the message",
        PickCopy "copy" "copy the id / the message",
        TypeId "type_id" "type a workspace id (workspace picker)",
        PickClose "close" "close",
    }
    SignIn {
        CopyCode "copy_code" "copy the sign-in code",
        SignInRetry "retry" "try signing in again (after a failure)",
        SignInCancel "cancel" "browse without signing in",
        SignInQuit "quit" "quit",
    }
    Search {
        SearchUp "up" "previous result",
        SearchDown "down" "next result",
        SearchPageUp "page_up" "results page up",
        SearchPageDown "page_down" "results page down",
        SearchOpen "open" "open the session at the matching question",
        SearchClose "close" "back to the list (the query is kept)",
    }
    Confirm {
        ConfirmYes "yes" "yes: send it",
    }
}

impl Action {
    /// The action of `mode` called `name` in `[keys]`.
    pub fn from_name(mode: KeyMode, name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.mode() == mode && a.name() == name)
    }

    /// A key that always does this, whatever `[keys]` says: the arrows always move.
    pub fn fixed_key(self) -> Option<KeyBinding> {
        let arrow = |code| Some(KeyBinding::plain(code));
        match self {
            Self::MoveUp
            | Self::ScrollUp
            | Self::HelpUp
            | Self::PickUp
            | Self::CursorUp
            | Self::SearchUp => arrow(KeyCode::Up),
            Self::MoveDown
            | Self::ScrollDown
            | Self::HelpDown
            | Self::PickDown
            | Self::CursorDown
            | Self::SearchDown => arrow(KeyCode::Down),
            Self::CursorLeft => arrow(KeyCode::Left),
            Self::CursorRight => arrow(KeyCode::Right),
            _ => None,
        }
    }

    /// Letter keys that move, which the `arrows` preset leaves out.
    fn is_letter_move(self) -> bool {
        matches!(
            self,
            Self::MoveUp
                | Self::MoveDown
                | Self::First
                | Self::Last
                | Self::ScrollUp
                | Self::ScrollDown
                | Self::ScrollTop
                | Self::ScrollBottom
                | Self::HelpUp
                | Self::HelpDown
                | Self::PickUp
                | Self::PickDown
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
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    const fn with(code: KeyCode, modifiers: KeyModifiers) -> Self {
        Self { code, modifiers }
    }

    const fn ctrl(c: char) -> Self {
        Self::with(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    const fn alt(c: char) -> Self {
        Self::with(KeyCode::Char(c), KeyModifiers::ALT)
    }

    /// Whether a key event is this binding (Shift is implied by upper-case characters).
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let mods = if matches!(key.code, KeyCode::Char(_)) || key.code == KeyCode::BackTab {
            key.modifiers - KeyModifiers::SHIFT
        } else {
            key.modifiers
        };
        key.code == self.code && mods == self.modifiers
    }

    /// Whether the key is one of the arrows without modifiers (they always move, so hints prefer
    /// the other keys when there are some).
    pub fn is_arrow(&self) -> bool {
        self.modifiers.is_empty()
            && matches!(
                self.code,
                KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right
            )
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
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Delete".into(),
            KeyCode::Insert => "Insert".into(),
            KeyCode::F(n) => format!("F{n}"),
        };
        let mut label = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            label.push_str("Ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            label.push_str("Alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            label.push_str("Shift-");
        }
        if self.modifiers.contains(KeyModifiers::CONTROL) && key.chars().count() == 1 {
            label.push_str(&key.to_uppercase());
        } else {
            label.push_str(&key);
        }
        label
    }
}

/// One line of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A mode's section title.
    Heading(&'static str),
    /// Keys (as labels, space-separated) and what they do.
    Row(String, &'static str),
}

/// Keys → actions, for every mode. Built from a [`Preset`] and the `[keys]` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(KeyBinding, Action)>,
}

impl Default for Keymap {
    /// The vim-flavoured defaults; arrows always work.
    fn default() -> Self {
        use Action::*;
        use KeyCode::{
            BackTab, Backspace, Char, Delete, Down, End, Enter, Esc, F, Home, Left, Right, Tab, Up,
        };
        let p = KeyBinding::plain;
        let c = KeyBinding::ctrl;
        let a = KeyBinding::alt;
        let w = KeyBinding::with;
        Self {
            bindings: vec![
                // browse
                (p(Up), MoveUp),
                (p(Char('k')), MoveUp),
                (p(Down), MoveDown),
                (p(Char('j')), MoveDown),
                (p(KeyCode::PageUp), PageUp),
                (p(KeyCode::PageDown), PageDown),
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
                (p(Char('t')), Retry),
                (p(Char('e')), Export),
                (p(Char('y')), CopyId),
                (p(Char('Y')), CopyUrl),
                (p(Char('s')), Sort),
                (p(Char('w')), Workspaces),
                (p(Char('R')), Refresh),
                (p(F(5)), Refresh),
                (p(Char('/')), Filter),
                (p(Char('m')), Messages),
                (p(Char('f')), Search),
                (p(Char('S')), Sync),
                (p(Char('z')), Zoom),
                (p(Char(']')), NextQuestion),
                (p(Char('[')), PrevQuestion),
                (p(Char('c')), CopyAnswer),
                (p(Char('C')), CopyCodeBlock),
                (p(Char('?')), Help),
                (p(Char('q')), Quit),
                (c('c'), Quit),
                // detail
                (p(Up), ScrollUp),
                (p(Char('k')), ScrollUp),
                (p(Down), ScrollDown),
                (p(Char('j')), ScrollDown),
                (p(KeyCode::PageUp), ScrollPageUp),
                (p(KeyCode::PageDown), ScrollPageDown),
                (p(Home), ScrollTop),
                (p(Char('g')), ScrollTop),
                (p(End), ScrollBottom),
                (p(Char('G')), ScrollBottom),
                (p(Char('h')), ScrollLeft),
                (p(Left), ScrollLeft),
                (p(Char('l')), ScrollRight),
                (p(Right), ScrollRight),
                (p(Char('0')), RowStart),
                (p(Char('$')), RowEnd),
                (p(Char('W')), WideTables),
                (p(Char('u')), NextLink),
                (p(Char('U')), PrevLink),
                (p(Char('o')), OpenLink),
                (p(Char('x')), Rerun),
                (p(Char('E')), Earlier),
                (p(Char('d')), Compare),
                (p(Char('F')), Fork),
                (p(Char('/')), Find),
                (p(Char('n')), FindNext),
                (p(Char('N')), FindPrev),
                (p(Esc), Back),
                (p(Tab), Back),
                (p(BackTab), Back),
                (p(Enter), Back),
                // editors
                (p(Enter), Submit),
                (p(Esc), Cancel),
                (w(Enter, KeyModifiers::ALT), NewLine),
                (w(Enter, KeyModifiers::SHIFT), NewLine),
                (c('j'), NewLine),
                (c('g'), ExternalEditor),
                (p(KeyCode::Left), CursorLeft),
                (p(KeyCode::Right), CursorRight),
                (p(Up), CursorUp),
                (p(Down), CursorDown),
                (p(Home), LineStart),
                (c('a'), LineStart),
                (p(End), LineEnd),
                (c('e'), LineEnd),
                (w(KeyCode::Left, KeyModifiers::CONTROL), WordLeft),
                (a('b'), WordLeft),
                (w(KeyCode::Right, KeyModifiers::CONTROL), WordRight),
                (a('f'), WordRight),
                (p(Backspace), DeleteBack),
                (p(Delete), DeleteForward),
                (c('d'), DeleteForward),
                (c('w'), DeleteWord),
                (w(Backspace, KeyModifiers::ALT), DeleteWord),
                (c('u'), DeleteToStart),
                (c('k'), DeleteToEnd),
                // help
                (p(Up), HelpUp),
                (p(Char('k')), HelpUp),
                (p(Down), HelpDown),
                (p(Char('j')), HelpDown),
                (p(Esc), HelpClose),
                (p(Enter), HelpClose),
                (p(Char('?')), HelpClose),
                (p(Char('q')), HelpClose),
                // pickers
                (p(Up), PickUp),
                (p(Char('k')), PickUp),
                (p(Down), PickDown),
                (p(Char('j')), PickDown),
                (p(Enter), Choose),
                (p(Char('y')), PickCopy),
                (p(Char('i')), TypeId),
                (p(Esc), PickClose),
                (p(Char('q')), PickClose),
                // sign-in
                (p(Char('y')), CopyCode),
                (p(Enter), SignInRetry),
                (p(Char('R')), SignInRetry),
                (p(Esc), SignInCancel),
                (p(Char('q')), SignInQuit),
                // search view
                (p(Up), SearchUp),
                (p(Down), SearchDown),
                (p(KeyCode::PageUp), SearchPageUp),
                (p(KeyCode::PageDown), SearchPageDown),
                (p(Enter), SearchOpen),
                (p(Esc), SearchClose),
                // confirm
                (p(Char('y')), ConfirmYes),
                (p(Enter), ConfirmYes),
            ],
        }
    }
}

impl Keymap {
    /// The browse action bound to a key, if any.
    pub fn action_for(&self, key: &KeyEvent) -> Option<Action> {
        self.action_in(KeyMode::Browse, key)
    }

    /// The action of `mode` bound to a key, if any (no fall-through: see [`KeyMode::Detail`]).
    pub fn action_in(&self, mode: KeyMode, key: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(binding, action)| action.mode() == mode && binding.matches(key))
            .map(|&(_, action)| action)
    }

    /// Every key bound to `action`, in table order.
    pub fn keys(&self, action: Action) -> impl Iterator<Item = KeyBinding> + '_ {
        self.bindings
            .iter()
            .filter(move |(_, a)| *a == action)
            .map(|(b, _)| *b)
    }

    /// Help rows of one mode: each action once, with all its keys, in table order. Unbound
    /// actions are left out.
    pub fn help_rows(&self, mode: KeyMode) -> Vec<(String, &'static str)> {
        let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
        for (binding, action) in self.bindings.iter().filter(|(_, a)| a.mode() == mode) {
            match rows.iter_mut().find(|(a, _)| a == action) {
                Some((_, labels)) => labels.push(binding.label()),
                None => rows.push((*action, vec![binding.label()])),
            }
        }
        rows.into_iter()
            .map(|(action, labels)| (labels.join(" "), action.describe()))
            .collect()
    }

    /// Every line of the help overlay: a heading per mode, then its rows.
    pub fn help_lines(&self) -> Vec<HelpLine> {
        let mut lines = Vec::new();
        for mode in KeyMode::ALL {
            let rows = self.help_rows(mode);
            if rows.is_empty() {
                continue;
            }
            lines.push(HelpLine::Heading(mode.title()));
            lines.extend(rows.into_iter().map(|(k, d)| HelpLine::Row(k, d)));
        }
        lines
    }

    /// The first key bound to an action (`None` when unbound).
    pub fn first_key(&self, action: Action) -> Option<String> {
        self.keys(action).next().map(|b| b.label())
    }

    /// The key a hint shows for an action: the first one that is not an arrow (arrows always
    /// work, the letters are what people need reminding of), else the arrow; `None` when unbound.
    pub fn hint_key(&self, action: Action) -> Option<String> {
        self.keys(action)
            .find(|b| !b.is_arrow())
            .or_else(|| self.keys(action).next())
            .map(|b| b.label())
    }

    /// Whether `binding` is bound to `action` (for tests and docs).
    pub fn binds(&self, binding: KeyBinding, action: Action) -> bool {
        self.bindings.contains(&(binding, action))
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
        let cases = [
            (key(KeyCode::Char('j'), none), Some(Action::MoveDown)),
            (key(KeyCode::Down, none), Some(Action::MoveDown)),
            (key(KeyCode::Char('k'), none), Some(Action::MoveUp)),
            (key(KeyCode::F(2), none), Some(Action::Rename)),
            (key(KeyCode::F(5), none), Some(Action::Refresh)),
            (
                key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Some(Action::Last),
            ),
            (
                key(KeyCode::Char('R'), KeyModifiers::SHIFT),
                Some(Action::Refresh),
            ),
            (
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Some(Action::Quit),
            ),
            (key(KeyCode::Char('c'), none), Some(Action::CopyAnswer)),
            (key(KeyCode::Enter, none), Some(Action::FocusDetail)),
            (key(KeyCode::Tab, none), Some(Action::FocusDetail)),
            (
                key(KeyCode::BackTab, KeyModifiers::SHIFT),
                Some(Action::FocusList),
            ),
        ];
        for (event, want) in cases {
            assert_eq!(k.action_for(&event), want, "{event:?}");
        }
        let alt_enter = key(KeyCode::Enter, KeyModifiers::ALT);
        assert_eq!(
            k.action_in(KeyMode::Editor, &alt_enter),
            Some(Action::NewLine)
        );
        assert_eq!(
            k.action_in(KeyMode::Editor, &key(KeyCode::Enter, none)),
            Some(Action::Submit)
        );
        assert_eq!(
            k.action_in(KeyMode::Detail, &key(KeyCode::Char('j'), none)),
            Some(Action::ScrollDown)
        );
        assert_eq!(
            k.action_in(KeyMode::Detail, &key(KeyCode::Char('r'), none)),
            None
        );
    }

    #[test]
    fn help_lists_every_action_with_all_its_keys() {
        let k = Keymap::default();
        let rows = k.help_rows(KeyMode::Browse);
        assert!(rows.contains(&("r F2".to_string(), Action::Rename.describe())));
        assert!(rows.contains(&("q Ctrl-C".to_string(), Action::Quit.describe())));
        assert!(rows.contains(&("↓ j".to_string(), Action::MoveDown.describe())));
        for mode in KeyMode::ALL {
            let actions = Action::ALL.iter().filter(|a| a.mode() == mode).count();
            assert_eq!(k.help_rows(mode).len(), actions, "{mode:?}");
        }
    }

    #[test]
    fn hints_prefer_letters_and_labels_read_well() {
        let k = Keymap::default();
        assert_eq!(k.hint_key(Action::MoveDown).as_deref(), Some("j"));
        assert_eq!(k.hint_key(Action::FocusDetail).as_deref(), Some("Enter"));
        assert_eq!(k.hint_key(Action::NewLine).as_deref(), Some("Alt-Enter"));
        assert_eq!(
            k.hint_key(Action::ExternalEditor).as_deref(),
            Some("Ctrl-G")
        );
        assert_eq!(k.hint_key(Action::CursorLeft).as_deref(), Some("←"));
    }
}
