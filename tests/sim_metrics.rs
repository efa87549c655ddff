//! The demo cluster's metrics.k8s.io/v1beta1 (metrics-server behind the aggregator): PodMetrics and
//! NodeMetrics as kubectl top reads them, their usage what `sim::pod_usage` computes for the sample,
//! and the APIService fault.

mod common;

use common::{cluster_with_ns, eventually};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use serde_json::Value;

fn api(client: &kube::Client, kind: &str, plural: &str, ns: Option<&str>) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", kind), plural);
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    }
}

#[tokio::test]
async fn pod_and_node_metrics_are_served_per_sample_with_selectors() {
    let (c, _) = cluster_with_ns("metrics-t").await;
    // The client discovery uses: the retrying one keeps retrying a 503.
    let config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &Default::default())
        .await
        .unwrap();
    let client = kubedeck::cluster::client::no_retry_client(config).unwrap();
    let pods = api(&client, "PodMetrics", "pods", Some("shop"));
    // Every running container of every running pod, as the simulation computes it for the sample.
    let list = eventually(20, "shop's pods run and match their sample", || {
        let (pods, c) = (pods.clone(), &c);
        async move {
            let list = pods.list(&ListParams::default()).await.ok()?;
            let matches = list.items.len() >= 6
                && list.items.iter().all(|m| {
                    let t = jiff::Timestamp::from_str_lenient(&m.data["timestamp"]);
                    let pod = c
                        .store()
                        .get_value(sim::res("Pod"), "shop", m.metadata.name.as_deref().unwrap_or(""));
                    let (Some(t), Some(pod)) = (t, pod) else { return false };
                    let want: Vec<Value> = sim::pod_usage(&pod, t)
                        .into_iter()
                        .map(|(name, u)| {
                            serde_json::json!({"name": name, "usage": {"cpu": format!("{}n", u.cpu_nanos),
                                "memory": format!("{}Ki", u.mem_bytes / 1024)}})
                        })
                        .collect();
                    m.data["containers"] == Value::Array(want)
                        && m.data["window"] == "15s"
                        && t % sim::METRICS_RESOLUTION_SECS == 0
                });
            matches.then_some(list)
        }
    })
    .await;
    let name = list.items[0].metadata.name.clone().unwrap();
    let one = pods.get(&name).await.unwrap();
    assert_eq!(one.metadata.namespace.as_deref(), Some("shop"));
    let web = pods
        .list(&ListParams::default().labels("app.kubernetes.io/name=web"))
        .await
        .unwrap();
    assert_eq!(web.items.len(), 3);
    assert!(
        web.items
            .iter()
            .all(|m| m.metadata.name.as_deref().unwrap().starts_with("web-"))
    );
    let all = api(&client, "PodMetrics", "pods", None)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(all.items.len() > list.items.len());
    let nodes = api(&client, "NodeMetrics", "nodes", None)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(nodes.items.len(), 4);
    assert!(
        nodes
            .items
            .iter()
            .all(|n| n.data["usage"]["cpu"].as_str().unwrap().ends_with('n'))
    );
    let err = pods.get("no-such-pod").await.unwrap_err();
    assert!(matches!(&err, kube::Error::Api(s) if s.code == 404), "{err:?}");

    // The APIService down: 503 for every metrics path, and its status says so.
    c.faults().set_metrics_unavailable(true);
    let err = pods.list(&ListParams::default()).await.unwrap_err();
    assert!(format!("{err:?}").contains("503"), "{err:?}");
    let svc = c
        .store()
        .get_value(sim::res("APIService"), "", "v1beta1.metrics.k8s.io")
        .unwrap();
    assert_eq!(svc["status"]["conditions"][0]["status"], "False");
    c.faults().set_metrics_unavailable(false);
    assert!(pods.list(&ListParams::default()).await.is_ok());
}

trait Lenient {
    fn from_str_lenient(v: &Value) -> Option<i64>;
}

impl Lenient for jiff::Timestamp {
    fn from_str_lenient(v: &Value) -> Option<i64> {
        v.as_str()?.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
    }
}
