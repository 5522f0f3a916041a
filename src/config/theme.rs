//! `[theme]` as written in the config file: a built-in theme by name plus per-role colours,
//! e.g. `selected_bg = "#005f87"` or `error = "lightred"` (a role alone sets its foreground).

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Style};
use toml::Spanned;

use sctui_app::theme::Theme;

/// The `[theme]` table: `name` plus colour overrides, every value a string.
pub(super) type ThemeTable = BTreeMap<String, Spanned<String>>;

/// The roles a colour can be set for, as named in the config file.
pub const ROLES: [&str; 13] = [
    "header",
    "border",
    "border_focused",
    "selected",
    "dim",
    "pending",
    "title",
    "label",
    "error",
    "warning",
    "info",
    "key",
    "popup",
];

fn role_mut<'a>(theme: &'a mut Theme, role: &str) -> Option<&'a mut Style> {
    Some(match role {
        "header" => &mut theme.header,
        "border" => &mut theme.border,
        "border_focused" => &mut theme.border_focused,
        "selected" => &mut theme.selected,
        "dim" => &mut theme.dim,
        "pending" => &mut theme.pending,
        "title" => &mut theme.title,
        "label" => &mut theme.label,
        "error" => &mut theme.error,
        "warning" => &mut theme.warning,
        "info" => &mut theme.info,
        "key" => &mut theme.key,
        "popup" => &mut theme.popup,
        _ => return None,
    })
}

/// The theme the table asks for. `no_color` (`NO_COLOR` set) wins over everything: not one
/// colour escape is drawn then. Errors are `(line, message)`.
pub(super) fn resolve(
    table: Option<&ThemeTable>,
    text: &str,
    no_color: bool,
) -> Result<Theme, (usize, String)> {
    let empty = ThemeTable::new();
    let table = table.unwrap_or(&empty);
    let line = |value: &Spanned<String>| super::line_at(text, value.span().start);
    let mut theme = match table.get("name") {
        None => Theme::dark(),
        Some(name) => match name.get_ref().as_str() {
            "dark" => Theme::dark(),
            "light" => Theme::light(),
            other => {
                return Err((
                    line(name),
                    format!("[theme] name must be \"dark\" or \"light\", not \"{other}\""),
                ));
            }
        },
    };
    for (key, value) in table.iter().filter(|(k, _)| *k != "name") {
        let (role, background) = match key.strip_suffix("_bg") {
            Some(role) => (role, true),
            None => (key.strip_suffix("_fg").unwrap_or(key), false),
        };
        let Some(style) = role_mut(&mut theme, role) else {
            return Err((
                line(value),
                format!(
                    "unknown [theme] key `{key}`; use name, or ROLE, ROLE_fg or ROLE_bg for a \
                     role of: {}",
                    ROLES.join(", ")
                ),
            ));
        };
        let color = Color::from_str(value.get_ref()).map_err(|_| {
            (
                line(value),
                format!(
                    "[theme] {key}: `{}` is not a colour; use a name such as \"cyan\" or \
                     \"lightblue\", \"#rrggbb\", or 0..255",
                    value.get_ref()
                ),
            )
        })?;
        *style = if background {
            style.bg(color)
        } else {
            style.fg(color)
        };
    }
    Ok(if no_color { Theme::no_color() } else { theme })
}
