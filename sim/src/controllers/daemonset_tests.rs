use serde_json::{Value, json};

use super::super::testkit::Kit;
use super::*;

fn node(name: &str, taint: bool) -> Value {
    let mut n = json!({"metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}}, "spec": {}});
    if taint {
        n["spec"]["taints"] = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    }
    n
}

fn daemon(image: &str) -> Value {
    json!({
        "metadata": {"name": "agent", "namespace": "kube-system"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "a", "image": image}]}}},
    })
}

fn nodes_of_pods(s: &Store) -> Vec<String> {
    let mut v: Vec<String> = s
        .list(pods(), Some("kube-system"))
        .0
        .iter()
        .filter(|p| !p.deleting)
        .map(|p| target_node(&p.value()))
        .collect();
    v.sort();
    v
}

fn set_image(kit: &Kit, image: &str) {
    kit.store()
        .update_with(res("DaemonSet"), "kube-system", "agent", |v| {
            v["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
            Ok(())
        })
        .unwrap();
}

fn revisions(s: &Store) -> Vec<i64> {
    let mut r: Vec<i64> = s
        .list(res("ControllerRevision"), Some("kube-system"))
        .0
        .iter()
        .map(|c| c.value()["revision"].as_i64().unwrap())
        .collect();
    r.sort();
    r
}

fn updated_everywhere(s: &Store, n: i64) -> bool {
    let st = &s.get_value(res("DaemonSet"), "kube-system", "agent").unwrap()["status"];
    st["updatedNumberScheduled"] == n
        && st["numberAvailable"] == n
        && st["currentNumberScheduled"] == n
        && st["observedGeneration"]
            == s.get_value(res("DaemonSet"), "kube-system", "agent").unwrap()["metadata"]["generation"]
        && s.list(pods(), Some("kube-system")).0.len() as i64 == n
}

#[tokio::test]
async fn one_pod_per_eligible_node_following_nodes_and_templates() {
    let kit = Kit::start(&[controller()]);
    for (n, t) in [("cp", true), ("node-1", false), ("node-2", false)] {
        kit.create(res("Node"), node(n, t));
    }
    kit.create(res("DaemonSet"), daemon("agent:1"));
    kit.wait_for("two daemons", |s| updated_everywhere(s, 2)).await;
    assert_eq!(
        nodes_of_pods(kit.store()),
        ["node-1", "node-2"],
        "the tainted node is skipped"
    );
    let st = kit.store().get_value(res("DaemonSet"), "kube-system", "agent").unwrap()["status"].clone();
    assert_eq!(st["desiredNumberScheduled"], 2);
    assert_eq!(st["numberMisscheduled"], 0);
    let pod = kit.store().list(pods(), Some("kube-system")).0[0].value();
    assert!(
        pod["spec"]["tolerations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["key"] == "node.kubernetes.io/unschedulable")
    );
    assert_eq!(pod["metadata"]["labels"]["pod-template-generation"], "1");

    kit.create(res("Node"), node("node-3", false));
    kit.wait_for("a daemon on the new node", |s| updated_everywhere(s, 3))
        .await;

    set_image(&kit, "agent:2");
    kit.wait_for("rolled", |s| updated_everywhere(s, 3) && revisions(s) == [1, 2])
        .await;
    set_image(&kit, "agent:1");
    kit.wait_for("rolled back", |s| updated_everywhere(s, 3) && revisions(s) == [2, 3])
        .await;
    let first = kit.store().list(pods(), Some("kube-system")).0[0].labels[HASH_LABEL].clone();
    let cr = kit
        .store()
        .get_value(res("ControllerRevision"), "kube-system", &format!("agent-{first}"))
        .unwrap();
    assert_eq!(cr["revision"], 3, "rollback reuses the first revision's object");
    assert_eq!(cr["data"]["spec"]["template"]["$patch"], "replace");
}

#[test]
fn taints_need_matching_tolerations() {
    let taint = json!({"key": "dedicated", "value": "gpu", "effect": "NoSchedule"});
    assert!(!tolerates(
        &[json!({"key": "dedicated", "operator": "Equal", "value": "cpu"})],
        &taint
    ));
    assert!(tolerates(
        &[json!({"key": "dedicated", "operator": "Equal", "value": "gpu"})],
        &taint
    ));
    assert!(tolerates(&[json!({"operator": "Exists"})], &taint));
    assert!(!tolerates(
        &[json!({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"})],
        &taint
    ));
}
