//! CustomResourceDefinitions on the demo cluster, driven through the real kube-rs client: a CRD
//! appears in discovery, its objects go through create/list/watch/patch/scale/status and Table,
//! and deleting the CRD takes its objects with it.

mod common;

use common::{cluster_with_ns, eventually};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams, WatchEvent,
    WatchParams,
};
use serde_json::{Value, json};

const CRD: &str = "crontabs.stable.example.com";

fn crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": CRD},
        "spec": {"group": "stable.example.com", "scope": "Namespaced",
            "names": {"plural": "crontabs", "kind": "CronTab", "shortNames": ["ct"], "categories": ["all"]},
            "versions": [{"name": "v1beta1", "served": true, "storage": false,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
                {"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
                "additionalPrinterColumns": [
                    {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]}]}
    }))
    .unwrap()
}

fn crontab(name: &str) -> DynamicObject {
    serde_json::from_value(json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
        "metadata": {"name": name}, "spec": {"cronSpec": "* * * * */5", "replicas": 1}}))
    .unwrap()
}

async fn api_error<T: std::fmt::Debug>(r: Result<T, kube::Error>) -> (u16, String, String) {
    match r {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_crd_serves_its_objects_until_it_is_deleted() {
    let (_c, client) = cluster_with_ns("crds").await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    crds.create(&PostParams::default(), &crd()).await.unwrap();

    // Established, and in discovery with its names, within a few seconds.
    let gvk = GroupVersionKind::gvk("stable.example.com", "v1", "CronTab");
    let (ar, caps) = eventually(5, "the CRD's resource in discovery", || async {
        kube::discovery::pinned_kind(&client, &gvk).await.ok()
    })
    .await;
    assert_eq!(ar.plural, "crontabs");
    assert!(
        caps.subresources.iter().any(|(r, _)| r.plural.ends_with("scale")),
        "{:?}",
        caps.subresources
    );
    let list = client.list_api_group_resources("stable.example.com/v1").await.unwrap();
    let r = list.resources.iter().find(|r| r.name == "crontabs").unwrap();
    assert_eq!(r.short_names.as_deref(), Some(&["ct".to_string()][..]));
    assert_eq!((r.singular_name.as_str(), r.namespaced), ("crontab", true));
    assert_eq!(r.categories.as_deref(), Some(&["all".to_string()][..]));
    let established = crds.get(CRD).await.unwrap();
    let conds: Vec<(String, String)> = established
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .map(|c| (c.type_, c.status))
        .collect();
    assert!(conds.contains(&("Established".into(), "True".into())), "{conds:?}");

    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "crds", &ar);
    let mut events = api.watch(&WatchParams::default(), "0").await.unwrap().boxed();
    let created = api.create(&PostParams::default(), &crontab("nightly")).await.unwrap();
    assert!(created.metadata.uid.is_some());
    let listed = api.list(&Default::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);

    // Merge and JSON patches; strategic merge is refused as the real server refuses it for custom objects.
    let pp = PatchParams::default();
    api.patch(
        "nightly",
        &pp,
        &Patch::Merge(json!({"spec": {"cronSpec": "0 3 * * *"}})),
    )
    .await
    .unwrap();
    let jp = serde_json::from_value(json!([{"op": "replace", "path": "/spec/replicas", "value": 2}])).unwrap();
    let patched = api.patch("nightly", &pp, &Patch::Json::<()>(jp)).await.unwrap();
    assert_eq!(
        (
            patched.data["spec"]["cronSpec"].as_str(),
            patched.data["spec"]["replicas"].as_i64()
        ),
        (Some("0 3 * * *"), Some(2))
    );
    let (code, _, msg) = api_error(
        api.patch("nightly", &pp, &Patch::Strategic(json!({"spec": {"x": 1}})))
            .await,
    )
    .await;
    assert_eq!(code, 415, "{msg}");

    // Status goes through its subresource only; scale maps onto spec.replicas.
    api.patch("nightly", &pp, &Patch::Merge(json!({"status": {"replicas": 9}})))
        .await
        .unwrap();
    assert!(
        api.get("nightly").await.unwrap().data.get("status").is_none(),
        "the main resource ignores status"
    );
    let status =
        json!({"status": {"replicas": 2, "selector": "app=cron", "conditions": [{"type": "Ready", "status": "True"}]}});
    api.patch_status("nightly", &pp, &Patch::Merge(status)).await.unwrap();
    api.patch_scale("nightly", &pp, &Patch::Merge(json!({"spec": {"replicas": 5}})))
        .await
        .unwrap();
    let scale = api.get_scale("nightly").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(5));
    let st = scale.status.unwrap();
    assert_eq!((st.replicas, st.selector.as_deref()), (2, Some("app=cron")));

    // The other served version reads the same objects, in its own apiVersion.
    let beta = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("stable.example.com", "v1beta1", "CronTab"),
        "crontabs",
    );
    let in_beta = Api::<DynamicObject>::namespaced_with(client.clone(), "crds", &beta)
        .get("nightly")
        .await
        .unwrap();
    assert_eq!(in_beta.types.unwrap().api_version, "stable.example.com/v1beta1");
    assert_eq!(in_beta.data["spec"]["replicas"], 5);

    // The Table kubectl asks for: Name, then the CRD's columns.
    let req = http::Request::get("/apis/stable.example.com/v1/namespaces/crds/crontabs")
        .header(
            "Accept",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
        )
        .body(vec![])
        .unwrap();
    let table: Value = serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Name", "Spec", "Replicas", "Ready", "Age"]);
    let cells = table["rows"][0]["cells"].as_array().unwrap();
    assert_eq!(
        &cells[..4],
        &[json!("nightly"), json!("0 3 * * *"), json!(5), json!("True")]
    );
    assert!(
        cells[4].as_str().unwrap().ends_with('s'),
        "a fresh object is seconds old: {}",
        cells[4]
    );

    // Deleting the CRD deletes its objects (watchers see them go), then the CRD and its discovery.
    crds.delete(CRD, &DeleteParams::default()).await.unwrap();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.iter().any(|s: &String| s == "DELETED") {
        let ev = tokio::time::timeout_at(deadline, events.try_next())
            .await
            .expect("watch events before the deadline");
        seen.push(match ev.unwrap().expect("the watch stays open") {
            WatchEvent::Added(_) => "ADDED".into(),
            WatchEvent::Modified(_) => "MODIFIED".into(),
            WatchEvent::Deleted(_) => "DELETED".into(),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(seen.first().map(String::as_str), Some("ADDED"), "{seen:?}");
    eventually(10, "the CRD to be gone", || async {
        crds.get_opt(CRD).await.unwrap().is_none().then_some(())
    })
    .await;
    let (code, _, _) = api_error(api.list(&Default::default()).await).await;
    assert_eq!(code, 404);
    let groups = client.list_api_groups().await.unwrap();
    assert!(!groups.groups.iter().any(|g| g.name == "stable.example.com"));
}

#[tokio::test]
async fn malformed_crds_are_refused_with_the_servers_reasons() {
    let (_c, client) = cluster_with_ns("crds").await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut bad = crd();
    bad.metadata.name = Some("crontab.stable.example.com".into());
    bad.spec.versions[1].storage = false;
    let (code, reason, msg) = api_error(crds.create(&PostParams::default(), &bad).await).await;
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert!(
        msg.contains(
            "metadata.name: Invalid value: \"crontab.stable.example.com\": must be spec.names.plural+\".\"+spec.group"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("must have exactly one version marked as storage version"),
        "{msg}"
    );

    // The scenario's own CRDs print their columns, as `kubectl get certificates` would.
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate"),
        "certificates",
    );
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "shop", &ar);
    assert!(!certs.list(&Default::default()).await.unwrap().items.is_empty());
    let req = http::Request::get("/apis/cert-manager.io/v1/namespaces/payments/certificates")
        .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .body(vec![])
        .unwrap();
    let table: Value = serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Name", "Ready", "Secret", "Issuer", "Status", "Age"]);
    assert_eq!(table["rows"][0]["cells"][1], "False");
}
