//! Small helpers shared by the node-side controllers: scaled delays, timestamps, ids, waiting on the store.

use std::time::Duration;

use serde_json::Value;

/// A simulated delay of `secs` seconds, scaled by the run's time scale.
pub fn scaled(time_scale: f64, secs: f64) -> Duration {
    Duration::from_secs_f64((secs * time_scale).max(0.0))
}

/// `n` random lowercase hex digits.
pub fn rand_hex(n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rand::random_range(0..16u32), 16).unwrap_or('0'))
        .collect()
}

/// A timestamp `secs` seconds ago, formatted as the API server writes them.
pub fn ago(secs: i64) -> String {
    let t = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs);
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A string annotation of an object.
pub fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v["metadata"]["annotations"][key].as_str()
}

/// Waits until `pred` holds, re-checking after every store change; false when `timeout` passes first.
#[cfg(test)]
pub async fn wait_for(
    store: &crate::store::Store,
    timeout: Duration,
    mut pred: impl FnMut(&crate::store::Store) -> bool,
) -> bool {
    let mut rx = store.subscribe();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if pred(store) {
            return true;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Err(_) => return pred(store),
            Ok(Err(tokio::sync::broadcast::error::RecvError::Closed)) => return pred(store),
            Ok(_) => {}
        }
    }
}
