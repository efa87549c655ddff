//! CronJob schedules: the standard 5-field cron syntax (numbers, ranges, steps, lists, `*`,
//! month and weekday names, `@hourly`…`@yearly`) parsed by the `croner` crate, with the time
//! zone from `spec.timeZone` or a `CRON_TZ=`/`TZ=` prefix (UTC otherwise).

use std::collections::VecDeque;

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A parsed schedule in its time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    tz: TimeZone,
}

/// The most missed start times the CronJob controller looks at, as the real one caps them.
pub const MAX_MISSED: usize = 100;

/// Parses a CronJob schedule; `time_zone` is `spec.timeZone`.
pub fn parse(schedule: &str, time_zone: Option<&str>) -> Result<Schedule, String> {
    let mut expr = schedule.trim();
    let mut zone = time_zone.filter(|z| !z.is_empty()).map(String::from);
    for prefix in ["CRON_TZ=", "TZ="] {
        if let Some(rest) = expr.strip_prefix(prefix) {
            let (z, tail) = rest
                .split_once(char::is_whitespace)
                .ok_or("missing schedule after time zone")?;
            if zone.is_some() {
                return Err("cannot use both timeZone field and TZ or CRON_TZ in schedule".into());
            }
            zone = Some(z.to_string());
            expr = tail.trim();
        }
    }
    let tz = match zone {
        Some(z) => TimeZone::get(&z).map_err(|_| format!("unknown time zone {z}"))?,
        None => TimeZone::UTC,
    };
    // The descriptors robfig/cron (the real controller's parser) accepts.
    let expr = match expr.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => expr,
    };
    let fields = expr.split_whitespace().count();
    if fields != 5 {
        return Err(format!("expected exactly 5 fields, found {fields}: {expr}"));
    }
    let cron = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .build()
        .parse(expr)
        .map_err(|e| e.to_string())?;
    Ok(Schedule { cron, tz })
}

impl Schedule {
    /// The first scheduled time strictly after `t`.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let z = t.to_zoned(self.tz.clone());
        self.cron.find_next_occurrence(&z, false).ok().map(|n| n.timestamp())
    }

    /// `t` in RFC 3339 in the schedule's zone, as Go's `time.RFC3339` prints it ("Z" for UTC).
    pub fn rfc3339(&self, t: Timestamp) -> String {
        let z = t.to_zoned(self.tz.clone());
        if z.offset().seconds() == 0 {
            z.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        }
    }
}

/// The scheduled times in `(last, now]`, oldest first; only the newest [`MAX_MISSED`] + 1 are
/// kept (the controller starts the newest and reports the rest as missed).
pub fn due_times(schedule: &Schedule, last: Timestamp, now: Timestamp) -> Vec<Timestamp> {
    let mut due = VecDeque::new();
    let mut t = last;
    // A schedule far in the past is not walked minute by minute beyond what can matter.
    let mut steps = 0;
    while let Some(next) = schedule.next_after(t) {
        if next > now || steps > 1_000_000 {
            break;
        }
        due.push_back(next);
        if due.len() > MAX_MISSED + 1 {
            due.pop_front();
        }
        t = next;
        steps += 1;
    }
    due.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn next_times_of_known_expressions() {
        // Monday 15 January 2024, 10:30 UTC.
        let base = ts("2024-01-15T10:30:00Z");
        let cases = [
            ("* * * * *", "2024-01-15T10:31:00Z"),
            ("*/15 * * * *", "2024-01-15T10:45:00Z"),
            ("0 * * * *", "2024-01-15T11:00:00Z"),
            ("@hourly", "2024-01-15T11:00:00Z"),
            ("@daily", "2024-01-16T00:00:00Z"),
            ("@midnight", "2024-01-16T00:00:00Z"),
            ("@weekly", "2024-01-21T00:00:00Z"),
            ("@monthly", "2024-02-01T00:00:00Z"),
            ("@yearly", "2025-01-01T00:00:00Z"),
            ("@annually", "2025-01-01T00:00:00Z"),
            ("30 9 * * 1-5", "2024-01-16T09:30:00Z"),
            ("0 0 29 2 *", "2024-02-29T00:00:00Z"),
            ("5,35 * * * *", "2024-01-15T10:35:00Z"),
            ("0 12 * JAN,FEB MON", "2024-01-15T12:00:00Z"),
            ("0 12 * * mon", "2024-01-15T12:00:00Z"),
            // Both day fields restricted: either matches (Sunday the 21st before the 1st).
            ("0 0 1 * SUN", "2024-01-21T00:00:00Z"),
            ("10-20/5 14 * * *", "2024-01-15T14:10:00Z"),
            ("0 9 * * SAT", "2024-01-20T09:00:00Z"),
            ("0 0 * * 7", "2024-01-21T00:00:00Z"),
            ("59 23 31 12 *", "2024-12-31T23:59:00Z"),
            ("0 0 1 */3 *", "2024-04-01T00:00:00Z"),
            ("CRON_TZ=Europe/Paris 0 9 * * *", "2024-01-16T08:00:00Z"),
            ("TZ=America/New_York 0 6 * * *", "2024-01-15T11:00:00Z"),
        ];
        for (expr, want) in cases {
            let s = parse(expr, None).unwrap_or_else(|e| panic!("{expr}: {e}"));
            assert_eq!(s.next_after(base), Some(ts(want)), "{expr}");
        }
        let tokyo = parse("0 9 * * *", Some("Asia/Tokyo")).unwrap();
        assert_eq!(tokyo.next_after(base), Some(ts("2024-01-16T00:00:00Z")));
    }

    #[test]
    fn invalid_schedules_are_refused() {
        for bad in [
            "",
            "60 * * * *",
            "* * * *",
            "0 0 * * * *",
            "bogus",
            "* 24 * * *",
            "0 0 32 * *",
            "0 0 * 13 *",
        ] {
            assert!(parse(bad, None).is_err(), "{bad:?} accepted");
        }
        assert!(parse("* * * * *", Some("Mars/Olympus")).is_err());
        assert!(parse("CRON_TZ=UTC * * * * *", Some("UTC")).is_err());
    }

    #[test]
    fn due_times_lists_what_passed_since_the_last_run() {
        let every = parse("* * * * *", None).unwrap();
        let due = due_times(&every, ts("2024-01-15T10:00:00Z"), ts("2024-01-15T10:03:30Z"));
        assert_eq!(
            due,
            [
                ts("2024-01-15T10:01:00Z"),
                ts("2024-01-15T10:02:00Z"),
                ts("2024-01-15T10:03:00Z")
            ]
        );
        assert!(due_times(&every, ts("2024-01-15T10:03:00Z"), ts("2024-01-15T10:03:59Z")).is_empty());
        let hourly = parse("@hourly", None).unwrap();
        let long = due_times(&hourly, ts("2020-01-01T00:00:00Z"), ts("2024-01-15T10:30:00Z"));
        assert_eq!(long.len(), MAX_MISSED + 1);
        assert_eq!(long.last(), Some(&ts("2024-01-15T10:00:00Z")));
    }
}
