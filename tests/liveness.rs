//! A misbehaving API server, seen through the cache, the liveness probe and the header: a frozen
//! server is noticed within 15 s, a restarted one is live again within 5 s of answering, and a
//! namespace-only user costs the server little and sees a steady header.
//!
//! The figures print with `--nocapture`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PostParams};
use kubedeck::app::counts::Tally;
use kubedeck::app::state::Connection;
use kubedeck::app::{Input, State, update};
use kubedeck::cluster::client::{ConnectOptions, connect};
use kubedeck::cluster::liveness::{self, ContactState};
use kubedeck::cluster::watch::WatchStatus;
use kubedeck::cluster::{Kind, Scope};
use kubedeck::store::Store;
use kubedeck::store::cache::Cache;
use sim::{ADMIN_CONTEXT, DemoCluster, RESTRICTED_CONTEXT};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What the dashboard runs against a cluster: a cache with its liveness probe and the store over
/// it, and a screen state.
struct Dashboard {
    cache: Arc<Cache>,
    store: Store,
    state: State,
    stop: CancellationToken,
}

impl Dashboard {
    async fn connect(cluster: &DemoCluster, context: &str) -> Dashboard {
        let opts = ConnectOptions {
            inline: Some(cluster.kubeconfig()),
            context: Some(context.into()),
            ..Default::default()
        };
        let conn = connect(&opts).await.expect("connect");
        // The receiving end is dropped: the loop here polls rather than waits for notices.
        let (tx, _) = mpsc::channel(64);
        let cache = Arc::new(Cache::new(conn.client.clone(), tx, Duration::from_secs(600)));
        let stop = CancellationToken::new();
        tokio::spawn(liveness::probe(
            conn.client.clone(),
            cache.contact().clone(),
            stop.clone(),
        ));
        let mut state = State::new(
            Some(conn.namespace.clone()),
            true,
            kubedeck::config::keymap::default_keymap(),
        );
        update(
            &mut state,
            Input::Connected {
                context: conn.context,
                namespace: conn.namespace,
                url: conn.url,
            },
        );
        Dashboard {
            store: Store::new(cache.clone()),
            cache,
            state,
            stop,
        }
    }

    /// One turn of the event loop's frame code: the pod list in view, the connection, the counts.
    fn frame(&mut self) -> Option<WatchStatus> {
        let scope = Scope::Namespace(self.state.namespace.clone().unwrap());
        self.cache.ensure(Kind::Pod, scope.clone());
        self.store.feed_header(&mut self.state);
        self.cache.status(Kind::Pod, &scope)
    }

    fn pod_rows(&self) -> Vec<String> {
        let scope = Scope::Namespace(self.state.namespace.clone().unwrap());
        let rows = self.cache.rows(Kind::Pod, &scope).unwrap_or_default();
        rows.iter().map(|r| r.name.to_string()).collect()
    }

    async fn live(&mut self, secs: u64) {
        common::eventually(secs, "the pod list live and the server answering", || {
            let status = self.frame();
            let up = self.cache.contact().state() == ContactState::Up;
            std::future::ready((status == Some(WatchStatus::Ready) && up).then_some(()))
        })
        .await;
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.stop.cancel();
        self.cache.shutdown();
    }
}

#[tokio::test]
async fn a_frozen_server_is_seen_within_15s_in_the_header_and_the_view() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let mut d = Dashboard::connect(&cluster, ADMIN_CONTEXT).await;
    d.live(20).await;
    assert_eq!(d.state.connection, Connection::Connected);
    // A watch with nothing to hear, which a short loss must leave open (no list again).
    let quiet = Scope::Namespace("quiet".into());
    d.cache.ensure(Kind::Service, quiet.clone());
    common::eventually(20, "the quiet watch synced", || {
        std::future::ready((d.cache.status(Kind::Service, &quiet) == Some(WatchStatus::Ready)).then_some(()))
    })
    .await;
    let quiet_path = "/api/v1/namespaces/quiet/services";
    let asked = cluster.faults().requests_to(quiet_path);

    cluster.faults().freeze();
    let frozen = Instant::now();
    common::eventually(30, "the pod list stale and the header out of contact", || {
        let status = d.frame();
        let stale = matches!(status, Some(WatchStatus::Stale { .. }));
        let header = matches!(d.state.connection, Connection::Lost { .. });
        std::future::ready((stale && header).then_some(()))
    })
    .await;
    let seen = frozen.elapsed();
    eprintln!("FIGURE frozen server seen after {seen:.1?}");
    assert!(seen <= Duration::from_secs(15), "loss seen only after {seen:?}");
    let Some(WatchStatus::Stale { error, .. }) = d.frame() else {
        unreachable!()
    };
    assert!(error.contains("API server not answering"), "{error}");

    cluster.faults().thaw();
    d.live(10).await;
    assert_eq!(d.state.connection, Connection::Connected);
    // The loss was shorter than a dead connection takes to show (HALF_OPEN_AFTER): the quiet watch
    // goes on where it was. Its restart would have come at the return of contact, before `live`.
    common::stay_with(Duration::from_secs(2), || {
        d.frame();
    })
    .await;
    assert_eq!(
        cluster.faults().requests_to(quiet_path),
        asked,
        "the quiet watch started over after a {:?} loss",
        d.cache.contact().last_loss()
    );
    assert!(asked >= 1, "the quiet watch was never asked for");
    assert_eq!(d.cache.status(Kind::Service, &quiet), Some(WatchStatus::Ready));
}

#[tokio::test]
async fn a_watch_retrying_into_a_silent_server_is_never_shown_live() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let mut d = Dashboard::connect(&cluster, ADMIN_CONTEXT).await;
    d.live(20).await;
    // Every connection cut and refused for a second, then the server comes back silent: the
    // watch's retry hangs rather than fails, which is no sign that it is live again.
    cluster.faults().restart(Duration::from_secs(1));
    cluster.faults().freeze();
    common::eventually(10, "the watch failed", || {
        let failed = !matches!(d.frame(), Some(WatchStatus::Ready));
        std::future::ready(failed.then_some(()))
    })
    .await;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let status = d.frame();
        assert!(
            !matches!(status, Some(WatchStatus::Ready)),
            "shown live {:?} into the freeze",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(matches!(d.state.connection, Connection::Lost { .. }));
    cluster.faults().thaw();
    d.live(15).await;
}

#[tokio::test]
async fn after_a_restart_the_view_is_live_within_5s_of_the_server_answering() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let mut d = Dashboard::connect(&cluster, ADMIN_CONTEXT).await;
    d.live(20).await;

    // Long enough for the watches' back-off to grow past what recovery may take.
    let down = Duration::from_secs(20);
    cluster.faults().restart(down);
    let restarted = Instant::now();
    common::eventually(10, "the header out of contact", || {
        d.frame();
        let lost = matches!(d.state.connection, Connection::Lost { .. });
        std::future::ready(lost.then_some(()))
    })
    .await;
    eprintln!("FIGURE refused server seen after {:.1?}", restarted.elapsed());

    // The server is ready when it answers the administrator again.
    let admin = cluster.client().await.unwrap();
    let ready = common::eventually(40, "the server back", || {
        let admin = admin.clone();
        async move { admin.apiserver_version().await.ok().map(|_| Instant::now()) }
    })
    .await;
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "after-restart", "namespace": "shop"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}
    }))
    .unwrap();
    Api::<Pod>::namespaced(admin, "shop")
        .create(&PostParams::default(), &pod)
        .await
        .unwrap();
    common::eventually(30, "the new pod listed and the view live", || {
        let status = d.frame();
        let listed = d.pod_rows().iter().any(|n| n == "after-restart");
        let live = status == Some(WatchStatus::Ready) && d.state.connection == Connection::Connected;
        std::future::ready((listed && live).then_some(()))
    })
    .await;
    let recovery = ready.elapsed();
    eprintln!("FIGURE live again {recovery:.1?} after the server answered");
    assert!(recovery <= Duration::from_secs(5), "live only after {recovery:?}");
}

#[tokio::test]
async fn a_namespace_only_user_costs_watches_only_and_sees_a_steady_header() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    cluster.faults().confine("jane", "shop");
    let mut d = Dashboard::connect(&cluster, RESTRICTED_CONTEXT).await;
    let steady = |d: &Dashboard| {
        let c = &d.state.counts;
        c.nodes == Tally::Forbidden
            && matches!(c.pods, Tally::Of { .. })
            && matches!(c.warnings, Tally::Count(_))
            && c.namespace.as_deref() == Some("shop")
    };
    common::eventually(
        20,
        "the header counting pods and warnings in shop, nodes not permitted",
        || {
            d.frame();
            std::future::ready(steady(&d).then_some(()))
        },
    )
    .await;

    // An idle window on the pods screen: count what reaches the server and every header change.
    let window = Duration::from_secs(30);
    let before = cluster.faults().requests("jane");
    let start = Instant::now();
    let mut shown = vec![header_text(&d.state)];
    while start.elapsed() < window {
        d.frame();
        assert!(steady(&d), "the header left its fallback: {:?}", d.state.counts);
        let text = header_text(&d.state);
        if shown.last() != Some(&text) {
            shown.push(text);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let requests = cluster.faults().requests("jane") - before;
    let per_minute = requests as f64 * 60.0 / window.as_secs_f64();
    eprintln!(
        "FIGURE restricted user: {requests} requests in {window:?} ({per_minute:.0}/min); header forms {shown:?}"
    );
    // The probe's 6 GETs a minute and, at most, a watch re-established: no LIST, no 403 again.
    assert!(per_minute <= 8.0, "{requests} requests in {window:?}");
    assert_eq!(shown.len(), 1, "the header's form changed: {shown:?}");
}

/// What the header's counts look like, without the numbers (pods come and go in the scenario).
fn header_text(state: &State) -> String {
    let form = |t: &Tally| match t {
        Tally::Of { .. } | Tally::Count(_) => "#".to_string(),
        other => other.text(),
    };
    let c = &state.counts;
    format!(
        "nodes {} pods {} ({:?}) warnings {}",
        form(&c.nodes),
        form(&c.pods),
        c.namespace,
        form(&c.warnings)
    )
}
