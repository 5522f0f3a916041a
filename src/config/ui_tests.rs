//! `[keys]`, `[theme]`, `mouse` and `[profiles]` through `Config::load`, as a user's file would.

use std::path::PathBuf;

use ratatui::style::Color;
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};

use super::{Config, Overrides};
use crate::tui::app::Action;
use sctui_app::theme::Theme;

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn load_with(
    text: &str,
    overrides: Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, text);
    Config::load(
        &Overrides {
            config_path: Some(path),
            ..overrides
        },
        env,
    )
    .map_err(|e| e.to_string())
}

fn load(text: &str) -> Result<Config, String> {
    load_with(text, Overrides::default(), &|_| None)
}

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn keys_table_rebinds_and_reports_conflicts_with_file_and_line() {
    let text = "workspace = \"w\"\n\n[keys]\nrename = [\"F2\", \"Ctrl-R\"]\nsort = \"j\"\nquit = [\"q\", \"Ctrl-C\"]\n";
    let c = load(text).unwrap();
    let map = &c.keymap;
    assert_eq!(map.action_for(&press(KeyCode::F(2))), Some(Action::Rename));
    assert_eq!(map.action_for(&press(KeyCode::Char('r'))), None);
    assert_eq!(
        map.action_for(&press(KeyCode::Char('j'))),
        Some(Action::Sort)
    );
    assert_eq!(
        map.action_for(&press(KeyCode::Down)),
        Some(Action::MoveDown)
    );
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    let warning = &c.warnings[0];
    assert!(warning.contains("config.toml"), "{warning}");
    assert!(warning.contains("line 5"), "{warning}");
    assert!(
        warning.contains("sort") && warning.contains("move_down"),
        "{warning}"
    );
}

#[test]
fn keys_table_errors_name_file_line_and_key() {
    let e = load("[keys]\nrename = \"r\"\nrenam = \"x\"\n").unwrap_err();
    assert!(
        e.contains("config.toml") && e.contains("line 3") && e.contains("renam"),
        "{e}"
    );
    let e = load("[keys]\n\nrename = [\"r\", \"Hyper-r\"]\n").unwrap_err();
    assert!(e.contains("line 3") && e.contains("Hyper-r"), "{e}");
    let e = load("[keys]\npreset = \"emacs\"\n").unwrap_err();
    assert!(e.contains("line 2") && e.contains("emacs"), "{e}");
    let e = load("[keys]\nrename = 5\n").unwrap_err();
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn arrows_preset_from_the_file() {
    let c = load("[keys]\npreset = \"arrows\"\n").unwrap();
    assert_eq!(c.keymap.action_for(&press(KeyCode::Char('j'))), None);
    assert_eq!(
        c.keymap.action_for(&press(KeyCode::Up)),
        Some(Action::MoveUp)
    );
    let c = load("").unwrap();
    assert_eq!(
        c.keymap.action_for(&press(KeyCode::Char('j'))),
        Some(Action::MoveDown)
    );
}

#[test]
fn theme_table_picks_a_theme_and_overrides_roles() {
    assert_eq!(load("").unwrap().theme, Theme::dark());
    assert_eq!(
        load("[theme]\nname = \"light\"\n").unwrap().theme,
        Theme::light()
    );
    let c = load(
        "[theme]\nname = \"dark\"\nselected_bg = \"#005f87\"\nselected_fg = \"white\"\nerror = \"lightred\"\nheader_bg = \"24\"\n",
    )
    .unwrap();
    assert_eq!(c.theme.selected.bg, Some(Color::Rgb(0, 0x5f, 0x87)));
    assert_eq!(c.theme.selected.fg, Some(Color::White));
    assert_eq!(c.theme.error.fg, Some(Color::LightRed));
    assert_eq!(c.theme.header.bg, Some(Color::Indexed(24)));
    assert_eq!(c.theme.border, Theme::dark().border);
}

#[test]
fn theme_errors_name_the_line() {
    let e = load("[theme]\nname = \"solarized\"\n").unwrap_err();
    assert!(e.contains("line 2") && e.contains("solarized"), "{e}");
    let e = load("[theme]\n\nselected_bg = \"blurple\"\n").unwrap_err();
    assert!(e.contains("line 3") && e.contains("blurple"), "{e}");
    let e = load("[theme]\nselection_bg = \"red\"\n").unwrap_err();
    assert!(e.contains("line 2") && e.contains("selection_bg"), "{e}");
}

#[test]
fn no_color_wins_over_any_theme() {
    let env = |k: &str| (k == "NO_COLOR").then(|| "1".to_string());
    let c = load_with(
        "[theme]\nname = \"light\"\nselected_bg = \"red\"\n",
        Overrides::default(),
        &env,
    )
    .unwrap();
    assert_eq!(c.theme, Theme::no_color());
    // an empty NO_COLOR does not count (no-color.org)
    let env = |k: &str| (k == "NO_COLOR").then(String::new);
    let c = load_with("", Overrides::default(), &env).unwrap();
    assert_eq!(c.theme, Theme::dark());
}

#[test]
fn mouse_is_on_unless_the_file_or_the_flag_says_no() {
    assert!(load("").unwrap().mouse);
    assert!(!load("mouse = false\n").unwrap().mouse);
    let flag = Overrides {
        no_mouse: true,
        ..Default::default()
    };
    assert!(!load_with("mouse = true\n", flag, &|_| None).unwrap().mouse);
}

const PROFILES: &str = "\
graph_url = \"https://graph.microsoft.com/beta\"
workspace = \"top\"

[auth]
tenant = \"organizations\"

[profiles.contoso]
tenant = \"contoso.onmicrosoft.com\"
client_id = \"c-contoso\"
workspace = \"contoso-ws\"

[profiles.lab]
graph_url = \"http://127.0.0.1:9/beta\"
";

#[test]
fn profiles_are_selected_by_flag_or_env() {
    let c = load(PROFILES).unwrap();
    assert_eq!(c.profile, None);
    assert_eq!(c.workspace, "top");
    assert_eq!(c.auth.tenant, "organizations");

    let flag = Overrides {
        profile: Some("contoso".into()),
        ..Default::default()
    };
    let c = load_with(PROFILES, flag, &|_| None).unwrap();
    assert_eq!(c.profile.as_deref(), Some("contoso"));
    assert_eq!(c.workspace, "contoso-ws");
    assert_eq!(c.auth.tenant, "contoso.onmicrosoft.com");
    assert_eq!(c.auth.client_id, "c-contoso");
    assert_eq!(c.graph_url, "https://graph.microsoft.com/beta");

    let env = |k: &str| match k {
        "SCTUI_PROFILE" => Some("lab".to_string()),
        _ => None,
    };
    let c = load_with(PROFILES, Overrides::default(), &env).unwrap();
    assert_eq!(c.profile.as_deref(), Some("lab"));
    assert_eq!(c.graph_url, "http://127.0.0.1:9/beta");
    assert_eq!(c.workspace, "top");

    // flags and environment still beat the profile
    let both = Overrides {
        profile: Some("contoso".into()),
        workspace: Some("flag-ws".into()),
        ..Default::default()
    };
    let c = load_with(PROFILES, both, &|_| None).unwrap();
    assert_eq!(c.workspace, "flag-ws");
}

#[test]
fn unknown_profile_lists_the_known_ones() {
    let flag = Overrides {
        profile: Some("fabrikam".into()),
        ..Default::default()
    };
    let e = load_with(PROFILES, flag.clone(), &|_| None).unwrap_err();
    assert!(e.contains("fabrikam"), "{e}");
    assert!(e.contains("contoso, lab"), "{e}");
    let e = load_with("", flag, &|_| None).unwrap_err();
    assert!(e.contains("no [profiles.NAME]"), "{e}");
    let e = load("[profiles.x]\ntenant = \"t\"\nworkspaces = \"w\"\n").unwrap_err();
    assert!(e.contains("line 3") && e.contains("workspaces"), "{e}");
}

#[test]
fn workspace_memory_is_per_profile() {
    let a = super::workspace_memory_key(false, "https://graph.microsoft.com/beta", None);
    let b = super::workspace_memory_key(false, "https://graph.microsoft.com/beta", Some("lab"));
    assert_ne!(a, b);
    assert_eq!(super::workspace_memory_key(true, "http://x", None), "demo");
}
