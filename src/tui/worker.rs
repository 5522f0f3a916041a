//! The async side: one task owns the Graph client, runs [`Command`]s concurrently and reports
//! [`Event`]s. It never touches the terminal and keeps no copy of the session list.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::prefetch::Prefetcher;
use sctui_graph::auth::setup::Chosen;
use sctui_graph::conversation::{self, FollowError, PollPlan, Turn};
use sctui_graph::models::{Evaluation, Page, Prompt, Session};
use sctui_graph::{GraphClient, GraphError, ListQuery, RetryNotice};

/// Work the UI asks for. Each carries what it is about, so late answers land on the right row.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Load the first page; `generation` tells a refresh's answers from an older load's.
    LoadFirstPage { generation: u64, query: ListQuery },
    /// Follow a `@odata.nextLink`.
    LoadNextPage { generation: u64, link: String },
    /// Start walking the whole list again with big pages (`query.top` is the bulk page size); its
    /// pages merge into what is loaded instead of replacing it.
    LoadBulkPage { generation: u64, query: ListQuery },
    /// PATCH a new display name; `seq` identifies this rename among several on the same row.
    Rename { id: String, name: String, seq: u64 },
    /// Load a session's prompts and their latest evaluations.
    LoadConversation { session_id: String },
    /// Fetch these sessions' conversations in the background, in order, replacing (and
    /// aborting) any prefetch in progress; empty cancels. See [`super::prefetch`].
    Prefetch { session_ids: Vec<String> },
    /// Ask a question: in `session`, or in a new session named after the question; then follow
    /// the evaluation until it settles. `seq` names this ask (and its follow) from then on.
    Ask {
        seq: u64,
        session: Option<Session>,
        text: String,
    },
    /// Poll an evaluation that was already running when its conversation loaded.
    Follow {
        seq: u64,
        session_id: String,
        prompt_id: String,
        evaluation_id: String,
    },
    /// Stop polling the evaluation of ask `seq` (it keeps running on the service).
    StopFollow { seq: u64 },
    /// Write a session's conversation as Markdown to `path`.
    Export { session: Session, path: PathBuf },
    /// List the workspaces for the picker.
    LoadWorkspaces,
    /// Talk to another workspace from now on; remembered for the next start under `remember_as`
    /// (the Graph URL, or `demo`).
    SwitchWorkspace { id: String, remember_as: String },
    /// Start the device-code sign-in (the TUI shows the code in a popup).
    StartSignIn,
    /// Give up the sign-in in progress.
    CancelSignIn,
    /// Put text on the clipboard with OSC 52. The runtime does this (it owns the terminal);
    /// the worker ignores it.
    CopyToClipboard { text: String },
}

/// What happened, for `app::update`.
#[derive(Debug)]
pub enum Event {
    /// A page arrived (`first` for a load's page 1).
    PageLoaded {
        generation: u64,
        first: bool,
        page: Page<Session>,
    },
    /// A page failed to load.
    PageFailed { generation: u64, error: GraphError },
    /// A rename landed; `session` is the server's version.
    Renamed { seq: u64, session: Session },
    /// A rename failed; `name` is what the user typed.
    RenameFailed {
        id: String,
        name: String,
        seq: u64,
        error: GraphError,
    },
    /// A session was created (by ask `seq`); its prompt follows.
    Created { seq: u64, session: Session },
    /// Creating the session failed; the typed text is kept in the prompt box.
    CreateFailed { seq: u64, error: GraphError },
    /// The question was posted and its evaluation started; following begins.
    Asked {
        seq: u64,
        session_id: String,
        prompt: Prompt,
        evaluation: Evaluation,
    },
    /// Posting the question or starting its evaluation failed after the session existed.
    AskFailed {
        seq: u64,
        session: Session,
        prompt: Option<Prompt>,
        error: GraphError,
    },
    /// A newer version of a followed evaluation.
    EvaluationUpdated {
        seq: u64,
        session_id: String,
        prompt_id: String,
        evaluation: Evaluation,
    },
    /// Following ended: settled (`Ok`), deadline, or an error.
    FollowEnded {
        seq: u64,
        session_id: String,
        result: Result<(), FollowError>,
    },
    /// A conversation arrived.
    ConversationLoaded {
        session_id: String,
        turns: Vec<Turn>,
    },
    /// A neighbour's conversation, fetched in the background (`workspace` is the one it was read
    /// from, so a late answer after a switch is dropped). Failures are not reported.
    ConversationPrefetched {
        workspace: String,
        session_id: String,
        turns: Vec<Turn>,
    },
    /// A conversation failed to load.
    ConversationFailed {
        session_id: String,
        error: GraphError,
    },
    /// The export was written.
    Exported { path: PathBuf },
    /// The export failed, phrased for the user.
    ExportFailed { message: String },
    /// The workspaces for the picker.
    WorkspacesLoaded {
        workspaces: Vec<sctui_graph::models::Workspace>,
    },
    /// Listing workspaces failed.
    WorkspacesFailed { error: GraphError },
    /// Sign-in needs the user: open `verification_uri` and enter `user_code`.
    SignInPrompt {
        verification_uri: String,
        user_code: String,
        message: String,
    },
    /// Sign-in finished; `who` is the account.
    SignedIn { who: String },
    /// Sign-in failed, phrased for the user.
    SignInFailed { message: String },
    /// A request is waiting before a retry (throttling or a network hiccup).
    Retrying(RetryNotice),
}

/// Starts the worker on the current runtime. Dropping the returned sender stops it and aborts
/// whatever it still runs, so quitting never leaves a request or poll behind.
pub fn spawn(
    client: GraphClient,
    plan: PollPlan,
    events: mpsc::UnboundedSender<Event>,
) -> mpsc::UnboundedSender<Command> {
    spawn_with_sign_in(client, plan, events, None)
}

/// Like [`spawn`], with what an interactive device-code sign-in needs (`None` in `--demo` or when
/// a token was given outright).
pub fn spawn_with_sign_in(
    client: GraphClient,
    plan: PollPlan,
    events: mpsc::UnboundedSender<Event>,
    sign_in: Option<Arc<Chosen>>,
) -> mpsc::UnboundedSender<Command> {
    let (commands_tx, commands_rx) = mpsc::unbounded_channel();
    let notices = events.clone();
    let client = client.with_retry_observer(Arc::new(move |notice| {
        let _ = notices.send(Event::Retrying(notice));
    }));
    tokio::spawn(run(client, plan, commands_rx, events, sign_in));
    commands_tx
}

async fn run(
    client: GraphClient,
    plan: PollPlan,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    sign_in: Option<Arc<Chosen>>,
) {
    let mut sign_in_task: Option<AbortHandle> = None;
    let mut client = client;
    let mut tasks = JoinSet::new();
    let mut follows: HashMap<u64, AbortHandle> = HashMap::new();
    let mut prefetcher = Prefetcher::default();
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::StopFollow { seq }) => {
                    if let Some(handle) = follows.remove(&seq) {
                        handle.abort();
                    }
                }
                Some(Command::Prefetch { session_ids }) => {
                    prefetcher.want(session_ids, &client, &mut tasks, &events);
                }
                Some(Command::SwitchWorkspace { id, remember_as }) => {
                    // in the loop, so every command sent after it uses the new workspace
                    prefetcher.cancel();
                    client = client.for_workspace(id.clone());
                    crate::config::remember_workspace(&remember_as, &id);
                }
                Some(Command::CopyToClipboard { .. }) => {}
                Some(Command::CancelSignIn) => {
                    if let Some(task) = sign_in_task.take() {
                        task.abort();
                    }
                }
                Some(Command::StartSignIn) => {
                    if let Some(task) = sign_in_task.take() {
                        task.abort();
                    }
                    let events = events.clone();
                    let chosen = sign_in.clone();
                    sign_in_task = Some(tasks.spawn(async move {
                        let _ = events.send(device_code_sign_in(chosen, &events).await);
                    }));
                }
                Some(command) => {
                    let ask_seq = match &command {
                        Command::Ask { seq, .. } | Command::Follow { seq, .. } => Some(*seq),
                        _ => None,
                    };
                    let client = client.clone();
                    let events = events.clone();
                    let handle = tasks.spawn(async move {
                        execute(&client, plan, command, &events).await;
                    });
                    if let Some(seq) = ask_seq {
                        follows.insert(seq, handle);
                    }
                }
                None => break,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {
                follows.retain(|_, handle| !handle.is_finished());
            }
        }
    }
    tasks.abort_all();
}

/// Runs one command, sending its events. Public so tests can drive the worker's logic without a UI.
pub async fn execute(
    client: &GraphClient,
    plan: PollPlan,
    command: Command,
    events: &mpsc::UnboundedSender<Event>,
) {
    let send = |event| {
        let _ = events.send(event);
    };
    match command {
        Command::LoadFirstPage { generation, query } => {
            send(match client.list_sessions(&query).await {
                Ok(page) => Event::PageLoaded {
                    generation,
                    first: true,
                    page,
                },
                Err(error) => Event::PageFailed { generation, error },
            })
        }
        Command::LoadBulkPage { generation, query } => {
            send(match client.list_sessions(&query).await {
                Ok(page) => Event::PageLoaded {
                    generation,
                    first: false,
                    page,
                },
                Err(error) => Event::PageFailed { generation, error },
            })
        }
        Command::LoadNextPage { generation, link } => send(match client.next_page(&link).await {
            Ok(page) => Event::PageLoaded {
                generation,
                first: false,
                page,
            },
            Err(error) => Event::PageFailed { generation, error },
        }),
        Command::Rename { id, name, seq } => send(match client.rename_session(&id, &name).await {
            Ok(session) => Event::Renamed { seq, session },
            Err(error) => Event::RenameFailed {
                id,
                name,
                seq,
                error,
            },
        }),
        Command::LoadConversation { session_id } => send(
            match conversation::load_conversation(client, &session_id).await {
                Ok(turns) => Event::ConversationLoaded { session_id, turns },
                Err(error) => Event::ConversationFailed { session_id, error },
            },
        ),
        Command::Ask { seq, session, text } => {
            ask_and_follow(client, plan, seq, session, &text, events).await
        }
        Command::Follow {
            seq,
            session_id,
            prompt_id,
            evaluation_id,
        } => {
            follow(
                client,
                plan,
                seq,
                session_id,
                prompt_id,
                evaluation_id,
                events,
            )
            .await
        }
        Command::StopFollow { .. }
        | Command::Prefetch { .. }
        | Command::SwitchWorkspace { .. }
        | Command::CopyToClipboard { .. }
        | Command::StartSignIn
        | Command::CancelSignIn => {}
        Command::LoadWorkspaces => send(match client.list_workspaces().await {
            Ok(workspaces) => Event::WorkspacesLoaded { workspaces },
            Err(error) => Event::WorkspacesFailed { error },
        }),
        Command::Export { session, path } => send(match export(client, &session, &path).await {
            Ok(()) => Event::Exported { path },
            Err(message) => Event::ExportFailed { message },
        }),
    }
}

async fn ask_and_follow(
    client: &GraphClient,
    plan: PollPlan,
    seq: u64,
    session: Option<Session>,
    text: &str,
    events: &mpsc::UnboundedSender<Event>,
) {
    let asked = conversation::ask(client, session, text, |created| {
        let _ = events.send(Event::Created {
            seq,
            session: created.clone(),
        });
    })
    .await;
    let asked = match asked {
        Ok(asked) => asked,
        Err(failure) => {
            let _ = events.send(match failure.session {
                None => Event::CreateFailed {
                    seq,
                    error: failure.error,
                },
                Some(session) => Event::AskFailed {
                    seq,
                    session,
                    prompt: failure.prompt,
                    error: failure.error,
                },
            });
            return;
        }
    };
    let session_id = asked.session.id.clone();
    let prompt_id = asked.prompt.id.clone();
    let evaluation_id = asked.evaluation.id.clone();
    let _ = events.send(Event::Asked {
        seq,
        session_id: session_id.clone(),
        prompt: asked.prompt,
        evaluation: asked.evaluation,
    });
    follow(
        client,
        plan,
        seq,
        session_id,
        prompt_id,
        evaluation_id,
        events,
    )
    .await;
}

/// Polls one evaluation until it settles, reporting each version and the end.
async fn follow(
    client: &GraphClient,
    plan: PollPlan,
    seq: u64,
    session_id: String,
    prompt_id: String,
    evaluation_id: String,
    events: &mpsc::UnboundedSender<Event>,
) {
    let result = conversation::follow(client, &session_id, &prompt_id, &evaluation_id, plan, |e| {
        let _ = events.send(Event::EvaluationUpdated {
            seq,
            session_id: session_id.clone(),
            prompt_id: prompt_id.clone(),
            evaluation: e.clone(),
        });
    })
    .await
    .map(|_| ());
    let _ = events.send(Event::FollowEnded {
        seq,
        session_id,
        result,
    });
}

/// The device-code flow for the TUI: reports the prompt, waits for the user, installs the tokens.
async fn device_code_sign_in(
    chosen: Option<Arc<Chosen>>,
    events: &mpsc::UnboundedSender<Event>,
) -> Event {
    let failed = |message: String| Event::SignInFailed { message };
    let Some(chosen) = chosen else {
        return failed("interactive sign-in is not available with this token source".into());
    };
    let (Some(http), Some(authority)) = (&chosen.http, &chosen.authority) else {
        return failed("interactive sign-in is not available with this token source".into());
    };
    let prompt = match sctui_graph::auth::device_code::start(http, authority).await {
        Ok(prompt) => prompt,
        Err(e) => return failed(format!("Sign-in failed: {e}")),
    };
    let _ = events.send(Event::SignInPrompt {
        verification_uri: prompt.verification_uri.clone(),
        user_code: prompt.user_code.clone(),
        message: prompt.message.clone(),
    });
    let sleeper = sctui_graph::auth::device_code::tokio_sleeper();
    match sctui_graph::auth::device_code::poll(http, authority, &prompt, &sleeper).await {
        Ok(set) => {
            let who = set
                .account
                .as_ref()
                .and_then(|a| a.username.clone().or_else(|| a.name.clone()))
                .unwrap_or_else(|| "signed in".to_string());
            chosen.complete_sign_in(set).await;
            Event::SignedIn { who }
        }
        Err(e) => failed(format!("Sign-in failed: {e}")),
    }
}

async fn export(
    client: &GraphClient,
    session: &Session,
    path: &std::path::Path,
) -> Result<(), String> {
    let turns = conversation::load_conversation(client, &session.id)
        .await
        .map_err(|e| format!("Export failed: {e}"))?;
    let text = crate::export::conversation_markdown(session, &turns);
    tokio::fs::write(path, text)
        .await
        .map_err(|e| format!("Export failed: cannot write {}: {e}", path.display()))
}
