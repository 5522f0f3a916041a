//! The token endpoint: one form POST per grant, its success and error answers. Forms hold refresh
//! tokens, device codes and secrets, so nothing here logs a form or a response body.

use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::jwt::Claims;
use super::token_set::{Account, TokenSet};
use super::{AccessToken, AuthError, Authority};

/// A successful token answer; secrets are wrapped as soon as they are parsed.
#[derive(Deserialize)]
#[serde(from = "RawTokenResponse")]
pub struct TokenResponse {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    id_token: Option<SecretString>,
    expires_in: Option<u64>,
    /// Granted scopes, space separated.
    pub scope: Option<String>,
}

/// The wire shape; lives only until it is wrapped into [`TokenResponse`].
#[derive(Deserialize)]
struct RawTokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    /// Seconds the access token lives; AAD sends a number, some proxies a string.
    #[serde(default, deserialize_with = "lenient_u64")]
    expires_in: Option<u64>,
    #[serde(default)]
    scope: Option<String>,
}

impl From<RawTokenResponse> for TokenResponse {
    fn from(r: RawTokenResponse) -> Self {
        Self {
            access_token: SecretString::from(r.access_token),
            refresh_token: r.refresh_token.map(SecretString::from),
            id_token: r.id_token.map(SecretString::from),
            expires_in: r.expires_in,
            scope: r.scope,
        }
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl TokenResponse {
    /// Turns the answer into what we hold: expiry from `expires_in` counted from `received`; the
    /// previous refresh token is kept only when the service did not send a rotated one.
    pub fn into_set(self, received: Timestamp, previous_refresh: Option<SecretString>) -> TokenSet {
        let lifetime = self.expires_in.unwrap_or(3600).min(24 * 3600);
        let account = self
            .id_token
            .as_ref()
            .and_then(|t| Claims::decode(t.expose_secret()))
            .or_else(|| Claims::decode(self.access_token.expose_secret()))
            .map(|c| Account::from_claims(&c));
        let expires_at = received
            .checked_add(jiff::SignedDuration::from_secs(lifetime as i64))
            .unwrap_or(received);
        TokenSet {
            access: AccessToken(self.access_token),
            expires_at,
            received_at: received,
            refresh: self.refresh_token.or(previous_refresh),
            account,
        }
    }
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Num(u64),
        Text(String),
    }
    Ok(match Option::<N>::deserialize(d)? {
        Some(N::Num(n)) => Some(n),
        Some(N::Text(s)) => s.trim().parse().ok(),
        None => None,
    })
}

/// An OAuth error answer: `{"error", "error_description", "error_codes"}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct OAuthError {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: String,
    #[serde(default)]
    pub error_codes: Vec<u64>,
}

impl OAuthError {
    /// The user-facing error for this answer.
    pub fn into_auth(self) -> AuthError {
        AuthError::from_oauth(&self.error, &self.error_description, &self.error_codes)
    }
}

/// What the token endpoint said: tokens, or an OAuth error the caller may want to inspect (device
/// polling treats `authorization_pending` as "not yet").
#[derive(Debug)]
pub enum Reply {
    Tokens(Box<TokenResponse>),
    Error(OAuthError),
}

/// The HTTP client for the identity provider: short timeouts, our user agent, and never a
/// redirect (a form holds a refresh token, a device code or a secret; see [`crate::transport`]).
pub fn http_client() -> Result<reqwest::Client, AuthError> {
    build_http_client()
}

/// The identity provider's HTTP client, built on first use: building one loads the system's CA
/// store (milliseconds of disk and CPU), which must not delay the TUI's first frame when no
/// sign-in or refresh is needed yet. Cheap to clone; clones share the client.
#[derive(Clone, Default)]
pub struct LazyClient(std::sync::Arc<std::sync::OnceLock<reqwest::Client>>);

impl LazyClient {
    /// One that is already built (tests, callers that have a client).
    pub fn ready(client: reqwest::Client) -> Self {
        let lazy = Self::default();
        let _ = lazy.0.set(client);
        lazy
    }

    /// The client, built now if this is its first use.
    pub fn get(&self) -> Result<reqwest::Client, AuthError> {
        if let Some(client) = self.0.get() {
            return Ok(client.clone());
        }
        let built = build_http_client()?;
        Ok(self.0.get_or_init(|| built).clone())
    }

    /// Whether it has been built yet.
    pub fn is_built(&self) -> bool {
        self.0.get().is_some()
    }
}

fn build_http_client() -> Result<reqwest::Client, AuthError> {
    let any_host = Url::parse(super::authority::DEFAULT_AUTHORITY_HOST)
        .map_err(|e| AuthError::Other(e.to_string()))?;
    http_client_for(&any_host)
}

/// The identity provider's HTTP client for `host`: no redirects ever, and no TLS roots needed
/// when `host` is plain-http loopback (a local fake); see [`crate::transport`].
pub fn http_client_for(host: &Url) -> Result<reqwest::Client, AuthError> {
    crate::transport::build(
        crate::transport::Peer::Identity,
        host,
        Duration::from_secs(10),
        Duration::from_secs(30),
    )
    .map_err(AuthError::Other)
}

/// POSTs a form and sorts the answer into tokens, an OAuth error, or a transport failure.
pub async fn post_form(
    http: &reqwest::Client,
    url: Url,
    form: &[(&str, &str)],
) -> Result<serde_json::Value, Result<OAuthError, AuthError>> {
    let shown = url.as_str().to_string();
    // Checked on every request, not only when the authority was configured.
    if url.scheme() != "https" && !(url.scheme() == "http" && crate::endpoint::is_loopback(&url)) {
        return Err(Err(AuthError::Settings(format!(
            "refusing to send a sign-in request to {shown}: only https:// (or http:// on loopback) is used"
        ))));
    }
    let grant = form
        .iter()
        .find(|(k, _)| *k == "grant_type")
        .map_or("devicecode", |(_, v)| *v);
    let started = std::time::Instant::now();
    let response = http
        .post(url.clone())
        .form(form)
        .send()
        .await
        .map_err(|e| {
            Err(AuthError::Network {
                url: shown.clone(),
                detail: if crate::transport::is_certificate_error(&e) {
                    crate::transport::certificate_advice(&url, &e)
                } else {
                    transport_detail(&e)
                },
            })
        })?;
    let status = response.status();
    tracing::debug!(url = %shown, grant, status = status.as_u16(), duration_ms = started.elapsed().as_millis() as u64, "identity request");
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_else(|| "nowhere".into());
        return Err(Err(AuthError::Other(format!(
            "the sign-in service at {shown} answered {status}, a redirect to {location}; sign-in \
             requests carry secrets and are never redirected"
        ))));
    }
    let bytes = crate::transport::read_body(response, crate::transport::IDENTITY_MAX_BODY)
        .await
        .map_err(|e| {
            Err(AuthError::Network {
                url: shown.clone(),
                detail: match e {
                    crate::transport::BodyError::TooLarge { limit } => format!(
                        "the answer is larger than {}",
                        crate::error::human_bytes(limit)
                    ),
                    crate::transport::BodyError::Transport(e) => transport_detail(&e),
                },
            })
        })?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|_| {
            Err(AuthError::Network {
                url: shown.clone(),
                detail: format!("the answer (status {status}) is not JSON"),
            })
        });
    }
    match serde_json::from_slice::<OAuthError>(&bytes) {
        Ok(e) if !e.error.is_empty() => Err(Ok(e)),
        _ => Err(Err(AuthError::Network {
            url: shown,
            detail: format!("status {status} without an OAuth error"),
        })),
    }
}

/// POSTs a token-endpoint form.
pub async fn token_request(
    http: &reqwest::Client,
    authority: &Authority,
    form: &[(&str, &str)],
) -> Result<Reply, AuthError> {
    match post_form(http, authority.token_url(), form).await {
        Ok(value) => serde_json::from_value::<TokenResponse>(value)
            .map(|t| Reply::Tokens(Box::new(t)))
            .map_err(|_| AuthError::Network {
                url: authority.token_url().to_string(),
                detail: "the token answer lacks access_token".into(),
            }),
        Err(Ok(e)) => Ok(Reply::Error(e)),
        Err(Err(e)) => Err(e),
    }
}

/// The refresh-token grant. The answer's refresh token replaces ours (AAD rotates them).
pub async fn refresh(
    http: &reqwest::Client,
    authority: &Authority,
    refresh_token: &SecretString,
) -> Result<TokenSet, AuthError> {
    let form = [
        ("client_id", authority.client_id()),
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose_secret()),
        ("scope", super::authority::DELEGATED_SCOPES),
    ];
    let received = Timestamp::now();
    match token_request(http, authority, &form).await? {
        Reply::Tokens(t) => Ok(t.into_set(received, Some(refresh_token.clone()))),
        Reply::Error(e) => Err(e.into_auth()),
    }
}

/// The client-credentials grant (app-only).
pub async fn client_credentials(
    http: &reqwest::Client,
    authority: &Authority,
    secret: &SecretString,
) -> Result<TokenSet, AuthError> {
    let form = [
        ("client_id", authority.client_id()),
        ("grant_type", "client_credentials"),
        ("client_secret", secret.expose_secret()),
        ("scope", super::authority::APP_SCOPE),
    ];
    let received = Timestamp::now();
    match token_request(http, authority, &form).await? {
        Reply::Tokens(t) => Ok(t.into_set(received, None)),
        Reply::Error(e) => Err(e.into_auth()),
    }
}

/// The innermost cause of a transport error, without the URL reqwest may add.
pub(crate) fn transport_detail(e: &reqwest::Error) -> String {
    let mut detail = e.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_debug_is_redacted_and_expiry_counts_from_receipt() {
        let t: TokenResponse = serde_json::from_value(serde_json::json!({
            "access_token": "AT-secret", "refresh_token": "RT-secret", "expires_in": "3599",
            "id_token": super::super::jwt::encode_for_tests(&serde_json::json!({"preferred_username":"u@x","tid":"t"}))
        }))
        .unwrap();
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let now = Timestamp::from_second(1_000).unwrap();
        let set = t.into_set(now, None);
        assert_eq!(set.expires_at, Timestamp::from_second(4_599).unwrap());
        assert_eq!(set.account.unwrap().username.as_deref(), Some("u@x"));
        assert!(!format!("{:?}", set.refresh).contains("RT-secret"));
    }
}
