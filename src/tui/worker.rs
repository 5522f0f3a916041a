//! The async side: one task owns the Graph client, runs [`Command`]s concurrently and reports
//! [`Event`]s. It never touches the terminal and keeps no copy of the session list.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::persist::{Persist, StoreHandle};
use super::prefetch::Prefetcher;
use sctui_graph::GraphClient;
use sctui_graph::auth::setup::Chosen;
use sctui_graph::conversation::{self, PollPlan};
use sctui_graph::models::Session;

pub use super::protocol::{
    Command, Event, ExportError, ForkEnd, ForkProgress, RequestId, SignInError, StoreUnavailable,
    SyncFailure,
};

/// Starts the worker on the current runtime. Dropping the returned sender stops it and aborts
/// whatever it still runs, so quitting never leaves a request or poll behind.
pub fn spawn(
    client: GraphClient,
    plan: PollPlan,
    events: mpsc::UnboundedSender<Event>,
) -> mpsc::UnboundedSender<Command> {
    spawn_with_sign_in(client, plan, events, None, None)
}

/// Like [`spawn`], with what an interactive device-code sign-in needs (`None` in `--demo` or when
/// a token was given outright).
pub fn spawn_with_sign_in(
    client: GraphClient,
    plan: PollPlan,
    events: mpsc::UnboundedSender<Event>,
    sign_in: Option<Arc<Chosen>>,
    store: Option<crate::store::StoreTarget>,
) -> mpsc::UnboundedSender<Command> {
    let (commands_tx, commands_rx) = mpsc::unbounded_channel();
    let persist = store.map(|target| Persist::new(target, events.clone()));
    let notices = events.clone();
    let client = client.with_retry_observer(Arc::new(move |notice| {
        let _ = notices.send(Event::Retrying(notice));
    }));
    tokio::spawn(run_with_store(
        client,
        plan,
        commands_rx,
        events,
        sign_in,
        persist,
    ));
    commands_tx
}

/// The worker loop: runs each command as its own task (so answers come back in any order),
/// aborts an ask or follow on `StopFollow` and the sign-in on `CancelSignIn`, and switches the
/// client's workspace in order. Returns when the command channel closes, aborting what still
/// runs. Public so tests drive it through its channels, with no terminal.
pub async fn run(
    client: GraphClient,
    plan: PollPlan,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    sign_in: Option<Arc<Chosen>>,
) {
    run_with_store(client, plan, commands, events, sign_in, None).await
}

/// [`run`] with the local store: [`Command::OpenWorkspace`] opens a workspace's store (off the UI
/// thread) and sends its list, and what Graph returns is written to the store of the workspace
/// each command was issued in.
pub async fn run_with_store(
    client: GraphClient,
    plan: PollPlan,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    sign_in: Option<Arc<Chosen>>,
    persist: Option<Arc<Persist>>,
) {
    let mut sign_in_task: Option<AbortHandle> = None;
    let mut client = client;
    let mut tasks = JoinSet::new();
    let mut follows: HashMap<RequestId, AbortHandle> = HashMap::new();
    let mut prefetcher = Prefetcher::default();
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::StopFollow { req } | Command::StopSync { req }) => {
                    if let Some(handle) = follows.remove(&req) {
                        handle.abort();
                    }
                }
                Some(Command::Prefetch { session_ids }) => {
                    prefetcher.want(session_ids, &client, &mut tasks, &events);
                }
                Some(Command::OpenWorkspace { req, workspace }) => {
                    // Here in the loop, awaited: every command after this one is taken with the
                    // new workspace's client and store. Tasks already running keep theirs.
                    prefetcher.cancel();
                    client = client.for_workspace(workspace.clone());
                    let stored = match &persist {
                        Some(persist) => persist.open_workspace(&workspace).await,
                        None => None,
                    };
                    let _ = events.send(Event::StoredList { req, stored });
                }
                Some(Command::CancelSignIn) => {
                    if let Some(task) = sign_in_task.take() {
                        task.abort();
                    }
                }
                Some(Command::StartSignIn { req }) => {
                    if let Some(task) = sign_in_task.take() {
                        task.abort();
                    }
                    let events = events.clone();
                    let chosen = sign_in.clone();
                    sign_in_task = Some(tasks.spawn(async move {
                        let _ = events.send(device_code_sign_in(req, chosen, &events).await);
                    }));
                }
                Some(command) => {
                    if let (Command::Search { req, .. }, Some(persist)) = (&command, &persist) {
                        persist.note_search(req.seq);
                    }
                    let ask = match &command {
                        Command::Ask { req, .. }
                        | Command::Follow { req, .. }
                        | Command::Evaluate { req, .. }
                        | Command::Fork { req, .. }
                        | Command::Sync { req, .. } => Some(*req),
                        _ => None,
                    };
                    // The command's target is taken now, as it arrives: the client and the store
                    // of the workspace it was issued in. An answer that lands after a switch to
                    // another workspace is still written to the store of its own workspace, not
                    // dropped: it is Graph's word about that workspace, and the store is a cache
                    // of Graph, so keeping it makes that workspace's offline list fresher and
                    // never touches the store of the workspace open by then.
                    let client = client.clone();
                    let store = persist.as_ref().map(Persist::handle);
                    let events = events.clone();
                    let handle = tasks.spawn(async move {
                        execute_with_store(&client, plan, command, &events, store.as_ref()).await;
                    });
                    if let Some(req) = ask {
                        follows.insert(req, handle);
                    }
                }
                None => break,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {
                follows.retain(|_, handle| !handle.is_finished());
            }
        }
    }
    if let Some(persist) = &persist {
        persist.close();
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
    execute_with_store(client, plan, command, events, None).await
}

/// [`execute`], writing what Graph returns to the local store (and showing a stored
/// conversation while Graph's is on its way).
pub async fn execute_with_store(
    client: &GraphClient,
    plan: PollPlan,
    command: Command,
    events: &mpsc::UnboundedSender<Event>,
    persist: Option<&StoreHandle>,
) {
    let send = |event| {
        let _ = events.send(event);
    };
    // what an answer says is written to the command's store, then the answer is sent: whoever
    // hears of it (the app, a test) finds it stored
    let deliver = async |event: Event| {
        if let Some(persist) = persist
            && let Some(keep) = Keep::of(&event)
        {
            persist.keep(keep).await;
        }
        send(event);
    };
    match command {
        Command::LoadBulkPage { req, query } => {
            deliver(page_event(req, false, client.list_sessions(&query).await)).await
        }
        Command::LoadFirstPage { req, query } => {
            deliver(page_event(req, true, client.list_sessions(&query).await)).await
        }
        Command::LoadNextPage { req, link } => {
            deliver(page_event(req, false, client.next_page(&link).await)).await
        }
        Command::Rename { req, id, name } => {
            deliver(match client.rename_session(&id, &name).await {
                Ok(session) => Event::Renamed { req, session },
                Err(error) => Event::RenameFailed {
                    req,
                    id,
                    name,
                    error,
                },
            })
            .await
        }
        Command::LoadConversation { req, session_id } => {
            // the stored conversation shows while Graph's is on its way
            if let Some(persist) = persist
                && let Some(turns) = persist.stored_conversation(session_id.clone()).await
            {
                send(Event::ConversationStored {
                    req,
                    session_id: session_id.clone(),
                    turns,
                });
            }
            deliver(
                match conversation::load_prompt_runs(client, &session_id).await {
                    Ok(runs) => Event::ConversationLoaded {
                        req,
                        session_id,
                        runs,
                    },
                    Err(error) => Event::ConversationFailed {
                        req,
                        session_id,
                        error,
                    },
                },
            )
            .await
        }
        Command::Forget {
            ids,
            listing_complete,
        } => {
            if let Some(persist) = persist {
                persist.forget(ids, listing_complete).await;
            }
        }
        Command::Ask { req, session, text } => {
            ask_and_follow(client, plan, req, session, &text, events).await
        }
        Command::Evaluate {
            req,
            session_id,
            prompt_id,
        } => match client.create_evaluation(&session_id, &prompt_id).await {
            Ok(evaluation) => {
                let evaluation_id = evaluation.id.clone();
                let _ = events.send(Event::EvaluationUpdated {
                    req,
                    session_id: session_id.clone(),
                    prompt_id: prompt_id.clone(),
                    evaluation,
                });
                follow(
                    client,
                    plan,
                    req,
                    session_id,
                    prompt_id,
                    evaluation_id,
                    events,
                )
                .await
            }
            Err(error) => send(Event::EvaluateFailed {
                req,
                session_id,
                prompt_id,
                error,
            }),
        },
        Command::Follow {
            req,
            session_id,
            prompt_id,
            evaluation_id,
        } => {
            follow(
                client,
                plan,
                req,
                session_id,
                prompt_id,
                evaluation_id,
                events,
            )
            .await
        }
        Command::Fork {
            req,
            source,
            name,
            questions,
        } => {
            let store = persist.and_then(StoreHandle::store);
            let run = crate::cli::fork::fork_run(Some(&source), &name, questions);
            send(fork(client, plan, store, req, run, name, events).await)
        }
        Command::Search { req, query, limit } => {
            let result = match persist {
                Some(persist) => match persist.search(req.seq, query.clone(), limit).await {
                    Some(result) => result,
                    // superseded while it waited: its request was already ended by update
                    None => return,
                },
                None => Err(StoreUnavailable::Off),
            };
            send(Event::Searched { req, query, result })
        }
        Command::Sync { req, concurrency } => {
            let result = sync_store(client, persist, req, concurrency, events).await;
            send(Event::Synced { req, result })
        }
        Command::ExportStored {
            req,
            session,
            path,
            format,
        } => {
            let turns = match persist {
                Some(persist) => persist.stored_conversation(session.id.clone()).await,
                None => None,
            };
            let workspace = client.workspace().to_string();
            send(match turns {
                Some(turns) => match write_export(session, turns, &path, format, workspace).await {
                    Ok(path) => Event::Exported { req, path },
                    Err(error) => Event::ExportFailed { req, error },
                },
                None => Event::ExportFailed {
                    req,
                    error: ExportError::NotStored,
                },
            })
        }
        Command::LoadStoredConversation { req, session_id } => {
            let turns = match persist {
                Some(persist) => persist.stored_conversation(session_id.clone()).await,
                None => None,
            };
            send(Event::ConversationFromStore {
                req,
                session_id,
                turns,
            })
        }
        // Only the worker loop opens workspaces (`run_with_store`); run on its own, a command
        // has no store to open.
        Command::OpenWorkspace { req, .. } => send(Event::StoredList { req, stored: None }),
        Command::StopFollow { .. }
        | Command::StopSync { .. }
        | Command::Prefetch { .. }
        | Command::StartSignIn { .. }
        | Command::CancelSignIn => {}
        Command::LoadWorkspaces { req } => send(match client.list_workspaces().await {
            Ok(workspaces) => Event::WorkspacesLoaded { req, workspaces },
            Err(error) => Event::WorkspacesFailed { req, error },
        }),
        Command::Export {
            req,
            session,
            path,
            format,
        } => send(match export(client, session, &path, format).await {
            Ok(path) => Event::Exported { req, path },
            Err(error) => Event::ExportFailed { req, error },
        }),
    }
}

/// Syncs the list and every conversation into the store through the same code as `sctui sync
/// --conversations`, reporting each step and every retry.
async fn sync_store(
    client: &GraphClient,
    persist: Option<&StoreHandle>,
    req: RequestId,
    concurrency: usize,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<crate::store::sync::SyncReport, SyncFailure> {
    let persist = persist.ok_or(StoreUnavailable::Off)?;
    let store = persist.store().ok_or(StoreUnavailable::NotOpen)?;
    if store.access() == crate::store::Access::ReadOnly {
        return Err(SyncFailure::ReadOnly);
    }
    let options = crate::store::sync::SyncOptions {
        conversations: true,
        since: None,
        concurrency,
    };
    let progress = {
        let events = events.clone();
        move |progress: crate::store::sync::Progress| {
            let _ = events.send(Event::SyncProgress { req, progress });
        }
    };
    let observer: sctui_graph::RetryObserver = {
        let events = events.clone();
        Arc::new(move |notice: sctui_graph::RetryNotice| {
            let _ = events.send(Event::Retrying(notice));
        })
    };
    crate::store::sync::run(client, store, &options, &progress, Some(observer))
        .await
        .map_err(|error| match error {
            crate::store::sync::SyncError::Graph(error) => SyncFailure::Graph(error),
            crate::store::sync::SyncError::Store(error) => SyncFailure::Store(error.to_string()),
        })
}

async fn ask_and_follow(
    client: &GraphClient,
    plan: PollPlan,
    req: RequestId,
    session: Option<Session>,
    text: &str,
    events: &mpsc::UnboundedSender<Event>,
) {
    let asked = conversation::ask(client, session, text, |created| {
        let _ = events.send(Event::Created {
            req,
            session: created.clone(),
        });
    })
    .await;
    let asked = match asked {
        Ok(asked) => asked,
        Err(failure) => {
            let _ = events.send(match failure.session {
                None => Event::CreateFailed {
                    req,
                    error: failure.error,
                },
                Some(session) => Event::AskFailed {
                    req,
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
        req,
        session_id: session_id.clone(),
        prompt: asked.prompt,
        evaluation: asked.evaluation,
    });
    follow(
        client,
        plan,
        req,
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
    req: RequestId,
    session_id: String,
    prompt_id: String,
    evaluation_id: String,
    events: &mpsc::UnboundedSender<Event>,
) {
    let result = conversation::follow(client, &session_id, &prompt_id, &evaluation_id, plan, |e| {
        let _ = events.send(Event::EvaluationUpdated {
            req,
            session_id: session_id.clone(),
            prompt_id: prompt_id.clone(),
            evaluation: e.clone(),
        });
    })
    .await
    .map(|_| ());
    let _ = events.send(Event::FollowEnded {
        req,
        session_id,
        result,
    });
}

/// A fork's run, as `sctui sessions fork --wait` drives it: saved in the store step by step
/// (when there is one), reporting how far it is after every change; the new session opens once
/// every question is answered.
async fn fork(
    client: &GraphClient,
    plan: PollPlan,
    store: Option<Arc<sctui_store::Store>>,
    req: RequestId,
    run: Option<(sctui_runs::Run, crate::runner::RunInfo)>,
    name: String,
    events: &mpsc::UnboundedSender<Event>,
) -> Event {
    use crate::runner::{Driver, Note, RunLog, StoredRun, Timer, Unsaved};
    let stopped = |run, error: String| Event::Forked {
        req,
        session: None,
        end: ForkEnd::Stopped { run, error },
    };
    let Some((mut run, info)) = run else {
        return stopped(None, "nothing to ask".into());
    };
    let (mut log, id): (Box<dyn RunLog>, Option<i64>) = match store {
        Some(store) => match StoredRun::create(store, info, &run, Timer::system()) {
            Ok(stored) => {
                let id = stored.id();
                (Box::new(stored), Some(id))
            }
            Err(error) => return stopped(None, error.to_string()),
        },
        None => (Box::new(Unsaved), None),
    };
    let driver = Driver::new(client.clone(), plan);
    let mut watch = |run: &sctui_runs::Run, note: Note| {
        let _ = events.send(Event::ForkProgress {
            req,
            progress: fork_progress(run, note),
        });
    };
    let ended = driver.drive(&mut run, log.as_mut(), &mut watch).await;
    let session = run.session().id.clone().map(|id| Session {
        id,
        display_name: Some(name.clone()),
        created_date_time: None,
        last_modified_date_time: None,
    });
    let end = match ended {
        Ok(sctui_runs::Ending::Succeeded) => ForkEnd::Answered,
        Ok(sctui_runs::Ending::Failed { step }) => ForkEnd::Unanswered { step: step + 1 },
        Err(error) => ForkEnd::Stopped {
            run: id,
            error: error.to_string(),
        },
    };
    Event::Forked { req, session, end }
}

/// How far a fork's run is: questions asked (posted) and answered, and a capacity wait.
fn fork_progress(run: &sctui_runs::Run, note: crate::runner::Note) -> ForkProgress {
    use sctui_runs::Phase;
    let steps = run.steps();
    ForkProgress {
        asked: steps.iter().filter(|s| s.prompt_id.is_some()).count(),
        answered: steps.iter().filter(|s| s.phase == Phase::Succeeded).count(),
        total: steps.len(),
        waiting_secs: match note {
            crate::runner::Note::Waiting(left) => Some(left.as_secs()),
            crate::runner::Note::Changed => None,
        },
    }
}

/// The device-code flow for the TUI: reports the prompt, waits for the user, installs the tokens.
async fn device_code_sign_in(
    req: RequestId,
    chosen: Option<Arc<Chosen>>,
    events: &mpsc::UnboundedSender<Event>,
) -> Event {
    let failed = |error: SignInError| Event::SignInFailed { req, error };
    let Some(chosen) = chosen else {
        return failed(SignInError::Unavailable);
    };
    let (Some(http), Some(authority)) = (&chosen.http, &chosen.authority) else {
        return failed(SignInError::Unavailable);
    };
    let http = match http.get() {
        Ok(http) => http,
        Err(e) => return failed(e.into()),
    };
    let http = &http;
    let prompt = match sctui_graph::auth::device_code::start(http, authority).await {
        Ok(prompt) => prompt,
        Err(e) => return failed(e.into()),
    };
    let _ = events.send(Event::SignInPrompt {
        req,
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
                .and_then(|a| a.username.clone().or_else(|| a.name.clone()));
            chosen.complete_sign_in(set).await;
            Event::SignedIn { req, who }
        }
        Err(e) => failed(e.into()),
    }
}

async fn export(
    client: &GraphClient,
    session: Session,
    path: &std::path::Path,
    format: crate::export::Format,
) -> Result<PathBuf, ExportError> {
    let turns = conversation::load_conversation(client, &session.id).await?;
    write_export(session, turns, path, format, client.workspace().to_string()).await
}

/// Writes a conversation in `format` to a new file at `path` (0600), on a blocking thread.
async fn write_export(
    session: Session,
    turns: Vec<sctui_graph::conversation::Turn>,
    path: &std::path::Path,
    format: crate::export::Format,
    workspace: String,
) -> Result<PathBuf, ExportError> {
    let provenance = crate::export::Provenance {
        exported_at: jiff::Timestamp::now(),
        by: None,
        workspace,
    };
    let conversation = crate::export::Conversation { session, turns };
    let text = crate::export::one(format, &conversation, &provenance).map_err(|source| {
        ExportError::Write {
            path: path.to_path_buf(),
            source,
        }
    })?;
    // Never overwrites a file and never follows a symlink: a taken name gets `-1`, `-2`, …
    let dir = path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sctui-export.md".into());
    tokio::task::spawn_blocking(move || crate::output::write_new_file(&dir, &name, &text))
        .await
        .map_err(|e| ExportError::Write {
            path: path.to_path_buf(),
            source: std::io::Error::other(e),
        })?
        .map_err(|source| ExportError::Write {
            path: path.to_path_buf(),
            source,
        })
}

/// The event for a page of sessions (a first page, or one after it) or its failure.
/// What an answer from Graph says to keep in the local store (the session catalogue decides
/// what to forget: [`Command::Forget`]).
enum Keep {
    Sessions(Vec<Session>),
    /// A conversation with every run of its questions.
    Conversation {
        session_id: String,
        runs: Vec<sctui_graph::conversation::PromptRuns>,
    },
}

impl Keep {
    fn of(event: &Event) -> Option<Keep> {
        match event {
            Event::PageLoaded { page, .. } => Some(Keep::Sessions(page.value.clone())),
            Event::Renamed { session, .. } => Some(Keep::Sessions(vec![session.clone()])),
            Event::ConversationLoaded {
                session_id, runs, ..
            } => Some(Keep::Conversation {
                session_id: session_id.clone(),
                runs: runs.clone(),
            }),
            _ => None,
        }
    }
}

impl StoreHandle {
    async fn keep(&self, keep: Keep) {
        match keep {
            Keep::Sessions(sessions) => self.sessions(sessions).await,
            Keep::Conversation { session_id, runs } => {
                self.conversation_runs(session_id, &runs).await
            }
        }
    }
}

fn page_event(
    req: RequestId,
    first: bool,
    result: Result<sctui_graph::models::Page<Session>, sctui_graph::GraphError>,
) -> Event {
    match result {
        Ok(page) => Event::PageLoaded { req, first, page },
        Err(error) => Event::PageFailed { req, error },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sctui_graph::ClientOptions;
    use sctui_graph::auth::StaticToken;

    /// `--offline` export reads the store only; a conversation never stored is a typed failure
    /// (and nothing is asked of Graph: the client here points nowhere).
    #[tokio::test]
    async fn an_offline_export_of_a_conversation_never_stored_fails_typed() {
        let client = GraphClient::new(ClientOptions::default(), StaticToken::shared("", "test"))
            .expect("client");
        let (events, mut received) = mpsc::unbounded_channel();
        let target = crate::store::StoreTarget::new(true, "", "t", "w", false);
        let persist = Persist::new(target, events.clone()).handle();
        let req = RequestId { epoch: 0, seq: 1 };
        let session = Session {
            id: "s1".into(),
            display_name: None,
            created_date_time: None,
            last_modified_date_time: None,
        };
        let path = std::env::temp_dir().join("sctui-never-written.md");
        let command = Command::ExportStored {
            req,
            session,
            path,
            format: crate::export::Format::Markdown,
        };
        execute_with_store(
            &client,
            PollPlan::default(),
            command,
            &events,
            Some(&persist),
        )
        .await;
        assert!(matches!(
            received.recv().await,
            Some(Event::ExportFailed {
                error: ExportError::NotStored,
                ..
            })
        ));
    }
}
