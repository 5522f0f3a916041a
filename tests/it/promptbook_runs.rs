//! Promptbook runs against the built-in fake, in process, counting what reaches it: a run
//! stopped at every boundary between its saves and resumed from the store posts each prompt
//! once; a capacityExceeded step costs one more evaluation and no prompt; a batch's capacity wait
//! holds the other rows. Time is a movable clock: no test sleeps through a wait.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use sctui::promptbook::{Book, Inputs};
use sctui::runner::{CapacityGate, Driver, Note, RunInfo, RunLog, StoredRun, Timer};
use sctui_fake::{Clock, DEMO_TOKEN, FakeGraph, FakeOptions};
use sctui_graph::auth::StaticToken;
use sctui_graph::conversation::PollPlan;
use sctui_graph::{ClientOptions, GraphClient};
use sctui_runs::{CapacityRetry, Ending, Run, Status};
use sctui_store::{Store, StoreError};

const WORKSPACE: &str = "default";

struct Setup {
    fake: FakeGraph,
    client: GraphClient,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

async fn setup(clock: Clock) -> Setup {
    let fake = FakeGraph::start(FakeOptions {
        evaluation_delay: Duration::ZERO,
        clock,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake");
    let client = GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            ..ClientOptions::default()
        },
        StaticToken::shared(DEMO_TOKEN, "test"),
    )
    .expect("client");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.db")).unwrap().store;
    Setup {
        fake,
        client,
        store: Arc::new(store),
        _dir: dir,
    }
}

fn plan() -> PollPlan {
    PollPlan {
        first: Duration::from_millis(5),
        max: Duration::from_millis(20),
        deadline: Duration::from_secs(30),
    }
}

/// A timer on the fake's clock whose sleep moves that clock instead of waiting; it adds up
/// what it was asked to sleep.
fn fake_timer(clock: &Clock, slept: Arc<Mutex<Duration>>) -> Timer {
    let now_clock = clock.clone();
    let sleep_clock = clock.clone();
    Timer::new(
        move || now_clock.now(),
        move |d| {
            sleep_clock.advance(d);
            *slept.lock().unwrap() += d;
            Box::pin(async {})
        },
    )
}

fn book() -> Book {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/promptbooks/microsoft/Incident_Prioritization.json"),
    )
    .unwrap();
    Book::from_bytes(&bytes).unwrap()
}

fn inputs() -> Inputs {
    [("incidentID".to_string(), "4242".to_string())].into()
}

fn info(book: &Book) -> RunInfo {
    RunInfo {
        kind: "promptbook".into(),
        title: book.name.clone(),
        source: None,
        inputs_json: serde_json::to_string(&inputs()).unwrap(),
        created: Timestamp::now(),
    }
}

/// POSTs the fake saw since `clear_seen`: (prompts, evaluations, sessions).
fn posts(fake: &FakeGraph) -> (usize, usize, usize) {
    let seen = fake.faults().seen();
    let count = |suffix: &str| {
        seen.iter()
            .filter(|r| r.method == "POST" && r.path.split('?').next().unwrap().ends_with(suffix))
            .count()
    };
    (count("/prompts"), count("/evaluations"), count("/sessions"))
}

/// Saves through a stored run, failing the `fail_at`-th save (0-based) as a crash there would:
/// nothing after it is saved or sent.
struct CrashingLog {
    inner: StoredRun,
    saves: usize,
    fail_at: Option<usize>,
}

impl RunLog for CrashingLog {
    fn save(&mut self, run: &Run) -> Result<(), StoreError> {
        let n = self.saves;
        self.saves += 1;
        if Some(n) == self.fail_at {
            return Err(StoreError::NoDataDir);
        }
        self.inner.save(run)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_at_every_boundary_resumes_without_posting_a_prompt_twice() {
    let s = setup(Clock::system()).await;
    let book = book();
    let questions = book.questions(&inputs());
    assert_eq!(questions.len(), 5);
    assert!(
        questions[1].contains("involved in 4242,"),
        "{}",
        questions[1]
    );
    let driver = Driver::new(s.client.clone(), plan());

    // a clean run: how many saves it makes, and what it posts
    let run = Run::in_new_session(
        "Incident Prioritization (incidentID=4242)",
        questions.clone(),
        CapacityRetry::NextHour,
    )
    .unwrap();
    let mut clean = run.clone();
    let mut log = CrashingLog {
        inner: StoredRun::create(s.store.clone(), info(&book), &clean, Timer::system()).unwrap(),
        saves: 0,
        fail_at: None,
    };
    s.fake.faults().clear_seen();
    let ending = driver
        .drive(&mut clean, &mut log, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(ending, Ending::Succeeded);
    assert_eq!(posts(&s.fake), (5, 5, 1));
    let boundaries = log.saves;
    // two saves per action (before it is sent, after its answer), one at the end
    assert_eq!(boundaries, 2 * (1 + 5 * 3) + 1);

    for fail_at in 0..boundaries {
        s.fake.faults().clear_seen();
        let mut first = run.clone();
        let stored =
            StoredRun::create(s.store.clone(), info(&book), &first, Timer::system()).unwrap();
        let id = stored.id();
        let mut log = CrashingLog {
            inner: stored,
            saves: 0,
            fail_at: Some(fail_at),
        };
        let stopped = driver.drive(&mut first, &mut log, &mut |_, _| {}).await;
        assert!(
            stopped.is_err(),
            "save {fail_at} failed, so the run stopped"
        );
        // a new process: the run as the store has it
        let (mut stored, mut resumed) = StoredRun::open(s.store.clone(), id, Timer::system())
            .unwrap()
            .expect("the run is stored");
        let ending = driver
            .drive(&mut resumed, &mut stored, &mut |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("resume after a stop at save {fail_at}: {e}"));
        assert_eq!(ending, Ending::Succeeded, "stop at save {fail_at}");
        let (prompts, evaluations, sessions) = posts(&s.fake);
        assert_eq!(
            prompts, 5,
            "each prompt posted once (stop at save {fail_at})"
        );
        assert_eq!(
            evaluations, 5,
            "a lost evaluation is found, not made again (stop at save {fail_at})"
        );
        assert!(
            sessions <= 2,
            "at most one empty session left behind (stop at save {fail_at})"
        );
        let session = resumed.session().id.clone().unwrap();
        let asked: Vec<String> = s
            .fake
            .store()
            .prompts(WORKSPACE, &session)
            .into_iter()
            .map(|p| p.content.unwrap_or_default())
            .collect();
        assert_eq!(
            asked, questions,
            "in order, each once (stop at save {fail_at})"
        );
        let record = s.store.run(id).unwrap().unwrap();
        assert_eq!(record.status, "succeeded");
        assert!(record.steps.iter().all(|st| st.answer.is_some()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_exceeded_costs_one_more_evaluation_and_no_prompt() {
    let clock = Clock::frozen("2026-12-06T18:47:12Z".parse().unwrap());
    let s = setup(clock.clone()).await;
    let slept = Arc::new(Mutex::new(Duration::ZERO));
    let driver = Driver {
        timer: fake_timer(&clock, slept.clone()),
        ..Driver::new(s.client.clone(), plan())
    };
    let questions = vec![
        "first".to_string(),
        "second [fail-once:capacityExceeded]".to_string(),
        "third".to_string(),
    ];
    let mut run = Run::in_new_session("capacity", questions, CapacityRetry::NextHour).unwrap();
    let mut log = StoredRun::create(s.store.clone(), info(&book()), &run, Timer::system()).unwrap();
    let mut countdown = Vec::new();
    s.fake.faults().clear_seen();
    let ending = driver
        .drive(&mut run, &mut log, &mut |r, note| {
            if let Note::Waiting(left) = note {
                countdown.push(left);
                assert_eq!(
                    r.status(),
                    Status::WaitingForCapacity("2026-12-06T19:00:00Z".parse().unwrap())
                );
            }
        })
        .await
        .unwrap();
    assert_eq!(ending, Ending::Succeeded);
    assert_eq!(
        posts(&s.fake),
        (3, 4, 1),
        "one more evaluation, no more prompts"
    );
    assert_eq!(run.steps()[1].evaluations, 2);
    // it waited until the next hour began, counting down by the second
    assert_eq!(*slept.lock().unwrap(), Duration::from_secs(12 * 60 + 48));
    assert_eq!(countdown.first(), Some(&Duration::from_secs(12 * 60 + 48)));
    assert_eq!(countdown.last(), Some(&Duration::from_secs(1)));
    assert_eq!(countdown.len(), 12 * 60 + 48);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_capacity_wait_holds_every_rows_next_request() {
    let clock = Clock::frozen("2026-12-06T18:00:00Z".parse().unwrap());
    let s = setup(clock.clone()).await;
    let slept = Arc::new(Mutex::new(Duration::ZERO));
    let gate = CapacityGate::default();
    // another row of the batch is waiting for capacity until 18:01
    gate.pause_until("2026-12-06T18:01:00Z".parse().unwrap());
    let driver = Driver {
        timer: fake_timer(&clock, slept.clone()),
        gate: Some(gate),
        ..Driver::new(s.client.clone(), plan())
    };
    let mut run =
        Run::in_new_session("held", vec!["only".to_string()], CapacityRetry::NextHour).unwrap();
    let mut waited_before_sending = None;
    let fake = &s.fake;
    s.fake.faults().clear_seen();
    driver
        .drive(&mut run, &mut sctui::runner::Unsaved, &mut |_, note| {
            if matches!(note, Note::Waiting(_)) && waited_before_sending.is_none() {
                waited_before_sending = Some(fake.faults().seen().len());
            }
        })
        .await
        .unwrap();
    assert_eq!(
        waited_before_sending,
        Some(0),
        "nothing was sent while the batch waited"
    );
    assert_eq!(*slept.lock().unwrap(), Duration::from_secs(60));
    assert_eq!(posts(&s.fake), (1, 1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_published_book_runs_with_its_inputs_filled_in() {
    let s = setup(Clock::system()).await;
    let driver = Driver::new(s.client.clone(), plan());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/promptbooks");
    let mut files: Vec<_> = std::fs::read_dir(dir.join("microsoft"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.push(dir.join("sctui-utf16-powershell.json"));
    assert_eq!(files.len(), 9);
    for file in files {
        let book = Book::from_bytes(&std::fs::read(&file).unwrap()).unwrap();
        let values: Inputs = book
            .inputs()
            .iter()
            .map(|i| (i.name.clone(), format!("value-of-{}", i.name)))
            .collect();
        let questions = book.questions(&values);
        assert!(
            questions
                .iter()
                .all(|q| !q.contains('<') || q.contains("<script")),
            "{questions:?}"
        );
        let mut run =
            Run::in_new_session(&book.name, questions.clone(), CapacityRetry::NextHour).unwrap();
        s.fake.faults().clear_seen();
        let ending = driver
            .drive(&mut run, &mut sctui::runner::Unsaved, &mut |_, _| {})
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(ending, Ending::Succeeded, "{}", file.display());
        let session = run.session().id.clone().unwrap();
        let asked: Vec<String> = s
            .fake
            .store()
            .prompts(WORKSPACE, &session)
            .into_iter()
            .map(|p| p.content.unwrap_or_default())
            .collect();
        assert_eq!(asked, questions, "{}", file.display());
        assert_eq!(posts(&s.fake).0, questions.len());
    }
}
