//! Links in answers, where they meet the system: whether the terminal draws OSC 8 hyperlinks,
//! and opening an address with the system's opener. Both are decided here, outside the app's
//! pure core, from an environment that tests can inject.

use std::ffi::OsString;
use std::process::{Command, Stdio};

/// Whether link text can be drawn as OSC 8 hyperlinks in this terminal: off inside tmux (it
/// passes them on only when configured to, which a program cannot see) and screen, and for
/// terminals not known to draw them; `FORCE_HYPERLINK=1`/`0` decides either way. Hand-written
/// rather than the `supports-hyperlinks` crate, which reads the outer terminal's variables
/// that tmux passes down and so says yes inside tmux.
pub fn hyperlinks_supported(var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    if let Some(force) = var("FORCE_HYPERLINK") {
        return !matches!(force.as_str(), "0" | "false" | "no" | "");
    }
    let term = var("TERM").unwrap_or_default();
    if set("TMUX") || term.starts_with("screen") || term.starts_with("tmux") || term == "dumb" {
        return false;
    }
    let program = var("TERM_PROGRAM").unwrap_or_default();
    let vte = var("VTE_VERSION")
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    matches!(
        program.as_str(),
        "iTerm.app" | "WezTerm" | "vscode" | "ghostty" | "Hyper" | "rio"
    ) || vte >= 5000
        || set("WT_SESSION")
        || set("KITTY_WINDOW_ID")
        || set("KONSOLE_VERSION")
        || set("DOMTERM")
        || ["kitty", "alacritty", "foot", "ghostty", "wezterm"]
            .iter()
            .any(|t| term.contains(t))
}

/// The system's opener and the arguments before the address.
fn opener() -> (&'static str, &'static [&'static str]) {
    if cfg!(target_os = "macos") {
        ("open", &[])
    } else if cfg!(windows) {
        ("explorer", &[])
    } else {
        ("xdg-open", &[])
    }
}

/// Environment variables the opener must not inherit: sctui's own, which can hold a token or a
/// client secret.
fn is_secret(name: &str) -> bool {
    crate::child_env::is_sctui_var(name)
}

/// Opens `url` with the system's opener and waits for it (blocking: run off the UI task). Its
/// output goes nowhere (the screen is the TUI's) and sctui's variables are not passed on.
pub fn open(url: &str) -> Result<(), String> {
    let (program, args) = opener();
    let mut command = opener_command(program, args, url, std::env::vars_os());
    match command.status() {
        Ok(status) if status.success() || cfg!(windows) => Ok(()),
        Ok(status) => Err(format!("{program} exited with {status}")),
        Err(e) => Err(format!("cannot run {program}: {e}")),
    }
}

/// The opener's command: the address as its last argument, no terminal streams, and the
/// environment `vars` without sctui's own.
fn opener_command(
    program: &str,
    args: &[&str],
    url: &str,
    vars: impl Iterator<Item = (OsString, OsString)>,
) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env_clear()
        .envs(vars.filter(|(name, _)| name.to_str().is_some_and(|n| !is_secret(n))));
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn hyperlinks_where_the_terminal_draws_them_and_never_in_tmux() {
        assert!(hyperlinks_supported(env(&[("TERM_PROGRAM", "WezTerm")])));
        assert!(hyperlinks_supported(env(&[("VTE_VERSION", "7200")])));
        assert!(hyperlinks_supported(env(&[("TERM", "xterm-kitty")])));
        assert!(!hyperlinks_supported(env(&[("TERM", "xterm-256color")])));
        assert!(!hyperlinks_supported(env(&[
            ("VTE_VERSION", "7200"),
            ("TMUX", "/tmp/tmux-0/default,1,0"),
        ])));
        assert!(!hyperlinks_supported(env(&[("TERM", "screen-256color")])));
        assert!(hyperlinks_supported(env(&[
            ("TMUX", "/tmp/x"),
            ("FORCE_HYPERLINK", "1")
        ])));
        assert!(!hyperlinks_supported(env(&[
            ("TERM_PROGRAM", "WezTerm"),
            ("FORCE_HYPERLINK", "0")
        ])));
    }

    #[test]
    fn sctui_variables_are_kept_from_the_opener() {
        let vars = [
            ("PATH", "/usr/bin"),
            ("DISPLAY", ":0"),
            ("SCTUI_ACCESS_TOKEN", "eyJ0eXAi.secret"),
            ("SCTUI_CLIENT_SECRET", "s3cret"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let command = opener_command("xdg-open", &[], "https://e.example/", vars.into_iter());
        let passed: Vec<String> = command
            .get_envs()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(passed, ["DISPLAY", "PATH"]);
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, ["https://e.example/"]);
    }
}
