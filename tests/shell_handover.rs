//! A shell in a demo-cluster container on a real pseudo-terminal, through the terminal hand-over:
//! the prompt and output reach the terminal, typed keys reach the shell, `exit 4` comes back as a
//! notice with the code, a container without a shell as an error, the container chosen (in the dashboard's picker) taken, and each time the dashboard's
//! raw mode and reader come back.

mod common;
#[path = "common/handover.rs"]
mod handover;
#[path = "common/pty.rs"]
mod pty;

use std::time::Duration;

use common::{cluster_with_ns, running_pod};
use handover::{Screen, child_dir, start_child};
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::ObjRef;
use kubedeck::exec::shell::ShellSession;
use kubedeck::exec::terminal::HandOver;
use pty::{key, read, wait_for};
use serde_json::json;
use sim::{Origin, res};

/// Not a test on its own: the program the next test runs under a pseudo-terminal.
#[test]
fn shell_child() {
    let Some(dir) = child_dir("KUBEDECK_SHELL_CHILD") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (cluster, client) = cluster_with_ns("logs").await;
        for (name, image) in [
            ("deb", "docker.io/library/nginx:1.27"),
            ("dl", "registry.k8s.io/etcd:3.5.21-0"),
        ] {
            let mut p = running_pod(name, 0, 1);
            p["spec"]["containers"][0]["image"] = json!(image);
            cluster.store().create(res("Pod"), p, Origin::Internal).unwrap();
        }
        // Two containers and no default-container annotation: the dashboard's picker chose one.
        let mut two = running_pod("two", 0, 1);
        two["spec"]["containers"] = json!([{"name": "side", "image": "busybox:1.37"}, {"name": "app", "image": "nginx:1.27"}]);
        let side = json!({"name": "side", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": common::ago(30)}}});
        two["status"]["containerStatuses"].as_array_mut().unwrap().insert(0, side);
        cluster.store().create(res("Pod"), two, Origin::Internal).unwrap();
        let mut waiting = running_pod("crash", 0, 1);
        waiting["spec"]["containers"][0]["image"] = json!("registry.example.com/shop/recs:does-not-exist");
        waiting["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "ErrImagePull"}});
        cluster.store().create(res("Pod"), waiting, Origin::Internal).unwrap();
        cluster.faults().deny(sim::Deny { user: "jane".into(), plural: "pods/exec".into(), namespace: None });
        let jane = cluster.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
        let mut screen = Screen::new();
        let tx = screen.tx.clone();
        let shell_in = |client: &kube::Client, pod: &str, container: Option<&str>| {
            HandOver::new(ShellSession {
                client: client.clone(),
                pod: ObjRef::new(Kind::Pod, "logs", pod),
                container: container.map(String::from),
                inputs: tx.clone(),
                handle: tokio::runtime::Handle::current(),
            })
        };
        let shell_as = |client: &kube::Client, pod: &str| shell_in(client, pod, None);
        let shell = |pod: &str| shell_as(&client, pod);
        let steps = [
            ("first", shell("deb")),
            ("second", shell("dl")),
            ("third", shell_in(&client, "two", Some("app"))),
            ("fourth", shell("crash")),
            ("fifth", shell_as(&jane, "deb")),
        ];
        for (name, session) in steps {
            screen.step(&dir, name, session).await;
        }
        // The connection drops under a running shell (the server restarts when told to).
        let (faults, drop_file) = (cluster.faults().clone(), dir.join("drop"));
        tokio::spawn(async move {
            while !drop_file.exists() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            faults.restart(Duration::from_millis(300));
        });
        screen.step(&dir, "sixth", shell("deb")).await;
        let got = key(&mut screen.events).await;
        std::fs::write(dir.join("key"), got.to_string()).unwrap();
        drop(screen);
        cluster.stop().await;
    });
}

#[test]
fn a_shell_runs_on_the_handed_over_terminal_and_gives_it_back() {
    let Some((dir, mut pty)) = start_child("shell", "shell_child", "KUBEDECK_SHELL_CHILD") else {
        return;
    };
    wait_for(60, "the shell's prompt", || {
        pty.output().contains("root@deb:/# ").then_some(())
    });
    pty.type_keys("hostname\r");
    wait_for(30, "the command's output", || {
        pty.output().contains("hostname\r\ndeb\r\n").then_some(())
    });
    pty.type_keys("exit 4\r");
    let first = wait_for(30, "the first shell's end", || read(&dir, "first"));
    assert_eq!(first, "notice: shell in deb/app exited with code 4 / raw");
    let second = wait_for(30, "the second shell's end", || read(&dir, "second"));
    assert!(
        second.starts_with("error: shell failed: container app of pod dl has no shell"),
        "{second}"
    );
    assert!(second.ends_with(" / raw"), "{second}");
    wait_for(30, "the chosen container's shell", || {
        pty.output().contains("root@two:/# ").then_some(())
    });
    pty.type_keys("exit\r");
    let third = wait_for(30, "the third shell's end", || read(&dir, "third"));
    assert_eq!(third, "notice: shell in two/app exited with code 0 / raw");
    let fourth = wait_for(30, "the waiting pod's refusal", || read(&dir, "fourth"));
    assert_eq!(
        fourth,
        "error: shell failed: container app of pod crash is not running (ErrImagePull) / raw"
    );
    let fifth = wait_for(30, "RBAC's refusal", || read(&dir, "fifth"));
    assert_eq!(
        fifth,
        "error: shell failed: not allowed to exec in pod deb: RBAC refuses create on pods/exec / raw"
    );
    wait_for(30, "a second shell in deb", || {
        (pty.output().matches("root@deb:/# ").count() >= 3).then_some(())
    });
    std::fs::write(dir.join("drop"), "").unwrap();
    let sixth = wait_for(30, "the dropped shell's end", || read(&dir, "sixth"));
    assert!(
        sixth.starts_with("error: shell failed: the connection to the shell in deb/app ended"),
        "{sixth}"
    );
    assert!(sixth.ends_with(" / raw"), "{sixth}");
    pty.type_keys("z");
    assert_eq!(wait_for(30, "the key after", || read(&dir, "key")), "z");
}
