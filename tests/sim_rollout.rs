//! Rollouts, scaling and `kubectl rollout undo` against the demo cluster's controllers, through kube-rs.

mod common;

use std::collections::BTreeMap;

use common::{cluster_with_ns, eventually};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

const REVISION: &str = "deployment.kubernetes.io/revision";
const HISTORY: &str = "deployment.kubernetes.io/revision-history";

fn deployment(image: &str) -> Deployment {
    serde_json::from_value(json!({
        "metadata": {"name": "web", "annotations": {"team": "shop"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}}
    }))
    .unwrap()
}

fn annotation(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> Option<String> {
    meta.annotations.as_ref()?.get(key).cloned()
}

/// The rollout is complete by the rules `kubectl rollout status` applies.
async fn rolled_out(api: &Api<Deployment>) -> Option<Deployment> {
    let d = api.get("web").await.ok()?;
    let (spec, st) = (d.spec.as_ref()?, d.status.as_ref()?);
    let want = spec.replicas.unwrap_or(1);
    let done = d.metadata.generation <= st.observed_generation
        && st.updated_replicas == Some(want)
        && st.replicas == Some(want)
        && st.available_replicas == Some(want);
    done.then_some(d)
}

async fn replica_sets(api: &Api<ReplicaSet>) -> BTreeMap<String, ReplicaSet> {
    api.list(&ListParams::default().labels("app=web"))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|rs| (annotation(&rs.metadata, REVISION).unwrap_or_default(), rs))
        .collect()
}

/// `kubectl rollout undo --to-revision`: the ReplicaSet's template without pod-template-hash, and
/// the annotations kubectl carries over, sent as a JSON patch.
fn undo_patch(d: &Deployment, rs: &ReplicaSet) -> Patch<Value> {
    const SKIP: &[&str] = &[
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        HISTORY,
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];
    let mut annotations = BTreeMap::new();
    for (k, v) in d.metadata.annotations.clone().unwrap_or_default() {
        if SKIP.contains(&k.as_str()) {
            annotations.insert(k, v);
        }
    }
    for (k, v) in rs.metadata.annotations.clone().unwrap_or_default() {
        if !SKIP.contains(&k.as_str()) {
            annotations.insert(k, v);
        }
    }
    let mut template = serde_json::to_value(&rs.spec.as_ref().unwrap().template).unwrap();
    template["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("pod-template-hash");
    let ops = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    Patch::Json(serde_json::from_value(ops).unwrap())
}

#[tokio::test]
async fn set_image_then_undo_renumbers_revisions_like_the_real_controller() {
    let (_c, client) = cluster_with_ns("roll").await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "roll");
    let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "roll");
    let pods: Api<Pod> = Api::namespaced(client, "roll");
    deploys
        .create(&PostParams::default(), &deployment("nginx:1.26"))
        .await
        .unwrap();
    let d = eventually(20, "first rollout", || rolled_out(&deploys)).await;
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("1"));

    // What `kubectl set image deployment/web web=nginx:1.27` sends.
    let set_image = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    deploys
        .patch("web", &PatchParams::default(), &Patch::Strategic(set_image))
        .await
        .unwrap();
    let d = eventually(30, "second rollout", || async {
        rolled_out(&deploys)
            .await
            .filter(|d| annotation(&d.metadata, REVISION).as_deref() == Some("2"))
    })
    .await;
    let sets = replica_sets(&rss).await;
    assert_eq!(sets.keys().cloned().collect::<Vec<_>>(), ["1", "2"]);
    let old = sets["1"].clone();
    assert_eq!(
        old.spec.as_ref().unwrap().replicas,
        Some(0),
        "the old ReplicaSet is scaled down"
    );

    deploys
        .patch("web", &PatchParams::default(), &undo_patch(&d, &old))
        .await
        .unwrap();
    let d = eventually(30, "rollback", || async {
        rolled_out(&deploys)
            .await
            .filter(|d| annotation(&d.metadata, REVISION).as_deref() == Some("3"))
    })
    .await;
    let sets = replica_sets(&rss).await;
    assert_eq!(
        sets.keys().cloned().collect::<Vec<_>>(),
        ["2", "3"],
        "no new ReplicaSet: revision 1 became 3"
    );
    let restored = &sets["3"];
    assert_eq!(restored.metadata.name, old.metadata.name);
    assert_eq!(annotation(&restored.metadata, HISTORY).as_deref(), Some("1"));
    assert_eq!(
        annotation(&d.metadata, "team").as_deref(),
        Some("shop"),
        "kubectl keeps the other annotations"
    );
    let hash = restored.metadata.labels.as_ref().unwrap()["pod-template-hash"].clone();
    eventually(30, "only the restored ReplicaSet's pods remain", || async {
        let live: Vec<Pod> = pods
            .list(&ListParams::default().labels("app=web"))
            .await
            .ok()?
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        (live.len() == 3
            && live
                .iter()
                .all(|p| p.metadata.labels.as_ref().unwrap()["pod-template-hash"] == hash))
        .then_some(())
    })
    .await;
}

#[tokio::test]
async fn scaling_through_the_subresource_converges() {
    let (_c, client) = cluster_with_ns("scale").await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "scale");
    let pods: Api<Pod> = Api::namespaced(client, "scale");
    deploys
        .create(&PostParams::default(), &deployment("nginx:1.27"))
        .await
        .unwrap();
    eventually(20, "first rollout", || rolled_out(&deploys)).await;
    for want in [5, 1] {
        deploys
            .patch_scale(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": want}})),
            )
            .await
            .unwrap();
        eventually(20, "scaled", || async {
            let d = rolled_out(&deploys).await?;
            let running = pods
                .list(&ListParams::default().labels("app=web").fields("status.phase=Running"))
                .await
                .ok()?
                .items
                .into_iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .count();
            (d.status?.ready_replicas == Some(want) && running == want as usize).then_some(())
        })
        .await;
    }
}
