//! Node health and the control-plane screen end to end: fetched from the demo cluster, drawn into
//! a TestBackend, with faults switched on.

mod common;

use common::{eventually, fast_opts};
use kubedeck::app::state::{State, View, ViewKind};
use kubedeck::app::{Input, update};
use kubedeck::cluster::health::Panel;
use kubedeck::cluster::nodehealth::{self, Usage};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sim::DemoCluster;

fn draw(state: &State) -> String {
    let mut term = Terminal::new(TestBackend::new(160, 70)).unwrap();
    let now = jiff::Timestamp::now().as_second();
    term.draw(|f| kubedeck::ui::draw(f, state, now)).unwrap();
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

fn connected(kind: ViewKind) -> State {
    let mut s = State::new(None, false, kubedeck::config::keymap::default_keymap());
    s.stack = vec![View::new(kind)];
    update(
        &mut s,
        Input::Connected {
            context: "demo".into(),
            namespace: "shop".into(),
            url: "https://x".into(),
        },
    );
    s
}

#[tokio::test]
async fn the_not_ready_worker_and_a_healthy_one() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let client = c.client().await.unwrap();
    let nodes: Vec<String> = c
        .store()
        .list(sim::res("Node"), None)
        .0
        .iter()
        .map(|n| n.name.clone())
        .collect();
    let last = nodes.iter().filter(|n| n.starts_with("worker-")).max().unwrap().clone();
    // The metrics GET goes through the client that does not retry, as the app's.
    let config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &Default::default())
        .await
        .unwrap();
    let metrics = kubedeck::cluster::client::no_retry_client(config).unwrap();
    let down = nodehealth::fetch(&client, &metrics, &last).await;
    assert!(down.error.is_none(), "{:?}", down.error);
    assert_eq!(down.conditions[0].kind, "Ready");
    assert_eq!(down.conditions[0].status, "Unknown");
    assert!(!down.conditions[0].healthy());
    let now = jiff::Timestamp::now().as_second();
    let lease = down.lease.ok().unwrap().clone().expect("node lease");
    assert!(lease.stale(now), "a down node's lease is not renewed: {lease:?}");
    assert!(
        down.taints
            .iter()
            .any(|t| t == "node.kubernetes.io/unreachable:NoExecute")
    );
    assert_eq!(down.pod_capacity, Some(110));
    assert!(
        matches!(down.usage, Usage::Usage { cpu, memory } if cpu > 0 && memory > 0),
        "the demo serves metrics: {:?}",
        down.usage
    );
    c.faults().set_metrics_unavailable(true);
    assert_eq!(
        nodehealth::fetch(&client, &metrics, &last).await.usage,
        Usage::NotAvailable,
        "the metrics API is registered but its service is gone"
    );
    c.faults().set_metrics_unavailable(false);
    assert!(down.kubelet.starts_with("v1.33"));

    let up = eventually(20, "worker-1's pods are scheduled", || {
        let client = client.clone();
        async move {
            let h = nodehealth::fetch(&client, &client, "worker-1").await;
            h.load.ok().is_some_and(|l| l.pods > 0).then_some(h)
        }
    })
    .await;
    assert!(up.conditions.iter().all(|c| c.healthy()), "{:?}", up.conditions);
    assert!(!up.lease.ok().unwrap().as_ref().unwrap().stale(now));
    let load = up.load.ok().unwrap();
    assert_eq!(load.cpu.allocatable, 4000, "4 cores in milli-cores");
    assert!(load.cpu.requests > 0 && load.memory.requests > 0);

    let missing = nodehealth::fetch(&client, &client, "no-such-node").await;
    assert!(missing.error.unwrap().contains("NotFound"));
    c.stop().await;
}

#[tokio::test]
async fn the_screen_goes_from_degraded_to_healthy_as_faults_clear() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let client = c.client().await.unwrap();
    c.faults().set_failing_check(Some("etcd"));
    c.faults().set_stale_leader(true);
    c.faults().set_metrics_unavailable(true);
    let report = eventually(20, "the scheduler lease goes stale", || {
        let client = client.clone();
        async move {
            let r = kubedeck::cluster::health::fetch::fetch(&client).await;
            let now = jiff::Timestamp::now().as_second();
            r.leaders.ok()?[0].stale(now).then_some(r)
        }
    })
    .await;
    let mut s = connected(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(report)));
    let out = draw(&s);
    assert!(out.contains(" PROBLEMS"), "{out}");
    assert!(out.contains("✖ readyz check etcd failed"));
    assert!(out.contains("✖ livez check etcd failed"));
    assert!(out.contains("✖ no kube-scheduler leader"));
    assert!(out.contains("✖ STALE  kube-scheduler"));
    assert!(out.contains("✖ UNAVAILABLE  v1beta1.metrics.k8s.io"));
    assert!(out.contains("✖ BLOCKING  validating policy-guard/validate.policy-guard.example.com"));

    c.faults().set_failing_check(None);
    c.faults().set_stale_leader(false);
    let report = eventually(20, "the leader is back", || {
        let client = client.clone();
        async move {
            let r = kubedeck::cluster::health::fetch::fetch(&client).await;
            let now = jiff::Timestamp::now().as_second();
            (!r.leaders.ok()?[0].stale(now)).then_some(r)
        }
    })
    .await;
    update(&mut s, Input::ControlPlane(Box::new(report)));
    let out = draw(&s);
    // The missing metrics API (still faulted) and the guard webhook stay.
    assert!(out.contains("✖ APIService v1beta1.metrics.k8s.io unavailable"), "{out}");
    assert!(!out.contains("etcd failed") && !out.contains("STALE") && !out.contains("no kube-scheduler leader"));
    assert!(out.contains("✔ ok     kube-scheduler"));
    c.stop().await;
}

#[tokio::test]
async fn jane_sees_not_permitted_panels_beside_working_ones() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    for plural in ["leases", "validatingwebhookconfigurations"] {
        c.faults().deny(sim::Deny {
            user: "jane".into(),
            plural: plural.into(),
            namespace: None,
        });
    }
    let client = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    // Pods the kubelet brings up take their time: wait for the condition, never on start-up luck.
    let report = eventually(20, "the control-plane pods are ready", || {
        let client = client.clone();
        async move {
            let r = kubedeck::cluster::health::fetch::fetch(&client).await;
            r.pods.ok()?.iter().all(|p| p.healthy()).then_some(r)
        }
    })
    .await;
    assert!(matches!(report.webhooks, Panel::Forbidden(_)));
    let mut s = connected(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(report)));
    let out = draw(&s);
    assert!(
        out.contains("! not permitted: leases.coordination.k8s.io is forbidden: User \"jane\""),
        "{out}"
    );
    assert!(out.contains("✔ ready  etcd"), "{out}");
    assert!(out.contains("readyz    ✔ all"));
    c.stop().await;
}

#[tokio::test]
async fn jane_who_may_read_no_control_plane_object_gets_no_green_verdict() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let resources = [
        "leases",
        "pods",
        "apiservices",
        "validatingwebhookconfigurations",
        "mutatingwebhookconfigurations",
        "events",
    ];
    for plural in resources {
        c.faults().deny(sim::Deny {
            user: "jane".into(),
            plural: plural.into(),
            namespace: None,
        });
    }
    let client = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let report = kubedeck::cluster::health::fetch::fetch(&client).await;
    // /version, /readyz and /livez stay open to everyone (system:public-info-viewer); the rest is refused.
    let unchecked = report.unchecked();
    assert_eq!((unchecked.forbidden, unchecked.total), (6, 9), "{report:#?}");
    let mut s = connected(ViewKind::ControlPlane { scroll: 0 });
    update(&mut s, Input::ControlPlane(Box::new(report)));
    let out = draw(&s);
    assert!(!out.contains("CONTROL PLANE OK"), "{out}");
    assert!(out.contains("? 6 of 9 checks not permitted"), "{out}");
    c.stop().await;
}
