//! Server and sign-in text leaves the process only through `sctui::output` (the sanitiser's
//! chokepoint) or the log's sanitising writer: no other code may print, or write a file, on its
//! own. This test reads the sources and fails on any direct `println!`, `eprintln!`, `stdout()`,
//! `stderr()` or file write outside the few places listed below with their reason.

use std::path::{Path, PathBuf};

/// Files allowed to write directly, and why.
const ALLOWED: &[(&str, &str)] = &[
    ("src/output.rs", "the chokepoint itself"),
    (
        "src/tui/signals.rs",
        "terminal modes only (raw mode, alternate screen, mouse): no text",
    ),
    (
        "src/tui/runtime.rs",
        "the OSC 52 clipboard sequence: base64 of text the app checked",
    ),
    (
        "src/main.rs",
        "the async runtime failed to start: no server text exists yet",
    ),
    (
        "src/config.rs",
        "remembers the picked workspace in sctui's own state file, never shown",
    ),
];

const FORBIDDEN: &[&str] = &[
    "println!(",
    "print!(",
    "io::stdout()",
    "io::stderr()",
    "fs::write(",
    "File::create(",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_prints_or_writes_files_around_the_sanitiser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut found = Vec::new();
    for file in files {
        let relative = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = file.file_name().unwrap().to_string_lossy();
        if ALLOWED.iter().any(|(f, _)| *f == relative) || name.ends_with("_tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // unit tests at the end of a file may print and write temp files as they like
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
        let lines: Vec<&str> = code.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            // asking whether a stream is a terminal writes nothing
            let next = lines.get(n + 1).copied().unwrap_or("");
            if line.contains("is_terminal()") || next.trim_start().starts_with(".is_terminal()") {
                continue;
            }
            // the chokepoint's own macros are fine
            let checked = line
                .replace("output::println!(", "")
                .replace("output::eprintln!(", "");
            for pattern in FORBIDDEN {
                if checked.contains(pattern) {
                    found.push(format!("{relative}:{}: {line}", n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "write through sctui::output (stdout(), stderr(), println!, eprintln!, write_file, \
         write_new_file) so the sanitiser sees the text:\n{}",
        found.join("\n")
    );
}
