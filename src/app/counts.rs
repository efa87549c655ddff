//! The header's cluster counts: nodes ready/total, pods running/total, Warning events in the last hour.

use std::sync::Arc;

use crate::cluster::rows::Row;

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
pub fn nodes(rows: &[Arc<Row>]) -> Tally {
    // STATUS is the first cell after NAME.
    let good = rows
        .iter()
        .filter(|n| n.cells.first().and_then(|s| s.split(',').next()) == Some("Ready"))
        .count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Pods whose kubectl STATUS is "Running" (a crash-looping pod is not, even in phase Running).
pub fn pods(rows: &[Arc<Row>]) -> Tally {
    // READY, then STATUS.
    let good = rows
        .iter()
        .filter(|p| p.cells.get(1).map(String::as_str) == Some("Running"))
        .count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Warning events last seen at or after `since` (Unix seconds).
pub fn warnings(rows: &[Arc<Row>], since: i64) -> Tally {
    // LAST SEEN is the first cell, and its stamp the time.
    let n = rows
        .iter()
        .filter(|e| e.warn && e.stamp(0).is_some_and(|t| t >= since))
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
