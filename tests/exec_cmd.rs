//! `:exec CMD` against the demo cluster: the command runs without a TTY in the pod under the
//! cursor, its stdout, stderr and exit code fill a document that searches like describe, and each
//! way it cannot run (no such executable, container not running, RBAC, pod gone) reads in words.

mod common;

use common::{cluster_with_ns, running_pod, until};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::Input;
use kubedeck::app::state::ViewKind;
use kubedeck::app::text::Body;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::ObjRef;
use kubedeck::exec::run_cmd::run;
use serde_json::json;
use sim::{Origin, res};

fn pod_with(name: &str, image: &str) -> serde_json::Value {
    let mut p = running_pod(name, 0, 1);
    p["spec"]["containers"][0]["image"] = json!(image);
    p
}

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.step(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_shows_the_commands_output_and_exit_code_in_a_searchable_document() {
    let (c, _) = cluster_with_ns("logs").await;
    c.store()
        .create(
            res("Pod"),
            pod_with("deb", "docker.io/library/nginx:1.27"),
            Origin::Internal,
        )
        .unwrap();
    let dir = std::env::temp_dir().join(format!("kubedeck-exec-cmd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    c.write_kubeconfig(&kubeconfig).unwrap();
    let mut h = Headless::driven(&kubeconfig, None, 160, 30).await.unwrap();
    typed(&mut h, ":po logs\r");
    until(&mut h, 30, "the pod deb listed", |h| {
        h.state.top().table.current().is_some_and(|r| r.name == "deb")
    })
    .await;
    typed(&mut h, ":exec sh -c 'echo hello; cat /nope; exit 3'\r");
    until(&mut h, 30, "the output", |h| h.screen().contains("exit code 3")).await;
    let screen = h.screen();
    assert!(
        screen.contains("exec logs/deb: sh -c echo hello; cat /nope; exit 3"),
        "{screen}"
    );
    let ViewKind::Doc(doc) = &h.state.top().kind else {
        panic!("{screen}")
    };
    assert_eq!(
        doc.body,
        Body::Output(vec![
            "hello".into(),
            "── stderr ──".into(),
            "cat: /nope: No such file or directory".into(),
            "".into(),
            "exit code 3".into()
        ])
    );
    typed(&mut h, "/nope\r");
    let ViewKind::Doc(doc) = &h.state.top().kind else {
        panic!()
    };
    assert_eq!(doc.matches.len(), 1, "the stderr line");
    // esc returns to the pods, where the cursor was.
    h.step(Input::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
        .unwrap();
    h.step(Input::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)))
        .unwrap();
    assert_eq!(h.state.top().kind, ViewKind::Resource(Kind::Pod));
    h.shutdown();
    c.stop().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn exec_says_why_a_command_cannot_run() {
    let (c, client) = cluster_with_ns("logs").await;
    for (name, image) in [
        ("deb", "docker.io/library/nginx:1.27"),
        ("dl", "registry.k8s.io/kube-apiserver:v1.33.4"),
    ] {
        c.store()
            .create(res("Pod"), pod_with(name, image), Origin::Internal)
            .unwrap();
    }
    let mut waiting = pod_with("crash", "registry.example.com/shop/recs:does-not-exist");
    waiting["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "ErrImagePull"}});
    c.store().create(res("Pod"), waiting, Origin::Internal).unwrap();
    let pod = |n: &str| ObjRef::new(Kind::Pod, "logs", n);
    let cmd = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let ok = run(client.clone(), pod("deb"), None, cmd(&["echo", "hi"]))
        .await
        .unwrap();
    assert_eq!(ok, ["hi", "", "exit code 0"]);
    // A shell's unknown command is output with the shell's exit code.
    let sh = run(client.clone(), pod("deb"), None, cmd(&["sh", "-c", "frobnicate"]))
        .await
        .unwrap();
    assert_eq!(sh.last().unwrap(), "exit code 127 (command not found)", "{sh:?}");
    // An executable the image does not have: the runtime refuses it.
    let err = run(client.clone(), pod("deb"), None, cmd(&["frobnicate"]))
        .await
        .unwrap_err();
    assert!(
        err.starts_with("command not found: \"frobnicate\" is not in the image of container app"),
        "{err}"
    );
    let err = run(client.clone(), pod("dl"), None, cmd(&["ls"])).await.unwrap_err();
    assert!(err.contains("command not found"), "{err}");
    let err = run(client.clone(), pod("crash"), None, cmd(&["ls"])).await.unwrap_err();
    assert_eq!(err, "container app of pod crash is not running (ErrImagePull)");
    let err = run(client.clone(), pod("gone"), None, cmd(&["ls"])).await.unwrap_err();
    assert!(err.starts_with("pod gone: ") && err.contains("not found"), "{err}");

    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods/exec".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let err = run(jane, pod("deb"), None, cmd(&["ls"])).await.unwrap_err();
    assert_eq!(err, "not allowed to exec in pod deb: RBAC refuses create on pods/exec");
    c.stop().await;
}
