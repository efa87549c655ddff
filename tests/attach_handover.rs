//! Attach, the debug container and the node shell on a real pseudo-terminal, through the terminal
//! hand-over against the demo cluster: the main process's output and the echo of typed keys reach
//! the terminal, `ctrl-p ctrl-q` detaches and leaves the process running, the pod's deletion ends
//! an attach with words, a debug container is added, waited for and attached, a node shell's pod
//! is deleted after, and Pod Security's refusal is said. Each time the dashboard's raw mode is back.

mod common;
#[path = "common/handover.rs"]
mod handover;
#[path = "common/pty.rs"]
mod pty;

use std::time::Duration;

use common::{cluster_with_ns, running_pod};
use handover::{Screen, child_dir, start_child};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::ObjRef;
use kubedeck::exec::attach::{AttachSession, Prepare};
use kubedeck::exec::terminal::HandOver;
use pty::{Pty, read, wait_for};
use serde_json::json;
use sim::{Origin, res};

/// Not a test on its own: the program the next test runs under a pseudo-terminal.
#[test]
fn attach_child() {
    let Some(dir) = child_dir("KUBEDECK_ATTACH_CHILD") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (cluster, client) = cluster_with_ns("logs").await;
        let mut p = running_pod("talky", 0, 20);
        p["spec"]["containers"][0]["stdin"] = json!(true);
        p["spec"]["containers"][0]["tty"] = json!(true);
        cluster.store().create(res("Pod"), p, Origin::Internal).unwrap();
        let nss: Api<Namespace> = Api::all(client.clone());
        let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": "locked",
            "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}))
        .unwrap();
        nss.create(&PostParams::default(), &ns).await.unwrap();
        let mut screen = Screen::new();
        let tx = screen.tx.clone();
        let session = |ns: &str, pod: &str, container: &str, prepare: Prepare| {
            HandOver::new(AttachSession {
                client: client.clone(),
                pod: ObjRef::new(Kind::Pod, ns, pod),
                container: container.into(),
                prepare,
                inputs: tx.clone(),
                handle: tokio::runtime::Handle::current(),
            })
        };
        let debug = Prepare::Debug {
            target: "app".into(),
            image: "busybox:1.36".into(),
        };
        let node = || Prepare::Node {
            node: "worker-1".into(),
            image: "busybox:1.36".into(),
        };
        let steps = [
            ("first", session("logs", "talky", "app", Prepare::Nothing)),
            ("second", session("logs", "talky", "", debug)),
            ("third", session("logs", "", "debugger", node())),
            ("fourth", session("locked", "", "debugger", node())),
        ];
        for (name, s) in steps {
            screen.step(&dir, name, s).await;
        }
        let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
        let left = pods.list(&ListParams::default()).await.unwrap();
        let names: Vec<String> = left.items.iter().filter_map(|p| p.metadata.name.clone()).collect();
        std::fs::write(dir.join("pods"), names.join(",")).unwrap();
        // The pod is deleted under a running attach when the test says so.
        let (p2, delete_file) = (pods.clone(), dir.join("delete"));
        tokio::spawn(async move {
            while !delete_file.exists() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            p2.delete("talky", &DeleteParams::default()).await.unwrap();
        });
        let talky = session("logs", "talky", "app", Prepare::Nothing);
        screen.step(&dir, "fifth", talky).await;
        drop(screen);
        cluster.stop().await;
    });
}

#[test]
fn attach_detach_debug_and_node_shell_on_the_handed_over_terminal() {
    let Some((dir, mut pty)) = start_child("attach", "attach_child", "KUBEDECK_ATTACH_CHILD") else {
        return;
    };
    let attached = |pty: &Pty, n: usize| {
        wait_for(60, "an attach", || {
            (pty.output().matches("ctrl-p ctrl-q detaches").count() >= n).then_some(())
        })
    };
    // The log of the main process arrives, typed keys come back, ctrl-p ctrl-q detaches.
    attached(&pty, 1);
    wait_for(30, "the main process's output", || {
        pty.output().contains("\"level\":").then_some(())
    });
    pty.type_keys("hello\r");
    wait_for(30, "the echo", || pty.output().contains("hello\r\n").then_some(()));
    pty.type_keys("\u{10}\u{11}");
    let first = wait_for(30, "the detach", || read(&dir, "first"));
    assert_eq!(first, "notice: detached from talky/app: its process goes on / raw");
    // A debug container: added, waited for, attached.
    attached(&pty, 2);
    let out = pty.output();
    assert!(out.contains("Adding ephemeral container debugger-"), "{out}");
    assert!(out.contains("cannot be removed or restarted"), "{out}");
    pty.type_keys("\u{10}\u{11}");
    let second = wait_for(30, "the debug container's detach", || read(&dir, "second"));
    assert!(second.starts_with("notice: detached from talky/debugger-"), "{second}");
    // A node shell: its pod is deleted afterwards.
    attached(&pty, 3);
    assert!(pty.output().contains("Creating a debugging pod on node worker-1"));
    pty.type_keys("\u{10}\u{11}");
    let third = wait_for(30, "the node shell's end", || read(&dir, "third"));
    assert!(
        third.starts_with("notice: detached from node-debugger-worker-1-"),
        "{third}"
    );
    assert!(
        third.contains("; pod node-debugger-worker-1-") && third.contains(" deleted / raw"),
        "{third}"
    );
    let fourth = wait_for(30, "Pod Security's refusal", || read(&dir, "fourth"));
    assert!(
        fourth.starts_with("error: node shell failed: on node worker-1: ")
            && fourth.contains("pods \"node-debugger-worker-1-"),
        "{fourth}"
    );
    assert!(
        fourth.contains("violates PodSecurity \"restricted:latest\": host namespaces"),
        "{fourth}"
    );
    let pods = wait_for(30, "the pods left", || read(&dir, "pods"));
    assert!(!pods.contains("node-debugger"), "{pods}");
    assert!(pods.contains("talky"), "the detached process's pod runs on: {pods}");
    // The pod deleted under an attach ends it with words.
    attached(&pty, 4);
    std::fs::write(dir.join("delete"), "").unwrap();
    let fifth = wait_for(30, "the deleted pod's end", || read(&dir, "fifth"));
    assert!(
        fifth.starts_with("error: attach failed: pod talky ") && fifth.contains("deleted: the attach to app ended"),
        "{fifth}"
    );
    assert!(fifth.ends_with(" / raw"), "{fifth}");
}
