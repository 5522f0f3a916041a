//! Where bearer tokens come from. The Graph client asks a [`TokenSource`] for a token per request;
//! sources cache and refresh as they can.
//!
//! Layout, one job per module: [`authority`] (where we sign in), [`oauth`] (token endpoint calls),
//! [`device_code`] (the interactive flow, in two steps for any front end), [`refresh`],
//! [`client_secret`] and [`az`] (ways to renew), [`cached`] (the in-memory cache every renewing
//! source sits behind), [`cache`] (the token cache file), [`jwt`] (reading claims), [`settings`]
//! (the `[auth]` config table), [`setup`] (choosing the source for a run), [`error`] (advice).

#[cfg(feature = "client")]
pub mod authority;
#[cfg(feature = "client")]
pub mod az;
#[cfg(feature = "client")]
pub mod cache;
#[cfg(feature = "client")]
pub mod cached;
#[cfg(feature = "client")]
pub mod client_secret;
#[cfg(feature = "client")]
pub mod device_code;
pub mod error;
#[cfg(feature = "client")]
pub mod jwt;
#[cfg(feature = "client")]
pub mod oauth;
#[cfg(feature = "client")]
pub mod refresh;
#[cfg(feature = "client")]
pub mod settings;
#[cfg(feature = "client")]
pub mod setup;
#[cfg(feature = "client")]
pub mod token_set;

#[cfg(feature = "client")]
use std::fmt;
#[cfg(feature = "client")]
use std::sync::Arc;

#[cfg(feature = "client")]
use futures::future::BoxFuture;
#[cfg(feature = "client")]
use secrecy::{ExposeSecret, SecretString};

#[cfg(feature = "client")]
/// An access token; its `Debug` never shows the secret.
#[derive(Clone)]
pub struct AccessToken(SecretString);

#[cfg(feature = "client")]
impl AccessToken {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// The raw token, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

#[cfg(feature = "client")]
impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

#[cfg(feature = "client")]
pub use authority::Authority;
#[cfg(feature = "client")]
pub use cached::CachedTokenSource;
pub use error::AuthError;
#[cfg(feature = "client")]
pub use settings::{AuthConfig, AuthMethod};
#[cfg(feature = "client")]
pub use token_set::{Account, TokenSet};

#[cfg(feature = "client")]
/// A provider of bearer tokens for Graph.
pub trait TokenSource: Send + Sync {
    /// A token to use now; `force_refresh` after a 401 asks for a new one where possible.
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// Whether `token(true)` can return something new (so a 401 is worth one retry).
    fn can_refresh(&self) -> bool;

    /// A short name for messages and `whoami`.
    fn name(&self) -> &'static str;

    /// How the user gets a new token when this source cannot (a fixed token that Graph refused),
    /// so a 401 says that instead of "sign in again"; `None` for sources that renew themselves.
    fn replace_hint(&self) -> Option<&'static str> {
        None
    }
}

#[cfg(feature = "client")]
/// A fixed token, e.g. from `SCTUI_ACCESS_TOKEN` or the demo fake.
pub struct StaticToken {
    token: AccessToken,
    name: &'static str,
}

#[cfg(feature = "client")]
impl StaticToken {
    /// A source that always hands out `token`; `name` says where it came from.
    pub fn new(token: impl Into<String>, name: &'static str) -> Self {
        Self {
            token: AccessToken::new(token),
            name,
        }
    }

    /// Shared, ready for the client.
    pub fn shared(token: impl Into<String>, name: &'static str) -> Arc<dyn TokenSource> {
        Arc::new(Self::new(token, name))
    }
}

#[cfg(feature = "client")]
impl TokenSource for StaticToken {
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            if force_refresh {
                return Err(AuthError::CannotRefresh {
                    source_name: self.name,
                    hint: self
                        .replace_hint()
                        .unwrap_or("a fixed token cannot be renewed; use `sctui login`"),
                });
            }
            Ok(self.token.clone())
        })
    }

    fn can_refresh(&self) -> bool {
        false
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn replace_hint(&self) -> Option<&'static str> {
        match self.name {
            "--token-file" => Some("put a new token in the file, or use `sctui login`"),
            setup::TOKEN_ENV => Some(
                "replace SCTUI_ACCESS_TOKEN with a new token, or unset it and use `sctui login`",
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let t = AccessToken::new("eyJsecret");
        assert!(!format!("{t:?}").contains("eyJsecret"));
    }

    #[tokio::test]
    async fn static_token_cannot_refresh() {
        let s = StaticToken::new("abc", "SCTUI_ACCESS_TOKEN");
        assert_eq!(s.token(false).await.unwrap().expose(), "abc");
        let err = s.token(true).await.unwrap_err();
        assert!(err.to_string().contains("cannot refresh"));
        assert!(!err.to_string().contains("abc"));
    }
}
