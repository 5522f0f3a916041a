//! Process exit codes: a promise to scripts, documented in `sctui --help` and the README.

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
/// An evaluation ended without a successful answer (`sctui ask --wait`).
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
  7  evaluation failed (ask --wait)";
