//! The demo cluster's run-time fault switches (`/sim/...`, administrator only), as used by hand
//! against `kubedeck demo-server`.

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use sim::{DemoCluster, RESTRICTED_CONTEXT};

async fn post(client: &kube::Client, path: &str) -> Result<String, kube::Error> {
    let req = http::Request::post(path).body(Vec::new()).unwrap();
    client.request_text(req).await
}

#[tokio::test]
async fn faults_switch_at_run_time_for_the_administrator_only() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let admin = cluster.client().await.unwrap();
    let jane = cluster.client_for(RESTRICTED_CONTEXT).await.unwrap();
    let refused = post(&jane, "/sim/faults/freeze").await.unwrap_err();
    // A known user who is not the administrator is refused as RBAC refuses a path: 403, not 401.
    assert!(
        matches!(&refused, kube::Error::Api(s) if s.code == 403
            && s.message == r#"forbidden: User "jane" cannot post path "/sim/faults/freeze""#),
        "{refused:?}"
    );

    post(&admin, "/sim/faults/confine?user=jane&namespace=shop")
        .await
        .unwrap();
    let elsewhere = Api::<Pod>::namespaced(jane.clone(), "default")
        .list(&ListParams::default())
        .await;
    assert!(
        matches!(&elsewhere, Err(kube::Error::Api(s)) if s.code == 403),
        "{elsewhere:?}"
    );
    let all = Api::<Pod>::all(jane.clone()).list(&ListParams::default()).await;
    assert!(matches!(&all, Err(kube::Error::Api(s)) if s.code == 403), "{all:?}");
    Api::<Pod>::namespaced(jane.clone(), "shop")
        .list(&ListParams::default())
        .await
        .expect("jane may list in her namespace");

    // Frozen: a request hangs (no answer in 500 ms) until the server thaws by itself.
    post(&admin, "/sim/faults/freeze?secs=2").await.unwrap();
    let hung = tokio::time::timeout(Duration::from_millis(500), jane.apiserver_version()).await;
    assert!(hung.is_err(), "a frozen server answered: {hung:?}");
    common::eventually(10, "the server thawed", || {
        let jane = jane.clone();
        async move { jane.apiserver_version().await.ok() }
    })
    .await;

    // Restarted: refused while down, then back.
    post(&admin, "/sim/faults/restart?down=1").await.unwrap();
    common::eventually(10, "the server back after its restart", || {
        let admin = admin.clone();
        async move { admin.apiserver_version().await.ok() }
    })
    .await;
    assert!(cluster.faults().requests("jane") >= 5, "jane's requests are counted");
    let unknown = post(&admin, "/sim/faults/melt").await.unwrap_err();
    assert!(unknown.to_string().contains("unknown fault switch"), "{unknown}");
}
