//! What `main` runs: choosing the backend (real Graph or the built-in fake), the TUI, and the
//! CLI subcommands. Errors are reported once, here at the edge, with a documented exit code.

pub mod args;
mod auth;
mod conversation;
pub mod docs;
pub mod exit;
mod export;
#[cfg(feature = "demo")]
mod fake_graph;
#[cfg(not(feature = "demo"))]
#[path = "no_demo.rs"]
mod fake_graph;
pub(crate) mod fork;
pub mod hints;
pub mod notice;
mod output;
mod promptbook;
mod recording;
mod runs;
mod sessions;
mod store;

use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::args::{Cli, Command, GlobalArgs};
use crate::config::{Config, ConfigError, Overrides};
use sctui_graph::auth::{AuthError, TokenSource};
use sctui_graph::conversation::PollPlan;
use sctui_graph::retry::RetryPolicy;
use sctui_graph::{ClientOptions, GraphClient, GraphError};

/// Anything that ends a run early, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{}", sctui_app::advice::graph(.0))]
    Graph(#[from] GraphError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// An evaluation ended without an answer (`ask --wait`).
    #[error("{0}")]
    Evaluation(String),
    /// Signing in failed or is needed.
    #[error("{}", sctui_app::advice::auth(.0))]
    Auth(#[from] AuthError),
    /// A failure with the likely way out ([`hints`]); shown as a second line.
    #[error("{error}")]
    Hinted { error: Box<RunError>, hint: String },
    /// The local store failed (a bad search query is a usage error).
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// `--offline` asked for something the store does not hold.
    #[error("{0}")]
    NotStored(String),
    /// `promptbook lint` found books that do not pass (each problem is printed before).
    #[error("{0}")]
    Lint(String),
    /// A `--jq` expression failed on the command's output.
    #[error(transparent)]
    Filter(#[from] crate::jq::RunError),
}

impl RunError {
    /// The documented exit code for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Usage(_) => crate::cli::exit::USAGE,
            Self::Graph(e) => crate::cli::exit::for_graph_error(e),
            Self::Io(e) => crate::cli::exit::for_tui_error(e).unwrap_or(crate::cli::exit::FAILURE),
            Self::Evaluation(_) => crate::cli::exit::EVALUATION_FAILED,
            Self::Auth(e) if e.is_bad_setting() => crate::cli::exit::USAGE,
            Self::Auth(AuthError::Network { .. }) => crate::cli::exit::NETWORK,
            Self::Auth(_) => crate::cli::exit::AUTH,
            Self::Hinted { error, .. } => error.exit_code(),
            Self::Store(crate::store::StoreError::Query { .. }) => crate::cli::exit::USAGE,
            Self::Store(_) => crate::cli::exit::FAILURE,
            Self::NotStored(_) => crate::cli::exit::NOT_FOUND,
            Self::Lint(_) => crate::cli::exit::FAILURE,
            Self::Filter(_) => crate::cli::exit::FAILURE,
        }
    }
}

/// Runs the parsed command line to an exit code, printing any error to stderr.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // `sctui sessions list | head`: the reader left; that is not an error.
        Err(RunError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // A signal ended the TUI (after it restored the terminal): 128 + signal, silently, as
        // a shell expects.
        Err(RunError::Io(e)) if crate::tui::signals::is_terminated(&e) => {
            ExitCode::from(crate::cli::exit::for_tui_error(&e).unwrap_or(crate::cli::exit::FAILURE))
        }
        Err(error) => {
            tracing::error!(%error, "run failed");
            crate::output::eprintln!("sctui: error: {error}");
            if let RunError::Hinted { hint, .. } = &error {
                crate::output::eprintln!("sctui: hint: {hint}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), RunError> {
    let global = cli.global;
    match cli.command {
        #[cfg(feature = "demo")]
        Some(Command::FakeGraph(args)) => fake_graph::run(args).await,
        Some(Command::Completions { shell }) => {
            Ok(docs::completions(shell, &mut crate::output::stdout())?)
        }
        Some(Command::Man) => Ok(docs::man_page(&mut crate::output::stdout())?),
        Some(Command::Login(args)) => auth::login(&global, args).await,
        Some(Command::Logout) => Ok(auth::logout(&global)?),
        Some(Command::Whoami { output }) => auth::whoami(&global, &output).await,
        Some(Command::Store(command)) => {
            let config = load_config(&global)?;
            store::store(&global, &config, command)
        }
        Some(Command::Search(args)) => {
            let config = load_config(&global)?;
            store::search(&store::target(&global, &config), &config, args).await
        }
        Some(Command::Promptbook(command)) => promptbook::run(&global, command).await,
        Some(Command::Sync(_)) if global.offline => Err(store::refused("syncing")),
        Some(Command::Sync(args)) => {
            let backend = Backend::connect(&global).await?;
            let target =
                store::target(&global, &backend.config).for_workspace(backend.client.workspace());
            let concurrency = backend.config.sync_concurrency;
            let result = store::sync(&backend.client, &target, concurrency, args).await;
            backend.shutdown().await;
            result
        }
        Some(Command::Sessions(crate::cli::args::SessionsCommand::Export(args))) => {
            let plan = export::Plan::from_args(args)?;
            let by = export::exporter(global.demo, global.token_file.as_deref());
            if global.offline {
                let config = load_config(&global)?;
                return export::offline(&store::target(&global, &config), &plan, by);
            }
            with_graph(&global, false, async |client, config, _| {
                let target = store::target(&global, &config).for_workspace(client.workspace());
                export::online(&client, &target, config.sync_concurrency, &plan, by).await
            })
            .await
        }
        Some(Command::Sessions(command)) if global.offline => {
            let config = load_config(&global)?;
            store::offline_sessions(&store::target(&global, &config), command)
        }
        Some(Command::Prompts(command)) if global.offline => {
            let config = load_config(&global)?;
            store::offline_prompts(&store::target(&global, &config), command)
        }
        Some(Command::Ask(_)) if global.offline => Err(store::refused("asking")),
        Some(Command::Plugins(command)) if global.offline => {
            let config = load_config(&global)?;
            store::offline_plugins(&store::target(&global, &config), command)
        }
        // from the store alone, online or not
        Some(Command::Stats(args)) => {
            let config = load_config(&global)?;
            store::stats(&store::target(&global, &config), args)
        }
        Some(Command::Plugins(command)) => {
            with_graph(&global, false, async |client, config, _| {
                let target = store::target(&global, &config).for_workspace(client.workspace());
                let recorder = recording::open_for_recording(&target);
                runs::plugins(&client, recorder.as_ref(), command).await
            })
            .await
        }
        Some(Command::Sessions(crate::cli::args::SessionsCommand::Fork {
            id,
            at,
            name,
            wait,
            output,
        })) => {
            hints::check_id("session id", &id)?;
            with_graph(&global, false, async |client, config, _| {
                let target = store::target(&global, &config).for_workspace(client.workspace());
                let recorder = recording::open_for_recording(&target).map(Arc::new);
                let args = fork::Fork {
                    session_id: &id,
                    at: at.map(|n| n as usize),
                    name,
                    wait,
                    output,
                    plan: PollPlan {
                        deadline: config.ask_timeout,
                        ..PollPlan::default()
                    },
                };
                fork::fork(&client, recorder, args).await
            })
            .await
        }
        Some(Command::Sessions(command)) => {
            sessions::check_ids(&command)?;
            let listing = matches!(command, crate::cli::args::SessionsCommand::List { .. });
            with_graph(&global, listing, async |client, _, _| {
                sessions::run(&client, command).await
            })
            .await
        }
        Some(Command::Prompts(command)) => {
            hints::check_id("session id", command.session_id())?;
            if let crate::cli::args::PromptsCommand::Rerun { prompt_id, .. } = &command {
                hints::check_id("prompt id", prompt_id)?;
            }
            with_graph(&global, false, async |client, config, notices| {
                let target = store::target(&global, &config).for_workspace(client.workspace());
                let recorder = recording::open_for_recording(&target);
                match command {
                    crate::cli::args::PromptsCommand::List { session_id, output } => {
                        conversation::prompts(&client, recorder.as_ref(), &session_id, &output)
                            .await
                    }
                    crate::cli::args::PromptsCommand::Rerun {
                        session_id,
                        prompt_id,
                        wait,
                        output,
                    } => {
                        let args = runs::Rerun {
                            session_id: &session_id,
                            prompt_id: &prompt_id,
                            wait,
                            output: output.output,
                            jq: output.jq,
                            plan: PollPlan {
                                deadline: config.ask_timeout,
                                ..PollPlan::default()
                            },
                        };
                        runs::rerun(&client, recorder.as_ref(), args, &notices).await
                    }
                }
            })
            .await
        }
        Some(Command::Ask(args)) => {
            if let Some(id) = &args.session {
                hints::check_id("session id", id)?;
            }
            let question = conversation::question(args.text.as_deref())?;
            with_graph(&global, false, async |client, config, notices| {
                let plan = PollPlan {
                    deadline: config.ask_timeout,
                    ..PollPlan::default()
                };
                let target = store::target(&global, &config).for_workspace(client.workspace());
                let recorder = recording::open_for_recording(&target);
                conversation::ask(&client, recorder.as_ref(), args, &question, plan, &notices).await
            })
            .await
        }
        None if global.offline => offline_tui(&global).await,
        None => {
            let mut backend = Backend::connect(&global).await?;
            // With nothing usable cached, the TUI opens on its device-code sign-in popup.
            let sign_in = backend.auth.take().map(std::sync::Arc::new);
            let needs_sign_in = match &sign_in {
                Some(chosen) => chosen.needs_device_code_sign_in().await,
                None => false,
            };
            let who = match &sign_in {
                _ if backend.fake.is_some() => "demo".to_string(),
                Some(_) if needs_sign_in => "not signed in".to_string(),
                Some(chosen) => account_name(chosen).await,
                None => UNKNOWN_ACCOUNT.to_string(),
            };
            let settings = crate::tui::app::state::Settings {
                signed_in_at_start: !needs_sign_in,
                page_size: backend.client.page_size(),
                bulk_page_size: backend.client.bulk_page_size(),
                tz: jiff::tz::TimeZone::system(),
                export_dir: std::env::current_dir().unwrap_or_else(|_| ".".into()),
                graph_url: backend.client.base_url().to_string(),
                sync_concurrency: backend.config.sync_concurrency,
                ..ui_settings(&backend.config)
            };
            let state =
                crate::tui::app::State::with_settings(backend.client.workspace(), who, settings)
                    .offering_export_format(
                        crate::config::remembered_export_format().unwrap_or_default(),
                    );
            let plan = PollPlan {
                deadline: backend.config.ask_timeout,
                ..PollPlan::default()
            };
            // the worker owns the store: the first frame never waits on the disk
            let store =
                store::target(&global, &backend.config).for_workspace(backend.client.workspace());
            let store = store.enabled.then_some(store);
            let result =
                crate::tui::runtime::run(backend.client.clone(), state, plan, sign_in, store).await;
            backend.shutdown().await;
            result.map_err(RunError::from)
        }
    }
}

/// What the header says for an account no token names (an opaque token, an app-only one).
const UNKNOWN_ACCOUNT: &str = "account unknown";

/// Who the TUI's header names: the signed-in account from the token cache, or the one a given
/// token's claims name (`SCTUI_ACCESS_TOKEN`, `--token-file`); never where the token came from,
/// which `sctui whoami` tells.
async fn account_name(chosen: &sctui_graph::auth::setup::Chosen) -> String {
    let account = match &chosen.cached {
        Some(cached) => cached.info().await.and_then(|info| info.account),
        // a given token is fixed: reading it asks nothing of the network
        None => chosen
            .source
            .token(false)
            .await
            .ok()
            .and_then(|token| sctui_graph::auth::jwt::Claims::decode(token.expose()))
            .map(|claims| sctui_graph::auth::Account::from_claims(&claims)),
    };
    account
        .and_then(|account| account.username.or(account.name))
        .unwrap_or_else(|| UNKNOWN_ACCOUNT.to_string())
}

/// The TUI with `--offline`: the stored list and conversations, searched and read with no
/// network (no sign-in, no fake, no request); every change is refused in the app.
async fn offline_tui(global: &GlobalArgs) -> Result<(), RunError> {
    let config = load_config(global)?;
    let target = store::target(global, &config);
    if !target.enabled {
        return Err(RunError::Usage(
            "--offline reads the local store, which is off ([store] enabled = false)".into(),
        ));
    }
    if !target.exists()? {
        return Err(store::missing(&target, store::FILL_IT));
    }
    let workspace = target.key.workspace.clone();
    // never used for a request (the app asks nothing of Graph offline); the worker needs one
    let client = GraphClient::new(
        ClientOptions {
            graph_url: config.graph_url.clone(),
            workspace: workspace.clone(),
            page_size: config.page_size,
            bulk_page_size: config.bulk_page_size,
            retry: RetryPolicy::with_max_retries(0),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            max_body_bytes: config.max_body_bytes,
            allow_hosts: config.allow_hosts.clone(),
        },
        sctui_graph::auth::StaticToken::shared("", "--offline"),
    )?;
    let settings = crate::tui::app::state::Settings {
        offline: true,
        tz: jiff::tz::TimeZone::system(),
        export_dir: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        graph_url: config.graph_url.clone(),
        ..ui_settings(&config)
    };
    // no account is used offline (the banner says offline); the demo's store is still the demo's
    let who = if global.demo { "demo" } else { "" };
    let state = crate::tui::app::State::with_settings(workspace, who, settings)
        .offering_export_format(crate::config::remembered_export_format().unwrap_or_default());
    crate::tui::runtime::run(client, state, PollPlan::default(), None, Some(target))
        .await
        .map_err(RunError::from)
}

/// Runs one Graph command of the CLI: connects, announces retries and long waits on stderr,
/// and adds the way out to a failure whose likely cause is known (`listing`: the command lists
/// the workspace's sessions, so a 404 there is about the workspace).
async fn with_graph(
    global: &GlobalArgs,
    listing: bool,
    work: impl AsyncFnOnce(GraphClient, Config, notice::Notices) -> Result<(), RunError>,
) -> Result<(), RunError> {
    let backend = Backend::connect(global).await?;
    let graph_url = backend.client.base_url().to_string();
    let server = backend.server_name();
    let notices = notice::Notices::default();
    let client = backend
        .client
        .clone()
        .with_retry_observer(notices.retry_observer(&server, backend.config.max_retries));
    let workspace = client.workspace().to_string();
    let quiet = notice::quiet_for(backend.config.connect_timeout);
    let result = notices
        .while_waiting(
            &server,
            quiet,
            work(client, backend.config.clone(), notices.clone()),
        )
        .await;
    backend.shutdown().await;
    result.map_err(|error| match &error {
        RunError::Graph(graph) => {
            match hints::after_error(graph, &graph_url, &workspace, listing) {
                Some(hint) => RunError::Hinted {
                    error: Box::new(error),
                    hint,
                },
                None => error,
            }
        }
        _ => error,
    })
}

/// A Graph client, and the in-process fake behind it in `--demo`.
pub struct Backend {
    pub client: GraphClient,
    pub config: Config,
    /// The in-process fake in `--demo`.
    pub fake: Option<fake_graph::Server>,
    /// How the client signs in (`None` in `--demo`): the TUI's sign-in popup installs a
    /// device-code result into `auth.cached`.
    pub auth: Option<sctui_graph::auth::setup::Chosen>,
}

impl Backend {
    /// Loads config and builds the client: against the built-in fake with `--demo`, else against
    /// the configured Graph URL with the token source [`sctui_graph::auth::setup::choose`] picks.
    pub async fn connect(global: &GlobalArgs) -> Result<Self, RunError> {
        let config = load_config(global)?;
        let mut auth = None;
        let (graph_url, tokens, fake): (String, Arc<dyn TokenSource>, Option<fake_graph::Server>) =
            if global.demo {
                let (url, tokens, fake) = fake_graph::start_demo(global).await?;
                (url, tokens, Some(fake))
            } else {
                let chosen = auth::choose(&config, global)?;
                let source = chosen.source.clone();
                auth = Some(chosen);
                (config.graph_url.clone(), source, None)
            };
        let workspace = workspace_for(global, &config);
        let client = GraphClient::new(
            ClientOptions {
                graph_url,
                workspace,
                page_size: config.page_size,
                bulk_page_size: config.bulk_page_size,
                retry: RetryPolicy::with_max_retries(config.max_retries),
                connect_timeout: config.connect_timeout,
                request_timeout: config.request_timeout,
                max_body_bytes: config.max_body_bytes,
                allow_hosts: config.allow_hosts.clone(),
            },
            tokens,
        )?;
        Ok(Self {
            client,
            config,
            fake,
            auth,
        })
    }

    /// How messages name the server: Graph at its URL, or the built-in fake of `--demo` (whose
    /// port changes every run and means nothing to the user).
    pub fn server_name(&self) -> String {
        match self.fake {
            Some(_) => "the built-in Graph fake (--demo)".to_string(),
            None => format!("Graph at {}", self.client.base_url()),
        }
    }

    /// Stops the in-process fake, if any.
    pub async fn shutdown(self) {
        if let Some(fake) = self.fake {
            fake_graph::shutdown(fake).await;
        }
    }
}

/// The workspace a run uses: `--workspace` and `SCTUI_WORKSPACE` win; else the one picked last
/// time with `w`; else the configured one.
pub fn workspace_for(global: &GlobalArgs, config: &Config) -> String {
    let explicit = global.workspace.is_some()
        || std::env::var("SCTUI_WORKSPACE").is_ok_and(|v| !v.trim().is_empty());
    let remember_as = crate::config::workspace_memory_key(
        global.demo,
        &config.graph_url,
        config.profile.as_deref(),
    );
    match crate::config::remembered_workspace(&remember_as) {
        Some(remembered) if !explicit => remembered,
        _ => config.workspace.clone(),
    }
}

/// Keys, theme, mouse and profile from the config; key conflicts are printed before the TUI
/// opens (they stay on the terminal after it closes) and the first is shown in the status bar.
fn ui_settings(config: &Config) -> crate::tui::app::state::Settings {
    for warning in &config.warnings {
        crate::output::eprintln!("sctui: warning: {warning}");
    }
    let notice = config.warnings.first().map(|first| {
        let more = match config.warnings.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        format!("{first}{more}")
    });
    crate::tui::app::state::Settings {
        keymap: config.keymap.clone(),
        theme: config.theme.clone(),
        mouse: config.mouse,
        config_path: config.loaded_from.clone(),
        profile: config.profile.clone(),
        notice,
        hyperlinks: crate::tui::links::hyperlinks_supported(|k| std::env::var(k).ok()),
        ..Default::default()
    }
}

/// Config from the file, the environment and the global flags.
fn load_config(global: &GlobalArgs) -> Result<Config, ConfigError> {
    let overrides = Overrides {
        config_path: global.config.clone(),
        graph_url: global.graph_url.clone(),
        workspace: global.workspace.clone(),
        page_size: global.page_size,
        authority_host: global.authority_host.clone(),
        profile: global.profile.clone(),
        no_mouse: global.no_mouse,
        no_store: global.no_store,
        allow_hosts: global.allow_host.clone(),
    };
    Config::load(&overrides, &|k| std::env::var(k).ok())
}
