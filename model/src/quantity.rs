//! Resource quantities ("250m", "64Mi") and a pod's requests and limits summed as kubectl sums them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// Amounts per resource name ("cpu", "memory" …) in thousandths of their unit.
pub type Amounts = BTreeMap<String, i128>;

/// A quantity string ("250m", "1.5", "64Mi", "1G", "2e3", "4415528n") in thousandths of its unit.
pub fn milli(q: &str) -> i128 {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let num: f64 = num.parse().unwrap_or(0.0);
    let mult: f64 = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "n" => 1e-9,
        "u" => 1e-6,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().unwrap_or(0)),
        _ => 1.0,
    };
    (num * mult * 1000.0).round() as i128
}

fn add(into: &mut Amounts, list: &Amounts) {
    for (k, v) in list {
        *into.entry(k.clone()).or_default() += v;
    }
}

fn max(into: &mut Amounts, list: &Amounts) {
    for (k, v) in list {
        let e = into.entry(k.clone()).or_default();
        *e = (*e).max(*v);
    }
}

fn amounts(list: Option<&BTreeMap<String, Quantity>>) -> Amounts {
    list.into_iter()
        .flatten()
        .map(|(k, q)| (k.clone(), milli(&q.0)))
        .collect()
}

/// One side (requests or limits) of the pod's effective resources, as `resourcehelper` computes
/// it: the regular containers and native sidecars summed; each init container counted with the
/// sidecars started before it; the larger of the two per resource.
fn effective(containers: &[Container], init: &[Container], side: impl Fn(&Container) -> Amounts) -> Amounts {
    let mut sum = Amounts::new();
    for c in containers {
        add(&mut sum, &side(c));
    }
    let mut sidecars = Amounts::new();
    let mut init_max = Amounts::new();
    for c in init {
        let own = side(c);
        let counted = if c.restart_policy.as_deref() == Some("Always") {
            // A native sidecar runs beside the app containers: it adds to their sum.
            add(&mut sum, &own);
            add(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut t = own;
            add(&mut t, &sidecars);
            t
        };
        max(&mut init_max, &counted);
    }
    max(&mut sum, &init_max);
    sum
}

/// What usage is measured against: a pod's effective requests and limits (CPU in millicores,
/// memory in bytes; None where it has none), or a node's allocatable. `i64`s, not the `i128`s of
/// [`Amounts`]: every pod row holds one, and `i128` made it 144 bytes rather than 72 (an `i64`
/// counts 9.2 million cores or 8 EiB; more saturates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capacity {
    /// A pod, summed as [`pod_requests_and_limits`].
    Pod {
        /// CPU request, millicores.
        cpu_request: Option<i64>,
        /// CPU limit, millicores.
        cpu_limit: Option<i64>,
        /// Memory request, bytes.
        mem_request: Option<i64>,
        /// Memory limit, bytes.
        mem_limit: Option<i64>,
    },
    /// A node's allocatable CPU (millicores) and memory (bytes).
    Node {
        /// Allocatable CPU, millicores.
        cpu: Option<i64>,
        /// Allocatable memory, bytes.
        mem: Option<i64>,
    },
}

/// A pod's [`Capacity`].
pub fn pod_capacity(pod: &Pod) -> Capacity {
    let (req, lim) = pod_requests_and_limits(pod);
    of_amounts(&req, &lim)
}

/// Thousandths as a capacity's integer, saturating.
fn narrow(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// The [`Capacity`] of summed requests and limits (in thousandths): CPU millicores, memory bytes.
fn of_amounts(req: &Amounts, lim: &Amounts) -> Capacity {
    let cpu = |a: &Amounts| a.get("cpu").map(|&m| narrow(m));
    let bytes = |a: &Amounts| a.get("memory").map(|&m| narrow(m / 1000));
    Capacity::Pod {
        cpu_request: cpu(req),
        cpu_limit: cpu(lim),
        mem_request: bytes(req),
        mem_limit: bytes(lim),
    }
}

/// One container's [`Capacity`]: its own requests and limits.
pub fn container_capacity(resources: Option<&k8s_openapi::api::core::v1::ResourceRequirements>) -> Capacity {
    let req = amounts(resources.and_then(|r| r.requests.as_ref()));
    let lim = amounts(resources.and_then(|r| r.limits.as_ref()));
    of_amounts(&req, &lim)
}

/// A node's [`Capacity`]: its allocatable.
pub fn node_capacity(node: &k8s_openapi::api::core::v1::Node) -> Capacity {
    let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let get = |k: &str| alloc.and_then(|a| a.get(k)).map(|q| milli(&q.0));
    Capacity::Node {
        cpu: get("cpu").map(narrow),
        mem: get("memory").map(|m| narrow(m / 1000)),
    }
}

/// A pod's requests and limits in thousandths, as `kubectl describe node` sums them
/// (`resourcehelper.PodRequestsAndLimits`): see [`effective`]; the overhead is added to every
/// request, and to a limit only where the pod has one.
pub fn pod_requests_and_limits(pod: &Pod) -> (Amounts, Amounts) {
    let Some(spec) = &pod.spec else {
        return Default::default();
    };
    let init = spec.init_containers.as_deref().unwrap_or_default();
    let res = |c: &Container| c.resources.clone().unwrap_or_default();
    let mut req = effective(&spec.containers, init, |c| amounts(res(c).requests.as_ref()));
    let mut lim = effective(&spec.containers, init, |c| amounts(res(c).limits.as_ref()));
    let overhead = amounts(spec.overhead.as_ref());
    add(&mut req, &overhead);
    for (k, v) in overhead {
        if let Some(l) = lim.get_mut(&k) {
            *l += v;
        }
    }
    (req, lim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": v})).unwrap()
    }

    fn c(name: &str, req: serde_json::Value, lim: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "resources": {"requests": req, "limits": lim}})
    }

    fn get(m: &Amounts, k: &str) -> Option<i128> {
        m.get(k).copied()
    }

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(milli("250m"), 250);
        assert_eq!(milli("2"), 2000);
        assert_eq!(milli("64Mi"), 64 * 1024 * 1024 * 1000);
        assert_eq!(milli("4415528n"), 4);
        assert_eq!(milli("30276Ki"), 30276 * 1024 * 1000);
    }

    #[test]
    fn a_capacity_is_compact_in_whole_units_and_saturates() {
        // Every pod row holds one (boxed): it was 144 bytes with i128s.
        assert!(
            std::mem::size_of::<Capacity>() <= 72,
            "{} bytes",
            std::mem::size_of::<Capacity>()
        );
        let p = pod(json!({"containers": [
            c("a", json!({"cpu": "250m", "memory": "64Gi"}), json!({"cpu": "2", "memory": "2Ei"}))]}));
        let want = Capacity::Pod {
            cpu_request: Some(250),
            cpu_limit: Some(2000),
            mem_request: Some(64 << 30),
            mem_limit: Some(2 << 60),
        };
        assert_eq!(pod_capacity(&p), want);
        let huge = pod(json!({"containers": [c("a", json!({"memory": "16Ei"}), json!({}))]}));
        assert!(matches!(
            pod_capacity(&huge),
            Capacity::Pod {
                mem_request: Some(i64::MAX),
                ..
            }
        ));
    }

    #[test]
    fn containers_are_summed_and_a_missing_request_is_absent() {
        let p = pod(json!({"containers": [
            c("a", json!({"cpu": "100m", "memory": "64Mi"}), json!({"memory": "128Mi"})),
            c("b", json!({"cpu": "250m"}), json!({"cpu": "1"})),
            {"name": "c"}]}));
        let (req, lim) = pod_requests_and_limits(&p);
        assert_eq!(get(&req, "cpu"), Some(350));
        assert_eq!(get(&req, "memory"), Some(64 * 1048576 * 1000));
        // Only b limits CPU, only a memory: kubectl sums what is there.
        assert_eq!(get(&lim, "cpu"), Some(1000));
        assert_eq!(get(&lim, "memory"), Some(128 * 1048576 * 1000));
        let (req, lim) = pod_requests_and_limits(&pod(json!({"containers": [{"name": "x"}]})));
        assert!(req.is_empty() && lim.is_empty());
    }

    #[test]
    fn the_largest_init_container_wins_when_larger_than_the_sum() {
        let p = pod(json!({
            "initContainers": [c("migrate", json!({"cpu": "500m", "memory": "32Mi"}), json!({})),
                c("wait", json!({"cpu": "50m"}), json!({}))],
            "containers": [c("a", json!({"cpu": "100m", "memory": "64Mi"}), json!({})),
                c("b", json!({"cpu": "100m", "memory": "64Mi"}), json!({}))]}));
        let (req, _) = pod_requests_and_limits(&p);
        assert_eq!(get(&req, "cpu"), Some(500));
        assert_eq!(get(&req, "memory"), Some(128 * 1048576 * 1000));
    }

    #[test]
    fn a_native_sidecar_adds_to_the_sum_and_to_later_init_containers() {
        let mut sidecar = c("proxy", json!({"cpu": "200m"}), json!({"cpu": "300m"}));
        sidecar["restartPolicy"] = json!("Always");
        let p = pod(json!({
            "initContainers": [sidecar, c("setup", json!({"cpu": "400m"}), json!({}))],
            "containers": [c("app", json!({"cpu": "100m"}), json!({"cpu": "200m"}))],
            "overhead": {"cpu": "10m", "memory": "1Mi"}}));
        let (req, lim) = pod_requests_and_limits(&p);
        // Sum: app 100 + proxy 200 = 300; setup runs beside the proxy: 400 + 200 = 600; + overhead 10.
        assert_eq!(get(&req, "cpu"), Some(610));
        assert_eq!(get(&req, "memory"), Some(1048576 * 1000));
        // Limits: app 200 + proxy 300 = 500 (setup has none; with the proxy: 300) + overhead;
        // no memory limit anywhere, so the overhead's memory is not one.
        assert_eq!(get(&lim, "cpu"), Some(510));
        assert_eq!(get(&lim, "memory"), None);
    }
}
