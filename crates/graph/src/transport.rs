//! How the client talks HTTP safely, for Graph and the sign-in service alike: which redirects are
//! followed, when proxies are used, which TLS roots are needed, how much of a body is read, and
//! how transport failures are told apart (a certificate problem is not worth a retry).

use std::time::Duration;

use reqwest::redirect;
use url::Url;

use crate::endpoint::{USER_AGENT, is_loopback};

/// The environment variable that lets a proxy see loopback traffic too (tests of a proxy, or a
/// proxy that must see everything); by default loopback bypasses every proxy.
pub const PROXY_LOOPBACK_ENV: &str = "SCTUI_PROXY_LOOPBACK";

/// The default limit on one Graph answer's body: far above any real page (a 1000-session page is
/// about 250 KB), far below what hurts.
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;

/// The limit on an answer from the sign-in service (token answers are a few KB).
pub const IDENTITY_MAX_BODY: usize = 1024 * 1024;

/// Whose requests a client sends: Graph may follow a redirect on its own origin; the sign-in
/// service never (its forms hold refresh tokens, device codes and secrets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Graph,
    Identity,
}

/// Why a redirect was not followed; reqwest hands it back as the error's source.
#[derive(Debug, thiserror::Error)]
#[error("redirected to another origin ({location}); refusing to follow it")]
pub struct ForeignRedirect {
    pub location: String,
}

/// Builds the HTTP client for `peer` talking to `base`:
/// - redirects: none for the sign-in service; for Graph, only within the origin it started on;
/// - proxies: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` as usual, except that
///   loopback hosts always bypass them (unless [`PROXY_LOOPBACK_ENV`] is set), decided per
///   request, so `--demo` and a local fake never send a token through a proxy;
/// - TLS roots: none needed (and none loaded) when `base` is plain-http loopback, so `--demo`
///   runs on a machine without CA certificates; otherwise the platform's, and their absence is
///   said in words.
pub fn build(
    peer: Peer,
    base: &Url,
    connect_timeout: Duration,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(match peer {
            Peer::Identity => redirect::Policy::none(),
            Peer::Graph => same_origin_redirects(),
        })
        // our own proxy rules below replace reqwest's automatic system proxies
        .no_proxy();
    for proxy in proxies(&|name| std::env::var(name).ok())? {
        builder = builder.proxy(proxy);
    }
    if is_loopback(base) && base.scheme() == "http" {
        builder = builder.tls_certs_only([]);
    }
    builder.build().map_err(|e| build_error(&e))
}

/// The proxies the environment asks for, each with loopback (and `NO_PROXY`) exempt.
fn proxies(env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<reqwest::Proxy>, String> {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| env(n).filter(|v| !v.trim().is_empty()))
    };
    let mut exempt = var(&["NO_PROXY", "no_proxy"]).unwrap_or_default();
    if var(&[PROXY_LOOPBACK_ENV]).is_none() {
        exempt.push_str(",localhost,127.0.0.0/8,::1");
    }
    let no_proxy = reqwest::NoProxy::from_string(&exempt);
    let mut out = Vec::new();
    let kinds = [
        (var(&["HTTPS_PROXY", "https_proxy"]), "https"),
        (var(&["HTTP_PROXY", "http_proxy"]), "http"),
        (var(&["ALL_PROXY", "all_proxy"]), "all"),
    ];
    for (url, kind) in kinds {
        let Some(url) = url else { continue };
        let proxy = match kind {
            "https" => reqwest::Proxy::https(&url),
            "http" => reqwest::Proxy::http(&url),
            _ => reqwest::Proxy::all(&url),
        }
        .map_err(|e| format!("proxy {url:?} is not usable: {e}"))?;
        out.push(proxy.no_proxy(no_proxy.clone()));
    }
    Ok(out)
}

fn same_origin_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same {
            let mut shown = attempt.url().clone();
            shown.set_query(None);
            shown.set_fragment(None);
            let location = shown.to_string();
            return attempt.error(ForeignRedirect { location });
        }
        if attempt.previous().len() > 5 {
            return attempt.error("too many redirects");
        }
        attempt.follow()
    })
}

/// Explains why the client could not be built; almost always missing trusted roots.
fn build_error(e: &reqwest::Error) -> String {
    let detail = innermost(e);
    if detail.contains("certificate") || detail.contains("root") || detail.contains("CA") {
        format!(
            "cannot set up TLS: no trusted root certificates were found on this system ({detail}); \
             install the ca-certificates package or set SSL_CERT_FILE to a PEM bundle"
        )
    } else {
        format!("cannot set up the HTTP client: {detail}")
    }
}

/// The innermost cause's text (reqwest's own Display may include the URL).
pub fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut detail = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    detail
}

/// Whether a transport failure is a certificate problem (not worth retrying).
pub fn is_certificate_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if text.contains("invalid peer certificate") || text.contains("certificate verify failed") {
            return true;
        }
        current = err.source();
    }
    false
}

/// The advice for a certificate failure on `url`'s host.
pub fn certificate_advice(url: &Url, e: &(dyn std::error::Error + 'static)) -> String {
    let host = url.host_str().unwrap_or("the server");
    let reason = innermost(e);
    let reason = reason
        .strip_prefix("invalid peer certificate: ")
        .unwrap_or(&reason);
    format!(
        "the TLS certificate of {host} is not trusted ({reason}); behind a corporate proxy that \
         inspects TLS, set SSL_CERT_FILE to a bundle holding its root certificate"
    )
}

/// The foreign redirect reqwest stopped at, if that is what `e` is.
pub fn foreign_redirect(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(r) = err.downcast_ref::<ForeignRedirect>() {
            return Some(r.location.clone());
        }
        current = err.source();
    }
    None
}

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// Longer than `limit` bytes (declared or seen while reading).
    TooLarge { limit: usize },
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// Reads a body as a stream, stopping (and dropping the connection) past `limit` bytes; a
/// declared `Content-Length` over the limit is refused before reading anything.
pub async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::error::human_bytes;

    /// A loopback listener that counts the connections it accepts (and drops each at once).
    async fn counting_listener() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        (addr, hits)
    }

    #[tokio::test]
    async fn loopback_bypasses_the_proxy_unless_asked() {
        let (target, target_hits) = counting_listener().await;
        let (proxy, proxy_hits) = counting_listener().await;
        let proxy_url = format!("http://{proxy}");
        for through in [false, true] {
            let env = |name: &str| match name {
                "HTTP_PROXY" | "https_proxy" => Some(proxy_url.clone()),
                PROXY_LOOPBACK_ENV if through => Some("1".to_string()),
                _ => None,
            };
            let mut builder = reqwest::Client::builder().no_proxy();
            for proxy in proxies(&env).unwrap() {
                builder = builder.proxy(proxy);
            }
            let client = builder.build().unwrap();
            // both listeners hang up, so the request fails; what counts is who was called
            let _ = client.get(format!("http://{target}/beta")).send().await;
            let (direct, proxied) = if through { (0, 1) } else { (1, 0) };
            assert_eq!(
                target_hits.swap(0, Ordering::SeqCst),
                direct,
                "direct calls to loopback, {PROXY_LOOPBACK_ENV} set: {through}"
            );
            assert_eq!(
                proxy_hits.swap(0, Ordering::SeqCst),
                proxied,
                "calls through the proxy, {PROXY_LOOPBACK_ENV} set: {through}"
            );
        }
        assert!(proxies(&|_| None).unwrap().is_empty());
    }

    /// A TLS server on loopback whose certificate no one trusts: self-signed for `localhost`
    /// (`tests/fixtures/self-signed-localhost.*.der`, made with `openssl req -x509 -newkey ec
    /// -subj /CN=localhost`). Every connection gets the handshake and nothing more.
    async fn untrusted_tls_server() -> std::net::SocketAddr {
        use tokio_rustls::rustls::{self, pki_types};
        let cert = pki_types::CertificateDer::from(
            include_bytes!("../tests/fixtures/self-signed-localhost.crt.der").to_vec(),
        );
        let key = pki_types::PrivateKeyDer::try_from(
            include_bytes!("../tests/fixtures/self-signed-localhost.key.der").to_vec(),
        )
        .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let _ = acceptor.accept(socket).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn an_untrusted_certificate_is_recognised_and_named_with_its_host() {
        let addr = untrusted_tls_server().await;
        let url = Url::parse(&format!("https://localhost:{}/beta", addr.port())).unwrap();
        let client = build(
            Peer::Graph,
            &url,
            Duration::from_secs(5),
            Duration::from_secs(5),
        )
        .unwrap();
        let err = client.get(url.clone()).send().await.unwrap_err();
        assert!(is_certificate_error(&err), "{}", innermost(&err));
        let advice = certificate_advice(&url, &err);
        assert!(advice.contains("localhost"), "{advice}");
        assert!(advice.contains("SSL_CERT_FILE"), "{advice}");

        // a server that is not there is a network failure, not a certificate one
        let (closed, _) = counting_listener().await;
        let gone = client
            .get(format!("https://{closed}/beta"))
            .send()
            .await
            .unwrap_err();
        assert!(!is_certificate_error(&gone), "{}", innermost(&gone));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(8 * 1024 * 1024), "8 MiB");
        assert_eq!(human_bytes(64 * 1024), "64 KiB");
        assert_eq!(human_bytes(300), "300 bytes");
    }
}
