//! Demo cluster at scale: time to load N pods, resident memory, and how fast it answers a full
//! LIST (one request, and pages of 500) through kube-rs. Run: `cargo bench --bench sim_scale [N…]`.

use std::time::Instant;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
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
    println!(
        "pods={pods:>7} total_pods={:>7} load={:>7.2}s rss_delta={:>7.1}MiB list_full_best_of_3={:>7.1}ms list_paged_500={:>7.1}ms ({n} items)",
        full[0].1,
        load.as_secs_f64(),
        rss,
        best.as_secs_f64() * 1e3,
        paged.as_secs_f64() * 1e3,
    );
    c.stop().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for n in common::sizes() {
        run(n).await?;
    }
    Ok(())
}
