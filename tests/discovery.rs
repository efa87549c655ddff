//! Discovery against the demo cluster through the real kube client: the built-in kinds with their
//! short names, the scenario's CRDs, the unavailable metrics group recorded as failed while the
//! rest stands, and a CRD created later found by discovering again.

mod common;

use common::{cluster_with_ns, eventually};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use kubedeck::cluster::client::no_retry_client;
use kubedeck::cluster::discovery::discover;
use serde_json::json;

/// The demo cluster and a client that does not retry 503s, as the app's discovery uses.
async fn cluster(ns: &str) -> (sim::DemoCluster, kube::Client) {
    let (c, _) = cluster_with_ns(ns).await;
    let config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &Default::default())
        .await
        .expect("the demo's kubeconfig");
    let client = no_retry_client(config).expect("a client");
    (c, client)
}

#[tokio::test]
async fn discovery_lists_every_kind_with_its_names_and_survives_a_failed_group() {
    let (c, client) = cluster("discovery").await;
    // metrics-server serves by default: its group is discovered like any other.
    let reg = discover(&client).await.expect("discovery answers");
    assert!(reg.failed.is_empty(), "{:?}", reg.failed);
    let pm = reg.find("pods.metrics.k8s.io").expect("PodMetrics");
    assert_eq!((pm.kind.as_str(), pm.namespaced), ("PodMetrics", true));
    c.faults().set_metrics_unavailable(true);
    let reg = discover(&client).await.expect("discovery answers");

    let pods = reg.find("po").expect("pods by short name");
    assert_eq!(
        (pods.group.as_str(), pods.version.as_str(), pods.kind.as_str()),
        ("", "v1", "Pod")
    );
    assert!(pods.namespaced && pods.can("watch") && pods.has("log") && pods.has("status"));
    let deploy = reg.find("deploy").expect("deployments by short name");
    assert_eq!(
        (deploy.qualified().as_str(), deploy.singular.as_str()),
        ("deployments.apps", "deployment")
    );
    assert!(deploy.has("scale"), "{:?}", deploy.subresources);
    assert_eq!(reg.find("svc").map(|r| r.plural.as_str()), Some("services"));
    let nodes = reg.find("nodes").expect("nodes");
    assert!(!nodes.namespaced);
    // A k9s alias that is not a server short name.
    assert_eq!(reg.find("crb").map(|r| r.kind.as_str()), Some("ClusterRoleBinding"));

    // The scenario's custom resources, with their short names and categories.
    let cert = reg.find("cert").expect("certificates by short name");
    assert_eq!(cert.qualified(), "certificates.cert-manager.io");
    assert_eq!(cert.categories, ["cert-manager"]);
    assert_eq!(reg.find("certificates.cert-manager.io"), Some(cert));

    // metrics.k8s.io is listed but its service is down (the fault): recorded, and nothing else is lost.
    assert_eq!(reg.failed.len(), 1, "{:?}", reg.failed);
    assert_eq!(reg.failed[0].group_version, "metrics.k8s.io/v1beta1");
    assert!(
        reg.failed[0].error.contains("unable to handle the request"),
        "{}",
        reg.failed[0].error
    );
    assert!(reg.resources.iter().all(|r| r.group != "metrics.k8s.io"));
    // Core first, then the groups in the server's order: kubectl's priority.
    assert_eq!(reg.resources[0].group, "");
    assert!(
        reg.resources.iter().all(|r| !r.plural.contains('/')),
        "subresources attach to their parent"
    );
}

#[tokio::test]
async fn a_crd_created_later_is_found_when_discovering_again() {
    let (_c, client) = cluster("discovery-later").await;
    let before = discover(&client).await.expect("discovery answers");
    assert!(before.find("widget").is_none());

    let crd: CustomResourceDefinition = serde_json::from_value(json!({
        "metadata": {"name": "widgets.shop.example.com"},
        "spec": {"group": "shop.example.com", "scope": "Cluster",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .unwrap();
    Api::<CustomResourceDefinition>::all(client.clone())
        .create(&PostParams::default(), &crd)
        .await
        .expect("create the CRD");

    let widget = eventually(10, "the new CRD in discovery", || {
        let client = client.clone();
        async move { discover(&client).await.ok()?.find("wdg").cloned() }
    })
    .await;
    assert_eq!(widget.qualified(), "widgets.shop.example.com");
    assert_eq!(
        (widget.api_version().as_str(), widget.namespaced),
        ("shop.example.com/v1", false)
    );
}
