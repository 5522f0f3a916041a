//! `--since DURATION`: `90s`, `30m`, `12h`, `7d`, `2w`, or combinations such as `1d12h`.

use std::time::Duration;

/// Parses a duration as people type it; the error says what is accepted.
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration: use e.g. 90s, 30m, 12h, 7d, 2w or 1d12h");
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    if !number.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn units_and_combinations() {
        assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse("1d12h"), Ok(Duration::from_secs(129_600)));
        assert_eq!(parse("2w"), Ok(Duration::from_secs(1_209_600)));
        for bad in ["", "7", "d", "7x", "1.5h", "-1d", "99999999999999999999w"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
