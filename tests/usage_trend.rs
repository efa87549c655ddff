//! The usage chart's samples against the demo's metrics-server: node health and a pod's describe
//! get the samples kubedeck took of their node or pod, and keep asking while shown (the nodes'
//! one LIST, the pod's one GET), at most once per interval.

mod common;

use std::time::{Duration, Instant};

use common::eventually;
use sim::DemoCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_health_and_a_pods_describe_chart_their_samples_asking_once_per_interval() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "usage-trend", 200, 40).await;
    let interval = Duration::from_millis(500);
    h.set_metrics_interval(interval);

    common::typed(&mut h, ":no\r");
    eventually(30, "the nodes listed", || {
        h.frame().unwrap();
        std::future::ready(h.state.top().table.current().map(|_| ()))
    })
    .await;
    common::typed(&mut h, "H");
    eventually(30, "node health's chart", || {
        h.frame().unwrap();
        let charted = h.state.trend.as_ref().is_some_and(|t| !t.is_empty()) && h.screen().contains("CPU now");
        std::future::ready(charted.then_some(()))
    })
    .await;
    let (before, start) = (c.faults().metrics_reads(), Instant::now());
    common::stay(&mut h, Duration::from_secs(2)).await;
    let asked = c.faults().metrics_reads() - before;
    let most = (start.elapsed().as_millis() / interval.as_millis()) as u64 + 1;
    assert!(
        asked >= 1 && asked <= most,
        "{asked} in {:?}, at most {most}",
        start.elapsed()
    );

    common::typed(&mut h, ":po shop\r");
    eventually(30, "the pods listed", || {
        h.frame().unwrap();
        std::future::ready(h.state.top().table.current().map(|_| ()))
    })
    .await;
    common::typed(&mut h, "d");
    eventually(30, "the pod's describe chart", || {
        h.frame().unwrap();
        let charted = h.state.trend.as_ref().is_some_and(|t| !t.is_empty()) && h.screen().contains("MEM now");
        std::future::ready(charted.then_some(()))
    })
    .await;
    // Back on a list without usage: no samples, no chart.
    common::typed(&mut h, ":svc\r");
    h.frame().unwrap();
    assert!(h.state.trend.is_none());
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
