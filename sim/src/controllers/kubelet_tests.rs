//! Tests of the scheduler and kubelet against a real store, with delays scaled down.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Ctx;
use super::simkit::wait_for;
use crate::faults::Faults;
use crate::options::SimOptions;
use crate::resources::res;
use crate::store::{Origin, Store, now_str, pods};

/// A context over a fresh store with delays at `scale`.
pub fn test_ctx(scale: f64) -> Ctx {
    Ctx {
        store: Arc::new(Store::new(100_000)),
        faults: Arc::new(Faults::default()),
        opts: SimOptions {
            time_scale: scale,
            ..SimOptions::default()
        },
        cancel: CancellationToken::new(),
    }
}

/// A minimal Node object.
pub fn node(name: &str, ready: bool, cidr: u32, extra_spec: Value, labels: Value) -> Value {
    let mut spec = json!({"podCIDR": format!("10.244.{cidr}.0/24")});
    if let (Some(s), Some(e)) = (spec.as_object_mut(), extra_spec.as_object()) {
        s.extend(e.clone());
    }
    json!({"metadata": {"name": name, "labels": labels}, "spec": spec,
        "status": {"conditions": [{"type": "Ready", "status": if ready {"True"} else {"Unknown"}}],
        "addresses": [{"type": "InternalIP", "address": format!("192.168.1.{}", 10 + cidr)}]}})
}

/// A bare pod as a workload controller makes it.
pub fn pod(ns: &str, name: &str, annotations: Value, spec: Value) -> Value {
    let mut s = json!({"containers": [{"name": "app", "image": "nginx:1.27"}], "restartPolicy": "Always"});
    if let (Some(s), Some(e)) = (s.as_object_mut(), spec.as_object()) {
        s.extend(e.clone());
    }
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}, "annotations": annotations},
        "spec": s, "status": {"phase": "Pending"}})
}

fn get(ctx: &Ctx, ns: &str, name: &str) -> Value {
    ctx.store.get_value(pods(), ns, name).unwrap_or(Value::Null)
}

fn cluster(ctx: &Ctx) {
    let s = &ctx.store;
    let cp_taint = json!({"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]});
    let unreachable = json!({"taints": [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]});
    s.create(res("Node"), node("cp", true, 0, cp_taint, json!({})), Origin::Internal)
        .unwrap();
    s.create(
        res("Node"),
        node("w1", true, 1, json!({"unschedulable": true}), json!({})),
        Origin::Internal,
    )
    .unwrap();
    s.create(
        res("Node"),
        node("w2", true, 2, json!({}), json!({"disk": "ssd"})),
        Origin::Internal,
    )
    .unwrap();
    s.create(
        res("Node"),
        node("w3", false, 3, unreachable, json!({})),
        Origin::Internal,
    )
    .unwrap();
}

const T: Duration = Duration::from_secs(10);

fn cond<'a>(p: &'a Value, ty: &str) -> &'a Value {
    p["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == ty))
        .unwrap_or(&Value::Null)
}

fn has_event(ctx: &Ctx, ns: &str, reason: &str, needle: &str) -> bool {
    ctx.store
        .list(res("Event"), Some(ns))
        .0
        .iter()
        .map(|e| e.value())
        .any(|e| e["reason"] == reason && e["message"].as_str().unwrap_or_default().contains(needle))
}

#[tokio::test]
async fn scheduling_respects_taints_cordon_and_node_selector() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    s.create(pods(), pod("t", "plain", json!({}), json!({})), Origin::Internal)
        .unwrap();
    s.create(
        pods(),
        pod("t", "hdd", json!({}), json!({"nodeSelector": {"disk": "hdd"}})),
        Origin::Internal,
    )
    .unwrap();
    assert!(wait_for(s, T, |_| get(&ctx, "t", "plain")["spec"]["nodeName"] == "w2").await);
    assert!(
        wait_for(s, T, |_| cond(&get(&ctx, "t", "hdd"), "PodScheduled")["reason"]
            == "Unschedulable")
        .await
    );
    let hdd = get(&ctx, "t", "hdd");
    let msg = cond(&hdd, "PodScheduled")["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("0/4 nodes are available:"), "{msg}");
    assert!(msg.contains("1 node(s) were unschedulable"), "{msg}");
    assert!(
        msg.contains("untolerated taint {node.kubernetes.io/unreachable: }"),
        "{msg}"
    );
    assert!(has_event(&ctx, "t", "FailedScheduling", "0/4 nodes are available"));
    assert!(has_event(&ctx, "t", "Scheduled", "Successfully assigned t/plain to w2"));
    // Uncordoning w1 lets a tolerant-free pod land there too; the hdd pod stays pending.
    s.update_with(res("Node"), "", "w1", |n| {
        n["spec"]["unschedulable"] = json!(false);
        Ok(())
    })
    .unwrap();
    s.create(pods(), pod("t", "second", json!({}), json!({})), Origin::Internal)
        .unwrap();
    assert!(wait_for(s, T, |_| get(&ctx, "t", "second")["spec"]["nodeName"] == "w1").await);
    assert_eq!(get(&ctx, "t", "hdd")["spec"]["nodeName"], Value::Null);
    ctx.cancel.cancel();
}

#[tokio::test]
async fn pod_goes_pending_running_ready_with_inits_ips_and_events() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    let inits = json!({"initContainers": [{"name": "migrate", "image": "busybox:1.36"}, {"name": "warm", "image": "busybox:1.36"}],
        "containers": [{"name": "web", "image": "nginx:1.27", "resources": {"requests": {"cpu": "100m"}}}]});
    s.create(pods(), pod("t", "web-1", json!({}), inits), Origin::Internal)
        .unwrap();
    let mut saw_init = false;
    let ok = wait_for(s, T, |_| {
        let p = get(&ctx, "t", "web-1");
        saw_init |= p["status"]["initContainerStatuses"][0]["state"]["running"].is_object();
        cond(&p, "Ready")["status"] == "True"
    })
    .await;
    assert!(ok && saw_init);
    let p = get(&ctx, "t", "web-1");
    let st = &p["status"];
    assert_eq!(st["phase"], "Running");
    assert_eq!(st["qosClass"], "Burstable");
    assert!(st["podIP"].as_str().unwrap().starts_with("10.244.2."));
    assert_eq!(st["hostIP"], "192.168.1.12");
    let cs = &st["containerStatuses"][0];
    assert!(
        cs["containerID"].as_str().unwrap().starts_with("containerd://")
            && cs["containerID"].as_str().unwrap().len() == 77
    );
    assert_eq!(cs["image"], "docker.io/library/nginx:1.27");
    assert!(cs["state"]["running"]["startedAt"].is_string() && cs["started"] == true && cs["restartCount"] == 0);
    assert_eq!(
        st["initContainerStatuses"][1]["state"]["terminated"]["reason"],
        "Completed"
    );
    for c in [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ] {
        assert_eq!(cond(&p, c)["status"], "True", "{c}");
    }
    for (r, m) in [
        ("Pulling", "Pulling image \"nginx:1.27\""),
        ("Created", "Created container: web"),
        ("Started", "Started container web"),
    ] {
        assert!(has_event(&ctx, "t", r, m), "{r}");
    }
    assert!(
        has_event(&ctx, "t", "Pulled", "already present on machine"),
        "second busybox pull is cached"
    );
    ctx.cancel.cancel();
}

#[tokio::test]
async fn crash_loop_backs_off_and_counts_restarts() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    s.create(
        pods(),
        pod("t", "checkout", json!({"sim.kubedeck.io/crash": "true"}), json!({})),
        Origin::Internal,
    )
    .unwrap();
    let mut backoffs = std::collections::BTreeSet::new();
    let ok = wait_for(s, T, |_| {
        let p = get(&ctx, "t", "checkout");
        let cs = &p["status"]["containerStatuses"][0];
        if cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" {
            let m = cs["state"]["waiting"]["message"].as_str().unwrap_or_default();
            backoffs.insert(m.split_whitespace().nth(1).unwrap_or_default().to_string());
            assert_eq!(cs["lastState"]["terminated"]["exitCode"], 1);
            assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
        }
        cs["restartCount"].as_i64().unwrap_or(0) >= 3
    })
    .await;
    assert!(ok, "restartCount never reached 3");
    assert!(backoffs.contains("10s") && backoffs.contains("20s"), "{backoffs:?}");
    assert!(has_event(
        &ctx,
        "t",
        "BackOff",
        "Back-off restarting failed container app in pod checkout_t("
    ));
    assert_eq!(get(&ctx, "t", "checkout")["status"]["phase"], "Running");
    ctx.cancel.cancel();
}

#[tokio::test]
async fn missing_image_shows_err_image_pull_then_back_off() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    let spec = json!({"containers": [{"name": "recs", "image": "registry.example.com/shop/recs:does-not-exist"}]});
    s.create(pods(), pod("t", "recs", json!({}), spec), Origin::Internal)
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let ok = wait_for(s, T, |_| {
        let p = get(&ctx, "t", "recs");
        if let Some(r) = p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str() {
            seen.insert(r.to_string());
        }
        seen.contains("ErrImagePull") && seen.contains("ImagePullBackOff")
    })
    .await;
    assert!(ok, "{seen:?}");
    assert_eq!(get(&ctx, "t", "recs")["status"]["phase"], "Pending");
    assert!(has_event(
        &ctx,
        "t",
        "Failed",
        "Failed to pull image \"registry.example.com/shop/recs:does-not-exist\""
    ));
    assert!(has_event(&ctx, "t", "BackOff", "Back-off pulling image"));
    ctx.cancel.cancel();
}

#[tokio::test]
async fn run_seconds_with_restart_never_succeeds() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    let ann = json!({"sim.kubedeck.io/run-seconds": "5"});
    s.create(
        pods(),
        pod("t", "job-1", ann, json!({"restartPolicy": "Never"})),
        Origin::Internal,
    )
    .unwrap();
    assert!(wait_for(s, T, |_| get(&ctx, "t", "job-1")["status"]["phase"] == "Succeeded").await);
    let p = get(&ctx, "t", "job-1");
    let term = &p["status"]["containerStatuses"][0]["state"]["terminated"];
    assert_eq!(
        (term["exitCode"].as_i64(), term["reason"].as_str()),
        (Some(0), Some("Completed"))
    );
    assert_eq!(cond(&p, "Ready")["reason"], "PodCompleted");
    assert_eq!(p["status"]["containerStatuses"][0]["ready"], false);
    ctx.cancel.cancel();
}

#[tokio::test]
async fn graceful_deletion_kills_then_removes() {
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let s = &ctx.store;
    s.create(pods(), pod("t", "gone", json!({}), json!({})), Origin::Internal)
        .unwrap();
    assert!(wait_for(s, T, |_| get(&ctx, "t", "gone")["status"]["phase"] == "Running").await);
    s.update_with(pods(), "t", "gone", |p| {
        p["metadata"]["deletionTimestamp"] = json!(now_str());
        p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
        Ok(())
    })
    .unwrap();
    let mut saw_terminated = false;
    let ok = wait_for(s, T, |st| {
        let p = get(&ctx, "t", "gone");
        saw_terminated |= p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed";
        st.get(pods(), "t", "gone").is_none()
    })
    .await;
    assert!(ok && saw_terminated);
    assert!(has_event(&ctx, "t", "Killing", "Stopping container app"));
    ctx.cancel.cancel();
}

#[tokio::test]
async fn initial_bulk_load_goes_straight_to_running() {
    let n: usize = std::env::var("KUBELET_BULK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let ctx = test_ctx(0.01);
    cluster(&ctx);
    for i in 0..n {
        ctx.store
            .create(
                pods(),
                pod("load", &format!("p-{i:06}"), json!({}), json!({})),
                Origin::Internal,
            )
            .unwrap();
    }
    let t0 = std::time::Instant::now();
    tokio::spawn(super::kubelet::run(ctx.clone()));
    let count_running = |s: &Store| {
        s.list(pods(), Some("load"))
            .0
            .iter()
            .filter(|o| o.fields.iter().any(|f| f.0 == "status.phase" && f.1 == "Running"))
            .count()
    };
    // Polled rather than checked per event: a count over n pods after each of n writes is quadratic.
    let deadline = std::time::Instant::now() + Duration::from_secs(300);
    let mut ok = false;
    while std::time::Instant::now() < deadline && !ok {
        tokio::time::sleep(Duration::from_millis(100)).await;
        ok = count_running(&ctx.store) == n;
    }
    println!("{n} pods scheduled and Running in {:.2}s", t0.elapsed().as_secs_f64());
    assert!(ok);
    let p = get(&ctx, "load", "p-000000");
    assert_eq!(cond(&p, "Ready")["status"], "True");
    assert!(p["status"]["podIP"].is_string());
    ctx.cancel.cancel();
}
