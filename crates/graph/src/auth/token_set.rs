//! A token as we hold it in memory: the access token, when we must stop using it, the refresh token
//! that gets the next one, and who it belongs to.

use std::fmt;

use jiff::Timestamp;
use secrecy::SecretString;

use super::AccessToken;
use super::jwt::Claims;

/// The signed-in principal, read from the id_token (or the access token's) claims. Not secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// `preferred_username` / `upn`; absent for app-only tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `tid`: the directory the token was issued in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// `oid`: the user's (or service principal's) object id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
}

impl Account {
    /// The account named by a token's claims.
    pub fn from_claims(c: &Claims) -> Self {
        Self {
            username: c.username().map(str::to_string),
            name: c.name.clone(),
            tenant_id: c.tid.clone(),
            object_id: c.oid.clone(),
        }
    }

    /// "Name <user@contoso.com>", or whatever part is known.
    pub fn display(&self) -> String {
        match (&self.name, &self.username) {
            (Some(n), Some(u)) if n != u => format!("{n} <{u}>"),
            (_, Some(u)) => u.clone(),
            (Some(n), None) => n.clone(),
            (None, None) => self
                .object_id
                .as_deref()
                .map(|o| format!("object {o}"))
                .unwrap_or_else(|| "(unknown account)".into()),
        }
    }

    /// Whether this is a personal Microsoft account (the MSA tenant).
    pub fn is_personal(&self) -> bool {
        self.tenant_id
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(super::error::MSA_TENANT_ID))
    }
}

/// An access token with its expiry and, for delegated sign-in, the refresh token.
#[derive(Clone)]
pub struct TokenSet {
    /// What goes in `Authorization: Bearer`.
    pub access: AccessToken,
    /// When the access token stops working, from `expires_in` at receipt (never from the JWT
    /// against our possibly skewed clock).
    pub expires_at: Timestamp,
    /// When the token arrived; with `expires_at` it gives the lifetime, which sets how early the
    /// token is renewed.
    pub received_at: Timestamp,
    /// Gets the next access token; rotated on every use.
    pub refresh: Option<SecretString>,
    /// Who signed in.
    pub account: Option<Account>,
}

impl TokenSet {
    /// The access token's claims (scopes, tenant), if it is a JWT.
    pub fn claims(&self) -> Option<Claims> {
        Claims::decode(self.access.expose())
    }

    /// Granted scopes (or app roles), for `whoami` and the missing-scope warning.
    pub fn scopes(&self) -> Vec<String> {
        self.claims().map(|c| c.granted()).unwrap_or_default()
    }

    /// Whether the token lacks Security Copilot's scope; opaque tokens get the benefit of the doubt.
    pub fn lacks_security_copilot_scope(&self) -> bool {
        self.claims()
            .is_some_and(|c| !c.has_security_copilot_scope())
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("received_at", &self.received_at)
            .field("refresh", &self.refresh.as_ref().map(|_| "<redacted>"))
            .field("account", &self.account)
            .finish()
    }
}
