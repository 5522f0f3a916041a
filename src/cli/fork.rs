//! `sctui sessions fork`: a new session that asks questions 1..N of another, in order, each after
//! the answer to the one before. It is a run (the machinery promptbooks use), saved in the store
//! step by step, so `sctui promptbook resume RUN` finishes an interrupted fork without asking any
//! question twice.

use std::sync::Arc;

use jiff::Timestamp;
use sctui_graph::GraphClient;
use sctui_graph::conversation::PollPlan;
use sctui_graph::models::PromptType;
use sctui_runs::{CapacityRetry, Ending, Phase, Run};
use sctui_store::Store;

use super::RunError;
use super::promptbook::run::{self as book_run, Finished, Progress};
use crate::cli::args::{OutputArg, OutputFormat};
use crate::runner::{self, Driver, RunInfo, RunLog, StoredRun, Unsaved};

/// What a fork's run is called in the store (`sctui promptbook runs`).
pub const KIND: &str = "fork";

/// `sessions fork`'s arguments.
pub(crate) struct Fork<'a> {
    pub session_id: &'a str,
    pub at: Option<usize>,
    pub name: Option<String>,
    pub wait: bool,
    pub output: OutputArg,
    pub plan: PollPlan,
}

/// The questions of a session in the order they were asked (what a fork asks again).
async fn questions_of(client: &GraphClient, session: &str) -> Result<Vec<String>, RunError> {
    let mut prompts = client.list_prompts(session).await?;
    prompts.sort_by_key(|p| p.created_date_time.as_ref().and_then(|t| t.instant()));
    Ok(prompts
        .into_iter()
        .filter(|p| p.prompt_type == PromptType::Prompt)
        .filter_map(|p| p.content)
        .filter(|c| !c.trim().is_empty())
        .collect())
}

/// Runs `sessions fork`: creates "<name> (fork)" (or `--name`) and asks the first `--at` questions
/// (all by default) in order. Without `--wait` it returns once the last question is asked; with
/// it, once that one is answered too (exit 7 when a question ends without an answer).
pub async fn fork(
    client: &GraphClient,
    store: Option<Arc<Store>>,
    args: Fork<'_>,
) -> Result<(), RunError> {
    let session = client.get_session(args.session_id).await?;
    let questions = questions_of(client, &session.id).await?;
    if questions.is_empty() {
        return Err(RunError::Usage(format!(
            "session {} has no questions to ask again",
            session.id
        )));
    }
    let at = args.at.unwrap_or(questions.len());
    if at == 0 || at > questions.len() {
        return Err(RunError::Usage(format!(
            "--at {at}: the session has questions 1 to {}",
            questions.len()
        )));
    }
    let name = args.name.clone().unwrap_or_else(|| {
        let original = session
            .display_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("Untitled");
        format!("{original} (fork)")
    });
    for question in &questions[..at] {
        super::recording::warn_disabled_plugins(store.as_deref(), question);
    }
    let (mut run, info) = fork_run(Some(&session.id), &name, questions[..at].to_vec())
        .ok_or_else(|| RunError::Usage("nothing to ask".into()))?;
    let (mut log, id): (Box<dyn RunLog>, Option<i64>) = match &store {
        Some(store) => {
            let stored =
                StoredRun::create(store.clone(), info.clone(), &run, runner::Timer::system())?;
            let id = stored.id();
            (Box::new(stored), Some(id))
        }
        None => (Box::new(Unsaved), None),
    };
    let driver = Driver::new(client.clone(), args.plan);
    let mut progress = Progress::new(
        "",
        book_run::live(),
        args.output.output == OutputFormat::Json,
    );
    let finished = if args.wait {
        book_run::drive_with_progress(&driver, &mut run, log.as_mut(), &mut progress).await
    } else {
        drive_until_all_asked(&driver, &mut run, log.as_mut(), &mut progress).await
    };
    let record = runner::record_of(&info, id.unwrap_or(0), &run, Timestamp::now());
    book_run::conclude(finished, &record, id.is_some(), &run, None, &args.output)
}

/// A fork's run and what the store keeps beside it: `questions` asked in order in a new session
/// called `name` (a capacity hit waits for the next hour), forked from session `source`. `None`
/// when there is nothing to ask. The TUI's fork key runs the same.
pub fn fork_run(
    source: Option<&str>,
    name: &str,
    questions: Vec<String>,
) -> Option<(Run, RunInfo)> {
    let run = Run::in_new_session(name, questions, CapacityRetry::NextHour)?;
    let info = RunInfo {
        kind: KIND.into(),
        title: name.to_string(),
        source: source.map(str::to_string),
        inputs_json: "{}".into(),
        created: Timestamp::now(),
    };
    Some((run, info))
}

/// Drives `run` until its last question's evaluation has started (saved as following it, so a
/// resume picks it up), or it ends, fails or Ctrl-C stops it.
async fn drive_until_all_asked(
    driver: &Driver,
    run: &mut Run,
    log: &mut dyn RunLog,
    progress: &mut Progress,
) -> Finished {
    let last = run.steps().len() - 1;
    let asked = tokio::sync::Notify::new();
    let timer = driver.timer.clone();
    let ended = {
        let mut watch = |r: &Run, note| {
            progress.watch(r, note, timer.now());
            if r.steps()[last].phase == Phase::Following {
                asked.notify_one();
            }
        };
        let driving = driver.drive(run, log, &mut watch);
        tokio::select! {
            ended = driving => Some(ended.map(Finished::Ended).unwrap_or_else(Finished::Stopped)),
            _ = asked.notified() => Some(Finished::Ended(Ending::Succeeded)),
            _ = tokio::signal::ctrl_c() => None,
        }
    };
    progress.finish();
    ended.unwrap_or_else(|| {
        run.interrupt("stopped with Ctrl-C");
        let _ = log.save(run);
        Finished::Cancelled
    })
}
