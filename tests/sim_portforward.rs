//! `pods/portforward` of the demo cluster through kube-rs's WebSocket client: a container port
//! answering HTTP, a port nothing listens on, a pod not running, RBAC.

mod common;

use common::{cluster_with_ns, running_pod};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use serde_json::json;
use sim::{Origin, res};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn web(name: &str) -> serde_json::Value {
    let mut p = running_pod(name, 0, 0);
    p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080, "protocol": "TCP"}]);
    p
}

#[tokio::test]
async fn a_container_port_answers_http_and_other_ports_are_refused_in_the_runtimes_words() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store().create(res("Pod"), web("web-1"), Origin::Internal).unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");

    let mut pf = pods.portforward("web-1", &[8080, 9]).await.unwrap();
    let mut s = pf.take_stream(8080).unwrap();
    // Two requests on one connection (keep-alive), the second closing it.
    s.write_all(
        b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    )
    .await
    .unwrap();
    let mut got = Vec::new();
    while !String::from_utf8_lossy(&got).contains("POST /two from pod web-1\n") {
        let mut buf = [0u8; 1024];
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "the stream ended early: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let got = String::from_utf8_lossy(&got);
    assert!(
        got.starts_with("HTTP/1.1 200 OK\r\n") && got.contains("GET /one from pod web-1\n"),
        "{got}"
    );
    let err = pf.take_error(9).unwrap().await.expect("an error on port 9's channel");
    assert!(
        err.contains("dial tcp4 127.0.0.1:9: connect: connection refused"),
        "{err}"
    );
    drop(s);
    pf.abort();

    // A pod not running: refused before the upgrade.
    let mut pending = web("pending");
    pending["status"]["phase"] = json!("Pending");
    c.store().create(res("Pod"), pending, Origin::Internal).unwrap();
    let err = pods.portforward("pending", &[8080]).await.err().unwrap().to_string();
    assert!(err.contains("pod is not running. Current status=Pending"), "{err}");

    // jane may read pods in logs but not forward their ports.
    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods/portforward".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let jpods: Api<Pod> = Api::namespaced(jane, "logs");
    assert!(jpods.get("web-1").await.is_ok());
    let err = jpods.portforward("web-1", &[8080]).await.err().unwrap().to_string();
    assert!(err.contains("403") || err.contains("forbidden"), "{err}");
    assert!(err.contains("pods/portforward"), "{err}");
    c.stop().await;
}
