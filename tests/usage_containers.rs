//! The containers view's usage against the demo's metrics-server: each container's CPU and MEM as
//! the PodMetrics lists them and its percentages of its own requests and limits; no request while
//! the pods table's sample is fresh, then one GET of that pod's PodMetrics per interval.

mod common;

use std::time::{Duration, Instant};

use common::{ago, eventually};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind};
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use kubedeck::store::usage::containers_of;
use serde_json::json;
use sim::{DemoCluster, Origin, res};

/// A running pod with a container that requests and limits, and one that asks for nothing.
fn duo() -> serde_json::Value {
    let running = |name: &str| json!({"name": name, "ready": true, "restartCount": 0, "state": {"running": {"startedAt": ago(60)}}});
    json!({
        "metadata": {"name": "duo", "namespace": "shop"},
        "spec": {"nodeName": "worker-1", "containers": [
            {"name": "app", "image": "shop/api:1.0", "resources": {
                "requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}},
            {"name": "side", "image": "shop/agent:1.0"}]},
        "status": {"phase": "Running", "containerStatuses": [running("app"), running("side")]}
    })
}

/// The cells of container `name` from the CPU column on.
fn usage_cells(h: &Headless, name: &str) -> Option<Vec<String>> {
    let row = h.state.top().table.rows.iter().find(|r| r.name == name)?.clone();
    Some(row.cells[7..].iter().map(ToString::to_string).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_show_their_own_usage_from_the_pods_sample_then_one_get_per_interval() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    c.store().create(res("Pod"), duo(), Origin::Internal).unwrap();
    let dir = std::env::temp_dir().join(format!("kubedeck-usage-containers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    c.write_kubeconfig(&kubeconfig).unwrap();
    let mut h = Headless::connect(&kubeconfig, 200, 40).await.unwrap();
    // A long interval: the pods table's sample stays fresh while the containers are opened.
    h.set_metrics_interval(Duration::from_secs(120));
    common::typed(&mut h, ":po shop\r");
    common::typed(&mut h, "/duo\r");
    let cpu = kubedeck::store::enrichers::columns(kubedeck::cluster::Kind::Pod)[0].2;
    eventually(30, "the pod duo with its CPU", || {
        h.frame().unwrap();
        let table = &h.state.top().table;
        let row = table.current();
        std::future::ready(
            row.filter(|r| r.name == "duo" && !table.cell(r, cpu).is_empty())
                .map(|_| ()),
        )
    })
    .await;
    let before = c.faults().metrics_reads();
    common::typed(&mut h, "\r");
    assert!(matches!(h.state.top().kind, ViewKind::Containers { .. }));
    let cells = eventually(30, "the containers' usage", || {
        h.frame().unwrap();
        std::future::ready(usage_cells(&h, "app").filter(|c| !c[0].is_empty()))
    })
    .await;
    assert_eq!(
        c.faults().metrics_reads(),
        before,
        "the pods LIST's sample serves the containers"
    );
    // app requests 50m and 64Mi and limits 128Mi of memory, no CPU: %CPU/L empty.
    assert!(
        !cells[2].is_empty() && cells[3].is_empty() && !cells[4].is_empty() && !cells[5].is_empty(),
        "{cells:?}"
    );
    let side = usage_cells(&h, "side").unwrap();
    assert!(
        !side[0].is_empty() && side[2..].iter().all(String::is_empty),
        "{side:?}"
    );
    // CPU and MEM after RESTARTS; the percentages in wide mode.
    let screen = h.screen();
    let header = screen.lines().find(|l| l.contains("RESTARTS")).unwrap();
    assert!(
        header.contains("RESTARTS  CPU") && header.contains("MEM") && !header.contains("%CPU/R"),
        "{screen}"
    );
    common::typed(&mut h, "w");
    let screen = h.screen();
    assert!(screen.contains("%CPU/R") && screen.contains("%MEM/L"), "{screen}");

    // The sample stale: one GET of duo's PodMetrics, whose containers the rows then show.
    let interval = Duration::from_millis(500);
    h.set_metrics_interval(interval);
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics"),
        "pods",
    );
    let metrics: Api<DynamicObject> = Api::namespaced_with(h.client(), "shop", &ar);
    eventually(30, "the containers' CPU and MEM equal to duo's PodMetrics", || {
        h.frame().unwrap();
        let (app, side) = (usage_cells(&h, "app"), usage_cells(&h, "side"));
        let metrics = metrics.clone();
        async move {
            let m = metrics.get("duo").await.ok()?;
            let want = containers_of(&m.data);
            let all = [("app", app?), ("side", side?)].into_iter().all(|(name, cells)| {
                let u = want.iter().find(|(n, _)| n == name).map(|(_, u)| *u);
                u.is_some_and(|u| cells[0] == format!("{}m", u.cpu) && cells[1] == format!("{}Mi", u.mem >> 20))
            });
            all.then_some(())
        }
    })
    .await;
    let (before, start) = (c.faults().metrics_reads(), Instant::now());
    let until = start + Duration::from_secs(2);
    while Instant::now() < until {
        h.frame().unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = c.faults().metrics_reads() - before;
    let most = (start.elapsed().as_millis() / interval.as_millis()) as u64 + 1;
    assert!(
        asked >= 1 && asked <= most,
        "{asked} GETs in {:?}, at most {most}",
        start.elapsed()
    );
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
