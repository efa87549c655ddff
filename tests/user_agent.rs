//! Every request kubedeck makes carries its User-Agent, as the demo cluster's record shows.

mod common;

use common::fast_opts;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, WatchParams};
use kubedeck::cluster::client::{ConnectOptions, connect, user_agent};
use sim::DemoCluster;

#[tokio::test]
async fn every_request_says_it_comes_from_kubedeck() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let conn = connect(&ConnectOptions {
        inline: Some(c.kubeconfig()),
        ..Default::default()
    })
    .await
    .unwrap();
    let agent = user_agent();
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        agent.starts_with(&format!("kubedeck/{version} (")) && agent.ends_with(')') && agent.contains('/'),
        "{agent}"
    );
    // A list, a get through the client without retries, and a watch: every path to the server.
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "shop");
    pods.list(&ListParams::default()).await.unwrap();
    conn.no_retry.apiserver_version().await.unwrap();
    let list = pods.list(&ListParams::default().limit(1)).await.unwrap();
    let rv = list.metadata.resource_version.unwrap();
    let mut stream = pods
        .watch(&WatchParams::default().timeout(1), &rv)
        .await
        .unwrap()
        .boxed();
    let _ = stream.try_next().await;
    let seen = c.user_agents();
    assert_eq!(seen.keys().collect::<Vec<_>>(), [&agent], "{seen:?}");
    assert!(seen[&agent] >= 2, "{seen:?}");
    c.stop().await;
}
