//! Where bearer tokens come from. The Graph client asks a [`TokenSource`] for a token per request;
//! sources cache and refresh as they can.
//!
//! Layout, one job per module: [`authority`] (where we sign in), [`oauth`] (token endpoint calls),
//! [`device_code`] (the interactive flow, in two steps for any front end), [`refresh`],
//! [`client_secret`] and [`az`] (ways to renew), [`cached`] (the in-memory cache every renewing
//! source sits behind), [`cache`] (the token cache file), [`jwt`] (reading claims), [`settings`]
//! (the `[auth]` config table), [`setup`] (choosing the source for a run), [`error`] (advice).

pub mod authority;
pub mod az;
pub mod cache;
pub mod cached;
pub mod client_secret;
pub mod device_code;
pub mod error;
pub mod jwt;
pub mod oauth;
pub mod refresh;
pub mod settings;
pub mod setup;
pub mod token_set;

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

/// An access token; its `Debug` never shows the secret.
#[derive(Clone)]
pub struct AccessToken(SecretString);

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

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

pub use authority::Authority;
pub use cached::CachedTokenSource;
pub use error::AuthError;
pub use settings::{AuthConfig, AuthMethod};
pub use token_set::{Account, TokenSet};

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

/// A fixed token, e.g. from `SCTUI_ACCESS_TOKEN` or the demo fake.
pub struct StaticToken {
    token: AccessToken,
    name: &'static str,
}

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
