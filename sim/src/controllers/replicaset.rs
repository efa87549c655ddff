//! The ReplicaSet controller: keeps `spec.replicas` pods alive and reports their readiness.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::resources::res;
use super::super::store::{Event, Key, Obj, Store, pods};
use super::Ctx;
use super::podutil::{self, availability, controller_of, is_active};
use super::runner::Controller;

const COMPONENT: &str = "replicaset-controller";

/// The real controller's burst limit: at most this many pods created or deleted per sync.
const BURST: usize = 500;

/// The ReplicaSet controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("ReplicaSet"),
        keys_for,
        reconcile,
    }
}

fn keys_for(_: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let rs = res("ReplicaSet");
    if o.res == rs {
        vec![o.key()]
    } else if o.res == pods() {
        controller_of(o, "ReplicaSet")
            .map(|n| vec![(rs, o.ns.clone(), n)])
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// Pods whose controller is the object with this uid.
pub fn owned_pods(store: &Store, uid: &str) -> Vec<Arc<Obj>> {
    store
        .dependents(uid)
        .into_iter()
        .filter(|(r, _, _)| *r == pods())
        .filter_map(|(r, ns, name)| store.get(r, &ns, &name))
        .filter(|p| p.controller.as_deref() == Some(uid))
        .collect()
}

/// Deletion preference, most deletable first: unscheduled, pending, not ready, ready for the
/// shortest time, most restarted, newest (the real controller's ActivePodsWithRanks, without
/// the co-location rank).
fn deletion_rank(p: &Value) -> impl Ord + use<> {
    let unscheduled = p["spec"]["nodeName"].as_str().is_none_or(str::is_empty);
    let phase = match p["status"]["phase"].as_str() {
        Some("Pending") => 0,
        Some("Running") => 2,
        _ => 1,
    };
    let since = podutil::ready_since(p);
    let restarts: i64 = p["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .sum();
    let created = p["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (
        std::cmp::Reverse(unscheduled),
        phase,
        since.is_some(),
        std::cmp::Reverse(since),
        std::cmp::Reverse(restarts),
        std::cmp::Reverse(created),
    )
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &ctx.store;
    let rs_obj = store.get(key.0, &key.1, &key.2)?;
    let rs = rs_obj.value();
    let want = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let active: Vec<Arc<Obj>> = owned_pods(store, &rs_obj.uid)
        .into_iter()
        .filter(|p| is_active(p))
        .collect();
    if !rs_obj.deleting {
        if active.len() < want {
            for _ in 0..(want - active.len()).min(BURST) {
                let pod = podutil::pod_from_template(&rs["spec"]["template"], &rs, None);
                if podutil::create_pod(store, pod, &rs, COMPONENT).is_none() {
                    break;
                }
            }
        } else if active.len() > want {
            let mut ranked: Vec<(Value, &Arc<Obj>)> = active.iter().map(|p| (p.value(), p)).collect();
            ranked.sort_by_cached_key(|(v, _)| deletion_rank(v));
            for (_, p) in ranked.into_iter().take((active.len() - want).min(BURST)) {
                podutil::delete_pod(store, p, &rs, COMPONENT);
            }
        }
    }
    update_status(store, &rs_obj, &rs)
}

fn update_status(store: &Store, rs_obj: &Obj, rs: &Value) -> Option<Duration> {
    let min_ready = rs["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let template_labels = rs["spec"]["template"]["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let (mut replicas, mut labeled, mut ready, mut available) = (0, 0, 0, 0);
    let mut recheck: Option<Duration> = None;
    for p in owned_pods(store, &rs_obj.uid).iter().filter(|p| is_active(p)) {
        replicas += 1;
        if template_labels
            .iter()
            .all(|(k, v)| p.labels.get(k).map(String::as_str) == v.as_str())
        {
            labeled += 1;
        }
        let v = podutil::conditions_only(p);
        if podutil::ready_since(&v).is_some() {
            ready += 1;
        }
        match availability(&v, min_ready) {
            (true, _) => available += 1,
            (false, Some(wait)) => recheck = Some(recheck.map_or(wait, |r| r.min(wait))),
            (false, None) => {}
        }
    }
    let mut status = json!({ "replicas": replicas });
    for (field, n) in [
        ("fullyLabeledReplicas", labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
    ] {
        if n > 0 {
            status[field] = json!(n);
        }
    }
    status["observedGeneration"] = rs["metadata"]["generation"].clone();
    if let Some(c) = rs["status"].get("conditions") {
        status["conditions"] = c.clone();
    }
    let _ = store.update_with(rs_obj.res, &rs_obj.ns, &rs_obj.name, |v| {
        v["status"] = status;
        Ok(())
    });
    // Whole seconds in timestamps: look again just after the boundary.
    recheck.map(|d| d + Duration::from_millis(50))
}

#[cfg(test)]
mod tests {
    use super::super::testkit::{Kit, rs_json};
    use super::*;

    #[tokio::test]
    async fn keeps_the_replica_count_and_reports_readiness() {
        let kit = Kit::start(&[controller()]);
        kit.create(res("ReplicaSet"), rs_json("web-abc", 3));
        kit.wait_for("3 ready replicas", |s| {
            let rs = s.get_value(res("ReplicaSet"), "default", "web-abc").unwrap();
            rs["status"]["readyReplicas"] == 3 && rs["status"]["availableReplicas"] == 3
        })
        .await;
        let pods_now = kit.store().list(pods(), Some("default")).0;
        assert_eq!(pods_now.len(), 3);
        assert!(
            pods_now
                .iter()
                .all(|p| p.name.starts_with("web-abc-") && p.name.len() == 13)
        );

        kit.store()
            .remove(pods(), "default", &pods_now[0].name)
            .expect("pod exists");
        kit.wait_for("a replacement pod", |s| {
            let live = s.list(pods(), Some("default")).0;
            live.len() == 3 && live.iter().all(|p| p.name != pods_now[0].name)
        })
        .await;

        kit.store()
            .update_with(res("ReplicaSet"), "default", "web-abc", |v| {
                v["spec"]["replicas"] = json!(1);
                Ok(())
            })
            .unwrap();
        kit.wait_for("scaled down to 1", |s| {
            let rs = s.get_value(res("ReplicaSet"), "default", "web-abc").unwrap();
            s.count(pods()) == 1 && rs["status"]["replicas"] == 1 && rs["status"]["observedGeneration"] == 2
        })
        .await;
        let events = kit.store().list(res("Event"), Some("default")).0;
        assert!(events.iter().any(|e| e.value()["reason"] == "SuccessfulDelete"));
        assert!(events.iter().any(|e| {
            e.value()["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Created pod: web-abc-"))
        }));
    }

    #[test]
    fn deletes_unscheduled_and_unready_pods_first() {
        let ready = json!({"spec": {"nodeName": "n1"}, "status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": "2024-01-01T00:00:00Z"}]},
            "metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}});
        let unready = json!({"spec": {"nodeName": "n1"}, "status": {"phase": "Running"},
            "metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}});
        let pending = json!({"spec": {}, "status": {"phase": "Pending"}, "metadata": {"creationTimestamp": "2023-01-01T00:00:00Z"}});
        let mut v = [ready.clone(), unready.clone(), pending.clone()];
        v.sort_by_cached_key(deletion_rank);
        assert_eq!(v, [pending, unready, ready]);
    }
}
