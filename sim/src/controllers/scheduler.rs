//! The scheduler's filters (taints and tolerations, cordon, nodeSelector, required node affinity)
//! and its spreading score, over a small in-memory view of the nodes.

use std::collections::BTreeMap;

use serde_json::Value;

/// What the scheduler and kubelet keep about a node.
#[derive(Debug, Clone, Default)]
pub struct NodeInfo {
    /// Node name.
    pub name: String,
    /// Ready condition is True.
    pub ready: bool,
    /// spec.unschedulable (cordoned).
    pub unschedulable: bool,
    /// Node labels.
    pub labels: BTreeMap<String, String>,
    /// Taints as (key, value, effect).
    pub taints: Vec<(String, String, String)>,
    /// InternalIP address.
    pub ip: String,
    /// Third octet of the node's 10.244.N.0/24 pod CIDR.
    pub cidr: u32,
    /// Pods bound to the node.
    pub pods: usize,
    /// Next never-used pod address index.
    pub next_ip: u32,
    /// Released pod address indexes, reused first.
    pub free_ips: Vec<u32>,
}

impl NodeInfo {
    /// Reads a Node object, keeping the running counters of `prev`.
    pub fn from_value(v: &Value, prev: Option<&NodeInfo>, fallback_cidr: u32) -> Self {
        let labels = v["metadata"]["labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, x)| (k.clone(), x.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let taints = v["spec"]["taints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                let s = |f: &str| t[f].as_str().unwrap_or_default().to_string();
                (s("key"), s("value"), s("effect"))
            })
            .collect();
        let ready = v["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True");
        let ip = v["status"]["addresses"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["type"] == "InternalIP")
            .and_then(|a| a["address"].as_str())
            .unwrap_or("10.0.0.1")
            .to_string();
        let cidr = v["spec"]["podCIDR"]
            .as_str()
            .and_then(|c| c.split('.').nth(2))
            .and_then(|o| o.parse().ok())
            .unwrap_or(fallback_cidr);
        let mut n = NodeInfo {
            name: v["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            ready,
            unschedulable: v["spec"]["unschedulable"] == true,
            labels,
            taints,
            ip,
            cidr,
            ..Default::default()
        };
        if let Some(p) = prev {
            n.pods = p.pods;
            n.next_ip = p.next_ip;
            n.free_ips = p.free_ips.clone();
        }
        n
    }

    /// Takes a pod address from the node's CIDR (past 253 pods it spills into 10.245+/16 ranges).
    pub fn alloc_ip(&mut self) -> (String, u32) {
        let i = self.free_ips.pop().unwrap_or_else(|| {
            self.next_ip += 1;
            self.next_ip - 1
        });
        let (block, host) = (i / 253, i % 253 + 2);
        let ip = if block == 0 {
            format!("10.244.{}.{host}", self.cidr)
        } else {
            format!("10.{}.{}.{host}", 245 + (self.cidr % 8), (block - 1) % 256)
        };
        (ip, i)
    }
}

fn tolerates(tols: &[Value], key: &str, value: &str, effect: &str) -> bool {
    tols.iter().any(|t| {
        let op = t["operator"].as_str().unwrap_or("Equal");
        let tk = t["key"].as_str().unwrap_or_default();
        let te = t["effect"].as_str().unwrap_or_default();
        let effect_ok = te.is_empty() || te == effect;
        let key_ok = (tk.is_empty() && op == "Exists") || tk == key;
        let value_ok = op == "Exists" || t["value"].as_str().unwrap_or_default() == value;
        effect_ok && key_ok && value_ok
    })
}

fn affinity_ok(spec: &Value, node: &NodeInfo) -> bool {
    let terms =
        &spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    let Some(terms) = terms.as_array() else {
        return true;
    };
    terms.iter().any(|term| {
        let expr_ok = |e: &Value, actual: Option<&str>| {
            let vals: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
                .collect();
            match e["operator"].as_str().unwrap_or_default() {
                "In" => actual.is_some_and(|a| vals.contains(&a)),
                "NotIn" => actual.is_none_or(|a| !vals.contains(&a)),
                "Exists" => actual.is_some(),
                "DoesNotExist" => actual.is_none(),
                _ => false,
            }
        };
        let labels_ok = term["matchExpressions"].as_array().into_iter().flatten().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            expr_ok(e, node.labels.get(key).map(String::as_str))
        });
        let fields_ok = term["matchFields"].as_array().into_iter().flatten().all(|e| {
            let actual = (e["key"] == "metadata.name").then_some(node.name.as_str());
            expr_ok(e, actual)
        });
        labels_ok && fields_ok
    })
}

/// Why a node does not fit a pod, in the scheduler's wording, or `None` when it fits.
/// Filters run in the default profile's order, and a node reports only its first failure.
pub fn misfit(spec: &Value, node: &NodeInfo) -> Option<String> {
    let tols: Vec<Value> = spec["tolerations"].as_array().cloned().unwrap_or_default();
    if node.unschedulable && !tolerates(&tols, "node.kubernetes.io/unschedulable", "", "NoSchedule") {
        return Some("node(s) were unschedulable".into());
    }
    for (k, v, e) in &node.taints {
        if (e == "NoSchedule" || e == "NoExecute") && !tolerates(&tols, k, v, e) {
            return Some(format!("node(s) had untolerated taint {{{k}: {v}}}"));
        }
    }
    let selector_ok = spec["nodeSelector"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| node.labels.get(k).map(String::as_str) == v.as_str());
    if !selector_ok || !affinity_ok(spec, node) {
        return Some("node(s) didn't match Pod's node affinity/selector".into());
    }
    None
}

/// Picks the fitting node with the fewest pods, or the FailedScheduling message.
pub fn pick<'a>(spec: &Value, nodes: impl Iterator<Item = &'a NodeInfo>) -> Result<String, String> {
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut best: Option<&NodeInfo> = None;
    let mut total = 0;
    for n in nodes {
        total += 1;
        match misfit(spec, n) {
            Some(r) => *reasons.entry(r).or_default() += 1,
            None if best.is_none_or(|b| n.pods < b.pods) => best = Some(n),
            None => {}
        }
    }
    if let Some(b) = best {
        return Ok(b.name.clone());
    }
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    Err(format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.",
        parts.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, taints: Value, unsched: bool, labels: Value) -> NodeInfo {
        let v = json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints, "unschedulable": unsched},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        NodeInfo::from_value(&v, None, 1)
    }

    #[test]
    fn filters_and_message() {
        let cp = node(
            "cp",
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
            false,
            json!({}),
        );
        let cordoned = node("w1", json!([]), true, json!({}));
        let ssd = node("w2", json!([]), false, json!({"disk": "ssd"}));
        let nodes = [cp.clone(), cordoned.clone(), ssd.clone()];
        assert_eq!(pick(&json!({}), nodes.iter()).unwrap(), "w2");
        let hdd = json!({"nodeSelector": {"disk": "hdd"}});
        let msg = pick(&hdd, nodes.iter()).unwrap_err();
        assert!(
            msg.starts_with("0/3 nodes are available: 1 node(s) didn't match"),
            "{msg}"
        );
        assert!(msg.contains("1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"));
        assert!(msg.contains("1 node(s) were unschedulable"));
        let tol = json!({"tolerations": [{"operator": "Exists"}], "nodeSelector": {}});
        assert!(misfit(&tol, &cp).is_none());
    }

    #[test]
    fn ips_come_from_the_pod_cidr_and_are_reused() {
        let mut n = node("w", json!([]), false, json!({}));
        n.cidr = 3;
        let (a, ia) = n.alloc_ip();
        assert_eq!(a, "10.244.3.2");
        n.free_ips.push(ia);
        assert_eq!(n.alloc_ip().0, "10.244.3.2");
    }
}
