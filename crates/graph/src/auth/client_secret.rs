//! App-only sign-in with a client secret (experimental). The secret comes from
//! `SCTUI_CLIENT_SECRET` only, never from the config file, so it cannot end up in a dotfile repo.

use std::fmt;

use futures::future::BoxFuture;
use secrecy::SecretString;

use super::cached::Renewer;
use super::token_set::TokenSet;
use super::{AuthError, Authority, oauth};

/// The environment variable holding the secret.
pub const SECRET_ENV: &str = "SCTUI_CLIENT_SECRET";

/// Gets app-only tokens with `grant_type=client_credentials`.
pub struct ClientSecretRenewer {
    http: reqwest::Client,
    authority: Authority,
    secret: SecretString,
}

impl fmt::Debug for ClientSecretRenewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecretRenewer")
            .field("authority", &self.authority)
            .finish_non_exhaustive()
    }
}

impl ClientSecretRenewer {
    /// Reads the secret with `env`; a client secret needs a real tenant, not `organizations`.
    pub fn from_env(
        http: reqwest::Client,
        authority: Authority,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, AuthError> {
        let secret = env(SECRET_ENV)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .ok_or(AuthError::NoClientSecret)?;
        if matches!(authority.tenant(), "organizations" | "common") {
            return Err(AuthError::NoTenant);
        }
        Ok(Self {
            http,
            authority,
            secret: SecretString::from(secret),
        })
    }
}

impl Renewer for ClientSecretRenewer {
    fn renew(&self, _current: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>> {
        Box::pin(oauth::client_credentials(
            &self.http,
            &self.authority,
            &self.secret,
        ))
    }

    fn name(&self) -> &'static str {
        "client-secret"
    }
}
