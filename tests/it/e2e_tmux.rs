//! End to end: the real `sctui --demo` binary in a real terminal (tmux on its own socket), driven
//! by keys like a user, with the result read back through the Graph API of the in-process fake.
//!
//! tmux answers crossterm's cursor-position query, which a bare PTY does not. Without tmux the
//! tests are skipped with a message, unless `CI` is set: then they must run (`.ci/run` installs
//! tmux).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sctui");
const DEMO_TOKEN: &str = "sctui-demo-token";
const COLS: u16 = 120;
const ROWS: u16 = 32;
/// Generous: the first start of a debug binary on a busy 2-core CI box can be slow.
const DEADLINE: Duration = Duration::from_secs(30);

/// Whether tmux can run here; panics under CI when it cannot, so CI never silently skips.
fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is required for the end-to-end tests under CI (.ci/run installs it)");
        }
        eprintln!("SKIPPED: tmux is not installed; the end-to-end TUI tests did not run");
    }
    ok
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// One tmux server on a private socket, killed (with everything in it) when dropped.
struct Tmux {
    socket: String,
    home: tempfile::TempDir,
    target: String,
}

impl Tmux {
    /// Starts `command` (program + args) in a detached 120x32 session with an isolated HOME/XDG.
    fn start(command: &[&str]) -> Self {
        Self::start_sized(command, COLS, ROWS)
    }

    /// Like [`Tmux::start`], in a `cols`×`rows` terminal.
    fn start_sized(command: &[&str], cols: u16, rows: u16) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "sctui-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let home = tempfile::tempdir().expect("tempdir");
        let conf = home.path().join("tmux.conf");
        // remain-on-exit before anything runs, so the exit status can be read; no status line,
        // so the pane is the full 120x32.
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g status off\nset -g escape-time 10\n",
        )
        .expect("write tmux.conf");
        let tmux = Tmux {
            socket,
            home,
            target: "e2e".into(),
        };
        let mut cmd = tmux.command();
        cmd.arg("-f")
            .arg(&conf)
            .args(["new-session", "-d", "-s", &tmux.target])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .args(command);
        let out = cmd.output().expect("run tmux new-session");
        assert!(out.status.success(), "tmux new-session: {}", describe(&out));
        tmux
    }

    /// `tmux -L <socket>` with the isolated environment (the server inherits it).
    fn command(&self) -> Command {
        let home: &Path = self.home.path();
        let mut cmd = Command::new("tmux");
        cmd.arg("-L")
            .arg(&self.socket)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .env_remove("TMUX")
            .env_remove("SCTUI_ACCESS_TOKEN")
            .env_remove("SCTUI_GRAPH_URL")
            .env_remove("SCTUI_WORKSPACE")
            .env_remove("SCTUI_CONFIG")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().expect("run tmux");
        assert!(out.status.success(), "tmux {args:?}: {}", describe(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", &self.target])
    }

    fn format(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", &self.target, format])
            .trim()
            .to_string()
    }

    /// Named keys (`Enter`, `C-u`, `q`, …), one group. No pause after them: the app reads its
    /// input in order, so the next keys land after these; what a step needs on screen is waited
    /// for with [`Tmux::wait_for`]. After `Escape`, wait for its effect before sending more, so
    /// ESC and the next key never read as one Alt-key.
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Literal text, typed as is (no pause either, see [`Tmux::keys`]).
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.target, "-l", text]);
    }

    /// Polls the screen until `pred` holds; panics with the last screen after the deadline.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out after {DEADLINE:?} waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the pane's process has ended and tmux has reaped it; returns its exit
    /// status, or `signal N` when a signal killed it. (`pane_dead` turns 1 on the pty's EOF,
    /// which can come before tmux has the status.)
    fn wait_for_exit(&self) -> String {
        let start = Instant::now();
        loop {
            let got = self.format("#{pane_dead}|#{pane_dead_status}|#{pane_dead_signal}");
            let mut parts = got.split('|');
            let (dead, status, signal) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            if dead == "1" && !status.is_empty() {
                return status.to_string();
            }
            if dead == "1" && !signal.is_empty() {
                return format!("signal {signal}");
            }
            if dead == "1" {
                // tmux built with libutempter can miss the SIGCHLD of a pane that exits while
                // utempter's own handler is installed (https://github.com/tmux/tmux/issues/311): the child stays a zombie
                // and the status unknown. Nudge our own server (by pid) to reap it.
                let server = self.format("#{pid}");
                if server.parse::<u32>().is_ok() {
                    let _ = Command::new("kill")
                        .args(["-s", "CHLD", &server])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                }
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out waiting for the process to end ({got}); screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .command()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The line of the selected row in the list (`│› name …`).
fn selected_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with("│› "))
}

/// The session id shown in the detail pane.
fn detail_id(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let rest = &l[l.find("│Id ")? + "│Id ".len()..];
        let id: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        (id.len() == 36).then_some(id)
    })
}

/// The `n` popup is open: titled "New session", or "Ask Security Copilot in a new session" since
/// `n` also asks the typed text as the first prompt (the session is named after its first line).
fn create_box_open(screen: &str) -> bool {
    screen.contains("New session") || screen.contains("Ask Security Copilot")
}

/// The selected row shows `name`, saved (no pending mark).
fn selected_is(screen: &str, name: &str) -> bool {
    selected_row(screen).is_some_and(|row| row.contains(name) && !row.contains('⟳'))
}

/// Every session of the default workspace, following `@odata.nextLink`.
async fn api_sessions(client: &reqwest::Client, port: u16) -> Vec<Value> {
    let mut url = format!(
        "http://127.0.0.1:{port}/beta/security/securityCopilot/workspaces/default/sessions"
    );
    let mut all = Vec::new();
    loop {
        let resp = client
            .get(&url)
            .bearer_auth(DEMO_TOKEN)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("the demo fake answers on the chosen port");
        assert_eq!(resp.status(), reqwest::StatusCode::OK);
        let page: Value = resp.json().await.expect("JSON page");
        all.extend(
            page["value"]
                .as_array()
                .expect("value array")
                .iter()
                .cloned(),
        );
        match page["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => return all,
        }
    }
}

/// A runtime and an HTTP client to read the fake's Graph API from a test.
fn api_client() -> (tokio::runtime::Runtime, reqwest::Client) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("reqwest client");
    (rt, client)
}

/// Polls the API until `pred` holds on the session list (the TUI saves asynchronously).
fn wait_for_api(port: u16, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let (rt, client) = api_client();
    let start = Instant::now();
    loop {
        let sessions = rt.block_on(api_sessions(&client, port));
        if pred(&sessions) {
            return sessions;
        }
        if start.elapsed() > DEADLINE {
            panic!("timed out waiting for the API to show {what}; sessions: {sessions:#?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn named<'a>(sessions: &'a [Value], name: &str) -> Vec<&'a Value> {
    sessions
        .iter()
        .filter(|s| s["displayName"].as_str() == Some(name))
        .collect()
}

/// Runs the binary through `sh` so that, after it exits, the shell shows a marker and waits for
/// a line: the test can then check the terminal is usable again (cooked mode echoes typed text,
/// Enter ends the line, primary screen, visible cursor) before the pane dies with sctui's status.
fn wrapped(bin: &str, args: &[String]) -> Vec<String> {
    let mut v = vec![
        "sh".to_string(),
        "-c".to_string(),
        r#""$0" "$@"; st=$?; echo "[sctui exited $st]"; read line; echo "[read $line]"; exit $st"#
            .to_string(),
        bin.to_string(),
    ];
    v.extend(args.iter().cloned());
    v
}

#[test]
fn rename_and_create_by_keys_then_read_back_through_the_api() {
    if !tmux_available() {
        return;
    }
    let port = free_port();
    let args = vec![
        "--demo".to_string(),
        "--demo-port".to_string(),
        port.to_string(),
    ];
    let command = wrapped(BIN, &args);
    let command: Vec<&str> = command.iter().map(String::as_str).collect();
    let tmux = Tmux::start(&command);

    // The list is loaded: a selected row, the detail with its id, key hints.
    let screen = tmux.wait_for("the session list", |s| {
        selected_row(s).is_some() && detail_id(s).is_some() && s.contains("q quit")
    });
    assert!(screen.contains("demo"), "header says demo:\n{screen}");
    assert!(screen.contains("Sessions"), "{screen}");
    let renamed_id = detail_id(&screen).expect("selected session id");

    let tag = format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_micros()
    );
    let new_name = format!("e2e renamed {tag}");
    let created_name = format!("e2e created {tag}");

    // Rename the selected session inline: r, clear the field, type, Enter.
    tmux.keys(&["r"]);
    tmux.keys(&["C-u"]);
    tmux.type_text(&new_name);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the renamed row", |s| selected_is(s, &new_name));
    assert_eq!(detail_id(&screen).as_deref(), Some(renamed_id.as_str()));

    // Create a session: n, type, Enter. It appears at the top, selected.
    tmux.keys(&["n"]);
    tmux.wait_for("the create box", create_box_open);
    tmux.type_text(&created_name);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the created row", |s| {
        selected_is(s, &created_name) && !create_box_open(s)
    });
    let created_id = detail_id(&screen).expect("created session id in the detail");
    assert_ne!(created_id, renamed_id);
    assert!(
        screen.contains(&new_name),
        "renamed row still listed:\n{screen}"
    );

    // Read both back through Graph (the fake on the chosen port).
    let sessions = wait_for_api(port, "both names", |all| {
        named(all, &new_name).len() == 1 && named(all, &created_name).len() == 1
    });
    let renamed = named(&sessions, &new_name)[0];
    assert_eq!(
        renamed["id"],
        renamed_id.as_str(),
        "the selected session was renamed"
    );
    let created = named(&sessions, &created_name)[0];
    assert_eq!(created["id"], created_id.as_str());
    let ids: std::collections::HashSet<&str> =
        sessions.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids.len(), sessions.len(), "no duplicate sessions");

    // Quit: the app leaves, the terminal is usable again, the exit status is 0.
    tmux.keys(&["q"]);
    tmux.wait_for("the app to exit", |s| s.contains("[sctui exited 0]"));
    let screen = tmux.screen();
    assert!(
        !screen.contains("q quit") && !screen.contains(&created_name),
        "the app's screen is gone (alternate screen left):\n{screen}"
    );
    assert_eq!(tmux.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(tmux.format("#{cursor_flag}"), "1", "cursor visible again");
    assert_eq!(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting off");
    // Cooked mode again: typed text echoes and Enter ends the line.
    tmux.type_text("restored");
    tmux.wait_for("the echo of typed text", |s| s.contains("restored"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the line read by the shell", |s| {
        s.contains("[read restored]")
    });
    assert_eq!(tmux.wait_for_exit(), "0", "sctui exited with 0");
}

#[test]
fn escape_cancels_rename_and_create_and_ctrl_c_quits() {
    if !tmux_available() {
        return;
    }
    let port = free_port();
    let port_arg = port.to_string();
    let tmux = Tmux::start(&[BIN, "--demo", "--demo-port", &port_arg]);
    let screen = tmux.wait_for("the session list", |s| {
        selected_row(s).is_some() && detail_id(s).is_some()
    });
    let first_id = detail_id(&screen).unwrap();
    let before = wait_for_api(port, "the demo sessions", |all| !all.is_empty());

    // j moves down, k back up.
    tmux.keys(&["j"]);
    let moved = tmux.wait_for("the selection to move", |s| {
        detail_id(s).is_some_and(|id| id != first_id)
    });
    let second_id = detail_id(&moved).unwrap();
    tmux.keys(&["k"]);
    tmux.wait_for("the selection to move back", |s| {
        detail_id(s).as_deref() == Some(first_id.as_str())
    });

    // F2 opens the inline editor; Esc cancels without saving.
    tmux.keys(&["F2"]);
    tmux.keys(&["C-u"]);
    tmux.type_text("never saved rename");
    tmux.wait_for("the typed text in the editor", |s| {
        s.contains("never saved rename")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the editor to close", |s| !s.contains("never saved rename"));

    // n opens the box; Esc closes it and keeps the draft, which comes back with n; Enter on an
    // emptied box is refused.
    tmux.keys(&["n"]);
    tmux.wait_for("the create box", create_box_open);
    tmux.type_text("never created");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the create box to close", |s| !create_box_open(s));
    tmux.keys(&["n"]);
    tmux.wait_for("the create box with the draft", |s| {
        create_box_open(s) && s.contains("never created")
    });
    tmux.keys(&["C-u"]);
    tmux.wait_for("the draft cleared", |s| !s.contains("never created"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the empty name to be refused", |s| {
        // "Type a name …" or "Type a question …" (Esc cancels)
        create_box_open(s) && s.contains("Type a")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the create box to close", |s| !create_box_open(s));

    // Nothing changed on the server.
    let after = wait_for_api(port, "the same sessions", |all| all.len() == before.len());
    assert_eq!(
        after, before,
        "Esc saved nothing, an empty create made nothing"
    );
    assert!(named(&after, "never saved rename").is_empty());
    assert!(named(&after, "never created").is_empty());
    assert_ne!(first_id, second_id);

    tmux.keys(&["C-c"]);
    assert_eq!(tmux.wait_for_exit(), "0", "Ctrl-C quits cleanly");
}

/// `sctui --demo` on a free port in tmux, once its list and detail show.
fn demo_listed() -> (u16, Tmux) {
    let port = free_port();
    let port_arg = port.to_string();
    let tmux = Tmux::start(&[BIN, "--demo", "--demo-port", &port_arg]);
    tmux.wait_for("the session list", |s| {
        selected_row(s).is_some() && detail_id(s).is_some()
    });
    (port, tmux)
}

/// Ask a question from the prompt box in `--demo` and watch the answer arrive,
/// rendered from Markdown; then an older demo session shows its conversation.
#[test]
fn ask_a_question_and_see_the_answer() {
    if !tmux_available() {
        return;
    }
    let (port, tmux) = demo_listed();

    tmux.keys(&["n"]);
    tmux.wait_for("the prompt box", create_box_open);
    tmux.type_text("who am i");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the new session with its question", |s| {
        selected_is(s, "who am i") && s.contains("▶ Q1 who am i")
    });
    // The fake finishes an evaluation in about 2 s; the answer is the demo's who-am-i profile,
    // drawn as Markdown (no ** markers, a table border).
    let screen = tmux.wait_for("the answer", |s| {
        s.contains("✓ answered") && s.contains("Jordan Mercer")
    });
    assert!(
        !screen.contains("**Jordan"),
        "Markdown is rendered:\n{screen}"
    );
    assert!(
        screen.contains("│ Display name"),
        "the table is drawn:\n{screen}"
    );

    // The answer is on the server too.
    let sessions = wait_for_api(port, "the asked session", |all| {
        !named(all, "who am i").is_empty()
    });
    assert_eq!(named(&sessions, "who am i").len(), 1);

    // An older demo session shows its conversation.
    tmux.keys(&["j", "j", "j"]);
    tmux.wait_for("an older conversation", |s| {
        s.contains("▶ Q1") && !s.contains("▶ Q1 who am i") && s.contains("✓ answered")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

/// Graph's JSON at `path` under the default workspace of the fake on `port`.
fn api_get(port: u16, path: &str) -> Value {
    let (rt, client) = api_client();
    rt.block_on(async {
        let resp = client
            .get(format!(
                "http://127.0.0.1:{port}/beta/security/securityCopilot/workspaces/default/{path}"
            ))
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await
            .expect("the demo fake answers");
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "{path}");
        resp.json().await.expect("JSON")
    })
}

/// A three-line question pasted into `n` as a bracketed paste with CR line endings
/// (what xterm, VTE terminals and tmux send) reaches Graph as three lines, not one.
#[test]
fn a_pasted_three_line_question_with_cr_endings_arrives_as_three_lines() {
    if !tmux_available() {
        return;
    }
    let (port, tmux) = demo_listed();
    let tag = std::process::id();
    let lines = [
        format!("pasted line one {tag}"),
        "pasted line two".to_string(),
        "pasted line three".to_string(),
    ];
    tmux.keys(&["n"]);
    tmux.wait_for("the prompt box", create_box_open);
    // a tmux buffer with CR endings, pasted with -p: inside ESC[200~ … ESC[201~ because the app
    // asked for bracketed paste; -r keeps the CRs as they are
    tmux.run(&["set-buffer", "-b", "question", &lines.join("\r")]);
    tmux.run(&[
        "paste-buffer",
        "-p",
        "-r",
        "-b",
        "question",
        "-t",
        &tmux.target,
    ]);
    let screen = tmux.wait_for("the three lines in the box", |s| {
        lines.iter().all(|l| s.contains(l.as_str()))
    });
    assert!(
        !screen.contains(&format!("{tag}pasted line two")),
        "not glued into one line:\n{screen}"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("the new session", |s| selected_is(s, &lines[0]));
    let sessions = wait_for_api(port, "the pasted session", |all| {
        named(all, &lines[0]).len() == 1
    });
    let id = named(&sessions, &lines[0])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let prompts = api_get(port, &format!("sessions/{id}/prompts"));
    let prompts = prompts["value"].as_array().expect("prompts");
    assert_eq!(prompts.len(), 1, "{prompts:?}");
    let received = prompts[0]["content"].as_str().expect("content");
    assert_eq!(
        received.lines().collect::<Vec<_>>(),
        lines.iter().map(String::as_str).collect::<Vec<_>>(),
        "the prompt the fake received: {received:?}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for_exit();
}

use crate::common::demo;

/// Text compared without layout: no whitespace, no box bars.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '│' | '┃'))
        .collect()
}

/// The detail pane's text on a tmux screen: right of the list's border when both panes show.
fn detail_text(screen: &str) -> String {
    screen
        .lines()
        .map(|line| match line.split_once("││") {
            Some((_, detail)) => detail,
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest demo answer: its session's name and the answer's last line as drawn.
fn longest_answer() -> (String, String) {
    let all = demo::conversations();
    let (session, answer) = all
        .iter()
        .flat_map(|c| {
            c.turns.iter().filter_map(move |t| {
                let text = t.evaluation.as_ref()?.result.as_ref()?.content.as_deref()?;
                Some((c, text))
            })
        })
        .max_by_key(|(_, text)| text.len())
        .expect("demo answers");
    let last = answer
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim().starts_with("```"))
        .expect("a last line");
    let theme = sctui_app::theme::Theme::dark();
    let drawn: String = sctui_app::markdown::render(last, &theme)
        .lines(200, false, &theme)
        .iter()
        .take_while(|l| l.to_string() != "Links")
        .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
        .collect();
    let name = session
        .session
        .display_name
        .clone()
        .expect("a named session");
    assert_eq!(
        session.turns.last().and_then(|t| t
            .evaluation
            .as_ref()?
            .result
            .as_ref()?
            .content
            .as_deref()),
        Some(answer),
        "the longest answer ends its conversation"
    );
    (name, drawn)
}

#[test]
fn the_longest_demo_answer_can_be_read_to_its_last_line() {
    if !tmux_available() {
        return;
    }
    let (name, last) = longest_answer();
    let filter: String = name.chars().take(24).collect();
    let short: String = name.chars().take(12).collect();
    for (cols, rows) in [(120, 36), (64, 20)] {
        let tmux = Tmux::start_sized(&[BIN, "--demo"], cols, rows);
        tmux.wait_for("the session list", |s| selected_row(s).is_some());
        tmux.keys(&["/"]);
        tmux.type_text(&filter);
        tmux.keys(&["Enter"]);
        tmux.wait_for("the session, alone in the list", |s| {
            selected_row(s).is_some_and(|row| row.contains(&short))
        });
        tmux.keys(&["Enter"]);
        tmux.wait_for("its conversation", |s| s.contains("▶ Q1"));
        tmux.keys(&["G"]);
        let screen = tmux.wait_for("the answer's last line", |s| {
            squash(&detail_text(s)).contains(&squash(&last))
        });
        assert!(
            screen.contains(" · end "),
            "{cols}x{rows}: the title says the view is at the end:\n{screen}"
        );
        tmux.keys(&["k"]);
        tmux.wait_for("k moves up at once", |s| s != screen);
        tmux.keys(&["q"]);
        tmux.wait_for_exit();
    }
}
// ---- signals and terminals ----

/// The pid of the pane's first child (sctui under the `sh` of [`wrapped`] or an interactive shell).
fn child_of_pane(tmux: &Tmux) -> String {
    let shell = tmux.format("#{pane_pid}");
    let start = Instant::now();
    loop {
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            return pid.to_string();
        }
        assert!(
            start.elapsed() < DEADLINE,
            "no child under the pane's shell {shell}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(signal: &str, pid: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -s {signal} {pid}");
}

/// The terminal as tmux sees it: main screen, no mouse reporting, no bracketed paste.
/// The pane's terminal modes as `stty -a` prints them (`icanon`, `-echo`, …).
fn line_modes(tmux: &Tmux) -> String {
    let tty = tmux.format("#{pane_tty}");
    let out = Command::new("stty")
        .args(["-a", "-F", &tty])
        .output()
        .expect("run stty");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn terminal_restored(tmux: &Tmux) -> bool {
    tmux.format("#{alternate_on}|#{mouse_any_flag}|#{mouse_sgr_flag}") == "0|0|0"
}

#[test]
fn every_terminating_signal_restores_the_terminal_and_exits_128_plus_signal() {
    if !tmux_available() {
        return;
    }
    for (signal, code) in [("INT", 130), ("QUIT", 131), ("TERM", 143), ("HUP", 129)] {
        let port_arg = free_port().to_string();
        let args = ["--demo".to_string(), "--demo-port".to_string(), port_arg];
        let command = wrapped(BIN, &args);
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        let tmux = Tmux::start(&command);
        tmux.wait_for("the session list", |s| selected_row(s).is_some());
        assert_eq!(tmux.format("#{alternate_on}"), "1");
        kill(signal, &child_of_pane(&tmux));
        tmux.wait_for("sctui to exit", |s| s.contains("[sctui exited"));
        let screen = tmux.screen();
        assert!(
            screen.contains(&format!("[sctui exited {code}]")),
            "SIG{signal}: {screen}"
        );
        assert!(terminal_restored(&tmux), "SIG{signal}: terminal state");
        // cooked mode: the line discipline echoes and ends lines again
        let modes = line_modes(&tmux);
        for mode in ["icanon", "echo", "icrnl"] {
            assert!(
                modes.split_whitespace().any(|m| m == mode),
                "SIG{signal}: {mode} is off: {modes}"
            );
        }
        // typed text is echoed and Enter ends the line
        tmux.type_text("typed");
        tmux.keys(&["Enter"]);
        tmux.wait_for("the shell to read a line", |s| s.contains("[read typed]"));
        assert_eq!(tmux.wait_for_exit(), code.to_string(), "SIG{signal}");
    }
}

#[test]
fn ctrl_z_and_sigtstp_suspend_and_fg_redraws_in_raw_mode() {
    if !tmux_available() {
        return;
    }
    let port_arg = free_port().to_string();
    let tmux = Tmux::start(&["bash", "--norc", "--noprofile", "-i"]);
    tmux.type_text(&format!(
        "PS1='$ ' exec 2>&1; {BIN} --demo --demo-port {port_arg}"
    ));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the session list", |s| {
        selected_row(s).is_some() && detail_id(s).is_some()
    });
    let first = detail_id(&screen).unwrap();
    for how in ["Ctrl-Z", "SIGTSTP"] {
        match how {
            "Ctrl-Z" => tmux.keys(&["C-z"]),
            _ => kill("TSTP", &child_of_pane(&tmux)),
        }
        tmux.wait_for("the shell to report the stopped job", |s| {
            s.contains("Stopped")
        });
        assert!(
            terminal_restored(&tmux),
            "{how}: terminal state while stopped"
        );
        tmux.run(&["clear-history", "-t", &tmux.target]);
        tmux.keys(&["C-l"]);
        tmux.type_text("fg");
        tmux.keys(&["Enter"]);
        // the whole screen comes back, not just what changed
        tmux.wait_for("the redrawn list", |s| {
            selected_row(s).is_some() && detail_id(s).is_some()
        });
        assert_eq!(tmux.format("#{alternate_on}"), "1", "{how}");
        // raw mode again: a single key moves the selection, no Enter needed
        tmux.keys(&["j"]);
        tmux.wait_for("the selection to move", |s| {
            detail_id(s).is_some_and(|id| id != first)
        });
        tmux.keys(&["k"]);
        tmux.wait_for("the selection to move back", |s| {
            detail_id(s).as_deref() == Some(&first)
        });
    }
    tmux.keys(&["q"]);
    // the shell has the terminal again before anything is typed for it
    let start = Instant::now();
    while !terminal_restored(&tmux) {
        assert!(start.elapsed() < DEADLINE, "sctui did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.type_text("echo \"[status $?]\"");
    tmux.keys(&["Enter"]);
    tmux.wait_for("a clean exit", |s| s.contains("[status 0]"));
    assert!(terminal_restored(&tmux));
}

#[test]
fn without_a_terminal_the_tui_exits_2_and_points_at_the_cli() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .arg("--demo")
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run sctui");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(stderr.contains("sctui sessions list"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `S` syncs every demo conversation into the local store (a gauge, then
/// "Synced"), `f` searches it as you type, `Enter` opens the hit's session at the matching
/// question; then `--offline`, with no Graph at all, shows the stored list under its banner and
/// finds and opens the same hit.
#[test]
fn sync_then_search_opens_the_matching_question_and_offline_finds_it_too() {
    if !tmux_available() {
        return;
    }
    let both = format!("{BIN} --demo; {BIN} --demo --offline");
    let tmux = Tmux::start(&["sh", "-c", &both]);
    tmux.wait_for("the demo list", |s| s.contains("47 known"));
    tmux.keys(&["S"]);
    tmux.wait_for("the sync to end", |s| s.contains("Synced 47 sessions"));
    let search_and_open = |tmux: &Tmux| {
        tmux.keys(&["f"]);
        tmux.type_text("T1059.001");
        let screen = tmux.wait_for("two hits", |s| s.contains("2 matches"));
        assert!(
            screen.contains("KQL hunt: encoded PowerShell launched by Office apps · question 1"),
            "{screen}"
        );
        tmux.keys(&["Enter"]);
        tmux.wait_for("the matching question in the detail pane", |s| {
            s.contains("Q1 Write a hunting query for PowerShell")
        });
    };
    search_and_open(&tmux);
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the offline banner", |s| {
        s.contains(" OFFLINE │") && s.contains("47 known")
    });
    // the banner says it; the account's place does not say it again
    let header = screen.lines().next().unwrap_or_default();
    assert_eq!(
        header.to_lowercase().matches("offline").count(),
        1,
        "{header}"
    );
    search_and_open(&tmux);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
}

/// `R` as a user sees it: the TUI (store on) against the fake, every session loaded
/// with `G`; on the server, one session of the first page and one further down are deleted and
/// one is made; `R` walks the whole list again, and once the walk is complete the two deleted
/// sessions are gone, the new one is there, and the header counts them (`300 known` → `299
/// known · complete`). A filter afterwards finds the new one only.
#[test]
fn a_refresh_drops_what_the_server_deleted_and_shows_what_it_made() {
    if !tmux_available() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let fake = rt
        .block_on(sctui_fake::FakeGraph::start(sctui_fake::FakeOptions {
            seed: sctui_fake::Seed::Synthetic(300),
            ..sctui_fake::FakeOptions::demo()
        }))
        .expect("fake starts");
    let store = fake.store();
    // newest first: the server's first page holds the last ones made
    let listed: Vec<String> = store
        .sessions("default")
        .into_iter()
        .rev()
        .map(|s| s.id)
        .collect();
    let (near, far) = (listed[2].clone(), listed[250].clone());
    store.rename_session("default", &near, Some("e2e doomed near"));
    store.rename_session("default", &far, Some("e2e doomed far"));
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("token");
    std::fs::write(&token, sctui_fake::DEMO_TOKEN).expect("token file");
    let tmux = Tmux::start(&[
        BIN,
        "--graph-url",
        fake.base_url(),
        "--token-file",
        token.to_str().expect("utf-8 path"),
    ]);
    tmux.wait_for("the first page", |s| selected_row(s).is_some());
    tmux.keys(&["G"]);
    tmux.wait_for("every session", |s| s.contains("300 known · complete"));

    assert!(store.remove_session("default", &near));
    assert!(store.remove_session("default", &far));
    store.insert_session("default", Some("e2e made elsewhere"));
    tmux.keys(&["R"]);
    let screen = tmux.wait_for("the refresh's complete walk", |s| {
        s.contains("299 known · complete")
    });
    assert!(!screen.contains("refreshing"), "{screen}");
    tmux.keys(&["/"]);
    tmux.type_text("e2e ");
    let screen = tmux.wait_for("the filter", |s| s.contains("/e2e  1 of 299"));
    assert!(screen.contains("e2e made elsewhere"), "{screen}");
    assert!(!screen.contains("e2e doomed"), "{screen}");
    // Esc clears the filter; wait for it, so ESC and q never read as one Alt-key
    tmux.keys(&["Escape"]);
    tmux.wait_for("the filter cleared", |s| !s.contains("/e2e"));
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
    rt.block_on(fake.shutdown());
}

/// The ids `sctui --offline --workspace <workspace> sessions list` prints for the Graph at
/// `graph_url`, with the HOME of `tmux` (where the TUI keeps its store), sorted.
fn offline_ids(tmux: &Tmux, graph_url: &str, workspace: &str) -> Vec<String> {
    let home = tmux.home.path();
    let out = Command::new(BIN)
        .args([
            "--graph-url",
            graph_url,
            "--offline",
            "--workspace",
            workspace,
        ])
        .args(["sessions", "list", "--output", "json"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("SCTUI_ACCESS_TOKEN")
        .env_remove("SCTUI_GRAPH_URL")
        .env_remove("SCTUI_WORKSPACE")
        .env_remove("SCTUI_CONFIG")
        .stdin(Stdio::null())
        .output()
        .expect("run sctui --offline");
    assert!(out.status.success(), "{}", describe(&out));
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON list");
    let mut ids: Vec<String> = listed
        .iter()
        .filter_map(|s| s["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

/// Two workspaces, a slow first page: the TUI starts on A (`default`) while Graph holds A's
/// first page back, the user switches to B with `w` before it arrives, and B's list shows; then
/// A's page lands. It is written to A's local store, never to B's: after quitting,
/// `--offline --workspace B sessions list` holds B's sessions only.
#[test]
fn a_page_of_the_workspace_left_behind_never_lands_in_the_next_ones_store() {
    if !tmux_available() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let fake = rt
        .block_on(sctui_fake::FakeGraph::start(sctui_fake::FakeOptions {
            seed: sctui_fake::Seed::Synthetic(12),
            ..sctui_fake::FakeOptions::demo()
        }))
        .expect("fake starts");
    let (a, b) = (sctui_fake::DEFAULT_WORKSPACE, sctui_fake::SECOND_WORKSPACE);
    let served = |workspace: &str| {
        let mut ids: Vec<String> = fake
            .store()
            .sessions(workspace)
            .into_iter()
            .map(|s| s.id)
            .collect();
        ids.sort();
        ids
    };
    let (a_served, b_served) = (served(a), served(b));
    let held = fake.faults().hold(&format!("/workspaces/{a}/sessions"));
    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("token");
    std::fs::write(&token, sctui_fake::DEMO_TOKEN).expect("token file");
    let tmux = Tmux::start(&[
        BIN,
        "--graph-url",
        fake.base_url(),
        "--token-file",
        token.to_str().expect("utf-8 path"),
        "--workspace",
        a,
    ]);
    rt.block_on(async { tokio::time::timeout(DEADLINE, held.arrived()).await })
        .expect("A's first page reaches Graph");
    tmux.wait_for("the loading list", |s| s.contains("loading sessions"));
    tmux.keys(&["w"]);
    tmux.wait_for("the workspace picker", |s| s.contains("Fabrikam MSSP"));
    tmux.keys(&["j", "Enter"]);
    let screen = tmux.wait_for("B's sessions", |s| {
        s.contains(&format!("{} known · complete", b_served.len()))
    });
    assert!(!screen.contains("loading sessions"), "{screen}");
    held.release();
    // A's page lands now; wait until some store holds it (it must be A's)
    let start = Instant::now();
    let in_a = loop {
        let in_a = offline_ids(&tmux, fake.base_url(), a);
        let in_b = offline_ids(&tmux, fake.base_url(), b);
        if !in_a.is_empty() || in_b.iter().any(|id| !b_served.contains(id)) {
            break in_a;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "A's page was never stored; A's store {in_a:?}, B's {in_b:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
    assert_eq!(
        offline_ids(&tmux, fake.base_url(), b),
        b_served,
        "B's store holds B's sessions only"
    );
    assert_eq!(in_a, a_served, "A's answer went to A's store");
    rt.block_on(fake.shutdown());
}

/// A token given outright (`SCTUI_ACCESS_TOKEN`, `--token-file`): the header names the account
/// the token's claims name, where a signed-in account stands, never where the token came from;
/// a token that names no one says so.
#[test]
fn a_given_token_shows_its_account_in_the_header_not_the_variable() {
    if !tmux_available() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let fake = rt
        .block_on(sctui_fake::FakeGraph::start(sctui_fake::FakeOptions {
            token: None,
            ..sctui_fake::FakeOptions::demo()
        }))
        .expect("fake starts");
    // {"alg":"none","typ":"JWT"}.{"preferred_username":"analyst@contoso.com",…}.sig
    let jwt = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.\
               eyJwcmVmZXJyZWRfdXNlcm5hbWUiOiJhbmFseXN0QGNvbnRvc28uY29tIiwibmFtZSI6IkFuYSBMeXN0IiwidGlkIjoidCJ9.\
               c2ln";
    let dir = tempfile::tempdir().expect("tempdir");
    let opaque = dir.path().join("token");
    std::fs::write(&opaque, "an-opaque-token").expect("token file");
    let from_env = format!("SCTUI_ACCESS_TOKEN={jwt}");
    let opaque = opaque.to_str().expect("utf-8 path");
    for (command, account) in [
        (
            vec!["env", &from_env, BIN, "--graph-url", fake.base_url()],
            "analyst@contoso.com",
        ),
        (
            vec![BIN, "--graph-url", fake.base_url(), "--token-file", opaque],
            "account unknown",
        ),
    ] {
        let tmux = Tmux::start(&command);
        let screen = tmux.wait_for("the list", |s| selected_row(s).is_some());
        let header = screen.lines().next().unwrap_or("");
        assert!(
            header.contains(&format!("│ {account} │")),
            "{command:?}:\n{screen}"
        );
        assert!(
            !header.contains("SCTUI_ACCESS_TOKEN") && !header.contains("--token-file"),
            "{command:?}:\n{screen}"
        );
        tmux.keys(&["q"]);
        assert_eq!(tmux.wait_for_exit(), "0");
    }
    rt.block_on(fake.shutdown());
}

/// A real README (HTML, badges, a `<details>` fold, tables) asked for in `--demo` and read in
/// a real terminal at 64×20 by paging down alone: no HTML tag or callout marker on any page, its
/// words where they belong, and the last of its links listed at the end.
#[test]
fn a_real_readme_reads_without_markup_by_paging_down() {
    if !tmux_available() {
        return;
    }
    let port = free_port().to_string();
    let tmux = Tmux::start_sized(&[BIN, "--demo", "--demo-port", &port], 64, 20);
    tmux.wait_for("the session list", |s| selected_row(s).is_some());
    tmux.keys(&["n"]);
    tmux.wait_for("the prompt box", create_box_open);
    tmux.type_text("document: bat readme");
    tmux.keys(&["Enter"]);
    // at 64 columns the detail pane shows alone, focused, with the answer
    tmux.wait_for("the answer", |s| s.contains("a cat clone with wings"));
    let mut seen = String::new();
    let mut screen = tmux.screen();
    for _ in 0..400 {
        for marker in [
            "<p", "</p>", "<a ", "</a>", "<img", "<br", "<details", "<!--", "[!NOTE]",
        ] {
            assert!(!screen.contains(marker), "{marker} on screen:\n{screen}");
        }
        seen.push_str(&screen);
        if screen.contains("· end ") {
            break;
        }
        let before = screen.clone();
        tmux.keys(&["PageDown"]);
        screen = tmux.wait_for("the next page", |s| s != before);
    }
    let seen = seen.split_whitespace().collect::<Vec<_>>().join(" ");
    for words in [
        "A cat(1) clone with syntax highlighting and Git integration.",
        "Key Features • How To Use",
        "Links",
    ] {
        assert!(seen.contains(words), "{words:?} never on screen");
    }
}

/// `e` in the real binary: the format picker, HTML chosen, a 0600 page written to the current
/// directory; the next run offers HTML first (remembered in the state folder).
#[test]
fn e_exports_in_the_format_chosen_and_offers_it_first_next_time() {
    if !tmux_available() {
        return;
    }
    let out = tempfile::tempdir().expect("tempdir");
    // between the runs the shell waits for Enter, so no key meant for the second reaches the first
    let twice = format!(
        "cd {} && {BIN} --demo; echo first run ended; read _; {BIN} --demo",
        out.path().display()
    );
    let tmux = Tmux::start(&["sh", "-c", &twice]);
    tmux.wait_for("the demo list", |s| s.contains("47 known"));
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("the format picker", |s| s.contains("Export as"));
    assert!(screen.contains("› Markdown"), "{screen}");
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for("the export", |s| s.contains("Exported to"));
    let pages: Vec<std::path::PathBuf> = std::fs::read_dir(out.path())
        .expect("read the export folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    let page = std::fs::read_to_string(&pages[0]).expect("the page");
    assert!(page.starts_with("<!DOCTYPE html>"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pages[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    tmux.keys(&["q"]);
    tmux.wait_for("the first run to end", |s| s.contains("first run ended"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the second run", |s| s.contains("47 known"));
    tmux.keys(&["e"]);
    let screen = tmux.wait_for("the format picker", |s| s.contains("Export as"));
    assert!(screen.contains("› HTML"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the picker closed", |s| !s.contains("Export as"));
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
}
