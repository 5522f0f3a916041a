//! Where bearer tokens come from. The Graph client asks a [`TokenSource`] for a token per request;
//! sources cache and refresh as they can.

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

/// Why no token could be had; never contains a token.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuthError {
    /// No token is configured at all.
    #[error(
        "no access token: set SCTUI_ACCESS_TOKEN to a Graph token carrying SecurityCopilotWorkspaces.Read.All, or run with --demo"
    )]
    Missing,
    /// The token was rejected and this source cannot get a new one.
    #[error("the access token was rejected or expired and {source_name} cannot refresh it: {hint}")]
    CannotRefresh {
        source_name: &'static str,
        hint: &'static str,
    },
    /// Any other sign-in failure, already phrased for the user.
    #[error("{0}")]
    Other(String),
}

/// A provider of bearer tokens for Graph.
pub trait TokenSource: Send + Sync {
    /// A token to use now; `force_refresh` after a 401 asks for a new one where possible.
    fn token(&self, force_refresh: bool) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// Whether `token(true)` can return something new (so a 401 is worth one retry).
    fn can_refresh(&self) -> bool;

    /// A short name for messages and `whoami`.
    fn name(&self) -> &'static str;
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
                    hint: "get a new token and set SCTUI_ACCESS_TOKEN again",
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
