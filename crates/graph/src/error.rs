//! Graph failures as types: what went wrong, where, and Graph's request-id for support.
//!
//! Messages never contain a token: requests carry it only in a header, and URLs never hold it.

use std::fmt;

use serde::Deserialize;

use crate::auth::AuthError;

/// Graph's error body: `{"error":{"code","message","innerError":{…}}}`; every field is optional.
#[derive(Debug, Default, Deserialize)]
struct ErrorEnvelope {
    #[serde(default)]
    error: Option<ErrorBody>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Debug, Default, Deserialize)]
struct InnerError {
    #[serde(default, rename = "request-id")]
    request_id: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default, rename = "client-request-id")]
    client_request_id: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// An HTTP error answer from Graph, decoded from its error body (or from the status alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// When Graph says it failed (boxed, like the client id: rarely read, and it keeps
    /// `GraphError` small enough to return by value everywhere).
    pub date: Option<Box<str>>,
    pub client_request_id: Option<Box<str>>,
    /// Whether the failed request was a write (POST, PATCH…): a 403 on a read and on a write
    /// lack different permissions.
    pub write: bool,
    /// How to get a new token when the token source cannot ([`crate::auth::TokenSource::replace_hint`]):
    /// a 401 then says to replace the token, since signing in again would not change it.
    pub replace_token: Option<&'static str>,
}

impl ApiError {
    /// Builds the error from a status and whatever body came with it; a non-JSON body still yields
    /// a useful error, and the `request-id` header fills in when the body lacks one.
    pub fn from_response(status: u16, body: &[u8], header_request_id: Option<&str>) -> Self {
        let envelope: ErrorEnvelope = serde_json::from_slice(body).unwrap_or_default();
        let error = envelope.error.unwrap_or_default();
        let inner = error.inner_error.unwrap_or_default();
        let code = error
            .code
            .filter(|c| !c.is_empty())
            .or(inner.code)
            .unwrap_or_else(|| default_code(status).to_string());
        let message = error.message.unwrap_or_default();
        Self {
            status,
            code,
            message,
            request_id: inner
                .request_id
                .or_else(|| header_request_id.map(str::to_string)),
            date: inner.date.map(String::into_boxed_str),
            client_request_id: inner.client_request_id.map(String::into_boxed_str),
            write: false,
            replace_token: None,
        }
    }

    /// Adds what the client knows beyond the body: the request's method (for 403 advice) and the
    /// response's `Date` header when the body gave no `date`.
    pub fn with_request(mut self, method: &str, date_header: Option<&str>) -> Self {
        self.write = !matches!(
            method.to_ascii_uppercase().as_str(),
            "GET" | "HEAD" | "OPTIONS"
        );
        if self.date.is_none() {
            self.date = date_header.map(Box::from);
        }
        self
    }

    /// Adds how to get a new token when the source that gave the refused one cannot renew it.
    pub fn with_replace_token(mut self, hint: Option<&'static str>) -> Self {
        self.replace_token = hint;
        self
    }

    /// One sentence telling the user what this status means for them and what to do.
    pub fn advice(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self.status {
            400 => "Graph rejected the request",
            401 => match self.replace_token {
                Some(hint) => {
                    return format!("the access token was refused or has expired: {hint}").into();
                }
                None => "not signed in or the token expired: sign in again",
            },
            403 if self.write => {
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
}

fn default_code(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthenticated",
        403 => "accessDenied",
        404 => "itemNotFound",
        405 => "methodNotAllowed",
        429 => "tooManyRequests",
        503 => "serviceNotAvailable",
        504 => "gatewayTimeout",
        _ => "httpError",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {}", self.advice(), self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        f.write_str(")")?;
        if let Some(id) = &self.request_id {
            write!(f, " request-id {id}")?;
        }
        if let Some(date) = &self.date {
            write!(f, " at {date}")?;
        }
        Ok(())
    }
}

/// What kind of transport failure happened, for advice and for deciding whether to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkKind {
    /// The connection was never made (DNS, refused, TLS): the server surely saw nothing.
    Connect,
    /// The request or the connection timed out.
    Timeout,
    /// The connection broke after it was made (reset, cut body).
    Broken,
    /// The server's TLS certificate is not trusted (never retried: it will not change).
    Certificate,
}

impl fmt::Display for NetworkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect (DNS, refused or TLS)",
            Self::Timeout => "timed out",
            Self::Broken => "connection broken",
            Self::Certificate => "TLS certificate problem",
        })
    }
}

/// Everything a Graph call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with an error status (boxed: errors travel in `Result`s everywhere).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not complete: `url` is the endpoint that failed (no query, no token).
    #[error("network error: {kind} for {url}: {detail}")]
    Network {
        url: String,
        kind: NetworkKind,
        detail: String,
    },
    /// The answer was not the JSON we expected (not JSON, cut short, wrong shape).
    #[error("unreadable answer from Graph: {detail} (to {method} {url})")]
    Decode {
        method: String,
        url: String,
        detail: String,
    },
    /// No token could be had.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// A URL we were asked to use is not acceptable (bad syntax, foreign host, plain http off loopback).
    #[error("invalid URL: {0}")]
    InvalidUrl(String),
    /// An id that would change what the URL means (empty, `.`, `..`, `/`, `?`, `#`, a control
    /// character); refused before any request.
    #[error("{what} id {problem} (got {id:?})")]
    InvalidId {
        what: &'static str,
        id: String,
        problem: crate::ids::IdProblem,
    },
    /// Graph answered with a redirect to another origin (a token or Graph data must not follow).
    #[error("Graph redirected {method} {url} to {location}: another origin; refusing to follow it")]
    Redirect {
        method: String,
        url: String,
        location: String,
    },
    /// The answer's body was larger than the configured limit; reading stopped there.
    #[error(
        "the answer to {method} {url} is larger than {} (max_body_mb in the config); stopped reading it",
        human_bytes(*limit)
    )]
    TooLarge {
        method: String,
        url: String,
        limit: usize,
    },
    /// Paging would never end: a repeated `@odata.nextLink`, or pages without new items.
    #[error("{problem} (at {url})")]
    Paging {
        url: String,
        problem: crate::paging::PagingProblem,
    },
    /// The Graph URL's host is not a known Microsoft Graph host and was not allowed.
    #[error("{0}")]
    HostNotAllowed(String),
}

impl From<crate::endpoint::InvalidUrl> for GraphError {
    fn from(e: crate::endpoint::InvalidUrl) -> Self {
        Self::InvalidUrl(e.0)
    }
}

impl From<ApiError> for GraphError {
    fn from(error: ApiError) -> Self {
        Self::Api(Box::new(error))
    }
}

impl GraphError {
    /// The HTTP status, when Graph answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// Graph's request-id, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// True when the thing asked about does not exist (any more).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// A byte count for messages: `8 MiB`, `512 KiB`, `300 bytes`.
pub fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graph_error_body() {
        let body = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty.",
            "innerError":{"date":"2025-10-22T20:10:54","request-id":"94fb3b52","client-request-id":"30d8"}}}"#;
        let e = ApiError::from_response(401, body, None);
        assert_eq!(e.code, "InvalidAuthenticationToken");
        assert_eq!(e.message, "Access token is empty.");
        assert_eq!(e.request_id.as_deref(), Some("94fb3b52"));
        assert_eq!(e.date.as_deref(), Some("2025-10-22T20:10:54"));
        let text = e.to_string();
        assert!(text.contains("sign in again"), "{text}");
        assert!(text.contains("request-id 94fb3b52"), "{text}");
    }

    #[test]
    fn accepts_lowercase_innererror_and_header_request_id() {
        let body = br#"{"error":{"code":"","innererror":{"code":"nested"}}}"#;
        let e = ApiError::from_response(403, body, Some("hdr-id"));
        assert_eq!(e.code, "nested");
        assert_eq!(e.request_id.as_deref(), Some("hdr-id"));
        assert!(e.to_string().contains("Security Copilot role"));
        assert!(e.to_string().contains("SecurityCopilotWorkspaces.Read.All"));
    }

    #[test]
    fn forbidden_names_the_permission_a_write_needs_and_date_falls_back_to_the_header() {
        let e = ApiError::from_response(403, b"", None).with_request("patch", Some("Tue, 1 Jul"));
        let text = e.to_string();
        assert!(
            text.contains("SecurityCopilotWorkspaces.ReadWrite.All"),
            "{text}"
        );
        assert!(text.contains("Contributor or Owner"), "{text}");
        assert!(text.ends_with("at Tue, 1 Jul"), "{text}");
        let body = br#"{"error":{"code":"x","innerError":{"date":"2025-10-22T20:10:54"}}}"#;
        let e = ApiError::from_response(403, body, None).with_request("GET", Some("hdr"));
        assert_eq!(e.date.as_deref(), Some("2025-10-22T20:10:54"));
        assert!(e.to_string().contains("reading needs"));
    }

    #[test]
    fn non_json_body_still_gives_an_error() {
        let e = ApiError::from_response(502, b"<html>bad gateway</html>", None);
        assert_eq!(e.code, "httpError");
        assert!(e.to_string().contains("service is failing"));
    }
}
