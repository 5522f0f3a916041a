//! Which hosts get a Graph token: Microsoft Graph's own (the global and national clouds), this
//! machine, and any host the user named with `--allow-host` or `allow_hosts`. A typo or a pasted
//! URL can then never hand the token to someone else.

use url::Url;

use crate::endpoint::is_loopback;

/// Microsoft Graph's hosts: global, US Government L4 and L5 (DoD), China (21Vianet).
pub const KNOWN_GRAPH_HOSTS: &[&str] = &[
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
];

/// Whether a token may be sent to `url`'s host; refused, the host as it was compared.
pub fn check_graph_host(url: &Url, allowed: &[String]) -> Result<(), String> {
    if is_loopback(url) {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if KNOWN_GRAPH_HOSTS.contains(&host)
        || allowed.iter().any(|a| a.trim().eq_ignore_ascii_case(host))
    {
        return Ok(());
    }
    Err(host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_graph_loopback_and_allowed_hosts_get_a_token() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_graph_host(&u("https://graph.microsoft.com/beta"), &[]).is_ok());
        assert!(check_graph_host(&u("https://GRAPH.microsoft.us./beta"), &[]).is_ok());
        assert!(check_graph_host(&u("http://127.0.0.1:8080/beta"), &[]).is_ok());
        assert!(check_graph_host(&u("http://[::1]:8080/beta"), &[]).is_ok());
        let refused = check_graph_host(&u("https://graph.microsoft.com.evil.example/beta"), &[]);
        assert_eq!(refused.unwrap_err(), "graph.microsoft.com.evil.example");
        let allowed = vec!["proxy.contoso.example".to_string()];
        assert!(check_graph_host(&u("https://proxy.contoso.example/beta"), &allowed).is_ok());
    }
}
