//! The DaemonSet controller: one pod per eligible node (node selector and taints), placed
//! through node affinity as the real controller does, with ControllerRevisions for rollback
//! and a rolling update bounded by maxUnavailable.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::resources::res;
use super::super::select::LabelSelector;
use super::super::store::{Event, Key, Obj, Store, pods};
use super::Ctx;
use super::podutil::{self, availability, controller_of, is_active};
use super::replicaset::owned_pods;
use super::revisions::{self, HASH_LABEL};
use super::runner::Controller;

const COMPONENT: &str = "daemonset-controller";

/// The DaemonSet controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("DaemonSet"),
        keys_for,
        reconcile,
    }
}

fn keys_for(store: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let ds = res("DaemonSet");
    if o.res == ds {
        vec![o.key()]
    } else if o.res == pods() {
        controller_of(o, "DaemonSet")
            .map(|n| vec![(ds, o.ns.clone(), n)])
            .unwrap_or_default()
    } else if o.res == res("Node") {
        store.list(ds, None).0.iter().map(|d| d.key()).collect()
    } else {
        Vec::new()
    }
}

/// Tolerations the controller adds to every daemon pod, so daemons survive node trouble.
fn daemon_tolerations(spec: &Value) -> Vec<Value> {
    let mut t = vec![
        json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}),
        json!({"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"}),
        json!({"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}),
    ];
    if spec["hostNetwork"] == true {
        t.push(json!({"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"}));
    }
    t
}

fn tolerates(tolerations: &[Value], taint: &Value) -> bool {
    tolerations.iter().any(|t| {
        let key_ok =
            t["key"].as_str().is_none_or(str::is_empty) && t["operator"] == "Exists" || t["key"] == taint["key"];
        let value_ok =
            t["operator"] == "Exists" || t["value"].as_str().unwrap_or("") == taint["value"].as_str().unwrap_or("");
        let effect_ok = t["effect"].as_str().is_none_or(str::is_empty) || t["effect"] == taint["effect"];
        key_ok && value_ok && effect_ok
    })
}

/// Whether a daemon pod with this spec should run on the node.
fn eligible(spec: &Value, node: &Obj) -> bool {
    let selector = spec["nodeSelector"].as_object().cloned().unwrap_or_default();
    if !selector
        .iter()
        .all(|(k, v)| node.labels.get(k).map(String::as_str) == v.as_str())
    {
        return false;
    }
    let mut tolerations = spec["tolerations"].as_array().cloned().unwrap_or_default();
    tolerations.extend(daemon_tolerations(spec));
    let n = node.value();
    n["spec"]["taints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["effect"] == "NoSchedule" || t["effect"] == "NoExecute")
        .all(|t| tolerates(&tolerations, t))
}

/// The node a daemon pod is for: where it runs, or where its affinity sends it.
fn target_node(pod: &Value) -> String {
    match pod["spec"]["nodeName"].as_str() {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            ["nodeSelectorTerms"][0]["matchFields"][0]["values"][0]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    }
}

/// Finds or creates the ControllerRevision of the current template and prunes the history
/// beyond `revisionHistoryLimit`; returns the current hash.
fn sync_revision(store: &Store, ds: &Value, pod_hashes: BTreeSet<String>) -> Option<String> {
    let synced = revisions::sync(store, ds)?;
    let limit = ds["spec"]["revisionHistoryLimit"].as_i64();
    revisions::truncate(store, &synced.all, &pod_hashes, &[synced.name.as_str()], limit);
    Some(synced.hash)
}

fn new_pod(ds: &Value, node: &str, hash: &str) -> Value {
    let mut p = podutil::pod_from_template(&ds["spec"]["template"], ds, None);
    p["metadata"]["labels"][HASH_LABEL] = json!(hash);
    p["metadata"]["labels"]["pod-template-generation"] = json!(ds["metadata"]["generation"].to_string());
    p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = json!({
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]
    });
    let mut tolerations = p["spec"]["tolerations"].as_array().cloned().unwrap_or_default();
    for t in daemon_tolerations(&p["spec"]) {
        if !tolerations
            .iter()
            .any(|x| x["key"] == t["key"] && x["effect"] == t["effect"])
        {
            tolerations.push(t);
        }
    }
    p["spec"]["tolerations"] = json!(tolerations);
    p
}

fn max_unavailable(ds: &Value, desired: i64) -> i64 {
    let v = &ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"];
    let n = match (v.as_i64(), v.as_str().and_then(|s| s.strip_suffix('%'))) {
        (Some(n), _) => n,
        (None, Some(p)) => p.parse::<i64>().unwrap_or(0) * desired / 100,
        _ => 1,
    };
    n.max(1)
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &*ctx.store;
    let obj = store.get(key.0, &key.1, &key.2)?;
    let ds = obj.value();
    let spec = &ds["spec"]["template"]["spec"];
    let min_ready = ds["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let nodes: Vec<Arc<Obj>> = store.list(res("Node"), None).0;
    let wanted: Vec<&str> = nodes
        .iter()
        .filter(|n| eligible(spec, n))
        .map(|n| n.name.as_str())
        .collect();
    let mut by_node: BTreeMap<String, Vec<(Arc<Obj>, Value)>> = BTreeMap::new();
    for p in owned_pods(store, &obj.uid).into_iter().filter(|p| is_active(p)) {
        let v = p.value();
        by_node.entry(target_node(&v)).or_default().push((p, v));
    }
    let pod_hashes = by_node
        .values()
        .flatten()
        .filter_map(|(p, _)| p.labels.get(HASH_LABEL).cloned())
        .collect();
    if !obj.deleting
        && let Some(hash) = sync_revision(store, &ds, pod_hashes)
    {
        let on_delete = ds["spec"]["updateStrategy"]["type"] == "OnDelete";
        let is_available = |v: &Value| availability(v, min_ready).0;
        let mut unavailable = wanted
            .iter()
            .filter(|n| {
                !by_node
                    .get(**n)
                    .is_some_and(|ps| ps.iter().any(|(_, v)| is_available(v)))
            })
            .count() as i64;
        let budget = max_unavailable(&ds, wanted.len() as i64);
        for (node, ps) in &by_node {
            let keep = wanted.contains(&node.as_str());
            for (i, (p, v)) in ps.iter().enumerate() {
                let outdated = p.labels.get(HASH_LABEL) != Some(&hash);
                // Extra pods, pods on nodes that no longer qualify, and (rolling) outdated pods:
                // the available ones only while the unavailability budget allows.
                let doomed = !keep || i > 0 || (outdated && !on_delete && (!is_available(v) || unavailable < budget));
                if doomed {
                    if keep && i == 0 && is_available(v) {
                        unavailable += 1;
                    }
                    podutil::delete_pod(store, p, &ds, COMPONENT);
                }
            }
        }
        for node in &wanted {
            if !by_node.contains_key(*node) {
                podutil::create_pod(store, new_pod(&ds, node, &hash), &ds, COMPONENT);
            }
        }
    }
    update_status(store, &obj, &ds, &wanted, min_ready)
}

fn update_status(store: &Store, obj: &Obj, ds: &Value, wanted: &[&str], min_ready: i64) -> Option<Duration> {
    let hash = store
        .dependents(&obj.uid)
        .into_iter()
        .filter(|(r, _, _)| *r == res("ControllerRevision"))
        .filter_map(|(r, ns, name)| store.get_value(r, &ns, &name))
        .max_by_key(|r| r["revision"].as_i64().unwrap_or(0))
        .and_then(|r| r["metadata"]["labels"][HASH_LABEL].as_str().map(String::from));
    let (mut current, mut misscheduled, mut ready, mut available, mut updated) = (0, 0, 0, 0, 0);
    let mut recheck = None;
    let selector = LabelSelector::from_value(&ds["spec"]["selector"]);
    for p in owned_pods(store, &obj.uid)
        .iter()
        .filter(|p| is_active(p) && selector.matches(&p.labels))
    {
        let v = p.value();
        if !wanted.contains(&target_node(&v).as_str()) {
            misscheduled += 1;
            continue;
        }
        current += 1;
        if podutil::ready_since(&v).is_some() {
            ready += 1;
        }
        match availability(&v, min_ready) {
            (true, _) => available += 1,
            (false, Some(w)) => recheck = Some(w + Duration::from_millis(50)),
            _ => {}
        }
        if hash.is_some() && p.labels.get(HASH_LABEL) == hash.as_ref() {
            updated += 1;
        }
    }
    let desired = wanted.len() as i64;
    let mut status = json!({
        "currentNumberScheduled": current,
        "numberMisscheduled": misscheduled,
        "desiredNumberScheduled": desired,
        "numberReady": ready,
        "observedGeneration": ds["metadata"]["generation"],
    });
    for (k, n) in [
        ("updatedNumberScheduled", updated),
        ("numberAvailable", available),
        ("numberUnavailable", desired - available),
    ] {
        if n > 0 {
            status[k] = json!(n);
        }
    }
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        v["status"] = status;
        Ok(())
    });
    recheck
}

#[cfg(test)]
#[path = "daemonset_tests.rs"]
mod tests;
