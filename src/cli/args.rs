//! The command line: flags for the TUI and subcommands for scripts. Names here are a promise to
//! users and scripts; add, never rename.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// What `--faults` parses into: the fake's rules, or (built without the `demo` feature) the text,
/// refused when used.
#[cfg(feature = "demo")]
pub type FaultSpec = sctui_fake::FaultSpec;
/// What `--faults` parses into: the fake's rules, or (built without the `demo` feature) the text,
/// refused when used.
#[cfg(not(feature = "demo"))]
pub type FaultSpec = String;

/// Keyboard-first terminal UI and CLI for Microsoft Security Copilot sessions.
///
/// Without a subcommand, opens the TUI. `--demo` runs everything against a built-in Graph fake
/// (no account, no network).
#[derive(Debug, Parser)]
#[command(name = "sctui", version, about, long_about = None, after_long_help = after_help(), after_help = after_help())]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags that apply to the TUI and to every subcommand. `sctui --help` lists them once, under
/// their own headings; a subcommand's `--help` lists its own flags and points there
/// ([`command`]).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = GLOBAL_HEADING)]
pub struct GlobalArgs {
    /// Graph base URL [env: SCTUI_GRAPH_URL] [default: https://graph.microsoft.com/beta].
    #[arg(long, value_name = "URL", global = true)]
    pub graph_url: Option<String>,

    /// Security Copilot workspace id [env: SCTUI_WORKSPACE] [default: default].
    #[arg(long, value_name = "ID", global = true)]
    pub workspace: Option<String>,

    /// Config file [env: SCTUI_CONFIG] [default: see below].
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,

    /// Sessions per page ($top), 1 to 1000 [default: 100].
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: Option<u32>,

    /// Log level for the log file: error, warn, info, debug, trace [env: SCTUI_LOG].
    #[arg(long, value_name = "LEVEL", global = true)]
    pub log_level: Option<String>,

    /// Sign-in service [env: SCTUI_AUTHORITY_HOST] [default: https://login.microsoftonline.com].
    #[arg(long, value_name = "URL", global = true)]
    pub authority_host: Option<String>,

    /// Also send the token to this Graph host (besides Microsoft Graph's and loopback); repeatable.
    #[arg(long = "allow-host", value_name = "HOST", global = true)]
    pub allow_host: Vec<String>,

    /// Read the access token from this file instead of signing in (no refresh).
    #[arg(long, value_name = "PATH", global = true)]
    pub token_file: Option<PathBuf>,

    /// Use the config file's [profiles.NAME] (tenant, client id, workspace, Graph URL)
    /// [env: SCTUI_PROFILE].
    #[arg(long, value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Leave the mouse to the terminal (select text with it) instead of clicking and scrolling.
    #[arg(long, global = true)]
    pub no_mouse: bool,

    /// Keep nothing on disk: no local store of sessions, questions and answers (as `[store]
    /// enabled = false`).
    #[arg(long, global = true, conflicts_with = "offline")]
    pub no_store: bool,

    /// Read from the local store only, with no network: browse, read and search what `sctui
    /// sync` (or the TUI) kept; changes are refused.
    #[arg(long, global = true)]
    pub offline: bool,

    /// Use the built-in Graph fake seeded with demo sessions (no account, no network).
    #[arg(long, global = true, help_heading = DEMO_HEADING)]
    pub demo: bool,

    /// With --demo: generate N synthetic sessions instead of the demo set (scale checks).
    #[arg(long, value_name = "N", global = true, requires = "demo", help_heading = DEMO_HEADING)]
    pub demo_sessions: Option<usize>,

    /// With --demo: the fake's port on 127.0.0.1, so other tools can reach it [default: any free].
    #[arg(long, value_name = "PORT", global = true, requires = "demo", help_heading = DEMO_HEADING)]
    pub demo_port: Option<u16>,

    /// With --demo: inject failures into the fake, e.g.
    /// 429=0.2,503=0.05,latency=200ms,reset=0.01,malformed=0.01,truncate=0.01 (also 500=, 504=,
    /// retry-after=0.5, seed=N).
    #[arg(long, value_name = "SPEC", global = true, requires = "demo", help_heading = DEMO_HEADING)]
    pub faults: Option<FaultSpec>,

    /// With --demo: seconds the fake's evaluations take from created to completed [default: 2].
    #[arg(long, value_name = "SECS", global = true, requires = "demo", value_parser = parse_eval_seconds, help_heading = DEMO_HEADING)]
    pub eval_seconds: Option<f64>,
}

/// The `--help` heading of the flags every subcommand accepts.
pub const GLOBAL_HEADING: &str = "Global options";

/// The `--help` heading of the flags for the built-in fake (`--demo` and what goes with it).
pub const DEMO_HEADING: &str = "Demo options (the built-in Graph fake)";

/// What a subcommand's `--help` says instead of listing the global options again.
const GLOBAL_POINTER: &str = "Global options (--workspace, --graph-url, --offline, --demo, …) work here too: see `sctui --help`.";

/// The command line as users see it: [`Cli`]'s definition, with the global options hidden from
/// each subcommand's `--help` (they are listed once, in `sctui --help`, and a line points
/// there). Hidden, they still parse anywhere on the line.
pub fn command() -> clap::Command {
    let command = Cli::command();
    let globals: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    command.mut_subcommands(|sub| hide_globals(sub, &globals))
}

/// Gives `sub` (and its subcommands) a hidden copy of each global option it does not define
/// itself: clap then does not copy the visible one in, and the value still reaches [`Cli`].
fn hide_globals(sub: clap::Command, globals: &[clap::Arg]) -> clap::Command {
    let mut sub = sub.after_help(GLOBAL_POINTER);
    for arg in globals {
        if sub.get_arguments().all(|own| own.get_id() != arg.get_id()) {
            sub = sub.arg(arg.clone().hide(true));
        }
    }
    sub.mut_subcommands(|inner| hide_globals(inner, globals))
}

/// Parses the process's arguments with [`command`]; a bad line exits with clap's message and
/// code 2, as `Cli::parse` would.
pub fn parse() -> Cli {
    let mut command = command();
    let mut matches = command.get_matches_mut();
    if let Err(conflict) = jq_without_table(&matches) {
        command
            .error(clap::error::ErrorKind::ArgumentConflict, conflict)
            .exit();
    }
    Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.format(&mut command).exit())
}

/// The check clap's attributes cannot say: `--jq` filters JSON, so an explicit `--output table`
/// beside it is a mistake.
fn jq_without_table(matches: &clap::ArgMatches) -> Result<(), &'static str> {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let filtered = matches!(leaf.try_get_one::<crate::jq::Filter>("jq"), Ok(Some(_)));
    let has_output = leaf.ids().any(|id| id.as_str() == "output");
    let table = has_output
        && leaf.value_source("output") == Some(clap::parser::ValueSource::CommandLine)
        && (matches!(
            leaf.try_get_one::<OutputFormat>("output"),
            Ok(Some(OutputFormat::Table))
        ) || matches!(leaf.try_get_one::<String>("output"), Ok(Some(o)) if o == "table"));
    if filtered && table {
        return Err("--jq filters JSON output: leave out `--output table`");
    }
    Ok(())
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, read, create and rename sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),

    /// List the prompts (questions) of a session, or run one again.
    #[command(subcommand)]
    Prompts(PromptsCommand),

    /// The workspace's plugins: what Security Copilot can reach (stored for --offline).
    #[command(subcommand)]
    Plugins(PluginsCommand),

    /// Capacity at a glance, from the local store alone: evaluations per hour and per day by
    /// result, the share that hit capacity, the median time to an answer.
    Stats(StatsArgs),

    /// Ask Security Copilot a question, in a new session or an existing one.
    Ask(AskArgs),

    /// Fetch the session list (and with --conversations every question and answer) into the
    /// local store, for search and --offline.
    Sync(SyncArgs),

    /// Full-text search over the stored session names, questions and answers (run `sctui sync
    /// --conversations` first to have them all).
    Search(SearchArgs),

    /// The local store: where it is, what it holds, and deleting it.
    #[command(subcommand)]
    Store(StoreCommand),

    /// Promptbooks in Microsoft's format: list, show and check them, run them through Graph
    /// (resumable), and make one from a session.
    #[command(subcommand)]
    Promptbook(PromptbookCommand),

    /// Run the built-in Graph fake as a server; prints its base URL on the first line of stdout
    /// and serves until Ctrl-C.
    #[cfg(feature = "demo")]
    FakeGraph(FakeGraphArgs),

    /// Sign in (device code by default) and cache the tokens.
    Login(LoginArgs),

    /// Sign out: delete the token cache.
    Logout,

    /// Show who is signed in, the token source, granted scopes and expiry (never a token).
    Whoami {
        #[command(flatten)]
        output: OutputArg,
    },

    /// Print a shell completion script, e.g. `sctui completions bash > ~/.local/share/bash-completion/completions/sctui`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), e.g. `sctui man | man -l -`.
    Man,
}

/// `sctui login`.
#[derive(Debug, Args, Default)]
#[command(group = clap::ArgGroup::new("method").multiple(false))]
pub struct LoginArgs {
    /// Sign in in a browser with a code (the default).
    #[arg(long, group = "method")]
    pub device_code: bool,
    /// Use the Azure CLI's token (`az login` first).
    #[arg(long, group = "method")]
    pub az: bool,
    /// App-only sign-in with SCTUI_CLIENT_SECRET (experimental; needs --tenant).
    #[arg(long, group = "method")]
    pub client_secret: bool,
    /// Tenant id or domain [default: organizations].
    #[arg(long, value_name = "T")]
    pub tenant: Option<String>,
    /// Application (client) id [default: Microsoft Graph Command Line Tools].
    #[arg(long, value_name = "C")]
    pub client_id: Option<String>,
}

/// `sctui sessions …`.
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// List sessions, newest first (one page unless --all).
    List {
        /// Follow @odata.nextLink through every page.
        #[arg(long)]
        all: bool,
        /// Page size ($top), 1 to 1000 [default: page_size, or bulk_page_size (1000) with
        /// --all]; without --all, also the number listed.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
        top: Option<u32>,
        /// OData $filter, e.g. "startswith(displayName,'KQL')" (best effort on Graph).
        #[arg(long, value_name = "EXPR")]
        filter: Option<String>,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Show one session.
    Get {
        /// Session id.
        id: String,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Create a session with a display name.
    Create {
        /// Display name of the new session.
        name: String,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Export a session to a file a person opens (Markdown, HTML, JSON), or with --all every
    /// stored session to one CSV or JSON file; --offline reads the local store only.
    #[command(after_help = EXPORT_EXAMPLES, after_long_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// A new session that asks questions 1..N of this one again, in order, each after the answer
    /// to the one before (resume an interrupted fork with `sctui promptbook resume RUN`).
    Fork {
        /// The session to fork.
        id: String,
        /// Ask questions 1 to N [default: all of them].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        at: Option<u32>,
        /// The new session's name [default: "<name> (fork)"].
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Also wait for the last answer (exit code 7 when a question ends without one).
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Rename a session.
    Rename {
        /// Session id.
        id: String,
        /// New display name.
        name: String,
        #[command(flatten)]
        output: OutputArg,
    },
}

/// `sctui sessions export`.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["id", "all"]))]
pub struct ExportArgs {
    /// Session id.
    pub id: Option<String>,
    /// Every stored session (online: fetched into the local store first) in one file; needs
    /// --format csv|json and --file.
    #[arg(long, requires_all = ["format", "file"])]
    pub all: bool,
    /// With --all: only sessions modified within this time, e.g. 12h, 7d, 2w.
    #[arg(long, value_name = "DURATION", requires = "all", value_parser = crate::store::duration::parse)]
    pub since: Option<std::time::Duration>,
    /// What to write: md, html or json for one session (also csv); csv or json with --all
    /// [default: md].
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormat>,
    /// The file to write (created 0600, replaced whole); `-` for stdout [default: stdout].
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// What the command prints: `table` (a line on stderr saying what was written) or `json`
    /// (the same as an object on stdout; needs --file) [default: table; json with --jq].
    #[arg(long, short = 'o', value_name = "OUTPUT")]
    pub output: Option<String>,
    #[command(flatten)]
    pub jq: JqArgs,
}

/// The formats `sessions export --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Markdown, as the reader shows it.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML page: styles inline, no script, nothing fetched.
    Html,
    /// Graph's JSON: the session, its prompts and their evaluations.
    Json,
    /// One row per question, UTF-8 with a byte-order mark, for a spreadsheet.
    Csv,
}

impl From<ExportFormat> for crate::export::Format {
    fn from(format: ExportFormat) -> Self {
        match format {
            ExportFormat::Md => Self::Markdown,
            ExportFormat::Html => Self::Html,
            ExportFormat::Json => Self::Json,
            ExportFormat::Csv => Self::Csv,
        }
    }
}

/// Examples under `sctui sessions export --help`.
const EXPORT_EXAMPLES: &str = "\
Examples:
  sctui sessions export ID --format html --file triage.html
  sctui --offline sessions export ID --format json --file -
  sctui sessions export --all --since 7d --format csv --file sessions.csv";

/// `sctui prompts …`.
#[derive(Debug, Subcommand)]
pub enum PromptsCommand {
    /// List a session's prompts with the state of their latest evaluation (with -o json, every
    /// evaluation, the latest first).
    List {
        /// Session id.
        session_id: String,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Run a question again: a new evaluation of the same prompt (no new question is posted).
    Rerun {
        /// Session id.
        session_id: String,
        /// Prompt id (from `sctui prompts list`).
        prompt_id: String,
        /// Wait for the answer and print it (exit code 7 when the evaluation ends without one).
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        output: OutputArg,
    },
}

impl PromptsCommand {
    /// The session the command is about.
    pub fn session_id(&self) -> &str {
        match self {
            Self::List { session_id, .. } | Self::Rerun { session_id, .. } => session_id,
        }
    }
}

/// `sctui plugins …`.
#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// List the plugins: name, category, scope, enabled, preview state, and settings' names
    /// (never their values).
    List {
        #[command(flatten)]
        output: OutputArg,
    },
}

/// `sctui stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// How far back to look, e.g. 12h, 7d, 2w.
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = crate::store::duration::parse)]
    pub since: std::time::Duration,
    #[command(flatten)]
    pub output: OutputArg,
}

/// `sctui ask`.
#[derive(Debug, Args)]
pub struct AskArgs {
    /// Ask in this session; without it a new session is created, named after the question.
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// The question; `-`, or nothing when stdin is not a terminal, reads it from stdin.
    pub text: Option<String>,
    /// Wait for the answer and print it (exit code 7 when the evaluation fails).
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub output: OutputArg,
}

/// `sctui sync`.
#[derive(Debug, Args, Default)]
pub struct SyncArgs {
    /// Also fetch every session's prompts and evaluations (skips conversations already stored
    /// and unchanged).
    #[arg(long)]
    pub conversations: bool,
    /// Only conversations of sessions modified within this time, e.g. 12h, 7d, 2w.
    #[arg(long, value_name = "DURATION", value_parser = crate::store::duration::parse)]
    pub since: Option<std::time::Duration>,
    /// Requests in flight at once, 1 to 32 [default: `[store] sync_concurrency`, 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: Option<u16>,
}

/// `sctui search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find (all of them), "a phrase", a prefix* or OR between alternatives; NOT word
    /// leaves out what holds it. T1059.001, CVE-2024-3400, IP addresses and -EncodedCommand are
    /// found as typed (a query may start with `-`; `sctui search -- -x` works too).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// At most this many hits, best first.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub limit: u32,
    /// Stop a search that takes longer than this many seconds [default: `[store]
    /// cli_search_timeout`, 5].
    #[arg(long, value_name = "SECONDS", value_parser = positive_seconds)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub output: OutputArg,
}

/// `sctui store …`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Print the store file's path (for this Graph host, tenant and workspace).
    Path,
    /// What the store holds: sessions, conversations, questions, size.
    Stats {
        #[command(flatten)]
        output: OutputArg,
    },
    /// Delete the store file (Graph keeps everything; the next run fetches it again). Refused
    /// while another sctui process has the store open, unless --force.
    Clear {
        /// Delete it even while another sctui process has it open (that process then stops
        /// keeping anything in it).
        #[arg(long)]
        force: bool,
    },
}

/// `sctui promptbook …`.
#[derive(Debug, Subcommand)]
pub enum PromptbookCommand {
    /// The library: each book's name, inputs, steps and file (the config folder's
    /// `promptbooks/`, and with --demo the demo's own books).
    List {
        /// More books: files, or folders of `.json` files.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArg,
    },
    /// A book's inputs and numbered steps; `-o json` prints the book in Microsoft's format
    /// (UTF-8), whatever encoding its file has.
    Show {
        /// A file, or the name (or file name) of a book in the library.
        book: String,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Check books: exit 0 when every one is runnable, else 1; each problem with its place.
    Lint {
        /// Files, or names of books in the library.
        #[arg(required = true, value_name = "BOOK")]
        books: Vec<String>,
        /// Fail on warnings too (what the service refuses to import).
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Run a book through Graph: one session, each step posted, evaluated and followed to its
    /// end before the next (exit 7 when a step ends without an answer).
    Run(PromptbookRunArgs),
    /// The runs recorded in the local store, newest first.
    Runs {
        #[command(flatten)]
        output: OutputArg,
    },
    /// Finish an interrupted or failed run: no prompt is posted twice; a failed step is
    /// evaluated again.
    Resume {
        /// The run's id (`sctui promptbook runs`).
        run: i64,
        /// Write the run's report here: Markdown, or JSON for a `.json` file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// How long to wait when Security Copilot is out of capacity [default: the run's own].
        #[arg(long, value_name = "DURATION", value_parser = crate::store::duration::parse)]
        retry_capacity_after: Option<std::time::Duration>,
        #[command(flatten)]
        output: OutputArg,
    },
    /// Write a book in Microsoft's format from a session's questions.
    New {
        /// The session whose questions, in order, become the steps.
        #[arg(long, value_name = "ID")]
        from_session: String,
        /// The book file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Turn this value back into `<NAME>` wherever a question has it; repeatable.
        #[arg(long = "input", value_name = "NAME=VALUE", value_parser = parse_input)]
        inputs: Vec<(String, String)>,
        /// The book's name [default: the session's name].
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// `sctui promptbook run`.
#[derive(Debug, Args)]
pub struct PromptbookRunArgs {
    /// A file, or the name (or file name) of a book in the library.
    pub book: String,
    /// A value for one of the book's inputs; repeatable. Names are case-sensitive.
    #[arg(long = "input", value_name = "NAME=VALUE", value_parser = parse_input)]
    pub inputs: Vec<(String, String)>,
    /// Ask in this session instead of creating one named after the book and its inputs.
    #[arg(long, value_name = "ID", conflicts_with = "inputs_file")]
    pub session: Option<String>,
    /// Write the run's report: Markdown, or JSON for a `.json` file. With --inputs-file, a
    /// folder for one report per row [default: a new folder named after the book].
    #[arg(long, value_name = "FILE.md|FILE.json")]
    pub report: Option<PathBuf>,
    /// How long to wait when Security Copilot is out of capacity, e.g. 90s, 10m [default:
    /// until the next hour begins, when capacity renews].
    #[arg(long, value_name = "DURATION", value_parser = crate::store::duration::parse)]
    pub retry_capacity_after: Option<std::time::Duration>,
    /// Run the book once per row of this CSV file, whose header names the inputs.
    #[arg(long, value_name = "ROWS.csv")]
    pub inputs_file: Option<PathBuf>,
    /// With --inputs-file: how many rows run at once, 1 to 16.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "inputs_file", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub parallel: u16,
    #[command(flatten)]
    pub output: OutputArg,
}

/// `--input NAME=VALUE`: the name is what comes before the first `=`.
fn parse_input(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "`{text}`: give an input as NAME=VALUE, e.g. incidentID=1234"
        )),
    }
}

/// `--output`, and `--jq`/`--raw` for the JSON it prints.
#[derive(Debug, Args, Clone)]
pub struct OutputArg {
    /// Output format: a readable table, or JSON with Graph's property names [default: table;
    /// json with --jq].
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Table, hide_default_value = true,
          default_value_if("jq", clap::builder::ArgPredicate::IsPresent, "json"))]
    pub output: OutputFormat,
    #[command(flatten)]
    pub jq: JqArgs,
}

/// `--jq EXPR` and `--raw`: jq on the JSON a command prints, in process.
#[derive(Debug, Args, Clone, Default, PartialEq, Eq)]
pub struct JqArgs {
    /// Filter the JSON output with a jq expression, run in process (no `jq` needed); implies
    /// --output json. See docs/export.md for examples.
    #[arg(long, value_name = "EXPR", value_parser = crate::jq::Filter::parse)]
    pub jq: Option<crate::jq::Filter>,
    /// With --jq: print strings as their text, without quotes (jq's -r).
    #[arg(long, requires = "jq")]
    pub raw: bool,
}

/// What `--output` asks for: a table for people, JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

/// `--eval-seconds`: a run time between 0 and an hour.
fn parse_eval_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "`{text}`: seconds between 0 and 3600, e.g. 2 or 0.5 or 16"
        )),
    }
}

/// The order `sctui fake-graph` lists sessions in when the client asks for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionOrderArg {
    /// Newest first, as Graph's docs show.
    NewestFirst,
    /// Creation order.
    OldestFirst,
}

/// `sctui fake-graph`.
#[cfg(feature = "demo")]
#[derive(Debug, Args)]
pub struct FakeGraphArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The bearer token clients must send [default: accept any non-empty token].
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Generate N synthetic sessions instead of the demo set.
    #[arg(long, value_name = "N")]
    pub sessions: Option<usize>,
    /// Seconds the access tokens issued by the fake sign-in service live.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub token_lifetime: u64,
    /// Times the fake sign-in service answers "authorization pending" before approving a code.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub pending_polls: u32,
    /// Inject failures, e.g. 429=0.2,503=0.05,latency=200ms,reset=0.01,malformed=0.01,truncate=0.01
    /// (also 500=, 504=, retry-after=0.5, seed=N).
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<FaultSpec>,
    /// Seconds an evaluation takes from created to completed (Graph's docs show about 16).
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_eval_seconds)]
    pub eval_seconds: f64,
    /// The sessions list's order when the client asks for none.
    #[arg(long, value_enum, default_value_t = SessionOrderArg::NewestFirst)]
    pub order: SessionOrderArg,
    /// Serve query options Graph's docs don't list for a resource (`$orderby`, `$top` on
    /// workspaces) instead of answering 400.
    #[arg(long)]
    pub lenient: bool,
}

fn after_help() -> String {
    let config = crate::config::default_config_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no config directory on this system)".into());
    let log = crate::logging::log_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no state directory on this system)".into());
    format!(
        "Authentication: run `sctui login` once (device code; tokens are cached and refreshed),\n\
         or set SCTUI_ACCESS_TOKEN to a Graph access token carrying\n\
         SecurityCopilotWorkspaces.Read.All (or .ReadWrite.All to rename and create).\n\n\
         Config file: {config}\n\
         Log file:    {log}\n\n{}",
        crate::cli::exit::TABLE
    )
}

/// A number of seconds above zero and at most an hour.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err(format!(
            "{text:?} is not a number of seconds between 0 and 3600"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn parses_the_documented_commands() {
        let cli = Cli::try_parse_from([
            "sctui",
            "--demo",
            "sessions",
            "list",
            "--all",
            "--top",
            "50",
            "--filter",
            "contains(displayName,'x')",
            "--output",
            "json",
        ])
        .unwrap();
        assert!(cli.global.demo);
        match cli.command {
            Some(Command::Sessions(SessionsCommand::List {
                all,
                top,
                filter,
                output,
            })) => {
                assert!(all);
                assert_eq!(top, Some(50));
                assert_eq!(filter.as_deref(), Some("contains(displayName,'x')"));
                assert_eq!(output.output, OutputFormat::Json);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["sctui", "sessions", "rename", "id1", "new name"]).is_ok());
        assert!(
            Cli::try_parse_from(["sctui", "fake-graph", "--port", "0", "--sessions", "250"])
                .is_ok()
        );
        assert!(Cli::try_parse_from(["sctui", "sessions", "list", "--top", "0"]).is_err());
    }

    #[test]
    fn help_lists_exit_codes() {
        let help = Cli::command().render_help().to_string();
        assert!(help.contains("Exit codes"), "{help}");
        assert!(help.contains("4  not found"), "{help}");
    }
}
