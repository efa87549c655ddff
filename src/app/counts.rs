//! The header's cluster counts: nodes ready/total, pods running/total, Warning events in the last hour
//! (counted by the store, `store::header`).

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
    /// Problems the triage rules find by severity (errors, warnings, infos) in what is watched
    /// already; None until the header's watches have synced.
    pub problems: Option<[usize; 3]>,
    /// The namespace pods and events were counted in, when listing them cluster-wide was refused.
    pub namespace: Option<String>,
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
