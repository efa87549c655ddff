//! The demo cluster writes objects as a real API server does: the same fields, managedFields, and
//! sizes within 10% of a real server's for the same spec (fixtures in `tests/fixtures/`, shaped
//! as `kubectl get -o json` shows a kubeadm cluster's objects); and it serves Events at a real
//! rollout's volume, with the field selectors the real server indexes for them.

mod common;

use std::collections::BTreeSet;

use common::{eventually, fast_opts};
use futures::{StreamExt as _, TryStreamExt as _};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use serde_json::{Value, json};
use sim::{DemoCluster, SimOptions};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture is JSON")
}

/// GET of one object as the wire carries it.
async fn raw(client: &kube::Client, path: &str) -> String {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    client.request_text(req).await.expect("GET")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

/// Same fields at the levels a reader looks at, and a compact size within 10% of the real one.
fn assert_like(what: &str, got: &str, real: &Value, sections: &[&str]) {
    let v: Value = serde_json::from_str(got).unwrap();
    for s in sections {
        let (g, r) = (
            if s.is_empty() { &v } else { &v[*s] },
            if s.is_empty() { real } else { &real[*s] },
        );
        assert_eq!(
            keys(g),
            keys(r),
            "{what}: fields of {}",
            if s.is_empty() { "the object" } else { s }
        );
    }
    let managers = |v: &Value| -> BTreeSet<String> {
        v["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| format!("{} {} {}", e["manager"], e["operation"], e["subresource"]))
            .collect()
    };
    assert_eq!(managers(&v), managers(real), "{what}: managedFields entries");
    let want = serde_json::to_vec(real).unwrap().len() as f64;
    let size = got.len() as f64;
    eprintln!("{what}: {size} bytes of JSON, a real server's {want}");
    assert!(
        (size - want).abs() <= want * 0.10,
        "{what}: {size} bytes of JSON, a real server writes {want} (±10%): {got}"
    );
}

#[tokio::test]
async fn pods_and_nodes_are_written_as_a_real_server_writes_them() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let client = c.client().await.unwrap();
    // `kubectl create deployment nginx --image=nginx:1.27`.
    let d: Deployment = serde_json::from_value(json!({"metadata": {"name": "nginx", "labels": {"app": "nginx"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "nginx"}},
            "template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27", "resources": {}}]}}}}))
    .unwrap();
    let pp = PostParams {
        field_manager: Some("kubectl-create".into()),
        ..Default::default()
    };
    Api::<Deployment>::namespaced(client.clone(), "default")
        .create(&pp, &d)
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let name = eventually(30, "the nginx pod Ready", || {
        let pods = pods.clone();
        async move {
            let l = pods.list(&ListParams::default().labels("app=nginx")).await.ok()?;
            let p = l.items.into_iter().next()?;
            let ready = p
                .status
                .as_ref()?
                .conditions
                .as_ref()?
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            ready.then(|| p.metadata.name.unwrap())
        }
    })
    .await;
    let pod = raw(&client, &format!("/api/v1/namespaces/default/pods/{name}")).await;
    assert_like(
        "pod",
        &pod,
        &fixture("pod-real.json"),
        &["", "metadata", "spec", "status"],
    );
    let v: Value = serde_json::from_str(&pod).unwrap();
    let cs = &v["status"]["containerStatuses"][0];
    assert!(
        cs["imageID"]
            .as_str()
            .unwrap()
            .starts_with("docker.io/library/nginx@sha256:"),
        "{cs}"
    );
    assert!(cs["containerID"].as_str().unwrap().starts_with("containerd://"), "{cs}");
    assert_eq!(
        keys(cs),
        keys(&fixture("pod-real.json")["status"]["containerStatuses"][0])
    );

    let node = raw(&client, "/api/v1/nodes/worker-1").await;
    assert_like(
        "node",
        &node,
        &fixture("node-real.json"),
        &["", "metadata", "spec", "status"],
    );
}

#[tokio::test]
async fn a_rollout_leaves_real_event_volume_and_warnings_are_selected_by_field() {
    let pods = 300;
    let c = DemoCluster::start(SimOptions { pods, ..fast_opts() }).await.unwrap();
    let client = c.client().await.unwrap();
    let events: Api<Event> = Api::namespaced(client.clone(), "load");
    // Per pod: Scheduled, Pulled, Created, Started (Pulling only for the first on each node), and
    // the ReplicaSet's SuccessfulCreate.
    let all = eventually(60, "the rollout's events", || {
        let events = events.clone();
        async move {
            let l = events.list(&ListParams::default()).await.ok()?;
            let n = |r: &str| l.items.iter().filter(|e| e.reason.as_deref() == Some(r)).count();
            (n("Started") >= pods && n("SuccessfulCreate") >= pods).then_some(l.items)
        }
    })
    .await;
    let n = |r: &str| all.iter().filter(|e| e.reason.as_deref() == Some(r)).count();
    assert_eq!((n("Scheduled"), n("Pulled"), n("Created")), (pods, pods, pods));
    assert!(all.len() >= pods * 5, "{} events for {pods} pods", all.len());
    let one = raw(
        &client,
        &format!(
            "/api/v1/namespaces/load/events/{}",
            all[0].metadata.name.as_deref().unwrap()
        ),
    )
    .await;
    assert!(one.contains("\"managedFields\""), "{one}");

    // The server's field selectors for events, on list and watch.
    let everywhere: Api<Event> = Api::all(client.clone());
    let warnings = everywhere
        .list(&ListParams::default().fields("type=Warning"))
        .await
        .unwrap();
    assert!(!warnings.items.is_empty(), "the scenario has warnings");
    assert!(warnings.items.iter().all(|e| e.type_.as_deref() == Some("Warning")));
    let sel = "involvedObject.kind=Pod,reason=Scheduled,involvedObject.namespace=load";
    let scheduled = everywhere.list(&ListParams::default().fields(sel)).await.unwrap();
    assert_eq!(scheduled.items.len(), pods);
    let wp = WatchParams::default().fields("type=Warning");
    let mut w = events
        .watch(&wp, &warnings.metadata.resource_version.unwrap())
        .await
        .unwrap()
        .boxed();
    // A pod whose image does not exist: a Warning (Failed) among Normal events (Scheduled, Pulling).
    let bad: Pod = serde_json::from_value(json!({"metadata": {"name": "bad"},
        "spec": {"containers": [{"name": "c", "image": "registry.example.com/x:does-not-exist"}]}}))
    .unwrap();
    Api::<Pod>::namespaced(client.clone(), "load")
        .create(&PostParams::default(), &bad)
        .await
        .unwrap();
    let seen = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(ev) = w.try_next().await.unwrap() {
            if let WatchEvent::Added(e) = ev {
                return e;
            }
        }
        panic!("watch ended");
    })
    .await
    .expect("a Warning event within 30s");
    assert_eq!(seen.type_.as_deref(), Some("Warning"));
    assert_eq!(seen.involved_object.name.as_deref(), Some("bad"));
}
