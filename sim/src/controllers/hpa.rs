//! HorizontalPodAutoscaler status as the controller writes it on a cluster without metrics-server:
//! it tracks the target's replicas and reports that it cannot read CPU metrics (the demo's
//! `v1beta1.metrics.k8s.io` APIService is unavailable), so it never scales.

use std::time::Duration;

use serde_json::{Value, json};

use super::Ctx;
use super::kubelet_status::set_condition;
use crate::resources::{by_kind, res};
use crate::store::{Store, now_str};

const NO_METRICS: &str = "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)";

/// Recomputes one autoscaler's status from its scale target, as the controller does when it cannot
/// read metrics: `currentReplicas` from the target's scale status, `desiredReplicas` left as last
/// computed (0 if never), and the conditions saying why.
pub fn sync(store: &Store, ns: &str, name: &str) {
    let hpa = res("HorizontalPodAutoscaler");
    let Some(h) = store.get_value(hpa, ns, name) else {
        return;
    };
    let target_ref = &h["spec"]["scaleTargetRef"];
    let target = target_ref["kind"]
        .as_str()
        .and_then(by_kind)
        .and_then(|id| store.get_value(id, ns, target_ref["name"].as_str().unwrap_or_default()));
    // A target its own controller has not yet observed has a scale status nobody wrote: the demo's
    // controllers all start at once, and reading it would report 0 replicas for a workload that
    // has run for days. A real cluster's target always carries its controller's status.
    if target
        .as_ref()
        .is_some_and(|t| t["status"].get("observedGeneration").is_none())
    {
        return;
    }
    let min_replicas = h["spec"]["minReplicas"].as_i64().unwrap_or(1);
    let now = now_str();
    let _ = store.update_with(hpa, ns, name, |v| {
        let status = &mut v["status"];
        if status.get("desiredReplicas").is_none() {
            status["desiredReplicas"] = json!(0);
        }
        match &target {
            Some(t) => {
                status["currentReplicas"] = json!(t["status"]["replicas"].as_i64().unwrap_or(0));
                set_condition(
                    status,
                    "AbleToScale",
                    "True",
                    Some("SucceededGetScale"),
                    Some("the HPA controller was able to get the target's current scale"),
                    &now,
                );
                if t["spec"]["replicas"].as_i64() == Some(0) && min_replicas != 0 {
                    status["desiredReplicas"] = json!(0);
                    set_condition(
                        status,
                        "ScalingActive",
                        "False",
                        Some("ScalingDisabled"),
                        Some("scaling is disabled since the replica count of the target is zero"),
                        &now,
                    );
                } else {
                    set_condition(
                        status,
                        "ScalingActive",
                        "False",
                        Some("FailedGetResourceMetric"),
                        Some(NO_METRICS),
                        &now,
                    );
                }
            }
            None => {
                let msg = format!(
                    "the HPA controller was unable to get the target's current scale: {} \"{}\" not found",
                    target_ref["kind"].as_str().unwrap_or_default().to_lowercase(),
                    target_ref["name"].as_str().unwrap_or_default()
                );
                set_condition(status, "AbleToScale", "False", Some("FailedGetScale"), Some(&msg), &now);
            }
        }
        strip_probe_times(status);
        Ok(())
    });
}

/// HPA conditions carry no lastProbeTime.
fn strip_probe_times(status: &mut Value) {
    for c in status["conditions"].as_array_mut().into_iter().flatten() {
        c.as_object_mut().map(|m| m.remove("lastProbeTime"));
    }
}

/// Resyncs every autoscaler every 15 s (the controller's default sync period, scaled).
pub async fn run(ctx: Ctx) {
    let period = Duration::from_secs_f64((15.0 * ctx.opts.time_scale).max(0.05));
    let mut tick = tokio::time::interval(period);
    loop {
        tokio::select! {
            _ = ctx.cancel.cancelled() => return,
            _ = tick.tick() => {
                for o in ctx.store.list(res("HorizontalPodAutoscaler"), None).0 {
                    sync(&ctx.store, &o.ns, &o.name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Origin;

    fn deployment(s: &Store, status: Value) {
        let d = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}, "status": status});
        s.create(res("Deployment"), d, Origin::Internal).unwrap();
    }

    fn hpa(s: &Store, status: Value) {
        let h = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 10},
            "status": status});
        s.create(res("HorizontalPodAutoscaler"), h, Origin::Internal).unwrap();
    }

    fn status(s: &Store) -> Value {
        s.get_value(res("HorizontalPodAutoscaler"), "shop", "web").unwrap()["status"].clone()
    }

    fn condition(st: &Value, ty: &str) -> (String, String) {
        let c = st["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == ty)
            .unwrap();
        (
            c["status"].as_str().unwrap().into(),
            c["reason"].as_str().unwrap().into(),
        )
    }

    #[test]
    fn tracks_the_target_and_reports_missing_metrics() {
        let s = Store::new(100);
        deployment(&s, json!({"observedGeneration": 1, "replicas": 3}));
        hpa(&s, json!(null));
        sync(&s, "shop", "web");
        let st = status(&s);
        assert_eq!(st["currentReplicas"], 3);
        // Never computed from metrics: desiredReplicas is the controller's zero, not the current count.
        assert_eq!(st["desiredReplicas"], 0);
        assert_eq!(
            condition(&st, "ScalingActive"),
            ("False".into(), "FailedGetResourceMetric".into())
        );
    }

    #[test]
    fn a_target_no_controller_has_observed_leaves_the_last_status() {
        // The scenario's autoscaler as the controller left it, its deployment not yet synced: the
        // autoscaler does not drop to 0 replicas (`kubectl get hpa` showed REPLICAS 0 at start).
        let s = Store::new(100);
        deployment(&s, json!({}));
        hpa(&s, json!({"currentReplicas": 3, "desiredReplicas": 3}));
        sync(&s, "shop", "web");
        assert_eq!(status(&s), json!({"currentReplicas": 3, "desiredReplicas": 3}));
        s.update_with(res("Deployment"), "shop", "web", |d| {
            d["status"] = json!({"observedGeneration": 1, "replicas": 4});
            Ok(())
        })
        .unwrap();
        sync(&s, "shop", "web");
        let st = status(&s);
        assert_eq!((&st["currentReplicas"], &st["desiredReplicas"]), (&json!(4), &json!(3)));
    }

    #[test]
    fn a_target_scaled_to_zero_disables_scaling() {
        let s = Store::new(100);
        deployment(&s, json!({"observedGeneration": 1}));
        s.update_with(res("Deployment"), "shop", "web", |d| {
            d["spec"]["replicas"] = json!(0);
            Ok(())
        })
        .unwrap();
        hpa(&s, json!({"currentReplicas": 3, "desiredReplicas": 3}));
        sync(&s, "shop", "web");
        let st = status(&s);
        assert_eq!((&st["currentReplicas"], &st["desiredReplicas"]), (&json!(0), &json!(0)));
        assert_eq!(
            condition(&st, "ScalingActive"),
            ("False".into(), "ScalingDisabled".into())
        );
    }
}
