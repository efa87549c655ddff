//! Compact row projections of watched objects.
//!
//! A list watch keeps no typed objects: each object is projected once, when its event arrives, to the
//! [`Row`] the tables sort, filter and draw; the typed object is dropped at once. A trimmed k8s-openapi
//! `Pod` takes about 6 KiB of memory, its row held by its watch's store ~600 bytes (measured by
//! `tests/row_bytes.rs`), and rows make a changed object cost one projection rather than a
//! re-projection of the whole list.

mod project;
mod stamps;

pub use project::{
    Project, cron_job, daemon_set, deployment, endpoint_slice, event, job, namespace, node, pod, pod_in_trouble,
    project, replica_set, service, stateful_set,
};
pub use stamps::Stamps;

/// A row's text: up to 24 bytes are held in place, without an allocation of their own (most cells,
/// namespaces, node names, label keys and values): at 100,000 pods, a String each was ~60 MB.
pub type Text = compact_str::CompactString;

/// A row's labels, shared by the rows that have the same ones (the pods of one ReplicaSet: see
/// `RowStore`): a pod's own three labels were ~200 bytes.
pub type Labels = std::sync::Arc<[(Text, Text)]>;

/// Uids of a row's owners, shared as [`Labels`] are (a pod's ReplicaSet uid was ~80 bytes).
pub type Owners = std::sync::Arc<[String]>;

/// A compact projection of one object: what the table shows, sorts and filters on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Stable identity (uid, or name for things without one): the cursor follows it.
    pub key: String,
    /// Namespace ("" for cluster-scoped objects).
    pub namespace: Text,
    /// Object name.
    pub name: Text,
    /// Every column but NAME, in kubectl's order (see `app::columns`); a time column holds only its
    /// time-free part (or its "<none>" fallback) and the time itself sits in `stamps`.
    pub cells: Vec<Text>,
    /// Per cell: the Unix time a time column shows as an age (drawn against "now"), for the cells
    /// that have one.
    pub stamps: Stamps,
    /// creationTimestamp as Unix seconds; AGE is computed at draw time.
    pub created: Option<i64>,
    /// Object labels (for `-l` filters).
    pub labels: Labels,
    /// For workloads and services: the pod label selector (for drill-down).
    pub selector: Option<Vec<(String, String)>>,
    /// For pods: `spec.nodeName` (for the node drill-down).
    pub node: Option<Text>,
    /// Uids of the ownerReferences (for owner drill-downs).
    pub owners: Owners,
    /// For EndpointSlices: each backend's identity and readiness (the ENDPOINTS column of services).
    pub backends: Vec<(String, bool)>,
    /// Pods and nodes: what their usage is measured against (the usage columns' percentages);
    /// shared as [`Labels`] are (the pods of one ReplicaSet request alike).
    pub capacity: Option<std::sync::Arc<crate::quantity::Capacity>>,
    /// What the triage rules read beyond the cells (None: nothing to say).
    pub facts: Option<Box<crate::triage::Facts>>,
    /// Something is wrong with this object (Warning event, failing pod, NotReady node): drawn emphasised.
    pub warn: bool,
}

impl Row {
    /// A row of the object's identity alone: key (uid, else namespace/name), namespace, name,
    /// creation time, labels and owner uids; the cells are the caller's.
    pub fn of_meta(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Row {
        let namespace = Text::from(meta.namespace.as_deref().unwrap_or_default());
        let name = Text::from(meta.name.as_deref().unwrap_or_default());
        Row {
            key: meta.uid.clone().unwrap_or_else(|| format!("{namespace}/{name}")),
            namespace,
            name,
            created: meta.creation_timestamp.as_ref().map(|t| t.0.as_second()),
            labels: meta
                .labels
                .iter()
                .flatten()
                .map(|(k, v)| (Text::from(k.as_str()), Text::from(v.as_str())))
                .collect(),
            owners: meta.owner_references.iter().flatten().map(|r| r.uid.clone()).collect(),
            ..Default::default()
        }
    }

    /// The time stamp of cell `n`, if it is a time column with a time.
    pub fn stamp(&self, n: usize) -> Option<i64> {
        self.stamps.get(n)
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

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn row_text_is_the_object_s_text_whether_held_in_place_or_not() {
        // Up to 24 bytes are held in place, longer text on the heap; neither may change a byte.
        for name in [
            "",
            "a",
            "x".repeat(23).as_str(),
            &"y".repeat(24),
            &"z".repeat(25),
            "Kelvin-\u{212A}-é",
        ] {
            let meta = ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(format!("{name}-ns")),
                labels: Some([(format!("{name}/k"), name.to_string())].into()),
                ..Default::default()
            };
            let row = Row::of_meta(&meta);
            assert_eq!(row.name, name);
            assert_eq!(row.namespace, format!("{name}-ns"));
            assert_eq!(row.label(&format!("{name}/k")), Some(name));
            assert_eq!(row.key, format!("{name}-ns/{name}"));
        }
    }
}
