//! Xray against the demo cluster, through the headless loop with the real executor: `T` on the
//! `web` Deployment shows its ReplicaSet, pods, containers, Service and ConfigMap with their states
//! from the cache's watches; `T` on one of its pods climbs to the Deployment; `esc` returns.

mod common;

use std::time::{Duration, Instant};

use common::cluster_and_kubeconfig as cluster;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubedeck::app::Input;
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::Kind;

/// Take the executor's answers (and feed the view on show) until `check` holds on the screen.
async fn until(h: &mut Headless, secs: u64, what: &str, check: impl Fn(&Headless, &str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        h.frame().unwrap();
        let screen = h.screen();
        if check(h, &screen) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {secs}s waiting for: {what}\n{screen}"
        );
        h.pump(Duration::from_millis(50)).await.unwrap();
    }
}

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\r' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        h.step(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

fn line<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xray_of_the_web_deployment_and_of_one_of_its_pods() {
    let (_c, kubeconfig) = cluster("xray").await;
    let mut h = Headless::driven(&kubeconfig, None, 140, 50).await.unwrap();
    until(&mut h, 30, "discovery", |h, _| h.state.discovery.registry.is_some()).await;

    typed(&mut h, ":deploy shop\r");
    until(&mut h, 30, "the shop deployments", |h, _| {
        h.state.top().table.rows.iter().any(|r| r.name == "web")
    })
    .await;
    typed(&mut h, "/^web$\r");
    until(&mut h, 10, "web alone", |h, _| h.visible() == 1).await;
    typed(&mut h, "T");
    assert!(matches!(h.state.top().kind, ViewKind::Xray(_)));
    until(&mut h, 30, "the web deployment's tree", |_, s| {
        line(s, "Deployment web").is_some_and(|l| l.contains("Available 3/3"))
            && line(s, "Pod web-").is_some_and(|l| l.contains("Running 1/1"))
            && line(s, "container web").is_some_and(|l| l.contains("Running, ready"))
            && line(s, "Service web").is_some()
            && line(s, "ConfigMap web-nginx").is_some()
            && line(s, "Node ").is_some()
    })
    .await;
    let screen = h.screen();
    assert!(
        line(&screen, "ReplicaSet web-").is_some_and(|l| l.contains("ready 3/3")),
        "{screen}"
    );
    assert_eq!(screen.matches("Pod web-").count(), 3, "{screen}");
    // The xray reads the kinds it needs through the cache's shared watches.
    let running = h.cache().running();
    for kind in [Kind::Deployment, Kind::ReplicaSet, Kind::Service, Kind::Node, Kind::Pod] {
        assert!(
            running.iter().any(|(k, _)| *k == kind),
            "{kind:?} not watched: {running:?}"
        );
    }

    // Frames without a change in the watches it reads draw the tree as built, without building it
    // again: a mark left in it stays (a frame after a real change may build it anew).
    for _ in 0..20 {
        let ViewKind::Xray(x) = &mut h.state.top_mut().kind else {
            panic!("not an xray")
        };
        x.tree.nodes[0].state.0 = "mark".into();
        let built = x.built;
        h.frame().unwrap();
        let ViewKind::Xray(x) = &h.state.top().kind else {
            panic!("not an xray")
        };
        if x.built == built {
            assert_eq!(x.tree.nodes[0].state.0, "mark", "built again with nothing changed");
        }
    }

    // Esc returns to the list, the cursor where it was.
    typed(&mut h, "\x1b");
    assert_eq!(h.state.top().kind, ViewKind::Resource(Kind::Deployment));
    assert_eq!(h.state.top().table.current().map(|r| r.name.as_str()), Some("web"));

    // A pod's xray climbs to the Deployment, the cursor on the pod.
    typed(&mut h, ":pods shop\r/^web-\r");
    until(&mut h, 30, "the web pods", |h, _| h.visible() == 3).await;
    let pod = h.state.top().table.current().unwrap().name.clone();
    typed(&mut h, "T");
    until(&mut h, 30, "the pod's owners", |_, s| {
        s.lines().any(|l| l.contains("▾ Deployment web (shop)")) && line(s, &format!("Pod {pod}")).is_some()
    })
    .await;
    let ViewKind::Xray(x) = &h.state.top().kind else {
        panic!("not an xray")
    };
    let at = x.current().unwrap();
    assert_eq!((at.what, at.name.as_str()), ("Pod", pod.as_str()));
    // Enter opens the pod's table with the cursor on it.
    typed(&mut h, "\r");
    until(&mut h, 30, "the pods list with the cursor on the pod", |h, _| {
        h.state.top().kind == ViewKind::Resource(Kind::Pod)
            && h.state.top().seeking.is_none()
            && h.state.top().table.current().is_some_and(|r| r.name == pod)
    })
    .await;
    h.shutdown();
    let _ = std::fs::remove_dir_all(kubeconfig.parent().unwrap());
}
