//! Why signing in failed, as facts.
//!
//! Identity-provider answers carry an `AADSTS…` code in `error_description`; the few codes users
//! actually meet get their own variant here, so the application can say what to do about each.
//! No variant ever holds a token, a refresh token, a device code or a secret.

/// Why no token could be had; never contains a token. Each variant holds the facts of the
/// failure; the application that shows it adds the way out (its commands, flags and settings).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No token is configured at all (the `env` method without a token in the environment).
    #[error("no access token")]
    Missing,
    /// Nothing usable in the token cache.
    #[error("not signed in")]
    NotSignedIn,
    /// The refresh token was refused (expired, revoked, or more sign-in needed).
    #[error("your sign-in has expired or was revoked ({reason})")]
    SignInAgain { reason: String },
    /// The token was rejected and the source named `source_name` hands out one fixed token.
    #[error("the access token was rejected or expired and {source_name} cannot refresh it")]
    CannotRefresh { source_name: &'static str },
    /// A personal (MSA) account, or the `consumers` tenant.
    #[error(
        "personal Microsoft accounts (outlook.com, hotmail.com, live.com) cannot use Security Copilot"
    )]
    PersonalAccount,
    /// The app registration has "Allow public client flows" off (AADSTS7000218).
    #[error("the app registration does not allow public client flows (AADSTS7000218)")]
    PublicClientFlowsOff,
    /// Nobody has consented to the scope for this app (AADSTS65001).
    #[error("consent is required (AADSTS65001)")]
    ConsentRequired,
    /// A wrong or expired client secret (AADSTS7000215 / invalid_client).
    #[error("the client secret was refused (AADSTS7000215)")]
    BadClientSecret,
    /// The client-secret method found no secret in its environment variable.
    #[error("the client-secret method has no client secret")]
    NoClientSecret,
    /// The client-secret method was given a multi-tenant alias instead of a tenant id.
    #[error("the client-secret method needs your tenant id")]
    NoTenant,
    /// The token works but lacks the Security Copilot scope.
    #[error(
        "the token lacks the SecurityCopilotWorkspaces.ReadWrite.All (or .Read.All) scope (granted: {granted})"
    )]
    MissingScope { granted: String },
    /// The user said no on the sign-in page.
    #[error("sign-in was declined in the browser")]
    Declined,
    /// The user code ran out before it was entered.
    #[error("the sign-in code expired before it was used")]
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
    /// The token cache file is not a token cache.
    #[error("token cache unreadable: {path} is not a token cache ({detail})")]
    CacheUnreadable { path: String, detail: String },
    /// The token cache file, or its folder (`folder`), can be read or written by others: it is
    /// ignored.
    #[error("{}", exposed_cache(path, folder.as_deref(), *mode))]
    CacheExposed {
        path: String,
        folder: Option<String>,
        mode: u32,
    },
    /// A file of tokens given outright could not be used.
    #[error("the token file {path} {problem}")]
    TokenFile {
        path: String,
        problem: TokenFileProblem,
    },
    /// The Azure CLI (`az`) is not on PATH.
    #[error("the Azure CLI (`az`) is not installed or not on PATH")]
    AzureCliMissing,
    /// The Azure CLI has no signed-in account.
    #[error("the Azure CLI is not signed in")]
    AzureCliSignedOut,
    /// The Azure CLI failed otherwise, or printed no token.
    #[error("{0}")]
    AzureCli(String),
    /// A setting (tenant, authority host, client id) is unusable.
    #[error("{0}")]
    Settings(String),
    /// Any other sign-in failure.
    #[error("{0}")]
    Other(String),
}

/// What is wrong with a file of tokens given outright.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenFileProblem {
    /// It could not be read.
    #[error("cannot be read: {0}")]
    Unreadable(String),
    /// It is empty or holds more than one word.
    #[error("must hold one access token")]
    NotOneToken,
}

fn exposed_cache(path: &str, folder: Option<&str>, mode: u32) -> String {
    match folder {
        Some(folder) => format!(
            "token cache {path}: its folder {folder} has permissions {mode:04o}: others could \
             replace the tokens. It is ignored"
        ),
        None => format!(
            "token cache {path}: permissions {mode:04o} are too open: the file holds sign-in \
             tokens and must not be accessible by others. It is ignored"
        ),
    }
}

/// The tenant id Microsoft uses for personal accounts.
pub const MSA_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

impl AuthError {
    /// Sorts an OAuth error answer (`error`, `error_description`, `error_codes`). Codes that
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

    /// Whether a setting the user gave (tenant, client id, authority, a token file, the client
    /// secret) is what is wrong, rather than the sign-in itself.
    pub fn is_bad_setting(&self) -> bool {
        matches!(
            self,
            Self::Settings(_) | Self::TokenFile { .. } | Self::NoClientSecret | Self::NoTenant
        )
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
    fn aadsts_codes_get_their_own_variant() {
        let e = AuthError::from_oauth(
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.\r\nTrace ID: x",
            &[7000218],
        );
        assert_eq!(e, AuthError::PublicClientFlowsOff);
        assert!(e.to_string().contains("AADSTS7000218"));
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
        assert!(e.to_string().contains("personal Microsoft accounts"));
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
