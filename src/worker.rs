//! The async side: one task owns the Graph client, runs [`Command`]s concurrently and reports
//! [`Event`]s. It never touches the terminal and keeps no copy of the session list.

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::graph::models::{Page, Session};
use crate::graph::{GraphClient, GraphError, ListQuery, RetryNotice};

/// Work the UI asks for. Each carries what it is about, so late answers land on the right row.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Load the first page; `generation` tells a refresh's answers from an older load's.
    LoadFirstPage { generation: u64, query: ListQuery },
    /// Follow a `@odata.nextLink`.
    LoadNextPage { generation: u64, link: String },
    /// PATCH a new display name; `seq` identifies this rename among several on the same row.
    Rename { id: String, name: String, seq: u64 },
    /// POST a new session.
    Create { name: String, seq: u64 },
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
    /// A session was created.
    Created { seq: u64, session: Session },
    /// Creating failed; the typed text is kept in the prompt box.
    CreateFailed { seq: u64, error: GraphError },
    /// A request is waiting before a retry (throttling or a network hiccup).
    Retrying(RetryNotice),
}

/// Starts the worker on the current runtime. Dropping the returned sender stops it and aborts
/// whatever it still runs, so quitting never leaves a request or poll behind.
pub fn spawn(
    client: GraphClient,
    events: mpsc::UnboundedSender<Event>,
) -> mpsc::UnboundedSender<Command> {
    let (commands_tx, commands_rx) = mpsc::unbounded_channel();
    let notices = events.clone();
    let client = client.with_retry_observer(std::sync::Arc::new(move |notice| {
        let _ = notices.send(Event::Retrying(notice));
    }));
    tokio::spawn(run(client, commands_rx, events));
    commands_tx
}

async fn run(
    client: GraphClient,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(command) => {
                    let client = client.clone();
                    let events = events.clone();
                    tasks.spawn(async move {
                        let event = execute(&client, command).await;
                        let _ = events.send(event);
                    });
                }
                None => break,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    tasks.abort_all();
}

/// Runs one command to its event. Public so tests can drive the worker's logic without a UI.
pub async fn execute(client: &GraphClient, command: Command) -> Event {
    match command {
        Command::LoadFirstPage { generation, query } => match client.list_sessions(&query).await {
            Ok(page) => Event::PageLoaded {
                generation,
                first: true,
                page,
            },
            Err(error) => Event::PageFailed { generation, error },
        },
        Command::LoadNextPage { generation, link } => match client.next_page(&link).await {
            Ok(page) => Event::PageLoaded {
                generation,
                first: false,
                page,
            },
            Err(error) => Event::PageFailed { generation, error },
        },
        Command::Rename { id, name, seq } => match client.rename_session(&id, &name).await {
            Ok(session) => Event::Renamed { seq, session },
            Err(error) => Event::RenameFailed {
                id,
                name,
                seq,
                error,
            },
        },
        Command::Create { name, seq } => match client.create_session(&name).await {
            Ok(session) => Event::Created { seq, session },
            Err(error) => Event::CreateFailed { seq, error },
        },
    }
}
