//! `sctui sessions export` as a person and a script use it: the built-in fake's demo sessions
//! synced into the store, Graph stopped, then HTML opened in a real browser (headless Chromium:
//! its DOM and a screenshot, with every request it could make caught), CSV read by Python's `csv`
//! module, and a hostile answer exported inert. Everything stays on 127.0.0.1.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::{Value, json};

use crate::common::{self, describe, run};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");

fn sctui(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.current_dir(home);
    cmd
}

fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what}: {}", describe(&out));
    out
}

/// A program the test needs; under CI (`.ci/run` installs it) its absence fails the test,
/// elsewhere the test is skipped with a message.
fn required(names: &[&str], why: &str) -> Option<PathBuf> {
    let found = names.iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{} is required under CI ({why}; .ci/run installs it)",
                names[0]
            );
        }
        eprintln!("skipped: {} is not installed ({why})", names[0]);
    }
    found
}

/// Catches every request made to it, from its start until dropped: the browser's proxy and every
/// address a hostile answer names point here, so any request the page makes lands here (its
/// first line is kept: `GET http://host/path …`, `CONNECT host:443 …` or, straight to this
/// loopback port, `GET /path …`).
struct RequestTrap {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

/// Chromium's own update and sign-in checks, sent whatever the page holds: not the page's.
const BROWSER_OWN_HOSTS: &[&str] = &[
    "update.googleapis.com",
    "accounts.google.com",
    "clients2.google.com",
];

impl RequestTrap {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let seen = seen.clone();
                        std::thread::spawn(move || {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                            let mut head = [0u8; 1024];
                            let n = stream.read(&mut head).unwrap_or(0);
                            let line = String::from_utf8_lossy(&head[..n])
                                .lines()
                                .next()
                                .unwrap_or("(nothing sent)")
                                .to_string();
                            seen.lock().unwrap().push(line);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self {
            port,
            requests,
            stop,
        }
    }

    /// The requests caught, but the browser's own ([`BROWSER_OWN_HOSTS`]).
    fn page_requests(&self) -> Vec<String> {
        // the reading threads get a moment to record what arrived last
        std::thread::sleep(Duration::from_millis(300));
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|line| {
                let target = line.split(' ').nth(1).unwrap_or("");
                let host = target
                    .trim_start_matches("http://")
                    .trim_start_matches("https://")
                    .split(['/', ':'])
                    .next()
                    .unwrap_or("");
                !BROWSER_OWN_HOSTS.contains(&host)
            })
            .cloned()
            .collect()
    }
}

impl Drop for RequestTrap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// What headless Chromium made of a page: its DOM after load, and a screenshot.
struct Rendered {
    dom: String,
    screenshot: Vec<u8>,
}

/// Opens `page` in headless Chromium twice (the DOM, then a screenshot), every request sent to
/// `trap`.
fn chromium(browser: &Path, page: &Path, trap: &RequestTrap) -> Rendered {
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("page.png");
    let url = format!("file://{}", page.display());
    let launch = |action: &str| {
        let out = Command::new("timeout")
            .arg("120")
            .arg(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1200,3000",
            ])
            .arg(format!(
                "--user-data-dir={}",
                profile.path().join("data").display()
            ))
            .arg(format!("--proxy-server=http://127.0.0.1:{}", trap.port))
            .arg(action)
            .arg(&url)
            .env("HOME", profile.path())
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium {action}: {}",
            describe(&out)
        );
        out
    };
    let dom = String::from_utf8(launch("--dump-dom").stdout).unwrap();
    launch(&format!("--screenshot={}", shot.display()));
    let screenshot = std::fs::read(&shot).expect("a screenshot");
    Rendered { dom, screenshot }
}

/// `text` as a DOM serialiser writes it in an element's body.
fn in_dom(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// Tables and code blocks in an answer's Markdown, as GitHub would count them.
fn tables_and_code_blocks(markdown: &str) -> (usize, usize) {
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_GFM;
    Parser::new_ext(markdown, options).fold((0, 0), |(t, c), e| match e {
        Event::Start(Tag::Table(_)) => (t + 1, c),
        Event::Start(Tag::CodeBlock(_)) => (t, c + 1),
        _ => (t, c),
    })
}

fn answer(prompt: &Value) -> &str {
    prompt["evaluations"][0]["result"]["content"]
        .as_str()
        .unwrap_or("")
}

/// The demo sessions synced into a fresh store, then Graph stopped: the HTML of the session with
/// the most tables and code blocks opens in Chromium with every question, answer, table and code
/// block, and the page makes no request; `--all --format csv` reads in Python's `csv` with one
/// row per question and multi-line answers intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_exports_open_in_chromium_and_in_pythons_csv() {
    let home = tempfile::tempdir().unwrap();
    let fake = sctui_fake::FakeGraph::start(sctui_fake::FakeOptions {
        token: None,
        ..sctui_fake::FakeOptions::demo()
    })
    .await
    .expect("fake");
    let url = fake.base_url().to_string();
    let mut sync = sctui(home.path());
    sync.env("SCTUI_ACCESS_TOKEN", "t")
        .args(["--graph-url", &url, "sync", "--conversations"]);
    ok(run(sync).await, "sync");
    fake.shutdown().await;

    let offline = |args: &[&str]| {
        let mut cmd = sctui(home.path());
        cmd.args(["--graph-url", &url, "--offline", "sessions", "export"])
            .args(args);
        cmd
    };
    let all = ok(
        run(offline(&["--all", "--format", "json", "--file", "-"])).await,
        "--all json",
    );
    let sessions: Value = serde_json::from_slice(&all.stdout).unwrap();
    let sessions = sessions.as_array().expect("an array of sessions");
    assert!(sessions.len() > 10, "{sessions:?}");
    let richest = sessions
        .iter()
        .max_by_key(|s| {
            s["prompts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let (t, c) = tables_and_code_blocks(answer(p));
                    t.min(1) + c.min(1) + t + c
                })
                .sum::<usize>()
        })
        .unwrap();
    let id = richest["id"].as_str().unwrap();
    let prompts = richest["prompts"].as_array().unwrap();
    let (tables, code_blocks) = prompts.iter().fold((0, 0), |(t, c), p| {
        let (pt, pc) = tables_and_code_blocks(answer(p));
        (t + pt, c + pc)
    });
    assert!(tables > 0 && code_blocks > 0, "{richest}");

    // HTML, in a browser
    let page = home.path().join("session.html");
    ok(
        run(offline(&[id, "--format", "html", "--file", "session.html"])).await,
        "html",
    );
    if let Some(browser) = required(
        &["chromium", "chromium-browser"],
        "HTML exports are checked in a browser",
    ) {
        let trap = RequestTrap::start();
        let rendered = chromium(&browser, &page, &trap);
        let dom = &rendered.dom;
        assert_eq!(
            dom.matches("<section class=\"turn\"").count(),
            prompts.len(),
            "{dom}"
        );
        assert_eq!(dom.matches("<table>").count(), tables, "{dom}");
        assert_eq!(dom.matches("<pre><code").count(), code_blocks, "{dom}");
        for prompt in prompts {
            let question = prompt["content"].as_str().unwrap().trim();
            assert!(dom.contains(&in_dom(question)), "{question:?} in {dom}");
            // every paragraph and cell of the answer is there as text
            for event in Parser::new_ext(answer(prompt), Options::ENABLE_TABLES) {
                if let Event::Text(text) = event
                    && text.trim().len() > 3
                {
                    assert!(dom.contains(&in_dom(&text)), "{text:?} in {dom}");
                }
            }
        }
        assert!(
            rendered.screenshot.starts_with(b"\x89PNG") && rendered.screenshot.len() > 10_000,
            "a screenshot of the page"
        );
        assert_eq!(
            trap.page_requests(),
            Vec::<String>::new(),
            "the page made no request"
        );
    }

    // CSV, in Python
    ok(
        run(offline(&["--all", "--format", "csv", "--file", "all.csv"])).await,
        "csv",
    );
    let csv = std::fs::read(home.path().join("all.csv")).unwrap();
    assert!(
        csv.starts_with(b"\xef\xbb\xbf"),
        "UTF-8 with a byte-order mark"
    );
    if required(
        &["python3"],
        "CSV exports are read with Python's csv module",
    )
    .is_some()
    {
        let out = ok(
            Command::new("python3")
                .arg("-c")
                .arg(
                    "import csv, json, sys\n\
                     with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n    \
                     print(json.dumps(list(csv.reader(f))))",
                )
                .arg(home.path().join("all.csv"))
                .output()
                .unwrap(),
            "python3 csv",
        );
        let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            rows[0],
            [
                "Session id",
                "Session name",
                "Question time (UTC)",
                "Question",
                "Answer",
                "Result",
                "Evaluation state",
                "Time to answer (s)"
            ]
        );
        let expected: Vec<(&str, &Value)> = sessions
            .iter()
            .flat_map(|s| {
                let id = s["id"].as_str().unwrap();
                s["prompts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |p| (id, p))
            })
            .collect();
        assert_eq!(rows.len() - 1, expected.len(), "one row per question");
        let mut multi_line = 0;
        for (row, (session, prompt)) in rows[1..].iter().zip(&expected) {
            assert_eq!(row.len(), 8, "{row:?}");
            assert_eq!(row[0], *session);
            assert_eq!(row[3], prompt["content"].as_str().unwrap().trim());
            assert_eq!(row[4], answer(prompt).trim_end(), "the answer, intact");
            multi_line += usize::from(row[4].contains('\n'));
            assert_eq!(row[6], prompt["evaluations"][0]["state"].as_str().unwrap());
        }
        assert!(multi_line > 10, "multi-line answers kept their line breaks");
    }
}

/// Markup, script, `javascript:` links, images, raw HTML and terminal escape sequences.
const HOSTILE_ANSWER: &str = "Found it <script>document.title='pwned'</script> here.\n\n\
<img src=\"http://127.0.0.1:TRAP/img\" onerror=\"document.body.dataset.pwned=1\">\n\n\
[open](javascript:document.body.dataset.pwned=2) [data](data:text/html,<b>x</b>) \
<javascript:alert(3)>\n\n\
![tracker](http://127.0.0.1:TRAP/pixel.png)\n\n\
<iframe src=\"http://127.0.0.1:TRAP/frame\"></iframe>\n\n\
<link rel=stylesheet href=\"http://127.0.0.1:TRAP/style.css\">\n\n\
Text with \u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2Jescapes\u{9b}31m and \u{202e}bidi.\n";

/// A Graph stand-in with one session whose only answer is [`HOSTILE_ANSWER`].
async fn hostile_graph(trap_port: u16) -> String {
    let answer = HOSTILE_ANSWER.replace("TRAP", &trap_port.to_string());
    let router = Router::new().fallback(move |method: Method, uri: Uri| {
        let answer = answer.clone();
        async move {
            let path = uri.path().to_string();
            let session = json!({
                "id": "s1", "displayName": "<script>x()</script>\u{1b}[31mHostile",
                "createdDateTime": "2025-09-17T19:23:41Z", "lastModifiedDateTime": "2025-09-17T19:25:00Z"
            });
            match (method.as_str(), path.as_str()) {
                ("GET", p) if p.ends_with("/sessions/s1") => axum::Json(session).into_response(),
                ("GET", p) if p.ends_with("/prompts") => axum::Json(json!({"value": [{
                    "id": "p1", "type": "prompt", "content": "<img src=x onerror=alert(1)>?",
                    "createdDateTime": "2025-09-17T19:23:42Z"
                }]}))
                .into_response(),
                ("GET", p) if p.ends_with("/evaluations") => axum::Json(json!({"value": [{
                    "id": "e1", "state": "completed",
                    "result": {"type": "success", "content": answer},
                    "createdDateTime": "2025-09-17T19:23:42Z",
                    "completedDateTime": "2025-09-17T19:23:50Z"
                }]}))
                .into_response(),
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/beta")
}

/// A hostile answer exports inert in every format, and its HTML loads nothing and runs nothing
/// in a browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_answer_exports_inert() {
    let trap = RequestTrap::start();
    let graph = hostile_graph(trap.port).await;
    let home = tempfile::tempdir().unwrap();
    for format in ["md", "html", "json", "csv"] {
        let mut cmd = sctui(home.path());
        cmd.env("SCTUI_ACCESS_TOKEN", "t").args([
            "--graph-url",
            &graph,
            "sessions",
            "export",
            "s1",
            "--format",
            format,
            "--file",
            &format!("hostile.{format}"),
        ]);
        ok(run(cmd).await, format);
        let text = std::fs::read_to_string(home.path().join(format!("hostile.{format}"))).unwrap();
        let body = text.trim_start_matches('\u{feff}');
        assert!(
            !body
                .chars()
                .any(|c| (c.is_control() && !matches!(c, '\n' | '\r'))
                    || matches!(c, '\u{202e}' | '\u{9b}')),
            "{format}: a control or bidi character is left: {body:?}"
        );
        if format == "json" {
            // exact values, with what a terminal would act on written as escapes
            let value: Value = serde_json::from_str(body).unwrap();
            let content = value["prompts"][0]["evaluations"][0]["result"]["content"]
                .as_str()
                .unwrap();
            assert!(content.contains("\u{1b}[2J"), "{content:?}");
        }
    }
    let html = std::fs::read_to_string(home.path().join("hostile.html")).unwrap();
    for live in [
        "<script",
        "<img",
        "<iframe",
        "<link",
        "href=\"javascript",
        "href=\"data",
    ] {
        assert!(!html.contains(live), "{live:?} in {html}");
    }
    assert!(
        html.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "{html}"
    );
    if let Some(browser) = required(
        &["chromium", "chromium-browser"],
        "HTML exports are checked in a browser",
    ) {
        let rendered = chromium(&browser, &home.path().join("hostile.html"), &trap);
        let dom = &rendered.dom;
        assert!(
            !dom.contains("pwned\"") && !dom.contains("data-pwned"),
            "{dom}"
        );
        assert!(
            dom.contains("<title>&lt;script&gt;x()&lt;/script&gt;Hostile"),
            "{dom}"
        );
        for live in ["<script", "<img", "<iframe", "<link"] {
            assert!(!dom.contains(live), "{live:?} in {dom}");
        }
        assert!(
            dom.contains(&format!(
                "<a href=\"http://127.0.0.1:{}/pixel.png\">tracker</a>",
                trap.port
            )),
            "the image is a link, not a load: {dom}"
        );
        assert_eq!(
            trap.page_requests(),
            Vec::<String>::new(),
            "the page made no request"
        );
    }
}

/// `--file` replaces a symlink planted at the path instead of writing through it, and the
/// export is readable by the user only.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_private_and_never_written_through_a_symlink() {
    use std::os::unix::fs::MetadataExt;
    let trap = RequestTrap::start();
    let graph = hostile_graph(trap.port).await;
    let home = tempfile::tempdir().unwrap();
    let victim = home.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, home.path().join("out.html")).unwrap();
    let mut cmd = sctui(home.path());
    cmd.env("SCTUI_ACCESS_TOKEN", "t").args([
        "--graph-url",
        &graph,
        "sessions",
        "export",
        "s1",
        "--format",
        "html",
        "--file",
        "out.html",
    ]);
    ok(run(cmd).await, "export over a symlink");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let written = std::fs::symlink_metadata(home.path().join("out.html")).unwrap();
    assert!(written.file_type().is_file());
    assert_eq!(written.mode() & 0o777, 0o600);
    let mut text = String::new();
    std::fs::File::open(home.path().join("out.html"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"), "{text}");
}

/// `-o/--output` is the printed format, as on every command; a file name given to it (the old
/// spelling) still writes that file, with a warning, and `-o json` alone says what to use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_means_the_printed_format_and_old_file_names_still_work() {
    let trap = RequestTrap::start();
    let graph = hostile_graph(trap.port).await;
    let home = tempfile::tempdir().unwrap();
    let export = |args: &[&str]| {
        let mut cmd = sctui(home.path());
        cmd.env("SCTUI_ACCESS_TOKEN", "t")
            .args(["--graph-url", &graph, "sessions", "export", "s1"])
            .args(args);
        cmd
    };
    let out = ok(run(export(&["--output", "notes.md"])).await, "old spelling");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--file notes.md"),
        "{}",
        describe(&out)
    );
    let notes = std::fs::read_to_string(home.path().join("notes.md")).unwrap();
    assert!(notes.starts_with("# "), "{notes}");

    let out = run(export(&["--output", "json"])).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(!home.path().join("json").exists());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--format json"),
        "{}",
        describe(&out)
    );

    let out = ok(
        run(export(&[
            "-o", "json", "--format", "csv", "--file", "s.csv",
        ]))
        .await,
        "summary",
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        summary,
        json!({"file": "s.csv", "format": "csv", "sessions": 1, "questions": 1})
    );
}

/// The browser check can fail: a page that loads an image and a stylesheet is caught.
#[test]
fn the_request_trap_catches_what_a_page_loads() {
    let Some(browser) = required(
        &["chromium", "chromium-browser"],
        "HTML exports are checked in a browser",
    ) else {
        return;
    };
    let trap = RequestTrap::start();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("loads.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><link rel=stylesheet href=\"https://fonts.example/a.css\">\
             </head><body><img src=\"http://127.0.0.1:{}/pixel.png\"></body></html>",
            trap.port
        ),
    )
    .unwrap();
    chromium(&browser, &page, &trap);
    let caught = trap.page_requests();
    assert!(
        caught.iter().any(|r| r.starts_with("GET /pixel.png"))
            && caught.iter().any(|r| r.contains("fonts.example")),
        "{caught:?}"
    );
}
