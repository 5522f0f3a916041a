//! Renewal with the refresh token from a delegated (device-code) sign-in.

use futures::future::BoxFuture;

use super::cached::Renewer;
use super::token_set::TokenSet;
use super::{AuthError, Authority, oauth};

/// The name `whoami` and messages use for this source.
pub const NAME: &str = "device-code";

/// Trades the held refresh token for new tokens; the rotated refresh token replaces the old one.
pub struct RefreshTokenRenewer {
    http: oauth::LazyClient,
    authority: Authority,
}

impl RefreshTokenRenewer {
    /// A renewer against `authority`'s token endpoint.
    pub fn new(http: reqwest::Client, authority: Authority) -> Self {
        Self::lazy(oauth::LazyClient::ready(http), authority)
    }

    /// A renewer whose HTTP client is built on its first renewal.
    pub fn lazy(http: oauth::LazyClient, authority: Authority) -> Self {
        Self { http, authority }
    }
}

impl Renewer for RefreshTokenRenewer {
    fn renew(&self, current: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>> {
        Box::pin(async move {
            let Some(refresh) = current.and_then(|c| c.refresh) else {
                return Err(AuthError::NotSignedIn);
            };
            oauth::refresh(&self.http.get()?, &self.authority, &refresh).await
        })
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn needs_refresh_token(&self) -> bool {
        true
    }
}
