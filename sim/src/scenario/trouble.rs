//! The problems the triage screen is shown with on a fresh start, besides the crash loop, the
//! image pull failure, the NotReady node and the Pending claim of the applications: a pod no node
//! can take, an OOM-killed container, a readiness probe that keeps failing behind a Service with
//! no ready endpoint, an autoscaler at its maximum and a failed Job.

use serde_json::json;

use super::build::{container, deployment, http_port, labels, service, template};
use super::{DAY, put};
use crate::store::Store;

/// A pod asking for a GPU node the cluster does not have: the scheduler's FailedScheduling event
/// and PodScheduled condition say why. Created a quarter of an hour ago, so it has been Pending
/// long enough to be a problem from the start.
fn unschedulable(store: &Store) {
    let l = labels("render", "shop");
    let mut c = container(
        "render",
        "registry.example.com/shop/render:0.4.2",
        8080,
        "500m",
        "512Mi",
    );
    c["resources"]["limits"]["nvidia.com/gpu"] = json!("1");
    let mut t = template(&l, json!({}), vec![c]);
    t["spec"]["nodeSelector"] = json!({"nvidia.com/gpu.present": "true"});
    let mut pod = json!({"metadata": {"name": "render-gpu-0", "namespace": "shop", "labels": l}, "spec": t["spec"]});
    pod["status"] = json!({"phase": "Pending", "qosClass": "Burstable"});
    put(store, "Pod", pod, 15 * 60);
}

/// Loads the planted problems.
pub fn load(store: &Store) {
    unschedulable(store);

    // Killed for memory a few seconds after each start: OOMKilled, then CrashLoopBackOff.
    let l = labels("thumbnails", "shop");
    let c = container(
        "thumbnails",
        "registry.example.com/shop/thumbnails:1.1.0",
        8080,
        "100m",
        "64Mi",
    );
    let t = template(
        &l,
        json!({"sim.kubedeck.io/oom": "true", "sim.kubedeck.io/crash-after": "3"}),
        vec![c],
    );
    put(store, "Deployment", deployment("shop", "thumbnails", 1, &l, t), 6 * DAY);

    // Running but never ready: Unhealthy warnings, and its Service has no ready endpoint.
    let l = labels("search", "shop");
    let c = container(
        "search",
        "registry.example.com/shop/search:5.0.1",
        8080,
        "200m",
        "256Mi",
    );
    let t = template(&l, json!({"sim.kubedeck.io/unready": "true"}), vec![c]);
    put(store, "Deployment", deployment("shop", "search", 1, &l, t), 9 * DAY);
    put(
        store,
        "Service",
        service("shop", "search", "search", "ClusterIP", http_port(80), "10.96.77.21"),
        9 * DAY,
    );

    // api runs 2 replicas: an autoscaler that may not go past 2 is at its maximum.
    put(
        store,
        "HorizontalPodAutoscaler",
        json!({"metadata": {"name": "api", "namespace": "shop", "labels": labels("api", "shop")},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, "minReplicas": 1, "maxReplicas": 2,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]},
        // As the controller left it: at its maximum.
        "status": {"currentReplicas": 2, "desiredReplicas": 2}}),
        20 * DAY,
    );

    // A Job whose only try fails: BackoffLimitExceeded.
    let jl = json!({"app.kubernetes.io/name": "ledger-reconcile"});
    let c = json!({"name": "reconcile", "image": "registry.example.com/payments/ledger:0.9.3",
        "command": ["/bin/sh", "-c", "reconcile --since=24h"], "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}});
    let mut t = template(
        &jl,
        json!({"sim.kubedeck.io/crash": "true", "sim.kubedeck.io/crash-after": "1"}),
        vec![c],
    );
    t["spec"]["restartPolicy"] = json!("Never");
    put(
        store,
        "Job",
        json!({"metadata": {"name": "ledger-reconcile", "namespace": "payments", "labels": jl},
        "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1, "completionMode": "NonIndexed", "template": t}}),
        3600,
    );
}
