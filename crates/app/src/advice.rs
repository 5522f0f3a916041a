//! Errors put into words for a person: what happened and the way out. The graph crate's errors
//! carry facts (status, code, request-id, which token source was refused); the advice that names
//! sctui's commands, flags, config keys and variables is written here, once, for the TUI's status
//! line and popups and the CLI's stderr alike.

use std::borrow::Cow;
use std::fmt;

use crate::sanitize::CleanLine;
use sctui_graph::GraphError;
use sctui_graph::auth::error::TokenFileProblem;
use sctui_graph::auth::{AuthError, TOKEN_ENV, TOKEN_FILE};
use sctui_graph::error::ApiError;

/// A Graph failure in words, with the facts support asks for kept apart from the sentence: the
/// status line shows the request-id on its own (where truncation cannot cut it off), the CLI
/// prints all of it on one line ([`fmt::Display`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worded {
    /// What happened and what to do, without the request-id and date.
    pub text: String,
    /// Graph's request-id, when Graph answered.
    pub request_id: Option<String>,
    /// When Graph says it failed, when it said.
    pub date: Option<String>,
}

impl Worded {
    /// The words and Graph's date, without the request-id (which the status line shows apart).
    pub fn line(&self) -> String {
        match &self.date {
            Some(date) => format!("{} at {date}", self.text),
            None => self.text.clone(),
        }
    }
}

impl fmt::Display for Worded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        if let Some(id) = &self.request_id {
            write!(f, " request-id {id}")?;
        }
        if let Some(date) = &self.date {
            write!(f, " at {date}")?;
        }
        Ok(())
    }
}

/// Why something did not work, kept in the state as what happened until it is drawn: a Graph
/// failure (with what was being done), a failed sign-in, or a refusal in the core's own words.
/// It is worded once, here, when it is made, so drawing reads its words every frame without
/// wording or sanitising anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    cause: Cause,
    words: CleanLine<'static>,
}

/// What a [`Problem`] is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// A Graph call failed.
    Graph(GraphError),
    /// Signing in failed.
    SignIn(AuthError),
    /// The core's own refusal or report (an empty question, an id that would change a URL, the
    /// local store), already in words.
    Other,
}

impl Problem {
    /// `doing` failed with `error`: "Create failed: access denied … (403 …)".
    pub fn graph(doing: &str, error: GraphError) -> Self {
        let text = format!("{doing}: {}", graph(&error).line());
        Self::worded(Cause::Graph(error), &text)
    }

    /// The sign-in failed with `error`.
    pub fn sign_in(error: AuthError) -> Self {
        let text = format!("Sign-in failed: {}", auth(&error));
        Self::worded(Cause::SignIn(error), &text)
    }

    /// The core's own words for what went wrong.
    pub fn other(words: &str) -> Self {
        Self::worded(Cause::Other, words)
    }

    fn worded(cause: Cause, text: &str) -> Self {
        Self {
            cause,
            words: CleanLine::new(text).into_owned(),
        }
    }

    /// What to show: what happened and the way out, on one line, without Graph's request-id.
    pub fn words(&self) -> &CleanLine<'static> {
        &self.words
    }

    /// What it is about.
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// Graph's request-id, when Graph answered (shown apart, for support).
    pub fn request_id(&self) -> Option<&str> {
        match &self.cause {
            Cause::Graph(error) => error.request_id(),
            Cause::SignIn(_) | Cause::Other => None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words)
    }
}

/// A Graph call's failure in words.
pub fn graph(error: &GraphError) -> Worded {
    let text = match error {
        GraphError::Api(api) => {
            return Worded {
                text: api_words(api),
                request_id: api.request_id.clone(),
                date: api.date.as_deref().map(str::to_string),
            };
        }
        GraphError::Auth(e) => auth(e),
        GraphError::TooLarge { .. } => {
            format!("{error} (raise max_body_mb in the config to read larger answers)")
        }
        GraphError::HostNotAllowed { host } => format!(
            "{error}; if you trust it, pass --allow-host {host} or add it to allow_hosts in the \
             config file"
        ),
        GraphError::Network { .. }
        | GraphError::Decode { .. }
        | GraphError::InvalidUrl(_)
        | GraphError::InvalidId { .. }
        | GraphError::Redirect { .. }
        | GraphError::Paging { .. } => error.to_string(),
    };
    Worded {
        text,
        request_id: None,
        date: None,
    }
}

/// Why no token could be had, with the way out.
pub fn auth(error: &AuthError) -> String {
    let way_out: Cow<'static, str> = match error {
        AuthError::Missing => {
            return "no access token: set SCTUI_ACCESS_TOKEN to a Graph token carrying \
                    SecurityCopilotWorkspaces.Read.All, or run with --demo"
                .to_string();
        }
        AuthError::NotSignedIn => {
            return "not signed in: run `sctui login` (or set SCTUI_ACCESS_TOKEN to a Graph \
                    access token, or use --demo)"
                .to_string();
        }
        AuthError::NoClientSecret => {
            return "the client-secret method needs the secret in SCTUI_CLIENT_SECRET (it is \
                    never read from the config file)"
                .to_string();
        }
        AuthError::TokenFile { path, problem } => {
            return match problem {
                TokenFileProblem::Unreadable(why) => {
                    format!("cannot read --token-file {path}: {why}")
                }
                TokenFileProblem::NotOneToken => {
                    format!("--token-file {path} must hold one access token")
                }
            };
        }
        AuthError::SignInAgain { .. } => "run `sctui login` again".into(),
        AuthError::CannotRefresh { source_name } => replace_token(source_name)
            .unwrap_or("a fixed token cannot be renewed; use `sctui login`")
            .into(),
        AuthError::PersonalAccount => "sign in with a work or school account".into(),
        AuthError::PublicClientFlowsOff => "in Entra ID → App registrations → your app → \
            Authentication, set \"Allow public client flows\" to Yes, or use the default client id"
            .into(),
        AuthError::ConsentRequired => "ask an administrator to grant admin consent for \
            SecurityCopilotWorkspaces.ReadWrite.All to the app, then run `sctui login` again"
            .into(),
        AuthError::BadClientSecret => {
            "check SCTUI_CLIENT_SECRET and that the secret has not expired".into()
        }
        AuthError::NoTenant => "set [auth] tenant or pass --tenant".into(),
        AuthError::MissingScope { .. } => {
            "use `sctui login --device-code`, or ask an administrator to grant consent".into()
        }
        AuthError::Declined => "run `sctui login` to try again".into(),
        AuthError::CodeExpired => "run `sctui login` to get a new one".into(),
        AuthError::CacheUnreadable { .. } => {
            return format!("{error}; run `sctui login` to replace it");
        }
        AuthError::CacheExposed { path, folder, .. } => {
            return match folder {
                Some(folder) => format!("{error}; run `chmod 700 {folder}` or `sctui logout`"),
                None => format!("{error}; run `chmod 600 {path}` or `sctui logout`"),
            };
        }
        AuthError::AzureCliMissing => "install it, or use `sctui login --device-code`".into(),
        AuthError::AzureCliSignedOut => {
            "run `az login` (with a work or school account) first".into()
        }
        AuthError::Provider { .. }
        | AuthError::Network { .. }
        | AuthError::Cache { .. }
        | AuthError::AzureCli(_)
        | AuthError::Settings(_)
        | AuthError::Other(_) => return error.to_string(),
    };
    format!("{error}: {way_out}")
}

/// How to get a new token from the fixed source named `source_name`, when sctui knows it.
fn replace_token(source_name: &str) -> Option<&'static str> {
    match source_name {
        TOKEN_FILE => Some("put a new token in the file, or use `sctui login`"),
        TOKEN_ENV => {
            Some("replace SCTUI_ACCESS_TOKEN with a new token, or unset it and use `sctui login`")
        }
        _ => None,
    }
}

/// What a Graph error status means for the user and what to do, then Graph's status, code and
/// message: `access denied: … (403 accessDenied: …)`.
fn api_words(error: &ApiError) -> String {
    let mut text = format!("{} ({} {}", api_summary(error), error.status, error.code);
    if !error.message.is_empty() {
        text.push_str(": ");
        text.push_str(&error.message);
    }
    text.push(')');
    text
}

/// One sentence telling the user what this status means for them and what to do.
fn api_summary(error: &ApiError) -> Cow<'static, str> {
    Cow::Borrowed(match error.status {
        400 => "Graph rejected the request",
        401 => match error.fixed_token.and_then(replace_token) {
            Some(way_out) => {
                return format!("the access token was refused or has expired: {way_out}").into();
            }
            None => "not signed in or the token expired: sign in again",
        },
        403 if error.write => {
            "access denied: creating and renaming need the SecurityCopilotWorkspaces.ReadWrite.All \
             permission and a Security Copilot role of Contributor or Owner (check the workspace's \
             capacity too)"
        }
        403 => {
            "access denied: reading needs the SecurityCopilotWorkspaces.Read.All (or .ReadWrite.All) \
             permission and a Security Copilot role (Contributor or Owner), and the workspace needs \
             capacity"
        }
        404 => "not found: it may have been removed",
        405 | 501 => "this operation is not supported by Graph",
        409 => "conflict with the current state",
        429 => "throttled by Graph: too many requests",
        500..=599 => "the Security Copilot service is failing",
        _ => "Graph returned an error",
    })
}

#[cfg(test)]
mod tests;
