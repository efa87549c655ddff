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

/// Recomputes one autoscaler's status from its scale target.
pub fn sync(store: &Store, ns: &str, name: &str) {
    let hpa = res("HorizontalPodAutoscaler");
    let Some(h) = store.get_value(hpa, ns, name) else {
        return;
    };
    let target = &h["spec"]["scaleTargetRef"];
    let current = target["kind"]
        .as_str()
        .and_then(by_kind)
        .and_then(|id| store.get_value(id, ns, target["name"].as_str().unwrap_or_default()))
        .map(|t| t["status"]["replicas"].as_i64().unwrap_or(0));
    let now = now_str();
    let _ = store.update_with(hpa, ns, name, |v| {
        let status = &mut v["status"];
        match current {
            Some(n) => {
                status["currentReplicas"] = json!(n);
                status["desiredReplicas"] = json!(n);
                set_condition(
                    status,
                    "AbleToScale",
                    "True",
                    Some("SucceededGetScale"),
                    Some("the HPA controller was able to get the target's current scale"),
                    &now,
                );
                set_condition(
                    status,
                    "ScalingActive",
                    "False",
                    Some("FailedGetResourceMetric"),
                    Some(NO_METRICS),
                    &now,
                );
            }
            None => {
                let msg = format!(
                    "the HPA controller was unable to get the target's current scale: {} \"{}\" not found",
                    target["kind"].as_str().unwrap_or_default().to_lowercase(),
                    target["name"].as_str().unwrap_or_default()
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

    #[test]
    fn tracks_the_target_and_reports_missing_metrics() {
        let s = Store::new(100);
        let d = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}, "status": {"replicas": 3}});
        s.create(res("Deployment"), d, Origin::Internal).unwrap();
        let h = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 10}});
        s.create(res("HorizontalPodAutoscaler"), h, Origin::Internal).unwrap();
        sync(&s, "shop", "web");
        let st = s.get_value(res("HorizontalPodAutoscaler"), "shop", "web").unwrap()["status"].clone();
        assert_eq!(st["currentReplicas"], 3);
        let active = st["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "ScalingActive")
            .unwrap();
        assert_eq!(
            (active["status"].as_str(), active["reason"].as_str()),
            (Some("False"), Some("FailedGetResourceMetric"))
        );
    }
}
