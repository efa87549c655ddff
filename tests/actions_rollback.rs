//! Rollout history and `rollout undo --to-revision` against the demo cluster's controllers: the
//! same template, annotations and revision numbers (renumbering included) as kubectl leaves.

mod common;

use common::{cluster_with_ns, eventually};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::history::{self, POD_TEMPLATE_HASH, REVISION, REVISION_HISTORY};
use kubedeck::cluster::ops::{self, ObjRef, Success, rollback};
use serde_json::json;

fn ann(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> Option<String> {
    meta.annotations.as_ref()?.get(key).cloned()
}

async fn at_revision(api: &Api<Deployment>, rev: &str) -> Option<Deployment> {
    let d = api.get("web").await.ok()?;
    let st = d.status.as_ref()?;
    let done = d.metadata.generation <= st.observed_generation && st.updated_replicas == Some(2);
    (done && ann(&d.metadata, REVISION).as_deref() == Some(rev)).then_some(d)
}

fn image_of(d: &Deployment) -> String {
    d.spec.as_ref().unwrap().template.spec.as_ref().unwrap().containers[0]
        .image
        .clone()
        .unwrap()
}

#[tokio::test]
async fn deployment_history_diff_and_undo_match_kubectl() {
    let (cluster, client) = cluster_with_ns("roll").await;
    let api: Api<Deployment> = Api::namespaced(client.clone(), "roll");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web", "annotations": {"team": "shop"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &d).await.unwrap();
    eventually(20, "revision 1", || at_revision(&api, "1")).await;
    let set_image = json!({"metadata": {"annotations": {"kubernetes.io/change-cause": "bump to 1.27"}},
        "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    api.patch("web", &PatchParams::default(), &Patch::Strategic(set_image))
        .await
        .unwrap();
    eventually(30, "revision 2", || at_revision(&api, "2")).await;
    let web = ObjRef::new(Kind::Deployment, "roll", "web");
    ops::restart(&client, &web, "2026-11-23T08:00:00Z").await.unwrap();
    eventually(30, "revision 3", || at_revision(&api, "3")).await;

    let h = history::load(&client, &web).await.unwrap();
    let nums: Vec<i64> = h.revisions.iter().map(|r| r.number).collect();
    assert_eq!(nums, [3, 2, 1]);
    assert!(
        h.revisions[0].current && h.revisions[0].restart_only,
        "3 only restarted 2"
    );
    assert!(!h.revisions[1].restart_only);
    assert_eq!(h.revisions[1].change_cause, "bump to 1.27");
    assert_eq!(h.revisions[2].images, ["web=nginx:1.26"]);
    let diff = history::diff(&h.live, &h.revisions[2].template, 1);
    assert!(
        diff.contains(&history::DiffLine::Added("  - image: nginx:1.26".into())),
        "{diff:?}"
    );
    assert!(
        !diff.iter().any(|l| format!("{l:?}").contains(POD_TEMPLATE_HASH)),
        "the hash label is hidden"
    );

    // Dry run: admitted, nothing stored (the controller may still write status, so compare the spec).
    let before = api.get("web").await.unwrap();
    assert_eq!(
        rollback::dry_run(&client, &web, 1).await.unwrap(),
        Success::changed("deployment.apps/web rolled back (server dry run)")
    );
    let after = api.get("web").await.unwrap();
    assert_eq!(after.metadata.generation, before.metadata.generation);
    assert_eq!(after.spec, before.spec);
    assert_eq!(
        rollback::rollback(&client, &web, 3).await.unwrap(),
        Success::unchanged("deployment.apps/web skipped rollback (current template already matches revision 3)")
    );
    assert_eq!(
        rollback::rollback(&client, &web, 9).await.unwrap_err(),
        "unable to find specified revision 9 in history"
    );

    let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "roll");
    let rs1 = rss
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|r| ann(&r.metadata, REVISION).as_deref() == Some("1"))
        .unwrap();
    assert_eq!(
        rollback::rollback(&client, &web, 1).await.unwrap(),
        Success::changed("deployment.apps/web rolled back")
    );
    let d = eventually(30, "revision 4", || at_revision(&api, "4")).await;
    // kubectl: the ReplicaSet's template without pod-template-hash, and its annotations, with
    // the Deployment's revision bookkeeping and other skipped keys kept.
    assert_eq!(image_of(&d), "nginx:1.26");
    let labels = d
        .spec
        .as_ref()
        .unwrap()
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .clone()
        .unwrap();
    assert!(!labels.contains_key(POD_TEMPLATE_HASH));
    // The controller copied "team" onto the ReplicaSet; the rollback brings the ReplicaSet's set back.
    assert_eq!(ann(&d.metadata, "team").as_deref(), Some("shop"));
    assert_eq!(
        ann(&d.metadata, "kubernetes.io/change-cause"),
        ann(&rs1.metadata, "kubernetes.io/change-cause")
    );
    // Revision 1 became 4 (same ReplicaSet), remembering its old number.
    let rs = eventually(20, "renumbered replica set", || async {
        let r = rss.get(rs1.metadata.name.as_deref()?).await.ok()?;
        (ann(&r.metadata, REVISION).as_deref() == Some("4")).then_some(r)
    })
    .await;
    assert_eq!(ann(&rs.metadata, REVISION_HISTORY).as_deref(), Some("1"));
    let h = history::load(&client, &web).await.unwrap();
    assert_eq!(h.revisions[0].number, 4);
    assert_eq!(h.revisions[0].earlier, [1]);

    // Paused: refused with kubectl's message.
    ops::set_paused(&client, &web, true).await.unwrap();
    let err = rollback::rollback(&client, &web, 2).await.unwrap_err();
    assert_eq!(
        err,
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/web' and try again"
    );
    cluster.stop().await;
}

#[tokio::test]
async fn statefulset_undo_applies_the_controller_revision() {
    let (cluster, client) = cluster_with_ns("db").await;
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), "db");
    let s: StatefulSet = serde_json::from_value(json!({
        "metadata": {"name": "db"},
        "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "pg:15"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &s).await.unwrap();
    let db = ObjRef::new(Kind::StatefulSet, "db", "db");
    eventually(20, "revision 1", || async {
        (history::load(&client, &db).await.ok()?.revisions.len() == 1).then_some(())
    })
    .await;
    let bump = json!({"spec": {"template": {"spec": {"containers": [{"name": "db", "image": "pg:16"}]}}}});
    api.patch("db", &PatchParams::default(), &Patch::Strategic(bump))
        .await
        .unwrap();
    let h = eventually(20, "revision 2", || async {
        let h = history::load(&client, &db).await.ok()?;
        (h.revisions.len() == 2 && h.revisions[0].current).then_some(h)
    })
    .await;
    assert_eq!(h.revisions[1].images, ["db=pg:15"]);
    let old_name = h.revisions[1].source.clone();
    assert_eq!(
        rollback::rollback(&client, &db, 2).await.unwrap(),
        Success::unchanged("statefulset.apps/db skipped rollback (current template already matches revision 2)")
    );
    assert_eq!(
        rollback::rollback(&client, &db, 1).await.unwrap(),
        Success::changed("statefulset.apps/db rolled back")
    );
    let image = api
        .get("db")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("pg:15"));
    // The controller re-uses revision 1's ControllerRevision and renumbers it to 3.
    let h = eventually(20, "renumbered", || async {
        let h = history::load(&client, &db).await.ok()?;
        (h.revisions[0].number == 3).then_some(h)
    })
    .await;
    assert_eq!(h.revisions[0].source, old_name);
    assert_eq!(h.revisions.len(), 2);
    cluster.stop().await;
}

#[tokio::test]
async fn daemonset_history_marks_the_live_template_and_undo_restores_it() {
    use k8s_openapi::api::apps::v1::DaemonSet;
    let (cluster, client) = cluster_with_ns("agents").await;
    let api: Api<DaemonSet> = Api::namespaced(client.clone(), "agents");
    let ds: DaemonSet = serde_json::from_value(json!({
        "metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}
    }))
    .unwrap();
    api.create(&PostParams::default(), &ds).await.unwrap();
    let agent = ObjRef::new(Kind::DaemonSet, "agents", "agent");
    eventually(20, "revision 1", || async {
        (history::load(&client, &agent).await.ok()?.revisions.len() == 1).then_some(())
    })
    .await;
    let bump = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "agent:2"}]}}}});
    api.patch("agent", &PatchParams::default(), &Patch::Strategic(bump))
        .await
        .unwrap();
    let h = eventually(20, "revision 2", || async {
        let h = history::load(&client, &agent).await.ok()?;
        (h.revisions.len() == 2).then_some(h)
    })
    .await;
    assert!(h.revisions[0].current && !h.revisions[1].current);
    assert_eq!(
        rollback::rollback(&client, &agent, 1).await.unwrap(),
        Success::changed("daemonset.apps/agent rolled back")
    );
    let h = eventually(20, "revision 1 renumbered to 3 and live again", || async {
        let h = history::load(&client, &agent).await.ok()?;
        (h.revisions[0].number == 3 && h.revisions[0].current).then_some(h)
    })
    .await;
    assert_eq!(h.revisions[0].images, ["a=agent:1"]);
    cluster.stop().await;
}
