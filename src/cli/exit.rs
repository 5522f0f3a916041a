//! Process exit codes: a promise to scripts, documented in `sctui --help` and the README.

use sctui_graph::GraphError;

/// Success.
pub const OK: u8 = 0;
/// Any failure not listed below.
pub const FAILURE: u8 = 1;
/// Bad flags, arguments, config or request (Graph's 400).
pub const USAGE: u8 = 2;
/// Not signed in, token rejected (401) or access denied (403).
pub const AUTH: u8 = 3;
/// The session, prompt or workspace does not exist (404).
pub const NOT_FOUND: u8 = 4;
/// Throttled (429) or the service is failing (5xx, unreadable answer).
pub const SERVICE: u8 = 5;
/// The network failed: DNS, connection refused, TLS, timeout.
pub const NETWORK: u8 = 6;
/// An evaluation ended without a successful answer (`sctui ask --wait`, `prompts rerun --wait`,
/// a promptbook step).
pub const EVALUATION_FAILED: u8 = 7;

/// The table shown in `--help` and the README.
pub const TABLE: &str = "\
Exit codes:
  0  success
  1  other failure
  2  usage: bad flags, arguments, config or request (HTTP 400)
  3  auth: not signed in, token rejected (401) or access denied (403)
  4  not found (404)
  5  throttled (429) or service failing (5xx, unreadable answer)
  6  network: DNS, connection refused, TLS, timeout
  7  evaluation failed (ask --wait, prompts rerun --wait, a promptbook step)";

/// The documented exit code for a Graph failure: the client reports what went wrong, the CLI
/// decides what a script sees.
pub fn for_graph_error(error: &GraphError) -> u8 {
    match error {
        GraphError::Api(e) => match e.status {
            401 | 403 => AUTH,
            404 => NOT_FOUND,
            429 | 500..=599 => SERVICE,
            400 => USAGE,
            _ => FAILURE,
        },
        GraphError::Auth(_) => AUTH,
        GraphError::Network { .. } => NETWORK,
        GraphError::Decode { .. } => SERVICE,
        GraphError::InvalidUrl(_) | GraphError::InvalidId { .. } => USAGE,
        GraphError::HostNotAllowed { .. } => USAGE,
        GraphError::Redirect { .. } | GraphError::TooLarge { .. } | GraphError::Paging { .. } => {
            SERVICE
        }
    }
}

/// The exit code of a TUI run that a signal ended (128 + signal) or that found no terminal
/// (usage), when `error` carries one of those.
pub fn for_tui_error(error: &std::io::Error) -> Option<u8> {
    let inner = error.get_ref()?;
    if let Some(t) = inner.downcast_ref::<crate::tui::signals::Terminated>() {
        return Some(t.exit_code());
    }
    inner
        .downcast_ref::<crate::tui::signals::NoTerminal>()
        .map(|_| USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::signals::{NoTerminal, terminated};

    #[test]
    fn tui_runs_ended_by_a_signal_exit_128_plus_the_signal() {
        assert_eq!(for_tui_error(&terminated(2)), Some(130));
        assert_eq!(for_tui_error(&terminated(3)), Some(131));
        assert_eq!(for_tui_error(&terminated(15)), Some(143));
        assert_eq!(for_tui_error(&terminated(1)), Some(129));
        assert_eq!(
            for_tui_error(&std::io::Error::other(NoTerminal("x".into()))),
            Some(USAGE)
        );
        assert_eq!(for_tui_error(&std::io::Error::other("other")), None);
    }
    use sctui_graph::{ApiError, NetworkKind};

    #[test]
    fn graph_errors_follow_the_documented_table() {
        let api = |s| for_graph_error(&GraphError::from(ApiError::from_response(s, b"", None)));
        assert_eq!(api(401), AUTH);
        assert_eq!(api(404), NOT_FOUND);
        assert_eq!(api(429), SERVICE);
        assert_eq!(api(503), SERVICE);
        assert_eq!(api(400), USAGE);
        let net = GraphError::Network {
            url: "u".into(),
            kind: NetworkKind::Connect,
            detail: String::new(),
        };
        assert_eq!(for_graph_error(&net), NETWORK);
    }
}
