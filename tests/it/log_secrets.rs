//! Tokens never reach the log: the real binary at `--log-level trace` (log file in a temp HOME),
//! and the client under a subscriber that records every target at TRACE, through successes,
//! retries, 401s and broken answers.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sctui_fake::{FakeGraph, FakeOptions, Fault, FaultSpec, Seed};
use sctui_graph::auth::StaticToken;
use sctui_graph::retry::RetryPolicy;
use sctui_graph::{ClientOptions, GraphClient, ListQuery};

const SECRET: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.c2VjcmV0LXRva2VuLWZvci1sb2dzLXRlc3Q";
const WRONG: &str = "wrong-token-that-must-not-be-logged-either";

async fn fake() -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed: Seed::Synthetic(5),
        token: Some(SECRET.into()),
        faults: Some(FaultSpec {
            retry_after: Duration::from_millis(5),
            ..FaultSpec::none()
        }),
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

fn log_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            log_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "log") {
            found.push(path);
        }
    }
}

fn sctui(home: &Path, url: &str, token: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sctui"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("SCTUI_ACCESS_TOKEN", token)
        .env_remove("SCTUI_LOG")
        .env_remove("SCTUI_CONFIG")
        .env_remove("SCTUI_WORKSPACE")
        .args(["--log-level", "trace", "--graph-url", url]);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_at_trace_level_never_logs_the_token() {
    let fake = fake().await;
    let home = tempfile::tempdir().expect("tempdir");
    let url = fake.base_url().to_string();
    fake.faults()
        .script([Some(Fault::Status(429)), None, Some(Fault::Malformed)]);
    let runs: [(&str, &[&str]); 4] = [
        (SECRET, &["sessions", "list", "--all"]),
        (SECRET, &["sessions", "get", "nope"]),
        (SECRET, &["sessions", "create", "logged name"]),
        (WRONG, &["sessions", "list"]),
    ];
    for (token, args) in runs {
        let home = home.path().to_path_buf();
        let url = url.clone();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let out = tokio::task::spawn_blocking(move || {
            sctui(&home, &url, token)
                .args(&args)
                .output()
                .expect("runs")
        })
        .await
        .expect("joins");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains(token), "stderr leaks the token: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(token));
    }
    let mut files = Vec::new();
    log_files(home.path(), &mut files);
    assert!(
        !files.is_empty(),
        "a log file was written under the temp HOME"
    );
    let mut log = String::new();
    for f in &files {
        log.push_str(&std::fs::read_to_string(f).unwrap_or_default());
    }
    assert!(log.contains("graph request"), "requests are logged:\n{log}");
    assert!(log.contains("status=429"), "the retry is logged:\n{log}");
    assert!(log.contains("request_id="), "with request ids:\n{log}");
    assert!(!log.contains(SECRET), "the token leaked into the log");
    assert!(
        !log.contains(WRONG),
        "the rejected token leaked into the log"
    );
    assert!(!log.to_ascii_lowercase().contains("authorization: bearer"));
}

/// Collects everything every layer logs.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn every_target_at_trace_level_never_logs_the_token() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let fake = fake().await;
            let client = |token: &str| {
                GraphClient::new(
                    ClientOptions {
                        graph_url: fake.base_url().to_string(),
                        retry: RetryPolicy {
                            base_delay: Duration::from_millis(1),
                            ..RetryPolicy::default()
                        },
                        ..ClientOptions::default()
                    },
                    StaticToken::shared(token, "test"),
                )
                .expect("client")
            };
            let good = client(SECRET);
            fake.faults().script([
                Some(Fault::Status(503)),
                Some(Fault::Reset),
                None,
                Some(Fault::Truncate),
            ]);
            assert!(good.list_sessions(&ListQuery::default()).await.is_ok());
            assert!(good.get_session("missing").await.is_err());
            assert!(good.create_session("x").await.is_ok());
            assert!(
                client(WRONG)
                    .list_sessions(&ListQuery::default())
                    .await
                    .is_err()
            );
            fake.shutdown().await;
        });
    });
    let log = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    assert!(log.contains("graph request"), "{log}");
    assert!(!log.contains(SECRET), "the token leaked into a trace log");
    assert!(
        !log.contains(WRONG),
        "the rejected token leaked into a trace log"
    );
}
