//! The header's cluster counts: nodes ready/total, pods running/total, Warning events in the last hour.

use crate::cluster::cache::Snapshot;
use crate::cluster::printers::{nodes, pods};

/// One header count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Tally {
    /// Not known yet (watch starting or listing).
    #[default]
    Unknown,
    /// The server refused the list (403): shown as "n/a".
    Forbidden,
    /// `good` of `total` (ready nodes, running pods).
    Of {
        /// Ready / running.
        good: usize,
        /// All.
        total: usize,
    },
    /// A plain count (warnings).
    Count(usize),
}

/// What the header shows about the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts {
    /// Nodes Ready / total.
    pub nodes: Tally,
    /// Pods whose STATUS is Running / total.
    pub pods: Tally,
    /// Warning events last seen within the last hour.
    pub warnings: Tally,
    /// The namespace pods and events were counted in, when listing them cluster-wide was refused.
    pub namespace: Option<String>,
}

/// Nodes whose STATUS starts with Ready (cordoned ones included, as kubectl shows "Ready,SchedulingDisabled").
pub fn nodes(snap: &Snapshot) -> Tally {
    let Snapshot::Node(s) = snap else { return Tally::Unknown };
    let all = s.state();
    let good = all
        .iter()
        .filter(|n| nodes::node_status(n).split(',').next() == Some("Ready"))
        .count();
    Tally::Of { good, total: all.len() }
}

/// Pods whose kubectl STATUS is "Running" (a crash-looping pod is not, even in phase Running).
pub fn pods(snap: &Snapshot) -> Tally {
    let Snapshot::Pod(s) = snap else { return Tally::Unknown };
    let all = s.state();
    let good = all.iter().filter(|p| pods::pod_status(p) == "Running").count();
    Tally::Of { good, total: all.len() }
}

/// Warning events last seen at or after `since` (Unix seconds).
pub fn warnings(snap: &Snapshot, since: i64) -> Tally {
    let Snapshot::Event(s) = snap else {
        return Tally::Unknown;
    };
    let n = s
        .state()
        .iter()
        .filter(|e| e.type_.as_deref() == Some("Warning"))
        .filter(|e| {
            let last = e
                .series
                .as_ref()
                .and_then(|x| x.last_observed_time.as_ref().map(|t| t.0))
                .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
                .or_else(|| e.event_time.as_ref().map(|t| t.0))
                .or_else(|| e.first_timestamp.as_ref().map(|t| t.0));
            last.is_some_and(|t| t.as_second() >= since)
        })
        .count();
    Tally::Count(n)
}

impl Tally {
    /// The text the header shows.
    pub fn text(&self) -> String {
        match self {
            Tally::Unknown => "…".into(),
            Tally::Forbidden => "n/a".into(),
            Tally::Of { good, total } => format!("{good}/{total}"),
            Tally::Count(n) => n.to_string(),
        }
    }

    /// Whether the count shows a problem (some not ready / not running, any warning).
    pub fn bad(&self) -> bool {
        match self {
            Tally::Of { good, total } => good < total,
            Tally::Count(n) => *n > 0,
            _ => false,
        }
    }
}
