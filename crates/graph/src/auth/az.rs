//! Borrowing a token from the Azure CLI (`az account get-access-token`). Only used when chosen:
//! the Azure CLI's app usually lacks the Security Copilot scopes, so callers warn on a missing
//! `scp`.

use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use serde::Deserialize;

use super::cached::Renewer;
use super::token_set::{Account, TokenSet};
use super::{AccessToken, AuthError};

/// The program name looked up on `PATH`.
const AZ: &str = "az";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzToken {
    access_token: String,
    /// Epoch seconds (newer CLIs); older ones only have `expiresOn` in local time.
    #[serde(default, rename = "expires_on")]
    expires_on: Option<serde_json::Value>,
    #[serde(default)]
    tenant: Option<String>,
}

/// Parses `az account get-access-token -o json` output. Expiry comes from `expires_on`; without it
/// the token is assumed to live five minutes, so it is simply asked for again sooner.
pub fn parse(json: &[u8], now: Timestamp) -> Result<TokenSet, AuthError> {
    let raw: AzToken = serde_json::from_slice(json).map_err(|_| {
        AuthError::AzureCli(
            "the Azure CLI printed something that is not a token (expected JSON with accessToken)"
                .into(),
        )
    })?;
    let epoch = raw.expires_on.as_ref().and_then(|v| match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    let expires_at = epoch
        .and_then(|e| Timestamp::from_second(e).ok())
        .unwrap_or_else(|| {
            now.checked_add(jiff::SignedDuration::from_secs(300))
                .unwrap_or(now)
        });
    let access = AccessToken::new(raw.access_token);
    let mut account = super::jwt::Claims::decode(access.expose())
        .map(|c| Account::from_claims(&c))
        .unwrap_or_default();
    if account.tenant_id.is_none() {
        account.tenant_id = raw.tenant;
    }
    Ok(TokenSet {
        access,
        expires_at,
        received_at: now,
        refresh: None,
        account: Some(account),
    })
}

/// Runs `az` for a Graph token each time the cache needs one.
pub struct AzureCli {
    tenant: Option<String>,
}

impl AzureCli {
    /// `tenant` is passed as `--tenant` unless it is a multi-tenant alias.
    pub fn new(tenant: &str) -> Self {
        let t = tenant.trim();
        let tenant = (!t.is_empty() && !matches!(t, "organizations" | "common")).then(|| t.into());
        Self { tenant }
    }

    /// Runs the CLI once.
    pub async fn fetch(&self) -> Result<TokenSet, AuthError> {
        let mut cmd = tokio::process::Command::new(AZ);
        cmd.args([
            "account",
            "get-access-token",
            "--scope",
            super::authority::APP_SCOPE,
            "-o",
            "json",
        ]);
        if let Some(t) = &self.tenant {
            cmd.args(["--tenant", t]);
        }
        cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
        let output = tokio::time::timeout(Duration::from_secs(60), cmd.output())
            .await
            .map_err(|_| AuthError::AzureCli("the Azure CLI did not answer within 60 s".into()))?
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    AuthError::AzureCliMissing
                } else {
                    AuthError::AzureCli(format!("cannot run the Azure CLI: {e}"))
                }
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .chars()
                .take(200)
                .collect::<String>();
            if stderr.contains("az login") {
                return Err(AuthError::AzureCliSignedOut);
            }
            return Err(AuthError::AzureCli(format!(
                "the Azure CLI failed ({}): {first}",
                output.status
            )));
        }
        parse(&output.stdout, Timestamp::now())
    }
}

impl Renewer for AzureCli {
    fn renew(&self, _current: Option<TokenSet>) -> BoxFuture<'_, Result<TokenSet, AuthError>> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        "azure-cli"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_az_output() {
        let json = br#"{"accessToken":"tok","expiresOn":"2025-01-01 10:00:00.000000","expires_on":1735725600,"subscription":"s","tenant":"t1","tokenType":"Bearer"}"#;
        let set = parse(json, Timestamp::now()).unwrap();
        assert_eq!(set.access.expose(), "tok");
        assert_eq!(set.expires_at.as_second(), 1_735_725_600);
        assert_eq!(set.account.unwrap().tenant_id.as_deref(), Some("t1"));
        assert!(parse(b"not json", Timestamp::now()).is_err());
        let e = parse(
            br#"{"accessToken":"secret-tok","expires_on":"x"}"#,
            Timestamp::now(),
        )
        .unwrap();
        assert!(e.expires_at > Timestamp::now());
    }
}
