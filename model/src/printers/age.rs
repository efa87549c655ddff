//! kubectl's duration formatting (`k8s.io/apimachinery/pkg/util/duration`).

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};

/// `duration.HumanDuration`: ~2-3 significant figures ("45s", "3m20s", "4h5m", "5d2h", "2y45d").
pub fn human_duration(secs: i64) -> String {
    // Up to one second in the future is tolerated as clock skew between machines.
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// `duration.ShortHumanDuration`: one unit only ("45s", "3m", "4h", "12d", "2y").
pub fn short_human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 60 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 24 {
        return format!("{hours}h");
    }
    if hours < 24 * 365 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// Whole seconds from `then` to `now`, truncated toward zero as Go's `int(d.Seconds())` does.
pub fn seconds_between(then: Timestamp, now: Timestamp) -> i64 {
    let nanos = now.as_nanosecond() - then.as_nanosecond();
    (nanos / 1_000_000_000) as i64
}

/// kubectl's `translateTimestampSince`: "<unknown>" for a missing time, else the human age.
pub fn age(t: Option<&Time>, now: Timestamp) -> String {
    match t {
        Some(t) => human_duration(seconds_between(t.0, now)),
        None => "<unknown>".into(),
    }
}

/// `translateMicroTimestampSince` for `MicroTime` fields (events).
pub fn micro_age(t: Option<&MicroTime>, now: Timestamp) -> String {
    match t {
        Some(t) => human_duration(seconds_between(t.0, now)),
        None => "<unknown>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_apimachinery() {
        let cases: &[(i64, &str)] = &[
            (-5, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (5, "5s"),
            (119, "119s"),
            (120, "2m"),
            (200, "3m20s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60 + 59, "179m"),
            (3 * 3600, "3h"),
            (4 * 3600 + 5 * 60, "4h5m"),
            (8 * 3600 + 59 * 60, "8h"),
            (47 * 3600, "47h"),
            (48 * 3600, "2d"),
            (5 * 86400 + 2 * 3600, "5d2h"),
            (8 * 86400, "8d"),
            (12 * 86400, "12d"),
            (729 * 86400, "729d"),
            (730 * 86400, "2y"),
            ((730 + 45) * 86400, "2y45d"),
            (8 * 365 * 86400, "8y"),
            (10 * 365 * 86400 + 3 * 86400, "10y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(*secs), *want, "{secs}s");
        }
    }

    #[test]
    fn short_human_duration_has_one_unit() {
        assert_eq!(short_human_duration(59), "59s");
        assert_eq!(short_human_duration(61), "1m");
        assert_eq!(short_human_duration(3 * 3600 + 1), "3h");
        assert_eq!(short_human_duration(3 * 86400), "3d");
        assert_eq!(short_human_duration(800 * 86400), "2y");
    }

    #[test]
    fn seconds_truncate_toward_zero() {
        let then: Timestamp = "2024-01-01T00:00:00Z".parse().unwrap();
        let now: Timestamp = "2024-01-01T00:00:01.9Z".parse().unwrap();
        assert_eq!(seconds_between(then, now), 1);
        assert_eq!(seconds_between(now, then), -1);
        assert_eq!(age(None, now), "<unknown>");
    }
}
