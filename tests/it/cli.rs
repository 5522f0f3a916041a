//! The `sctui` binary as a script uses it: a standalone `sctui fake-graph` child process, then
//! `sctui --graph-url URL sessions …` against it, checking stdout, stderr and exit codes.
//! Everything stays on 127.0.0.1; every spawned process gets its own HOME and XDG dirs.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::describe;
use serde_json::Value;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_sctui");
const TOKEN: &str = "cli-test-token";

/// A command for the binary with HOME/XDG isolated under `home` and no inherited sctui env.
pub(crate) fn sctui(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd
}

/// Kills the child (the standalone fake) when dropped, even if the test panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `sctui fake-graph` and the tempdir its clients use as HOME.
pub(crate) struct Fake {
    _child: KillOnDrop,
    pub(crate) url: String,
    pub(crate) home: tempfile::TempDir,
}

impl Fake {
    pub(crate) fn start(sessions: Option<usize>) -> Self {
        Self::start_with(sessions, &[])
    }

    /// Like [`Fake::start`], with more `fake-graph` flags (`--order oldest-first`).
    pub(crate) fn start_with(sessions: Option<usize>, flags: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = sctui(home.path());
        cmd.args(["fake-graph", "--port", "0"]).args(flags);
        if let Some(n) = sessions {
            cmd.args(["--sessions", &n.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sctui fake-graph");
        let stdout = child.stdout.take().expect("stdout");
        let child = KillOnDrop(child);
        // Read the first line on a thread so a silent child cannot hang the test.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = tx.send(reader.read_line(&mut line).map(|_| line));
            // Keep the pipe open (and drained) while the child lives.
            let mut sink = String::new();
            while matches!(reader.read_line(&mut sink), Ok(n) if n > 0) {
                sink.clear();
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("fake-graph printed its base URL within 30 s")
            .expect("read fake-graph stdout");
        let url = line.trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/beta"),
            "first stdout line is the base URL, got {line:?}"
        );
        Fake {
            _child: child,
            url,
            home,
        }
    }

    /// `sctui --graph-url URL <args>` with a token.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        sctui(self.home.path())
            .env("SCTUI_ACCESS_TOKEN", TOKEN)
            .arg("--graph-url")
            .arg(&self.url)
            .args(args)
            .output()
            .expect("run sctui")
    }

    pub(crate) fn run_ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "sctui {args:?} failed: {}",
            describe(&out)
        );
        out
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let out = self.run_ok(args);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "sctui {args:?}: stdout is not JSON ({e}): {}",
                describe(&out)
            )
        })
    }
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_graph_session(s: &Value) {
    let obj = s
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {s}"));
    let id = obj.get("id").and_then(Value::as_str).expect("id string");
    assert_eq!(id.len(), 36, "GUID id: {id}");
    assert!(obj.contains_key("displayName"), "displayName present: {s}");
    for key in ["createdDateTime", "lastModifiedDateTime"] {
        let t = obj.get(key).and_then(Value::as_str);
        assert!(
            t.is_some_and(|t| t.ends_with('Z')),
            "{key} is a UTC timestamp: {s}"
        );
    }
}

crate::both_orders!(fn list_all_json_prints_all_250_sessions_with_graph_names);
fn list_all_json_prints_all_250_sessions_with_graph_names(order: sctui_fake::SessionOrder) {
    let order_flag = match order {
        sctui_fake::SessionOrder::NewestFirst => "newest-first",
        sctui_fake::SessionOrder::OldestFirst => "oldest-first",
    };
    let fake = Fake::start_with(Some(250), &["--order", order_flag]);
    let list = fake.json(&["sessions", "list", "--all", "--output", "json"]);
    let items = list.as_array().expect("a JSON array");
    assert_eq!(items.len(), 250);
    items.iter().for_each(assert_graph_session);
    let ids: std::collections::HashSet<&str> =
        items.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 250, "no duplicates across pages");
    // Newest-modified first, like the TUI.
    let times: Vec<&str> = items
        .iter()
        .map(|s| s["lastModifiedDateTime"].as_str().unwrap())
        .collect();
    let parsed: Vec<jiff::Timestamp> = times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(parsed.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Small pages are followed too, and without --all only one page is listed.
    let paged = fake.json(&["sessions", "list", "--all", "--top", "40", "-o", "json"]);
    assert_eq!(paged.as_array().unwrap().len(), 250);
    let one_page = fake.json(&["sessions", "list", "--top", "7", "--output", "json"]);
    assert_eq!(one_page.as_array().unwrap().len(), 7);
}

#[test]
fn create_get_rename_round_trip_in_json() {
    let fake = Fake::start(None);
    let name = format!("cli create {}", std::process::id());
    let created = fake.json(&["sessions", "create", &name, "--output", "json"]);
    assert_graph_session(&created);
    assert_eq!(created["displayName"], name.as_str());
    let id = created["id"].as_str().unwrap().to_string();

    let got = fake.json(&["sessions", "get", &id, "--output", "json"]);
    assert_eq!(got, created, "get returns what create returned");

    let new_name = format!("cli renamed {}", std::process::id());
    let renamed = fake.json(&["sessions", "rename", &id, &new_name, "--output", "json"]);
    assert_graph_session(&renamed);
    assert_eq!(renamed["id"], id.as_str());
    assert_eq!(renamed["displayName"], new_name.as_str());
    assert_eq!(renamed["createdDateTime"], created["createdDateTime"]);
    let before: jiff::Timestamp = created["lastModifiedDateTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let after: jiff::Timestamp = renamed["lastModifiedDateTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(after >= before, "lastModifiedDateTime bumped on rename");

    let again = fake.json(&["sessions", "get", &id, "-o", "json"]);
    assert_eq!(again["displayName"], new_name.as_str());

    // The renamed session is in the list, at the top (newest-modified first).
    let list = fake.json(&["sessions", "list", "--all", "--output", "json"]);
    let list = list.as_array().unwrap();
    assert_eq!(
        list[0]["id"],
        id.as_str(),
        "renamed session is listed first"
    );
    assert_eq!(list.iter().filter(|s| s["id"] == id.as_str()).count(), 1);

    // Table output of a single session is readable.
    let table = fake.run_ok(&["sessions", "get", &id]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains(&id) && text.contains(&new_name), "{text}");

    // An empty name is a usage error, nothing is created.
    let empty = fake.run(&["sessions", "create", "   "]);
    assert_eq!(empty.status.code(), Some(2), "{}", describe(&empty));
}

#[test]
fn filter_is_passed_to_graph() {
    let fake = Fake::start(None);
    let name = format!("ZZfilter-{}", std::process::id());
    fake.run_ok(&["sessions", "create", &name]);
    let filter = format!("startswith(displayName,'{name}')");
    let found = fake.json(&["sessions", "list", "--filter", &filter, "-o", "json"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["displayName"], name.as_str());
}

#[test]
fn unknown_session_exits_4_with_the_error_on_stderr() {
    let fake = Fake::start(None);
    let out = fake.run(&[
        "sessions",
        "get",
        "00000000-0000-0000-0000-000000000000",
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        describe(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("error"), "{err}");
    let out = fake.run(&[
        "sessions",
        "rename",
        "00000000-0000-0000-0000-000000000000",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
}

#[test]
fn missing_token_exits_3() {
    let fake = Fake::start(None);
    let out = sctui(fake.home.path())
        .args(["--graph-url", &fake.url, "sessions", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        stderr(&out).contains("SCTUI_ACCESS_TOKEN"),
        "{}",
        describe(&out)
    );

    // An empty token counts as missing.
    let out = sctui(fake.home.path())
        .env("SCTUI_ACCESS_TOKEN", "  ")
        .args(["--graph-url", &fake.url, "sessions", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
}

#[test]
fn token_rejected_by_graph_exits_3() {
    // A fake that wants one exact token rejects any other with Graph's 401.
    let home = tempfile::tempdir().unwrap();
    let mut child = sctui(home.path())
        .args(["fake-graph", "--port", "0", "--token", "the-right-one"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let _guard = KillOnDrop(child);
    let mut url = String::new();
    reader.read_line(&mut url).unwrap();
    let url = url.trim();
    let out = sctui(home.path())
        .env("SCTUI_ACCESS_TOKEN", "the-wrong-one")
        .args(["--graph-url", url, "sessions", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    // signing in again would not help while the variable is set: the way out is a new token
    let err = stderr(&out);
    assert!(
        err.contains("replace SCTUI_ACCESS_TOKEN with a new token") && !err.contains("sign in"),
        "{}",
        describe(&out)
    );
    let token_file = home.path().join("token");
    std::fs::write(&token_file, "the-wrong-one").unwrap();
    let out = sctui(home.path())
        .args([
            "--graph-url",
            url,
            "--token-file",
            token_file.to_str().unwrap(),
        ])
        .args(["sessions", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        stderr(&out).contains("put a new token in the file"),
        "{}",
        describe(&out)
    );
    let out = sctui(home.path())
        .env("SCTUI_ACCESS_TOKEN", "the-right-one")
        .args(["--graph-url", url, "sessions", "list", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

/// Runs `sctui <global> <args>` with a token and checks it exits 2 (usage).
fn usage_error(home: &Path, global: &[&str], args: &[&str]) -> Output {
    let out = sctui(home)
        .env("SCTUI_ACCESS_TOKEN", TOKEN)
        .args(global)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "sctui {args:?}: {}",
        describe(&out)
    );
    out
}

#[test]
fn bad_flag_exits_2() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--no-such-flag"][..],
        &["sessions", "list", "--top", "0"][..],
        &["sessions", "list", "--output", "xml"][..],
        &["sessions", "get"][..],
    ] {
        let out = usage_error(home.path(), &[], args);
        assert!(
            !stderr(&out).is_empty(),
            "sctui {args:?}: says why on stderr"
        );
    }
}

#[test]
fn table_output_has_a_header() {
    let fake = Fake::start(Some(5));
    let out = fake.run_ok(&["sessions", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let header = lines.next().expect("a header line");
    assert!(
        header.contains("ID")
            && header.contains("DISPLAY NAME")
            && header.contains("LAST MODIFIED"),
        "header: {header:?}"
    );
    assert_eq!(lines.filter(|l| !l.trim().is_empty()).count(), 5, "{text}");
    assert!(
        !text.contains('\x1b'),
        "no escape codes when piped: {text:?}"
    );
}

#[test]
fn help_lists_the_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let out = sctui(home.path()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Exit codes"), "{text}");
    for line in [
        "0  success",
        "2  usage",
        "3  auth",
        "4  not found",
        "6  network",
    ] {
        assert!(text.contains(line), "--help mentions {line:?}: {text}");
    }
    assert!(text.contains("SCTUI_ACCESS_TOKEN"), "{text}");
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let home = tempfile::tempdir().unwrap();
    // A TEST-NET address: never contacted, the URL is refused before any request.
    let out = sctui(home.path())
        .env("SCTUI_ACCESS_TOKEN", TOKEN)
        .args(["--graph-url", "http://192.0.2.1/beta", "sessions", "list"])
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(matches!(code, Some(2) | Some(6)), "{}", describe(&out));
    assert!(stderr(&out).contains("loopback"), "{}", describe(&out));

    // The same through the environment.
    let out = sctui(home.path())
        .env("SCTUI_ACCESS_TOKEN", TOKEN)
        .env("SCTUI_GRAPH_URL", "http://example.invalid/beta")
        .args(["sessions", "list"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(2) | Some(6)),
        "{}",
        describe(&out)
    );
    assert!(stderr(&out).contains("loopback"), "{}", describe(&out));
}

#[test]
fn demo_flag_works_with_sessions_commands() {
    let home = tempfile::tempdir().unwrap();
    let out = sctui(home.path())
        .args(["--demo", "sessions", "list", "--all", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert!(
        list.len() >= 20,
        "demo seed has realistic sessions: {}",
        list.len()
    );
    list.iter().for_each(assert_graph_session);
    assert!(
        list.iter().any(|s| s["displayName"].is_null()),
        "some demo sessions have a null name"
    );
}

/// A wait against `--demo` names the built-in fake, not the port it happens to listen on (which
/// changes every run and means nothing to the user).
#[test]
fn a_long_demo_wait_names_the_fake_not_its_port() {
    let home = tempfile::tempdir().unwrap();
    // with connections given 1 s, a command says it waits after 2 s
    let config = home.path().join("config.toml");
    std::fs::write(&config, "connect_timeout = 1\n").unwrap();
    let out = sctui(home.path())
        .args([
            "--config",
            config.to_str().unwrap(),
            "--demo",
            "--eval-seconds",
            "3",
        ])
        .args(["ask", "--wait", "-o", "json", "hello"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("waiting for the built-in Graph fake (--demo)"),
        "{}",
        describe(&out)
    );
    assert!(!err.contains("127.0.0.1"), "{}", describe(&out));
}

/// `ask --wait` follows a run until it rests: an answer exits 0; a failure, a cancelled run or
/// one that waits for input exits 7 and names the state and result type.
#[test]
fn ask_wait_names_how_the_run_ended() {
    let home = tempfile::tempdir().unwrap();
    for (trigger, code, words) in [
        ("", 0, ""),
        ("[fail:rejected] ", 7, "(state completed, result rejected)"),
        ("[state:cancelled] ", 7, "(state cancelled, result "),
        (
            "[state:waitingForInput] ",
            7,
            "): Security Copilot waits for input",
        ),
    ] {
        let out = sctui(home.path())
            .args(["--demo", "--eval-seconds", "0.5", "ask", "--wait"])
            .arg(format!("{trigger}who am i"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{trigger}: {}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains(words),
            "{trigger}: {}",
            describe(&out)
        );
    }
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn empty_and_path_like_ids_are_usage_errors_before_any_request() {
    // Nothing listens at this URL: a request would end in exit 6, not 2.
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/beta", closed_port());
    for args in [
        &["sessions", "get", ""][..],
        &["sessions", "get", "  "][..],
        &["sessions", "rename", "..", "x"][..],
        &["sessions", "rename", ".", "x"][..],
        &["sessions", "export", "a/b"][..],
        &["sessions", "get", "x?y=1"][..],
        &["sessions", "get", "x#frag"][..],
        &["prompts", "list", ""][..],
        &["ask", "--session", "..", "hello"][..],
    ] {
        let out = usage_error(home.path(), &["--graph-url", &url], args);
        assert!(
            stderr(&out).contains("id cannot"),
            "sctui {args:?}: {}",
            describe(&out)
        );
    }
}

/// A connection that cannot be made is told at once, in one line naming the URL (exit 6): no
/// retries announced one after another while the user waits.
fn assert_one_network_error(out: &Output, url: &str) {
    assert_eq!(out.status.code(), Some(6), "{}", describe(out));
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one message: {}", describe(out));
    assert!(
        lines[0].starts_with("sctui: error: network error: could not connect")
            && lines[0].contains(url.trim_end_matches("/beta")),
        "{}",
        describe(out)
    );
    assert!(out.stdout.is_empty(), "{}", describe(out));
}

#[test]
fn a_refused_connection_is_reported_at_once_in_one_message() {
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/beta", closed_port());
    let out = sctui(home.path())
        .env("SCTUI_ACCESS_TOKEN", TOKEN)
        .args(["--graph-url", &url, "sessions", "list"])
        .output()
        .unwrap();
    assert_one_network_error(&out, &url);
}

/// A host that never answers (a listener whose queue is full drops new connections unanswered,
/// as a firewall does): the CLI gives up after the default connect timeout, in one message.
#[tokio::test]
async fn an_unreachable_host_is_given_up_on_after_the_connect_timeout_in_one_message() {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let address = listener.local_addr().unwrap();
    // fill the queue: the connections after these get no answer at all
    let mut held = Vec::new();
    for _ in 0..4 {
        let connecting = tokio::net::TcpStream::connect(address);
        match tokio::time::timeout(Duration::from_millis(300), connecting).await {
            Ok(Ok(stream)) => held.push(stream),
            _ => break,
        }
    }
    assert!(!held.is_empty(), "the queue took some connections");
    let home = tempfile::tempdir().unwrap();
    let url = format!("http://{address}/beta");
    let mut cmd = sctui(home.path());
    cmd.env("SCTUI_ACCESS_TOKEN", TOKEN)
        .args(["--graph-url", &url, "sessions", "list"]);
    let out = common::run(cmd).await;
    assert_one_network_error(&out, &url);
    drop(held);
}

#[test]
fn a_graph_url_without_beta_and_an_unknown_workspace_point_the_way_out() {
    let fake = Fake::start(Some(3));
    let bare = fake.url.trim_end_matches("/beta");
    let out = sctui(fake.home.path())
        .env("SCTUI_ACCESS_TOKEN", TOKEN)
        .args(["--graph-url", bare, "sessions", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("hint:") && err.contains(&format!("--graph-url {bare}/beta")),
        "{err}"
    );

    let out = fake.run(&["--workspace", "nope", "sessions", "list"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("hint:") && err.contains("`w`") && err.contains("--workspace"),
        "{err}"
    );
}

#[test]
fn demo_works_for_whoami_login_and_logout_without_a_sign_in_service() {
    let home = tempfile::tempdir().unwrap();
    // A cache file that --demo must leave alone.
    let cache = home.path().join("state/sctui/auth/tokens.json");
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    std::fs::write(&cache, "{}").unwrap();
    let run = |args: &[&str]| {
        sctui(home.path())
            .arg("--demo")
            .args(args)
            .output()
            .unwrap()
    };

    let out = run(&["whoami"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("alex@contoso.example") && text.contains("demo"),
        "{text}"
    );
    let out = run(&["whoami", "-o", "json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["username"], "alex@contoso.example");

    let out = run(&["login"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("demo") && text.contains("Alex Wilber"),
        "{text}"
    );
    assert!(!stderr(&out).contains("devicelogin"), "{}", describe(&out));

    let out = run(&["logout"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(cache.exists(), "--demo logout kept the real token cache");
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), "{}");

    let out = run(&["sessions", "list", "-o", "json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = list[0]["id"].as_str().expect("a demo session").to_string();
    for args in [
        &["prompts", "list", &id][..],
        &["sessions", "get", &id][..],
        &["sessions", "export", &id][..],
        &["ask", "--session", &id, "what next?"][..],
        &["man"][..],
    ] {
        let out = run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "sctui --demo {args:?}: {}",
            describe(&out)
        );
    }
}

#[test]
fn ask_reads_the_question_from_stdin() {
    use std::io::Write;
    let fake = Fake::start(Some(2));
    let ask = |args: &[&str], input: &str| {
        let mut child = sctui(fake.home.path())
            .env("SCTUI_ACCESS_TOKEN", TOKEN)
            .args(["--graph-url", &fake.url, "ask"])
            .args(args)
            .args(["-o", "json"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = ask(&["-"], "first line\nsecond line\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["prompt"]["content"], "first line\nsecond line");

    // No argument and a stdin that is not a terminal: the same.
    let out = ask(&[], "piped question");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["prompt"]["content"], "piped question");

    // Empty stdin is a usage error.
    let out = ask(&["-"], "  \n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

#[test]
fn global_options_are_listed_once_in_the_main_help_and_work_after_any_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| {
        let out = sctui(home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let main = help(&["--help"]);
    let listed = |text: &str, flag: &str| {
        text.lines()
            .filter(|line| line.trim_start().split([' ', '\n']).next() == Some(flag))
            .count()
    };
    for flag in [
        "--workspace",
        "--graph-url",
        "--offline",
        "--demo-sessions",
        "--faults",
    ] {
        assert_eq!(listed(&main, flag), 1, "{flag} once:\n{main}");
    }
    // the flags for the built-in fake under their own heading, after the others
    let global = main.find("Global options:").expect("global heading");
    let demo = main.find("Demo options").expect("demo heading");
    assert!(
        global < demo && demo < main.find("--demo-sessions").unwrap(),
        "{main}"
    );
    for (args, own) in [
        (&["sessions", "list", "--help"][..], "--all"),
        (&["ask", "--help"][..], "--wait"),
        (&["login", "--help"][..], "--tenant"),
        (&["store", "stats", "--help"][..], "--output"),
    ] {
        let text = help(args);
        assert!(text.contains(own), "sctui {args:?}:\n{text}");
        for global in ["--workspace", "--demo-sessions", "--log-level", "--offline"] {
            assert_eq!(
                listed(&text, global),
                0,
                "sctui {args:?} repeats {global}:\n{text}"
            );
        }
        assert!(!text.contains("Global options:"), "sctui {args:?}:\n{text}");
        assert!(
            text.contains("see `sctui --help`"),
            "sctui {args:?}:\n{text}"
        );
        assert!(text.lines().count() < 25, "sctui {args:?}:\n{text}");
    }
    // hidden from the subcommand's help, a global flag still works after it
    let out = sctui(home.path())
        .args(["store", "path", "--workspace", "elsewhere", "--demo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("demo_organizations_elsewhere-"),
        "{}",
        describe(&out)
    );
}

/// `sctui sync --conversations` against the fake, then search, then the same with the fake gone.
#[test]
fn sync_then_search_then_offline_finds_a_word_only_in_one_answer() {
    let fake = Fake::start(None);
    let path = String::from_utf8(fake.run_ok(&["store", "path"]).stdout).unwrap();
    assert!(
        path.trim().starts_with(
            &fake
                .home
                .path()
                .join("data")
                .join("sctui")
                .join("store")
                .display()
                .to_string()
        ),
        "the store is in the data dir: {path}"
    );
    let out = fake.run_ok(&["sync", "--conversations"]);
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(summary.starts_with("Synced "), "{summary}");
    assert!(
        summary.contains("conversations fetched, 0 unchanged"),
        "{summary}"
    );
    // a second sync fetches nothing that is settled and unchanged
    let again =
        String::from_utf8_lossy(&fake.run_ok(&["sync", "--conversations"]).stdout).into_owned();
    assert!(!again.contains(" 0 unchanged"), "{again}");

    // "SharpHound" occurs in one answer of the demo set, nowhere else
    let hits = fake.json(&["search", "SharpHound", "--output", "json"]);
    let hits = hits.as_array().expect("an array of hits");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["in"], "turn");
    assert!(
        hits[0]["snippet"]["text"]
            .as_str()
            .unwrap()
            .contains("SharpHound")
    );
    let session = hits[0]["sessionId"].as_str().unwrap().to_string();
    let position = hits[0]["position"].as_u64().unwrap() as usize;
    let prompt_id = hits[0]["promptId"].as_str().unwrap().to_string();
    let name = hits[0]["sessionName"].as_str().unwrap_or("").to_string();
    let table =
        String::from_utf8_lossy(&fake.run_ok(&["search", "SharpHound"]).stdout).into_owned();
    assert!(table.contains("**SharpHound**"), "{table}");
    assert!(
        fake.json(&["search", "CVE-2021-45046", "-o", "json"])
            .as_array()
            .unwrap()
            .len()
            == 1
    );

    // A question asked elsewhere leaves the session's lastModifiedDateTime alone (Graph bumps it
    // on a rename only): the next sync still finds it, fetching that conversation alone.
    let before = fake.json(&["sessions", "get", &session, "-o", "json"]);
    fake.run_ok(&["ask", "--session", &session, "what is xyzzyquux"]);
    let after = fake.json(&["sessions", "get", &session, "-o", "json"]);
    assert_eq!(
        before["lastModifiedDateTime"],
        after["lastModifiedDateTime"]
    );
    let third =
        String::from_utf8_lossy(&fake.run_ok(&["sync", "--conversations"]).stdout).into_owned();
    assert!(!third.contains(" 0 conversations fetched"), "{third}");
    let hits = fake.json(&["search", "xyzzyquux", "--output", "json"]);
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    assert_eq!(hits[0]["sessionId"], session.as_str());

    let stats = fake.json(&["store", "stats", "--output", "json"]);
    assert!(stats["sessions"].as_u64().unwrap() > 10, "{stats}");
    assert_eq!(stats["sessions"], stats["conversations"], "{stats}");
    drop(fake._child);

    // no network: the same answers from the store
    let offline = |args: &[&str]| {
        sctui(fake.home.path())
            .arg("--graph-url")
            .arg(&fake.url)
            .arg("--offline")
            .args(args)
            .output()
            .unwrap()
    };
    let out = offline(&["search", "SharpHound", "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "{hits}");
    assert_eq!(hits[0]["sessionId"], session.as_str(), "{hits}");
    let out = offline(&["prompts", "list", &session, "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    // the word is in that turn's answer only: not its question, not the session's name
    let turns: Value = serde_json::from_slice(&out.stdout).unwrap();
    let turn = &turns[position];
    assert_eq!(turn["id"], prompt_id.as_str(), "{turn}");
    assert!(
        !turn["content"]
            .as_str()
            .unwrap_or("")
            .contains("SharpHound"),
        "{turn}"
    );
    assert!(
        turn["latestEvaluation"]["result"]["content"]
            .as_str()
            .unwrap_or("")
            .contains("SharpHound"),
        "{turn}"
    );
    assert!(!name.contains("SharpHound"), "{name}");
    let out = offline(&["sessions", "list", "-o", "json"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&session),
        "the session is in the stored list: {}",
        describe(&out)
    );
    let out = offline(&["sessions", "rename", &session, "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("--offline"), "{}", describe(&out));
    let out = offline(&["prompts", "list", "not-stored"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));

    let out = offline(&["store", "clear"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!std::path::Path::new(path.trim()).exists());
}

/// A read of the store (`--offline`, `search`, `store stats`) never creates one: with no store
/// for this Graph host it says which host's store it looked for and which ones exist (exit 4).
#[test]
fn reading_a_store_that_does_not_exist_names_the_host_and_creates_nothing() {
    let fake = Fake::start(Some(3));
    fake.run_ok(&["sync"]);
    let port = fake.url.trim_start_matches("http://127.0.0.1:");
    let port = port.trim_end_matches("/beta");
    let store_dir = fake.home.path().join("data").join("sctui").join("store");
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&store_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sqlite3"))
            .collect();
        names.sort();
        names
    };
    let kept = files();
    assert_eq!(kept.len(), 1, "{kept:?}");
    // no --graph-url: Microsoft Graph's store, which was never kept here
    for args in [
        &["--offline", "sessions", "list"][..],
        &["--offline", "prompts", "list", "x"][..],
        &["search", "session"][..],
        &["store", "stats"][..],
    ] {
        let out = sctui(fake.home.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(4), "{args:?}: {}", describe(&out));
        let err = stderr(&out);
        assert!(
            err.contains("no local store for Graph host graph.microsoft.com")
                && err.contains(&format!(
                    "127.0.0.1-{port} (tenant organizations, workspace default)"
                )),
            "{args:?}: {}",
            describe(&out)
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", describe(&out));
        assert_eq!(files(), kept, "{args:?} made a store");
    }
    // with the host it was kept for, the same list offline
    let out = sctui(fake.home.path())
        .args(["--graph-url", &fake.url, "--offline", "sessions", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
    // cleared, it stays gone: stats says so instead of making an empty one
    fake.run_ok(&["store", "clear"]);
    let out = fake.run(&["store", "stats"]);
    assert_eq!(out.status.code(), Some(4), "{}", describe(&out));
    assert!(files().is_empty(), "{:?}", files());
    assert!(
        stderr(&out).contains("nothing was kept on this machine yet"),
        "{}",
        describe(&out)
    );
}

#[test]
fn no_store_keeps_nothing_on_disk() {
    let fake = Fake::start(Some(5));
    fake.run_ok(&["--no-store", "sessions", "list"]);
    let out = fake.run(&["--no-store", "search", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("turned off"), "{}", describe(&out));
    assert!(
        !fake
            .home
            .path()
            .join("data")
            .join("sctui")
            .join("store")
            .exists()
    );
}

/// Every `…DateTime` property of `graph` (what the fake wrote on the wire) is in `printed` with
/// exactly the same text; returns how many were compared.
fn same_times(graph: &Value, printed: &Value, what: &str) -> usize {
    let graph = graph.as_object().expect("a Graph object");
    let mut compared = 0;
    for (key, value) in graph.iter().filter(|(k, _)| k.ends_with("DateTime")) {
        assert_eq!(
            printed.get(key),
            Some(value),
            "{what}: {key} printed as Graph wrote it\nGraph: {graph:?}\nprinted: {printed}"
        );
        compared += 1;
    }
    compared
}

/// The form of a Graph timestamp: 7 fractional digits, fewer (trailing zeros dropped) or none.
fn time_form(text: &str) -> &'static str {
    match text.split_once('.') {
        None => "none",
        Some((_, fraction)) if fraction.trim_end_matches('Z').len() == 7 => "7 digits",
        Some(_) => "trailing zeros dropped",
    }
}

/// Graph's JSON for `path` (relative to the fake's base URL), read without the client.
fn graph_get(url: &str, path: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let resp = client
            .get(format!(
                "{url}/security/securityCopilot/workspaces/default/{path}"
            ))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("the fake answers");
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.expect("JSON")
    })
}

#[test]
fn demo_times_in_every_form_are_printed_exactly_as_graph_wrote_them() {
    // The demo data has each form Graph writes, in sessions, prompts and evaluations.
    let fake = Fake::start(None);
    let mut forms = std::collections::BTreeSet::new();
    let mut compared = 0;
    let listed = fake.json(&["sessions", "list", "--all", "--output", "json"]);
    let listed = listed.as_array().unwrap();
    let mut graph_sessions = Vec::new();
    let mut page = graph_get(&fake.url, "sessions");
    loop {
        graph_sessions.extend(page["value"].as_array().unwrap().iter().cloned());
        let Some(next) = page["@odata.nextLink"].as_str() else {
            break;
        };
        let path = next
            .split("/workspaces/default/")
            .nth(1)
            .expect("same route");
        page = graph_get(&fake.url, path);
    }
    assert_eq!(listed.len(), graph_sessions.len());
    for graph in &graph_sessions {
        let id = graph["id"].as_str().unwrap();
        let printed = listed.iter().find(|s| s["id"] == id).expect("listed");
        compared += same_times(graph, printed, "sessions list");
        forms.insert(time_form(graph["lastModifiedDateTime"].as_str().unwrap()));
        let got = fake.json(&["sessions", "get", id, "--output", "json"]);
        compared += same_times(graph, &got, "sessions get");

        let prompts = fake.json(&["prompts", "list", id, "--output", "json"]);
        let graph_prompts = graph_get(&fake.url, &format!("sessions/{id}/prompts"));
        for graph_prompt in graph_prompts["value"].as_array().unwrap() {
            let pid = graph_prompt["id"].as_str().unwrap();
            let printed = prompts
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == pid)
                .expect("prompt printed");
            compared += same_times(graph_prompt, printed, "prompts list");
            let evaluations = graph_get(
                &fake.url,
                &format!("sessions/{id}/prompts/{pid}/evaluations"),
            );
            // (a run still going may have moved on between the two reads)
            let resting = |e: &&Value| {
                matches!(
                    e["state"].as_str(),
                    Some("completed" | "cancelled" | "waitingForInput")
                )
            };
            if let Some(latest) = evaluations["value"]
                .as_array()
                .unwrap()
                .last()
                .filter(resting)
            {
                compared += same_times(latest, &printed["latestEvaluation"], "latestEvaluation");
                for key in ["createdDateTime", "runStartDateTime", "completedDateTime"] {
                    if let Some(t) = latest[key].as_str() {
                        forms.insert(time_form(t));
                    }
                }
            }
        }
    }
    assert_eq!(
        forms.into_iter().collect::<Vec<_>>(),
        ["7 digits", "none", "trailing zeros dropped"],
        "the demo shows every form"
    );
    assert!(compared > 50, "{compared} timestamps compared");
}

crate::both_orders!(every_time_form_sorts_by_its_instant_and_prints_as_written);
/// Graph writes 7 fractional digits, fewer (trailing zeros dropped) or none: the CLI sorts each
/// by its instant (sorted as text, `…14Z` would come before `…14.1Z`) and prints each as
/// written, through the real binary against the fake in either order.
async fn every_time_form_sorts_by_its_instant_and_prints_as_written(
    session_order: sctui_fake::SessionOrder,
) {
    use sctui_fake::{FakeGraph, FakeOptions, Seed};
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Empty,
        token: Some(TOKEN.into()),
        session_order,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    // newest-modified first: the order the CLI must print them in
    let times = [
        ("e", "2026-01-31T10:00:14.1Z"),
        ("a", "2026-01-31T10:00:14.0734312Z"),
        ("b", "2026-01-31T10:00:14.07343Z"),
        ("c", "2026-01-31T10:00:14Z"),
        ("d", "2026-01-31T10:00:13.759634Z"),
    ];
    // inserted in another order than either listing order gives
    for i in [2, 4, 0, 3, 1] {
        let (name, modified) = times[i];
        fake.store().insert_session_as(
            "default",
            sctui_fake::wire::Session {
                id: format!("00000000-0000-4000-8000-00000000000{i}"),
                created_date_time: "2026-01-31T09:00:00Z".parse().unwrap(),
                last_modified_date_time: modified.parse().unwrap(),
                display_name: Some(name.into()),
            },
        );
    }
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = sctui(home.path());
        cmd.env("SCTUI_ACCESS_TOKEN", TOKEN)
            .args(["--no-store", "--graph-url", fake.base_url()])
            .args(args);
        common::run(cmd)
    };
    let out = run(&["sessions", "list", "--all", "--output", "json"]).await;
    assert!(out.status.success(), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let list: Value = serde_json::from_str(&text).expect("JSON");
    let printed: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["displayName"].as_str().unwrap(),
                s["lastModifiedDateTime"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(printed, times, "{session_order:?}");
    for (_, modified) in times {
        assert!(
            text.contains(&format!("\"{modified}\"")),
            "{modified} verbatim:\n{text}"
        );
    }
    assert!(text.contains("\"2026-01-31T09:00:00Z\""), "{text}");
    // one at a time, too
    let out = run(&[
        "sessions",
        "get",
        "00000000-0000-4000-8000-000000000003",
        "-o",
        "json",
    ])
    .await;
    let got: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        got["lastModifiedDateTime"],
        "2026-01-31T10:00:14Z",
        "{}",
        describe(&out)
    );
    fake.shutdown().await;
}

/// Online and `--offline`, `sessions list` prints the same sessions in the same order (newest
/// modified first to Graph's tick, equal times by id), under a heading that says so; Graph lists
/// them in another order.
#[tokio::test]
async fn online_and_offline_lists_have_one_order_under_a_heading_that_names_it() {
    use sctui_fake::{FakeGraph, FakeOptions, Seed, SessionOrder};
    let fake = FakeGraph::start(FakeOptions {
        seed: Seed::Empty,
        token: Some(TOKEN.into()),
        session_order: SessionOrder::NewestFirst,
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts");
    // two pairs the store alone would order otherwise: within one millisecond, and equal times
    for (i, modified) in [
        (1, "2026-01-31T10:00:14.0734312Z"),
        (2, "2026-01-31T10:00:14.0734399Z"),
        (4, "2026-01-31T10:00:15Z"),
        (3, "2026-01-31T10:00:15Z"),
        (5, "2026-01-31T09:00:00Z"),
    ] {
        fake.store().insert_session_as(
            "default",
            sctui_fake::wire::Session {
                id: format!("00000000-0000-4000-8000-00000000000{i}"),
                created_date_time: "2026-01-31T08:00:00Z".parse().unwrap(),
                last_modified_date_time: modified.parse().unwrap(),
                display_name: Some(format!("session {i}")),
            },
        );
    }
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = sctui(home.path());
        cmd.env("SCTUI_ACCESS_TOKEN", TOKEN)
            .args(["--graph-url", fake.base_url()])
            .args(args);
        common::run(cmd)
    };
    let online = run(&["sessions", "list", "--all"]).await;
    assert!(online.status.success(), "{}", describe(&online));
    assert!(run(&["sync"]).await.status.success());
    let offline = run(&["--offline", "sessions", "list"]).await;
    assert!(offline.status.success(), "{}", describe(&offline));
    let online = String::from_utf8_lossy(&online.stdout).into_owned();
    let offline = String::from_utf8_lossy(&offline.stdout).into_owned();
    assert_eq!(online, offline, "one order");
    let names: Vec<&str> = online
        .lines()
        .skip(1)
        .map(|line| line.split("  ").nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        [
            "session 3",
            "session 4",
            "session 2",
            "session 1",
            "session 5"
        ],
        "{online}"
    );
    let heading = online.lines().next().unwrap_or("");
    assert!(heading.ends_with("LAST MODIFIED ↓"), "{online}");
    fake.shutdown().await;
}

/// `sctui --offline` (the TUI) reads the local store only: with the store turned off in the
/// config it says so and exits 2 before opening the terminal, contacting nothing.
#[test]
fn offline_tui_with_the_store_off_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/sctui");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[store]\nenabled = false\n").unwrap();
    let out = sctui(home.path())
        .args(["--demo", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--offline reads the local store, which is off"),
        "{}",
        describe(&out)
    );
}
