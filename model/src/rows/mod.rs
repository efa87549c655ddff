//! Compact row projections of watched objects.
//!
//! A list watch keeps no typed objects: each object is projected once, when its event arrives, to the
//! [`Row`] the tables sort, filter and draw; the typed object is dropped at once. A trimmed k8s-openapi
//! `Pod` takes about 6 KiB of memory, its row (with its cells, labels and owners) under 2 KiB (measured
//! by `benches/ui_scale.rs`), and rows make a changed object cost one projection rather than a
//! re-projection of the whole list.

mod project;

pub use project::{
    Project, cron_job, daemon_set, deployment, endpoint_slice, event, job, namespace, node, pod, pod_in_trouble,
    project, replica_set, service, stateful_set,
};

/// A compact projection of one object: what the table shows, sorts and filters on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Stable identity (uid, or name for things without one): the cursor follows it.
    pub key: String,
    /// Namespace ("" for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
    /// Every column but NAME, in kubectl's order (see `app::columns`); a time column holds only its
    /// time-free part (or its "<none>" fallback) and the time itself sits in `stamps`.
    pub cells: Vec<String>,
    /// Per cell: the Unix time a time column shows as an age (drawn against "now"); empty when none.
    pub stamps: Vec<Option<i64>>,
    /// creationTimestamp as Unix seconds; AGE is computed at draw time.
    pub created: Option<i64>,
    /// Object labels (for `-l` filters).
    pub labels: Vec<(String, String)>,
    /// For workloads and services: the pod label selector (for drill-down).
    pub selector: Option<Vec<(String, String)>>,
    /// For pods: `spec.nodeName` (for the node drill-down).
    pub node: Option<String>,
    /// Uids of the ownerReferences (for owner drill-downs).
    pub owners: Vec<String>,
    /// For EndpointSlices: each backend's identity and readiness (the ENDPOINTS column of services).
    pub backends: Vec<(String, bool)>,
    /// Pods and nodes: what their usage is measured against (the usage columns' percentages).
    pub capacity: Option<Box<crate::quantity::Capacity>>,
    /// What the triage rules read beyond the cells (None: nothing to say).
    pub facts: Option<Box<crate::triage::Facts>>,
    /// Something is wrong with this object (Warning event, failing pod, NotReady node): drawn emphasised.
    pub warn: bool,
}

impl Row {
    /// A row of the object's identity alone: key (uid, else namespace/name), namespace, name,
    /// creation time, labels and owner uids; the cells are the caller's.
    pub fn of_meta(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Row {
        let namespace = meta.namespace.clone().unwrap_or_default();
        let name = meta.name.clone().unwrap_or_default();
        Row {
            key: meta.uid.clone().unwrap_or_else(|| format!("{namespace}/{name}")),
            namespace,
            name,
            created: meta.creation_timestamp.as_ref().map(|t| t.0.as_second()),
            labels: meta
                .labels
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            owners: meta.owner_references.iter().flatten().map(|r| r.uid.clone()).collect(),
            ..Default::default()
        }
    }

    /// The time stamp of cell `n`, if it is a time column with a time.
    pub fn stamp(&self, n: usize) -> Option<i64> {
        self.stamps.get(n).copied().flatten()
    }

    /// The label value of `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// How a printer column is drawn from a stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFmt {
    /// The age of the stamp ("3m20s"); without a stamp the cell's own text ("<none>").
    Age,
    /// The cell text then the age: "5 (3m ago)" (RESTARTS); without a stamp the text alone.
    Ago,
}

/// The time format of a printer column, by its name (the printers format these against "now").
pub fn time_fmt(name: &str) -> Option<TimeFmt> {
    match name {
        // A running Job's Duration is the age of its start.
        "Age" | "Last Seen" | "First Seen" | "Last Schedule" | "Duration" => Some(TimeFmt::Age),
        "Restarts" => Some(TimeFmt::Ago),
        _ => None,
    }
}
