//! What a child process (the clipboard helper, `$EDITOR`, the link opener) inherits: the
//! environment without sctui's own variables, which can hold a token (`SCTUI_ACCESS_TOKEN`) or a
//! client secret (`SCTUI_CLIENT_SECRET`).

use std::ffi::OsString;
use std::process::Command;

/// Whether a variable is sctui's own (and so kept from children).
pub fn is_sctui_var(name: &str) -> bool {
    name.starts_with("SCTUI_")
}

/// `command`, set to run without sctui's variables from this process's environment.
pub fn scrubbed(command: &mut Command) -> &mut Command {
    scrubbed_of(command, std::env::vars_os())
}

/// [`scrubbed`], for the environment `vars` (tests pass their own).
pub fn scrubbed_of(
    command: &mut Command,
    vars: impl Iterator<Item = (OsString, OsString)>,
) -> &mut Command {
    for (name, _) in vars {
        if name.to_str().is_some_and(is_sctui_var) {
            command.env_remove(name);
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_get_no_sctui_variable_and_everything_else() {
        let vars = [
            ("SCTUI_ACCESS_TOKEN", "eyJ.secret"),
            ("SCTUI_CLIENT_SECRET", "s3cr3t"),
            ("EDITOR", "vi"),
            ("PATH", "/usr/bin"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let mut command = Command::new("sh");
        scrubbed_of(&mut command, vars.into_iter());
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert_eq!(removed, ["SCTUI_ACCESS_TOKEN", "SCTUI_CLIENT_SECRET"]);
    }

    /// A real child: what it sees of its environment holds no sctui variable.
    #[cfg(unix)]
    #[test]
    fn a_real_child_sees_none_of_them() {
        let vars = [("SCTUI_ACCESS_TOKEN", "eyJ.secret")]
            .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg("env")
            .env("SCTUI_ACCESS_TOKEN", "eyJ.secret");
        let out = scrubbed_of(&mut command, vars.into_iter())
            .output()
            .unwrap();
        let env = String::from_utf8_lossy(&out.stdout);
        assert!(!env.contains("SCTUI_ACCESS_TOKEN"), "{env}");
        assert!(!env.contains("eyJ.secret"), "{env}");
    }
}
