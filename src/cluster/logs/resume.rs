//! Splitting the server's timestamps off lines, and resuming a broken stream with no gap or duplicate.
//!
//! A reconnect asks for `sinceTime` = the last timestamp seen, floored to the second (the API takes
//! whole seconds, and kube-rs would otherwise round up and skip lines). The server then repeats up to a
//! second of lines: those older than the last timestamp are dropped, and at the last timestamp itself
//! the lines already delivered are dropped by content, so two distinct lines sharing a stamp both stay.

use jiff::Timestamp;

/// Split "2026-01-01T00:00:00.5Z text" into its timestamp and text.
pub fn split(raw: &str) -> (Option<Timestamp>, &str) {
    let raw = raw.strip_suffix('\n').unwrap_or(raw);
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    match raw.split_once(' ') {
        Some((stamp, text)) => match stamp.parse::<Timestamp>() {
            Ok(ts) => (Some(ts), text),
            Err(_) => (None, raw),
        },
        None => match raw.parse::<Timestamp>() {
            Ok(ts) => (Some(ts), ""),
            Err(_) => (None, raw),
        },
    }
}

/// `t` without its fraction of a second.
pub fn floor(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// Where a stream is, for reading on after a break.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    last: Option<Timestamp>,
    /// Texts delivered with timestamp == `last`.
    at_last: Vec<String>,
    /// After a reconnect: texts at `last` still expected once more from the server.
    skipping: Vec<String>,
    replaying: bool,
}

impl Resume {
    /// The `sinceTime` to reconnect with (None: nothing seen yet).
    pub fn since(&self) -> Option<Timestamp> {
        self.last.map(floor)
    }

    /// The last timestamp delivered.
    pub fn last(&self) -> Option<Timestamp> {
        self.last
    }

    /// A new connection starts: what comes first may repeat what was delivered.
    pub fn reconnect(&mut self) {
        self.replaying = self.last.is_some();
        self.skipping = self.at_last.clone();
    }

    /// Whether a line is new (and remember it); repeats of delivered lines answer false.
    pub fn accept(&mut self, ts: Option<Timestamp>, text: &str) -> bool {
        if self.replaying
            && let (Some(t), Some(last)) = (ts, self.last)
        {
            if t < last {
                return false;
            }
            if t == last {
                if let Some(i) = self.skipping.iter().position(|s| s == text) {
                    self.skipping.swap_remove(i);
                    return false;
                }
            } else {
                self.replaying = false;
            }
        }
        if let Some(t) = ts {
            if Some(t) == self.last {
                self.at_last.push(text.to_string());
            } else if self.last.is_none_or(|l| t > l) {
                self.last = Some(t);
                self.at_last.clear();
                self.at_last.push(text.to_string());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn split_takes_the_rfc3339_stamp_off() {
        let (ts, text) = split("2026-01-01T00:00:30.5Z {\"a\":1} x\n");
        assert_eq!(ts, Some(t("2026-01-01T00:00:30.5Z")));
        assert_eq!(text, "{\"a\":1} x");
        assert_eq!(split("no stamp here"), (None, "no stamp here"));
        assert_eq!(split("2026-01-01T00:00:30Z"), (Some(t("2026-01-01T00:00:30Z")), ""));
    }

    #[test]
    fn since_is_floored_to_the_second() {
        let mut r = Resume::default();
        assert_eq!(r.since(), None);
        r.accept(Some(t("2026-01-01T00:00:30.9Z")), "a");
        assert_eq!(r.since(), Some(t("2026-01-01T00:00:30Z")));
    }

    #[test]
    fn a_replayed_second_yields_only_new_lines() {
        let mut r = Resume::default();
        let lines = [
            ("2026-01-01T00:00:30.1Z", "a"),
            ("2026-01-01T00:00:30.5Z", "b"),
            ("2026-01-01T00:00:30.5Z", "c"),
        ];
        for (ts, text) in lines {
            assert!(r.accept(Some(t(ts)), text));
        }
        r.reconnect();
        // The server repeats the whole second, then goes on; "d" shares the last stamp but is new.
        let replay = [
            ("2026-01-01T00:00:30.1Z", "a", false),
            ("2026-01-01T00:00:30.5Z", "b", false),
            ("2026-01-01T00:00:30.5Z", "d", true),
            ("2026-01-01T00:00:30.5Z", "c", false),
            ("2026-01-01T00:00:30.7Z", "e", true),
            ("2026-01-01T00:00:30.7Z", "e", true),
        ];
        for (ts, text, new) in replay {
            assert_eq!(r.accept(Some(t(ts)), text), new, "{ts} {text}");
        }
        assert_eq!(r.last(), Some(t("2026-01-01T00:00:30.7Z")));
    }
}
