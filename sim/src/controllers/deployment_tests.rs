use std::cell::Cell;

use serde_json::{Value, json};

use super::super::replicaset;
use super::super::testkit::Kit;
use super::*;
use crate::store::pods;

fn deploy(replicas: i64, image: &str) -> Value {
    json!({
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}},
        },
    })
}

fn start() -> Kit {
    Kit::start(&[controller(), replicaset::controller()])
}

fn get(s: &Store) -> Value {
    s.get_value(res("Deployment"), "default", "web").unwrap()
}

fn rss(s: &Store) -> Vec<Value> {
    s.list(res("ReplicaSet"), Some("default"))
        .0
        .iter()
        .map(|o| o.value())
        .collect()
}

fn cond_reason(d: &Value, t: &str) -> Value {
    ds::condition(&d["status"], t)
        .map(|c| c["reason"].clone())
        .unwrap_or_default()
}

fn is_complete(s: &Store) -> bool {
    let d = get(s);
    cond_reason(&d, "Progressing") == "NewReplicaSetAvailable"
        && d["status"]["updatedReplicas"] == d["spec"]["replicas"]
        && d["status"]["replicas"] == d["spec"]["replicas"]
        && d["status"]["observedGeneration"] == d["metadata"]["generation"]
}

fn edit(kit: &Kit, f: impl FnOnce(&mut Value)) {
    kit.store()
        .update_with(res("Deployment"), "default", "web", |v| {
            f(v);
            Ok(())
        })
        .unwrap();
}

fn set_image(kit: &Kit, image: &str) {
    edit(kit, |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image)
    });
}

fn messages(s: &Store) -> Vec<String> {
    s.list(res("Event"), Some("default"))
        .0
        .iter()
        .map(|e| e.value()["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn creates_a_hashed_replica_set_and_reports_completion() {
    let kit = start();
    kit.create(res("Deployment"), deploy(3, "nginx:1.27"));
    kit.wait_for("rollout complete", is_complete).await;
    let d = get(kit.store());
    let rs = &rss(kit.store())[0];
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs["spec"]["selector"]["matchLabels"]["pod-template-hash"], hash);
    assert_eq!(rs["metadata"]["annotations"][REVISION], "1");
    assert_eq!(rs["metadata"]["annotations"][DESIRED], "3");
    assert_eq!(rs["metadata"]["annotations"][MAX], "4");
    assert_eq!(d["metadata"]["annotations"][REVISION], "1");
    assert_eq!(d["status"]["availableReplicas"], 3);
    assert!(d["status"].get("unavailableReplicas").is_none());
    assert_eq!(cond_reason(&d, "Available"), "MinimumReplicasAvailable");
    let types: Vec<&Value> = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["type"])
        .collect();
    assert_eq!(types, ["Available", "Progressing"]);
    assert!(messages(kit.store()).contains(&format!("Scaled up replica set web-{hash} to 3")));
    let pod = &kit.store().list(pods(), Some("default")).0[0];
    assert_eq!(pod.labels["pod-template-hash"], hash);
}

#[tokio::test]
async fn rolls_within_surge_and_rolls_back_to_the_old_replica_set() {
    let kit = start();
    kit.create(res("Deployment"), deploy(4, "nginx:1.27"));
    kit.wait_for("first rollout", is_complete).await;
    let first = rss(kit.store())[0]["metadata"]["name"].as_str().unwrap().to_string();

    set_image(&kit, "nginx:1.28");
    // 25% of 4: at most 5 pods wanted, at least 3 available, at every step.
    let worst = Cell::new((0i64, i64::MAX));
    kit.wait_for("second rollout", |s| {
        let all = rss(s);
        let total: i64 = all.iter().map(|r| r["spec"]["replicas"].as_i64().unwrap()).sum();
        let avail: i64 = all
            .iter()
            .map(|r| r["status"]["availableReplicas"].as_i64().unwrap_or(0))
            .sum();
        let (t, a) = worst.get();
        worst.set((t.max(total), if all.len() == 2 { a.min(avail) } else { a }));
        all.len() == 2 && is_complete(s) && get(s)["metadata"]["annotations"][REVISION] == "2"
    })
    .await;
    let (max_total, min_avail) = worst.get();
    assert!(max_total <= 5, "surge exceeded: {max_total}");
    assert!(min_avail >= 3, "availability dropped to {min_avail}");
    let old = rss(kit.store())
        .into_iter()
        .find(|r| r["metadata"]["name"] == first.as_str())
        .unwrap();
    assert_eq!(old["spec"]["replicas"], 0);
    let msgs = messages(kit.store());
    assert!(
        msgs.iter()
            .any(|m| m.starts_with(&format!("Scaled down replica set {first} to 3 from 4"))),
        "{msgs:?}"
    );

    // `kubectl rollout undo` puts the old template back: the old ReplicaSet becomes revision 3.
    set_image(&kit, "nginx:1.27");
    kit.wait_for("rollback", |s| {
        is_complete(s) && get(s)["metadata"]["annotations"][REVISION] == "3"
    })
    .await;
    let back = rss(kit.store())
        .into_iter()
        .find(|r| r["metadata"]["name"] == first.as_str())
        .unwrap();
    assert_eq!(back["spec"]["replicas"], 4);
    assert_eq!(back["metadata"]["annotations"][REVISION], "3");
    assert_eq!(back["metadata"]["annotations"][REVISION_HISTORY], "1");
    assert_eq!(rss(kit.store()).len(), 2, "no third ReplicaSet for a known template");
}

#[tokio::test]
async fn recreate_never_runs_old_and_new_pods_together() {
    let kit = start();
    let mut d = deploy(2, "nginx:1.27");
    d["spec"]["strategy"] = json!({"type": "Recreate"});
    kit.create(res("Deployment"), d);
    kit.wait_for("first rollout", is_complete).await;
    set_image(&kit, "nginx:1.28");
    let overlap = Cell::new(false);
    kit.wait_for("recreate", |s| {
        let hashes: std::collections::BTreeSet<String> = s
            .list(pods(), Some("default"))
            .0
            .iter()
            .map(|p| p.labels["pod-template-hash"].clone())
            .collect();
        overlap.set(overlap.get() || hashes.len() > 1);
        is_complete(s) && get(s)["metadata"]["annotations"][REVISION] == "2"
    })
    .await;
    assert!(!overlap.get(), "old and new pods ran at the same time");
}

#[tokio::test]
async fn paused_deployments_scale_but_do_not_roll() {
    let kit = start();
    kit.create(res("Deployment"), deploy(2, "nginx:1.27"));
    kit.wait_for("first rollout", is_complete).await;
    edit(&kit, |v| {
        v["spec"]["paused"] = json!(true);
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
        v["spec"]["replicas"] = json!(5);
    });
    kit.wait_for("scaled while paused", |s| {
        let d = get(s);
        d["status"]["availableReplicas"] == 5 && cond_reason(&d, "Progressing") == "DeploymentPaused"
    })
    .await;
    assert_eq!(
        rss(kit.store()).len(),
        1,
        "a paused Deployment must not start a rollout"
    );

    edit(&kit, |v| v["spec"]["paused"] = json!(false));
    kit.wait_for("rollout after resume", |s| {
        is_complete(s) && get(s)["metadata"]["annotations"][REVISION] == "2"
    })
    .await;
}

#[tokio::test]
async fn old_replica_sets_beyond_the_history_limit_are_deleted() {
    let kit = start();
    let mut d = deploy(1, "app:1");
    d["spec"]["revisionHistoryLimit"] = json!(1);
    kit.create(res("Deployment"), d);
    for v in 2..=4 {
        kit.wait_for("rollout", is_complete).await;
        set_image(&kit, &format!("app:{v}"));
    }
    kit.wait_for("history trimmed", |s| {
        is_complete(s) && get(s)["metadata"]["annotations"][REVISION] == "4" && rss(s).len() == 2
    })
    .await;
    let mut revs: Vec<String> = rss(kit.store())
        .iter()
        .map(|r| r["metadata"]["annotations"][REVISION].as_str().unwrap().to_string())
        .collect();
    revs.sort();
    assert_eq!(revs, ["3", "4"]);
}

#[tokio::test]
async fn a_rollout_that_stops_progressing_times_out() {
    let kit = start();
    kit.set_pods_become_ready(false);
    let mut d = deploy(2, "nginx:1.27");
    d["spec"]["progressDeadlineSeconds"] = json!(1);
    kit.create(res("Deployment"), d);
    kit.wait_for("deadline exceeded", |s| {
        cond_reason(&get(s), "Progressing") == "ProgressDeadlineExceeded"
    })
    .await;
    let d = get(kit.store());
    assert_eq!(cond_reason(&d, "Available"), "MinimumReplicasUnavailable");
    assert_eq!(d["status"]["unavailableReplicas"], 2);

    kit.make_all_ready();
    kit.wait_for("recovered", is_complete).await;
}
