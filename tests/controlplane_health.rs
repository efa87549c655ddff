//! The control-plane report gathered from the demo cluster, healthy and with faults switched on.

mod common;

use common::{eventually, fast_opts};
use kubedeck::cluster::health::{Panel, fetch::fetch};
use sim::{DemoCluster, SimOptions};

#[tokio::test]
async fn a_healthy_demo_cluster_reports_every_panel() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    c.faults().set_metrics_unavailable(true);
    let client = c.client().await.unwrap();
    let r = fetch(&client).await;
    let Panel::Ok((version, platform)) = &r.api.version else {
        panic!("{:?}", r.api.version)
    };
    assert!(version.starts_with("v1.33"), "{version}");
    assert_eq!(platform, "linux/amd64");
    assert!(r.api.rtt_ms.is_some());
    let ready = r.api.readyz.ok().expect("readyz");
    assert!(ready.len() > 20 && ready.iter().all(|c| c.passed), "{ready:?}");
    assert!(ready.iter().any(|c| c.name == "etcd-readiness"));
    assert!(r.api.livez.ok().unwrap().iter().all(|c| c.passed));
    let instances = r.api.instances.ok().unwrap();
    assert_eq!(instances.len(), 1);
    assert!(instances[0].name.starts_with("apiserver-"));
    let leaders = r.leaders.ok().unwrap();
    assert_eq!(leaders.len(), 3);
    assert!(leaders[0].present && !leaders[0].stale(r.taken), "{leaders:?}");
    assert!(!leaders[2].present, "no cloud-controller-manager off-cloud");
    let pods = r.pods.ok().unwrap();
    let comps: Vec<&str> = pods.iter().map(|p| p.component.as_str()).collect();
    assert_eq!(
        comps,
        ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    );
    // metrics-server's service gone (the fault), and the webhook without its service.
    let apis = r.apis.ok().unwrap();
    assert_eq!(apis.len(), 1);
    assert_eq!(apis[0].name, "v1beta1.metrics.k8s.io");
    assert_eq!(apis[0].reason, "MissingEndpoints");
    let hooks = r.webhooks.ok().unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        (
            hooks[0].config.as_str(),
            hooks[0].service.as_str(),
            hooks[0].why.as_str()
        ),
        ("policy-guard", "policy/guard", "no ready endpoints")
    );
    assert!(r.events.ok().is_some());
    c.stop().await;
}

#[tokio::test]
async fn the_demo_starts_with_its_control_plane_running() {
    // Realistic speed, as `kubedeck --demo` runs it: booting the static pods takes seconds there.
    let c = DemoCluster::start(SimOptions::default()).await.unwrap();
    let client = c.client().await.unwrap();
    let r = fetch(&client).await;
    let pods = r.pods.ok().expect("control-plane pods");
    assert!(pods.len() == 4 && pods.iter().all(|p| p.healthy()), "{pods:?}");
    // Only the scenario's lasting problem, from the first screen on: metrics-server is up.
    assert_eq!(
        r.alerts(r.taken),
        ["webhook validate.policy-guard.example.com blocks writes (no ready endpoints)"],
    );
    c.stop().await;
}

#[tokio::test]
async fn a_failing_check_and_a_stale_leader_show_up_and_heal() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let client = c.client().await.unwrap();
    c.faults().set_failing_check(Some("etcd"));
    c.faults().set_stale_leader(true);
    let r = fetch(&client).await;
    let failed: Vec<_> = r
        .api
        .readyz
        .ok()
        .unwrap()
        .iter()
        .filter(|c| !c.passed)
        .cloned()
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "etcd");
    assert_eq!(failed[0].note.as_deref(), Some("reason withheld"));
    assert!(r.api.livez.ok().unwrap().iter().any(|c| !c.passed));
    let r = eventually(20, "the scheduler lease goes stale", || {
        let client = client.clone();
        async move {
            let r = fetch(&client).await;
            let now = jiff::Timestamp::now().as_second();
            let l = r.leaders.ok()?.clone();
            (l[0].stale(now) && !l[1].stale(now)).then_some(r)
        }
    })
    .await;
    let now = jiff::Timestamp::now().as_second();
    let alerts = r.alerts(now);
    assert!(alerts.iter().any(|a| a == "readyz check etcd failed"), "{alerts:?}");
    assert!(
        alerts.iter().any(|a| a.contains("no kube-scheduler leader")),
        "{alerts:?}"
    );
    let before = r.leaders.ok().unwrap()[0].transitions.unwrap_or(0);

    c.faults().set_failing_check(None);
    c.faults().set_stale_leader(false);
    let r = eventually(20, "a new scheduler leader takes over", || {
        let client = client.clone();
        async move {
            let r = fetch(&client).await;
            let l = &r.leaders.ok()?[0];
            (l.transitions.unwrap_or(0) > before).then_some(r)
        }
    })
    .await;
    assert!(r.api.readyz.ok().unwrap().iter().all(|c| c.passed));
    c.stop().await;
}

#[tokio::test]
async fn a_refused_panel_says_so_and_the_others_still_work() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    c.faults().deny(sim::Deny {
        user: "admin".into(),
        plural: "leases".into(),
        namespace: None,
    });
    c.faults().deny(sim::Deny {
        user: "admin".into(),
        plural: "apiservices".into(),
        namespace: None,
    });
    let client = c.client().await.unwrap();
    let r = fetch(&client).await;
    assert!(
        matches!(&r.leaders, Panel::Forbidden(m) if m.contains("leases")),
        "{:?}",
        r.leaders
    );
    assert!(matches!(&r.api.instances, Panel::Forbidden(_)));
    assert!(matches!(&r.apis, Panel::Forbidden(m) if m.contains("apiservices")));
    assert!(r.pods.ok().is_some_and(|p| p.len() == 4));
    assert!(r.api.readyz.ok().is_some());
    c.stop().await;
}

#[tokio::test]
async fn throttled_requests_are_counted_even_when_retried() {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let conn = kubedeck::cluster::client::connect(&kubedeck::cluster::client::ConnectOptions {
        kubeconfig: None,
        context: None,
        inline: Some(c.kubeconfig()),
    })
    .await
    .unwrap();
    let before = kubedeck::cluster::counters::throttled_total();
    c.faults().throttle_next(2);
    // kube retries 429s by itself: the request succeeds, and both refusals are counted.
    let v = conn.client.apiserver_version().await.unwrap();
    assert!(v.git_version.starts_with("v1.33"));
    assert_eq!(c.faults().throttled_total(), 2);
    assert!(kubedeck::cluster::counters::throttled_total() >= before + 2);
    c.stop().await;
}
