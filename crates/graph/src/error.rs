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
    /// The name of the token source whose fixed token Graph refused with 401
    /// ([`crate::auth::TokenSource::fixed_name`]); `None` when the source renews its tokens, so
    /// signing in again is the way out rather than a new token.
    pub fixed_token: Option<&'static str>,
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
            fixed_token: None,
        }
    }

    /// Adds what the client knows beyond the body: whether the request was a write (a refused
    /// write lacks other permissions than a refused read) and the response's `Date` header when
    /// the body gave no `date`.
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

    /// Notes that the refused token was a fixed one from the source named `name`.
    pub fn with_fixed_token(mut self, name: Option<&'static str>) -> Self {
        self.fixed_token = name;
        self
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
    /// The facts: the status, Graph's code and message, and the request-id with its date.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Graph answered {} {}", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request-id {id})")?;
        }
        if let Some(date) = &self.date {
            write!(f, " at {date}")?;
        }
        Ok(())
    }
}

/// What kind of transport failure happened, for the words shown and for deciding whether to
/// retry.
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

/// Everything a Graph call can fail with: the facts of each failure, worded for a person by the
/// application that shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// The answer's body was larger than the limit the client was built with; reading stopped
    /// there.
    #[error(
        "the answer to {method} {url} is larger than {}; stopped reading it",
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
    /// The Graph URL's host is not a known Microsoft Graph host and was not allowed, so no
    /// token is sent to it.
    #[error(
        "{host} is not a Microsoft Graph host ({}), so no token is sent to it",
        crate::hosts::KNOWN_GRAPH_HOSTS.join(", ")
    )]
    HostNotAllowed { host: String },
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
        assert_eq!(
            e.to_string(),
            "Graph answered 401 InvalidAuthenticationToken: Access token is empty. \
             (request-id 94fb3b52) at 2025-10-22T20:10:54"
        );
    }

    #[test]
    fn accepts_lowercase_innererror_and_header_request_id() {
        let body = br#"{"error":{"code":"","innererror":{"code":"nested"}}}"#;
        let e = ApiError::from_response(403, body, Some("hdr-id"));
        assert_eq!(e.code, "nested");
        assert_eq!(e.request_id.as_deref(), Some("hdr-id"));
        assert!(!e.write);
    }

    #[test]
    fn a_write_is_noted_and_date_falls_back_to_the_header() {
        let e = ApiError::from_response(403, b"", None).with_request("patch", Some("Tue, 1 Jul"));
        assert!(e.write);
        assert_eq!(e.date.as_deref(), Some("Tue, 1 Jul"));
        let body = br#"{"error":{"code":"x","innerError":{"date":"2025-10-22T20:10:54"}}}"#;
        let e = ApiError::from_response(403, body, None).with_request("GET", Some("hdr"));
        assert_eq!(e.date.as_deref(), Some("2025-10-22T20:10:54"));
        assert!(!e.write);
    }

    #[test]
    fn non_json_body_still_gives_an_error() {
        let e = ApiError::from_response(502, b"<html>bad gateway</html>", None);
        assert_eq!(e.code, "httpError");
        assert_eq!(e.to_string(), "Graph answered 502 httpError");
    }

    /// Every failure, once: the match has no catch-all, so a new variant must be added here.
    fn every_error() -> Vec<GraphError> {
        use crate::auth::error::TokenFileProblem;
        let auth = vec![
            AuthError::Missing,
            AuthError::NotSignedIn,
            AuthError::SignInAgain {
                reason: "AADSTS70008: expired".into(),
            },
            AuthError::CannotRefresh {
                source_name: "a fixed token",
            },
            AuthError::PersonalAccount,
            AuthError::PublicClientFlowsOff,
            AuthError::ConsentRequired,
            AuthError::BadClientSecret,
            AuthError::NoClientSecret,
            AuthError::NoTenant,
            AuthError::MissingScope {
                granted: "User.Read".into(),
            },
            AuthError::Declined,
            AuthError::CodeExpired,
            AuthError::Provider {
                error: "temporarily_unavailable".into(),
                description: "try later".into(),
            },
            AuthError::Network {
                url: "https://login.example/t".into(),
                detail: "refused".into(),
            },
            AuthError::Cache {
                path: "/h/tokens.json".into(),
                detail: "cannot lock it".into(),
            },
            AuthError::CacheUnreadable {
                path: "/h/tokens.json".into(),
                detail: "EOF".into(),
            },
            AuthError::CacheExposed {
                path: "/h/tokens.json".into(),
                folder: None,
                mode: 0o644,
            },
            AuthError::CacheExposed {
                path: "/h/tokens.json".into(),
                folder: Some("/h".into()),
                mode: 0o755,
            },
            AuthError::TokenFile {
                path: "/t".into(),
                problem: TokenFileProblem::NotOneToken,
            },
            AuthError::TokenFile {
                path: "/t".into(),
                problem: TokenFileProblem::Unreadable("gone".into()),
            },
            AuthError::AzureCliMissing,
            AuthError::AzureCliSignedOut,
            AuthError::AzureCli("failed".into()),
            AuthError::Settings("tenant \"x y\" must be a tenant id".into()),
            AuthError::Other("no state directory".into()),
        ];
        let mut all: Vec<GraphError> = auth.into_iter().map(GraphError::Auth).collect();
        for status in [400, 401, 403, 404, 409, 429, 500, 503] {
            all.push(ApiError::from_response(status, b"", Some("rid")).into());
            all.push(
                ApiError::from_response(status, b"", None)
                    .with_request("PATCH", None)
                    .with_fixed_token(Some("a fixed token"))
                    .into(),
            );
        }
        all.extend([
            GraphError::Network {
                url: "https://graph.microsoft.com/beta/x".into(),
                kind: NetworkKind::Timeout,
                detail: "timed out".into(),
            },
            GraphError::Decode {
                method: "GET".into(),
                url: "u".into(),
                detail: "d".into(),
            },
            GraphError::InvalidUrl("ftp://x".into()),
            GraphError::InvalidId {
                what: "session",
                id: "..".into(),
                problem: crate::ids::check("..").unwrap_err(),
            },
            GraphError::Redirect {
                method: "GET".into(),
                url: "u".into(),
                location: "l".into(),
            },
            GraphError::TooLarge {
                method: "GET".into(),
                url: "u".into(),
                limit: 1024,
            },
            GraphError::Paging {
                url: "u".into(),
                problem: crate::paging::PagingProblem::RepeatedLink,
            },
            GraphError::HostNotAllowed {
                host: "graph.evil.example".into(),
            },
        ]);
        for error in &all {
            match error {
                GraphError::Api(_)
                | GraphError::Network { .. }
                | GraphError::Decode { .. }
                | GraphError::InvalidUrl(_)
                | GraphError::InvalidId { .. }
                | GraphError::Redirect { .. }
                | GraphError::TooLarge { .. }
                | GraphError::Paging { .. }
                | GraphError::HostNotAllowed { .. } => {}
                GraphError::Auth(auth) => match auth {
                    AuthError::Missing
                    | AuthError::NotSignedIn
                    | AuthError::SignInAgain { .. }
                    | AuthError::CannotRefresh { .. }
                    | AuthError::PersonalAccount
                    | AuthError::PublicClientFlowsOff
                    | AuthError::ConsentRequired
                    | AuthError::BadClientSecret
                    | AuthError::NoClientSecret
                    | AuthError::NoTenant
                    | AuthError::MissingScope { .. }
                    | AuthError::Declined
                    | AuthError::CodeExpired
                    | AuthError::Provider { .. }
                    | AuthError::Network { .. }
                    | AuthError::Cache { .. }
                    | AuthError::CacheUnreadable { .. }
                    | AuthError::CacheExposed { .. }
                    | AuthError::TokenFile { .. }
                    | AuthError::AzureCliMissing
                    | AuthError::AzureCliSignedOut
                    | AuthError::AzureCli(_)
                    | AuthError::Settings(_)
                    | AuthError::Other(_) => {}
                },
            }
        }
        all
    }

    /// The graph crate states what happened; what to do about it names the application's
    /// commands, flags, settings and variables, and is worded by the application.
    #[test]
    fn no_error_names_the_application_or_its_settings() {
        for error in every_error() {
            let text = error.to_string();
            for word in [
                "sctui",
                "--",
                "SCTUI_",
                "config",
                "max_body_mb",
                "allow_hosts",
                "[auth]",
            ] {
                assert!(!text.contains(word), "{error:?} says {word:?}: {text}");
            }
        }
    }

    /// Graph's request-id is a field of its own, readable without parsing the message.
    #[test]
    fn the_request_id_is_a_field() {
        let error = GraphError::from(ApiError::from_response(404, b"", Some("rid-7")));
        assert_eq!(error.request_id(), Some("rid-7"));
        assert_eq!(error.status(), Some(404));
        assert_eq!(GraphError::from(AuthError::NotSignedIn).request_id(), None);
    }
}
