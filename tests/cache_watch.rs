//! The watch cache against the demo cluster: objects appear, notices arrive, 403 is reported.

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use kubedeck::cluster::client::{ConnectOptions, connect};
use kubedeck::cluster::watch::{Notice, WatchStatus};
use kubedeck::cluster::{Kind, Scope};
use kubedeck::store::cache::{Cache, Snapshot};
use sim::{Deny, RESTRICTED_CONTEXT};
use tokio::sync::mpsc;

fn pod_names(cache: &Cache, scope: &Scope) -> Vec<String> {
    cache
        .rows(Kind::Pod, scope)
        .unwrap_or_default()
        .iter()
        .map(|r| r.name.to_string())
        .collect()
}

#[tokio::test]
async fn a_pod_created_through_kube_rs_appears_in_the_cache() {
    let (cluster, _) = common::cluster_with_ns("it").await;
    // Connect the way the dashboard does: through the kubeconfig.
    let opts = ConnectOptions {
        inline: Some(cluster.kubeconfig()),
        ..Default::default()
    };
    let conn = connect(&opts).await.expect("connect");
    assert_eq!(conn.namespace, "shop", "the namespace comes from the context");
    let (tx, mut rx) = mpsc::channel(64);
    let cache = Cache::new(conn.client.clone(), tx, Duration::from_secs(60));
    let scope = Scope::Namespace("it".into());
    cache.ensure(Kind::Pod, scope.clone());
    common::eventually(10, "pods watch ready", || async {
        (cache.status(Kind::Pod, &scope) == Some(WatchStatus::Ready)).then_some(())
    })
    .await;
    while rx.try_recv().is_ok() {}
    let generation = cache.generation(Kind::Pod, &scope);

    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "hello", "namespace": "it", "labels": {"app": "hello"}},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}
    }))
    .unwrap();
    Api::<Pod>::namespaced(conn.client.clone(), "it")
        .create(&PostParams::default(), &pod)
        .await
        .expect("create pod");

    common::eventually(10, "pod hello in the cache", || async {
        pod_names(&cache, &scope).contains(&"hello".to_string()).then_some(())
    })
    .await;
    assert!(cache.generation(Kind::Pod, &scope) > generation);
    let notice = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a notice")
        .unwrap();
    assert_eq!(notice, Notice::Changed(Kind::Pod));
    // The row carries what the pods screen shows and filters on.
    let rows = cache.rows(Kind::Pod, &scope).unwrap();
    let hello = rows.iter().find(|r| r.name == "hello").unwrap();
    assert_eq!(hello.label("app"), Some("hello"));
    assert_eq!(hello.cells.first().map(|c| c.as_str()), Some("0/1"), "READY");

    // Typed watches keep trimmed objects; a one-object watch holds just that object.
    cache.ensure_objects(Kind::Pod, scope.clone());
    cache.ensure_one(Kind::Pod, "it", "hello");
    common::eventually(10, "typed and one-object watches synced", || async {
        let all = match cache.snapshot(Kind::Pod, &scope) {
            Some(Snapshot::Pod(s)) => s.state(),
            _ => return None,
        };
        let one = match cache.one(Kind::Pod, "it", "hello") {
            Some(Snapshot::Pod(s)) => s.state(),
            _ => return None,
        };
        (!all.is_empty() && one.len() == 1).then_some((all, one))
    })
    .await;
    let Some(Snapshot::Pod(store)) = cache.snapshot(Kind::Pod, &scope) else {
        panic!("no store")
    };
    assert!(store.state().iter().all(|p| p.managed_fields().is_empty()));
    let Some(Snapshot::Pod(one)) = cache.one(Kind::Pod, "it", "hello") else {
        panic!("no one-object store")
    };
    assert_eq!(one.state()[0].name_any(), "hello");

    // Unused watches stop on sweep; shutdown empties the cache.
    cache.sweep(std::time::Instant::now() + Duration::from_secs(61));
    assert!(cache.rows(Kind::Pod, &scope).is_none());
    assert!(cache.snapshot(Kind::Pod, &scope).is_none());
    cache.ensure(Kind::Node, scope.clone());
    assert_eq!(cache.running(), [(Kind::Node, Scope::All)], "nodes are cluster-scoped");
    cache.shutdown();
    assert!(cache.running().is_empty());
}

#[tokio::test]
async fn a_refused_kind_reports_forbidden_with_the_servers_message() {
    let (cluster, _) = common::cluster_with_ns("shop").await;
    cluster.faults().deny(Deny {
        user: "jane".into(),
        plural: "pods".into(),
        namespace: None,
    });
    let opts = ConnectOptions {
        inline: Some(cluster.kubeconfig()),
        context: Some(RESTRICTED_CONTEXT.into()),
        ..Default::default()
    };
    let conn = connect(&opts).await.expect("connect");
    assert_eq!(conn.namespace, "shop");
    let (tx, _rx) = mpsc::channel(64);
    let cache = Cache::new(conn.client, tx, Duration::from_secs(60));
    cache.ensure(Kind::Pod, Scope::Namespace("shop".into()));
    cache.ensure(Kind::Service, Scope::Namespace("shop".into()));
    let message = common::eventually(10, "pods forbidden", || async {
        match cache.status(Kind::Pod, &Scope::Namespace("shop".into())) {
            Some(WatchStatus::Forbidden { message }) => Some(message),
            _ => None,
        }
    })
    .await;
    assert!(message.contains("jane") && message.contains("pods"), "{message}");
    // Other kinds keep working.
    common::eventually(10, "services ready", || async {
        (cache.status(Kind::Service, &Scope::Namespace("shop".into())) == Some(WatchStatus::Ready)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_dropped_watch_goes_stale_and_comes_back_without_waiting_for_an_event() {
    let (cluster, _) = common::cluster_with_ns("quiet").await;
    // No kube-rs retries: the refused requests reach the watcher as errors.
    let mut config = kube::Config::from_custom_kubeconfig(cluster.kubeconfig(), &Default::default())
        .await
        .unwrap();
    config.default_retry = false;
    let client = kube::Client::try_from(config).unwrap();
    let (tx, _rx) = mpsc::channel(64);
    let cache = Cache::new(client, tx, Duration::from_secs(60));
    let scope = Scope::Namespace("quiet".into());
    cache.ensure(Kind::Pod, scope.clone());
    common::eventually(10, "pods watch ready", || async {
        (cache.status(Kind::Pod, &scope) == Some(WatchStatus::Ready)).then_some(())
    })
    .await;
    // The connection drops and the next attempts are refused: the data is stale.
    cluster.faults().throttle_next(2);
    cluster.faults().drop_watches();
    common::eventually(10, "watch stale", || async {
        matches!(cache.status(Kind::Pod, &scope), Some(WatchStatus::Stale { .. })).then_some(())
    })
    .await;
    // Nothing changes in the namespace, yet the re-established watch reads live again.
    common::eventually(20, "watch live again", || async {
        (cache.status(Kind::Pod, &scope) == Some(WatchStatus::Ready)).then_some(())
    })
    .await;
    assert_eq!(cluster.faults().throttled_total(), 2);
}

#[tokio::test]
async fn whether_a_namespace_exists_is_told_from_a_get_or_the_namespace_watch() {
    use kubedeck::cluster::namespaces::exists;
    let (cluster, _) = common::cluster_with_ns("shop").await;
    let opts = ConnectOptions {
        inline: Some(cluster.kubeconfig()),
        ..Default::default()
    };
    let conn = connect(&opts).await.expect("connect");
    let (tx, _rx) = mpsc::channel(64);
    let cache = Cache::new(conn.client, tx, Duration::from_secs(60));
    assert_eq!(exists(&cache, "shop").await, Some(true));
    assert_eq!(exists(&cache, "nosuchns").await, Some(false));
    // With the namespaces watched and synced, the answer comes from the cache, without a request:
    // refusing the GET to everyone leaves it unchanged.
    cache.ensure(Kind::Namespace, Scope::All);
    common::eventually(10, "namespaces ready", || async {
        (cache.status(Kind::Namespace, &Scope::All) == Some(WatchStatus::Ready)).then_some(())
    })
    .await;
    cluster.faults().deny(Deny {
        user: "admin".into(),
        plural: "namespaces".into(),
        namespace: None,
    });
    assert_eq!(exists(&cache, "nosuchns").await, Some(false));
    assert_eq!(exists(&cache, "shop").await, Some(true));
    cache.shutdown();
    // Not permitted to look: nothing is claimed.
    let restricted = ConnectOptions {
        inline: Some(cluster.kubeconfig()),
        context: Some(RESTRICTED_CONTEXT.into()),
        ..Default::default()
    };
    let conn = connect(&restricted).await.expect("connect");
    cluster.faults().deny(Deny {
        user: "jane".into(),
        plural: "namespaces".into(),
        namespace: None,
    });
    let (tx, _rx) = mpsc::channel(64);
    let cache = Cache::new(conn.client, tx, Duration::from_secs(60));
    assert_eq!(exists(&cache, "nosuchns").await, None);
}
