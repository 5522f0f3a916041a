//! Where bearer tokens come from. The Graph client asks a [`TokenSource`] for a token per request;
//! sources cache and refresh as they can.
//!
//! Layout, one job per module: [`authority`] (where we sign in), [`oauth`] (token endpoint calls),
//! [`device_code`] (the interactive flow, in two steps for any front end), [`refresh`],
//! [`client_secret`] and [`az`] (ways to renew), [`cached`] (the in-memory cache every renewing
//! source sits behind), [`cache`] (the token cache file), [`jwt`] (reading claims), [`settings`]
//! (the `[auth]` config table), [`setup`] (choosing the source for a run), [`error`] (why no token could be had).

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

/// The environment variable with a ready-made access token, and the name of the token source
/// it makes.
pub const TOKEN_ENV: &str = "SCTUI_ACCESS_TOKEN";

/// The name of the token source made from a file given with `--token-file`.
pub const TOKEN_FILE: &str = "--token-file";
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

    /// This source's name when it hands out one fixed token it cannot renew, so a 401 can say
    /// the token itself was refused; `None` for sources that renew themselves.
    fn fixed_name(&self) -> Option<&'static str> {
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

    fn fixed_name(&self) -> Option<&'static str> {
        Some(self.name)
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
