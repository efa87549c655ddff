//! `pods/attach` and `pods/ephemeralcontainers` of the demo cluster through kube-rs, as kubedeck's
//! attach, debug container and node shell use them: the log streamed and stdin echoed, the pod's
//! deletion ending the stream, an ephemeral container added then attached, a node pod created,
//! attached and deleted, and the refusals in the real server's words (RBAC, Pod Security, static
//! pods, changes to an existing ephemeral container).

mod common;

use std::time::Duration;

use common::{cluster_with_ns, eventually, running_pod};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, AttachParams, DeleteParams, Patch, PatchParams, PostParams};
use kubedeck::exec::debug;
use serde_json::json;
use sim::{Origin, res};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads `r` until `want` is in what came, failing after 20 s.
async fn read_until(r: &mut (impl tokio::io::AsyncRead + Unpin), got: &mut String, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 4096];
    while !got.contains(want) {
        let n = tokio::time::timeout_at(deadline, r.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("{want:?} never came; got {got:?}"))
            .unwrap();
        assert!(n > 0, "the stream ended before {want:?}; got {got:?}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[tokio::test]
async fn attach_streams_the_log_echoes_stdin_and_ends_when_the_pod_goes() {
    let (c, client) = cluster_with_ns("logs").await;
    let mut p = running_pod("talky", 0, 50);
    p["spec"]["containers"][0]["stdin"] = json!(true);
    p["spec"]["containers"][0]["tty"] = json!(true);
    c.store().create(res("Pod"), p, Origin::Internal).unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let ap = AttachParams::interactive_tty().container("app");
    let mut a = pods.attach("talky", &ap).await.unwrap();
    let status = a.take_status().unwrap();
    let (mut stdin, mut stdout) = (a.stdin().unwrap(), a.stdout().unwrap());
    let mut got = String::new();
    // The main process's output, as its log has it (a TTY ends lines with \r\n).
    read_until(&mut stdout, &mut got, "\"level\":").await;
    assert!(got.contains("\r\n"), "{got:?}");
    stdin.write_all(b"hello attach\r").await.unwrap();
    read_until(&mut stdout, &mut got, "hello attach\r\n").await;
    // Ending the connection (what a detach does) leaves the container running.
    drop((stdin, stdout, a));
    let again = pods.get("talky").await.unwrap();
    let running = again.status.unwrap().container_statuses.unwrap()[0]
        .state
        .clone()
        .unwrap()
        .running;
    assert!(running.is_some());
    drop(status);

    // The pod deleted under an attach ends the stream.
    let mut a = pods.attach("talky", &ap).await.unwrap();
    let status = a.take_status().unwrap();
    let mut out = a.stdout().unwrap();
    // Read on, so the client never waits on a full pipe (kube-rs leaves stdout open without a status).
    tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while out.read(&mut buf).await.is_ok_and(|n| n > 0) {}
    });
    c.store().remove(res("Pod"), "logs", "talky").unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), status)
        .await
        .expect("the attach ends when its pod goes");
    assert!(ended.is_none_or(|s| s.status.as_deref() != Some("Success")));
    c.stop().await;
}

#[tokio::test]
async fn attach_refusals_read_as_the_real_server_gives_them() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(res("Pod"), running_pod("web", 0, 1), Origin::Internal)
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let ap = AttachParams::default().container("nope");
    let err = pods.attach("web", &ap).await.err().unwrap().to_string();
    assert!(err.contains("400"), "{err}");
    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods/attach".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let jpods: Api<Pod> = Api::namespaced(jane, "logs");
    let err = jpods
        .attach("web", &AttachParams::default().container("app"))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("403"), "{err}");
    c.stop().await;
}

#[tokio::test]
async fn an_ephemeral_container_is_added_runs_and_is_attached_but_never_changed() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(res("Pod"), running_pod("web", 0, 1), Origin::Internal)
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let pod = pods.get("web").await.unwrap();
    let name = debug::debugger_name(&pod);
    debug::add_ephemeral(&pods, &pod, &name, "app", "busybox:1.36")
        .await
        .unwrap();
    let mut steps = Vec::new();
    let ran = debug::wait_running(&pods, "web", &name, Duration::from_secs(20), |s| {
        steps.push(s.to_string())
    })
    .await
    .unwrap();
    let spec = &ran.spec.unwrap().ephemeral_containers.unwrap()[0];
    assert_eq!(
        (spec.stdin, spec.tty, spec.target_container_name.as_deref()),
        (Some(true), Some(true), Some("app"))
    );
    assert!(steps.iter().any(|s| s.contains("ContainerCreating")), "{steps:?}");
    // Attached as kubectl debug -it does: busybox with stdin and a TTY runs a shell.
    let ap = AttachParams::interactive_tty().container(name.clone());
    let mut a = pods.attach("web", &ap).await.unwrap();
    let (mut stdin, mut stdout) = (a.stdin().unwrap(), a.stdout().unwrap());
    let mut got = String::new();
    read_until(&mut stdout, &mut got, "/ # ").await;
    stdin.write_all(b"hostname\r").await.unwrap();
    read_until(&mut stdout, &mut got, "hostname\r\nweb\r\n").await;
    drop((stdin, stdout, a));
    // An existing one may not be changed (nor removed), as the real server says.
    let change = json!({"spec": {"ephemeralContainers": [{"name": name, "image": "alpine:3"}]}});
    let err = pods
        .patch_subresource(
            "ephemeralcontainers",
            "web",
            &PatchParams::default(),
            &Patch::Strategic(change),
        )
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("may not be changed"), "{err}");
    // A static pod refuses them.
    let mut mirror = running_pod("etcd-x", 0, 1);
    mirror["metadata"]["annotations"]["kubernetes.io/config.mirror"] = json!("abc");
    c.store().create(res("Pod"), mirror, Origin::Internal).unwrap();
    let m = pods.get("etcd-x").await.unwrap();
    let err = debug::add_ephemeral(&pods, &m, "debugger-y", "app", "busybox:1.36")
        .await
        .unwrap_err();
    assert!(err.contains("static pods do not support ephemeral containers"), "{err}");
    c.stop().await;
}

#[tokio::test]
async fn a_node_pod_runs_on_its_node_is_attached_and_pod_security_refuses_it_in_words() {
    let (c, client) = cluster_with_ns("logs").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let name = debug::create_node_pod(&pods, "worker-1", "busybox:1.36").await.unwrap();
    assert!(name.starts_with("node-debugger-worker-1-"), "{name}");
    let ran = debug::wait_running(&pods, &name, "debugger", Duration::from_secs(30), |_| {})
        .await
        .unwrap();
    let spec = ran.spec.unwrap();
    assert_eq!(spec.node_name.as_deref(), Some("worker-1"));
    assert_eq!((spec.host_pid, spec.host_network), (Some(true), Some(true)));
    let ap = AttachParams::interactive_tty().container("debugger");
    let mut a = pods.attach(&name, &ap).await.unwrap();
    let (mut stdin, mut stdout) = (a.stdin().unwrap(), a.stdout().unwrap());
    let mut got = String::new();
    read_until(&mut stdout, &mut got, "/ # ").await;
    stdin.write_all(b"echo on the node\r").await.unwrap();
    read_until(&mut stdout, &mut got, "echo on the node\r\non the node\r\n").await;
    drop((stdin, stdout, a));
    pods.delete(&name, &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    eventually(20, "the node pod is gone", || async {
        pods.get_opt(&name).await.unwrap().is_none().then_some(())
    })
    .await;

    // A namespace enforcing baseline refuses the host namespaces and the host path.
    let nss: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "locked",
        "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}))
    .unwrap();
    nss.create(&PostParams::default(), &ns).await.unwrap();
    let locked: Api<Pod> = Api::namespaced(client.clone(), "locked");
    let err = debug::create_node_pod(&locked, "worker-1", "busybox:1.36")
        .await
        .unwrap_err();
    assert!(
        err.contains("is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), hostPath volumes (volume \"host-root\")"),
        "{err}"
    );
    c.stop().await;
}

#[tokio::test]
async fn a_node_pod_held_at_exit_is_deleted_by_the_clean_up() {
    use kubedeck::exec::leftovers;
    let (c, client) = cluster_with_ns("logs").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let name = debug::create_node_pod(&pods, "worker-1", "busybox:1.36").await.unwrap();
    let hold = leftovers::hold(&client, "logs", &name);
    assert_eq!(leftovers::held(), [format!("logs/{name}")]);
    // What SIGHUP/SIGTERM does before exiting.
    leftovers::clean_up(Duration::from_secs(5)).await;
    eventually(20, "the held pod is gone", || async {
        pods.get_opt(&name).await.unwrap().is_none().then_some(())
    })
    .await;
    assert!(leftovers::held().is_empty());
    drop(hold);
    // A hold dropped (the session deleted the pod itself) is forgotten.
    drop(leftovers::hold(&client, "logs", "other"));
    assert!(leftovers::held().is_empty());
    c.stop().await;
}
