//! OData query building and URL rules: which query options we send, how we encode them, and which
//! URLs we are willing to send a token to.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

pub use super::endpoint::{is_loopback, parse_base_url};
use super::error::GraphError;

/// The session properties the list needs; asking for only these keeps pages small.
pub const SESSION_SELECT: &str = "id,displayName,createdDateTime,lastModifiedDateTime";

/// Characters left as they are in query values (OData punctuation reads better unencoded).
const VALUE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b'\'');

/// Options for listing sessions. `$orderby` is deliberately absent: it is not documented for
/// sessions, so the client sorts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// `$top`: the page size asked for.
    pub top: Option<u32>,
    /// `$filter`, passed through as typed (best effort on the service).
    pub filter: Option<String>,
    /// `$count=true`, to learn the total.
    pub count: bool,
    /// `$select`, a comma list of properties.
    pub select: Option<String>,
}

impl ListQuery {
    /// The query string (without `?`), `$` kept literal and values percent-encoded.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(top) = self.top {
            parts.push(format!("$top={top}"));
        }
        if let Some(select) = &self.select {
            parts.push(format!("$select={}", encode(select)));
        }
        if let Some(filter) = self.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            parts.push(format!("$filter={}", encode(filter)));
        }
        if self.count {
            parts.push("$count=true".to_string());
        }
        parts.join("&")
    }
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value, VALUE_SET).to_string()
}

/// Checks that a `@odata.nextLink` points at the same origin as our base URL, so a hostile or
/// broken server cannot make us send the token elsewhere.
pub fn check_same_origin(base: &Url, link: &str) -> Result<Url, GraphError> {
    let url = Url::parse(link)
        .map_err(|e| GraphError::InvalidUrl(format!("nextLink is not a URL: {e}")))?;
    if url.origin() != base.origin() {
        return Err(GraphError::InvalidUrl(format!(
            "nextLink points at another origin ({}) than the Graph URL ({}); refusing to follow it",
            url.origin().ascii_serialization(),
            base.origin().ascii_serialization()
        )));
    }
    Ok(url)
}

/// The URL without its query, safe and short for messages and logs.
pub fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// The largest page Graph hands out; bigger `$top` values are clamped by the service.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The page size of bulk reads (everything at once: `sessions list --all`, sync, the TUI loading
/// the whole list): against a far Graph each page is a round trip, so ask for the largest.
pub const DEFAULT_BULK_PAGE_SIZE: u32 = MAX_PAGE_SIZE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_dollar_and_encodes_values() {
        let q = ListQuery {
            top: Some(100),
            filter: Some("startswith(displayName,'KQL hunt')".into()),
            count: true,
            select: Some(SESSION_SELECT.into()),
        };
        assert_eq!(
            q.to_query_string(),
            "$top=100&$select=id,displayName,createdDateTime,lastModifiedDateTime&$filter=startswith(displayName,'KQL%20hunt')&$count=true"
        );
        assert_eq!(ListQuery::default().to_query_string(), "");
    }

    #[test]
    fn http_is_only_for_loopback() {
        assert!(parse_base_url("https://graph.microsoft.com/beta/").is_ok());
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080/beta/")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/beta"
        );
        assert!(parse_base_url("http://[::1]:1/beta").is_ok());
        assert!(parse_base_url("http://localhost:1/beta").is_ok());
        let err = parse_base_url("http://graph.example.com/beta").unwrap_err();
        assert!(err.to_string().contains("loopback"));
        assert!(parse_base_url("ftp://x/beta").is_err());
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    fn next_link_must_stay_on_origin() {
        let base = parse_base_url("http://127.0.0.1:8080/beta").unwrap();
        assert!(check_same_origin(&base, "http://127.0.0.1:8080/beta/x?$skiptoken=1").is_ok());
        assert!(check_same_origin(&base, "http://127.0.0.1:9999/beta/x").is_err());
        assert!(check_same_origin(&base, "https://evil.example/beta/x").is_err());
    }
}
