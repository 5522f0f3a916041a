//! Signing in against the built-in fake identity provider: every device-code outcome, refresh on
//! expiry and after a 401, client secrets, the Azure CLI, the token cache file, and whole sessions
//! through the real binary with trace logging that must never show a secret.
//! Everything stays on 127.0.0.1; binaries get their own HOME and XDG dirs.

use crate::common;

use common::run;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sctui_fake::idp::{DEFAULT_CLIENT_SECRET, IdpOptions, PollOutcome};
use sctui_fake::{FakeGraph, FakeOptions, Seed};
use sctui_graph::auth::authority::DEFAULT_CLIENT_ID;
use sctui_graph::auth::cache::TokenCache;
use sctui_graph::auth::cached::CachedTokenSource;
use sctui_graph::auth::client_secret::ClientSecretRenewer;
use sctui_graph::auth::device_code::{self, Sleeper};
use sctui_graph::auth::refresh::RefreshTokenRenewer;
use sctui_graph::auth::{AuthError, Authority, TokenSet, TokenSource, oauth};
use sctui_graph::{ClientOptions, GraphClient, GraphError, ListQuery};

const BIN: &str = env!("CARGO_BIN_EXE_sctui");

async fn fake(lifetime_secs: u64, pending: u32) -> FakeGraph {
    FakeGraph::start(FakeOptions {
        seed: Seed::Demo,
        token: Some("configured-token".into()),
        token_lifetime: Duration::from_secs(lifetime_secs),
        idp: IdpOptions {
            pending_polls: pending,
            ..IdpOptions::default()
        },
        ..FakeOptions::demo()
    })
    .await
    .expect("fake starts")
}

fn authority(fake: &FakeGraph, tenant: &str) -> Authority {
    Authority::new(
        &format!("http://{}", fake.addr()),
        tenant,
        DEFAULT_CLIENT_ID,
    )
    .unwrap()
}

/// A sleeper that records what it was asked to wait and returns at once.
fn recording() -> (Sleeper, Arc<Mutex<Vec<Duration>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let sleeper: Sleeper = Arc::new(move |d| {
        l.lock().unwrap().push(d);
        Box::pin(async {})
    });
    (sleeper, log)
}

async fn sign_in(fake: &FakeGraph) -> Result<(TokenSet, Vec<Duration>), AuthError> {
    let http = oauth::http_client()?;
    let a = authority(fake, "organizations");
    let prompt = device_code::start(&http, &a).await?;
    assert!(prompt.message.contains(&prompt.user_code));
    assert!(!format!("{prompt:?}").contains("device_code"));
    let (sleeper, log) = recording();
    let set = device_code::poll(&http, &a, &prompt, &sleeper).await?;
    let slept = log.lock().unwrap().clone();
    Ok((set, slept))
}

fn client(fake: &FakeGraph, source: Arc<dyn TokenSource>) -> GraphClient {
    GraphClient::new(
        ClientOptions {
            graph_url: fake.base_url().to_string(),
            ..ClientOptions::default()
        },
        source,
    )
    .unwrap()
}

/// A device-code source over a fresh login, persisting to a cache in `dir`.
async fn signed_in_source(fake: &FakeGraph, dir: &Path) -> (Arc<CachedTokenSource>, TokenCache) {
    let (set, _) = sign_in(fake).await.unwrap();
    let a = authority(fake, "organizations");
    let cache = TokenCache::at(dir.join("auth").join("tokens.json"));
    cache.save(&a, &set).unwrap();
    let initial = cache.load(&a).unwrap();
    let (c, a2) = (cache.clone(), a.clone());
    // The source reads the fake's clock, so a test moves both past expiry without sleeping.
    let clock = fake.clock();
    let source = CachedTokenSource::new(
        Box::new(RefreshTokenRenewer::new(oauth::http_client().unwrap(), a)),
        initial,
    )
    .with_persist(Box::new(move |s| c.save(&a2, s)))
    .with_clock(Box::new(move || clock.now()));
    (Arc::new(source), cache)
}

#[tokio::test]
async fn device_code_pending_then_success() {
    let fake = fake(3600, 2).await;
    let (set, slept) = sign_in(&fake).await.unwrap();
    assert_eq!(slept, vec![Duration::from_secs(1); 3]);
    let account = set.account.clone().unwrap();
    assert_eq!(account.username.as_deref(), Some("alex@contoso.example"));
    assert_eq!(account.name.as_deref(), Some("Alex Wilber"));
    assert!(account.tenant_id.is_some() && account.object_id.is_some());
    assert!(set.refresh.is_some());
    assert!(!set.lacks_security_copilot_scope());
    // The issued token works on the Graph routes.
    let token = set.access.expose().to_string();
    assert!(fake.accepts_token(&token));
    assert!(fake.accepts_token("configured-token"));
    assert!(!fake.accepts_token("anything-else"));
}

#[tokio::test]
async fn slow_down_adds_five_seconds() {
    let fake = fake(3600, 0).await;
    fake.idp()
        .script_device_polls(vec![PollOutcome::SlowDown, PollOutcome::Pending]);
    let (_, slept) = sign_in(&fake).await.unwrap();
    let s = Duration::from_secs;
    assert_eq!(slept, vec![s(1), s(6), s(6)]);
}

#[tokio::test]
async fn declined_expired_and_other_errors() {
    let fake = fake(3600, 0).await;
    fake.idp().script_device_polls(vec![PollOutcome::Declined]);
    assert_eq!(sign_in(&fake).await.unwrap_err(), AuthError::Declined);
    fake.idp()
        .script_device_polls(vec![PollOutcome::Pending, PollOutcome::Expired]);
    assert_eq!(sign_in(&fake).await.unwrap_err(), AuthError::CodeExpired);
    fake.idp().script_device_polls(vec![PollOutcome::Error {
        error: "invalid_client".into(),
        description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into(),
    }]);
    let e = sign_in(&fake).await.unwrap_err();
    assert_eq!(e, AuthError::PublicClientFlowsOff);
    assert!(sctui_app::advice::auth(&e).contains("Allow public client flows"));
    fake.idp().script_device_polls(vec![PollOutcome::Error {
        error: "invalid_grant".into(),
        description:
            "AADSTS65001: The user or administrator has not consented to use the application."
                .into(),
    }]);
    assert_eq!(
        sign_in(&fake).await.unwrap_err(),
        AuthError::ConsentRequired
    );
    fake.idp().script_device_polls(vec![PollOutcome::Error {
        error: "server_error".into(),
        description: "AADSTS50000: There was an error issuing a token.".into(),
    }]);
    let e = sign_in(&fake).await.unwrap_err().to_string();
    assert!(
        e.contains("server_error")
            && e.contains("AADSTS50000: There was an error issuing a token."),
        "{e}"
    );
    assert!(!e.contains("Trace ID"), "{e}");
}

#[tokio::test]
async fn code_expires_on_the_client_side_too() {
    let fake = FakeGraph::start(FakeOptions {
        idp: IdpOptions {
            pending_polls: 1000,
            code_lifetime: Duration::from_secs(3),
            ..IdpOptions::default()
        },
        ..FakeOptions::demo()
    })
    .await
    .unwrap();
    assert_eq!(sign_in(&fake).await.unwrap_err(), AuthError::CodeExpired);
    assert!(fake.idp().stats().polls <= 3);
}

#[tokio::test]
async fn personal_accounts_are_refused_up_front() {
    let fake = fake(3600, 0).await;
    let e = Authority::new(
        &format!("http://{}", fake.addr()),
        "consumers",
        DEFAULT_CLIENT_ID,
    )
    .unwrap_err();
    assert_eq!(e, AuthError::PersonalAccount);
    assert!(sctui_app::advice::auth(&e).contains("work or school account"));
}

#[tokio::test]
async fn refreshes_on_expiry_and_stores_the_rotated_refresh_token() {
    let fake = fake(2, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (source, cache) = signed_in_source(&fake, dir.path()).await;
    let a = authority(&fake, "organizations");
    let first_refresh = cache.load(&a).unwrap().unwrap().refresh.unwrap();
    let graph = client(&fake, source.clone());
    graph.list_sessions(&ListQuery::default()).await.unwrap();
    assert_eq!(source.renewals(), 0);
    fake.clock().advance(Duration::from_millis(2100));
    graph.list_sessions(&ListQuery::default()).await.unwrap();
    assert_eq!(source.renewals(), 1);
    let stored = cache.load(&a).unwrap().unwrap();
    use secrecy::ExposeSecret;
    let rotated = stored.refresh.unwrap();
    assert_ne!(rotated.expose_secret(), first_refresh.expose_secret());
    assert!(
        !fake
            .idp()
            .refresh_token_valid(first_refresh.expose_secret())
    );
    assert!(fake.idp().refresh_token_valid(rotated.expose_secret()));
    assert_eq!(fake.idp().stats().refreshes, 1);
}

#[tokio::test]
async fn refreshes_once_after_a_401() {
    let fake = fake(3600, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = signed_in_source(&fake, dir.path()).await;
    let graph = client(&fake, source.clone());
    graph.list_sessions(&ListQuery::default()).await.unwrap();
    fake.idp().expire_access_tokens();
    graph.list_sessions(&ListQuery::default()).await.unwrap();
    assert_eq!(source.renewals(), 1);
    // A revoked refresh token means signing in again, with exit code 3.
    fake.idp().expire_access_tokens();
    fake.idp().revoke_refresh_tokens();
    let e = graph
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(e, GraphError::Auth(AuthError::SignInAgain { .. })),
        "{e}"
    );
    assert!(
        sctui_app::advice::graph(&e)
            .to_string()
            .contains("sctui login"),
        "{e}"
    );
    assert_eq!(
        sctui::cli::exit::for_graph_error(&e),
        sctui::cli::exit::AUTH
    );
}

#[tokio::test]
async fn empty_source_says_not_signed_in() {
    let fake = fake(3600, 0).await;
    let source = CachedTokenSource::new(
        Box::new(RefreshTokenRenewer::new(
            oauth::http_client().unwrap(),
            authority(&fake, "organizations"),
        )),
        None,
    );
    assert!(!source.is_usable().await);
    let e = client(&fake, Arc::new(source))
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(
        sctui_app::advice::graph(&e)
            .to_string()
            .contains("run `sctui login`"),
        "{e}"
    );
    assert_eq!(
        sctui::cli::exit::for_graph_error(&e),
        sctui::cli::exit::AUTH
    );
}

#[tokio::test]
async fn client_secret_good_and_bad() {
    let fake = fake(3600, 0).await;
    let a = authority(&fake, "contoso.onmicrosoft.com");
    let http = oauth::http_client().unwrap();
    let good = ClientSecretRenewer::from_env(http.clone(), a.clone(), &|k| {
        (k == "SCTUI_CLIENT_SECRET").then(|| DEFAULT_CLIENT_SECRET.to_string())
    })
    .unwrap();
    let source = Arc::new(CachedTokenSource::new(Box::new(good), None));
    client(&fake, source.clone())
        .list_sessions(&ListQuery::default())
        .await
        .unwrap();
    let info = source.info().await.unwrap();
    assert!(
        info.scopes
            .iter()
            .any(|s| s.starts_with("SecurityCopilotWorkspaces"))
    );

    fake.idp().set_client_secret("rotated");
    let bad =
        ClientSecretRenewer::from_env(http.clone(), a.clone(), &|_| Some("wrong".into())).unwrap();
    let e = client(&fake, Arc::new(CachedTokenSource::new(Box::new(bad), None)))
        .list_sessions(&ListQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(e, GraphError::Auth(AuthError::BadClientSecret)),
        "{e}"
    );
    assert!(!e.to_string().contains("wrong"));
    // No secret, or a multi-tenant alias, is a settings error.
    assert!(ClientSecretRenewer::from_env(http.clone(), a, &|_| None).is_err());
    let org = authority(&fake, "organizations");
    assert!(ClientSecretRenewer::from_env(http, org, &|_| Some("s".into())).is_err());
}

// ---- the token cache file ----

fn sample_set(access: &str, refresh: &str) -> TokenSet {
    TokenSet {
        access: sctui_graph::auth::AccessToken::new(access),
        expires_at: jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600),
        received_at: jiff::Timestamp::now(),
        refresh: Some(secrecy::SecretString::from(refresh.to_string())),
        account: Some(sctui_graph::auth::Account {
            username: Some("u@contoso.com".into()),
            ..Default::default()
        }),
    }
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn cache_file_is_0600_in_a_0700_dir_and_replaced_atomically() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("state").join("auth");
    let path = folder.join("tokens.json");
    let cache = TokenCache::at(&path);
    let a = Authority::new("https://login.microsoftonline.com", "organizations", "c").unwrap();
    cache.save(&a, &sample_set("AT1", "RT1")).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&folder), 0o700);
    let inode = std::fs::metadata(&path).unwrap().ino();
    cache.save(&a, &sample_set("AT2", "RT2")).unwrap();
    // Replaced by rename (a new inode), never rewritten in place; no temp files left behind.
    assert_ne!(std::fs::metadata(&path).unwrap().ino(), inode);
    let names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("tokens.json")]);
    let loaded = cache.load(&a).unwrap().unwrap();
    assert_eq!(loaded.access.expose(), "AT2");
    assert!(!format!("{loaded:?}").contains("AT2"));
    assert!(!format!("{loaded:?}").contains("RT2"));
    // A folder made wider by hand is tightened on the next save.
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    cache.save(&a, &sample_set("AT3", "RT3")).unwrap();
    assert_eq!(mode(&folder), 0o700);
    assert!(cache.delete().unwrap());
    assert!(!cache.delete().unwrap());
    assert!(cache.load(&a).unwrap().is_none());
}

#[cfg(unix)]
#[test]
fn wider_cache_file_is_refused_like_ssh() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    let cache = TokenCache::at(&path);
    let a = Authority::new("https://login.microsoftonline.com", "organizations", "c").unwrap();
    cache.save(&a, &sample_set("AT-wide", "RT-wide")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = sctui_app::advice::auth(&cache.load(&a).unwrap_err());
    assert!(
        e.contains("0644") && e.contains("too open") && e.contains("chmod 600"),
        "{e}"
    );
    assert!(!e.contains("AT-wide") && !e.contains("RT-wide"));
}

#[test]
fn cache_for_another_tenant_client_or_host_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let cache = TokenCache::at(dir.path().join("tokens.json"));
    let a = Authority::new("https://login.microsoftonline.com", "organizations", "c").unwrap();
    cache.save(&a, &sample_set("AT", "RT")).unwrap();
    assert!(cache.load(&a).unwrap().is_some());
    for other in [
        Authority::new("https://login.microsoftonline.com", "contoso.com", "c").unwrap(),
        Authority::new("https://login.microsoftonline.com", "organizations", "d").unwrap(),
        Authority::new("http://127.0.0.1:9", "organizations", "c").unwrap(),
    ] {
        assert!(cache.load(&other).unwrap().is_none(), "{other:?}");
    }
    // Garbage is not silently "not signed in": the error says the cache is unreadable.
    std::fs::write(dir.path().join("tokens.json"), "{not json").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("tokens.json"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let error = sctui_app::advice::auth(&cache.load(&a).unwrap_err());
    assert!(error.contains("token cache unreadable"), "{error}");
    assert!(error.contains("sctui login"), "{error}");
}

// ---- the real binary ----

/// The binary with HOME/XDG isolated under `home` and no inherited sctui env.
fn sctui(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    common::isolate(&mut cmd, home);
    cmd.env_remove("SCTUI_CLIENT_SECRET");
    cmd
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The whole session with trace logging: login, whoami, list, expiry, refresh, a client-secret
/// login; no secret the identity provider handed out may appear in the log, stdout or stderr.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_session_with_trace_logging_leaks_no_secret() {
    let fake = fake(2, 1).await;
    let home = tempfile::tempdir().unwrap();
    let host = format!("http://{}", fake.addr());
    let graph = fake.base_url().to_string();
    let mut seen = String::new();
    let step = |args: &[&str], secret: Option<&str>| {
        let mut cmd = sctui(home.path());
        cmd.args([
            "--log-level",
            "trace",
            "--authority-host",
            &host,
            "--graph-url",
            &graph,
        ]);
        cmd.args(args);
        if let Some(s) = secret {
            cmd.env("SCTUI_CLIENT_SECRET", s);
        }
        cmd
    };
    let mut outputs = Vec::new();
    for (args, secret) in [
        (&["login", "--device-code"][..], None),
        (&["whoami"][..], None),
        (&["sessions", "list"][..], None),
    ] {
        let out = run(step(args, secret)).await;
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        outputs.push(out);
    }
    assert!(String::from_utf8_lossy(&outputs[1].stdout).contains("alex@contoso.example"));
    // The fake's tokens expire; the next process meets a 401 (or renews early) and refreshes.
    fake.clock().advance(Duration::from_millis(2200));
    let out = run(step(&["sessions", "list", "-o", "json"], None)).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    outputs.push(out);
    assert!(fake.idp().stats().refreshes >= 1);
    let out = run(step(
        &[
            "login",
            "--client-secret",
            "--tenant",
            "contoso.onmicrosoft.com",
        ],
        Some(DEFAULT_CLIENT_SECRET),
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    outputs.push(out);
    let out = run(step(
        &[
            "login",
            "--client-secret",
            "--tenant",
            "contoso.onmicrosoft.com",
        ],
        Some("the-wrong-secret-value"),
    ))
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AADSTS7000215"));
    outputs.push(out);
    for out in &outputs {
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let log = std::fs::read_to_string(home.path().join("state/sctui/sctui.log")).unwrap();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "trace logging was on"
    );
    assert!(log.contains("access token renewed"), "{log}");
    seen.push_str(&log);
    let mut secrets = fake.idp().issued_secrets();
    secrets.push(DEFAULT_CLIENT_SECRET.into());
    secrets.push("the-wrong-secret-value".into());
    assert!(secrets.len() >= 6, "{}", secrets.len());
    for secret in &secrets {
        assert!(
            !seen.contains(secret.as_str()),
            "a secret leaked into the output or log"
        );
        // Not even a recognisable part of one (JWT payloads and signatures).
        for part in secret.split('.').filter(|p| p.len() >= 24) {
            assert!(!seen.contains(part), "part of a secret leaked");
        }
    }
    // logout deletes the cache; then commands say "not signed in" with exit 3.
    let out = run(step(&["logout"], None)).await;
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = run(step(&["sessions", "list"], None)).await;
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not signed in: run `sctui login`"));
}

/// Kills the child when dropped, even if the test panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The "done when": `sctui fake-graph` as the identity provider and Graph, `sctui login`
/// against it, `whoami`, and `sessions list` on the cached token across an access-token expiry.
#[test]
fn login_whoami_and_list_across_expiry_against_sctui_fake_graph() {
    let home = tempfile::tempdir().unwrap();
    let mut child = sctui(home.path())
        .args([
            "fake-graph",
            "--port",
            "0",
            "--token-lifetime",
            "2",
            "--pending-polls",
            "2",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let _guard = KillOnDrop(child);
    let mut url = String::new();
    reader.read_line(&mut url).unwrap();
    let graph = url.trim().to_string();
    let host = graph.trim_end_matches("/beta").to_string();

    let out = sctui(home.path())
        .args(["login", "--device-code", "--authority-host", &host])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/devicelogin") && stderr.contains("Code:"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Signed in as Alex Wilber"));

    // No --authority-host from here on: the one used at login is remembered with the cache.
    let whoami = |args: &[&str]| {
        sctui(home.path())
            .args(["whoami"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = whoami(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "alex@contoso.example",
        "device-code",
        "SecurityCopilotWorkspaces.ReadWrite.All",
        "Expires:",
        "Security Copilot Contributor",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    let json: serde_json::Value = serde_json::from_slice(&whoami(&["-o", "json"]).stdout).unwrap();
    assert_eq!(json["username"], "alex@contoso.example");

    let list = || {
        sctui(home.path())
            .args(["--graph-url", &graph, "sessions", "list", "-o", "json"])
            .output()
            .unwrap()
    };
    let out = list();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // Move the fake-graph process's clock past the tokens' expiry instead of sleeping.
    let advance = format!("{host}{}?seconds=2.2", sctui_fake::control::ADVANCE_PATH);
    let status = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { reqwest::Client::new().post(&advance).send().await })
        .unwrap()
        .status();
    assert!(status.is_success(), "{status}");
    let out = list();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{v}");

    // --offline sends nothing, whoami included: with the sign-in service gone and the cached
    // access token expired (a renewal would be due), the cache still answers
    drop(_guard);
    let cache = home.path().join("state/sctui/auth/tokens.json");
    let mut tokens: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    tokens["expires_at"] = "2000-01-01T00:00:00Z".into();
    std::fs::write(&cache, serde_json::to_vec(&tokens).unwrap()).unwrap();
    let out = sctui(home.path())
        .args(["--offline", "whoami"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("alex@contoso.example"),
        "{}",
        describe(&out)
    );
}

// ---- the Azure CLI ----

/// A directory holding a fake `az` that runs `script`.
#[cfg(unix)]
fn fake_az(script: &str) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("az");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[cfg(unix)]
fn jwt(payload: &serde_json::Value) -> String {
    use base64::Engine;
    let e = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    format!(
        "{}.{}.{}",
        e(b"{\"alg\":\"none\"}"),
        e(payload.to_string().as_bytes()),
        e(b"signature-bytes-here")
    )
}

#[cfg(unix)]
#[test]
fn az_missing_not_signed_in_and_json() {
    let home = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = sctui(home.path())
        .env("PATH", empty.path())
        .args(["login", "--az"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not installed or not on PATH"),
        "{}",
        describe(&out)
    );

    let dir = fake_az("echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1");
    let out = sctui(home.path())
        .env("PATH", dir.path())
        .args(["login", "--az"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("run `az login`"),
        "{}",
        describe(&out)
    );

    // The Azure CLI's app usually lacks the Security Copilot scope: whoami warns.
    let token = jwt(
        &serde_json::json!({"scp": "User.Read Directory.Read.All", "upn": "az-user@contoso.com", "tid": "t-az", "oid": "o-az"}),
    );
    let exp = jiff::Timestamp::now().as_second() + 3000;
    let dir = fake_az(&format!(
        "echo '{{\"accessToken\":\"{token}\",\"expiresOn\":\"2030-01-01 00:00:00.000000\",\"expires_on\":{exp},\"subscription\":\"s\",\"tenant\":\"t-az\",\"tokenType\":\"Bearer\"}}'"
    ));
    let config = home.path().join("az.toml");
    std::fs::write(&config, "[auth]\nmethod = \"az\"\n").unwrap();
    let out = sctui(home.path())
        .env("PATH", dir.path())
        .args(["--config", config.to_str().unwrap(), "whoami"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("az-user@contoso.com") && stdout.contains("azure-cli"),
        "{stdout}"
    );
    assert!(stdout.contains("User.Read"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("lacks the SecurityCopilotWorkspaces"),
        "{stderr}"
    );
    assert!(!stdout.contains(&token) && !stderr.contains(&token));
}

#[test]
fn token_file_and_env_win_and_cannot_refresh() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("token.txt");
    std::fs::write(&file, "  file-token-value \n").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(fake(3600, 0));
    fake.store()
        .set_accepted_tokens(Some(vec!["file-token-value".into()]));
    let out = sctui(home.path())
        .args([
            "--graph-url",
            fake.base_url(),
            "--token-file",
            file.to_str().unwrap(),
            "sessions",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    fake.store().set_accepted_tokens(Some(vec![]));
    let out = sctui(home.path())
        .args([
            "--graph-url",
            fake.base_url(),
            "--token-file",
            file.to_str().unwrap(),
            "sessions",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("file-token-value"));
    drop(fake);
}
