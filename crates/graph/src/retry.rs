//! When and how long to wait before trying a request again, as Microsoft's SDKs do: 429/503/504
//! retried, `Retry-After` wins, otherwise exponential backoff with jitter, a cap on total waiting.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

/// The retry rules for one client.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first try (default 3, at most 10).
    pub max_retries: u32,
    /// First backoff delay when the server gives no `Retry-After` (default 3 s).
    pub base_delay: Duration,
    /// Never wait longer than this in total across retries of one request (default 180 s).
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_secs(3),
            max_total_wait: Duration::from_secs(180),
        }
    }
}

/// Hard cap on `max_retries`, as in Microsoft's SDKs.
pub const MAX_RETRIES_CAP: u32 = 10;

/// Whether a status is worth retrying at all.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

impl RetryPolicy {
    /// A policy with `max_retries` clamped to the cap.
    pub fn with_max_retries(max_retries: u32) -> Self {
        Self {
            max_retries: max_retries.min(MAX_RETRIES_CAP),
            ..Self::default()
        }
    }

    /// The delay before retry number `attempt` (1-based), or `None` when we must give up: too many
    /// retries, or the wait would push the total past the cap. `jitter` in `0.0..1.0` spreads
    /// clients apart; `retry_after` from the server wins over backoff.
    pub fn delay(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        waited_so_far: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if attempt == 0 || attempt > self.max_retries {
            return None;
        }
        let delay = retry_after.unwrap_or_else(|| {
            let exp = self
                .base_delay
                .saturating_mul(1u32 << (attempt - 1).min(16));
            // up to +25 % jitter
            exp.mul_f64(1.0 + jitter.clamp(0.0, 1.0) * 0.25)
        });
        if waited_so_far.saturating_add(delay) > self.max_total_wait {
            return None;
        }
        Some(delay)
    }
}

/// Reads `Retry-After`: whole or fractional seconds (`2.128`) or an HTTP date.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let span = when.duration_since(now);
    Some(Duration::try_from(span).unwrap_or(Duration::ZERO))
}

/// Told to the UI while a request waits to be retried ("throttled, retrying in N s").
#[derive(Debug, Clone, PartialEq)]
pub struct RetryNotice {
    /// Which retry this will be (1-based).
    pub attempt: u32,
    /// How long we wait first.
    pub wait: Duration,
    /// The status that caused it, or `None` for a network failure.
    pub status: Option<u16>,
}

/// Receives [`RetryNotice`]s; must be cheap and never block.
pub type RetryObserver = Arc<dyn Fn(RetryNotice) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_fractional_seconds_and_dates() {
        let now: Timestamp = "2015-10-21T07:27:50Z".parse().unwrap();
        assert_eq!(
            parse_retry_after("2.128", now),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(10))
        );
        // a date in the past means "now"
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn backoff_grows_and_stops_after_max_retries() {
        let p = RetryPolicy::default();
        let z = Duration::ZERO;
        assert_eq!(p.delay(1, None, z, 0.0), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(2, None, z, 0.0), Some(Duration::from_secs(6)));
        assert_eq!(p.delay(3, None, z, 0.0), Some(Duration::from_secs(12)));
        assert_eq!(p.delay(4, None, z, 0.0), None);
        let jittered = p.delay(1, None, z, 1.0).unwrap();
        assert!(jittered > Duration::from_secs(3) && jittered <= Duration::from_millis(3750));
    }

    #[test]
    fn retry_after_wins_but_total_wait_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_millis(2128)), Duration::ZERO, 0.5),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(
            p.delay(
                2,
                Some(Duration::from_secs(100)),
                Duration::from_secs(90),
                0.0
            ),
            None
        );
    }

    #[test]
    fn only_throttling_and_unavailable_are_retryable() {
        for s in [429, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [400, 401, 403, 404, 500] {
            assert!(!is_retryable_status(s));
        }
        assert_eq!(
            RetryPolicy::with_max_retries(50).max_retries,
            MAX_RETRIES_CAP
        );
    }
}
