//! The User-Agent of every request the demo cluster answers, as an API server's audit log
//! records it: how tests (and a curious operator) tell kubedeck's requests from others.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Requests counted per User-Agent (`""` for a request without one).
#[derive(Debug, Default)]
pub struct UserAgents(Mutex<BTreeMap<String, u64>>);

impl UserAgents {
    /// Counts one request sent with `agent`.
    pub fn record(&self, agent: Option<&str>) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(agent.unwrap_or_default().to_string()).or_default() += 1;
    }

    /// Every User-Agent seen so far with its request count.
    pub fn seen(&self) -> BTreeMap<String, u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
