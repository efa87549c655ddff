//! Process-wide tallies of trouble kubedeck itself met talking to the API server, for the
//! control-plane screen: watch restarts and 429 answers since start.

use std::sync::atomic::{AtomicU64, Ordering};

static WATCH_RESTARTS: AtomicU64 = AtomicU64::new(0);
static THROTTLED: AtomicU64 = AtomicU64::new(0);

/// A watch stream failed and will be re-established (the watcher's backoff restarts it).
pub fn watch_restarted() {
    WATCH_RESTARTS.fetch_add(1, Ordering::Relaxed);
}

/// The server answered a request with 429 Too Many Requests (retried or not).
pub fn throttled() {
    THROTTLED.fetch_add(1, Ordering::Relaxed);
}

/// Watch restarts since start.
pub fn watch_restarts() -> u64 {
    WATCH_RESTARTS.load(Ordering::Relaxed)
}

/// 429 answers since start.
pub fn throttled_total() -> u64 {
    THROTTLED.load(Ordering::Relaxed)
}

/// Counts a response on its way up the client's middleware, below kube's retry layer, so that
/// 429s kube retries by itself are counted too.
pub fn observe<B>(res: http::Response<B>) -> http::Response<B> {
    if res.status() == http::StatusCode::TOO_MANY_REQUESTS {
        throttled();
    }
    res
}
