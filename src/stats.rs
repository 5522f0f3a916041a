//! Capacity at a glance: evaluations per hour and per day by how they ended, the share that hit
//! capacity, and the median time to an answer, computed from the runs the local store recorded
//! (pure: no clock, no disk; `sctui stats` and the TUI's stats view both draw from it).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;

/// How a run ended, in the groups the stats count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Success,
    CapacityExceeded,
    TimedOut,
    Error,
    Rejected,
    /// Still running, waiting for input, cancelled, or a result type not listed above.
    Other,
}

impl Outcome {
    /// Every outcome, in the order bars stack and columns print.
    pub const ALL: [Outcome; 6] = [
        Outcome::Success,
        Outcome::CapacityExceeded,
        Outcome::TimedOut,
        Outcome::Error,
        Outcome::Rejected,
        Outcome::Other,
    ];

    /// The group of Graph's `result.type` (`None` while there is no result).
    pub fn of(result_type: Option<&str>) -> Self {
        match result_type {
            Some("success") => Self::Success,
            Some("capacityExceeded") => Self::CapacityExceeded,
            Some("timedOut") => Self::TimedOut,
            Some("error") => Self::Error,
            Some("rejected") => Self::Rejected,
            _ => Self::Other,
        }
    }

    /// Graph's spelling (and the JSON field name); `other` for the rest.
    pub fn name(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::CapacityExceeded => "capacityExceeded",
            Self::TimedOut => "timedOut",
            Self::Error => "error",
            Self::Rejected => "rejected",
            Self::Other => "other",
        }
    }
}

/// One recorded run: when it started, when it ended, how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub created: Timestamp,
    pub completed: Option<Timestamp>,
    pub outcome: Outcome,
}

/// Runs counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub success: u64,
    pub capacity_exceeded: u64,
    pub timed_out: u64,
    pub error: u64,
    pub rejected: u64,
    pub other: u64,
}

impl Counts {
    /// The count of one outcome.
    pub fn get(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Success => self.success,
            Outcome::CapacityExceeded => self.capacity_exceeded,
            Outcome::TimedOut => self.timed_out,
            Outcome::Error => self.error,
            Outcome::Rejected => self.rejected,
            Outcome::Other => self.other,
        }
    }

    fn add(&mut self, outcome: Outcome) {
        let slot = match outcome {
            Outcome::Success => &mut self.success,
            Outcome::CapacityExceeded => &mut self.capacity_exceeded,
            Outcome::TimedOut => &mut self.timed_out,
            Outcome::Error => &mut self.error,
            Outcome::Rejected => &mut self.rejected,
            Outcome::Other => &mut self.other,
        };
        *slot += 1;
    }

    /// All runs counted.
    pub fn total(&self) -> u64 {
        Outcome::ALL.iter().map(|o| self.get(*o)).sum()
    }
}

/// The runs that started in one hour or one day (local time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// Where the hour or day starts.
    pub start: Timestamp,
    #[serde(flatten)]
    pub counts: Counts,
}

/// What `sctui stats` prints and the stats view draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The window: runs started at or after `since`, up to `until`.
    pub since: Timestamp,
    pub until: Timestamp,
    pub evaluations: u64,
    pub by_result: Counts,
    /// capacityExceeded runs over all runs (0 when there were none).
    pub capacity_share: f64,
    /// The median time from start to a successful answer, in seconds.
    pub median_seconds_to_answer: Option<f64>,
    /// Every hour of the window, oldest first (empty hours too, so bars line up with time).
    pub per_hour: Vec<Bucket>,
    /// Every day of the window, oldest first.
    pub per_day: Vec<Bucket>,
}

/// The start of the hour holding `t` in `tz`.
fn hour_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    let zoned = t.to_zoned(tz.clone());
    zoned
        .with()
        .minute(0)
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .map_or(t, |z| z.timestamp())
}

/// The start of the day holding `t` in `tz`.
fn day_start(t: Timestamp, tz: &TimeZone) -> Timestamp {
    t.to_zoned(tz.clone())
        .start_of_day()
        .map_or(t, |z| z.timestamp())
}

/// Buckets from the one holding `since` to the one holding `until`, each `next` after the last.
fn buckets(
    since: Timestamp,
    until: Timestamp,
    start_of: impl Fn(Timestamp) -> Timestamp,
    next: impl Fn(Timestamp) -> Timestamp,
) -> Vec<Bucket> {
    let mut out = Vec::new();
    let mut at = start_of(since);
    let last = start_of(until);
    while at <= last {
        out.push(Bucket {
            start: at,
            counts: Counts::default(),
        });
        let after = next(at);
        if after <= at {
            break;
        }
        at = after;
    }
    out
}

/// The bucket a time falls in (buckets sorted by start).
fn bucket_for(buckets: &mut [Bucket], t: Timestamp) -> Option<&mut Bucket> {
    let i = buckets.partition_point(|b| b.start <= t);
    i.checked_sub(1).and_then(|i| buckets.get_mut(i))
}

/// Summarises the runs that started in `[since, until]`, hours and days in `tz`.
pub fn summarise(runs: &[Run], since: Timestamp, until: Timestamp, tz: &TimeZone) -> Summary {
    let mut per_hour = buckets(
        since,
        until,
        |t| hour_start(t, tz),
        |t| t.saturating_add(SignedDuration::from_hours(1)).unwrap_or(t),
    );
    let mut per_day = buckets(
        since,
        until,
        |t| day_start(t, tz),
        |t| {
            t.to_zoned(tz.clone())
                .checked_add(1.day())
                .map_or(t, |z| z.timestamp())
        },
    );
    let mut by_result = Counts::default();
    let mut answer_times: Vec<f64> = Vec::new();
    for run in runs
        .iter()
        .filter(|r| r.created >= since && r.created <= until)
    {
        by_result.add(run.outcome);
        if let Some(b) = bucket_for(&mut per_hour, run.created) {
            b.counts.add(run.outcome);
        }
        if let Some(b) = bucket_for(&mut per_day, run.created) {
            b.counts.add(run.outcome);
        }
        if run.outcome == Outcome::Success
            && let Some(done) = run.completed
            && done >= run.created
        {
            answer_times.push(done.duration_since(run.created).as_secs_f64());
        }
    }
    let evaluations = by_result.total();
    let capacity_share = if evaluations == 0 {
        0.0
    } else {
        by_result.capacity_exceeded as f64 / evaluations as f64
    };
    Summary {
        since,
        until,
        evaluations,
        by_result,
        capacity_share,
        median_seconds_to_answer: median(&mut answer_times),
        per_hour,
        per_day,
    }
}

/// The median (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

/// When capacity renews after a run that hit it at `at`: the start of the next hour (Security
/// Compute Units are provisioned by the hour).
pub fn capacity_renews(at: Timestamp) -> Timestamp {
    let hour = hour_start(at, &TimeZone::UTC);
    hour.saturating_add(SignedDuration::from_hours(1))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn run(created: &str, secs: i64, outcome: Outcome) -> Run {
        let created = ts(created);
        Run {
            created,
            completed: Some(created + SignedDuration::from_secs(secs)),
            outcome,
        }
    }

    #[test]
    fn counts_by_hour_and_day_with_the_capacity_share_and_median() {
        use Outcome as O;
        let runs = [
            run("2025-03-01T09:05:00Z", 10, O::Success),
            run("2025-03-01T09:40:00Z", 30, O::Success),
            run("2025-03-01T09:50:00Z", 1, O::CapacityExceeded),
            run("2025-03-01T11:00:00Z", 20, O::Success),
            run("2025-03-02T00:10:00Z", 50, O::TimedOut),
            // outside the window
            run("2025-02-20T00:00:00Z", 5, O::Success),
        ];
        let s = summarise(
            &runs,
            ts("2025-03-01T08:30:00Z"),
            ts("2025-03-02T01:00:00Z"),
            &TimeZone::UTC,
        );
        assert_eq!(s.evaluations, 5);
        assert_eq!(s.by_result.success, 3);
        assert_eq!(s.by_result.capacity_exceeded, 1);
        assert_eq!(s.by_result.timed_out, 1);
        assert!((s.capacity_share - 0.2).abs() < 1e-9);
        // successes took 10, 30 and 20 s
        assert_eq!(s.median_seconds_to_answer, Some(20.0));
        // 08:00 … 01:00 next day: 18 hours, every one present
        assert_eq!(s.per_hour.len(), 18);
        assert_eq!(s.per_hour[0].start, ts("2025-03-01T08:00:00Z"));
        let nine = &s.per_hour[1];
        assert_eq!((nine.counts.success, nine.counts.capacity_exceeded), (2, 1));
        assert_eq!(s.per_hour[2].counts.total(), 0);
        assert_eq!(s.per_hour[3].counts.success, 1);
        assert_eq!(s.per_day.len(), 2);
        assert_eq!(s.per_day[0].counts.total(), 4);
        assert_eq!(s.per_day[1].counts.timed_out, 1);
    }

    #[test]
    fn days_follow_the_local_time_zone_and_nothing_gives_no_median() {
        let tz = TimeZone::get("America/New_York").unwrap_or(TimeZone::fixed(jiff::tz::offset(-5)));
        // 03:00 UTC is the evening before in New York
        let runs = [run("2025-03-02T03:00:00Z", 5, Outcome::Error)];
        let s = summarise(
            &runs,
            ts("2025-03-01T12:00:00Z"),
            ts("2025-03-02T12:00:00Z"),
            &tz,
        );
        let day = s.per_day.iter().find(|d| d.counts.total() == 1).unwrap();
        assert_eq!(
            day.start.to_zoned(tz.clone()).date(),
            jiff::civil::date(2025, 3, 1)
        );
        assert_eq!(s.median_seconds_to_answer, None);
        let empty = summarise(
            &[],
            ts("2025-03-01T12:00:00Z"),
            ts("2025-03-01T12:00:00Z"),
            &tz,
        );
        assert_eq!(empty.capacity_share, 0.0);
        assert_eq!(empty.per_hour.len(), 1);
    }

    #[test]
    fn capacity_renews_at_the_next_full_hour() {
        assert_eq!(
            capacity_renews(ts("2025-03-01T09:59:59Z")),
            ts("2025-03-01T10:00:00Z")
        );
        assert_eq!(
            capacity_renews(ts("2025-03-01T10:00:00Z")),
            ts("2025-03-01T11:00:00Z")
        );
    }

    #[test]
    fn result_types_fall_in_their_groups() {
        assert_eq!(
            Outcome::of(Some("capacityExceeded")),
            Outcome::CapacityExceeded
        );
        assert_eq!(Outcome::of(Some("needAdditionalClaims")), Outcome::Other);
        assert_eq!(Outcome::of(None), Outcome::Other);
        for o in Outcome::ALL {
            assert_eq!(Outcome::of(Some(o.name())), o);
        }
    }
}
