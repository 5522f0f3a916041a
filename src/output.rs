//! The one way text leaves the process for a terminal or a file: stdout, stderr and exported
//! files all go through [`Safe`], which runs the sanitiser over everything written, so server or
//! sign-in text (names, states, error messages, device-code prompts, account names) can never
//! smuggle an escape sequence, a C1 control, a bidi override or an invisible character out.
//! JSON keeps its exact values: the few characters a terminal would act on are written as
//! `\uXXXX` escapes, which every JSON reader decodes back to the same string. The log file has its
//! own chokepoint in [`crate::logging`], built on the same sanitiser.
//!
//! `tests/it/output_chokepoint.rs` fails when code elsewhere prints or writes files directly.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sctui_app::sanitize::sanitize_multiline;

/// `println!` through the chokepoint: sanitised, to stdout; errors (a closed pipe) are ignored.
macro_rules! safe_println {
    ($($arg:tt)*) => {{
        let _ = $crate::output::stdout().write_line(format_args!($($arg)*));
    }};
}

/// `eprintln!` through the chokepoint: sanitised, to stderr.
macro_rules! safe_eprintln {
    ($($arg:tt)*) => {{
        let _ = $crate::output::stderr().write_line(format_args!($($arg)*));
    }};
}

pub(crate) use safe_eprintln as eprintln;
pub(crate) use safe_println as println;

/// A writer that sanitises every piece of text written through it (line breaks are kept).
pub struct Safe<W: Write> {
    inner: W,
}

/// Standard output, sanitised.
pub fn stdout() -> Safe<io::StdoutLock<'static>> {
    Safe::new(io::stdout().lock())
}

/// Standard error, sanitised.
pub fn stderr() -> Safe<io::StderrLock<'static>> {
    Safe::new(io::stderr().lock())
}

impl<W: Write> Safe<W> {
    /// Wraps any writer (tests capture into a `Vec<u8>`).
    pub fn new(inner: W) -> Self {
        Self { inner }
    }

    /// What `write!`/`writeln!` call: the whole formatted text is sanitised at once, so an escape
    /// sequence cannot hide across the pieces of a format string.
    pub fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        match args.as_str() {
            Some(text) => self.write_text(text),
            None => self.write_text(&args.to_string()),
        }
    }

    /// Writes the formatted text and a line break, sanitised.
    pub fn write_line(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        let mut text = args.to_string();
        text.push('\n');
        self.write_text(&text)?;
        self.inner.flush()
    }

    /// Writes text, sanitised.
    pub fn write_text(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(sanitize_multiline(text).as_bytes())
    }

    /// Writes text whose lines end in CRLF (CSV records), sanitised with those ends kept.
    pub fn write_records(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(sanitize_records(text).as_bytes())
    }

    /// `text` (sanitised) in bold reverse video: the only escape sequence sctui itself writes
    /// through here, around text already cleaned (search hits on a terminal).
    pub fn highlight(&mut self, text: &str) -> io::Result<()> {
        self.inner.write_all(b"\x1b[1;7m")?;
        self.write_text(text)?;
        self.inner.write_all(b"\x1b[0m")
    }

    /// The UTF-8 byte-order mark a CSV export starts with (the sanitiser would drop it as an
    /// invisible character): a fixed constant, never server text.
    pub fn byte_order_mark(&mut self) -> io::Result<()> {
        self.inner.write_all("\u{feff}".as_bytes())
    }

    /// Pretty JSON and a newline, values exact (see [`to_json`]).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        let text = to_json(value)?;
        self.inner.write_all(text.as_bytes())?;
        self.inner.write_all(b"\n")
    }

    /// Flushes the inner writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// The wrapped writer (tests).
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Safe<W> {
    /// Raw bytes (e.g. `write_all`) are sanitised too, as UTF-8 with bad bytes replaced.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_text(&String::from_utf8_lossy(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Pretty JSON whose values are exactly the server's, with every character a terminal could act
/// on (C0 and C1 controls, DEL, bidi controls, invisible characters, line and paragraph
/// separators) written as a `\uXXXX` escape: `cat`-ing the output or printing it is harmless.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, TerminalSafeJson::new());
    value.serialize(&mut serializer).map_err(io::Error::other)?;
    String::from_utf8(out).map_err(io::Error::other)
}

/// serde_json's pretty formatter, escaping what a terminal would interpret.
struct TerminalSafeJson {
    pretty: serde_json::ser::PrettyFormatter<'static>,
}

impl TerminalSafeJson {
    fn new() -> Self {
        Self {
            pretty: serde_json::ser::PrettyFormatter::new(),
        }
    }
}

/// Whether JSON output spells this character as `\uXXXX` (serde_json itself escapes C0).
fn escape_in_json(c: char) -> bool {
    sctui_app::sanitize::is_hazard(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            serde_json::ser::Formatter::$name(&mut self.pretty, writer $(, $arg)*)
        })*
    };
}

impl serde_json::ser::Formatter for TerminalSafeJson {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        writer.write_all(escape_terminal_hazards(fragment).as_bytes())
    }
}

/// JSON text with every character a terminal would act on written as a `\uXXXX` escape. Such a
/// character can only stand inside a JSON string (the rest is ASCII), where the escape means the
/// same character: for JSON written by another serialiser (`--jq`'s results).
pub fn escape_terminal_hazards(json: &str) -> std::borrow::Cow<'_, str> {
    // a line break is the layout of pretty JSON (inside a string it is already `\n`)
    let hazard = |c: char| c != '\n' && escape_in_json(c);
    if !json.chars().any(hazard) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hazard(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes `text` (sanitised) to `path`, replacing the file: for `sessions export --file PATH`,
/// where the user named the file. See [`write_file_bytes`] for how it is written.
pub fn write_file(path: &Path, text: &str) -> io::Result<()> {
    write_file_bytes(path, &[], text)
}

/// Writes `prefix` and then `text` (sanitised, CRLF line ends kept: [`sanitize_records`]) to
/// `path`, readable by the user only (0600). The bytes go to a new temporary file
/// in the same folder, created with `O_EXCL` and mode 0600, which is renamed over `path` once
/// complete: an existing file is replaced whole or not at all, and a symlink at `path` is
/// replaced, never followed. `prefix` is for a byte-order mark, which the sanitiser would drop.
pub fn write_file_bytes(path: &Path, prefix: &[u8], text: &str) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".sctui-export-")
        .suffix(".part")
        .tempfile_in(folder)?;
    file.write_all(prefix)?;
    file.write_all(sanitize_records(text).as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`sanitize_multiline`] that keeps `\r\n` pairs: CSV records end in CRLF (a lone `\r` is
/// still dropped).
pub fn sanitize_records(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\r\n") {
        return sanitize_multiline(text);
    }
    let lines: Vec<_> = text.split("\r\n").map(sanitize_multiline).collect();
    std::borrow::Cow::Owned(lines.join("\r\n"))
}

/// Writes `text` (sanitised) to a new file in `dir` named `name`, or `name` with `-1`, `-2`, …
/// before its extension when that exists, readable by the user only (0600): never overwrites a
/// file and never follows a symlink (the file is created with `O_EXCL`, which refuses any
/// existing path, a link included).
/// Returns the path written.
pub fn write_new_file(dir: &Path, name: &str, text: &str) -> io::Result<PathBuf> {
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    let clean = sanitize_multiline(text);
    for n in 0..1000u32 {
        let path = match n {
            0 => dir.join(name),
            n => dir.join(format!("{stem}-{n}{ext}")),
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(clean.as_bytes())?;
                file.flush()?;
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{name} and 999 numbered variants exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\x1b]52;c;ZXZpbA==\x07b\x1b[2J\u{9b}31mc\u{202E}d\u{200B}e";

    #[test]
    fn text_is_sanitised_whole() {
        let mut out = Safe::new(Vec::new());
        writeln!(out, "state {HOSTILE} done").unwrap();
        out.write_all(HOSTILE.as_bytes()).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(!text.contains('\x1b'), "{text:?}");
        assert!(
            !text.contains('\u{9b}') && !text.contains('\u{202E}'),
            "{text:?}"
        );
        assert!(text.starts_with("state ab"), "{text:?}");
        assert!(text.contains("d\u{FFFD}e"), "{text:?}");
    }

    #[test]
    fn json_is_exact_but_escapes_what_a_terminal_would_act_on() {
        let value = serde_json::json!({ "name": HOSTILE, "plain": "über 東京 👩\u{200D}💻" });
        let text = to_json(&value).unwrap();
        assert!(
            !text.chars().any(|c| c != '\n' && escape_in_json(c)),
            "{text}"
        );
        assert!(!text.contains('\x1b') && !text.contains('\u{9b}') && !text.contains('\u{202E}'));
        assert!(text.contains("\\u001b") && text.contains("\\u009b") && text.contains("\\u202e"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value, "the values round-trip exactly");
        assert!(text.contains("über 東京"), "{text}");
        let plain =
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, {"b": null}]})).unwrap();
        assert_eq!(
            to_json(&serde_json::json!({"a": [1, {"b": null}]})).unwrap(),
            plain
        );
    }

    #[test]
    fn new_files_never_overwrite_or_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let first = write_new_file(dir.path(), "x.md", HOSTILE).unwrap();
        assert_eq!(first, dir.path().join("x.md"));
        assert!(!std::fs::read_to_string(&first).unwrap().contains('\x1b'));
        let second = write_new_file(dir.path(), "x.md", "two").unwrap();
        assert_eq!(second, dir.path().join("x-1.md"));
        assert_eq!(
            std::fs::read_to_string(&first).unwrap().len(),
            sanitize_multiline(HOSTILE).len()
        );
        #[cfg(unix)]
        {
            let target = dir.path().join("target.txt");
            std::fs::write(&target, "keep").unwrap();
            std::os::unix::fs::symlink(&target, dir.path().join("l.md")).unwrap();
            let written = write_new_file(dir.path(), "l.md", "evil").unwrap();
            assert_eq!(written, dir.path().join("l-1.md"));
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        }
    }

    #[cfg(unix)]
    #[test]
    fn named_files_are_private_and_replace_a_symlink_instead_of_following_it() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().mode() & 0o777;

        let path = dir.path().join("out.md");
        write_file(&path, HOSTILE).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            sanitize_multiline(HOSTILE)
        );

        // an existing, world-readable file is replaced whole by a private one
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_file(&path, "second").unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");

        // a symlink planted at the path is replaced; its target keeps its content
        let target = dir.path().join("victim.txt");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.html");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_file_bytes(&link, b"\xef\xbb\xbf", "a,b\r\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_file()
        );
        assert_eq!(mode(&link), 0o600);
        assert_eq!(std::fs::read(&link).unwrap(), b"\xef\xbb\xbfa,b\r\n");

        // nothing is left behind, and a failed write leaves the old file alone
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".part")), "{names:?}");
        assert!(write_file(&dir.path().join("missing/x.md"), "x").is_err());

        // the TUI's new files are private too
        let new = write_new_file(dir.path(), "tui.md", "t").unwrap();
        assert_eq!(mode(&new), 0o600);
    }
}
