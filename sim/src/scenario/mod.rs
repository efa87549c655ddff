//! The demo cluster's initial contents: namespaces, nodes, control plane, realistic applications
//! and a bulk load, with creation times spread over the past 90 days so AGE columns look real.
//!
//! Top-level workloads are created without children: the workload controllers make their
//! ReplicaSets and Pods. Only the static control-plane pods and one pod no node can take
//! (`trouble.rs`, the problems the triage screen starts with) are created here.

mod apps;
mod build;
mod cluster;
pub use cluster::set_metrics_available;
mod crds;
mod node_status;
mod nodes;
mod platform;
mod trouble;

use serde_json::{Value, json};

use super::options::SimOptions;
use super::resources::res;
use super::store::{Origin, Store};
pub(crate) use crate::controllers::simkit::ago;

/// Namespaces of the demo cluster.
pub const NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "shop",
    "payments",
    "monitoring",
    "ingress-nginx",
    "load",
];

/// Replicas per bulk load deployment.
pub const LOAD_BATCH: usize = 100;

const DAY: i64 = 86_400;

/// Creates one object of `kind` made `age` seconds ago (errors such as duplicates are ignored:
/// loading twice is harmless).
pub(crate) fn put(store: &Store, kind: &str, mut v: Value, age: i64) {
    v["metadata"]["creationTimestamp"] = json!(ago(age));
    let _ = store.create(res(kind), v, Origin::Internal);
}

/// Loads the whole scenario into the store.
pub fn load(store: &Store, opts: &SimOptions) {
    for (i, ns) in NAMESPACES.iter().enumerate() {
        let age = if i < 4 { 90 * DAY } else { (60 - i as i64 * 5) * DAY };
        let v = json!({"metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
        put(store, "Namespace", v, if *ns == "load" { 600 } else { age });
    }
    nodes::load(store, opts.nodes);
    cluster::load(store);
    platform::load(store);
    apps::load(store);
    trouble::load(store);
    crds::load(store);
    load_bulk(store, opts.pods);
}

/// The bulk load: `pods` replicas as deployments of 100 in namespace `load`.
fn load_bulk(store: &Store, pods: usize) {
    let mut left = pods;
    let mut i = 0;
    while left > 0 {
        let n = left.min(LOAD_BATCH);
        let name = format!("load-{i:04}");
        let labels = json!({"app.kubernetes.io/name": "load", "app.kubernetes.io/instance": name});
        let tmpl = json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "pause",
            "image": "registry.k8s.io/pause:3.10", "resources": {"requests": {"cpu": "1m", "memory": "8Mi"}}}],
            "terminationGracePeriodSeconds": 5}});
        let v = json!({"metadata": {"name": name, "namespace": "load", "labels": labels},
            "spec": {"replicas": n, "selector": {"matchLabels": labels}, "template": tmpl,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600}});
        put(store, "Deployment", v, 600);
        left -= n;
        i += 1;
    }
}

#[cfg(test)]
mod tests;
