//! `metrics.k8s.io/v1beta1` as metrics-server serves it behind the aggregator: PodMetrics and
//! NodeMetrics (GET and LIST, label selectors), usage computed from the time alone so that tests can
//! compute what a sample holds. Unavailable (503, as the aggregator answers) under the
//! `metrics-unavailable` fault.

use axum::http::Method;
use axum::response::Response;
use serde_json::{Value, json};

use super::request::{Query, SimState, User, json_response};
use super::resources::res;
use super::select::parse_labels;
use super::status::ApiError;
use axum::response::IntoResponse as _;

/// The group and version served.
pub const GROUP: &str = "metrics.k8s.io";
const VERSION: &str = "v1beta1";
/// metrics-server's `--metric-resolution`: a new sample every 15 s.
pub const RESOLUTION_SECS: i64 = 15;
/// The memory leak of the demo: the `cart` container grows over this many seconds, then starts again
/// (as after an OOM kill).
pub const LEAK_PERIOD_SECS: i64 = 1800;

/// One container's usage in a sample: CPU in nanocores, memory (working set) in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// CPU, nanocores.
    pub cpu_nanos: u64,
    /// Memory working set, bytes.
    pub mem_bytes: u64,
}

/// The sample time (Unix seconds) of a moment: the last resolution boundary.
pub fn sample_at(unix: i64) -> i64 {
    unix.div_euclid(RESOLUTION_SECS) * RESOLUTION_SECS
}

fn hash(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn quantity_milli(q: &Value) -> Option<f64> {
    q.as_str().map(|s| model::quantity::milli(s) as f64)
}

/// The usage of container `c` (its spec) of pod `ns/pod` at sample time `t`: a base share of its
/// request (or limit) that swings over five minutes; every fifth container runs close to its memory
/// limit, every fourth above its CPU request, and the `cart` containers leak memory.
pub fn container_usage(ns: &str, pod: &str, c: &Value, t: i64) -> Usage {
    let name = c["name"].as_str().unwrap_or("");
    let h = hash(&format!("{ns}/{pod}/{name}"));
    let r = &c["resources"];
    let cpu_ref = quantity_milli(&r["requests"]["cpu"])
        .or_else(|| quantity_milli(&r["limits"]["cpu"]))
        .unwrap_or(100.0);
    let mem_limit = quantity_milli(&r["limits"]["memory"]).map(|m| m / 1000.0);
    let mem_ref = quantity_milli(&r["requests"]["memory"])
        .map(|m| m / 1000.0)
        .or(mem_limit)
        .unwrap_or(128.0 * 1024.0 * 1024.0);
    let phase = (h % 360) as f64 * std::f64::consts::PI / 180.0;
    let swing = 1.0 + 0.25 * ((t as f64 / 300.0) * std::f64::consts::TAU + phase).sin();
    let cpu_share = if h.is_multiple_of(4) {
        1.1 + (h % 50) as f64 / 100.0
    } else {
        0.1 + (h % 60) as f64 / 100.0
    };
    let cpu_nanos = (cpu_ref * 1e6 * cpu_share * swing).round() as u64;
    let mem_bytes = if name == "cart" {
        let limit = mem_limit.unwrap_or(mem_ref);
        limit * (0.3 + 0.68 * t.rem_euclid(LEAK_PERIOD_SECS) as f64 / LEAK_PERIOD_SECS as f64)
    } else if h.is_multiple_of(5) {
        mem_limit.unwrap_or(mem_ref) * (0.86 + (h % 12) as f64 / 100.0)
    } else {
        mem_ref * (0.3 + (h % 40) as f64 / 100.0) * (1.0 + 0.05 * (swing - 1.0))
    };
    Usage {
        cpu_nanos,
        mem_bytes: mem_bytes.round() as u64,
    }
}

/// The containers of a pod metrics-server reports: the running ones (native sidecars included).
fn running_containers(pod: &Value) -> Vec<&Value> {
    let running = |name: &str, statuses: &Value| {
        statuses
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == name && s["state"]["running"].is_object())
    };
    let st = &pod["status"];
    let regular = pod["spec"]["containers"].as_array().into_iter().flatten();
    let sidecars = pod["spec"]["initContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["restartPolicy"] == "Always");
    regular
        .filter(|c| running(c["name"].as_str().unwrap_or(""), &st["containerStatuses"]))
        .chain(sidecars.filter(|c| running(c["name"].as_str().unwrap_or(""), &st["initContainerStatuses"])))
        .collect()
}

/// Each running container's (name, usage) of a pod at `t`; empty for a pod that is not running.
pub fn pod_usage(pod: &Value, t: i64) -> Vec<(String, Usage)> {
    if pod["status"]["phase"] != "Running" {
        return Vec::new();
    }
    let (ns, name) = (
        pod["metadata"]["namespace"].as_str().unwrap_or(""),
        pod["metadata"]["name"].as_str().unwrap_or(""),
    );
    running_containers(pod)
        .into_iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                container_usage(ns, name, c, t),
            )
        })
        .collect()
}

/// A node's usage at `t`: the system's share (kubelet, runtime, OS) and its running pods'.
pub fn node_usage(node: &str, pods: &[Value], t: i64) -> Usage {
    let h = hash(node);
    let mut u = Usage {
        cpu_nanos: 120_000_000 + h % 80 * 1_000_000,
        mem_bytes: (700 + h % 300) << 20,
    };
    for p in pods.iter().filter(|p| p["spec"]["nodeName"] == node) {
        for (_, c) in pod_usage(p, t) {
            u.cpu_nanos += c.cpu_nanos;
            u.mem_bytes += c.mem_bytes;
        }
    }
    u
}

fn usage_json(u: Usage) -> Value {
    // metrics-server's units: nanocores and KiB of working set.
    json!({"cpu": format!("{}n", u.cpu_nanos), "memory": format!("{}Ki", u.mem_bytes / 1024)})
}

fn stamp(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.to_string())
        .unwrap_or_default()
}

fn meta(o: &Value, now: &str) -> Value {
    let m = &o["metadata"];
    let mut out = json!({"name": m["name"], "creationTimestamp": now, "labels": m["labels"]});
    if let Some(ns) = m["namespace"].as_str() {
        out["namespace"] = json!(ns);
    }
    out
}

fn pod_metrics(pod: &Value, t: i64, now: &str) -> Option<Value> {
    let containers: Vec<Value> = pod_usage(pod, t)
        .into_iter()
        .map(|(name, u)| json!({"name": name, "usage": usage_json(u)}))
        .collect();
    (!containers.is_empty()).then(|| {
        json!({"kind": "PodMetrics", "apiVersion": format!("{GROUP}/{VERSION}"), "metadata": meta(pod, now),
            "timestamp": stamp(t), "window": format!("{RESOLUTION_SECS}s"), "containers": containers})
    })
}

fn node_metrics(node: &Value, pods: &[Value], t: i64, now: &str) -> Value {
    let name = node["metadata"]["name"].as_str().unwrap_or("");
    json!({"kind": "NodeMetrics", "apiVersion": format!("{GROUP}/{VERSION}"), "metadata": meta(node, now),
        "timestamp": stamp(t), "window": format!("{RESOLUTION_SECS}s"), "usage": usage_json(node_usage(name, pods, t))})
}

fn status(code: u16, reason: &str, message: String) -> Response {
    json_response(
        code,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}),
    )
}

fn discovery(segs: &[&str]) -> Option<Value> {
    let gv = json!({"groupVersion": format!("{GROUP}/{VERSION}"), "version": VERSION});
    Some(match segs {
        [] => json!({"kind": "APIGroup", "apiVersion": "v1", "name": GROUP, "versions": [gv], "preferredVersion": gv}),
        [v] if *v == VERSION => {
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("{GROUP}/{VERSION}"),
            "resources": [
                {"name": "nodes", "singularName": "", "namespaced": false, "kind": "NodeMetrics", "verbs": ["get", "list"]},
                {"name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]}]})
        }
        _ => return None,
    })
}

/// Answers a path under `/apis/metrics.k8s.io`, or `None` for every other path.
pub fn route(st: &SimState, user: &User, method: &Method, path: &str, q: &Query) -> Option<Response> {
    let rest = path.trim_matches('/').strip_prefix("apis/")?.strip_prefix(GROUP)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let doc = discovery(&segs);
    if doc.is_none() {
        st.faults.count_metrics_read();
    }
    if st.faults.metrics_unavailable() {
        return Some(super::discovery::service_unavailable());
    }
    if let Some(doc) = doc {
        return Some(json_response(200, &doc));
    }
    if method != Method::GET {
        return Some(status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource".into(),
        ));
    }
    let (ns, plural, name) = match segs.as_slice() {
        [VERSION, p] => (None, *p, None),
        [VERSION, p, n] => (None, *p, Some(*n)),
        [VERSION, "namespaces", ns, p] => (Some(*ns), *p, None),
        [VERSION, "namespaces", ns, p, n] => (Some(*ns), *p, Some(*n)),
        _ => return Some(ApiError::no_route().into_response()),
    };
    if !matches!((plural, ns), ("pods", _) | ("nodes", None)) {
        return Some(ApiError::no_route().into_response());
    }
    if st.faults.is_denied(&user.0, plural, ns) {
        let verb = if name.is_some() { "get" } else { "list" };
        let scope = ns.map_or(" at the cluster scope".to_string(), |n| {
            format!(" in the namespace \"{n}\"")
        });
        return Some(status(
            403,
            "Forbidden",
            format!(
                "{plural}.{GROUP} is forbidden: User \"{}\" cannot {verb} resource \"{plural}\" in API group \"{GROUP}\"{scope}",
                user.0
            ),
        ));
    }
    let selector = match q.get("labelSelector").map(|s| parse_labels(s)).transpose() {
        Ok(s) => s,
        Err(e) => return Some(e.into_response()),
    };
    let t = sample_at(jiff::Timestamp::now().as_second());
    let now = super::store::now_str();
    let (pods, _) = st.store.list(res("Pod"), if plural == "pods" { ns } else { None });
    let pods: Vec<Value> = pods.iter().map(|o| o.value()).collect();
    let (kind, items): (&str, Vec<(Value, Labels)>) = if plural == "pods" {
        let items = pods
            .iter()
            .filter(|p| name.is_none_or(|n| p["metadata"]["name"] == n))
            .filter_map(|p| Some((pod_metrics(p, t, &now)?, labels(p))))
            .collect();
        ("PodMetrics", items)
    } else {
        let (nodes, _) = st.store.list(res("Node"), None);
        let items = nodes
            .iter()
            .filter(|o| name.is_none_or(|n| o.name == n))
            .map(|o| (node_metrics(&o.value(), &pods, t, &now), o.labels.clone()))
            .collect();
        ("NodeMetrics", items)
    };
    if let Some(n) = name {
        return Some(match items.into_iter().next() {
            Some((v, _)) => json_response(200, &v),
            None => status(404, "NotFound", format!("{plural}.{GROUP} \"{n}\" not found")),
        });
    }
    let items: Vec<Value> = items
        .into_iter()
        .filter(|(_, l)| selector.as_ref().is_none_or(|s| s.matches(l)))
        .map(|(v, _)| v)
        .collect();
    Some(json_response(
        200,
        &json!({"kind": format!("{kind}List"), "apiVersion": format!("{GROUP}/{VERSION}"), "metadata": {}, "items": items}),
    ))
}

type Labels = std::collections::BTreeMap<String, String>;

fn labels(o: &Value) -> Labels {
    serde_json::from_value(o["metadata"]["labels"].clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, containers: Value, statuses: Value) -> Value {
        json!({"metadata": {"name": name, "namespace": "shop"}, "spec": {"containers": containers, "nodeName": "worker-1"},
            "status": {"phase": "Running", "containerStatuses": statuses}})
    }

    #[test]
    fn samples_fall_on_the_resolution_and_the_leak_rises_between_them() {
        assert_eq!(sample_at(1_000_007), 1_000_005);
        let cart = json!({"name": "cart", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}}});
        let at = |t| container_usage("shop", "cart-1", &cart, t).mem_bytes;
        let base = 1_800_000;
        assert!(at(base) < at(base + 15) && at(base + 15) < at(base + 900));
        assert_eq!(at(base), (128.0 * 1048576.0 * 0.3f64).round() as u64);
        // The same time gives the same usage: tests compute what the server serves.
        assert_eq!(
            container_usage("shop", "p", &cart, 42),
            container_usage("shop", "p", &cart, 42)
        );
    }

    #[test]
    fn only_running_containers_of_running_pods_are_reported() {
        let c = json!([{"name": "a"}, {"name": "b"}]);
        let p = pod(
            "p",
            c,
            json!([{"name": "a", "state": {"running": {}}}, {"name": "b", "state": {"waiting": {}}}]),
        );
        let names: Vec<String> = pod_usage(&p, 0).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a"]);
        let mut pending = p.clone();
        pending["status"]["phase"] = json!("Pending");
        assert!(pod_usage(&pending, 0).is_empty());
        let node = node_usage("worker-1", std::slice::from_ref(&p), 0);
        let alone = node_usage("worker-1", &[], 0);
        assert_eq!(node.cpu_nanos - alone.cpu_nanos, pod_usage(&p, 0)[0].1.cpu_nanos);
    }
}
