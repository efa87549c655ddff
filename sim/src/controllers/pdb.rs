//! The disruption controller's PodDisruptionBudget status: healthy pods against the budget.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::Ctx;
use super::kubelet_status::set_condition;
use super::simkit::scaled;
use crate::resources::res;
use crate::select::LabelSelector;
use crate::store::{EventType, Store, now_str, pods};

fn scaled_value(v: &Value, total: i64) -> i64 {
    match v {
        Value::String(s) if s.ends_with('%') => {
            let p: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            // The disruption controller rounds percentages up.
            (p * total + 99) / 100
        }
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_i64().unwrap_or(0),
    }
}

/// The status fields computed for a budget from its pods (expected = matching pods, healthy = Ready ones).
pub fn compute(spec: &Value, expected: i64, healthy: i64) -> (i64, i64) {
    let desired = if !spec["minAvailable"].is_null() {
        scaled_value(&spec["minAvailable"], expected)
    } else if !spec["maxUnavailable"].is_null() {
        (expected - scaled_value(&spec["maxUnavailable"], expected)).max(0)
    } else {
        expected
    };
    (desired, (healthy - desired).max(0))
}

/// Recomputes one budget's status.
pub fn sync_pdb(store: &Store, ns: &str, name: &str) {
    let Some(pdb) = store.get_value(res("PodDisruptionBudget"), ns, name) else {
        return;
    };
    let sel = LabelSelector::from_value(&pdb["spec"]["selector"]);
    let (mut expected, mut healthy) = (0i64, 0i64);
    for o in store.list(pods(), Some(ns)).0.iter().filter(|o| sel.matches(&o.labels)) {
        let phase = o.fields.iter().find(|f| f.0 == "status.phase").map(|f| f.1.as_str());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        expected += 1;
        let v = o.value();
        let ready = v["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True");
        if ready && !o.deleting {
            healthy += 1;
        }
    }
    let (desired, allowed) = compute(&pdb["spec"], expected, healthy);
    let now = now_str();
    let _ = store.update_with(res("PodDisruptionBudget"), ns, name, |p| {
        let generation = p["metadata"]["generation"].clone();
        let st = &mut p["status"];
        st["currentHealthy"] = json!(healthy);
        st["desiredHealthy"] = json!(desired);
        st["expectedPods"] = json!(expected);
        st["disruptionsAllowed"] = json!(allowed);
        st["observedGeneration"] = generation.clone();
        if st["disruptedPods"].is_null() {
            st["disruptedPods"] = json!({});
        }
        let (state, reason) = if allowed > 0 {
            ("True", "SufficientPods")
        } else {
            ("False", "InsufficientPods")
        };
        set_condition(st, "DisruptionAllowed", state, Some(reason), Some(""), &now);
        if let Some(c) = st["conditions"].as_array_mut().and_then(|c| c.first_mut())
            && let Some(m) = c.as_object_mut()
        {
            // PDB conditions are metav1.Condition: no lastProbeTime, but observedGeneration.
            m.remove("lastProbeTime");
            m.insert("observedGeneration".into(), generation);
        }
        Ok(())
    });
}

/// Runs the disruption controller until cancelled.
pub async fn run(ctx: Ctx) {
    let mut rx = ctx.store.subscribe();
    let mut sels: HashMap<(String, String), LabelSelector> = HashMap::new();
    let mut dirty: BTreeSet<(String, String)> = BTreeSet::new();
    let reload = |sels: &mut HashMap<_, _>, dirty: &mut BTreeSet<_>| {
        sels.clear();
        for p in ctx.store.list(res("PodDisruptionBudget"), None).0 {
            let key = (p.ns.clone(), p.name.clone());
            sels.insert(key.clone(), LabelSelector::from_value(&p.value()["spec"]["selector"]));
            dirty.insert(key);
        }
    };
    reload(&mut sels, &mut dirty);
    let mut tick = tokio::time::interval(scaled(ctx.opts.time_scale, 1.0));
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            r = rx.recv() => match r {
                Ok(ev) if ev.obj.res == pods() => {
                    for (k, s) in &sels {
                        let hit = s.matches(&ev.obj.labels) || ev.prev.as_ref().is_some_and(|p| s.matches(&p.labels));
                        if k.0 == ev.obj.ns && hit {
                            dirty.insert(k.clone());
                        }
                    }
                }
                Ok(ev) if ev.obj.res == res("PodDisruptionBudget") => {
                    let key = (ev.obj.ns.clone(), ev.obj.name.clone());
                    if ev.kind == EventType::Deleted {
                        sels.remove(&key);
                    } else if ev.prev.as_ref().is_none_or(|p| p.json != ev.obj.json) {
                        let v = ev.obj.value();
                        let changed_spec = ev.prev.as_ref().is_none_or(|p| p.value()["spec"] != v["spec"]);
                        if changed_spec {
                            sels.insert(key.clone(), LabelSelector::from_value(&v["spec"]["selector"]));
                            dirty.insert(key);
                        }
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => reload(&mut sels, &mut dirty),
                Err(RecvError::Closed) => break,
            },
            _ = tick.tick() => {
                for (ns, name) in std::mem::take(&mut dirty) {
                    sync_pdb(&ctx.store, &ns, &name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_arithmetic() {
        assert_eq!(compute(&json!({"minAvailable": 2}), 3, 3), (2, 1));
        assert_eq!(compute(&json!({"minAvailable": 2}), 3, 2), (2, 0));
        assert_eq!(compute(&json!({"minAvailable": "50%"}), 3, 3), (2, 1));
        assert_eq!(compute(&json!({"maxUnavailable": 1}), 3, 3), (2, 1));
        assert_eq!(compute(&json!({"maxUnavailable": "10%"}), 5, 5), (4, 1));
    }

    #[tokio::test]
    async fn status_tracks_ready_pods() {
        use super::super::kubelet_tests::{node, pod, test_ctx};
        use super::super::simkit::wait_for;
        use crate::store::Origin;
        let ctx = test_ctx(0.01);
        let s = ctx.store.clone();
        s.create(res("Node"), node("w1", true, 1, json!({}), json!({})), Origin::Internal)
            .unwrap();
        for n in ["web-a", "web-b", "web-c"] {
            let mut p = pod("t", n, json!({}), json!({}));
            p["metadata"]["labels"]["app"] = json!("web");
            s.create(pods(), p, Origin::Internal).unwrap();
        }
        let pdb = json!({"metadata": {"name": "web", "namespace": "t"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}});
        s.create(res("PodDisruptionBudget"), pdb, Origin::Internal).unwrap();
        tokio::spawn(super::super::kubelet::run(ctx.clone()));
        tokio::spawn(run(ctx.clone()));
        let t = std::time::Duration::from_secs(10);
        let st = |s: &Store| s.get_value(res("PodDisruptionBudget"), "t", "web").unwrap()["status"].clone();
        assert!(wait_for(&s, t, |s| st(s)["currentHealthy"] == 3).await);
        let status = st(&s);
        assert_eq!(status["disruptionsAllowed"], 1);
        assert_eq!(status["expectedPods"], 3);
        assert_eq!(status["observedGeneration"], 1);
        assert_eq!(status["conditions"][0]["reason"], "SufficientPods");
        s.remove(pods(), "t", "web-a").unwrap();
        s.remove(pods(), "t", "web-b").unwrap();
        assert!(wait_for(&s, t, |s| st(s)["conditions"][0]["reason"] == "InsufficientPods").await);
        assert_eq!(st(&s)["disruptionsAllowed"], 0);
        ctx.cancel.cancel();
    }
}
