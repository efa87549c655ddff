//! Demo cluster at scale: time to load N pods, resident memory, how fast it answers a full LIST
//! (one request, and pages of 500) through kube-rs and its size in bytes, and the same for the
//! Events the rollout left (all of them, the Warnings by field selector, and a watch's initial
//! events). Run: `cargo bench --bench sim_scale [N…]`.

use std::time::Instant;

use futures::{StreamExt as _, TryStreamExt as _};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, WatchEvent, WatchParams};
use sim::res;
use sim::{DemoCluster, SimOptions};

mod common;
use common::rss_mib;

async fn run(pods: usize) -> anyhow::Result<()> {
    let before = rss_mib();
    let t0 = Instant::now();
    let c = DemoCluster::start(SimOptions {
        pods,
        ..SimOptions::default()
    })
    .await?;
    // Loaded means every bulk pod exists and is Running.
    loop {
        let (items, _) = c.store().list(res("Pod"), Some("load"));
        let running = items
            .iter()
            .filter(|o| o.fields.iter().any(|(f, v)| *f == "status.phase" && v == "Running"))
            .count();
        if running >= pods {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let load = t0.elapsed();
    let rss = rss_mib() - before;
    let api: Api<Pod> = Api::all(c.client().await?);
    let mut full = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let l = api.list(&ListParams::default()).await?;
        full.push((t.elapsed(), l.items.len()));
    }
    let t = Instant::now();
    let mut lp = ListParams::default().limit(500);
    let mut n = 0;
    loop {
        let page = api.list(&lp).await?;
        n += page.items.len();
        match page.metadata.continue_ {
            Some(tok) if !tok.is_empty() => lp = lp.continue_token(&tok),
            _ => break,
        }
    }
    let paged = t.elapsed();
    let best = full.iter().map(|(d, _)| *d).min().unwrap_or_default();
    let client = c.client().await?;
    let bytes = raw_len(&client, "/api/v1/pods").await?;
    println!(
        "pods={pods:>7} total_pods={:>7} load={:>7.2}s rss_delta={:>7.1}MiB list_full_best_of_3={:>7.1}ms list_paged_500={:>7.1}ms ({n} items) list_bytes={:.1}MB ({:.0} B/pod)",
        full[0].1,
        load.as_secs_f64(),
        rss,
        best.as_secs_f64() * 1e3,
        paged.as_secs_f64() * 1e3,
        bytes as f64 / 1e6,
        bytes as f64 / full[0].1.max(1) as f64,
    );
    events(&client).await?;
    c.stop().await;
    Ok(())
}

/// The body size of a GET.
async fn raw_len(client: &kube::Client, path: &str) -> anyhow::Result<usize> {
    let req = http::Request::get(path).body(Vec::new())?;
    Ok(client.request_text(req).await?.len())
}

/// LIST of every Event, of the Warnings alone, and a watch's initial events, timed.
async fn events(client: &kube::Client) -> anyhow::Result<()> {
    let api: Api<Event> = Api::all(client.clone());
    let t = Instant::now();
    let all = api.list(&ListParams::default()).await?;
    let list = t.elapsed();
    let bytes = raw_len(client, "/api/v1/events").await?;
    let t = Instant::now();
    let warn = api.list(&ListParams::default().fields("type=Warning")).await?;
    let warn_t = t.elapsed();
    let warn_bytes = raw_len(client, "/api/v1/events?fieldSelector=type%3DWarning").await?;
    let t = Instant::now();
    let mut stream = api.watch(&WatchParams::default().initial_events(), "0").await?.boxed();
    let mut added = 0;
    while let Some(ev) = stream.try_next().await? {
        match ev {
            WatchEvent::Added(_) => added += 1,
            WatchEvent::Bookmark(b) if b.metadata.annotations.contains_key("k8s.io/initial-events-end") => break,
            _ => {}
        }
    }
    let watch = t.elapsed();
    println!(
        "events={:>7} list={:>7.1}ms list_bytes={:.1}MB ({:.0} B/event) warnings={} list_warnings={:.1}ms ({} B) watch_initial={:>7.1}ms ({added} events)",
        all.items.len(),
        list.as_secs_f64() * 1e3,
        bytes as f64 / 1e6,
        bytes as f64 / all.items.len().max(1) as f64,
        warn.items.len(),
        warn_t.as_secs_f64() * 1e3,
        warn_bytes,
        watch.as_secs_f64() * 1e3,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for n in common::sizes() {
        run(n).await?;
    }
    Ok(())
}
