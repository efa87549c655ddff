//! The log view under a flood: a Deployment of 50 pods at 400 lines/s each (20,000 lines/s in total),
//! served by `kubedeck demo-server` in its own process, followed through the real path (`l` on the
//! Deployment row → readers → bounded channel → `update` → ring → frames drawn at 30 fps). It checks
//! every line against the generator's timestamps (no gap, no duplicate), that the view received every
//! line produced, and prints the client's CPU seconds and resident memory.
//!
//! Run: `cargo bench --bench logs_scale`; `LOGS_SECS=10` for a quick run (default 60), `LOGS_PODS`,
//! `LOGS_RATE` (per pod; 1e9 must divide by it so the line spacing is exact).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, ListParams, PostParams};
use kubedeck::app::state::{View, ViewKind};
use kubedeck::app::table::Row;
use kubedeck::app::update::key;
use kubedeck::app::{Effect, Input, State, update};
use kubedeck::cluster::logs::{Event, Tagged};
use kubedeck::cluster::{Kind, Scope};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use tokio::sync::mpsc;

mod common;
use common::{clock_ticks_per_sec, cpu_ticks, rss_mib};

/// CPU seconds this process has used.
fn cpu_secs() -> f64 {
    cpu_ticks("self") as f64 / clock_ticks_per_sec()
}

const BIN: &str = env!("CARGO_BIN_EXE_kubedeck");
const NS: &str = "flood";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Per source: what arrived, checked line by line against the generator's spacing.
#[derive(Default)]
struct Check {
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
    received: u64,
    gaps: u64,
    dups: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = env_or("LOGS_SECS", 60);
    let pods: usize = env_or("LOGS_PODS", 50);
    let rate: u64 = env_or("LOGS_RATE", 400);
    anyhow::ensure!(1_000_000_000 % rate == 0, "LOGS_RATE must divide 1e9");
    let step = 1_000_000_000 / rate as i64;

    let dir = std::env::temp_dir().join(format!("kubedeck-logs-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (_server, client) = common::demo_server(BIN, &dir).await?;
    let nss: Api<Namespace> = Api::all(client.clone());
    nss.create(
        &PostParams::default(),
        &serde_json::from_value(json!({"metadata": {"name": NS}}))?,
    )
    .await?;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), NS);
    let d = json!({
        "metadata": {"name": "flood"},
        "spec": {"replicas": pods, "selector": {"matchLabels": {"app": "flood"}},
            "template": {"metadata": {"labels": {"app": "flood"},
                    "annotations": {"sim.kubedeck.io/log-rate": rate.to_string()}},
                "spec": {"containers": [{"name": "api", "image": "shop/api:1.0"}]}}}
    });
    deploys
        .create(&PostParams::default(), &serde_json::from_value(d)?)
        .await?;
    let pod_api: Api<Pod> = Api::namespaced(client.clone(), NS);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let running = pod_api
            .list(&ListParams::default())
            .await?
            .items
            .iter()
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .count();
        if running >= pods {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "only {running}/{pods} pods running");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The user's path: the Deployment row, `l`.
    let mut state = State::new(Some(NS.into()), false, kubedeck::config::keymap::default_keymap());
    state.stack = vec![View::new(ViewKind::Resource(Kind::Deployment))];
    update(&mut state, Input::Resize(45));
    let row = Row {
        key: "flood".into(),
        namespace: NS.into(),
        name: "flood".into(),
        ..Default::default()
    };
    update(
        &mut state,
        Input::Rows {
            watch: (Kind::Deployment, Scope::Namespace(NS.into())),
            rows: Some(vec![std::sync::Arc::new(row)]),
            status: kubedeck::cluster::watch::WatchStatus::Ready,
        },
    );
    let Some(Effect::Logs {
        session,
        target,
        params,
    }) = update(&mut state, key(KeyCode::Char('l'))).pop()
    else {
        anyhow::bail!("`l` on a deployment row did not open logs");
    };
    let (tx, mut rx) = mpsc::channel::<Tagged>(256);
    let cancel = kubedeck::cluster::logs::start(client.clone(), target, params, session, tx);
    let mut term = Terminal::new(TestBackend::new(160, 45))?;

    let mut checks: HashMap<u32, Check> = HashMap::new();
    let (cpu0, t0) = (cpu_secs(), Instant::now());
    let end = t0 + Duration::from_secs(secs);
    let mut next_frame = Instant::now();
    let (mut frames, mut draw_time, mut update_time) = (0u64, Duration::ZERO, Duration::ZERO);
    let mut end_ts: Option<jiff::Timestamp> = None;
    let mut drain_until = None;
    let mut window = None;
    let mut all_received = 0u64;
    loop {
        let now = Instant::now();
        if end_ts.is_none() && now >= end {
            end_ts = Some(jiff::Timestamp::now());
            window = Some((cpu_secs() - cpu0, rss_mib()));
            drain_until = Some(now + Duration::from_secs(3));
        }
        if drain_until.is_some_and(|d| now >= d) {
            break;
        }
        let wait = next_frame.saturating_duration_since(now).max(Duration::from_millis(1));
        let got = tokio::time::timeout(wait, rx.recv()).await;
        if let Ok(Some(first)) = got {
            let mut batch = vec![first];
            while batch.len() < 512 {
                match rx.try_recv() {
                    Ok(x) => batch.push(x),
                    Err(_) => break,
                }
            }
            for (_, e) in &batch {
                if let Event::Lines(lines) = e {
                    for l in lines {
                        all_received += 1;
                        let c = checks.entry(l.source).or_default();
                        let ts = l.ts.expect("timestamps are always requested");
                        if let Some(prev) = c.last {
                            let d = ts.as_nanosecond() - prev.as_nanosecond();
                            if d <= 0 {
                                c.dups += 1;
                            } else if d != step as i128 {
                                c.gaps += 1;
                            }
                        }
                        c.first.get_or_insert(ts);
                        c.last = Some(ts);
                        if end_ts.is_none_or(|e| ts <= e) {
                            c.received += 1;
                        }
                    }
                }
            }
            let t = Instant::now();
            update(&mut state, Input::Logs(batch));
            update_time += t.elapsed();
        }
        if Instant::now() >= next_frame && end_ts.is_none() {
            let t = Instant::now();
            term.draw(|f| kubedeck::ui::draw(f, &state, jiff::Timestamp::now().as_second()))?;
            draw_time += t.elapsed();
            frames += 1;
            next_frame = Instant::now() + Duration::from_millis(33);
        }
    }
    let (cpu, rss) = window.expect("the run ended");
    cancel.cancel();
    let end_ts = end_ts.expect("the run ended");
    let ViewKind::Logs(view) = &state.top().kind else {
        anyhow::bail!("the log view is gone");
    };
    // What the generator produced up to the end instant, from each source's first line on.
    let produced: u64 = checks
        .values()
        .map(|c| {
            let first = c.first.unwrap();
            ((end_ts.as_nanosecond() - first.as_nanosecond()) / step as i128) as u64 + 1
        })
        .sum();
    let received: u64 = checks.values().map(|c| c.received).sum();
    let (gaps, dups): (u64, u64) = checks
        .values()
        .map(|c| (c.gaps, c.dups))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let in_view = view.ring.total();
    println!(
        "logs_scale: {pods} pods x {rate} lines/s = {} lines/s for {secs}s ({} sources)\n\
         produced (to the end instant)={produced} received={received} | all received={all_received} in view (ring total)={in_view} \
         gaps={gaps} duplicates={dups}\n\
         ring: {} kept, {} evicted (capacity {})\n\
         client cpu={cpu:.1}s ({:.0}% of one core) rss={rss:.0}MiB | update {:.1}s, {frames} frames drawn, {:.2}ms/frame",
        pods as u64 * rate,
        checks.len(),
        view.ring.len(),
        view.ring.evicted(),
        view.ring.capacity(),
        cpu / secs as f64 * 100.0,
        update_time.as_secs_f64(),
        draw_time.as_secs_f64() * 1000.0 / frames.max(1) as f64,
    );
    let ok = produced == received && all_received == in_view && gaps == 0 && dups == 0 && checks.len() == pods;
    println!(
        "{}",
        if ok {
            "OK: every line produced was shown once"
        } else {
            "MISMATCH"
        }
    );
    std::fs::remove_dir_all(&dir).ok();
    anyhow::ensure!(ok, "lines lost or duplicated");
    Ok(())
}
