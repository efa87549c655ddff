//! `pods/exec` of the demo cluster through kube-rs's WebSocket client, as kubedeck and kubectl
//! speak it: output, exit codes, stdin, resize, a missing shell, a pod not running, RBAC.

mod common;

use common::{cluster_with_ns, running_pod};
use futures::SinkExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, TerminalSize};
use serde_json::json;
use sim::{Origin, res};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn pod_with(name: &str, image: &str) -> serde_json::Value {
    let mut p = running_pod(name, 0, 1);
    p["spec"]["containers"][0]["image"] = json!(image);
    p["spec"]["containers"][0]["env"] = json!([{"name": "MODE", "value": "demo"}]);
    p
}

async fn read_all(r: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut s = String::new();
    if let Some(mut r) = r {
        r.read_to_string(&mut s).await.unwrap();
    }
    s
}

#[tokio::test]
async fn exec_runs_commands_with_their_output_stdin_exit_code_and_resize() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(
            res("Pod"),
            pod_with("deb", "docker.io/library/nginx:1.27"),
            Origin::Internal,
        )
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");

    // A one-shot command: its stdout, stderr and exit code.
    let ap = AttachParams::default().container("app").stderr(true);
    let mut p = pods
        .exec("deb", ["sh", "-c", "echo hello; env; cat /nope; exit 3"], &ap)
        .await
        .unwrap();
    let status = p.take_status().unwrap();
    let (out, err) = (read_all(p.stdout()).await, read_all(p.stderr()).await);
    let status = status.await.unwrap();
    assert!(out.starts_with("hello\n") && out.contains("MODE=demo\n"), "{out}");
    assert_eq!(err, "cat: /nope: No such file or directory\n");
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let causes = status.details.unwrap().causes.unwrap();
    assert_eq!(
        (causes[0].reason.as_deref(), causes[0].message.as_deref()),
        (Some("ExitCode"), Some("3"))
    );

    // An interactive shell on a TTY: input echoed, a resize seen by the shell, `exit` ends it.
    let ap = AttachParams::interactive_tty().container("app");
    let mut p = pods.exec("deb", ["bash"], &ap).await.unwrap();
    let status = p.take_status().unwrap();
    let mut size = p.terminal_size().unwrap();
    size.send(TerminalSize { width: 132, height: 43 }).await.unwrap();
    let mut stdin = p.stdin().unwrap();
    let mut stdout = p.stdout().unwrap();
    stdin.write_all(b"hostname\r").await.unwrap();
    let mut out = Vec::new();
    // The resize and stdin travel on separate channels: ask until the shell has seen the size.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !String::from_utf8_lossy(&out).contains("\r\n43 132\r\n") {
        assert!(
            std::time::Instant::now() < deadline,
            "the shell never saw the resize: {out:?}"
        );
        stdin.write_all(b"stty size\r").await.unwrap();
        let mut buf = [0u8; 4096];
        let n = stdout.read(&mut buf).await.unwrap();
        out.extend_from_slice(&buf[..n]);
    }
    stdin.write_all(b"exit 0\r").await.unwrap();
    let out = String::from_utf8_lossy(&out).into_owned() + &read_all(Some(stdout)).await;
    assert!(out.starts_with("root@deb:/# hostname\r\ndeb\r\n"), "{out:?}");
    assert_eq!(status.await.unwrap().status.as_deref(), Some("Success"));

    // Without a TTY: stdin closing (v5's close signal) ends the shell like EOF.
    let ap = AttachParams::default().container("app").stdin(true);
    let mut p = pods.exec("deb", ["sh"], &ap).await.unwrap();
    let status = p.take_status().unwrap();
    let mut stdin = p.stdin().unwrap();
    let stdout = p.stdout();
    stdin.write_all(b"echo piped\n").await.unwrap();
    // A dropped writer leaves kube-rs's pipe open: shutdown is the EOF.
    stdin.shutdown().await.unwrap();
    assert_eq!(read_all(stdout).await, "piped\n");
    assert_eq!(status.await.unwrap().status.as_deref(), Some("Success"));
    c.stop().await;
}

#[tokio::test]
async fn exec_refusals_read_as_the_real_server_gives_them() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(
            res("Pod"),
            pod_with("dl", "registry.k8s.io/kube-apiserver:v1.33.4"),
            Origin::Internal,
        )
        .unwrap();
    c.store()
        .create(
            res("Pod"),
            pod_with("bb", "docker.io/library/busybox:1.37"),
            Origin::Internal,
        )
        .unwrap();
    // The simulated kubelet keeps a pod whose image cannot be pulled waiting.
    let mut waiting = pod_with("crash", "registry.example.com/shop/recs:does-not-exist");
    waiting["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "ErrImagePull"}});
    c.store().create(res("Pod"), waiting, Origin::Internal).unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let ap = AttachParams::interactive_tty().container("app");

    // No shell in the image: the runtime's words on the error channel.
    for (pod, exe) in [("dl", "sh"), ("bb", "bash")] {
        let mut p = pods.exec(pod, [exe], &ap).await.unwrap();
        let status = p.take_status().unwrap().await.unwrap();
        let msg = status.message.unwrap_or_default();
        assert!(
            msg.contains(&format!("exec: \"{exe}\": executable file not found in $PATH")),
            "{msg}"
        );
    }

    // A container not running: 400 before the upgrade.
    let err = pods.exec("crash", ["sh"], &ap).await.err().unwrap().to_string();
    assert!(err.contains("400") || err.contains("container not found"), "{err}");

    // jane may not exec in logs (pods/exec only: she still reads pods).
    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods/exec".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let jpods: Api<Pod> = Api::namespaced(jane, "logs");
    assert!(jpods.get("bb").await.is_ok());
    let err = jpods.exec("bb", ["sh"], &ap).await.err().unwrap().to_string();
    assert!(err.contains("403"), "{err}");
    c.stop().await;
}

#[tokio::test]
async fn a_server_restart_ends_a_running_exec() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(
            res("Pod"),
            pod_with("deb", "docker.io/library/nginx:1.27"),
            Origin::Internal,
        )
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let ap = AttachParams::interactive_tty().container("app");
    let mut p = pods.exec("deb", ["bash"], &ap).await.unwrap();
    let status = p.take_status().unwrap();
    let mut stdout = p.stdout().unwrap();
    let mut buf = [0u8; 64];
    assert!(stdout.read(&mut buf).await.unwrap() > 0, "the prompt");
    c.faults().restart(std::time::Duration::from_millis(100));
    // kube-rs ends the status channel (not stdout, which it shuts only on a clean end).
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), status).await;
    assert_eq!(status.expect("the session ends when the connection drops"), None);
    c.stop().await;
}
