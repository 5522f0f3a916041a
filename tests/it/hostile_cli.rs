//! The real binary against a hostile Graph and sign-in stand-in: escape sequences in
//! error messages, states, result types, times, names, device-code prompts and id-token names
//! must not reach stdout, stderr, the log or an exported file; ids that would change a URL's
//! meaning are usage errors before any request; loopback traffic never goes through a proxy;
//! a Graph host that is not Microsoft's needs `--allow-host`; file hygiene. 127.0.0.1 only.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::common;

use common::{describe, run};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");

/// Everything a terminal would act on: OSC 52 (clipboard), clear screen, title, a hyperlink that
/// shows one address and opens another, a C1 CSI, a bidi override and a zero-width space.
const EVIL: &str = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example\x1b\\microsoft.com\x1b]8;;\x1b\\\u{9b}31m\u{202E}gnp.exe\u{200B}";

fn evil(tag: &str) -> String {
    format!("{tag}{EVIL}")
}

/// A stand-in for Graph and the sign-in service that puts [`EVIL`] into every string it can.
async fn hostile() -> SocketAddr {
    let router = Router::new().fallback(|method: Method, uri: Uri| async move {
        let path = uri.path().to_string();
        let session = json!({
            "id": "s1",
            "displayName": evil("name"),
            "createdDateTime": evil("2025-01-01T00:00:00Z"),
            "lastModifiedDateTime": evil("yesterday"),
        });
        let evaluation = json!({
            "id": "e1",
            "state": evil("state"),
            "createdDateTime": evil("t"),
            "result": {"type": evil("result"), "content": evil("answer")},
        });
        let graph_error = |status: StatusCode| {
            (
                status,
                [("request-id", "rid-plain")],
                axum::Json(json!({"error": {
                    "code": evil("code"),
                    "message": evil("message"),
                    "innerError": {"request-id": evil("rid"), "date": evil("date")}
                }})),
            )
                .into_response()
        };
        let ok = |v: Value| axum::Json(v).into_response();
        let r: Response = match (method.as_str(), path.as_str()) {
            ("POST", p) if p.ends_with("/oauth2/v2.0/devicecode") => ok(json!({
                "device_code": "DC-secret",
                "user_code": evil("CODE"),
                "verification_uri": evil("https://microsoft.com/devicelogin"),
                "expires_in": 900,
                "interval": 1,
                "message": evil("To sign in, open"),
            })),
            ("POST", p) if p.ends_with("/oauth2/v2.0/token") => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": "access_denied", "error_description": evil("denied")})),
            )
                .into_response(),
            (_, p) if p.ends_with("/sessions/missing") => graph_error(StatusCode::NOT_FOUND),
            ("GET", p) if p.ends_with("/sessions") => ok(json!({"value": [session]})),
            ("POST", p) if p.ends_with("/sessions") => ok(session),
            ("GET", p) if p.ends_with("/sessions/s1") => ok(session),
            ("GET", p) if p.ends_with("/prompts") => ok(json!({"value": [
                {"id": "p1", "content": evil("question"), "createdDateTime": evil("t")}
            ]})),
            ("POST", p) if p.ends_with("/prompts") => ok(json!({"id": "p1", "content": "q"})),
            ("GET", p) if p.ends_with("/evaluations") => ok(json!({"value": [evaluation]})),
            ("POST", p) if p.ends_with("/evaluations") => ok(evaluation),
            ("GET", p) if p.ends_with("/evaluations/e1") => ok(evaluation),
            _ => graph_error(StatusCode::INTERNAL_SERVER_ERROR),
        };
        r
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// The binary with HOME/XDG isolated under `home`, logging at trace, no proxy settings.
fn sctui(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.env("SCTUI_LOG", "trace");
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    cmd
}

/// The first character a terminal would act on: ESC, any C0 but newline, C1, bidi, zero-width.
fn hazard(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}')
    })
}

fn assert_clean(what: &str, text: &str) {
    if let Some((at, c)) = hazard(text) {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(20)
            .map_or(0, |(i, _)| i);
        panic!("{what}: {c:?} at byte {at}, after {:?}", &text[from..at]);
    }
}

fn fake_jwt(claims: &Value) -> String {
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    format!(
        "{}.{}.sig",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_escape_c1_or_bidi_character_reaches_stdout_stderr_the_log_or_an_export() {
    let addr = hostile().await;
    let home = tempfile::tempdir().unwrap();
    let graph = format!("http://{addr}/beta");
    let export = home.path().join("export.md");
    let export_arg = export.display().to_string();
    let runs: Vec<(Vec<&str>, Option<i32>)> = vec![
        (vec!["sessions", "get", "missing"], Some(4)),
        (vec!["sessions", "list"], Some(0)),
        (vec!["sessions", "list", "--output", "json"], Some(0)),
        (vec!["sessions", "get", "s1"], Some(0)),
        (vec!["prompts", "list", "s1"], Some(0)),
        (vec!["prompts", "list", "s1", "--output", "json"], Some(0)),
        (vec!["sessions", "export", "s1"], Some(0)),
        (
            vec!["sessions", "export", "s1", "--output", &export_arg],
            Some(0),
        ),
        (vec!["ask", "q"], Some(0)),
        (vec!["ask", "q", "--wait"], Some(7)),
        (
            vec!["ask", "--session", "s1", "q", "--wait", "--output", "json"],
            Some(7),
        ),
    ];
    let token = fake_jwt(&json!({
        "name": evil("Alex"), "upn": evil("alex@contoso.example"), "tid": evil("tid"),
        "scp": evil("SecurityCopilotWorkspaces.ReadWrite.All"), "exp": 4_000_000_000u64
    }));
    for (args, code) in &runs {
        let mut cmd = sctui(home.path());
        cmd.args(["--graph-url", &graph])
            .env("SCTUI_ACCESS_TOKEN", &token)
            .args(args);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), *code, "{args:?}: {}", describe(&out));
        assert_clean(
            &format!("stdout of {args:?}"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_clean(
            &format!("stderr of {args:?}"),
            &String::from_utf8_lossy(&out.stderr),
        );
    }
    // sign-in text: the device-code prompt, the provider's error, and the id token's names
    let mut cmd = sctui(home.path());
    cmd.args(["login", "--authority-host", &format!("http://{addr}")]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(3), "login: {}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CODE"),
        "the prompt is still shown: {stderr}"
    );
    assert_clean("stderr of login", &stderr);
    assert_clean("stdout of login", &String::from_utf8_lossy(&out.stdout));
    for output in ["table", "json"] {
        let mut cmd = sctui(home.path());
        cmd.args(["whoami", "--output", output])
            .env("SCTUI_ACCESS_TOKEN", &token);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(0), "whoami: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Alex"), "{stdout}");
        assert_clean("stdout of whoami", &stdout);
        assert_clean("stderr of whoami", &String::from_utf8_lossy(&out.stderr));
    }
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains("answer"), "{exported}");
    assert_clean("the exported file", &exported);
    let log = std::fs::read_to_string(home.path().join("state").join("sctui").join("sctui.log"))
        .expect("a log was written");
    assert!(log.contains("message"), "the Graph error is logged: {log}");
    assert_clean("the log file", &log);
}

// ---- ids ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_like_ids_are_usage_errors_before_any_request() {
    let home = tempfile::tempdir().unwrap();
    // Nothing listens on port 9: any request would end in exit 6, not 2.
    let graph = "http://127.0.0.1:9/beta";
    let cases: Vec<Vec<&str>> = vec![
        vec!["sessions", "get", ""],
        vec!["sessions", "get", "."],
        vec!["sessions", "rename", "..", "x"],
        vec!["sessions", "get", "a/b"],
        vec!["sessions", "get", "a?b"],
        vec!["sessions", "get", "a#b"],
        vec!["sessions", "get", "a\u{1}b"],
        vec!["sessions", "export", ".."],
        vec!["prompts", "list", "../x"],
        vec!["ask", "--session", "a/b", "q"],
    ];
    for args in cases {
        let mut cmd = sctui(home.path());
        cmd.args(["--graph-url", graph])
            .env("SCTUI_ACCESS_TOKEN", "t")
            .args(&args);
        let out = run(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("id"),
            "{args:?}: {}",
            describe(&out)
        );
    }
    let mut cmd = sctui(home.path());
    cmd.args([
        "--graph-url",
        graph,
        "--workspace",
        "..",
        "sessions",
        "list",
    ])
    .env("SCTUI_ACCESS_TOKEN", "t");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}

// ---- 7. proxies and TLS ----

/// A "proxy" that only counts connections.
async fn counting_proxy() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let h = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            h.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (addr, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_traffic_bypasses_proxies_and_needs_no_ca_roots() {
    let (proxy, hits) = counting_proxy().await;
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("no-certs");
    std::fs::create_dir_all(&empty).unwrap();
    let closed = "http://127.0.0.1:9";
    for proxy_url in [format!("http://{proxy}"), closed.to_string()] {
        let mut cmd = sctui(home.path());
        cmd.args(["--demo", "sessions", "list"])
            .env("SSL_CERT_FILE", empty.join("none.pem"))
            .env("SSL_CERT_DIR", &empty);
        for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
            cmd.env(var, &proxy_url)
                .env(var.to_ascii_lowercase(), &proxy_url);
        }
        let out = run(cmd).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "proxy {proxy_url}: {}",
            describe(&out)
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the proxy saw loopback traffic"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_ca_roots_are_named_as_such() {
    let home = tempfile::tempdir().unwrap();
    let empty = home.path().join("no-certs");
    std::fs::create_dir_all(&empty).unwrap();
    let mut cmd = sctui(home.path());
    // https on loopback port 9: nothing answers, so this never leaves the machine either way
    cmd.args([
        "--graph-url",
        "https://127.0.0.1:9/beta",
        "sessions",
        "list",
    ])
    .env("SCTUI_ACCESS_TOKEN", "t")
    .env("SSL_CERT_FILE", empty.join("none.pem"))
    .env("SSL_CERT_DIR", &empty);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("builder error"), "{}", describe(&out));
    assert!(
        stderr.contains("root certificates") || stderr.contains("refused"),
        "{}",
        describe(&out)
    );
    assert_eq!(out.status.code(), Some(6), "{}", describe(&out));
}

// ---- 8. file hygiene ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_host_that_is_not_microsoft_needs_allow_host() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = sctui(home.path());
    cmd.args([
        "--graph-url",
        "https://graph.example.invalid/beta",
        "sessions",
        "list",
    ])
    .env("SCTUI_ACCESS_TOKEN", "t");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--allow-host graph.example.invalid"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_files_others_can_read_are_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("token");
    std::fs::write(&file, "t\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut cmd = sctui(home.path());
    cmd.args(["--graph-url", "http://127.0.0.1:9/beta", "--token-file"])
        .arg(&file)
        .args(["sessions", "list"]);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning") && stderr.contains("readable by others"),
        "{stderr}"
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = sctui(home.path());
    cmd.args(["--graph-url", "http://127.0.0.1:9/beta", "--token-file"])
        .arg(&file)
        .args(["sessions", "list"]);
    let out = run(cmd).await;
    assert!(!String::from_utf8_lossy(&out.stderr).contains("readable by others"));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_cache_says_so_and_the_log_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("state").join("sctui").join("auth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let file = dir.join("tokens.json");
    std::fs::write(&file, "{ not json").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut cmd = sctui(home.path());
    cmd.args(["--graph-url", "http://127.0.0.1:9/beta", "sessions", "list"]);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("token cache unreadable"),
        "{}",
        describe(&out)
    );
    assert!(stderr.contains("sctui login"), "{stderr}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let state = home.path().join("state").join("sctui");
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&state.join("sctui.log")), 0o600);
}
