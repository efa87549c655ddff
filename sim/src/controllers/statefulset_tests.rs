use std::collections::BTreeMap;

use serde_json::{Value, json};
use tokio::sync::broadcast::Receiver;

use super::super::testkit::Kit;
use super::*;
use crate::store::EventType;

fn sts(replicas: i64, image: &str) -> Value {
    json!({
        "metadata": {"name": "db", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "serviceName": "db-headless",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": image}]}},
        },
    })
}

fn edit(kit: &Kit, f: impl FnOnce(&mut Value)) {
    kit.store()
        .update_with(res("StatefulSet"), "default", "db", |v| {
            f(v);
            Ok(())
        })
        .unwrap();
}

fn status(s: &Store) -> Value {
    s.get_value(res("StatefulSet"), "default", "db").unwrap()["status"].clone()
}

/// Settled: the status describes the latest generation and every wanted pod is up to date.
fn settled(s: &Store, n: i64) -> bool {
    let v = s.get_value(res("StatefulSet"), "default", "db").unwrap();
    let st = &v["status"];
    st["observedGeneration"] == v["metadata"]["generation"]
        && st["replicas"] == n
        && st["readyReplicas"].as_i64().unwrap_or(0) == n
        && st["updatedReplicas"].as_i64().unwrap_or(0) == n
        && st["currentRevision"] == st["updateRevision"]
}

/// A pod change as seen on the watch: (name, event, ready, revision label).
type Step = (String, EventType, bool, String);

fn drain(rx: &mut Receiver<Arc<Event>>) -> Vec<Step> {
    let mut steps = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        if ev.obj.res != pods() {
            continue;
        }
        let v = ev.obj.value();
        let rev = ev.obj.labels.get(HASH_LABEL).cloned().unwrap_or_default();
        let ready = ev.obj.deleting || ev.kind == EventType::Deleted;
        steps.push((ev.obj.name.clone(), ev.kind, !ready && running_and_ready(&v), rev));
    }
    steps
}

#[tokio::test]
async fn ordered_ready_creates_in_order_and_scales_down_from_the_top() {
    let kit = Kit::start(&[controller()]);
    let mut rx = kit.store().subscribe();
    kit.create(res("StatefulSet"), sts(3, "db:1"));
    kit.wait_for("3 ready pods", |s| settled(s, 3)).await;

    // Replay the watch: when db-i appeared, db-0..i-1 must have been Ready.
    let mut ready: BTreeMap<String, bool> = BTreeMap::new();
    for (name, kind, is_ready, _) in drain(&mut rx) {
        if kind == EventType::Added {
            let ord = ordinal_of("db", &name).unwrap();
            for lower in 0..ord {
                assert_eq!(
                    ready.get(&format!("db-{lower}")),
                    Some(&true),
                    "{name} created before db-{lower} was Ready"
                );
            }
        }
        ready.insert(name, is_ready);
    }
    assert_eq!(ready.len(), 3);
    let p = kit.store().get_value(pods(), "default", "db-1").unwrap();
    assert_eq!(p["spec"]["hostname"], "db-1");
    assert_eq!(p["spec"]["subdomain"], "db-headless");
    assert_eq!(p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "db-1");
    assert_eq!(p["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "1");
    let st = status(kit.store());
    assert_eq!(p["metadata"]["labels"][HASH_LABEL], st["updateRevision"]);
    assert_eq!(st["availableReplicas"], 3);
    assert_eq!(st["currentReplicas"], 3);

    edit(&kit, |v| v["spec"]["replicas"] = json!(1));
    kit.wait_for("scaled to 1", |s| settled(s, 1)).await;
    let order: Vec<String> = drain(&mut rx)
        .into_iter()
        .filter(|(_, k, _, _)| *k == EventType::Deleted)
        .map(|(n, _, _, _)| n)
        .collect();
    assert_eq!(order, ["db-2", "db-1"], "scale down goes from the highest ordinal");
    let events = kit.store().list(res("Event"), Some("default")).0;
    let messages: Vec<String> = events
        .iter()
        .map(|e| e.value()["message"].as_str().unwrap().to_string())
        .collect();
    assert!(messages.contains(&"create Pod db-0 in StatefulSet db successful".to_string()));
    assert!(messages.contains(&"delete Pod db-2 in StatefulSet db successful".to_string()));
}

#[tokio::test]
async fn parallel_policy_creates_every_pod_without_waiting() {
    let kit = Kit::start(&[controller()]);
    kit.set_pods_become_ready(false);
    let mut set = sts(3, "db:1");
    set["spec"]["podManagementPolicy"] = json!("Parallel");
    kit.create(res("StatefulSet"), set);
    kit.wait_for("3 unready pods", |s| {
        s.list(pods(), Some("default")).0.len() == 3 && status(s)["replicas"] == 3
    })
    .await;
    assert!(status(kit.store())["readyReplicas"].is_null(), "no pod is Ready yet");
}

#[tokio::test]
async fn rolling_update_goes_top_down_and_honours_the_partition() {
    let kit = Kit::start(&[controller()]);
    kit.create(res("StatefulSet"), sts(3, "db:1"));
    kit.wait_for("3 ready pods", |s| settled(s, 3)).await;
    let first = status(kit.store())["updateRevision"].as_str().unwrap().to_string();

    let mut rx = kit.store().subscribe();
    edit(&kit, |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("db:2");
        v["spec"]["updateStrategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 1}});
    });
    kit.wait_for("ordinals 1 and 2 updated", |s| {
        let st = status(s);
        st["updatedReplicas"] == 2 && st["readyReplicas"] == 3 && st["currentReplicas"] == 1
    })
    .await;
    let second = status(kit.store())["updateRevision"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    assert_eq!(
        status(kit.store())["currentRevision"],
        first.as_str(),
        "db-0 still runs the old revision"
    );
    let steps = drain(&mut rx);
    let deleted: Vec<&str> = steps
        .iter()
        .filter(|(_, k, _, _)| *k == EventType::Deleted)
        .map(|(n, _, _, _)| n.as_str())
        .collect();
    assert_eq!(
        deleted,
        ["db-2", "db-1"],
        "reverse ordinal order, db-0 kept by the partition"
    );
    // maxUnavailable 1: db-1 went only after the new db-2 was Ready.
    let db1_gone = steps
        .iter()
        .position(|(n, k, _, _)| n == "db-1" && *k == EventType::Deleted)
        .unwrap();
    assert!(
        steps[..db1_gone]
            .iter()
            .any(|(n, _, r, rev)| n == "db-2" && *r && *rev == second)
    );
    assert_eq!(
        kit.store().get_value(pods(), "default", "db-0").unwrap()["spec"]["containers"][0]["image"],
        "db:1"
    );

    edit(&kit, |v| {
        v["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = json!(0)
    });
    kit.wait_for("all updated", |s| {
        settled(s, 3) && status(s)["currentRevision"] == second.as_str()
    })
    .await;

    // Reverting re-uses the first ControllerRevision, renumbered after the newest.
    edit(&kit, |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("db:1")
    });
    kit.wait_for("reverted", |s| {
        settled(s, 3) && status(s)["updateRevision"] == first.as_str()
    })
    .await;
    let revs: BTreeMap<String, i64> = kit
        .store()
        .list(res("ControllerRevision"), Some("default"))
        .0
        .iter()
        .map(|r| (r.name.clone(), r.value()["revision"].as_i64().unwrap()))
        .collect();
    assert_eq!(revs, BTreeMap::from([(first.clone(), 3), (second, 2)]));
    let cr = kit
        .store()
        .get_value(res("ControllerRevision"), "default", &first)
        .unwrap();
    assert_eq!(cr["data"]["spec"]["template"]["$patch"], "replace");
    assert_eq!(cr["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
}

#[tokio::test]
async fn on_delete_waits_for_the_user_to_delete_pods() {
    let kit = Kit::start(&[controller()]);
    let mut set = sts(2, "db:1");
    set["spec"]["updateStrategy"] = json!({"type": "OnDelete"});
    kit.create(res("StatefulSet"), set);
    kit.wait_for("2 ready pods", |s| settled(s, 2)).await;
    edit(&kit, |v| {
        v["spec"]["template"]["spec"]["containers"][0]["image"] = json!("db:2")
    });
    kit.wait_for("the new revision observed", |s| {
        let st = status(s);
        st["observedGeneration"] == 2 && st["updateRevision"] != st["currentRevision"]
    })
    .await;
    let images = |s: &Store| -> Vec<String> {
        s.list(pods(), Some("default"))
            .0
            .iter()
            .map(|p| {
                p.value()["spec"]["containers"][0]["image"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        images(kit.store()),
        ["db:1", "db:1"],
        "OnDelete leaves running pods alone"
    );
    kit.store().remove(pods(), "default", "db-1").unwrap();
    kit.wait_for("db-1 recreated at the new revision", |s| {
        s.get_value(pods(), "default", "db-1")
            .is_some_and(|p| p["spec"]["containers"][0]["image"] == "db:2")
    })
    .await;
    assert_eq!(
        kit.store().get_value(pods(), "default", "db-0").unwrap()["spec"]["containers"][0]["image"],
        "db:1"
    );
}

#[tokio::test]
async fn claims_are_provisioned_bound_and_kept_on_scale_down() {
    let kit = Kit::start(&[controller()]);
    let mut set = sts(2, "db:1");
    set["spec"]["volumeClaimTemplates"] = json!([{"metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}}}}]);
    kit.create(res("StatefulSet"), set);
    kit.wait_for("2 ready pods", |s| settled(s, 2)).await;
    let pvc = kit
        .store()
        .get_value(res("PersistentVolumeClaim"), "default", "data-db-1")
        .unwrap();
    assert_eq!(pvc["status"]["phase"], "Bound");
    assert_eq!(pvc["status"]["capacity"]["storage"], "2Gi");
    assert_eq!(pvc["spec"]["storageClassName"], "standard");
    assert_eq!(pvc["metadata"]["labels"]["app"], "db");
    let pv_name = format!("pvc-{}", pvc["metadata"]["uid"].as_str().unwrap());
    assert_eq!(pvc["spec"]["volumeName"], pv_name.as_str());
    let pv = kit.store().get_value(res("PersistentVolume"), "", &pv_name).unwrap();
    assert_eq!(pv["status"]["phase"], "Bound");
    assert_eq!(pv["spec"]["claimRef"]["name"], "data-db-1");
    assert_eq!(pv["spec"]["claimRef"]["uid"], pvc["metadata"]["uid"]);
    assert_eq!(pv["spec"]["storageClassName"], "standard");
    let pod = kit.store().get_value(pods(), "default", "db-1").unwrap();
    let vols = pod["spec"]["volumes"].as_array().unwrap();
    assert!(
        vols.iter()
            .any(|v| v["name"] == "data" && v["persistentVolumeClaim"]["claimName"] == "data-db-1")
    );
    let msgs: Vec<String> = kit
        .store()
        .list(res("Event"), Some("default"))
        .0
        .iter()
        .map(|e| e.value()["message"].as_str().unwrap().to_string())
        .collect();
    assert!(msgs.contains(&"create Claim data-db-0 Pod db-0 in StatefulSet db success".to_string()));

    edit(&kit, |v| v["spec"]["replicas"] = json!(1));
    kit.wait_for("scaled to 1", |s| settled(s, 1)).await;
    assert!(
        kit.store()
            .get(res("PersistentVolumeClaim"), "default", "data-db-1")
            .is_some(),
        "claims outlive pods"
    );
    edit(&kit, |v| v["spec"]["replicas"] = json!(2));
    kit.wait_for("scaled back to 2", |s| settled(s, 2)).await;
    let again = kit
        .store()
        .get_value(res("PersistentVolumeClaim"), "default", "data-db-1")
        .unwrap();
    assert_eq!(
        again["metadata"]["uid"], pvc["metadata"]["uid"],
        "the existing claim is re-used"
    );
    assert_eq!(kit.store().count(res("PersistentVolume")), 2);
}
