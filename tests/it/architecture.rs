//! The architecture, checked: no module cycle inside any workspace crate, the Graph client crate
//! knows nothing of terminals, and the fake crate does not depend on the client it checks.
//!
//! Modules are read from the source (each crate's `src/`, `mod.rs` or `name.rs` layout); a
//! reference is any `crate::…`, `super::…` or `self::…` path (in `use` or inline). An edge between
//! two modules counts at the level where their paths part: `tui::app::update` using
//! `config::keys` is an edge `tui → config` among the crate's top-level modules, and
//! `tui::app → tui::worker` an edge `app → worker` inside `tui`. A child using its parent
//! (`use super::*`) is nesting, not a cycle. Test code (`*_tests.rs`, `#[cfg(test)] mod tests`)
//! is left out: tests may reach across.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path inside a crate, `[]` for the crate root.
type ModPath = Vec<String>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace members' directories, from the root manifest.
fn members() -> Vec<PathBuf> {
    let manifest: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .expect("root Cargo.toml")
        .parse()
        .expect("valid TOML");
    let members = manifest
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .cloned()
        .unwrap_or_default();
    let mut dirs: Vec<PathBuf> = members
        .iter()
        .filter_map(|m| m.as_str())
        .map(|m| root().join(m))
        .collect();
    if dirs.is_empty() {
        dirs.push(root());
    }
    dirs
}

/// Every module of the crate in `dir` with its source file (test modules left out).
fn modules(dir: &Path) -> BTreeMap<ModPath, PathBuf> {
    let src = dir.join("src");
    let mut found = BTreeMap::new();
    for top in ["lib.rs", "main.rs"] {
        if src.join(top).is_file() && !found.contains_key(&ModPath::new()) {
            found.insert(ModPath::new(), src.join(top));
        }
    }
    walk(&src, &src, &mut found);
    found
}

fn walk(src: &Path, dir: &Path, found: &mut BTreeMap<ModPath, PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(src, &path, found);
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src");
        let mut parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let file = parts.pop().expect("a file name");
        let stem = file.trim_end_matches(".rs").to_string();
        if parts.is_empty() && (stem == "lib" || stem == "main") {
            continue;
        }
        if stem.ends_with("_tests") || stem == "tests" || parts.iter().any(|p| p == "bin") {
            continue;
        }
        if stem != "mod" {
            parts.push(stem);
        }
        found.insert(parts, path);
    }
}

/// The source without comments, string contents and test modules.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "#[cfg(test)]"
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod tests"))
        {
            break;
        }
        let line = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        // drop string literals (a path in a message is not a dependency)
        let mut in_string = false;
        let mut previous = ' ';
        for c in line.chars() {
            if c == '"' && previous != '\\' {
                in_string = !in_string;
            } else if !in_string {
                out.push(c);
            }
            previous = c;
        }
        out.push('\n');
    }
    out
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = tree.find('{') else {
        return vec![tree];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(p).into_iter().map(move |e| format!("{prefix}{e}")))
        .collect()
}

/// The paths a module's code names: `use` trees expanded, and inline `crate::`/`super::` paths.
fn paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let after = &rest[at + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        found.extend(expand(&after[..end]));
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            if at > 0 && bytes[at - 1] == b':' {
                continue; // the middle of a path already taken from its start
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            found.push(code[at..end].to_string());
        }
    }
    found
}

/// The module a path names, seen from `from` (`None` for paths outside the crate).
fn target(from: &ModPath, path: &str, known: &BTreeMap<ModPath, PathBuf>) -> Option<ModPath> {
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: ModPath;
    let mut rest = &segments[..];
    match rest.first() {
        Some(&"crate") => {
            base = Vec::new();
            rest = &rest[1..];
        }
        Some(&"super") | Some(&"self") => {
            base = from.clone();
            while let Some(&first) = rest.first() {
                match first {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    // the longest prefix that is a module
    for segment in rest {
        let mut next = base.clone();
        next.push((*segment).to_string());
        if known.contains_key(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

/// Edges between sibling modules, by their parent: `parent → {(a, b)}`.
fn sibling_edges(dir: &Path) -> BTreeMap<ModPath, BTreeSet<(String, String)>> {
    let known = modules(dir);
    let mut edges: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (module, file) in &known {
        let text = std::fs::read_to_string(file).expect("readable source");
        for path in paths(&code(&text)) {
            let Some(to) = target(module, &path, &known) else {
                continue;
            };
            let common = module.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common == module.len() || common == to.len() {
                continue; // the same module, a parent, or a child: nesting
            }
            edges
                .entry(module[..common].to_vec())
                .or_default()
                .insert((module[common].clone(), to[common].clone()));
        }
    }
    edges
}

/// A cycle among `edges`, as the modules on it, if there is one.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
    }
    fn visit<'a>(
        node: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

/// Cycles still being taken apart, each with the work that removes it. The list only shrinks:
/// the test fails when one of these is gone (delete its line) as well as on any new cycle.
const KNOWN_CYCLES: &[(&str, &str)] = &[];

/// The groups of modules that reach each other (each holds a cycle), as sorted names.
fn cycle_groups(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().insert(b);
        graph.entry(b).or_default();
    }
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(node) = todo.pop() {
            for &next in &graph[node] {
                if seen.insert(next) {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<&str>> = graph.keys().map(|&n| (n, reach(n))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for (&node, reached) in &reachable {
        if !reached.contains(node) {
            continue;
        }
        let group: Vec<String> = reached
            .iter()
            .filter(|other| reachable[*other].contains(node))
            .map(|s| s.to_string())
            .collect();
        groups.insert(group);
    }
    groups.into_iter().collect()
}

/// Every module cycle: `dir (parent)`, the modules of the cycle group (sorted, `a ↔ b`), and one
/// cycle through them as found.
fn cycles() -> Vec<(String, String, Vec<String>)> {
    let mut found = Vec::new();
    for dir in members() {
        let dir_name = match dir.strip_prefix(root()) {
            Ok(p) if p.as_os_str().is_empty() => ".".to_string(),
            Ok(p) => p.display().to_string(),
            Err(_) => dir.display().to_string(),
        };
        for (parent, edges) in sibling_edges(&dir) {
            let inside = if parent.is_empty() {
                "crate root".to_string()
            } else {
                parent.join("::")
            };
            for group in cycle_groups(&edges) {
                let within: BTreeSet<(String, String)> = edges
                    .iter()
                    .filter(|(a, b)| group.contains(a) && group.contains(b))
                    .cloned()
                    .collect();
                let cycle = find_cycle(&within).unwrap_or_default();
                found.push((format!("{dir_name} ({inside})"), group.join(" ↔ "), cycle));
            }
        }
    }
    found
}

#[test]
fn no_module_cycle_inside_any_workspace_crate() {
    let found = cycles();
    let new: Vec<String> = found
        .iter()
        .filter(|(place, pair, _)| !KNOWN_CYCLES.contains(&(place.as_str(), pair.as_str())))
        .map(|(place, _, cycle)| format!("{place}: {}", cycle.join(" → ")))
        .collect();
    assert!(
        new.is_empty(),
        "module cycles (move the shared piece down, or invert the dependency):\n{}",
        new.join("\n")
    );
    let gone: Vec<String> = KNOWN_CYCLES
        .iter()
        .filter(|(place, pair)| !found.iter().any(|(p, c, _)| p == place && c == pair))
        .map(|(place, pair)| format!("{place}: {pair}"))
        .collect();
    assert!(
        gone.is_empty(),
        "these cycles are gone: delete them from KNOWN_CYCLES\n{}",
        gone.join("\n")
    );
}

/// The packages `name` depends on, directly or not, from Cargo.lock.
fn dependency_tree(name: &str) -> BTreeSet<String> {
    let lock: toml::Table = std::fs::read_to_string(root().join("Cargo.lock"))
        .expect("Cargo.lock is committed")
        .parse()
        .expect("valid TOML");
    let packages = lock
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in &packages {
        let Some(package_name) = package.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        let list = package
            .get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            // "name" or "name version" or "name version (source)"
            .filter_map(|d| d.split(' ').next())
            .map(str::to_string);
        deps.entry(package_name.to_string())
            .or_default()
            .extend(list);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(next) = todo.pop() {
        for dep in deps.get(&next).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                todo.push(dep.clone());
            }
        }
    }
    seen
}

/// Whether the workspace has a package called `name`.
fn has_package(name: &str) -> bool {
    members().iter().any(|dir| {
        std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .and_then(|t| {
                t.get("package")
                    .and_then(|p| p.get("name"))
                    .and_then(|n| n.as_str())
                    .map(|n| n == name)
            })
            .unwrap_or(false)
    })
}

#[test]
fn the_graph_client_knows_nothing_of_terminals() {
    assert!(has_package("sctui-graph"), "the client crate is a member");
    let tree = dependency_tree("sctui-graph");
    for terminal in ["ratatui", "crossterm", "tui-input", "sctui"] {
        assert!(
            !tree.contains(terminal),
            "sctui-graph depends on {terminal}: the client must stay usable without a terminal"
        );
    }
}

#[test]
fn the_fake_does_not_depend_on_the_client_it_checks() {
    // The fake writes Graph's wire JSON from its own types; sharing the client's would make it
    // agree with the client instead of checking it.
    if !has_package("sctui-fake") {
        return; // not split into its own crate (yet): nothing to check
    }
    let tree = dependency_tree("sctui-fake");
    for forbidden in ["sctui-graph", "sctui", "ratatui", "crossterm"] {
        assert!(
            !tree.contains(forbidden),
            "sctui-fake depends on {forbidden}"
        );
    }
}

#[test]
fn the_scanner_sees_cycles_nesting_and_grouped_uses() {
    let mut edges = BTreeSet::new();
    edges.insert(("a".to_string(), "b".to_string()));
    edges.insert(("b".to_string(), "c".to_string()));
    assert_eq!(find_cycle(&edges), None);
    edges.insert(("c".to_string(), "a".to_string()));
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    edges.insert(("d".to_string(), "e".to_string()));
    edges.insert(("e".to_string(), "d".to_string()));
    assert_eq!(
        cycle_groups(&edges),
        vec![vec!["a", "b", "c"], vec!["d", "e"]]
    );
    assert_eq!(
        expand("crate::{a::{b, c}, d}"),
        vec!["crate::a::b", "crate::a::c", "crate::d"]
    );
    let known: BTreeMap<ModPath, PathBuf> = [
        vec![],
        vec!["x".to_string()],
        vec!["x".to_string(), "y".to_string()],
        vec!["z".to_string()],
    ]
    .into_iter()
    .map(|m| (m, PathBuf::new()))
    .collect();
    let from = vec!["x".to_string(), "y".to_string()];
    assert_eq!(
        target(&from, "super::super::z::Thing", &known),
        Some(vec!["z".to_string()])
    );
    assert_eq!(
        target(&from, "crate::x::Item", &known),
        Some(vec!["x".to_string()])
    );
    assert_eq!(target(&from, "std::fmt", &known), None);
    let code = code("use crate::x::y; // crate::z\nlet s = \"crate::z\";\n");
    assert_eq!(paths(&code), vec!["crate::x::y", "crate::x::y"]);
}
