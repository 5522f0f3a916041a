//! The fake's "now", injected so tests move time instead of sleeping.
//!
//! Everything in the fake that depends on time (evaluation progress, token and device-code expiry,
//! new timestamps) reads one [`Clock`]. By default it follows the wall clock; a test can
//! [`Clock::advance`] it (tokens expire, evaluations finish) or [`Clock::freeze`] it. Times are cut
//! to Graph's resolution of 100 ns ticks, so what the fake stores is exactly what it writes.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy)]
enum Mode {
    /// The wall clock moved by an offset (zero unless advanced).
    Wall(SignedDuration),
    /// A fixed instant that only moves when told to.
    Frozen(Timestamp),
}

/// A cloneable handle on the fake's time; all clones share it.
#[derive(Debug, Clone)]
pub struct Clock {
    mode: Arc<Mutex<Mode>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

/// Cuts an instant to Graph's 100 ns ticks (7 fractional digits).
pub fn to_ticks(t: Timestamp) -> Timestamp {
    let extra = i64::from(t.subsec_nanosecond().rem_euclid(100));
    t.checked_sub(SignedDuration::from_nanos(extra))
        .unwrap_or(t)
}

impl Clock {
    /// The wall clock.
    pub fn system() -> Self {
        Self {
            mode: Arc::new(Mutex::new(Mode::Wall(SignedDuration::ZERO))),
        }
    }

    /// A clock stopped at `at` (unit tests that want exact times).
    pub fn frozen(at: Timestamp) -> Self {
        Self {
            mode: Arc::new(Mutex::new(Mode::Frozen(to_ticks(at)))),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Mode> {
        self.mode.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current instant, in 100 ns ticks.
    pub fn now(&self) -> Timestamp {
        let t = match *self.lock() {
            Mode::Wall(offset) => Timestamp::now()
                .saturating_add(offset)
                .unwrap_or(Timestamp::MAX),
            Mode::Frozen(t) => t,
        };
        to_ticks(t)
    }

    /// Moves time forward by `by`: tokens and device codes expire, evaluations progress, as if
    /// that much time had passed.
    pub fn advance(&self, by: Duration) {
        let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
        let mut mode = self.lock();
        *mode = match *mode {
            Mode::Wall(offset) => Mode::Wall(offset.saturating_add(by)),
            Mode::Frozen(t) => Mode::Frozen(t.saturating_add(by).unwrap_or(Timestamp::MAX)),
        };
    }

    /// Stops time where it is now; [`Self::advance`] still moves it.
    pub fn freeze(&self) {
        let now = self.now();
        *self.lock() = Mode::Frozen(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_wall_and_frozen_clocks() {
        let wall = Clock::system();
        let before = wall.now();
        wall.advance(Duration::from_secs(3600));
        assert!(wall.now() >= before + SignedDuration::from_secs(3600));

        let at: Timestamp = "2025-09-17T19:23:41.15066019Z".parse().unwrap();
        let frozen = Clock::frozen(at);
        let ts = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(frozen.now(), ts("2025-09-17T19:23:41.1506601Z"));
        frozen.advance(Duration::from_millis(1500));
        assert_eq!(frozen.now(), ts("2025-09-17T19:23:42.6506601Z"));
        let shared = frozen.clone();
        shared.advance(Duration::from_secs(1));
        assert_eq!(frozen.now(), shared.now());
    }

    #[test]
    fn freeze_stops_time() {
        let c = Clock::system();
        c.freeze();
        let a = c.now();
        std::thread::yield_now();
        assert_eq!(a, c.now());
    }
}
