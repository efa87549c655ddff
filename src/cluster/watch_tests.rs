//! Tests of the watch: statuses, retries, and every initial-list strategy against the demo cluster.

use super::*;
use k8s_openapi::api::core::v1::Pod;
use kube::core::Status;

fn api_err(code: u16, message: &str) -> watcher::Error {
    let status = Status {
        code,
        message: message.into(),
        ..Default::default()
    };
    watcher::Error::InitialListFailed(kube::Error::Api(Box::new(status)))
}

#[test]
fn progress_reads_like_a_person_would_write_it() {
    let at = |listed, total| WatchStatus::Loading { listed, total }.progress().unwrap();
    assert_eq!(at(3500, Some(10000)), "3,500 / ~10,000");
    assert_eq!(at(12, None), "12");
    // Objects created since the estimate: the total never reads less than what has arrived.
    assert_eq!(at(1_000_001, Some(999_999)), "1,000,001 / ~1,000,001");
    assert_eq!(WatchStatus::Ready.progress(), None);
}

#[test]
fn forbidden_keeps_the_servers_message() {
    let msg = r#"pods is forbidden: User "dev" cannot list resource "pods" in API group "" at the cluster scope"#;
    let s = classify(&api_err(403, msg), &WatchStatus::Ready, Instant::now());
    assert_eq!(s, WatchStatus::Forbidden { message: msg.into() });
}

#[test]
fn other_errors_mark_stale_and_keep_the_first_since() {
    let t0 = Instant::now();
    let s = classify(&api_err(500, "boom"), &WatchStatus::Ready, t0);
    let WatchStatus::Stale { since, .. } = s.clone() else {
        panic!("{s:?}")
    };
    assert_eq!(since, t0);
    let later = classify(&api_err(503, "again"), &s, Instant::now());
    assert!(matches!(later, WatchStatus::Stale { since, .. } if since == t0));
}

#[test]
fn a_live_watch_that_fails_is_stale_from_the_servers_last_answer_not_its_last_event() {
    // A quiet namespace sends no event for minutes while its watch is live: what it shows was
    // current until the server's last answer, so "connection lost 17s ago" 2 s after a restart
    // (and an age other than the header's "no contact") would be wrong.
    let shared = WatchShared::default();
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::InitDone), None);
    let last_event = *shared.last_event.lock();
    let answered = last_event + Duration::from_secs(15);
    let refused = watcher::Error::WatchFailed(kube::Error::Service("connection refused".into()));
    apply::<Pod>(&shared, Kind::Pod, Err(refused), Some(answered));
    assert!(
        matches!(*shared.status.lock(), WatchStatus::Stale { since, .. } if since == answered),
        "{:?}",
        shared.status.lock()
    );
    // An answer before the last event changes nothing; a watch still loading was never current.
    let shared = WatchShared::default();
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::InitDone), None);
    let last_event = *shared.last_event.lock();
    apply::<Pod>(
        &shared,
        Kind::Pod,
        Err(api_err(500, "boom")),
        Some(last_event - Duration::from_millis(1)),
    );
    assert!(matches!(*shared.status.lock(), WatchStatus::Stale { since, .. } if since == last_event));
    let shared = WatchShared::default();
    let before = *shared.last_event.lock();
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::Init), None);
    apply::<Pod>(
        &shared,
        Kind::Pod,
        Err(api_err(500, "boom")),
        Some(before + Duration::from_secs(5)),
    );
    assert!(matches!(*shared.status.lock(), WatchStatus::Stale { since, .. } if since == before));
}

#[test]
fn a_failed_watch_is_logged_in_words_once_per_change() {
    // The log file said "ServiceError: client error (Connect)" while the screen said what happened.
    let shared = WatchShared::default();
    let refused = || {
        let io = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        watcher::Error::WatchStartFailed(kube::Error::Service(Box::new(io)))
    };
    let log = crate::test_util::logged(|| {
        apply::<Pod>(&shared, Kind::Pod, Err(refused()), None);
        apply::<Pod>(&shared, Kind::Pod, Err(refused()), None);
    });
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.contains("error=connection refused (nothing listens there)"),
        "{log}"
    );
}

#[test]
fn init_apply_counts_progress_and_init_done_is_ready() {
    let shared = WatchShared::default();
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::Init), None);
    apply(&shared, Kind::Pod, Ok(watcher::Event::InitApply(Pod::default())), None);
    apply(&shared, Kind::Pod, Ok(watcher::Event::InitApply(Pod::default())), None);
    assert_eq!(*shared.status.lock(), WatchStatus::Loading { listed: 2, total: None });
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::InitDone), None);
    assert_eq!(*shared.status.lock(), WatchStatus::Ready);
}

#[test]
fn a_refused_retry_stays_forbidden_without_passing_through_loading() {
    let shared = WatchShared::default();
    apply::<Pod>(&shared, Kind::Pod, Err(api_err(403, "pods is forbidden")), None);
    // Each retry of a paged list starts with Init before its LIST is refused again.
    apply::<Pod>(&shared, Kind::Pod, Ok(watcher::Event::Init), None);
    assert!(matches!(*shared.status.lock(), WatchStatus::Forbidden { .. }));
    assert_eq!(Retry::of(&api_err(403, "no")), Retry::Forbidden);
    assert!(Retry::Forbidden.delay(0) >= Duration::from_secs(240));
    assert!(
        Retry::Gone.delay(9) <= Duration::from_secs(1),
        "410 lists again at once"
    );
    assert!(
        !refuses_streaming(&api_err(403, "no")),
        "a refused user is no reason to page"
    );
}
const BULK: usize = 30;

/// A demo cluster whose namespace "load" holds exactly [`BULK`] pods that stay put (no churn).
async fn stable_cluster() -> sim::DemoCluster {
    let opts = sim::SimOptions {
        pods: BULK,
        ..Default::default()
    };
    let cluster = sim::DemoCluster::start(opts).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let pods = sim::res("Pod");
    while cluster.store().list(pods, Some("load")).0.len() < BULK {
        assert!(std::time::Instant::now() < deadline, "bulk pods never created");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    cluster
}

/// Runs a watch of the pods in namespace "load" with `initial` against `cluster` into `sink`;
/// waits for Ready and returns the statuses it went through and the list strategy it ended with.
async fn sync(cluster: &sim::DemoCluster, initial: InitialList, sink: Sink<Pod>) -> (Vec<WatchStatus>, InitialList) {
    // Without kube-rs's own retries, so that a refused request reaches the watcher.
    let mut config = kube::Config::from_custom_kubeconfig(cluster.kubeconfig(), &Default::default())
        .await
        .unwrap();
    config.default_retry = false;
    let client = kube::Client::try_from(config).unwrap();
    let shared = Arc::new(WatchShared::default());
    let (tx, mut rx) = mpsc::channel(1024);
    let cancel = CancellationToken::new();
    let api = Api::<Pod>::namespaced(client, "load");
    let task = tokio::spawn(run(
        api,
        sink,
        initial,
        None,
        Kind::Pod,
        shared.clone(),
        tx,
        cancel.clone(),
        Arc::new(Contact::new(None)),
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut seen = vec![];
    loop {
        let status = shared.status.lock().clone();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == WatchStatus::Ready {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never ready: {seen:?}");
        let _ = tokio::time::timeout(std::time::Duration::from_millis(200), rx.recv()).await;
    }
    cancel.cancel();
    task.await.unwrap();
    let used = *shared.initial_list.lock();
    (seen, used)
}

/// [`sync`] into a typed store and into rows; both must hold the same pods.
async fn synced_pods(cluster: &sim::DemoCluster, initial: InitialList) -> (usize, Vec<WatchStatus>, InitialList) {
    let (reader, writer) = kube::runtime::reflector::store::<Pod>();
    let (seen, used) = sync(cluster, initial, Sink::Objects(writer, crate::cluster::trim::pod)).await;
    let rows = Arc::new(crate::cluster::rows::RowStore::default());
    sync(cluster, initial, Sink::Rows(rows.clone(), crate::cluster::rows::pod)).await;
    let mut from_objects: Vec<String> = reader
        .state()
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    let mut from_rows: Vec<String> = rows.rows().iter().map(|r| r.name.to_string()).collect();
    from_objects.sort();
    from_rows.sort();
    assert_eq!(from_objects, from_rows);
    (reader.len(), seen, used)
}

#[tokio::test]
async fn every_initial_list_strategy_syncs_the_same_pods() {
    let cluster = stable_cluster().await;
    let (paged, seen, _) = synced_pods(&cluster, InitialList::Paged(5)).await;
    assert_eq!(paged, BULK);
    assert!(
        seen.iter()
            .any(|s| matches!(s, WatchStatus::Loading { listed, .. } if *listed > 0)),
        "no progress shown while listing: {seen:?}"
    );
    assert_eq!(synced_pods(&cluster, InitialList::Unpaged).await.0, paged);
    let (streamed, _, used) = synced_pods(&cluster, InitialList::Streaming).await;
    assert_eq!((streamed, used), (paged, InitialList::Streaming));
}

#[tokio::test]
async fn a_refused_streaming_list_falls_back_to_paged_lists() {
    let cluster = stable_cluster().await;
    // The next requests (the streaming watch, and the LIST of one that estimates the total) are
    // answered 429, as a server without WatchList answers the watch with 422.
    cluster.faults().throttle_next(2);
    let (got, seen, used) = synced_pods(&cluster, InitialList::Streaming).await;
    assert_eq!(got, BULK, "{seen:?}");
    assert_eq!(used, FALLBACK);
    assert_eq!(
        cluster.faults().throttled_total(),
        2,
        "the streaming request was refused"
    );
}

#[test]
fn a_quiet_watch_starts_over_only_after_a_loss_long_enough_to_leave_its_connection_dead() {
    let noticed = Instant::now();
    let before = noticed - Duration::from_secs(1);
    let after = noticed + Duration::from_secs(1);
    // A server slow to answer a probe for a few seconds (busy listing): the watch stays.
    assert!(!starts_over(before, noticed, Some(Duration::from_secs(8))));
    assert!(!starts_over(
        before,
        noticed,
        Some(HALF_OPEN_AFTER - Duration::from_millis(1))
    ));
    // Silent through a loss as long as client-go's HTTP/2 health check allows: start over.
    assert!(starts_over(before, noticed, Some(HALF_OPEN_AFTER)));
    // A watch that heard something since the loss was noticed is alive, however long the loss.
    assert!(!starts_over(after, noticed, Some(Duration::from_secs(600))));
    assert!(!starts_over(before, noticed, None));
}
