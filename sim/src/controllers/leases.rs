//! Heartbeats: node leases in kube-node-lease, the control plane's leader-election leases, the API
//! server identity lease, and the kubelet's periodic node status update. A node whose Ready
//! condition is not True has lost its kubelet: nothing of it is renewed.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde_json::{Value, json};
use tokio::time::Instant;

use super::Ctx;
use super::simkit::scaled;
use crate::resources::res;
use crate::store::{Origin, Store, new_uid, now_str};

/// Renewal period of node leases (kubelet: a quarter of the 40 s lease).
pub const NODE_LEASE_RENEW: f64 = 10.0;
/// Renewal period of leader-election leases.
pub const LEADER_RENEW: f64 = 2.0;
/// kubelet's node status update frequency when nothing changed.
pub const NODE_STATUS_EVERY: f64 = 40.0;

/// A Lease's MicroTime now.
pub fn micro_now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

fn node_ready(v: &Value) -> bool {
    v["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The Ready condition's lastHeartbeatTime as a Lease MicroTime.
fn last_heartbeat(v: &Value) -> Option<String> {
    let c = v["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")?;
    let t: jiff::Timestamp = c["lastHeartbeatTime"].as_str()?.parse().ok()?;
    Some(t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string())
}

/// The API server identity lease name: `apiserver-` and a hash of the host name.
pub fn apiserver_lease_name() -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    "control-plane-1".hash(&mut h);
    let hex = format!("{:016x}{:016x}", h.finish(), h.finish().rotate_left(17));
    format!("apiserver-{}", &hex[..26])
}

fn lease(ns: &str, name: &str, holder: &str, duration: i64, labels: Value, owner: Option<Value>) -> Value {
    let now = micro_now();
    let mut v = json!({
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration, "renewTime": now},
    });
    if let Some(o) = owner {
        v["metadata"]["ownerReferences"] = json!([o]);
    }
    v
}

/// Leader lease duration: kube-scheduler's and kube-controller-manager's 15 s default, compressed
/// with the rest of time so that a stale leader shows in tests without waiting 15 real seconds (at
/// least 3 s: renew ages are read in whole seconds, and a loaded test machine lags).
pub fn leader_duration(time_scale: f64) -> i64 {
    ((15.0 * time_scale).round() as i64).max(3)
}

/// Creates any missing lease (node leases, leaders, API server identity) at normal speed.
#[cfg(test)]
pub fn ensure(store: &Store) {
    ensure_scaled(store, 1.0)
}

/// Creates any missing lease, leader durations compressed by `time_scale`.
pub fn ensure_scaled(store: &Store, time_scale: f64) {
    let lease_id = res("Lease");
    let (nodes, _) = store.list(res("Node"), None);
    for n in nodes {
        if store.get(lease_id, "kube-node-lease", &n.name).is_none() {
            let owner = json!({"apiVersion": "v1", "kind": "Node", "name": n.name, "uid": n.uid});
            let mut v = lease("kube-node-lease", &n.name, &n.name, 40, json!({}), Some(owner));
            // A node that is already down stopped renewing when its kubelet last posted status.
            if let Some(last) = last_heartbeat(&n.value()).filter(|_| !node_ready(&n.value())) {
                v["spec"]["renewTime"] = json!(last);
            }
            let _ = store.create(lease_id, v, Origin::Internal);
        }
    }
    for leader in ["kube-scheduler", "kube-controller-manager"] {
        if store.get(lease_id, "kube-system", leader).is_none() {
            let holder = format!("control-plane-1_{}", new_uid());
            let mut v = lease(
                "kube-system",
                leader,
                &holder,
                leader_duration(time_scale),
                json!({}),
                None,
            );
            v["spec"]["acquireTime"] = v["spec"]["renewTime"].clone();
            v["spec"]["leaseTransitions"] = json!(0);
            let _ = store.create(lease_id, v, Origin::Internal);
        }
    }
    let api = apiserver_lease_name();
    if store.get(lease_id, "kube-system", &api).is_none() {
        let holder = format!("{api}_{}", new_uid());
        let labels =
            json!({"apiserver.kubernetes.io/identity": "kube-apiserver", "kubernetes.io/hostname": "control-plane-1"});
        let _ = store.create(
            lease_id,
            lease("kube-system", &api, &holder, 3600, labels, None),
            Origin::Internal,
        );
    }
}

fn renew(store: &Store, ns: &str, name: &str) {
    let now = micro_now();
    let _ = store.update_with(res("Lease"), ns, name, |l| {
        l["spec"]["renewTime"] = json!(now);
        Ok(())
    });
}

/// Keeps a leader lease renewed, or lets it go stale and has a new holder take over when it recovers.
/// Expiry is judged from the lease itself (renewTime + leaseDurationSeconds), as the candidates of a
/// real election judge it: whoever saw the lease expire also sees the takeover.
fn renew_leader(store: &Store, name: &str, stale: bool) {
    if stale {
        return;
    }
    let now = jiff::Timestamp::now();
    let stamp = micro_now();
    let _ = store.update_with(res("Lease"), "kube-system", name, |l| {
        let renewed = l["spec"]["renewTime"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let duration = l["spec"]["leaseDurationSeconds"].as_i64().unwrap_or(15);
        let expired = renewed.is_none_or(|r| now.duration_since(r).as_secs_f64() > duration as f64);
        if expired {
            l["spec"]["holderIdentity"] = json!(format!("control-plane-1_{}", new_uid()));
            l["spec"]["acquireTime"] = json!(stamp);
            let t = l["spec"]["leaseTransitions"].as_i64().unwrap_or(0);
            l["spec"]["leaseTransitions"] = json!(t + 1);
        }
        l["spec"]["renewTime"] = json!(stamp);
        Ok(())
    });
}

/// The kubelet's periodic status update: every condition's heartbeat moves, transitions don't.
fn heartbeat(store: &Store, name: &str) {
    let now = now_str();
    let _ = store.update_with(res("Node"), "", name, |n| {
        if !node_ready(n) {
            return Ok(());
        }
        for c in n["status"]["conditions"].as_array_mut().into_iter().flatten() {
            c["lastHeartbeatTime"] = json!(now);
        }
        Ok(())
    });
}

/// What the node lifecycle controller writes on a node whose kubelet stopped posting status.
pub fn mark_unreachable(n: &mut Value, now: &str) {
    for c in n["status"]["conditions"].as_array_mut().into_iter().flatten() {
        // NetworkUnavailable belongs to the network plugin, not the kubelet.
        if c["type"] == "NetworkUnavailable" {
            continue;
        }
        if c["status"] != "Unknown" {
            c["lastTransitionTime"] = json!(now);
        }
        c["status"] = json!("Unknown");
        c["reason"] = json!("NodeStatusUnknown");
        c["message"] = json!("Kubelet stopped posting node status.");
    }
    let mut taints: Vec<Value> = n["spec"]["taints"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t["key"] != "node.kubernetes.io/unreachable")
        .collect();
    taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": now}));
    taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": now}));
    n["spec"]["taints"] = json!(taints);
}

/// What the node lifecycle controller keeps on a node: the `node.kubernetes.io/unschedulable`
/// NoSchedule taint, there exactly while the node is cordoned (`spec.unschedulable`). Whether it
/// changed anything.
pub fn sync_unschedulable_taint(n: &mut Value, now: &str) -> bool {
    const KEY: &str = "node.kubernetes.io/unschedulable";
    let cordoned = n["spec"]["unschedulable"] == true;
    let taints: Vec<Value> = n["spec"]["taints"].as_array().cloned().unwrap_or_default();
    let tainted = taints.iter().any(|t| t["key"] == KEY);
    if cordoned == tainted {
        return false;
    }
    let mut kept: Vec<Value> = taints.into_iter().filter(|t| t["key"] != KEY).collect();
    if cordoned {
        kept.push(json!({"key": KEY, "effect": "NoSchedule", "timeAdded": now}));
    }
    if kept.is_empty() {
        n["spec"].as_object_mut().map(|s| s.remove("taints"));
    } else {
        n["spec"]["taints"] = json!(kept);
    }
    true
}

/// Runs the heartbeats until cancelled.
pub async fn run(ctx: Ctx) {
    let ts = ctx.opts.time_scale;
    ensure_scaled(&ctx.store, ts);
    let mut tick = tokio::time::interval(scaled(ts, LEADER_RENEW));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_node_lease = Instant::now();
    let mut last_status: HashMap<String, Instant> = HashMap::new();
    let api = apiserver_lease_name();
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            _ = tick.tick() => {}
        }
        let store = &ctx.store;
        renew_leader(store, "kube-scheduler", ctx.faults.stale_leader());
        renew_leader(store, "kube-controller-manager", false);
        if last_node_lease.elapsed() < scaled(ts, NODE_LEASE_RENEW) {
            continue;
        }
        last_node_lease = Instant::now();
        ensure_scaled(store, ts);
        renew(store, "kube-system", &api);
        let (nodes, _) = store.list(res("Node"), None);
        for n in nodes {
            let v = n.value();
            if sync_unschedulable_taint(&mut v.clone(), "") {
                let _ = store.update_with(res("Node"), "", &n.name, |n| {
                    sync_unschedulable_taint(n, &now_str());
                    Ok(())
                });
            }
            if !node_ready(&v) {
                continue;
            }
            renew(store, "kube-node-lease", &n.name);
            let due = last_status
                .get(&n.name)
                .is_none_or(|t| t.elapsed() >= scaled(ts, NODE_STATUS_EVERY));
            if due {
                heartbeat(store, &n.name);
                last_status.insert(n.name.clone(), Instant::now());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::kubelet_tests::{node, test_ctx};
    use super::super::simkit::wait_for;
    use super::*;

    fn renew_time(s: &Store, ns: &str, name: &str) -> String {
        s.get_value(res("Lease"), ns, name)
            .map(|l| l["spec"]["renewTime"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn node_leases_renew_except_the_not_ready_node_and_stale_leader_stops() {
        let ctx = test_ctx(0.01);
        let s = ctx.store.clone();
        s.create(res("Node"), node("w1", true, 1, json!({}), json!({})), Origin::Internal)
            .unwrap();
        let mut bad = node("w2", false, 2, json!({}), json!({}));
        mark_unreachable(&mut bad, &now_str());
        s.create(res("Node"), bad, Origin::Internal).unwrap();
        ensure(&s);
        let (w1, w2) = (
            renew_time(&s, "kube-node-lease", "w1"),
            renew_time(&s, "kube-node-lease", "w2"),
        );
        let sched = renew_time(&s, "kube-system", "kube-scheduler");
        assert!(!w1.is_empty() && !w2.is_empty() && !sched.is_empty());
        tokio::spawn(run(ctx.clone()));
        let t = Duration::from_secs(10);
        assert!(wait_for(&s, t, |s| renew_time(s, "kube-node-lease", "w1") != w1).await);
        assert!(wait_for(&s, t, |s| renew_time(s, "kube-system", "kube-scheduler") != sched).await);
        assert_eq!(
            renew_time(&s, "kube-node-lease", "w2"),
            w2,
            "NotReady node's lease must not renew"
        );
        let api = s.list(res("Lease"), Some("kube-system")).0;
        assert!(api.iter().any(|l| l.labels.get("apiserver.kubernetes.io/identity").map(String::as_str) == Some("kube-apiserver")));

        ctx.faults.set_stale_leader(true);
        // Let any renewal in flight land, then the scheduler lease must stand still while the manager's moves.
        let cm = renew_time(&s, "kube-system", "kube-controller-manager");
        assert!(wait_for(&s, t, |s| renew_time(s, "kube-system", "kube-controller-manager") != cm).await);
        let frozen = renew_time(&s, "kube-system", "kube-scheduler");
        let cm2 = renew_time(&s, "kube-system", "kube-controller-manager");
        assert!(
            wait_for(&s, t, |s| renew_time(s, "kube-system", "kube-controller-manager")
                != cm2)
            .await
        );
        assert_eq!(renew_time(&s, "kube-system", "kube-scheduler"), frozen);
        let n = s.get_value(res("Node"), "", "w2").unwrap();
        assert_eq!(n["status"]["conditions"][0]["reason"], "NodeStatusUnknown");
        ctx.cancel.cancel();
    }

    #[test]
    fn a_cordon_brings_the_unschedulable_taint_and_an_uncordon_takes_it_away() {
        let cp = json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"});
        let mut n = json!({"spec": {"unschedulable": true, "taints": [cp.clone()]}});
        assert!(sync_unschedulable_taint(&mut n, "t1"));
        let unsched = json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": "t1"});
        assert_eq!(n["spec"]["taints"], json!([cp.clone(), unsched]));
        assert!(
            !sync_unschedulable_taint(&mut n, "t2"),
            "already there: nothing to write"
        );
        n["spec"]["unschedulable"] = json!(false);
        assert!(sync_unschedulable_taint(&mut n, "t3"));
        assert_eq!(n["spec"]["taints"], json!([cp]));
        let mut plain = json!({"spec": {"unschedulable": true}});
        assert!(sync_unschedulable_taint(&mut plain, "t4"));
        plain["spec"]["unschedulable"] = json!(false);
        assert!(sync_unschedulable_taint(&mut plain, "t5"));
        assert!(plain["spec"].get("taints").is_none(), "{plain}");
    }
}
