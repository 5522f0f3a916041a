//! `sctui completions SHELL` and `sctui man`: generated from the same clap definition as the
//! parser, so they cannot drift from the real flags.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::Cli;

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "sctui", &mut buffer);
    out.write_all(&buffer)?;
    out.flush()
}

/// Environment variables worth a man page entry.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "SCTUI_ACCESS_TOKEN",
        "A Graph access token to use instead of signing in.",
    ),
    (
        "SCTUI_CLIENT_SECRET",
        "The secret for [auth] method = \"client-secret\".",
    ),
    ("SCTUI_CONFIG", "The config file (like --config)."),
    ("SCTUI_PROFILE", "The config profile (like --profile)."),
    ("SCTUI_GRAPH_URL", "The Graph base URL (like --graph-url)."),
    ("SCTUI_WORKSPACE", "The workspace id (like --workspace)."),
    (
        "SCTUI_AUTHORITY_HOST",
        "The sign-in service (like --authority-host).",
    ),
    ("SCTUI_LOG", "The log level (like --log-level)."),
    (
        "NO_COLOR",
        "Any non-empty value: draw no colours at all (no-color.org).",
    ),
];

/// Writes the man page (roff): the main page, then a section per subcommand with its options.
pub fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    // the --help epilogue is plain text with line breaks; the man page gets real sections
    let command = Cli::command()
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut buffer)?;
    render_subcommands(&command, "SCTUI", &mut buffer)?;

    writeln!(buffer, ".SH \"EXIT STATUS\"\n.nf")?;
    for line in crate::cli::exit::TABLE.lines().skip(1) {
        writeln!(buffer, "{}", roff_escape(line.trim_start()))?;
    }
    writeln!(buffer, ".fi\n.SH ENVIRONMENT")?;
    for (name, what) in ENVIRONMENT {
        writeln!(
            buffer,
            ".TP\n\\fB{}\\fR\n{}",
            roff_escape(name),
            roff_escape(what)
        )?;
    }
    writeln!(buffer, ".SH FILES")?;
    let files = [
        ("config file", crate::config::default_config_path()),
        ("log file", crate::logging::log_path()),
    ];
    for (what, path) in files {
        if let Some(path) = path {
            let path = path.display().to_string();
            writeln!(buffer, ".TP\n{}\nThe {what}.", roff_escape(&path))?;
        }
    }
    out.write_all(&buffer)?;
    out.flush()
}

/// One section per subcommand (recursively: `SCTUI SESSIONS LIST`), with its options.
fn render_subcommands(
    command: &clap::Command,
    prefix: &str,
    buffer: &mut Vec<u8>,
) -> std::io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let title = format!("{prefix} {}", sub.get_name().to_uppercase());
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(buffer, ".SH \"{title}\"\n{}", roff_escape(&about))?;
        if sub.has_subcommands() {
            render_subcommands(sub, &title, buffer)?;
        } else {
            clap_mangen::Man::new(sub.clone()).render_options_section(buffer)?;
        }
    }
    Ok(())
}

/// Keeps text from being read as roff requests or escapes.
fn roff_escape(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}
