//! How far a watch has got, as the screen shows it.

use std::time::Instant;

/// How far a watch has got, as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchStatus {
    /// The initial list is running; `listed` objects so far.
    Loading {
        /// Objects received so far.
        listed: usize,
        /// About how many there are (the server's count at the start), once known.
        total: Option<usize>,
    },
    /// The store mirrors the server.
    Ready,
    /// The server refused the list or watch with 403; its message names user, verb and resource.
    Forbidden {
        /// The server's Status message.
        message: String,
    },
    /// The connection dropped; data is as of `since`, reconnecting with backoff.
    Stale {
        /// When the last good event arrived (or the watch started).
        since: Instant,
        /// Why the connection dropped.
        error: String,
    },
}

impl WatchStatus {
    /// "3,500 / ~10,000" while loading (without the total until the server's count is known).
    pub fn progress(&self) -> Option<String> {
        let WatchStatus::Loading { listed, total } = self else {
            return None;
        };
        Some(match total {
            Some(t) => format!("{} / ~{}", thousands(*listed), thousands((*t).max(*listed))),
            None => thousands(*listed),
        })
    }
}

/// 12345 → "12,345".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
