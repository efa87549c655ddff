//! What an idle pods screen costs the API server once synced: no LIST of anything, no request to
//! a resource but its open watches; the liveness probe's GET of `/version` every 10 s and one LIST
//! of the PodMetrics per metrics interval, each within its budget.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use kubedeck::cluster::watch::WatchStatus;
use sim::DemoCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_pods_screen_lists_nothing_and_keeps_the_probe_and_metrics_in_their_budgets() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "idle-requests", 200, 45).await;
    let interval = Duration::from_secs(3);
    h.set_metrics_interval(interval);
    // The probe the program runs beside its watches.
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(kubedeck::cluster::liveness::probe(
        h.client(),
        h.cache().contact().clone(),
        stop.clone(),
    ));
    common::eventually(30, "the pods table synced and a metrics sample taken", || {
        h.frame().unwrap();
        let ready = h.table().1 == Some(WatchStatus::Ready) && h.table().0 > 0;
        std::future::ready((ready && c.faults().metrics_reads() > 0).then_some(()))
    })
    .await;

    let verbs = c.faults().verbs();
    // The counting itself: the pods were watched (streamed first sync), not listed.
    assert!(
        verbs.get(&("watch", "pods".to_string())).is_some_and(|n| *n >= 1),
        "{verbs:?}"
    );
    let contact = h.cache().contact().clone();
    let (probes, metrics, seen, start) = (
        c.faults().requests_to("/version"),
        c.faults().metrics_reads(),
        contact.generation(),
        Instant::now(),
    );
    common::stay(&mut h, Duration::from_secs(12)).await;
    let window = start.elapsed();
    let mut since: HashMap<(&str, String), u64> = c.faults().verbs();
    for (key, n) in &verbs {
        if let Some(now) = since.get_mut(key) {
            *now -= n;
        }
    }
    since.retain(|_, n| *n > 0);
    let probes = c.faults().requests_to("/version") - probes;
    let metrics = c.faults().metrics_reads() - metrics;
    eprintln!("FIGURE idle pods screen, {window:?}: {since:?}, {probes} probes, {metrics} metrics LISTs");
    // Watches are left open; one re-established (a server's timeout) would be counted once.
    let other: Vec<_> = since.iter().filter(|((verb, _), _)| *verb != "watch").collect();
    assert!(other.is_empty(), "requests other than watches while idle: {other:?}");
    assert!(
        since.values().all(|n| *n <= 1),
        "a watch started again and again: {since:?}"
    );
    let budget = |every: Duration| (window.as_millis() / every.as_millis()) as u64 + 1;
    // A machine too loaded to answer `/version` within 4 s makes the probe ask every 2–3 s until
    // it does: its budget then.
    let every = match contact.generation() == seen {
        true => kubedeck::cluster::liveness::PERIOD,
        false => Duration::from_secs(2),
    };
    let most = budget(every);
    assert!(
        (1..=most).contains(&probes),
        "{probes} probes in {window:?}, at most {most}"
    );
    let most = budget(interval);
    assert!(
        (1..=most).contains(&metrics),
        "{metrics} metrics LISTs in {window:?}, at most {most}"
    );
    stop.cancel();
    h.shutdown();
    drop(c);
    std::fs::remove_dir_all(&dir).unwrap();
}
