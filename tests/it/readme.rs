//! The README and the pages under `docs/` run: every shell snippet in them is run here (in a
//! scratch HOME and directory, with the built `sctui` first on PATH) or mirrored by a named check,
//! every TOML snippet loads as a config file, every key the README's tables name is bound to that
//! action's mode by default, and the marks it names are the ones the real drawing shows.
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

/// The README, then every Markdown page under `docs/` (sorted by name): the text whose snippets
/// must run.
fn documents() -> Vec<String> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut pages: Vec<_> = std::fs::read_dir(&docs)
        .map(|dir| {
            dir.filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    std::iter::once(README.to_string())
        .chain(pages.iter().map(|page| {
            std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()))
        }))
        .collect()
}

/// The fenced code blocks of one language, in order, from the README and the docs pages.
fn blocks(lang: &str) -> Vec<String> {
    documents()
        .iter()
        .flat_map(|text| blocks_in(text, lang))
        .collect()
}

/// The fenced code blocks of one language in one Markdown text, in order.
fn blocks_in(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
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

/// Each shell snippet of the README and docs/ by its first line.
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
        "sctui --demo sessions list --top 3",
        How::Run { prelude: "" },
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
        "sctui plugins list",
        How::Run {
            // Graph is `sctui fake-graph` (its demo sessions) on a free port
            prelude: r#"sctui fake-graph --eval-seconds 0.2 > fake-graph.out &
until url=$(head -n 1 fake-graph.out) && [ -n "$url" ]; do sleep 0.1; done
export SCTUI_GRAPH_URL="$url" SCTUI_ACCESS_TOKEN=anything
"#,
        },
    ),
    (
        "sctui --demo --faults",
        How::Mirrored("fault_specs_in_the_docs_parse below (the TUI line opens a terminal UI)"),
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
        "sctui sessions export ID [--format",
        How::Mirrored(
            "tests/it/export.rs runs each form (one session and --all; md, html, json, csv; \
             --file PATH and -; -o) against the demo data online and with Graph stopped",
        ),
    ),
    (
        "sctui sessions list --all --jq",
        How::Mirrored(
            "tests/it/jq.rs documented_examples_print_what_jq_prints checks every --jq example \
             against jq's output written by hand",
        ),
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
        "sctui promptbook list ",
        How::Mirrored(
            "tests/it/promptbook.rs runs each of these commands (real files, `sctui fake-graph`)",
        ),
    ),
    ("sctui --demo promptbook list", How::Run { prelude: "" }),
    (
        "sctui promptbook run BOOK --inputs-file",
        How::Mirrored(
            "tests/it/promptbook.rs a_batch_runs_each_row_in_its_own_session_with_a_report_each",
        ),
    ),
    (
        "sctui promptbook run BOOK --input NAME=VALUE",
        How::Mirrored("tests/it/promptbook.rs (the flags: tests/it/readme.rs synopsis check)"),
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
    assert!(sh.len() >= 9, "found only {} sh blocks", sh.len());
    for block in &sh {
        assert!(
            how(block).is_some(),
            "a snippet (README or docs/) no test runs or mirrors; add it to SNIPPETS in tests/it/readme.rs:\n{block}"
        );
    }
    // Every entry still matches a snippet (none left behind by an edit of the README), and a
    // mirror names test files that exist.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (start, how) in SNIPPETS {
        assert!(
            sh.iter().any(|b| b.starts_with(start)),
            "SNIPPETS names {start:?}, which neither the README nor docs/ has any more"
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
fn the_cli_examples_answer_and_name_a_failed_run_by_its_exit_code() {
    let (out, _home) = run_snippet("sctui --demo sessions list --top 3");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Phishing analysis"),
        "the demo's phishing answer: {}",
        describe(&out)
    );
    assert!(
        text.trim_end().ends_with("exit 7"),
        "a run ended by [fail:timedOut] exits with 7: {}",
        describe(&out)
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
fn fault_specs_in_the_docs_parse() {
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

/// The README's text from the heading `from` to the next heading of the same level.
fn section(from: &str) -> &'static str {
    let start = README
        .find(from)
        .unwrap_or_else(|| panic!("the README has {from:?}"));
    let level = from.split(' ').next().unwrap_or("##");
    let rest = &README[start + from.len()..];
    let end = rest
        .find(&format!("\n{level} "))
        .map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// The screen `state` draws, row by row.
fn drawn(state: &sctui::tui::app::State) -> String {
    let (width, height) = state.viewport();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| sctui::tui::ui::draw(state, frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn the_mark_of_a_followed_answer_is_the_one_drawn() {
    use sctui::tui::app::{self, Msg, State};
    use sctui::tui::worker::{Command, Event};
    use sctui_graph::conversation::Turn;
    use sctui_graph::models::{GraphTime, Page, Session};

    let tour = section("## A short tour");
    let at = tour
        .find("the row shows `")
        .expect("the tour names the mark")
        + 15;
    let mark = &tour[at..at + tour[at..].find('`').unwrap()];

    // a session whose answer is still running when its conversation loads: the app follows it
    let mut state = State::new("default", "demo");
    sctui::tui::app::update(
        &mut state,
        sctui::tui::app::Msg::Clock("2026-01-31T12:00:00Z".parse().unwrap()),
    );
    sctui::tui::app::update(&mut state, sctui::tui::app::Msg::Resize(100, 24));
    let _ = app::init(&mut state);
    let session = Session {
        id: "5f0c1a2b-0000-4000-8000-000000000001".into(),
        display_name: Some("Risky sign-ins".into()),
        created_date_time: Some(GraphTime::new("2026-01-31T11:58:00Z")),
        last_modified_date_time: Some(GraphTime::new("2026-01-31T11:59:00Z")),
    };
    let req = state.requests().page().expect("a page request");
    app::update(
        &mut state,
        Msg::Worker(Event::PageLoaded {
            req,
            first: true,
            page: Page {
                value: vec![session.clone()],
                next_link: None,
                count: Some(1),
            },
        }),
    );
    let before = drawn(&state);
    let out = app::update(&mut state, Msg::Settled);
    let [Command::LoadConversation { req, .. }] = out.commands[..] else {
        panic!("{out:?}")
    };
    let turn: Turn = Turn {
        prompt: serde_json::from_value(serde_json::json!({
            "id": "p1", "type": "prompt", "content": "Show risky sign-ins",
            "createdDateTime": "2026-01-31T11:59:00Z"
        }))
        .unwrap(),
        evaluation: Some(
            serde_json::from_value(serde_json::json!({
                "id": "e1", "state": "running", "createdDateTime": "2026-01-31T11:59:10Z"
            }))
            .unwrap(),
        ),
    };
    app::update(
        &mut state,
        Msg::Worker(Event::ConversationLoaded {
            req,
            session_id: session.id,
            runs: vec![turn.into()],
        }),
    );
    let after = drawn(&state);
    let row = |screen: &str| {
        screen
            .lines()
            .find(|l| l.contains("Risky sign-ins"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("the session's row:\n{screen}"))
    };
    assert!(
        !row(&before).contains(mark),
        "the mark is not there before: {}",
        row(&before)
    );
    assert!(
        row(&after).contains(&format!(" {mark} ")),
        "the README says a followed row shows {mark:?}; the UI draws {:?}",
        row(&after)
    );
}

#[test]
fn keys_in_the_readme_tables_are_bound_in_their_mode_once_each() {
    use sctui_app::keys::{KeyMode, Keymap};
    let keys = section("## Keys");
    let keymap = Keymap::default();
    let mut checked = 0;
    for table in keys.split("\n### ").skip(1) {
        let heading = table.lines().next().unwrap_or("");
        let mode = match heading {
            h if h.starts_with("Session list") => KeyMode::Browse,
            h if h.starts_with("Detail pane") => KeyMode::Detail,
            h if h.starts_with("Editors") => KeyMode::Editor,
            h if h.starts_with("Search view") => KeyMode::Search,
            other => panic!("a keys table under {other:?}: which mode is it?"),
        };
        let bound: std::collections::HashSet<String> = keymap
            .help_rows(mode)
            .into_iter()
            .flat_map(|(labels, _)| labels.split(' ').map(str::to_string).collect::<Vec<_>>())
            .collect();
        let mut seen = std::collections::HashSet::new();
        let rows = table.lines().filter(|l| l.starts_with("| `"));
        for row in rows {
            let cell = row.trim_start_matches('|').split('|').next().unwrap_or("");
            for key in cell.split('`').skip(1).step_by(2) {
                assert!(
                    bound.contains(key),
                    "the README's {heading:?} table names `{key}`, which that mode does not bind: {bound:?}"
                );
                assert!(
                    seen.insert(key),
                    "`{key}` is in the {heading:?} table twice"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "read {checked} keys from the tables");
}

#[test]
fn the_readme_is_short_and_starts_with_the_two_commands() {
    let lines = README.lines().count();
    assert!(
        lines <= 300,
        "the README has {lines} lines; reference belongs in docs/"
    );
    let first_screen: String = README.lines().take(60).collect::<Vec<_>>().join("\n");
    for command in [
        "cargo run --release -- --demo",
        "cargo test --workspace --locked",
    ] {
        assert!(
            first_screen.contains(command),
            "`{command}` is in the README's first 60 lines"
        );
    }
    let ci = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run"))
        .expect(".ci/run");
    assert!(
        ci.lines()
            .any(|l| l.trim() == "cargo test --workspace --locked"),
        ".ci/run runs the README's test command"
    );
}

#[test]
fn every_docs_page_is_linked_from_the_readme() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for entry in std::fs::read_dir(docs).expect("docs/") {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            assert!(
                README.contains(&format!("](docs/{name}")),
                "docs/{name} is not linked from the README"
            );
        }
    }
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
