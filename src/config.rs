//! Settings from the config file, the environment and flags, merged once at start into one
//! [`Config`]. Precedence: flags, then environment, then file, then defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use sctui_graph::client::DEFAULT_GRAPH_URL;

mod profiles;
mod theme;

pub use profiles::Profile;
pub use theme::ROLES as THEME_ROLES;

/// Where config and state live, per the platform's conventions (XDG on Linux); shared with the
/// token cache so both agree.
pub use sctui_graph::auth::cache::project_dirs;

/// The default config file path, e.g. `~/.config/sctui/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// Where the last workspace picked with `w` is kept (a state file, not config).
pub fn remembered_workspace_path() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.cache_dir());
    Some(dir.join("workspace"))
}

pub use crate::tui::app::output::workspace_memory_key;

/// The workspace picked last time against `target` (a Graph URL, or `demo`), if any.
pub fn remembered_workspace(target: &str) -> Option<String> {
    let text = std::fs::read_to_string(remembered_workspace_path()?).ok()?;
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .find(|(t, _)| *t == target)
        .map(|(_, id)| id.trim().to_string())
        .filter(|id| !id.is_empty())
}

/// Remembers the workspace picked against `target` for the next start; failing to write is
/// not worth an error.
pub fn remember_workspace(target: &str, id: &str) {
    let Some(path) = remembered_workspace_path() else {
        return;
    };
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines: Vec<String> = old
        .lines()
        .filter(|l| l.split_once('\t').is_some_and(|(t, _)| t != target))
        .map(str::to_string)
        .collect();
    lines.push(format!("{target}\t{id}"));
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, lines.join("\n") + "\n");
}

/// Where the export format last chosen in the TUI is remembered (beside the workspace).
fn remembered_export_format_path() -> Option<PathBuf> {
    remembered_workspace_path().map(|path| path.with_file_name("export-format"))
}

/// The export format chosen last in the TUI (its extension: `md`, `html`, `json`), if any.
pub fn remembered_export_format() -> Option<crate::export::Format> {
    let text = std::fs::read_to_string(remembered_export_format_path()?).ok()?;
    crate::tui::app::state::EXPORT_FORMATS
        .into_iter()
        .find(|format| format.extension() == text.trim())
}

/// Remembers the export format chosen in the TUI for the next start; failing to write is not
/// worth an error.
pub fn remember_export_format(format: crate::export::Format) {
    let Some(path) = remembered_export_format_path() else {
        return;
    };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let _ = std::fs::write(path, format!("{}\n", format.extension()));
}

/// The config file as written: every key optional, unknown keys refused (typos get caught).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    graph_url: Option<String>,
    workspace: Option<toml::Spanned<String>>,
    page_size: Option<toml::Spanned<u32>>,
    bulk_page_size: Option<toml::Spanned<u32>>,
    max_retries: Option<toml::Spanned<u32>>,
    connect_timeout: Option<toml::Spanned<f64>>,
    request_timeout: Option<toml::Spanned<f64>>,
    ask_timeout: Option<toml::Spanned<f64>>,
    max_body_mb: Option<toml::Spanned<u32>>,
    allow_hosts: Option<Vec<String>>,
    auth: Option<sctui_graph::auth::settings::AuthTable>,
    mouse: Option<bool>,
    keys: Option<sctui_app::keys::KeysTable>,
    theme: Option<theme::ThemeTable>,
    profiles: Option<std::collections::BTreeMap<String, Profile>>,
    store: Option<StoreTable>,
    /// The file's text, so spans in `keys` and `theme` can be turned into line numbers.
    #[serde(skip)]
    text: String,
}

/// `[store]`: the local database of sessions, questions and answers.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreTable {
    enabled: Option<bool>,
    sync_concurrency: Option<usize>,
    search_timeout: Option<toml::Spanned<f64>>,
    cli_search_timeout: Option<toml::Spanned<f64>>,
}

/// What flags said; `None` means "not given".
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_path: Option<PathBuf>,
    pub graph_url: Option<String>,
    pub workspace: Option<String>,
    pub page_size: Option<u32>,
    /// `--authority-host`.
    pub authority_host: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--no-mouse`.
    pub no_mouse: bool,
    /// `--no-store`.
    pub no_store: bool,
    /// `--allow-host` (added to the file's `allow_hosts`).
    pub allow_hosts: Vec<String>,
}

/// The merged settings the program runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub graph_url: String,
    pub workspace: String,
    pub page_size: u32,
    /// `$top` of reads that want everything (`sessions list --all`, sync, the TUI loading all).
    pub bulk_page_size: u32,
    pub max_retries: u32,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// How long an answer is followed before giving up (the evaluation keeps running).
    pub ask_timeout: Duration,
    /// The most bytes one Graph answer may have (`max_body_mb`, default 8).
    pub max_body_bytes: usize,
    /// Hosts besides Microsoft Graph's that may receive the token (`allow_hosts`, `--allow-host`).
    pub allow_hosts: Vec<String>,
    /// The `[auth]` table merged with `SCTUI_AUTHORITY_HOST` and `--authority-host`.
    pub auth: sctui_graph::auth::AuthConfig,
    /// The file that was read, if any (shown in help and errors).
    pub loaded_from: Option<PathBuf>,
    /// Keys for browsing: a preset with the `[keys]` entries applied.
    pub keymap: sctui_app::keys::Keymap,
    /// `[theme]`, or no colours at all when `NO_COLOR` is set.
    pub theme: sctui_app::theme::Theme,
    /// Whether the TUI captures the mouse (`mouse = false` or `--no-mouse` turn it off).
    pub mouse: bool,
    /// The `[profiles.NAME]` in force (`--profile`, `SCTUI_PROFILE`).
    pub profile: Option<String>,
    /// Whether sessions, questions and answers are kept in the local store (`[store] enabled`,
    /// off with `--no-store`).
    pub store_enabled: bool,
    /// Requests in flight at once during a sync (`[store] sync_concurrency`, 1 to 32).
    pub sync_concurrency: usize,
    /// The most time one search may take in the TUI, per keystroke (`[store] search_timeout`).
    pub search_timeout: Duration,
    /// The most time `sctui search` may take (`[store] cli_search_timeout`, `--timeout`).
    pub cli_search_timeout: Duration,
    /// Problems worth a warning but not a refusal (conflicting keys), each naming file and line.
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            graph_url: DEFAULT_GRAPH_URL.to_string(),
            workspace: "default".to_string(),
            page_size: 100,
            bulk_page_size: sctui_graph::client::DEFAULT_BULK_PAGE_SIZE,
            max_retries: 3,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            ask_timeout: Duration::from_secs(300),
            max_body_bytes: sctui_graph::transport::DEFAULT_MAX_BODY,
            allow_hosts: Vec::new(),
            auth: sctui_graph::auth::AuthConfig::default(),
            loaded_from: None,
            keymap: sctui_app::keys::Keymap::default(),
            theme: sctui_app::theme::Theme::default(),
            mouse: true,
            profile: None,
            store_enabled: true,
            sync_concurrency: crate::store::sync::DEFAULT_CONCURRENCY,
            search_timeout: crate::store::DEFAULT_TUI_SEARCH_TIME,
            cli_search_timeout: sctui_store::DEFAULT_SEARCH_TIME,
            warnings: Vec::new(),
        }
    }
}

/// A config problem, phrased with the file, line and key so it can be fixed at once.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}, line {line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{origin}: {key} {message}")]
    Invalid {
        origin: String,
        key: &'static str,
        message: String,
    },
}

impl Config {
    /// Loads and merges everything. `env` looks up environment variables (injectable for tests).
    pub fn load(
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let explicit = overrides.config_path.clone().or_else(|| {
            env("SCTUI_CONFIG")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        });
        let (file, loaded_from) = match &explicit {
            Some(path) => (read_file(path)?, Some(path.clone())),
            None => match default_config_path() {
                Some(path) if path.exists() => (read_file(&path)?, Some(path)),
                _ => (FileConfig::default(), None),
            },
        };
        let origin = loaded_from
            .as_ref()
            .map(|p| format!("config file {}", p.display()))
            .unwrap_or_else(|| "config".to_string());
        let defaults = Config::default();
        let env_nonempty = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let at_line = |(line, message): (usize, String)| ConfigError::Parse {
            path: loaded_from.clone().unwrap_or_default(),
            line,
            message,
        };
        let (keymap, conflicts) =
            sctui_app::keys::resolve(file.keys.as_ref(), &|o| line_at(&file.text, o))
                .map_err(at_line)?;
        let warnings = conflicts.iter().map(|c| format!("{origin}, {c}")).collect();
        // NO_COLOR: any non-empty value turns colour off (no-color.org)
        let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
        let theme = theme::resolve(file.theme.as_ref(), &file.text, no_color).map_err(at_line)?;
        let profile_name = overrides
            .profile
            .clone()
            .or_else(|| env_nonempty("SCTUI_PROFILE"));
        let profile = match &profile_name {
            Some(name) => profiles::select(file.profiles.as_ref(), name).map_err(|message| {
                ConfigError::Invalid {
                    origin: origin.clone(),
                    key: "profile",
                    message,
                }
            })?,
            None => Profile::default(),
        };

        // A bad value from the file names its line; one from a flag or the environment does not
        // have one.
        let text = &file.text;
        let invalid =
            |key: &'static str, span: Option<std::ops::Range<usize>>, message: String| match (
                &loaded_from,
                span,
            ) {
                (Some(path), Some(span)) => ConfigError::Parse {
                    path: path.clone(),
                    line: line_at(text, span.start),
                    message: format!("{key} {message}"),
                },
                _ => ConfigError::Invalid {
                    origin: origin.clone(),
                    key,
                    message,
                },
            };
        let span_of = |v: &Option<toml::Spanned<u32>>| v.as_ref().map(toml::Spanned::span);
        let (page_size, page_span) = match (overrides.page_size, &file.page_size) {
            (Some(flag), _) => (flag, None),
            (None, Some(v)) => (*v.get_ref(), span_of(&file.page_size)),
            (None, None) => (defaults.page_size, None),
        };
        if !(1..=1000).contains(&page_size) {
            return Err(invalid(
                "page_size",
                page_span,
                format!("must be between 1 and 1000, not {page_size}"),
            ));
        }
        let bulk_page_size = file
            .bulk_page_size
            .as_ref()
            .map_or(defaults.bulk_page_size, |v| *v.get_ref());
        if !(1..=1000).contains(&bulk_page_size) {
            return Err(invalid(
                "bulk_page_size",
                span_of(&file.bulk_page_size),
                format!("must be between 1 and 1000, not {bulk_page_size}"),
            ));
        }
        let max_retries = file
            .max_retries
            .as_ref()
            .map_or(defaults.max_retries, |v| *v.get_ref());
        if max_retries > sctui_graph::retry::MAX_RETRIES_CAP {
            return Err(invalid(
                "max_retries",
                span_of(&file.max_retries),
                format!(
                    "must be at most {}, not {max_retries}",
                    sctui_graph::retry::MAX_RETRIES_CAP
                ),
            ));
        }
        let seconds =
            |key: &'static str, v: &Option<toml::Spanned<f64>>, d: Duration, max: f64| match v {
                None => Ok(d),
                Some(s) if s.get_ref().is_finite() && *s.get_ref() > 0.0 && *s.get_ref() <= max => {
                    Ok(Duration::from_secs_f64(*s.get_ref()))
                }
                Some(s) => Err(invalid(
                    key,
                    Some(s.span()),
                    format!(
                        "must be a number of seconds between 0 and {max}, not {}",
                        s.get_ref()
                    ),
                )),
            };
        let connect_timeout = seconds(
            "connect_timeout",
            &file.connect_timeout,
            defaults.connect_timeout,
            3600.0,
        )?;
        let request_timeout = seconds(
            "request_timeout",
            &file.request_timeout,
            defaults.request_timeout,
            3600.0,
        )?;
        let ask_timeout = seconds(
            "ask_timeout",
            &file.ask_timeout,
            defaults.ask_timeout,
            86_400.0,
        )?;
        let store = file.store.unwrap_or_default();
        let search_timeout = seconds(
            "store.search_timeout",
            &store.search_timeout,
            defaults.search_timeout,
            3600.0,
        )?;
        let cli_search_timeout = seconds(
            "store.cli_search_timeout",
            &store.cli_search_timeout,
            defaults.cli_search_timeout,
            3600.0,
        )?;
        let sync_concurrency = store.sync_concurrency.unwrap_or(defaults.sync_concurrency);
        if !(1..=32).contains(&sync_concurrency) {
            return Err(ConfigError::Invalid {
                origin,
                key: "store.sync_concurrency",
                message: format!("must be between 1 and 32, not {sync_concurrency}"),
            });
        }
        let max_body_bytes = match &file.max_body_mb {
            None => defaults.max_body_bytes,
            Some(mb) if (1..=1024).contains(mb.get_ref()) => *mb.get_ref() as usize * 1024 * 1024,
            Some(mb) => {
                return Err(invalid(
                    "max_body_mb",
                    Some(mb.span()),
                    format!("must be between 1 and 1024 (MiB), not {}", mb.get_ref()),
                ));
            }
        };
        let mut allow_hosts = file.allow_hosts.clone().unwrap_or_default();
        allow_hosts.extend(overrides.allow_hosts.iter().cloned());
        let file_workspace_span = file.workspace.as_ref().map(toml::Spanned::span);
        let (workspace, workspace_span) = match overrides
            .workspace
            .clone()
            .or_else(|| env_nonempty("SCTUI_WORKSPACE"))
            .or(profile.workspace)
        {
            Some(w) => (w, None),
            None => match file.workspace.clone() {
                Some(w) => (w.into_inner(), file_workspace_span),
                None => (defaults.workspace, None),
            },
        };
        if workspace.trim().is_empty() {
            return Err(invalid(
                "workspace",
                workspace_span,
                "must not be empty".into(),
            ));
        }
        Ok(Self {
            graph_url: overrides
                .graph_url
                .clone()
                .or_else(|| env_nonempty("SCTUI_GRAPH_URL"))
                .or(profile.graph_url)
                .or(file.graph_url)
                .unwrap_or(defaults.graph_url),
            workspace,
            page_size,
            bulk_page_size,
            max_retries,
            connect_timeout,
            request_timeout,
            ask_timeout,
            max_body_bytes,
            allow_hosts,
            auth: profiles::apply_auth(
                sctui_graph::auth::AuthConfig::resolve(
                    file.auth,
                    overrides.authority_host.clone(),
                    env,
                ),
                profile.tenant,
                profile.client_id,
            ),
            loaded_from,
            keymap,
            theme,
            mouse: !overrides.no_mouse && file.mouse.unwrap_or(true),
            profile: profile_name,
            store_enabled: !overrides.no_store && store.enabled.unwrap_or(true),
            sync_concurrency,
            search_timeout,
            cli_search_timeout,
            warnings,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.bytes()
        .take(offset.min(text.len()))
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    let parsed: Result<FileConfig, _> = toml::from_str(text);
    parsed
        .map(|file| FileConfig {
            text: text.to_string(),
            ..file
        })
        .map_err(|e| {
            let line = e.span().map(|span| line_at(text, span.start)).unwrap_or(1);
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                message: e.message().to_string(),
            }
        })
}

#[cfg(test)]
mod auth_tests;
#[cfg(test)]
mod ui_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir,
            "graph_url = \"https://file.example/beta\"\nworkspace = \"file-ws\"\npage_size = 50\n",
        );
        let env = |k: &str| match k {
            "SCTUI_WORKSPACE" => Some("env-ws".to_string()),
            "SCTUI_GRAPH_URL" => Some("https://env.example/beta".to_string()),
            _ => None,
        };
        let mut o = Overrides {
            config_path: Some(path),
            ..Default::default()
        };
        let c = Config::load(&o, &env).unwrap();
        assert_eq!(c.workspace, "env-ws");
        assert_eq!(c.graph_url, "https://env.example/beta");
        assert_eq!(c.page_size, 50);
        o.workspace = Some("flag-ws".into());
        o.graph_url = Some("https://flag.example/beta".into());
        let c = Config::load(&o, &env).unwrap();
        assert_eq!(c.workspace, "flag-ws");
        assert_eq!(c.graph_url, "https://flag.example/beta");
        let c = Config::load(
            &Overrides {
                config_path: o.config_path.clone(),
                ..Default::default()
            },
            &no_env,
        )
        .unwrap();
        assert_eq!(c.workspace, "file-ws");
    }

    #[test]
    fn broken_file_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(&dir, "workspace = \"x\"\n\npagesize = 5\n");
        let err = Config::load(
            &Overrides {
                config_path: Some(path.clone()),
                ..Default::default()
            },
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("pagesize"), "{err}");

        let path = write(&dir, "page_size = \"big\"\n");
        let err = Config::load(
            &Overrides {
                config_path: Some(path),
                ..Default::default()
            },
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn out_of_range_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let load = |text: &str| {
            let overrides = Overrides {
                config_path: Some(write(&dir, text)),
                ..Default::default()
            };
            Config::load(&overrides, &no_env)
        };
        let config = load("bulk_page_size = 250\n").unwrap();
        assert_eq!((config.page_size, config.bulk_page_size), (100, 250));
        // A bad value names the file, its line and the key.
        let path = dir.path().join("config.toml");
        for (text, key, line) in [
            ("page_size = 5000\n", "page_size", 1),
            ("bulk_page_size = 0\n", "bulk_page_size", 1),
            ("workspace = \"w\"\n\npage_size = 0\n", "page_size", 3),
            ("# retries\nmax_retries = 99\n", "max_retries", 2),
            ("connect_timeout = -1\n", "connect_timeout", 1),
            (
                "request_timeout = 5\nask_timeout = 100000\n",
                "ask_timeout",
                2,
            ),
            ("page_size = 10\nworkspace = \"\"\n", "workspace", 2),
        ] {
            let err = load(text).unwrap_err().to_string();
            let want = format!("config file {}, line {line}: {key} ", path.display());
            assert!(err.starts_with(&want), "{text:?}: {err}");
        }
    }

    #[test]
    fn missing_explicit_file_is_an_error_but_defaults_work_without_one() {
        let err = Config::load(
            &Overrides {
                config_path: Some("/nonexistent/sctui.toml".into()),
                ..Default::default()
            },
            &no_env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/sctui.toml"));
    }

    #[test]
    fn example_config_parses_and_documents_every_key() {
        let text = include_str!("../config.example.toml");
        let uncommented: String = text
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.contains(" = ") || (r.starts_with('[') && r.ends_with(']')))
                    .unwrap_or(l)
            })
            .collect::<Vec<_>>()
            .join("\n");
        parse(&uncommented, Path::new("config.example.toml")).unwrap();
        for key in [
            "graph_url",
            "workspace",
            "page_size",
            "bulk_page_size",
            "max_body_mb",
            "allow_hosts",
            "max_retries",
            "connect_timeout",
            "request_timeout",
            "[auth]",
            "method",
            "tenant",
            "client_id",
            "authority_host",
            "mouse",
            "[keys]",
            "preset",
            "[theme]",
            "name",
            "[profiles.",
            "[store]",
            "enabled",
            "sync_concurrency",
            "search_timeout",
            "cli_search_timeout",
        ] {
            assert!(text.contains(key), "config.example.toml lacks {key}");
        }
        for mode in sctui_app::keys::KeyMode::ALL.into_iter().skip(1) {
            let table = format!("# [keys.{}]", mode.table());
            assert!(text.contains(&table), "config.example.toml lacks {table}");
        }
        for action in sctui_app::keys::Action::ALL {
            let key = format!("# {} = ", action.name());
            assert!(text.contains(&key), "config.example.toml lacks {key}");
        }
        for role in THEME_ROLES {
            assert!(
                text.contains(role),
                "config.example.toml lacks the role {role}"
            );
        }
        // the documented keys are the vim preset, without clashes
        let file = parse(&uncommented, Path::new("config.example.toml")).unwrap();
        let (keymap, conflicts) =
            sctui_app::keys::resolve(file.keys.as_ref(), &|o| line_at(&file.text, o)).unwrap();
        assert_eq!(conflicts, Vec::new());
        assert_eq!(keymap, sctui_app::keys::Keymap::default());
        theme::resolve(file.theme.as_ref(), &file.text, false).unwrap();
        assert!(file.profiles.is_some_and(|p| p.contains_key("contoso")));
    }
}
