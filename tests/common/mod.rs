//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, PostParams};
use serde_json::json;
use sim::{DemoCluster, SimOptions};

/// Options for a quiet, fast demo cluster.
pub fn fast_opts() -> SimOptions {
    SimOptions {
        time_scale: 0.02,
        ..SimOptions::default()
    }
}

/// Re-checks `check` until it returns `Some`, failing the test after `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts a demo cluster and makes sure a namespace exists.
pub async fn cluster_with_ns(ns: &str) -> (DemoCluster, kube::Client) {
    let c = DemoCluster::start(fast_opts()).await.expect("demo cluster starts");
    let client = c.client().await.expect("client");
    let nss: Api<Namespace> = Api::all(client.clone());
    if nss.get_opt(ns).await.expect("get namespace").is_none() {
        let n: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
        nss.create(&PostParams::default(), &n).await.expect("create namespace");
    }
    (c, client)
}

/// An RFC 3339 time `secs` seconds ago.
pub fn ago(secs: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A running pod in namespace `logs`, to write straight into the store (no kubelet needed), logging
/// `rate` lines a second for 30s so far.
pub fn running_pod(name: &str, restarts: u64, rate: u32) -> serde_json::Value {
    let mut status = json!({"name": "app", "ready": true, "restartCount": restarts,
        "state": {"running": {"startedAt": ago(30)}}});
    if restarts > 0 {
        status["lastState"] =
            json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ago(90), "finishedAt": ago(60)}});
    }
    json!({
        "metadata": {"name": name, "namespace": "logs", "annotations": {"sim.kubedeck.io/log-rate": rate.to_string()}},
        "spec": {"nodeName": "worker-1", "containers": [{"name": "app", "image": "shop/api:1.0"}]},
        "status": {"phase": "Running", "containerStatuses": [status]}
    })
}

/// Type `keys` into a headless dashboard (`\r` is Enter), one key event each.
pub fn typed(h: &mut kubedeck::bench_support::Headless, keys: &str) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.input(kubedeck::app::Input::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .unwrap();
    }
}

/// Call `frame` every 50 ms for `span`, as a loop drawing while nothing happens.
pub async fn stay_with(span: Duration, mut frame: impl FnMut()) {
    let until = std::time::Instant::now() + span;
    while std::time::Instant::now() < until {
        frame();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Draw frames for `span`, as the loop does while the screen stays.
pub async fn stay(h: &mut kubedeck::bench_support::Headless, span: Duration) {
    stay_with(span, || {
        h.frame().unwrap();
    })
    .await
}

/// `c`'s kubeconfig written in a directory of its own (named after `tag` and this process), which
/// the caller removes: its path.
pub fn kubeconfig_of(c: &DemoCluster, tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedeck-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    c.write_kubeconfig(&kubeconfig).unwrap();
    kubeconfig
}

/// A fast demo cluster and its kubeconfig (see [`kubeconfig_of`]).
pub async fn cluster_and_kubeconfig(tag: &str) -> (DemoCluster, std::path::PathBuf) {
    let c = DemoCluster::start(fast_opts()).await.unwrap();
    let kubeconfig = kubeconfig_of(&c, tag);
    (c, kubeconfig)
}

/// A headless dashboard of `width`×`height` connected to `c` through a kubeconfig written in a
/// directory of its own (named after `tag` and this process), which the caller removes.
pub async fn headless(
    c: &DemoCluster,
    tag: &str,
    width: u16,
    height: u16,
) -> (kubedeck::bench_support::Headless, std::path::PathBuf) {
    let kubeconfig = kubeconfig_of(c, tag);
    let h = kubedeck::bench_support::Headless::connect(&kubeconfig, width, height)
        .await
        .unwrap();
    (h, kubeconfig.parent().unwrap().to_path_buf())
}

/// Take the headless dashboard's answers until `check` holds, failing after `secs` seconds with
/// the screen, the messages and what `also` says of the state.
pub async fn until_or(
    h: &mut kubedeck::bench_support::Headless,
    secs: u64,
    what: &str,
    check: impl Fn(&kubedeck::bench_support::Headless) -> bool,
    also: impl Fn(&kubedeck::bench_support::Headless) -> String,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !check(h) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs}s waiting for: {what}\n{}\nmessages: {:?}\n{}",
            h.screen(),
            h.state.messages,
            also(h)
        );
        h.pump(Duration::from_millis(50)).await.unwrap();
    }
}

/// [`until_or`] with nothing more to say.
pub async fn until(
    h: &mut kubedeck::bench_support::Headless,
    secs: u64,
    what: &str,
    check: impl Fn(&kubedeck::bench_support::Headless) -> bool,
) {
    until_or(h, secs, what, check, |_| String::new()).await
}
