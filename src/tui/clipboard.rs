//! Copying text: a local clipboard program when there is one and the session is not remote (the
//! only path whose success is known), else OSC 52, which the terminal itself handles (over SSH
//! too; tmux accepts and forwards it with `set-clipboard on`). The tmux passthrough wrapping is
//! only a fallback, for a tmux whose `set-clipboard` is not `on` but `allow-passthrough` is. The
//! outcome says which path was taken, so the status line never claims more than is known.
//!
//! A copy comes in two parts: [`plan`] runs the programs and asks tmux (blocking: the runtime
//! runs it on a blocking thread), [`finish`] writes the escape sequence to the terminal (on the
//! UI task, which owns the terminal, between frames).

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine;

pub use crate::tui::app::output::Copied;

/// What the copy path depends on, read once from the environment (injectable for tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `TMUX` is set.
    pub tmux: bool,
    /// `SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` is set: a local program would copy on the
    /// wrong machine.
    pub remote: bool,
    /// `WAYLAND_DISPLAY` is set.
    pub wayland: bool,
    /// `DISPLAY` is set.
    pub x11: bool,
    /// Running on macOS.
    pub macos: bool,
    /// Where the clipboard programs are looked for instead of this process's `PATH` (tests).
    pub path: Option<std::ffi::OsString>,
}

impl Environment {
    /// The environment of this process.
    pub fn current() -> Self {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        Self {
            tmux: set("TMUX"),
            remote: set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY"),
            wayland: set("WAYLAND_DISPLAY"),
            x11: set("DISPLAY"),
            macos: cfg!(target_os = "macos"),
            path: None,
        }
    }

    /// Local clipboard programs worth trying, best first, each with its arguments.
    pub fn programs(&self) -> Vec<(&'static str, &'static [&'static str])> {
        let mut programs: Vec<(&'static str, &'static [&'static str])> = Vec::new();
        if self.remote {
            return programs;
        }
        if self.macos {
            programs.push(("pbcopy", &[]));
        }
        if self.wayland {
            programs.push(("wl-copy", &[]));
        }
        if self.x11 {
            programs.push(("xclip", &["-selection", "clipboard"]));
            programs.push(("xsel", &["--clipboard", "--input"]));
        }
        programs
    }
}

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

/// The OSC 52 sequence wrapped in tmux's DCS passthrough (reaches the outer terminal only with
/// `allow-passthrough on`).
pub fn osc52_passthrough(text: &str) -> String {
    format!("\x1bPtmux;\x1b{}\x1b\\", osc52(text))
}

/// tmux's answer to `show-options -gv NAME`, if tmux answers.
fn tmux_option(name: &str) -> Option<String> {
    let out = Command::new("tmux")
        .args(["show-options", "-gv", name])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What to write to the terminal inside tmux, given its `set-clipboard` and
/// `allow-passthrough` settings (`None`: tmux did not say). Only `set-clipboard on` makes tmux
/// accept OSC 52 from a program (and forward it); `external` (the default) and `off` ignore it,
/// so the passthrough is the fallback, when allowed.
pub fn tmux_plan(set_clipboard: Option<&str>, allow_passthrough: Option<&str>) -> Copied {
    match (set_clipboard, allow_passthrough) {
        (Some("on") | None, _) => Copied::Osc52 { tmux: true },
        (_, Some("on" | "all")) => Copied::Passthrough,
        _ => Copied::TmuxDrops,
    }
}

/// Runs one clipboard program with `text` on its stdin (found in `path` when given, else in
/// `PATH`); `true` when it exited successfully.
fn run_program(program: &str, args: &[&str], text: &str, path: Option<&std::ffi::OsStr>) -> bool {
    let mut command = Command::new(program);
    if let Some(path) = path {
        // std looks the program up in the child's PATH when it is set
        command.env("PATH", path);
    }
    let child = crate::child_env::scrubbed(&mut command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take()
        && stdin.write_all(text.as_bytes()).is_err()
    {
        let _ = child.kill();
        let _ = child.wait();
        return false;
    }
    child.wait().is_ok_and(|s| s.success())
}

/// How a copy goes on once its blocking part is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A clipboard program took the text.
    Done(Copied),
    /// `sequence` is to be written to the terminal; `copied` is what that achieves.
    Write { sequence: String, copied: Copied },
}

/// The blocking part of copying `text`: each local clipboard program in turn, then (inside tmux)
/// tmux's options for OSC 52. Never writes to the terminal.
pub fn plan(text: &str, env: &Environment) -> Plan {
    for (program, args) in env.programs() {
        if run_program(program, args, text, env.path.as_deref()) {
            return Plan::Done(Copied::Program(program));
        }
    }
    let copied = if env.tmux {
        tmux_plan(
            tmux_option("set-clipboard").as_deref(),
            tmux_option("allow-passthrough").as_deref(),
        )
    } else {
        Copied::Osc52 { tmux: false }
    };
    let sequence = match copied {
        Copied::Passthrough => osc52_passthrough(text),
        _ => osc52(text),
    };
    Plan::Write { sequence, copied }
}

/// Carries out `plan` on `out` (the terminal): writes its escape sequence, if it has one.
pub fn finish(out: &mut impl Write, plan: Plan) -> Copied {
    match plan {
        Plan::Done(copied) => copied,
        Plan::Write { sequence, copied } => match out
            .write_all(sequence.as_bytes())
            .and_then(|()| out.flush())
        {
            Ok(()) => copied,
            Err(e) => Copied::Failed(e.to_string()),
        },
    }
}

/// For tests: an X11 session whose `PATH` finds the programs in `dir` first (fake clipboard
/// programs), then the tools their scripts use.
#[cfg(test)]
impl Environment {
    pub(crate) fn x11_with_programs_in(dir: &std::path::Path) -> Self {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let path = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&inherited));
        Environment {
            x11: true,
            path: Some(std::env::join_paths(path).unwrap()),
            ..Environment::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_bytes() {
        assert_eq!(osc52("abc"), "\x1b]52;c;YWJj\x07");
        assert_eq!(
            osc52_passthrough("abc"),
            "\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\"
        );
    }

    #[test]
    fn plain_osc52_first_passthrough_only_as_a_fallback() {
        assert_eq!(tmux_plan(None, None), Copied::Osc52 { tmux: true });
        assert_eq!(
            tmux_plan(Some("on"), Some("off")),
            Copied::Osc52 { tmux: true }
        );
        assert_eq!(tmux_plan(Some("external"), Some("on")), Copied::Passthrough);
        assert_eq!(tmux_plan(Some("off"), Some("all")), Copied::Passthrough);
        // stock tmux 3.3: external, no passthrough
        assert_eq!(tmux_plan(Some("external"), Some("off")), Copied::TmuxDrops);
    }

    #[test]
    fn local_programs_only_when_not_remote() {
        let local = Environment {
            wayland: true,
            x11: true,
            ..Environment::default()
        };
        let names: Vec<&str> = local.programs().iter().map(|p| p.0).collect();
        assert_eq!(names, ["wl-copy", "xclip", "xsel"]);
        let remote = Environment {
            remote: true,
            ..local
        };
        assert!(remote.programs().is_empty());
        assert!(Environment::default().programs().is_empty());
    }

    #[test]
    fn the_first_program_that_works_takes_the_text() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        let write = |name: &str, body: &str| {
            let program = dir.path().join(name);
            std::fs::write(&program, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        write("xclip", "exit 1");
        write("xsel", &format!("cat > '{}'", kept.display()));
        let env = Environment::x11_with_programs_in(dir.path());
        assert_eq!(plan("abc", &env), Plan::Done(Copied::Program("xsel")));
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "abc");
        let mut out = Vec::new();
        assert_eq!(
            finish(&mut out, Plan::Done(Copied::Program("xsel"))),
            Copied::Program("xsel")
        );
        assert!(out.is_empty(), "nothing for the terminal");
    }

    #[test]
    fn without_a_program_osc52_goes_to_the_terminal() {
        let mut out = Vec::new();
        let copied = finish(&mut out, plan("abc", &Environment::default()));
        assert_eq!(copied, Copied::Osc52 { tmux: false });
        assert_eq!(out, b"\x1b]52;c;YWJj\x07");
    }
}
