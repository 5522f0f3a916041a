//! The architecture, checked where the compiler cannot: which crates may depend on which (read
//! from `cargo tree`, so features count as they are resolved), and that ARCHITECTURE.md names
//! every crate and every top-level module, so the map cannot fall behind the code unnoticed.
//! Purity inside the core needs no check here: the core crate cannot name what it does not
//! depend on.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace members' directories, from the root manifest.
fn members() -> Vec<PathBuf> {
    let manifest: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .expect("root Cargo.toml")
        .parse()
        .expect("valid TOML");
    manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .expect("[workspace] members")
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| root().join(m))
        .collect()
}

/// The package name in `dir`'s manifest.
fn package_name(dir: &Path) -> String {
    let manifest: toml::Table = std::fs::read_to_string(dir.join("Cargo.toml"))
        .expect("member Cargo.toml")
        .parse()
        .expect("valid TOML");
    manifest
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .expect("[package] name")
        .to_string()
}

/// Every package `package` is built with (normal dependencies, features as resolved), from
/// `cargo tree`, offline and with the committed lock.
fn dependency_tree(package: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(["--format", "{p}", "-p", package])
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.split(' ').next())
        .filter(|name| !name.is_empty() && *name != package)
        .map(str::to_string)
        .collect()
}

fn assert_free_of(package: &str, forbidden: &[&str], why: &str) {
    let members: Vec<String> = members().iter().map(|d| package_name(d)).collect();
    assert!(
        members.iter().any(|m| m == package),
        "{package} is a workspace member"
    );
    let tree = dependency_tree(package);
    let found: Vec<&&str> = forbidden.iter().filter(|f| tree.contains(**f)).collect();
    assert!(found.is_empty(), "{package} depends on {found:?}: {why}");
}

#[test]
fn the_core_depends_on_no_terminal_runtime_http_or_sqlite() {
    assert_free_of(
        "sctui-app",
        &[
            "tokio",
            "crossterm",
            "reqwest",
            "rusqlite",
            "axum",
            "ratatui",
            "sctui",
        ],
        "the core is pure; drawing, the runtime and the worker live in sctui",
    );
}

#[test]
fn the_graph_client_knows_nothing_of_terminals() {
    assert_free_of(
        "sctui-graph",
        &[
            "ratatui",
            "ratatui-core",
            "crossterm",
            "tui-input",
            "sctui",
            "sctui-app",
        ],
        "the client must stay usable without a terminal",
    );
}

#[test]
fn the_fake_does_not_depend_on_the_client_it_checks() {
    // The fake writes Graph's wire JSON from its own types; sharing the client's would make it
    // agree with the client instead of checking it.
    assert_free_of(
        "sctui-fake",
        &["sctui-graph", "sctui", "sctui-app", "ratatui", "crossterm"],
        "the fake must not share the client's types",
    );
}

/// The top-level modules of the crate in `dir`, as paths from the repository root without
/// `.rs` (`src/tui`, `crates/app/src/update`): every `src/*.rs` but the crate roots and test
/// modules (`*_tests.rs`), and every folder of `src/`.
fn top_level_modules(dir: &Path) -> BTreeSet<String> {
    let src = dir.join("src");
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&src).expect("src/").flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let module = if path.is_dir() {
            name
        } else if let Some(stem) = name.strip_suffix(".rs") {
            if ["lib", "main"].contains(&stem) || stem.ends_with("_tests") {
                continue;
            }
            stem.to_string()
        } else {
            continue;
        };
        let relative = src
            .join(module)
            .strip_prefix(root())
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        found.insert(relative);
    }
    found
}

#[test]
fn architecture_md_names_every_crate_and_top_level_module() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing = Vec::new();
    for dir in members() {
        let package = package_name(&dir);
        if !map.contains(&format!("`{package}`")) {
            missing.push(format!("the crate `{package}`"));
        }
        for module in top_level_modules(&dir) {
            // named as `src/tui/`, `src/tui.rs` or `src/tui`
            let named = [
                format!("`{module}/`"),
                format!("`{module}.rs`"),
                format!("`{module}`"),
            ]
            .iter()
            .any(|form| map.contains(form.as_str()));
            if !named {
                missing.push(format!("the module `{module}`"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these; add a line saying what each is for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_module_lister_sees_files_and_folders_but_not_crate_roots() {
    let modules = top_level_modules(&root());
    assert!(modules.contains("src/tui"), "{modules:?}");
    assert!(
        modules.contains("src/config"),
        "a file and a folder are one module"
    );
    assert!(!modules.contains("src/lib"));
    assert!(!modules.contains("src/main"));
}
