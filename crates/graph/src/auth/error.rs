//! Why signing in failed, phrased as one sentence that says what to do.
//!
//! Identity-provider answers carry an `AADSTS…` code in `error_description`; the few codes users
//! actually meet are mapped to advice here so every caller (CLI, TUI, `whoami`) says the same thing.
//! No variant ever holds a token, a refresh token, a device code or a secret.

/// Why no token could be had; never contains a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token is configured at all (the `env` method without `SCTUI_ACCESS_TOKEN`).
    #[error(
        "no access token: set SCTUI_ACCESS_TOKEN to a Graph token carrying SecurityCopilotWorkspaces.Read.All, or run with --demo"
    )]
    Missing,
    /// Nothing usable in the token cache.
    #[error(
        "not signed in: run `sctui login` (or set SCTUI_ACCESS_TOKEN to a Graph access token, or use --demo)"
    )]
    NotSignedIn,
    /// The refresh token was refused (expired, revoked, or more sign-in needed).
    #[error("your sign-in has expired or was revoked ({reason}): run `sctui login` again")]
    SignInAgain { reason: String },
    /// The token was rejected and this source cannot get a new one.
    #[error("the access token was rejected or expired and {source_name} cannot refresh it: {hint}")]
    CannotRefresh {
        source_name: &'static str,
        hint: &'static str,
    },
    /// A personal (MSA) account, or the `consumers` tenant.
    #[error(
        "personal Microsoft accounts (outlook.com, hotmail.com, live.com) cannot use Security Copilot: sign in with a work or school account"
    )]
    PersonalAccount,
    /// The app registration has "Allow public client flows" off (AADSTS7000218).
    #[error(
        "the app registration does not allow public client flows (AADSTS7000218): in Entra ID → App registrations → your app → Authentication, set \"Allow public client flows\" to Yes, or use the default client id"
    )]
    PublicClientFlowsOff,
    /// Nobody has consented to the scope for this app (AADSTS65001).
    #[error(
        "consent is required (AADSTS65001): ask an administrator to grant admin consent for SecurityCopilotWorkspaces.ReadWrite.All to the app, then run `sctui login` again"
    )]
    ConsentRequired,
    /// A wrong or expired client secret (AADSTS7000215 / invalid_client).
    #[error(
        "the client secret was refused (AADSTS7000215): check SCTUI_CLIENT_SECRET and that the secret has not expired"
    )]
    BadClientSecret,
    /// The token works but lacks the Security Copilot scope.
    #[error(
        "the token lacks the SecurityCopilotWorkspaces.ReadWrite.All (or .Read.All) scope (granted: {granted}): use `sctui login --device-code`, or ask an administrator to grant consent"
    )]
    MissingScope { granted: String },
    /// The user said no on the sign-in page.
    #[error("sign-in was declined in the browser: run `sctui login` to try again")]
    Declined,
    /// The user code ran out before it was entered.
    #[error("the sign-in code expired before it was used: run `sctui login` to get a new one")]
    CodeExpired,
    /// Any other answer from the identity provider, with its description.
    #[error("sign-in failed: {error}: {description}")]
    Provider { error: String, description: String },
    /// The identity provider could not be reached or answered nonsense.
    #[error("cannot reach the sign-in service at {url}: {detail}")]
    Network { url: String, detail: String },
    /// The token cache could not be read or written.
    #[error("token cache {path}: {detail}")]
    Cache { path: String, detail: String },
    /// The Azure CLI is missing, not signed in, or failed.
    #[error("{0}")]
    AzureCli(String),
    /// A setting (tenant, authority host, client id) is unusable.
    #[error("{0}")]
    Settings(String),
    /// Any other sign-in failure, already phrased for the user.
    #[error("{0}")]
    Other(String),
}

/// The tenant id Microsoft uses for personal accounts.
pub const MSA_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

impl AuthError {
    /// Maps an OAuth error answer (`error`, `error_description`, `error_codes`) to advice. Codes that
    /// need a person to act get their own variant; the rest keep the service's description.
    pub fn from_oauth(error: &str, description: &str, codes: &[u64]) -> Self {
        let has =
            |code: u64| codes.contains(&code) || description.contains(&format!("AADSTS{code}:"));
        if has(50020) || has(500200) || has(9002331) || has(9002346) {
            return Self::PersonalAccount;
        }
        if has(7000218) {
            return Self::PublicClientFlowsOff;
        }
        if has(65001) {
            return Self::ConsentRequired;
        }
        if has(7000215) || has(7000222) {
            return Self::BadClientSecret;
        }
        match error {
            "authorization_declined" | "access_denied" => Self::Declined,
            "expired_token" | "code_expired" => Self::CodeExpired,
            "invalid_grant" | "interaction_required" => Self::SignInAgain {
                reason: first_line(description),
            },
            "invalid_client" => Self::BadClientSecret,
            _ => Self::Provider {
                error: error.to_string(),
                description: first_line(description),
            },
        }
    }

    /// Whether the cure is a fresh interactive sign-in.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, Self::NotSignedIn | Self::SignInAgain { .. })
    }
}

/// AAD descriptions run to several lines of trace and correlation ids; the first is the message.
fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        "no description".to_string()
    } else {
        line.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_codes_get_advice() {
        let e = AuthError::from_oauth(
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\r\nTrace ID: x",
            &[7000218],
        );
        assert_eq!(e, AuthError::PublicClientFlowsOff);
        assert!(e.to_string().contains("Allow public client flows"));
        let e = AuthError::from_oauth(
            "invalid_grant",
            "AADSTS65001: The user or administrator has not consented",
            &[],
        );
        assert_eq!(e, AuthError::ConsentRequired);
        let e = AuthError::from_oauth(
            "invalid_request",
            "AADSTS50020: User account from identity provider 'live.com' does not exist in tenant",
            &[50020],
        );
        assert_eq!(e, AuthError::PersonalAccount);
        assert!(e.to_string().contains("work or school"));
    }

    #[test]
    fn device_flow_errors() {
        assert_eq!(
            AuthError::from_oauth("authorization_declined", "", &[]),
            AuthError::Declined
        );
        assert_eq!(
            AuthError::from_oauth("access_denied", "", &[]),
            AuthError::Declined
        );
        assert_eq!(
            AuthError::from_oauth("expired_token", "", &[]),
            AuthError::CodeExpired
        );
        let e = AuthError::from_oauth("invalid_grant", "AADSTS70008: expired\nTrace ID: 1", &[]);
        assert!(e.needs_sign_in());
        assert!(e.to_string().contains("AADSTS70008: expired"));
        assert!(!e.to_string().contains("Trace"));
        let e = AuthError::from_oauth("temporarily_unavailable", "AADSTS90033: try later", &[]);
        assert!(
            e.to_string()
                .contains("temporarily_unavailable: AADSTS90033: try later")
        );
    }
}
