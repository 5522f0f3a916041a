//! Helpers shared by the tests that run the `sctui` binary: an isolated environment (HOME and
//! XDG folders under a temp dir, no inherited sctui settings) and a readable dump of a run.

#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Points every folder sctui reads or writes at `home` and clears the settings a developer's
/// shell may carry (tokens, Graph URL, workspace, config, log level, sign-in service).
pub fn isolate(cmd: &mut Command, home: &Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("SCTUI_ACCESS_TOKEN")
        .env_remove("SCTUI_GRAPH_URL")
        .env_remove("SCTUI_WORKSPACE")
        .env_remove("SCTUI_CONFIG")
        .env_remove("SCTUI_LOG")
        .env_remove("SCTUI_AUTHORITY_HOST")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
}

/// Exit status, stdout and stderr of a run, for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd` to its end, at most 60 s, without blocking the async runtime (tests that serve a
/// stand-in on the same runtime).
pub async fn run(cmd: Command) -> Output {
    let mut cmd = tokio::process::Command::from(cmd);
    tokio::time::timeout(std::time::Duration::from_secs(60), cmd.output())
        .await
        .expect("sctui finished within 60 s")
        .expect("sctui runs")
}

pub mod demo;

/// Runs a test once in each order the fake can list sessions in: newest first (Graph's
/// documented order, the fake's default) and oldest first (the option), so no client code comes
/// to depend on either. `both_orders!(name)` makes `name::newest_first` and `name::oldest_first`
/// from `async fn name(order: SessionOrder)`; `both_orders!(fn name)` does the same for a plain
/// `fn name(order: SessionOrder)`. Extra tokens after the name go to `#[tokio::test(…)]`.
#[macro_export]
macro_rules! both_orders {
    (fn $name:ident) => {
        mod $name {
            #[test]
            fn newest_first() {
                super::$name(sctui_fake::SessionOrder::NewestFirst)
            }
            #[test]
            fn oldest_first() {
                super::$name(sctui_fake::SessionOrder::OldestFirst)
            }
        }
    };
    ($name:ident $(, $($attr:tt)*)?) => {
        mod $name {
            #[tokio::test$(($($attr)*))?]
            async fn newest_first() {
                super::$name(sctui_fake::SessionOrder::NewestFirst).await
            }
            #[tokio::test$(($($attr)*))?]
            async fn oldest_first() {
                super::$name(sctui_fake::SessionOrder::OldestFirst).await
            }
        }
    };
}
