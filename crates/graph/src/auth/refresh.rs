//! Renewal with the refresh token from a delegated (device-code) sign-in.
//!
//! Refresh tokens rotate: each use returns a new one and voids the old. With a token cache file
//! shared by several processes (the TUI open all day, CLI commands beside it), a renewal takes
//! the cache's lock, re-reads the file, uses a token another process renewed meanwhile when it is
//! still fresh, otherwise refreshes with the newest refresh token on file, saves the result
//! before letting go of the lock, and after an `invalid_grant` retries once with the file's token
//! if that changed under it (a writer that did not lock).

use futures::future::BoxFuture;
use jiff::Timestamp;
use secrecy::ExposeSecret;

use super::cache::TokenCache;
use super::cached::{Renewer, renew_time};
use super::token_set::TokenSet;
use super::{AuthError, Authority, oauth};

/// The name `whoami` and messages use for this source.
pub const NAME: &str = "device-code";

/// Trades the held refresh token for new tokens; the rotated refresh token replaces the old one.
pub struct RefreshTokenRenewer {
    http: oauth::LazyClient,
    authority: Authority,
    cache: Option<TokenCache>,
}

impl RefreshTokenRenewer {
    /// A renewer against `authority`'s token endpoint.
    pub fn new(http: reqwest::Client, authority: Authority) -> Self {
        Self::lazy(oauth::LazyClient::ready(http), authority)
    }

    /// A renewer whose HTTP client is built on its first renewal.
    pub fn lazy(http: oauth::LazyClient, authority: Authority) -> Self {
        Self {
            http,
            authority,
            cache: None,
        }
    }

    /// Shares `cache` with other processes: renewals lock it, re-read it and save into it.
    pub fn with_cache(mut self, cache: TokenCache) -> Self {
        self.cache = Some(cache);
        self
    }

    async fn renew_shared(
        &self,
        cache: &TokenCache,
        current: Option<TokenSet>,
    ) -> Result<TokenSet, AuthError> {
        let locking = cache.clone();
        let _lock = tokio::task::spawn_blocking(move || locking.lock())
            .await
            .map_err(|e| AuthError::Other(format!("cannot lock the token cache: {e}")))??;
        let on_disk = self.read(cache);
        let now = Timestamp::now();
        // Another process renewed since we last looked: its token is newer than ours.
        if let Some(disk) = &on_disk {
            let ours = current.as_ref().map(|c| c.access.expose());
            if ours != Some(disk.access.expose()) && now < renew_time(disk, now) {
                tracing::debug!("using the token another process renewed");
                return Ok(disk.clone());
            }
        }
        let refresh = on_disk
            .as_ref()
            .and_then(|d| d.refresh.clone())
            .or_else(|| current.as_ref().and_then(|c| c.refresh.clone()))
            .ok_or(AuthError::NotSignedIn)?;
        let account = on_disk
            .as_ref()
            .and_then(|d| d.account.clone())
            .or_else(|| current.as_ref().and_then(|c| c.account.clone()));
        let renewed = match oauth::refresh(&self.http.get()?, &self.authority, &refresh).await {
            Err(AuthError::SignInAgain { reason }) => {
                // Rotated under us by a writer that did not lock? Then once more with its token.
                let again = self.read(cache).and_then(|d| d.refresh);
                match again {
                    Some(newer) if newer.expose_secret() != refresh.expose_secret() => {
                        tracing::info!("refresh token was rotated meanwhile; retrying once");
                        oauth::refresh(&self.http.get()?, &self.authority, &newer).await?
                    }
                    _ => return Err(AuthError::SignInAgain { reason }),
                }
            }
            other => other?,
        };
        let mut renewed = renewed;
        if renewed.account.is_none() {
            renewed.account = account;
        }
        if let Err(error) = cache.save(&self.authority, &renewed) {
            tracing::warn!(%error, "could not save the token cache");
        }
        Ok(renewed)
    }

    fn read(&self, cache: &TokenCache) -> Option<TokenSet> {
        match cache.load(&self.authority) {
            Ok(set) => set,
            Err(error) => {
                tracing::warn!(%error, "token cache not readable while renewing");
                None
            }
        }
    }
}

impl Renewer for RefreshTokenRenewer {
    fn renew(&self, current: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>> {
        Box::pin(async move {
            if let Some(cache) = &self.cache {
                return self.renew_shared(cache, current).await;
            }
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

    fn saves_itself(&self) -> bool {
        self.cache.is_some()
    }
}
