//! Workload actions against the demo cluster: each leaves the object as kubectl leaves it (the
//! requests were checked against `kubectl -v=8` on the same server), and refusals use kubectl's words.

mod common;

use std::time::Duration;

use common::{cluster_with_ns, eventually};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::{self, ObjRef, Op, Propagation, RESTARTED_AT, Success};
use serde_json::json;

fn deployment(name: &str, image: &str, replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": image}]}}}
    }))
    .unwrap()
}

async fn create(client: &kube::Client, ns: &str, d: &Deployment) -> Api<Deployment> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), ns);
    api.create(&PostParams::default(), d).await.unwrap();
    api
}

#[tokio::test]
async fn scale_restart_pause_resume_as_kubectl() {
    let (cluster, client) = cluster_with_ns("acts").await;
    let api = create(&client, "acts", &deployment("web", "nginx:1", 2)).await;
    let web = ObjRef::new(Kind::Deployment, "acts", "web");

    assert_eq!(
        ops::scale(&client, &web, 4).await.unwrap(),
        Success::changed("deployment.apps/web scaled")
    );
    assert_eq!(api.get("web").await.unwrap().spec.unwrap().replicas, Some(4));

    let at = "2026-11-23T08:01:21Z";
    assert_eq!(
        ops::restart(&client, &web, at).await.unwrap(),
        Success::changed("deployment.apps/web restarted")
    );
    let d = api.get("web").await.unwrap();
    let ann = d.spec.unwrap().template.metadata.unwrap().annotations.unwrap();
    assert_eq!(ann.get(RESTARTED_AT).map(String::as_str), Some(at));

    assert_eq!(
        ops::perform(&client, &web, &Op::Pause).await.unwrap(),
        Success::changed("deployment.apps/web paused")
    );
    assert_eq!(api.get("web").await.unwrap().spec.unwrap().paused, Some(true));
    assert_eq!(
        ops::perform(&client, &web, &Op::Pause).await.unwrap_err(),
        "deployments.apps \"web\" is already paused"
    );
    // The generation moves only with the spec; the resourceVersion also moves with the
    // controller's status writes, which go on meanwhile.
    let before = api.get("web").await.unwrap().metadata.generation;
    assert_eq!(
        ops::perform(&client, &web, &Op::Restart).await.unwrap_err(),
        "deployments.apps \"web\" can't restart paused deployment (run rollout resume first)"
    );
    assert_eq!(
        api.get("web").await.unwrap().metadata.generation,
        before,
        "nothing sent"
    );

    assert_eq!(
        ops::perform(&client, &web, &Op::Resume).await.unwrap(),
        Success::changed("deployment.apps/web resumed")
    );
    // `{"spec":{"paused":null}}` removes the field, as kubectl's resume does.
    assert_eq!(api.get("web").await.unwrap().spec.unwrap().paused, None);
    assert_eq!(
        ops::perform(&client, &web, &Op::Resume).await.unwrap_err(),
        "deployments.apps \"web\" is not paused"
    );

    // The restart started a rollout: the status follower reports kubectl's final line.
    let mut lines = Vec::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        ops::status::follow(&client, &web, Duration::from_millis(50), |r| lines.push(r)),
    )
    .await
    .expect("rollout finishes");
    let last = lines.last().unwrap();
    assert_eq!(last.text, "deployment \"web\" successfully rolled out");
    assert!(last.done && !last.failed);
    cluster.stop().await;
}

#[tokio::test]
async fn scale_statefulset_and_refusals_from_the_server() {
    let (cluster, client) = cluster_with_ns("shop").await;
    let pg = ObjRef::new(Kind::StatefulSet, "payments", "postgres");
    assert_eq!(
        ops::scale(&client, &pg, 2).await.unwrap(),
        Success::changed("statefulset.apps/postgres scaled")
    );
    let sts: Api<StatefulSet> = Api::namespaced(client.clone(), "payments");
    assert_eq!(sts.get("postgres").await.unwrap().spec.unwrap().replicas, Some(2));

    // jane may not touch deployments in shop: the API server's 403 text comes back whole.
    cluster.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "deployments".into(),
        namespace: Some("shop".into()),
    });
    let jane = cluster.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let err = ops::scale(&jane, &ObjRef::new(Kind::Deployment, "shop", "web"), 1)
        .await
        .unwrap_err();
    assert!(err.starts_with("Error from server (Forbidden): "), "{err}");
    assert!(err.contains("jane") && err.contains("deployments"), "{err}");

    let missing = ops::scale(&client, &ObjRef::new(Kind::Deployment, "shop", "nope"), 1)
        .await
        .unwrap_err();
    assert!(missing.starts_with("Error from server (NotFound): "), "{missing}");
    cluster.stop().await;
}

#[tokio::test]
async fn delete_with_propagation_and_cordon() {
    let (cluster, client) = cluster_with_ns("acts").await;
    let api = create(&client, "acts", &deployment("gone", "nginx:1", 1)).await;
    let rs: Api<ReplicaSet> = Api::namespaced(client.clone(), "acts");
    eventually(10, "a replica set", || async {
        (!rs.list(&ListParams::default()).await.ok()?.items.is_empty()).then_some(())
    })
    .await;
    let gone = ObjRef::new(Kind::Deployment, "acts", "gone");
    let op = Op::Delete {
        propagation: Propagation::Orphan,
        grace: None,
    };
    assert_eq!(
        ops::perform(&client, &gone, &op).await.unwrap(),
        Success::changed("deployment.apps \"gone\" deleted from acts namespace")
    );
    eventually(10, "the deployment gone", || async {
        api.get_opt("gone").await.ok()?.is_none().then_some(())
    })
    .await;
    // Orphaned: the ReplicaSet stays, without its owner.
    let left = eventually(10, "an orphaned replica set", || async {
        let items = rs.list(&ListParams::default()).await.ok()?.items;
        let r = items.into_iter().next()?;
        r.metadata
            .owner_references
            .as_ref()
            .is_none_or(|o| o.is_empty())
            .then_some(r)
    })
    .await;
    assert!(left.metadata.name.unwrap().starts_with("gone-"));

    let nodes: Api<Node> = Api::all(client.clone());
    assert_eq!(
        ops::cordon(&client, "worker-2", true).await.unwrap(),
        Success::changed("node/worker-2 cordoned")
    );
    assert_eq!(
        nodes.get("worker-2").await.unwrap().spec.unwrap().unschedulable,
        Some(true)
    );
    // As on a real cluster, the node lifecycle controller then taints the cordoned node.
    let tainted = |want: bool| {
        let nodes = nodes.clone();
        move || {
            let nodes = nodes.clone();
            async move {
                let spec = nodes.get("worker-2").await.ok()?.spec?;
                let has = spec
                    .taints
                    .unwrap_or_default()
                    .iter()
                    .any(|t| t.key == "node.kubernetes.io/unschedulable" && t.effect == "NoSchedule");
                (has == want).then_some(())
            }
        }
    };
    eventually(10, "the unschedulable taint", tainted(true)).await;
    assert_eq!(
        ops::cordon(&client, "worker-2", true).await.unwrap(),
        Success::unchanged("node/worker-2 already cordoned")
    );
    assert_eq!(
        ops::cordon(&client, "worker-2", false).await.unwrap(),
        Success::changed("node/worker-2 uncordoned")
    );
    assert_eq!(nodes.get("worker-2").await.unwrap().spec.unwrap().unschedulable, None);
    eventually(10, "the unschedulable taint gone", tainted(false)).await;
    cluster.stop().await;
}

#[tokio::test]
async fn drain_skips_daemonset_pods_and_waits_out_a_pdb() {
    let (cluster, client) = cluster_with_ns("acts").await;
    create(&client, "acts", &deployment("guarded", "nginx:1", 1)).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "acts");
    let node = eventually(20, "the guarded pod running", || async {
        let p = pods.list(&ListParams::default()).await.ok()?.items.into_iter().next()?;
        (p.status?.phase.as_deref() == Some("Running")).then_some(())?;
        p.spec?.node_name
    })
    .await;
    // A budget that allows no disruption: evictions answer 429 until it is relaxed.
    let pdbs: Api<k8s_openapi::api::policy::v1::PodDisruptionBudget> = Api::namespaced(client.clone(), "acts");
    let pdb = serde_json::from_value(json!({"metadata": {"name": "guarded"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}}}))
    .unwrap();
    pdbs.create(&PostParams::default(), &pdb).await.unwrap();
    eventually(20, "the budget computed", || async {
        let st = pdbs.get("guarded").await.ok()?.status?;
        (st.current_healthy == 1 && st.disruptions_allowed == 0).then_some(())
    })
    .await;

    let lines = std::sync::Mutex::new(Vec::<ops::drain::Line>::new());
    let opts = ops::drain::DrainOptions {
        retry: Duration::from_millis(300),
        poll: Duration::from_millis(20),
    };
    let config = kube::Config::from_custom_kubeconfig(cluster.kubeconfig(), &Default::default())
        .await
        .unwrap();
    let evictor = kubedeck::cluster::client::no_retry_client(config).unwrap();
    let drain = ops::drain::drain(&client, &evictor, &node, &opts, |l| lines.lock().unwrap().push(l));
    let relax = async {
        let seen = tokio::time::timeout(
            Duration::from_secs(20),
            eventually(40, "a 429 retry line", || async {
                let l = lines.lock().unwrap();
                l.iter()
                    .any(|l| l.text.contains("(will retry after") && l.text.contains("guarded"))
                    .then_some(())
            }),
        )
        .await;
        assert!(seen.is_ok(), "no 429 line: {:?}", lines.lock().unwrap());
        let patch = json!({"spec": {"minAvailable": 0}});
        pdbs.patch("guarded", &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    };
    // Relaxing the budget only helps while the drain runs: a drain that ended early says why.
    let result = tokio::time::timeout(Duration::from_secs(60), async {
        tokio::pin!(drain);
        tokio::select! {
            r = &mut drain => panic!("drain ended before any 429: {r:?} {:?}", lines.lock().unwrap()),
            () = relax => {}
        }
        drain.await
    })
    .await
    .expect("drain ends");
    assert_eq!(result.unwrap(), Success::changed(format!("node/{node} drained")));
    let lines = lines.into_inner().unwrap();
    assert_eq!(lines[0].text, format!("node/{node} cordoned"));
    assert!(
        lines
            .iter()
            .any(|l| l.text.starts_with("Warning: ignoring DaemonSet-managed Pods: "))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.text.starts_with("pod/guarded-") && l.text.ends_with(" evicted"))
    );
    // Only DaemonSet pods (and mirror pods) remain on the node.
    let all: Api<Pod> = Api::all(client.clone());
    let left = all
        .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
        .await
        .unwrap()
        .items;
    for p in left {
        let owners = p.metadata.owner_references.unwrap_or_default();
        let deleting = p.metadata.deletion_timestamp.is_some();
        assert!(
            deleting || owners.iter().any(|o| o.kind == "DaemonSet" || o.kind == "Node"),
            "{:?} still on {node}",
            p.metadata.name
        );
    }
    let n: Api<Node> = Api::all(client.clone());
    assert_eq!(n.get(&node).await.unwrap().spec.unwrap().unschedulable, Some(true));
    cluster.stop().await;
}
