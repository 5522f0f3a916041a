//! The README runs: every shell snippet in it is run here (in a scratch HOME and directory, with
//! the built `sctui` first on PATH) or mirrored by a named check, every TOML snippet loads as a
//! config file, and every mark and key it names is the one the UI draws (read from the committed
//! snapshots, which the snapshot tests keep equal to the real drawing).
//!
//! A new snippet fails `every_shell_snippet_is_run_or_mirrored` until it is added to [`SNIPPETS`].

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::describe;

use crate::common;

const README: &str = include_str!("../../README.md");
const BIN: &str = env!("CARGO_BIN_EXE_sctui");

/// The fenced code blocks of one language, in order.
fn blocks(lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in README.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{lang}") => current = Some(String::new()),
            Some(_) if line.trim_start() == "```" => out.extend(current.take()),
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

/// How a shell snippet is kept true.
#[derive(Clone, Copy)]
enum How {
    /// Run as written by bash, after a prelude that stands in for the user's machine.
    Run { prelude: &'static str },
    /// Not runnable here (installs, builds, opens the TUI, needs nightly or a real sign-in);
    /// kept true by the named test or check.
    Mirrored(&'static str),
}

/// Each README shell snippet by its first line.
const SNIPPETS: &[(&str, How)] = &[
    (
        "cargo install --path .",
        How::Mirrored("CI builds the same package (`cargo build` in `.ci/run`)"),
    ),
    (
        "cargo run --release -- --demo",
        How::Mirrored(
            "tests/it/e2e_tmux.rs drives `sctui --demo` in tmux; `.ci/run` is the test line",
        ),
    ),
    (
        "sctui sessions list [--all]",
        How::Mirrored("synopsis_lines_name_real_subcommands_and_flags below"),
    ),
    (
        "sctui fake-graph --sessions 250 > fake-graph.out & fake=$!",
        How::Run { prelude: "" },
    ),
    (
        "sctui sync --conversations",
        How::Run {
            // Graph is `sctui fake-graph` (its demo sessions) on a free port
            prelude: r#"sctui fake-graph > fake-graph.out &
until url=$(head -n 1 fake-graph.out) && [ -n "$url" ]; do sleep 0.1; done
export SCTUI_GRAPH_URL="$url" SCTUI_ACCESS_TOKEN=anything
"#,
        },
    ),
    (
        "sctui --demo --faults",
        How::Mirrored("fault_specs_in_the_readme_parse below (the TUI line opens a terminal UI)"),
    ),
    (
        "sctui completions bash",
        How::Run {
            // What a user's machine provides: the folders, zsh's $fpath, PowerShell's $PROFILE, and
            // `man` (a stand-in that reads the page: formatting it is man's business).
            prelude: r#"mkdir -p ~/.local/share/bash-completion/completions ~/.config/fish/completions ~/.local/share/man/man1 ~/zsh/functions
fpath=(unused ~/zsh/functions)
PROFILE=~/profile.ps1
man() { cat >/dev/null; }
"#,
        },
    ),
    (
        "sctui login",
        How::Mirrored(
            "tests/it/auth.rs login_whoami_and_list_across_expiry_against_sctui_fake_graph (needs a sign-in service)",
        ),
    ),
    (
        "cargo install cargo-fuzz",
        How::Mirrored("tests/it/hostile_input.rs runs the fuzz targets' checks on stable"),
    ),
    (
        "python3 -m venv /tmp/sdk",
        How::Mirrored(
            "needs PyPI (msgraph-beta-sdk), so it is run by hand; tests/it/readme.rs \
             sdk_snippet_is_the_script_usage checks the snippet against scripts/sdk_roundtrip.py, \
             and the fake's routes it calls are served in the fake's own HTTP tests",
        ),
    ),
    (
        "scripts/bench.sh",
        How::Mirrored("benches compile in `.ci/run`; the script exists and is executable (below)"),
    ),
];

fn how(block: &str) -> Option<How> {
    let first = block.lines().next().unwrap_or("");
    SNIPPETS
        .iter()
        .find(|(start, _)| first.starts_with(start))
        .map(|(_, how)| *how)
}

#[test]
fn every_shell_snippet_is_run_or_mirrored() {
    let sh = blocks("sh");
    assert!(sh.len() >= 8, "found only {} sh blocks", sh.len());
    for block in &sh {
        assert!(
            how(block).is_some(),
            "a README snippet no test runs or mirrors; add it to SNIPPETS in tests/it/readme.rs:\n{block}"
        );
    }
    // Every entry still matches a snippet (none left behind by an edit of the README), and a
    // mirror names test files that exist.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (start, how) in SNIPPETS {
        assert!(
            sh.iter().any(|b| b.starts_with(start)),
            "SNIPPETS names {start:?}, which the README no longer has"
        );
        if let How::Mirrored(by) = how {
            for file in by.split_whitespace().filter(|w| w.ends_with(".rs")) {
                assert!(
                    root.join(file).exists(),
                    "{start:?} is mirrored by {file}, which does not exist"
                );
            }
        }
    }
}

/// Runs `script` with bash under a scratch HOME and directory, `sctui` first on PATH. Background
/// jobs the script leaves (a fake it failed to stop) are stopped by bash itself on exit: only
/// their own PIDs are signalled, never a process group.
fn run_script(script: &str, home: &Path) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut bash = Command::new("bash");
    common::isolate(&mut bash, home);
    let mut child = bash
        .args([
            "-euo",
            "pipefail",
            "-c",
            &format!("trap 'for job in $(jobs -p); do kill \"$job\" 2>/dev/null || true; done' EXIT\n{script}"),
        ])
        .current_dir(home)
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the snippet did not finish within 120 s:\n{script}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

fn snippet(start: &str) -> String {
    blocks("sh")
        .into_iter()
        .find(|b| b.starts_with(start))
        .unwrap_or_else(|| panic!("the README has a snippet starting {start:?}"))
}

fn run_snippet(start: &str) -> (Output, tempfile::TempDir) {
    let block = snippet(start);
    let Some(How::Run { prelude }) = how(&block) else {
        panic!("{start:?} is not a run snippet");
    };
    let home = tempfile::tempdir().unwrap();
    let out = run_script(&format!("{prelude}{block}"), home.path());
    assert!(out.status.success(), "{block}\n{}", describe(&out));
    (out, home)
}

#[test]
fn the_fake_graph_snippet_lists_all_250_sessions_and_stops_the_fake() {
    let (out, _home) = run_snippet("sctui fake-graph --sessions 250");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", describe(&out)));
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(250),
        "{}",
        describe(&out)
    );
}

#[test]
fn the_store_snippet_syncs_searches_and_reads_offline() {
    let (out, _home) = run_snippet("sctui sync --conversations");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("conversations fetched"), "{}", describe(&out));
    assert!(text.contains("**SharpHound**"), "{}", describe(&out));
    assert!(
        text.contains("schema "),
        "store stats ran: {}",
        describe(&out)
    );
}

#[test]
fn the_completions_snippet_writes_every_file() {
    let (out, home) = run_snippet("sctui completions bash");
    let home = home.path();
    for file in [
        ".local/share/bash-completion/completions/sctui",
        "zsh/functions/_sctui",
        ".config/fish/completions/sctui.fish",
        "profile.ps1",
    ] {
        let text = std::fs::read_to_string(home.join(file)).unwrap_or_default();
        assert!(text.contains("sctui"), "{file} holds a completion script");
    }
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.contains(env!("CARGO_PKG_VERSION")),
        "sctui --version: {version}"
    );
}

#[test]
fn synopsis_lines_name_real_subcommands_and_flags() {
    let block = snippet("sctui sessions list [--all]");
    let home = tempfile::tempdir().unwrap();
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let line = line.split("  #").next().unwrap_or(line);
        let words: Vec<&str> = line.split_whitespace().collect();
        let command: Vec<&str> = words[1..]
            .iter()
            .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
            .copied()
            .collect();
        let out = Command::new(BIN)
            .args(&command)
            .arg("--help")
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}: {}", describe(&out));
        let help = String::from_utf8_lossy(&out.stdout);
        for flag in words.iter().flat_map(|w| {
            w.split(['[', ']', '|'])
                .filter(|f| f.starts_with("--"))
                .map(|f| f.split('=').next().unwrap_or(f))
        }) {
            assert!(
                help.contains(flag),
                "`sctui {}` has no {flag}:\n{help}",
                command.join(" ")
            );
        }
    }
}

#[test]
fn fault_specs_in_the_readme_parse() {
    let block = snippet("sctui --demo --faults");
    let home = tempfile::tempdir().unwrap();
    for line in block.lines().filter(|l| l.contains("--faults")) {
        let spec = line
            .split_whitespace()
            .skip_while(|w| *w != "--faults")
            .nth(1)
            .expect("a SPEC after --faults");
        // Parsed by the flag's own parser before the help is printed (a bad spec exits 2).
        let out = Command::new(BIN)
            .args(["--demo", "--faults", spec, "--help"])
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "--faults {spec}: {}", describe(&out));
    }
    // The check above would notice a bad spec: one is refused.
    let out = Command::new(BIN)
        .args(["--demo", "--faults", "not-a-fault=2", "--help"])
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bad spec is refused");
    let bench = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench.sh");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&bench).unwrap().permissions());
    assert!(mode & 0o111 != 0, "scripts/bench.sh is executable");
}

#[test]
fn every_toml_snippet_is_a_config_file_that_loads() {
    let toml = blocks("toml");
    assert!(toml.len() >= 3, "found {} toml blocks", toml.len());
    let dir = tempfile::tempdir().unwrap();
    for (i, block) in toml.iter().enumerate() {
        let path = dir.path().join(format!("config{i}.toml"));
        std::fs::write(&path, block).unwrap();
        let config = sctui::config::Config::load(
            &sctui::config::Overrides {
                config_path: Some(path),
                ..Default::default()
            },
            &|_| None,
        );
        assert!(config.is_ok(), "{block}\n{:?}", config.err());
    }
}

/// A committed snapshot's text (kept equal to the real drawing by the snapshot tests).
fn snapshot(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/snapshots")
        .join(format!("{name}.snap"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The backticked text right after `before` in the README.
fn named_after(before: &str) -> String {
    let at = README
        .find(before)
        .unwrap_or_else(|| panic!("the README says {before:?}"));
    let rest = &README[at + before.len()..];
    let rest = rest.strip_prefix('`').expect("a backticked mark");
    rest[..rest.find('`').unwrap()].to_string()
}

#[test]
fn marks_the_readme_names_are_the_ones_drawn() {
    // A followed answer: the row of the session whose answer is being followed.
    let followed = named_after("The row shows ");
    let running = snapshot("it__conversation_snapshots__conversation_running");
    let row = running
        .lines()
        .find(|l| l.contains("│› "))
        .expect("a selected row");
    assert!(
        row.contains(&format!(" {followed} ")),
        "the README says a followed row shows {followed:?}; the UI draws {row:?}"
    );
    // A pending rename.
    let pending = named_after("the row shows the new name at once with a ");
    let renaming = snapshot("it__ui_snapshots__s04_rename_pending");
    assert!(
        renaming.lines().any(|l| l.contains(&format!(" {pending}"))),
        "the README says a pending rename shows {pending:?}:\n{renaming}"
    );
    // The selection marker, and errors.
    let marker = named_after("the selection is shown by the ");
    assert!(snapshot("it__ui_snapshots__s01_list_with_detail").contains(&format!("│{marker} ")));
    let error = named_after("errors start with ");
    assert!(snapshot("it__ui_snapshots__s08_error_status").contains(&format!("{error} ")));
}

#[test]
fn keys_in_the_readme_table_are_the_keys_in_force() {
    let help = snapshot("it__ui_snapshots__s07c_help_every_mode");
    let drawn: std::collections::HashSet<&str> = help
        .split(|c: char| c.is_whitespace() || c == '│' || c == '"')
        .collect();
    let table = &README[README.find("| key | action |").expect("the keys table")..];
    let table = &table[..table.find("\n\n").unwrap_or(table.len())];
    let table = &table[table.find("|---|").expect("the keys table's rule")..];
    let mut checked = 0;
    for row in table.lines().skip(1) {
        let keys = row.trim_start_matches('|').split('|').next().unwrap_or("");
        for key in keys.split('`').skip(1).step_by(2) {
            assert!(
                drawn.contains(key),
                "the README's keys table names `{key}`, which `?` does not list:\n{help}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "read {checked} keys from the table");
}

#[test]
fn sdk_snippet_is_the_script_usage() {
    // The README's by-hand SDK check and the script's own usage text say the same thing, and
    // the script is there to run.
    let script_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/sdk_roundtrip.py");
    let script = std::fs::read_to_string(&script_path).expect("scripts/sdk_roundtrip.py");
    let usage: Vec<&str> = script
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("python3 -m venv"))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let block = snippet("python3 -m venv /tmp/sdk");
    let readme: Vec<&str> = block.lines().map(str::trim).collect();
    assert_eq!(
        usage, readme,
        "scripts/sdk_roundtrip.py's usage and the README differ"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&script_path).unwrap().permissions(),
    );
    assert!(mode & 0o111 != 0, "scripts/sdk_roundtrip.py is executable");
    // The flags the snippet passes to the fake are real ones.
    let out = Command::new(BIN)
        .args(["fake-graph", "--eval-seconds", "1", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}
