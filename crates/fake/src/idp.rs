//! A fake Microsoft identity platform on the same server as the fake Graph:
//! `POST /{tenant}/oauth2/v2.0/devicecode` and `POST /{tenant}/oauth2/v2.0/token` with the
//! device-code, refresh-token (rotating) and client-credentials grants, answering in AAD's shapes
//! and `AADSTS` texts. Access tokens are JWT-shaped (unsigned in substance) and expire on a short,
//! configurable lifetime measured on the fake's [`Clock`]; the Graph routes accept them only until
//! then (see [`FakeIdp::token_valid`]).
//!
//! Tests drive scenarios through [`FakeIdp`]: how many polls stay pending, a script of poll
//! outcomes (slow down, declined, expired, any error), the client secret, token lifetime, and
//! expiring or revoking tokens behind the client's back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use crate::clock::Clock;

/// The client secret the fake accepts by default (`client_credentials`).
pub const DEFAULT_CLIENT_SECRET: &str = "sctui-fake-client-secret";

/// The user the fake signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeUser {
    pub username: String,
    pub name: String,
    pub tenant_id: String,
    pub object_id: String,
}

impl Default for FakeUser {
    fn default() -> Self {
        Self {
            username: "alex@contoso.example".into(),
            name: "Alex Wilber".into(),
            tenant_id: "0b0c0d0e-1111-4222-8333-444455556666".into(),
            object_id: "aa11bb22-3333-4444-8555-666677778888".into(),
        }
    }
}

/// How the fake identity provider behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpOptions {
    /// Polls answered `authorization_pending` before a device code is approved.
    pub pending_polls: u32,
    /// The polling interval the device-code answer asks for, in seconds.
    pub interval_secs: u64,
    /// How long a device code is valid.
    pub code_lifetime: Duration,
    /// The accepted client secret.
    pub client_secret: String,
    /// Delegated scopes put in `scp`.
    pub scopes: String,
    /// Who signs in.
    pub user: FakeUser,
}

impl Default for IdpOptions {
    fn default() -> Self {
        Self {
            pending_polls: 2,
            interval_secs: 1,
            code_lifetime: Duration::from_secs(900),
            client_secret: DEFAULT_CLIENT_SECRET.into(),
            scopes: "SecurityCopilotWorkspaces.ReadWrite.All openid profile offline_access".into(),
            user: FakeUser::default(),
        }
    }
}

/// What one device-code poll answers (scripted from tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    Pending,
    SlowDown,
    Declined,
    Expired,
    Approve,
    /// Any OAuth error, e.g. `invalid_client` with `AADSTS7000218: …`.
    Error {
        error: String,
        description: String,
    },
}

/// Counters tests assert on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IdpStats {
    pub device_codes: u32,
    pub polls: u32,
    pub refreshes: u32,
    pub client_credentials: u32,
    pub access_tokens_issued: u32,
}

struct CodeRec {
    client_id: String,
    expires: Timestamp,
    polls: u32,
}

/// The identity provider's live state.
struct IdpState {
    clock: Clock,
    opts: IdpOptions,
    token_lifetime: Duration,
    script: VecDeque<PollOutcome>,
    codes: HashMap<String, CodeRec>,
    /// refresh token → client id.
    refresh_tokens: HashMap<String, String>,
    /// access token → expiry.
    access_tokens: HashMap<String, Timestamp>,
    /// Every secret ever handed out (device codes, tokens), so tests can prove none leaks.
    issued: Vec<String>,
    stats: IdpStats,
}

impl IdpState {
    fn new(clock: Clock) -> Self {
        Self {
            clock,
            opts: IdpOptions::default(),
            token_lifetime: Duration::from_secs(3600),
            script: VecDeque::new(),
            codes: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            issued: Vec::new(),
            stats: IdpStats::default(),
        }
    }
}

impl std::fmt::Debug for IdpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdpState")
            .field("opts", &self.opts)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// A cloneable handle on the fake identity provider, for the server and for tests that script
/// sign-in scenarios or expire tokens.
#[derive(Clone)]
pub struct FakeIdp {
    inner: Arc<Mutex<IdpState>>,
}

impl std::fmt::Debug for FakeIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.lock().fmt(f)
    }
}

impl FakeIdp {
    /// An identity provider with default options reading `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            inner: Arc::new(Mutex::new(IdpState::new(clock))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, IdpState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(valid)` for an access token this provider issued (valid = not yet expired on the
    /// fake's clock), `None` for any other.
    pub fn token_valid(&self, token: &str) -> Option<bool> {
        let idp = self.lock();
        let now = idp.clock.now();
        idp.access_tokens.get(token).map(|exp| now < *exp)
    }

    /// Sets up the identity provider (done by `FakeGraph::start`).
    pub fn configure(&self, opts: IdpOptions, token_lifetime: Duration) {
        let mut idp = self.lock();
        idp.opts = opts;
        idp.token_lifetime = token_lifetime;
    }

    /// How many polls stay pending before a device code is approved.
    pub fn set_pending_polls(&self, n: u32) {
        self.lock().opts.pending_polls = n;
    }

    /// The next device-code polls answer these, in order, before the pending count applies.
    pub fn script_device_polls(&self, outcomes: Vec<PollOutcome>) {
        self.lock().script = outcomes.into();
    }

    /// The client secret `client_credentials` accepts.
    pub fn set_client_secret(&self, secret: &str) {
        self.lock().opts.client_secret = secret.to_string();
    }

    /// The delegated scopes put in new tokens (to test the missing-scope warning).
    pub fn set_granted_scopes(&self, scopes: &str) {
        self.lock().opts.scopes = scopes.to_string();
    }

    /// How long newly issued access tokens live.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.lock().token_lifetime = lifetime;
    }

    /// Makes every issued access token expire now (the client still thinks it is valid).
    pub fn expire_access_tokens(&self) {
        let mut idp = self.lock();
        let now = idp.clock.now();
        for exp in idp.access_tokens.values_mut() {
            *exp = now;
        }
    }

    /// Forgets every refresh token (as if revoked): the next refresh gets `invalid_grant`.
    pub fn revoke_refresh_tokens(&self) {
        self.lock().refresh_tokens.clear();
    }

    /// Whether `token` is a refresh token the fake would still accept.
    pub fn refresh_token_valid(&self, token: &str) -> bool {
        self.lock().refresh_tokens.contains_key(token)
    }

    /// Every device code, access, refresh and id token issued so far (for leak checks).
    pub fn issued_secrets(&self) -> Vec<String> {
        self.lock().issued.clone()
    }

    /// Counters of what the identity provider did.
    pub fn stats(&self) -> IdpStats {
        self.lock().stats
    }
}

/// The identity routes; they are not under `/beta` and need no bearer token.
pub(crate) fn router(idp: FakeIdp) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/devicecode", post(device_code))
        .route("/{tenant}/oauth2/v2.0/token", post(token))
        .with_state(idp)
}

fn form(body: &Bytes) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn random_b64(n: usize) -> String {
    let bytes: Vec<u8> = (0..n).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An OAuth error answer in AAD's shape.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let code: Option<u64> = description
        .strip_prefix("AADSTS")
        .and_then(|r| r.split(':').next())
        .and_then(|c| c.parse().ok());
    let body = json!({
        "error": error,
        "error_description": format!("{description}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), Timestamp::now()),
        "error_codes": code.map(|c| vec![c]).unwrap_or_default(),
        "timestamp": Timestamp::now().to_string(),
        "trace_id": uuid::Uuid::new_v4().to_string(),
        "correlation_id": uuid::Uuid::new_v4().to_string(),
    });
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    if let Ok(v) = "application/json; charset=utf-8".parse() {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

fn bad_request(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

fn origin(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        })
        .map_or_else(|| "http://127.0.0.1".into(), |h| format!("http://{h}"))
}

/// The refusal for a tenant personal accounts use, if it is one.
fn refuse_tenant(tenant: &str) -> Option<Response> {
    tenant.eq_ignore_ascii_case("consumers").then(|| {
        bad_request(
            "invalid_request",
            "AADSTS9002331: Application is configured for use by Microsoft Account users only.",
        )
    })
}

async fn device_code(
    State(handle): State<FakeIdp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = refuse_tenant(&tenant) {
        return r;
    }
    let f = form(&body);
    let Some(client_id) = f.get("client_id").filter(|c| !c.is_empty()) else {
        return bad_request(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    };
    if f.get("scope").is_none_or(|s| s.trim().is_empty()) {
        return bad_request(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        );
    }
    let device_code = random_b64(48);
    let letters: String = (0..9)
        .map(|_| char::from(b'A' + rand::random::<u8>() % 26))
        .collect();
    let mut idp = handle.lock();
    let lifetime = idp.opts.code_lifetime;
    let expires = idp.clock.now() + SignedDuration::try_from(lifetime).unwrap_or_default();
    idp.codes.insert(
        device_code.clone(),
        CodeRec {
            client_id: client_id.clone(),
            expires,
            polls: 0,
        },
    );
    idp.stats.device_codes += 1;
    idp.issued.push(device_code.clone());
    let uri = format!("{}/devicelogin", origin(&headers));
    let pending = idp.opts.pending_polls;
    json_response(
        StatusCode::OK,
        &json!({
            "user_code": letters,
            "device_code": device_code,
            "verification_uri": uri,
            "expires_in": lifetime.as_secs(),
            "interval": idp.opts.interval_secs,
            "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {letters} to authenticate. (sctui fake: approved automatically after {pending} polls.)"),
        }),
    )
}

async fn token(State(handle): State<FakeIdp>, Path(tenant): Path<String>, body: Bytes) -> Response {
    if let Some(r) = refuse_tenant(&tenant) {
        return r;
    }
    let f = form(&body);
    let client_id = f.get("client_id").cloned().unwrap_or_default();
    if client_id.is_empty() {
        return bad_request(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
        );
    }
    let mut idp = handle.lock();
    match f.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            poll(&mut idp, &client_id, f.get("device_code"))
        }
        Some("refresh_token") => {
            let rt = f.get("refresh_token").cloned().unwrap_or_default();
            match idp.refresh_tokens.remove(&rt) {
                Some(owner) if owner == client_id => {
                    idp.stats.refreshes += 1;
                    issue_delegated(&mut idp, &client_id)
                }
                _ => bad_request(
                    "invalid_grant",
                    "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity or was already used. Send a new interactive authorization request for this user and resource.",
                ),
            }
        }
        Some("client_credentials") => {
            let secret = f.get("client_secret").cloned().unwrap_or_default();
            if secret != idp.opts.client_secret {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
                );
            }
            if !f.get("scope").is_some_and(|s| s.ends_with("/.default")) {
                return bad_request(
                    "invalid_scope",
                    "AADSTS1002012: The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
                );
            }
            idp.stats.client_credentials += 1;
            let tid = idp.opts.user.tenant_id.clone();
            let (access, life) = access_token(
                &mut idp,
                json!({"roles": ["SecurityCopilotWorkspaces.ReadWrite.All"], "tid": tid, "oid": uuid::Uuid::new_v4().to_string(), "appid": client_id, "idtyp": "app"}),
            );
            json_response(
                StatusCode::OK,
                &json!({"token_type": "Bearer", "expires_in": life, "ext_expires_in": life, "access_token": access}),
            )
        }
        Some(other) => bad_request(
            "unsupported_grant_type",
            &format!("AADSTS70003: The app requested an unsupported grant type '{other}'."),
        ),
        None => bad_request(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
        ),
    }
}

fn poll(idp: &mut IdpState, client_id: &str, code: Option<&String>) -> Response {
    idp.stats.polls += 1;
    let code = code.cloned().unwrap_or_default();
    let pending_polls = idp.opts.pending_polls;
    let now = idp.clock.now();
    let Some(rec) = idp.codes.get_mut(&code) else {
        return bad_request(
            "bad_verification_code",
            "AADSTS70019: Verification code expired or not found.",
        );
    };
    if rec.client_id != client_id {
        return bad_request(
            "invalid_grant",
            "AADSTS70000: The device code was issued to another client.",
        );
    }
    let expired = now >= rec.expires;
    rec.polls += 1;
    let polls = rec.polls;
    let outcome = if expired {
        PollOutcome::Expired
    } else if let Some(next) = idp.script.pop_front() {
        next
    } else if polls <= pending_polls {
        PollOutcome::Pending
    } else {
        PollOutcome::Approve
    };
    match outcome {
        PollOutcome::Pending => bad_request(
            "authorization_pending",
            "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        ),
        PollOutcome::SlowDown => bad_request(
            "slow_down",
            "AADSTS70016: The client is polling too quickly; slow down.",
        ),
        PollOutcome::Declined => {
            idp.codes.remove(&code);
            bad_request(
                "authorization_declined",
                "AADSTS70000: The user denied the authorization request.",
            )
        }
        PollOutcome::Expired => {
            idp.codes.remove(&code);
            bad_request(
                "expired_token",
                "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            )
        }
        PollOutcome::Error { error, description } => bad_request(&error, &description),
        PollOutcome::Approve => {
            idp.codes.remove(&code);
            issue_delegated(idp, client_id)
        }
    }
}

/// Makes a JWT-shaped token of `claims` (plus the standard ones).
fn jwt(mut claims: Value, now: Timestamp, lifetime: u64, aud: &str) -> String {
    let now = now.as_second();
    if let Value::Object(map) = &mut claims {
        map.insert("aud".into(), json!(aud));
        map.insert("iss".into(), json!("https://sts.fake.sctui/"));
        map.insert("iat".into(), json!(now));
        map.insert("nbf".into(), json!(now));
        map.insert("exp".into(), json!(now + lifetime as i64));
        map.insert("uti".into(), json!(random_b64(16)));
    }
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"RS256","kid":"sctui-fake"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_b64(32)
    )
}

fn access_token(idp: &mut IdpState, claims: Value) -> (String, u64) {
    let life = idp.token_lifetime.as_secs().max(1);
    let now = idp.clock.now();
    let token = jwt(claims, now, life, "https://graph.microsoft.com");
    let exp = now + SignedDuration::try_from(idp.token_lifetime).unwrap_or_default();
    idp.access_tokens.insert(token.clone(), exp);
    idp.issued.push(token.clone());
    idp.stats.access_tokens_issued += 1;
    (token, life)
}

fn issue_delegated(idp: &mut IdpState, client_id: &str) -> Response {
    let user = idp.opts.user.clone();
    let scopes = idp.opts.scopes.clone();
    let (access, life) = access_token(
        idp,
        json!({"scp": scopes, "upn": user.username, "name": user.name, "tid": user.tenant_id, "oid": user.object_id, "appid": client_id}),
    );
    let refresh = format!("0.fake-rt.{}", random_b64(48));
    idp.refresh_tokens
        .insert(refresh.clone(), client_id.to_string());
    idp.issued.push(refresh.clone());
    let now = idp.clock.now();
    let id_token = jwt(
        json!({"name": user.name, "preferred_username": user.username, "tid": user.tenant_id, "oid": user.object_id}),
        now,
        life,
        client_id,
    );
    idp.issued.push(id_token.clone());
    json_response(
        StatusCode::OK,
        &json!({
            "token_type": "Bearer",
            "scope": scopes,
            "expires_in": life,
            "ext_expires_in": life,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
        }),
    )
}
