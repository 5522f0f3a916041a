//! Where the client may send a token: the base-URL rule shared by Graph and the sign-in service.
//! It depends on nothing else in the crate, so both `client` and `auth` can use it without a cycle.

use url::{Host, Url};

/// The `User-Agent` of every request (Graph and the sign-in service).
pub const USER_AGENT: &str = concat!("sctui/", env!("CARGO_PKG_VERSION"));

/// A URL we refuse to use, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidUrl(pub String);

/// Whether a URL's host is this machine (plain `http://` is allowed only there).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses and checks a Graph base URL: `https://` anywhere, `http://` only on loopback, no query.
/// The result never ends with a slash.
pub fn parse_base_url(text: &str) -> Result<Url, InvalidUrl> {
    let url =
        Url::parse(text.trim()).map_err(|e| InvalidUrl(format!("{text:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(InvalidUrl(format!(
                "{text:?}: plain http:// is allowed only for loopback (127.0.0.1, ::1, localhost); use https://"
            )));
        }
        other => {
            return Err(InvalidUrl(format!(
                "{text:?}: unsupported scheme {other:?}, use https://"
            )));
        }
    }
    if url.host().is_none() {
        return Err(InvalidUrl(format!("{text:?} has no host")));
    }
    let mut url = url;
    url.set_query(None);
    url.set_fragment(None);
    let trimmed = url.path().trim_end_matches('/').to_string();
    url.set_path(&trimmed);
    Ok(url)
}

/// Real Graph's beta endpoint.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com/beta";
