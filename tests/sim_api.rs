//! The demo cluster's API semantics, driven through the real kube-rs client over HTTP.

mod common;

use std::collections::BTreeSet;

use common::{cluster_with_ns, eventually};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::{WatchStreamExt, reflector, watcher};
use serde_json::json;

fn cm(name: &str, v: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name, "labels": {"app": "t", "n": v}}, "data": {"v": v}}))
        .unwrap()
}

#[tokio::test]
async fn crud_conflicts_and_status_codes() {
    let (_c, client) = cluster_with_ns("t1").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t1");
    let created = api.create(&PostParams::default(), &cm("a", "1")).await.unwrap();
    let rv1 = created.metadata.resource_version.clone().unwrap();
    let err = api.create(&PostParams::default(), &cm("a", "1")).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "AlreadyExists"),
        "{err:?}"
    );

    // A PUT carrying a stale resourceVersion is refused with 409 Conflict.
    let mut fresh = created.clone();
    fresh.data = Some([("v".to_string(), "2".to_string())].into());
    api.replace("a", &PostParams::default(), &fresh).await.unwrap();
    let mut stale = created.clone();
    stale.metadata.resource_version = Some(rv1);
    let err = api.replace("a", &PostParams::default(), &stale).await.unwrap_err();
    assert!(
        matches!(&err, kube::Error::Api(s) if s.code == 409 && s.reason == "Conflict"),
        "{err:?}"
    );

    let err = api.get("missing").await.unwrap_err();
    match err {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (404, "NotFound"));
            assert_eq!(s.message, "configmaps \"missing\" not found");
        }
        other => panic!("{other:?}"),
    }
    let merged = api
        .patch("a", &PatchParams::default(), &Patch::Merge(json!({"data": {"w": "x"}})))
        .await
        .unwrap();
    assert_eq!(merged.data.unwrap().get("w").map(String::as_str), Some("x"));
    api.delete("a", &DeleteParams::default()).await.unwrap();
    assert!(api.get_opt("a").await.unwrap().is_none());
}

#[tokio::test]
async fn paging_and_selectors() {
    let (_c, client) = cluster_with_ns("t2").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t2");
    for i in 0..25 {
        api.create(&PostParams::default(), &cm(&format!("cm-{i:02}"), &(i % 3).to_string()))
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut lp = ListParams::default().limit(10);
    let mut pages = 0;
    loop {
        let page = api.list(&lp).await.unwrap();
        pages += 1;
        let expected_remaining = (25 - pages * 10).max(0) as i64;
        let remaining = page.metadata.remaining_item_count;
        assert_eq!(
            remaining,
            (expected_remaining > 0).then_some(expected_remaining),
            "page {pages}"
        );
        names.extend(page.items.iter().map(|c| c.metadata.name.clone().unwrap()));
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => lp = lp.continue_token(&c),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 25);
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>().len(),
        25,
        "no duplicates across pages"
    );
    let zeros = api.list(&ListParams::default().labels("n=0")).await.unwrap();
    assert_eq!(zeros.items.len(), 9);
    let not_zero = api.list(&ListParams::default().labels("n!=0,app=t")).await.unwrap();
    assert_eq!(not_zero.items.len(), 16);
    let one = api
        .list(&ListParams::default().fields("metadata.name=cm-07"))
        .await
        .unwrap();
    assert_eq!(one.items.len(), 1);
    let bad = api
        .list(&ListParams::default().fields("spec.nodeName=x"))
        .await
        .unwrap_err();
    assert!(matches!(bad, kube::Error::Api(s) if s.code == 400));
}

#[tokio::test]
async fn reflector_converges_through_dropped_watches_and_410() {
    let (c, client) = cluster_with_ns("t3").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t3");
    for i in 0..5 {
        api.create(&PostParams::default(), &cm(&format!("r-{i}"), "0"))
            .await
            .unwrap();
    }
    let (reader, writer) = reflector::store::<ConfigMap>();
    let stream = reflector(writer, watcher(api.clone(), watcher::Config::default()))
        .default_backoff()
        .applied_objects();
    let task = tokio::spawn(stream.for_each(|_| async {}));
    let names = |r: &reflector::Store<ConfigMap>| {
        r.state()
            .iter()
            .map(|c| c.metadata.name.clone().unwrap())
            .collect::<BTreeSet<_>>()
    };
    eventually(10, "initial sync", || async {
        (names(&reader).len() == 5).then_some(())
    })
    .await;

    api.create(&PostParams::default(), &cm("added", "0")).await.unwrap();
    api.delete("r-0", &DeleteParams::default()).await.unwrap();
    eventually(10, "add and delete seen", || async {
        let n = names(&reader);
        (n.contains("added") && !n.contains("r-0")).then_some(())
    })
    .await;

    // Drop every watch, change things while nobody watches, and compact history so the resume gets 410.
    c.faults().drop_watches();
    api.delete("r-1", &DeleteParams::default()).await.unwrap();
    api.create(&PostParams::default(), &cm("after-drop", "0"))
        .await
        .unwrap();
    c.store().compact();
    api.patch(
        "r-2",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "changed"}})),
    )
    .await
    .unwrap();
    eventually(20, "state after drop and 410 re-list", || async {
        let n = names(&reader);
        let changed = reader
            .state()
            .iter()
            .any(|c| c.metadata.name.as_deref() == Some("r-2") && c.data.as_ref().unwrap()["v"] == "changed");
        (n.contains("after-drop") && !n.contains("r-1") && changed).then_some(())
    })
    .await;
    let server: BTreeSet<String> = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|c| c.metadata.name.unwrap())
        .collect();
    assert_eq!(names(&reader), server, "nothing ghostly stays behind");
    task.abort();
}

#[tokio::test]
async fn watch_from_expired_version_is_410_and_selectors_translate_moves() {
    let (c, client) = cluster_with_ns("t4").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "t4");
    let first = api.create(&PostParams::default(), &cm("w", "0")).await.unwrap();
    let rv = first.metadata.resource_version.unwrap();
    api.create(&PostParams::default(), &cm("later", "0")).await.unwrap();
    c.store().compact();
    let mut s = api.watch(&WatchParams::default(), &rv).await.unwrap().boxed();
    match s.next().await {
        Some(Ok(WatchEvent::Error(e))) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }

    // A watch with a label selector sees an object leave its selection as DELETED.
    let now = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut s = api
        .watch(&WatchParams::default().labels("n=0"), &now)
        .await
        .unwrap()
        .boxed();
    api.patch(
        "w",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"n": "1"}}})),
    )
    .await
    .unwrap();
    match s.next().await {
        Some(Ok(WatchEvent::Deleted(o))) => assert_eq!(o.metadata.name.as_deref(), Some("w")),
        other => panic!("expected DELETED, got {other:?}"),
    }
}

#[tokio::test]
async fn forbidden_and_throttled_come_back_as_kube_errors() {
    let (c, _admin) = cluster_with_ns("shop").await;
    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(jane.clone(), "shop");
    match pods.list(&ListParams::default()).await.unwrap_err() {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            assert_eq!(
                s.message,
                "pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\""
            );
        }
        other => panic!("{other:?}"),
    }
    // Other kinds keep working for the same user.
    let cms: Api<ConfigMap> = Api::namespaced(jane, "shop");
    cms.list(&ListParams::default()).await.unwrap();

    // kube-rs retries 429 by itself, honouring Retry-After; the server saw the throttled tries.
    c.faults().throttle_next(2);
    cms.list(&ListParams::default()).await.unwrap();
    assert_eq!(c.faults().throttled_total(), 2);

    // Without the retry layer the 429 reaches the caller with its Status.
    let opts = kube::config::KubeConfigOptions {
        context: Some(sim::RESTRICTED_CONTEXT.into()),
        ..Default::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &opts)
        .await
        .unwrap();
    config.default_retry = false;
    let raw: Api<ConfigMap> = Api::namespaced(kube::Client::try_from(config).unwrap(), "shop");
    c.faults().throttle_next(1);
    match raw.list(&ListParams::default()).await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (429, "TooManyRequests")),
        other => panic!("{other:?}"),
    }
    raw.list(&ListParams::default()).await.unwrap();
}

#[tokio::test]
async fn server_side_table_for_lists_and_watches() {
    let (_c, client) = cluster_with_ns("t5").await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "t5");
    api.create(&PostParams::default(), &cm("tbl", "0")).await.unwrap();
    let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let req = http::Request::get("/api/v1/namespaces/t5/configmaps")
        .header("Accept", accept)
        .body(vec![])
        .unwrap();
    let table: serde_json::Value = serde_json::from_str(&client.request_text(req).await.unwrap()).unwrap();
    assert_eq!(table["kind"], "Table");
    let cols: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(cols, ["Name", "Data", "Age"]);
    assert_eq!(table["rows"][0]["cells"][0], "tbl");
    assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");

    // A watch in Table form: one-row Tables, column definitions only in the first event.
    let rv = table["metadata"]["resourceVersion"].as_str().unwrap().to_string();
    let req = http::Request::get(format!(
        "/api/v1/namespaces/t5/configmaps?watch=true&resourceVersion={rv}"
    ))
    .header("Accept", accept)
    .body(vec![])
    .unwrap();
    let mut lines = client.request_stream(req).await.unwrap().lines();
    api.create(&PostParams::default(), &cm("w1", "0")).await.unwrap();
    api.create(&PostParams::default(), &cm("w2", "0")).await.unwrap();
    let first: serde_json::Value = serde_json::from_str(&lines.next().await.unwrap().unwrap()).unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().await.unwrap().unwrap()).unwrap();
    assert_eq!(
        (first["type"].as_str(), first["object"]["rows"][0]["cells"][0].as_str()),
        (Some("ADDED"), Some("w1"))
    );
    assert!(first["object"]["columnDefinitions"].is_array());
    assert!(second["object"].get("columnDefinitions").is_none_or(|c| c.is_null()));
    assert_eq!(second["object"]["rows"][0]["cells"][0], "w2");
}
