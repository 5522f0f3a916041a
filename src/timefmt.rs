//! Times as people read them: local time plus "3 min ago"; Graph's year-1 sentinel as "—".

use jiff::Timestamp;
use jiff::tz::TimeZone;

use sctui_graph::models::GraphTime;

/// "just now", "5 min ago", "3 h ago", "2 d ago", then the local date for anything older than
/// a month. Future instants (clock skew) read as "just now".
pub fn relative(then: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let secs = now.as_second() - then.as_second();
    if secs < 60 {
        return "just now".to_string();
    }
    let mins = secs / 60;
    if mins < 60 {
        return format!("{mins} min ago");
    }
    let hours = mins / 60;
    if hours < 24 {
        return format!("{hours} h ago");
    }
    let days = hours / 24;
    if days < 31 {
        return format!("{days} d ago");
    }
    then.to_zoned(tz.clone()).strftime("%Y-%m-%d").to_string()
}

/// How long something has been going on, short: "42 s", "12 min", "5 h", "2 d" (a run waiting
/// for capacity can wait days; "180030 s" reads as nothing).
pub fn elapsed(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..120 => format!("{secs} s"),
        120..7_200 => format!("{} min", secs / 60),
        7_200..172_800 => format!("{} h", secs / 3_600),
        _ => format!("{} d", secs / 86_400),
    }
}

/// Relative form of a Graph time, "—" when unset or unreadable.
pub fn relative_graph(time: Option<&GraphTime>, now: Timestamp, tz: &TimeZone) -> String {
    match time.and_then(GraphTime::instant) {
        Some(ts) => relative(ts, now, tz),
        None => "—".to_string(),
    }
}

/// Local date and time with the zone's abbreviation, e.g. `2025-09-17 21:23:41 CEST`.
pub fn local(ts: Timestamp, tz: &TimeZone) -> String {
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// "2025-09-17 21:23:41 CEST (3 d ago)", or "—" when unset. Older than a month, the age would
/// only repeat the date, so it is left out.
pub fn local_and_relative(time: Option<&GraphTime>, now: Timestamp, tz: &TimeZone) -> String {
    match time.and_then(GraphTime::instant) {
        Some(ts) => {
            let age = relative(ts, now, tz);
            if age.ends_with("ago") || age == "just now" {
                format!("{} ({age})", local(ts, tz))
            } else {
                local(ts, tz)
            }
        }
        None => "—".to_string(),
    }
}

/// Local date and time to the minute, `2025-09-17 21:23`, the same shape for every row of a
/// table (a column never mixes "just now" with bare dates); "—" when unset.
pub fn table_cell(time: Option<&GraphTime>, tz: &TimeZone) -> String {
    match time.and_then(GraphTime::instant) {
        Some(ts) => ts
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        None => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_times_stay_short() {
        assert_eq!(elapsed(-3), "0 s");
        assert_eq!(elapsed(42), "42 s");
        assert_eq!(elapsed(119), "119 s");
        assert_eq!(elapsed(125), "2 min");
        assert_eq!(elapsed(7_199), "119 min");
        assert_eq!(elapsed(144_000), "40 h");
        assert_eq!(elapsed(180_030), "2 d");
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn relative_buckets() {
        let now = ts("2026-01-31T12:00:00Z");
        let utc = TimeZone::UTC;
        assert_eq!(relative(ts("2026-01-31T11:59:30Z"), now, &utc), "just now");
        assert_eq!(relative(ts("2026-01-31T11:55:00Z"), now, &utc), "5 min ago");
        assert_eq!(relative(ts("2026-01-31T09:00:00Z"), now, &utc), "3 h ago");
        assert_eq!(relative(ts("2026-01-29T12:00:00Z"), now, &utc), "2 d ago");
        assert_eq!(
            relative(ts("2025-11-01T12:00:00Z"), now, &utc),
            "2025-11-01"
        );
        assert_eq!(relative(ts("2026-02-01T12:00:00Z"), now, &utc), "just now");
    }

    #[test]
    fn sentinel_and_missing_show_a_dash() {
        let now = ts("2026-01-31T12:00:00Z");
        let unset = GraphTime::new("0001-01-01T00:00:00Z");
        assert_eq!(relative_graph(Some(&unset), now, &TimeZone::UTC), "—");
        assert_eq!(local_and_relative(None, now, &TimeZone::UTC), "—");
        let t = GraphTime::new("2026-01-31T11:00:00.1234567Z");
        assert_eq!(
            local_and_relative(Some(&t), now, &TimeZone::UTC),
            "2026-01-31 11:00:00 UTC (1 h ago)"
        );
        let old = GraphTime::new("2025-06-01T08:00:00Z");
        assert_eq!(
            local_and_relative(Some(&old), now, &TimeZone::UTC),
            "2025-06-01 08:00:00 UTC",
            "no date repeated as the age"
        );
    }

    #[test]
    fn table_cells_have_one_shape_whatever_the_age() {
        let tz = TimeZone::UTC;
        let cells: Vec<String> = [
            "2026-01-31T11:59:59Z",
            "2026-01-31T09:00:00Z",
            "2025-06-01T08:00:00.1234567Z",
        ]
        .iter()
        .map(|t| table_cell(Some(&GraphTime::new(*t)), &tz))
        .collect();
        assert_eq!(
            cells,
            ["2026-01-31 11:59", "2026-01-31 09:00", "2025-06-01 08:00"]
        );
        assert_eq!(
            table_cell(Some(&GraphTime::new("0001-01-01T00:00:00Z")), &tz),
            "—"
        );
    }
}
