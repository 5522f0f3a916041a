//! The device-code flow (RFC 8628) as two separate async steps, so any front end can show the
//! prompt its own way: the CLI prints it, the TUI can show a popup and poll from its worker.
//!
//! ```text
//! let prompt = device_code::start(&http, &authority).await?;   // show prompt.user_code etc.
//! let tokens = device_code::poll(&http, &authority, &prompt, &device_code::tokio_sleeper()).await?;
//! ```
//! Cancelling is dropping (or aborting the task running) the `poll` future.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::oauth::{self, Reply};
use super::token_set::TokenSet;
use super::{AuthError, Authority};

/// How much `slow_down` adds to the polling interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What to show the user while they sign in elsewhere. The device code itself stays private.
#[derive(Clone)]
pub struct DeviceCodePrompt {
    /// The page to open, e.g. `https://microsoft.com/devicelogin`.
    pub verification_uri: String,
    /// The code to type there (safe to show and copy).
    pub user_code: String,
    /// The service's own sentence with both of the above, localised by the service.
    pub message: String,
    /// How long the code is valid.
    pub expires_in: Duration,
    /// How long to wait between polls at first.
    pub interval: Duration,
    device_code: SecretString,
}

impl fmt::Debug for DeviceCodePrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCodePrompt")
            .field("verification_uri", &self.verification_uri)
            .field("user_code", &self.user_code)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct RawPrompt {
    device_code: String,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    interval: Option<u64>,
}

/// Waits between polls; injectable so tests need not wait real seconds.
pub type Sleeper = Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>;

/// The real clock.
pub fn tokio_sleeper() -> Sleeper {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

/// Step 1: asks for a user code. Show the returned prompt, then call [`poll`].
pub async fn start(
    http: &reqwest::Client,
    authority: &Authority,
) -> Result<DeviceCodePrompt, AuthError> {
    let form = [
        ("client_id", authority.client_id()),
        ("scope", super::authority::DELEGATED_SCOPES),
    ];
    let url = authority.device_code_url();
    let value = match oauth::post_form(http, url.clone(), &form).await {
        Ok(v) => v,
        Err(Ok(e)) => return Err(e.into_auth()),
        Err(Err(e)) => return Err(e),
    };
    let raw: RawPrompt = serde_json::from_value(value).map_err(|_| AuthError::Network {
        url: url.to_string(),
        detail: "the device-code answer lacks device_code, user_code or verification_uri".into(),
    })?;
    let message = raw.message.unwrap_or_else(|| {
        format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            raw.verification_uri, raw.user_code
        )
    });
    Ok(DeviceCodePrompt {
        verification_uri: raw.verification_uri,
        user_code: raw.user_code,
        message,
        expires_in: Duration::from_secs(raw.expires_in.unwrap_or(900).clamp(1, 3600)),
        interval: Duration::from_secs(raw.interval.unwrap_or(5).clamp(1, 60)),
        device_code: SecretString::from(raw.device_code),
    })
}

/// Step 2: polls the token endpoint until the user finishes, declines, or the code expires.
/// Honours `interval` and `slow_down`; time is counted by what `sleep` was asked to wait, so an
/// instant test sleeper still sees the code expire.
pub async fn poll(
    http: &reqwest::Client,
    authority: &Authority,
    prompt: &DeviceCodePrompt,
    sleep: &Sleeper,
) -> Result<TokenSet, AuthError> {
    let mut interval = prompt.interval;
    let mut waited = Duration::ZERO;
    loop {
        if waited >= prompt.expires_in {
            return Err(AuthError::CodeExpired);
        }
        sleep(interval).await;
        waited += interval;
        let form = [
            ("client_id", authority.client_id()),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", prompt.device_code.expose_secret()),
        ];
        let received = Timestamp::now();
        match oauth::token_request(http, authority, &form).await? {
            Reply::Tokens(t) => {
                let set = t.into_set(received, None);
                if set.account.as_ref().is_some_and(|a| a.is_personal()) {
                    return Err(AuthError::PersonalAccount);
                }
                return Ok(set);
            }
            Reply::Error(e) => match e.error.as_str() {
                "authorization_pending" => {
                    tracing::debug!("device code: authorization pending");
                }
                "slow_down" => {
                    interval += SLOW_DOWN_STEP;
                    tracing::debug!(interval_s = interval.as_secs(), "device code: slow down");
                }
                _ => return Err(e.into_auth()),
            },
        }
    }
}
