//! An unreachable API server costs little: the watches back off instead of retrying several times a
//! second, and the log gets a line per change of state, not one per retry. One test in this binary:
//! it reads process-wide tallies and installs the process's logger.

mod common;

use std::time::{Duration, Instant};

use kubedeck::cluster::client::{ConnectOptions, connect};
use kubedeck::cluster::watch::WatchStatus;
use kubedeck::cluster::{Kind, Scope, counters, liveness};
use kubedeck::store::cache::Cache;
use sim::DemoCluster;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn while_the_server_is_down_watches_back_off_and_the_log_stays_short() {
    let dir = std::env::temp_dir().join(format!("kubedeck-unreachable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("kubedeck.log");
    kubedeck::logging::init(Some(&log)).expect("logging to a file");

    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let opts = ConnectOptions {
        inline: Some(cluster.kubeconfig()),
        ..Default::default()
    };
    let conn = connect(&opts).await.unwrap();
    let (tx, _rx) = tokio::sync::mpsc::channel(64);
    let cache = Cache::new(conn.client.clone(), tx, Duration::from_secs(600));
    let stop = CancellationToken::new();
    tokio::spawn(liveness::probe(
        conn.client.clone(),
        cache.contact().clone(),
        stop.clone(),
    ));
    // What the pods screen runs: the list in view and the header's three watches.
    let watches = [
        (Kind::Pod, Scope::Namespace("shop".into())),
        (Kind::Node, Scope::All),
        (Kind::Pod, Scope::All),
        (Kind::Event, Scope::All),
    ];
    for (k, s) in &watches {
        cache.ensure(*k, s.clone());
    }
    common::eventually(20, "every watch live", || {
        let ready = watches
            .iter()
            .all(|(k, s)| cache.status(*k, s) == Some(WatchStatus::Ready));
        std::future::ready(ready.then_some(()))
    })
    .await;

    let window = Duration::from_secs(30);
    let (retries, logged) = (counters::watch_restarts(), std::fs::metadata(&log).unwrap().len());
    cluster.faults().restart(window + Duration::from_secs(30));
    let start = Instant::now();
    while start.elapsed() < window {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let retries = counters::watch_restarts() - retries;
    let logged = std::fs::metadata(&log).unwrap().len() - logged;
    eprintln!(
        "FIGURE {} watches unreachable for {window:?}: {retries} watch failures, {logged} bytes of log",
        watches.len()
    );
    // Exponential back-off from 0.8 s: about 6 attempts a watch in 30 s, where a flat 0.2 s makes 150.
    assert!(
        retries <= 8 * watches.len() as u64,
        "{retries} watch failures in {window:?}"
    );
    // A line or two per watch and for the probe when contact is lost; a few KB, not 40.
    assert!(
        logged <= 4096,
        "{logged} bytes logged in {window:?}:\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    stop.cancel();
    cache.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
