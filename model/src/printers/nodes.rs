//! Nodes: STATUS, ROLES and the node-info columns (`printNode`).

use std::collections::BTreeSet;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;

use super::{AGE, Cell, Column, NAME, age_of, col, name_of, wide};

/// Node columns as the API server defines them.
pub static NODE_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "The status of the node"),
    col("Roles", "The roles of the node"),
    AGE,
    col("Version", "Kubelet Version reported by the node."),
    wide("Internal-IP", "List of addresses reachable to the node."),
    wide("External-IP", "List of addresses reachable to the node."),
    wide(
        "OS-Image",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    ),
    wide(
        "Kernel-Version",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    wide(
        "Container-Runtime",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    ),
];

/// STATUS: "Ready", "NotReady" (any non-True Ready condition) or "Unknown" (none), plus
/// ",SchedulingDisabled" for a cordoned node.
pub fn node_status(node: &Node) -> String {
    let conds = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    // kubectl keys conditions by type, so the last Ready condition wins.
    let mut parts = match conds.iter().rev().find(|c| c.type_ == "Ready") {
        Some(c) if c.status == "True" => vec!["Ready"],
        Some(_) => vec!["NotReady"],
        None => vec!["Unknown"],
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        parts.push("SchedulingDisabled");
    }
    parts.join(",")
}

/// ROLES: from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted.
pub fn node_roles(node: &Node) -> Vec<String> {
    let mut roles = BTreeSet::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    roles.into_iter().collect()
}

fn address(node: &Node, ty: &str) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == ty))
        .map(|a| a.address.clone())
        .unwrap_or_else(|| "<none>".into())
}

fn or_unknown(s: Option<&String>) -> String {
    s.filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "<unknown>".into())
}

/// The full node row, wide columns included.
pub fn node_row(node: &Node, now: Timestamp) -> Vec<Cell> {
    let roles = node_roles(node).join(",");
    let info = node.status.as_ref().and_then(|s| s.node_info.as_ref());
    vec![
        name_of(&node.metadata).into(),
        node_status(node).into(),
        (if roles.is_empty() { "<none>".to_string() } else { roles }).into(),
        age_of(&node.metadata, now),
        info.map(|i| i.kubelet_version.clone()).unwrap_or_default().into(),
        address(node, "InternalIP").into(),
        address(node, "ExternalIP").into(),
        or_unknown(info.map(|i| &i.os_image)).into(),
        or_unknown(info.map(|i| &i.kernel_version)).into(),
        or_unknown(info.map(|i| &i.container_runtime_version)).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::{Value, json};

    fn node(labels: Value, unschedulable: bool, conditions: Value) -> Node {
        obj(json!({
            "metadata": {"name": "n1", "labels": labels, "creationTimestamp": "2024-04-01T12:00:00Z"},
            "spec": {"unschedulable": unschedulable},
            "status": {"conditions": conditions}
        }))
    }

    #[test]
    fn status_cases() {
        let ready = json!([{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}]);
        let not_ready = json!([{"type": "Ready", "status": "False"}]);
        let unknown = json!([{"type": "Ready", "status": "Unknown"}]);
        assert_eq!(node_status(&node(json!({}), false, ready.clone())), "Ready");
        assert_eq!(node_status(&node(json!({}), true, ready)), "Ready,SchedulingDisabled");
        assert_eq!(node_status(&node(json!({}), false, not_ready)), "NotReady");
        // The node controller marks an unreachable node's Ready condition Unknown: kubectl says NotReady.
        assert_eq!(node_status(&node(json!({}), false, unknown)), "NotReady");
        assert_eq!(node_status(&node(json!({}), false, json!([]))), "Unknown");
        assert_eq!(
            node_status(&node(json!({}), true, json!([]))),
            "Unknown,SchedulingDisabled"
        );
    }

    #[test]
    fn roles_from_labels() {
        let n = node(
            json!({"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/etcd": "true",
                   "kubernetes.io/role": "master", "node-role.kubernetes.io/": "x", "other": "y"}),
            false,
            json!([]),
        );
        assert_eq!(node_roles(&n), vec!["control-plane", "etcd", "master"]);
        assert!(node_roles(&node(json!({"kubernetes.io/role": ""}), false, json!([]))).is_empty());
    }

    #[test]
    fn full_row() {
        let n: Node = obj(json!({
            "metadata": {"name": "n1", "creationTimestamp": "2024-04-01T12:00:00Z",
                         "labels": {"node-role.kubernetes.io/worker": ""}},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "10.0.0.2"}],
                "nodeInfo": {"kubeletVersion": "v1.33.1", "osImage": "Ubuntu 24.04", "kernelVersion": "6.8.0",
                             "containerRuntimeVersion": "containerd://2.0.0", "architecture": "amd64",
                             "bootID": "", "kubeProxyVersion": "", "machineID": "", "operatingSystem": "linux",
                             "systemUUID": ""}
            }
        }));
        assert_eq!(
            texts(&node_row(&n, test_now())),
            vec![
                "n1",
                "Ready",
                "worker",
                "30d",
                "v1.33.1",
                "10.0.0.2",
                "<none>",
                "Ubuntu 24.04",
                "6.8.0",
                "containerd://2.0.0"
            ]
        );
        let bare: Node = obj(json!({"metadata": {"name": "n2"}}));
        assert_eq!(
            texts(&node_row(&bare, test_now())),
            vec![
                "n2",
                "Unknown",
                "<none>",
                "<unknown>",
                "",
                "<none>",
                "<none>",
                "<unknown>",
                "<unknown>",
                "<unknown>"
            ]
        );
    }
}
