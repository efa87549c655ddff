//! The store against the demo cluster, through the headless loop (update → store → draw): service
//! rows arrive with ENDPOINTS joined from EndpointSlices, whose watch the enricher starts by itself,
//! and a pod's containers view is fed container rows; the header counts Warning events from a watch
//! the server filters to Warnings, never from a watch of every Event.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};
use kubedeck::app::Input;
use kubedeck::app::counts::Tally;
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::{Kind, Scope};
use kubedeck::store::header::WARNINGS;
use sim::DemoCluster;

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.input(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn services_arrive_with_their_endpoints_and_a_pod_with_its_containers() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "store", 200, 40).await;

    typed(&mut h, ":svc\r");
    let [(title, _, cell)] = kubedeck::store::enrichers::columns(Kind::Service)[..] else {
        panic!("services have one enriched column");
    };
    assert_eq!(title, "ENDPOINTS");
    let endpoints = common::eventually(30, "a service with ready/total endpoints", || {
        h.frame().unwrap();
        let found = h.state.top().table.rows.iter().find_map(|r| {
            let text = r.cells.get(cell)?;
            let (ready, total) = text.split_once('/')?;
            let total: usize = total.parse().ok()?;
            (ready.parse::<usize>().is_ok() && total > 0).then(|| (r.name.to_string(), text.to_string()))
        });
        std::future::ready(found)
    })
    .await;
    let (name, text) = endpoints;
    assert!(h.screen().contains("ENDPOINTS"), "{}", h.screen());
    let line = h.screen().lines().find(|l| l.contains(&name)).unwrap().to_string();
    assert!(line.contains(&text), "{line}");

    typed(&mut h, ":po\r");
    common::eventually(30, "pods listed", || {
        h.frame().unwrap();
        std::future::ready((!h.state.top().table.rows.is_empty()).then_some(()))
    })
    .await;
    typed(&mut h, "\r");
    assert!(matches!(h.state.top().kind, ViewKind::Containers { .. }));
    common::eventually(30, "the pod's container rows", || {
        h.frame().unwrap();
        let rows = &h.state.top().table.rows;
        let is_container = |r: &&std::sync::Arc<kubedeck::cluster::rows::Row>| {
            ["init", "sidecar", "main", "ephemeral"].contains(&r.cells[0].as_str())
        };
        std::future::ready((!rows.is_empty() && rows.iter().all(|r| is_container(&r))).then_some(()))
    })
    .await;
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_counts_warnings_from_a_watch_the_server_filters_to_warnings() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "warnings", 200, 40).await;
    let events: Api<Event> = Api::all(h.client());
    // The demo's crash loops and image pull failures leave Warnings among many Normal events; the
    // header's watch must hold exactly the Warnings the server lists.
    common::eventually(30, "the header's watch holding the server's Warning events", || {
        h.frame().unwrap();
        let held = h.cache().rows_selected(Kind::Event, &Scope::All, WARNINGS);
        let counted = matches!(h.state.counts.warnings, Tally::Count(n) if n > 0);
        let events = events.clone();
        async move {
            let held = held?;
            let listed = events.list(&ListParams::default().fields("type=Warning")).await.ok()?;
            let all = events.list(&ListParams::default()).await.ok()?;
            (counted
                && held.iter().all(|r| r.warn)
                && held.len() == listed.items.len()
                && listed.items.len() < all.items.len())
            .then_some(())
        }
    })
    .await;
    assert!(
        h.cache().status(Kind::Event, &Scope::All).is_none(),
        "no watch of every Event for the header"
    );
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespaced_pods_screen_is_served_from_the_headers_all_namespaces_watch() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "one-watch", 200, 40).await;
    // The header keeps a watch of every pod; once it is synced, a namespace's pods come from it.
    header_pods_synced(&mut h).await;
    typed(&mut h, ":po payments\r");
    let rows = common::eventually(30, "the payments pods on screen", || {
        h.frame().unwrap();
        let rows: Vec<(String, String)> = h
            .state
            .top()
            .table
            .rows
            .iter()
            .map(|r| (r.namespace.to_string(), r.name.to_string()))
            .collect();
        std::future::ready((!rows.is_empty()).then_some(rows))
    })
    .await;
    assert!(rows.iter().all(|(ns, _)| ns == "payments"), "{rows:?}");
    // The server's side: no LIST or watch of the namespace's pods ever reached it.
    let faults = c.faults();
    assert!(faults.requests_to("/api/v1/pods") >= 1, "the header watches every pod");
    assert_eq!(
        faults.requests_to("/api/v1/namespaces/payments/pods"),
        0,
        "the namespaced screen is served from the all-namespaces watch"
    );
    let pod_watches: Vec<Scope> = h
        .cache()
        .running()
        .into_iter()
        .filter(|(k, _)| *k == Kind::Pod)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(pod_watches, [Scope::All], "no second watch of the same pods");
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_row_with_usage_cells_is_held_once_by_the_cache_and_the_view() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "held-once", 200, 40).await;

    typed(&mut h, ":po\r");
    let (_, _, cpu) = kubedeck::store::enrichers::columns(Kind::Pod)
        .into_iter()
        .find(|(title, _, _)| *title == "CPU")
        .expect("pods have a CPU column");
    // Each shown row with a usage cell must be the very row the cache holds, not a copy of it (its
    // usage is read from the sample, not written into a copy); a pod the watch changed after the
    // frame waits for the next.
    let shared = common::eventually(30, "usage rows shared with the cache", || {
        h.frame().unwrap();
        let (kind, scope) = h.state.wanted().unwrap();
        let held = h.cache().rows(kind, &scope).unwrap_or_default();
        let table = &h.state.top().table;
        let shown: Vec<_> = table
            .rows
            .iter()
            .filter(|r| !table.cell(r, cpu).is_empty())
            .cloned()
            .collect();
        let same = shown.iter().all(|r| held.iter().any(|c| std::sync::Arc::ptr_eq(c, r)));
        std::future::ready((!shown.is_empty() && same).then_some(shown.len()))
    })
    .await;
    assert!(shared > 0);
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The keys a table shows of `rows`, computed afresh with the view's filter, constraints and sort.
/// Wait for the header's watch of every pod to be synced.
async fn header_pods_synced(h: &mut Headless) {
    common::eventually(30, "the header's all-namespaces pod watch synced", || {
        h.frame().unwrap();
        let ready = h.cache().status(Kind::Pod, &Scope::All) == Some(kubedeck::cluster::watch::WatchStatus::Ready);
        std::future::ready(ready.then_some(()))
    })
    .await;
}

fn afresh(h: &Headless, rows: Vec<std::sync::Arc<kubedeck::cluster::rows::Row>>) -> Vec<String> {
    let view = h.state.top();
    let mut t = kubedeck::app::table::Table::default();
    t.replace_rows(rows);
    t.refresh(&view.filter, &view.fixed, view.sort);
    t.visible.iter().map(|&i| t.rows[i].key.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_namespaced_pods_screen_fed_what_changed_shows_what_a_full_feed_shows() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "feed-changes", 200, 40).await;
    header_pods_synced(&mut h).await;
    // Served from the all-namespaces watch: what changed is kept to the namespace.
    typed(&mut h, ":po payments\r");
    let scope = Scope::Namespace("payments".into());
    common::eventually(30, "the payments pods on screen", || {
        h.frame().unwrap();
        std::future::ready((!h.state.top().table.rows.is_empty()).then_some(()))
    })
    .await;
    assert!(
        h.state.top().table.fed().is_some(),
        "the view knows which rows it holds"
    );
    let pods: Api<Pod> = Api::namespaced(h.client(), "payments");
    let others: Api<Pod> = Api::namespaced(h.client(), "default");
    let pod = |name: &str| -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }))
        .unwrap()
    };
    let pp = PostParams::default();
    for name in ["feed-a", "feed-b", "feed-c"] {
        pods.create(&pp, &pod(name)).await.unwrap();
    }
    others.create(&pp, &pod("feed-elsewhere")).await.unwrap();
    let label = serde_json::json!({"metadata": {"labels": {"fed": "yes"}}});
    pods.patch("feed-a", &PatchParams::default(), &Patch::Merge(&label))
        .await
        .unwrap();
    pods.delete("feed-b", &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    common::eventually(30, "the view as a full feed of the cache's rows shows it", || {
        h.frame().unwrap();
        let held = h.cache().rows(Kind::Pod, &scope).unwrap_or_default();
        let view = &h.state.top().table;
        let shown: Vec<String> = view.visible.iter().map(|&i| view.rows[i].key.clone()).collect();
        let names: Vec<&str> = view.rows.iter().map(|r| r.name.as_str()).collect();
        let labelled = view
            .rows
            .iter()
            .any(|r| r.name == "feed-a" && r.label("fed") == Some("yes"));
        let done = labelled
            && names.contains(&"feed-c")
            && !names.contains(&"feed-b")
            && !names.contains(&"feed-elsewhere")
            && shown == afresh(&h, held);
        std::future::ready(done.then_some(()))
    })
    .await;
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
