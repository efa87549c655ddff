//! One node's health as plain data: conditions, lease heartbeat, versions, taints, pod count and the
//! requests/limits `kubectl describe node` sums, and metrics-server usage when it is there.

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};

use super::describe::node::{milli, pod_requests_and_limits};
use super::health::fetch::{lease_info, panel_error};
use super::health::{LeaseInfo, Panel};

/// The conditions a kubelet (and the network plugin) report, in the order shown.
pub const CONDITIONS: [&str; 5] = [
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// One node condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// Type ("Ready").
    pub kind: String,
    /// "True", "False" or "Unknown".
    pub status: String,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// lastTransitionTime (Unix seconds).
    pub since: Option<i64>,
}

impl Condition {
    /// Ready must be True; every pressure (and NetworkUnavailable) must be False.
    pub fn healthy(&self) -> bool {
        if self.kind == "Ready" {
            self.status == "True"
        } else {
            self.status == "False"
        }
    }
}

/// Requested, limited and allocatable amounts of one resource, in thousandths (milli-cores, milli-bytes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Allocation {
    /// Sum of requests of the non-terminated pods.
    pub requests: i128,
    /// Sum of limits.
    pub limits: i128,
    /// status.allocatable.
    pub allocatable: i128,
}

impl Allocation {
    /// kubectl's truncated percentage of `value` against allocatable.
    pub fn pct(&self, value: i128) -> i64 {
        if self.allocatable == 0 {
            0
        } else {
            (value as f64 / self.allocatable as f64 * 100.0) as i64
        }
    }
}

/// The pods on the node and what they ask for.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// Non-terminated pods on the node.
    pub pods: usize,
    /// CPU.
    pub cpu: Allocation,
    /// Memory.
    pub memory: Allocation,
    /// kube-proxy's version from its pod on the node, when nodeInfo does not say.
    pub kube_proxy_from_pod: Option<String>,
}

/// metrics-server usage of the node.
#[derive(Debug, Clone, PartialEq)]
pub enum Usage {
    /// CPU (milli-cores) and memory (thousandths of bytes) now.
    Usage {
        /// CPU in milli-cores ×1000 (the same unit as [`Allocation`]).
        cpu: i128,
        /// Memory in thousandths of bytes.
        memory: i128,
    },
    /// No metrics API (404, or its APIService unavailable: 503).
    NotAvailable,
    /// 403 or another error.
    Error(String),
}

/// Everything the node health view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeHealth {
    /// Node name.
    pub name: String,
    /// When it was gathered (Unix seconds).
    pub taken: i64,
    /// The node itself (None: it could not be read; see `error`).
    pub error: Option<String>,
    /// Conditions, [`CONDITIONS`] first.
    pub conditions: Vec<Condition>,
    /// The node's lease in kube-node-lease (Ok(None): no lease).
    pub lease: Panel<Option<LeaseInfo>>,
    /// kubelet version.
    pub kubelet: String,
    /// kube-proxy version as nodeInfo reports it ("" when not reported).
    pub kube_proxy: String,
    /// Container runtime version.
    pub runtime: String,
    /// spec.unschedulable (cordoned).
    pub unschedulable: bool,
    /// Taints as "key=value:Effect".
    pub taints: Vec<String>,
    /// status.capacity.pods.
    pub pod_capacity: Option<i64>,
    /// Pods and their requests/limits.
    pub load: Panel<Load>,
    /// metrics-server usage.
    pub usage: Usage,
}

/// The view of a node object alone (lease, load and usage filled by [`fetch`]).
pub fn from_node(node: &Node, now: i64) -> NodeHealth {
    let status = node.status.clone().unwrap_or_default();
    let info = status.node_info.clone().unwrap_or_default();
    let mut conditions: Vec<Condition> = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .map(|c| Condition {
            kind: c.type_,
            status: c.status,
            reason: c.reason.unwrap_or_default(),
            message: c.message.unwrap_or_default(),
            since: c.last_transition_time.map(|t| t.0.as_second()),
        })
        .collect();
    conditions.sort_by_key(|c| CONDITIONS.iter().position(|k| *k == c.kind).unwrap_or(CONDITIONS.len()));
    let spec = node.spec.clone().unwrap_or_default();
    NodeHealth {
        name: node.metadata.name.clone().unwrap_or_default(),
        taken: now,
        error: None,
        conditions,
        lease: Panel::Ok(None),
        kubelet: info.kubelet_version,
        kube_proxy: info.kube_proxy_version,
        runtime: info.container_runtime_version,
        unschedulable: spec.unschedulable.unwrap_or(false),
        taints: spec
            .taints
            .unwrap_or_default()
            .into_iter()
            .map(|t| match t.value.as_deref() {
                Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
                _ => format!("{}:{}", t.key, t.effect),
            })
            .collect(),
        pod_capacity: status
            .capacity
            .as_ref()
            .and_then(|c| c.get("pods"))
            .map(|q| (milli(&q.0) / 1000) as i64),
        load: Panel::Failed("not fetched".into()),
        usage: Usage::NotAvailable,
    }
}

/// Sum the non-terminated pods' requests and limits against the node's allocatable, as
/// `kubectl describe node` does.
pub fn load(node: &Node, pods: &[Pod]) -> Load {
    let live: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .collect();
    let alloc = node
        .status
        .as_ref()
        .and_then(|s| s.allocatable.clone())
        .unwrap_or_default();
    let alloc = |k: &str| alloc.get(k).map_or(0, |q| milli(&q.0));
    let mut cpu = Allocation {
        allocatable: alloc("cpu"),
        ..Default::default()
    };
    let mut memory = Allocation {
        allocatable: alloc("memory"),
        ..Default::default()
    };
    for p in &live {
        let (req, lim) = pod_requests_and_limits(p);
        let get = |m: &std::collections::BTreeMap<String, i128>, k: &str| m.get(k).copied().unwrap_or(0);
        cpu.requests += get(&req, "cpu");
        cpu.limits += get(&lim, "cpu");
        memory.requests += get(&req, "memory");
        memory.limits += get(&lim, "memory");
    }
    let kube_proxy_from_pod = live
        .iter()
        .find(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("k8s-app"))
                .map(String::as_str)
                == Some("kube-proxy")
        })
        .and_then(|p| p.spec.as_ref()?.containers.first()?.image.clone())
        .and_then(|image| image.rsplit_once(':').map(|(_, tag)| tag.to_string()));
    Load {
        pods: live.len(),
        cpu,
        memory,
        kube_proxy_from_pod,
    }
}

/// Read a NodeMetrics object's usage.
pub fn usage_of(obj: &serde_json::Value) -> Usage {
    let u = &obj["usage"];
    match (u["cpu"].as_str(), u["memory"].as_str()) {
        (Some(c), Some(m)) => Usage::Usage {
            cpu: milli(c),
            memory: milli(m),
        },
        _ => Usage::Error("NodeMetrics without usage".into()),
    }
}

async fn usage(client: &Client, name: &str) -> Usage {
    let gvk = GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "NodeMetrics");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "nodes");
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    match api.get(name).await {
        Ok(o) => usage_of(&o.data),
        // 404: no metrics API registered; 503: registered but its service is gone.
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 503 => Usage::NotAvailable,
        Err(kube::Error::Api(s)) if s.code == 403 => Usage::Error(format!("not permitted: {}", s.message)),
        Err(e) => Usage::Error(crate::cluster::errors::explain(&e)),
    }
}

/// GET the node, its lease, its pods and its metrics; the metrics through `metrics`, a client that
/// does not retry (an unavailable APIService answers 503, which the retrying client keeps retrying).
pub async fn fetch(client: &Client, metrics: &Client, name: &str) -> NodeHealth {
    let now = jiff::Timestamp::now().as_second();
    let node = match Api::<Node>::all(client.clone()).get(name).await {
        Ok(n) => n,
        Err(e) => {
            let mut h = from_node(&Node::default(), now);
            h.name = name.to_string();
            h.error = Some(crate::cluster::describe::fetch::error_text(&e));
            return h;
        }
    };
    let mut h = from_node(&node, now);
    let leases = Api::<Lease>::namespaced(client.clone(), "kube-node-lease");
    let pods = Api::<Pod>::all(client.clone());
    let lp = ListParams::default().fields(&format!("spec.nodeName={name}"));
    let (lease, pods, usage) = futures::join!(leases.get_opt(name), pods.list(&lp), usage(metrics, name));
    h.lease = match lease {
        Ok(l) => Panel::Ok(l.as_ref().map(lease_info)),
        Err(e) => panel_error(e),
    };
    h.load = match pods {
        Ok(list) => Panel::Ok(load(&node, &list.items)),
        Err(e) => panel_error(e),
    };
    h.usage = usage;
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn load_sums_live_pods_like_describe_node() {
        let node: Node = serde_json::from_value(json!({"metadata": {"name": "n"},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}, "capacity": {"pods": "110"}}}))
        .unwrap();
        let pod = |name: &str, phase: &str, cpu: &str, image: &str, labels: serde_json::Value| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": name, "labels": labels},
                "spec": {"nodeName": "n", "containers": [{"name": "c", "image": image,
                    "resources": {"requests": {"cpu": cpu, "memory": "1Gi"}, "limits": {"memory": "2Gi"}}}]},
                "status": {"phase": phase}}))
            .unwrap()
        };
        let pods = [
            pod("a", "Running", "250m", "web:1", json!({})),
            pod(
                "b",
                "Pending",
                "1",
                "registry.k8s.io/kube-proxy:v1.33.4",
                json!({"k8s-app": "kube-proxy"}),
            ),
            pod("done", "Succeeded", "2", "job:1", json!({})),
        ];
        let l = load(&node, &pods);
        assert_eq!(l.pods, 2, "terminated pods do not count");
        assert_eq!((l.cpu.requests, l.cpu.limits, l.cpu.allocatable), (1250, 0, 4000));
        assert_eq!(l.cpu.pct(l.cpu.requests), 31, "truncated like kubectl");
        assert_eq!(l.memory.pct(l.memory.limits), 50);
        assert_eq!(l.kube_proxy_from_pod.as_deref(), Some("v1.33.4"));
        let h = from_node(&node, 0);
        assert_eq!(h.pod_capacity, Some(110));
    }

    #[test]
    fn node_metrics_usage_is_read_in_the_same_units() {
        let u = usage_of(&json!({"usage": {"cpu": "250000000n", "memory": "1048576Ki"}}));
        assert_eq!(
            u,
            Usage::Usage {
                cpu: 250,
                memory: 1_073_741_824_000
            }
        );
        assert!(matches!(usage_of(&json!({})), Usage::Error(_)));
    }

    #[test]
    fn conditions_come_in_the_kubelets_order_and_pressure_true_is_unhealthy() {
        let node: Node = serde_json::from_value(json!({"metadata": {"name": "n"}, "status": {"conditions": [
            {"type": "DiskPressure", "status": "True"}, {"type": "Ready", "status": "True"},
            {"type": "Custom", "status": "False"}]}}))
        .unwrap();
        let h = from_node(&node, 0);
        let kinds: Vec<&str> = h.conditions.iter().map(|c| c.kind.as_str()).collect();
        assert_eq!(kinds, ["Ready", "DiskPressure", "Custom"]);
        assert!(h.conditions[0].healthy() && !h.conditions[1].healthy());
    }
}
