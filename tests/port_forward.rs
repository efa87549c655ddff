//! Port-forwards end to end, through the headless loop with the real executor against the demo
//! cluster: `F` on a pod, the dialog, 100 concurrent HTTP requests through the forward and `:pf`
//! counting them; the pod deleted ends the forward with a message; a Service's forward moves to
//! another pod when its pod goes; a refusal (403) and a pod not running, in words.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use common::{running_pod, until};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams};
use kubedeck::app::Input;
use kubedeck::app::dialog::Dialog;
use kubedeck::app::nav::text_line;
use kubedeck::bench_support::Headless;
use serde_json::json;
use sim::{DemoCluster, Origin, res};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn cluster(name: &str) -> (DemoCluster, PathBuf) {
    let (c, kubeconfig) = common::cluster_and_kubeconfig(name).await;
    let client = c.client().await.unwrap();
    let nss: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client);
    let ns = serde_json::from_value(json!({"metadata": {"name": "logs"}})).unwrap();
    let _ = nss.create(&Default::default(), &ns).await;
    (c, kubeconfig)
}

/// A running pod of app `web` whose container listens on 8080 (named `http`).
fn web(name: &str) -> serde_json::Value {
    let mut p = running_pod(name, 0, 0);
    p["metadata"]["labels"] = json!({"app": "web"});
    p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": 8080, "protocol": "TCP"}]);
    p
}

fn key(h: &mut Headless, code: KeyCode) {
    h.step(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
}

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        key(h, if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) });
    }
}

/// Opens `kind`'s list in `logs`, waits for `name`'s row, presses `F`, waits for the dialog and
/// starts the forward of `ports` on a local port the system chooses.
async fn forward(h: &mut Headless, kind: &str, name: &str, ports: &str) {
    typed(h, &format!(":{kind} logs\r/^{name}$\r"));
    until(h, 20, "the row", |h| {
        h.state.top().table.current().is_some_and(|r| r.name == name)
    })
    .await;
    typed(h, "F");
    until(h, 20, "the port-forward dialog", |h| {
        matches!(h.state.dialog, Some(Dialog::PortForward(_)))
    })
    .await;
    if let Some(Dialog::PortForward(d)) = &mut h.state.dialog {
        d.ports = text_line(ports);
    }
    key(h, KeyCode::Enter);
}

/// The address the only forward listens on.
async fn bound(h: &mut Headless) -> SocketAddr {
    until(h, 20, "the forward listening", |h| {
        h.state.forwards.first().is_some_and(|f| f.bound.is_some())
    })
    .await;
    h.state.forwards[0].bound.unwrap()
}

/// One HTTP request on a connection of its own; the response whole.
async fn get(addr: SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 4096];
    // The responder closes its side after a `Connection: close` request: read up to the body's end.
    while !out.contains(&format!("GET {path} from pod ")) || !out.ends_with('\n') {
        let n = s.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_carries_100_concurrent_requests_pf_counts_them_and_the_pod_deleted_ends_it() {
    let (c, kubeconfig) = cluster("pf-pod").await;
    c.store().create(res("Pod"), web("web-1"), Origin::Internal).unwrap();
    let mut h = Headless::driven(&kubeconfig, None, 160, 30).await.unwrap();
    forward(&mut h, "po", "web-1", "0:8080").await;
    let addr = bound(&mut h).await;

    let mut set = tokio::task::JoinSet::new();
    for i in 0..100 {
        set.spawn(async move { (i, get(addr, &format!("/req/{i}")).await) });
    }
    let mut done = 0;
    while done < 100 {
        tokio::select! {
            r = set.join_next() => {
                let (i, out) = r.unwrap().unwrap();
                assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
                assert!(out.contains(&format!("GET /req/{i} from pod web-1\n")), "{out}");
                done += 1;
            }
            _ = h.pump(Duration::from_millis(20)) => {}
        }
    }
    until(&mut h, 20, "the counters of 100 closed connections", |h| {
        let s = h.state.forwards[0].stats;
        s.total == 100 && s.open == 0 && s.bytes_in > 100 * 100 && s.bytes_out > 100 * 40
    })
    .await;
    assert_eq!(h.state.forwards[0].stats.errors, 0);
    assert_eq!(h.state.forwards[0].pod.as_ref().map(|p| p.0.as_str()), Some("web-1"));
    typed(&mut h, ":pf\r");
    let screen = h.screen();
    assert!(
        screen.contains(&format!("{addr}")) && screen.contains("pod/logs/web-1:8080"),
        "{screen}"
    );
    assert!(screen.contains("0/100"), "connections open/total: {screen}");

    let pods: Api<Pod> = Api::namespaced(c.client().await.unwrap(), "logs");
    pods.delete("web-1", &DeleteParams::default()).await.unwrap();
    until(&mut h, 30, "the forward ended", |h| h.state.forwards.is_empty()).await;
    let said: Vec<&str> = h.state.messages.iter().map(|m| m.text.as_str()).collect();
    assert!(
        said.iter().any(|m| m.contains("ended: pod logs/web-1 is gone")),
        "{said:?}"
    );
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_forward_moves_to_another_pod_when_its_pod_goes() {
    let (c, kubeconfig) = cluster("pf-svc").await;
    for name in ["web-1", "web-2"] {
        c.store().create(res("Pod"), web(name), Origin::Internal).unwrap();
    }
    let svc = json!({"metadata": {"name": "web", "namespace": "logs"}, "spec": {"selector": {"app": "web"},
        "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}});
    c.store().create(res("Service"), svc, Origin::Internal).unwrap();
    let mut h = Headless::driven(&kubeconfig, None, 160, 30).await.unwrap();
    forward(&mut h, "svc", "web", "0:80").await;
    let addr = bound(&mut h).await;
    until(&mut h, 20, "the pod serving", |h| h.state.forwards[0].pod.is_some()).await;
    let (first, port) = h.state.forwards[0].pod.clone().unwrap();
    assert_eq!(
        port, 8080,
        "the named target port resolved through the pod's container ports"
    );
    assert!(get(addr, "/a").await.contains(&format!("from pod {first}\n")));

    let pods: Api<Pod> = Api::namespaced(c.client().await.unwrap(), "logs");
    pods.delete(&first, &DeleteParams::default()).await.unwrap();
    until(&mut h, 30, "the forward moved", |h| {
        h.state.forwards[0].pod.as_ref().is_some_and(|p| p.0 != first)
    })
    .await;
    let (second, _) = h.state.forwards[0].pod.clone().unwrap();
    let out = get(addr, "/b").await;
    assert!(out.contains(&format!("GET /b from pod {second}\n")), "{out}");
    let said: Vec<&str> = h.state.messages.iter().map(|m| m.text.as_str()).collect();
    assert!(
        said.iter().any(|m| m.contains(&format!("now served by pod {second}"))),
        "{said:?}"
    );
    c.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_forward_and_a_pod_not_running_end_in_words() {
    let (c, kubeconfig) = cluster("pf-refused").await;
    c.store().create(res("Pod"), web("web-1"), Origin::Internal).unwrap();
    let mut pending = web("pending");
    pending["status"]["phase"] = json!("Pending");
    c.store().create(res("Pod"), pending, Origin::Internal).unwrap();

    let mut h = Headless::driven(&kubeconfig, None, 160, 30).await.unwrap();
    forward(&mut h, "po", "pending", "0:8080").await;
    until(&mut h, 20, "the forward refused", |h| {
        h.state
            .messages
            .iter()
            .any(|m| m.error && m.text.contains("port-forward"))
    })
    .await;
    let last = &h.state.messages.back().unwrap().text;
    assert!(last.contains("pod is not running. Current status=Pending"), "{last}");
    assert!(h.state.forwards.is_empty());

    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods/portforward".into(),
        namespace: None,
    });
    let mut h = Headless::driven(&kubeconfig, Some(sim::RESTRICTED_CONTEXT), 160, 30)
        .await
        .unwrap();
    forward(&mut h, "po", "web-1", "0:8080").await;
    until(&mut h, 20, "the forward refused", |h| {
        h.state
            .messages
            .iter()
            .any(|m| m.error && m.text.contains("port-forward"))
    })
    .await;
    let last = &h.state.messages.back().unwrap().text;
    assert!(
        last.contains("forbidden") && last.contains("pods/portforward"),
        "{last}"
    );
    assert!(h.state.forwards.is_empty());
    c.stop().await;
}
