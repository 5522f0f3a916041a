//! The `[auth]` config table and its merge with the environment and flags. Kept here, next to
//! what uses it, so `config.rs` only has to call [`AuthConfig::resolve`].

use serde::Deserialize;

use super::authority::{DEFAULT_AUTHORITY_HOST, DEFAULT_CLIENT_ID, DEFAULT_TENANT};

/// How sctui gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// Sign in in a browser with a code (the default); tokens are cached and refreshed.
    #[default]
    DeviceCode,
    /// Borrow a token from the Azure CLI (`az login` first).
    Az,
    /// `SCTUI_ACCESS_TOKEN` or `--token-file` only; no refresh.
    Env,
    /// App-only with `SCTUI_CLIENT_SECRET` (experimental).
    ClientSecret,
}

impl AuthMethod {
    /// The spelling used in the config file and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeviceCode => "device-code",
            Self::Az => "az",
            Self::Env => "env",
            Self::ClientSecret => "client-secret",
        }
    }
}

/// `[auth]` as written in the config file; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthTable {
    method: Option<AuthMethod>,
    tenant: Option<String>,
    client_id: Option<String>,
    authority_host: Option<String>,
}

/// The merged sign-in settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    pub method: AuthMethod,
    pub tenant: String,
    pub client_id: String,
    pub authority_host: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            method: AuthMethod::default(),
            tenant: DEFAULT_TENANT.into(),
            client_id: DEFAULT_CLIENT_ID.into(),
            authority_host: DEFAULT_AUTHORITY_HOST.into(),
        }
    }
}

impl AuthConfig {
    /// Merges flag > `SCTUI_AUTHORITY_HOST` > file > default for the authority host, file >
    /// default for the rest (login's `--tenant`/`--client-id` override later).
    pub fn resolve(
        table: Option<AuthTable>,
        authority_host_flag: Option<String>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let table = table.unwrap_or_default();
        let d = Self::default();
        let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        Self {
            method: table.method.unwrap_or(d.method),
            tenant: nonempty(table.tenant).unwrap_or(d.tenant),
            client_id: nonempty(table.client_id).unwrap_or(d.client_id),
            authority_host: nonempty(authority_host_flag)
                .or_else(|| nonempty(env("SCTUI_AUTHORITY_HOST")))
                .or(nonempty(table.authority_host))
                .unwrap_or(d.authority_host),
        }
    }
}
