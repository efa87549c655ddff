//! kubedeck's client side at scale, against `kubedeck demo-server --pods N --churn 0` in its own process:
//! time from connect to the complete pods table (all namespaces) next to the server's own LIST time,
//! resident memory and idle CPU of the real binary under a tmux pseudo-terminal, and keystroke-to-frame
//! time while typing a filter (headless: the real update → project → draw path on a TestBackend).
//!
//! It also reports the memory of the usage trend rings at N pods.
//!
//! Run: `cargo bench --bench ui_scale [N…]` (default 1000 10000 100000).
//! `UI_SCALE_IDLE_SECS` shortens the idle-CPU window (default 60). Prints figures; asserts nothing.
//! `UI_SCALE_SYNTHETIC=1` measures the table's path alone, in process, on synthetic rows (no cluster).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kubedeck::app::update::key;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::watch::WatchStatus;

mod common;
#[path = "common/table_path.rs"]
mod table_path;
use common::{Owned, client_from, clock_ticks_per_sec, cpu_ticks, rss_kib, stop_pid};

const BIN: &str = env!("CARGO_BIN_EXE_kubedeck");
/// Set in the child process that runs the headless dashboard; holds the kubeconfig path.
const CHILD_ENV: &str = "UI_SCALE_CHILD_KUBECONFIG";
/// Pods the child must see in its table before it counts as complete.
const EXPECT_ENV: &str = "UI_SCALE_CHILD_EXPECT";
const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;
/// `/` then ten characters that narrow the table to one bulk deployment's pods.
const FILTER: &str = "load-0004-";
const ROUNDS: usize = 20;

/// Bytes a process has written (terminal output and log), from /proc/PID/io.
fn written(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

use kubedeck::bench_support::thread_cpu;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------- child: the headless dashboard

/// Connect, wait for the complete table, report time and RSS, then type the filter and report frame times.
async fn child(kubeconfig: PathBuf, expect: usize) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut h = Headless::connect(&kubeconfig, WIDTH, HEIGHT).await?;
    let deadline = t0 + Duration::from_secs(60 + expect as u64 / 1000);
    let mut ready_at: Option<Instant> = None;
    loop {
        let pending = h.frame()?;
        let (rows, status) = h.table();
        if status == Some(WatchStatus::Ready) {
            // Ready means the initial list is complete; a count short of the server's can only be a pod
            // deleted since the parent counted, so accept it after a grace period.
            let since = *ready_at.get_or_insert_with(Instant::now);
            if rows >= expect || since.elapsed() > Duration::from_secs(5) {
                break;
            }
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "no complete table after {:?}: {rows} rows, {status:?}",
            t0.elapsed()
        );
        // Rows held back by the big-table throttle need another projection soon, notice or not.
        h.changed(if pending {
            Duration::from_millis(50)
        } else {
            Duration::from_secs(1)
        })
        .await;
    }
    let synced = t0.elapsed();
    let (rows, _) = h.table();
    println!("synced {} {rows} {}", synced.as_secs_f64(), rss_kib("self"));

    let mut samples = Vec::with_capacity(ROUNDS * (FILTER.len() + 1));
    // The same keys in CPU time of this thread: what a key costs, whatever else the machine runs.
    let mut cpu = Vec::with_capacity(samples.capacity());
    for _ in 0..ROUNDS {
        for code in std::iter::once(KeyCode::Char('/')).chain(FILTER.chars().map(KeyCode::Char)) {
            let (t, c) = (Instant::now(), thread_cpu());
            h.input(key(code))?;
            samples.push(t.elapsed());
            cpu.push(thread_cpu() - c);
        }
        anyhow::ensure!(h.screen().contains(FILTER), "the filter line is not on screen");
        let visible = h.visible();
        h.input(key(KeyCode::Esc))?;
        if samples.len() == FILTER.len() + 1 {
            println!("visible {visible}");
        }
    }
    // The first round's keys apart: they pass over the most rows.
    let first: Vec<f64> = samples[..FILTER.len() + 1].iter().map(|d| ms(*d)).collect();
    println!(
        "first {}",
        first.iter().map(|m| format!("{m:.2}")).collect::<Vec<_>>().join(",")
    );
    samples.sort();
    println!(
        "keys {} {} {} {}",
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap_or(&Duration::ZERO)),
        samples.len()
    );
    cpu.sort();
    println!(
        "cpu keys median {:.2} p99 {:.2} max {:.2} ms",
        ms(percentile(&cpu, 0.5)),
        ms(percentile(&cpu, 0.99)),
        ms(*cpu.last().unwrap_or(&Duration::ZERO))
    );
    // Each sort key re-sorts every row (age, back to name, a cell column, reversed), frame included.
    let mut sorts = Vec::new();
    for c in ['A', 'N', '>', 'S', 'N'] {
        let (t, cpu) = (Instant::now(), thread_cpu());
        h.input(key(KeyCode::Char(c)))?;
        sorts.push(format!("{c}={:.1}(cpu {:.1})", ms(t.elapsed()), ms(thread_cpu() - cpu)));
    }
    println!("sorts {}", sorts.join(" "));
    println!("events {}", watch_events(&mut h).await?);
    println!("usage {}", usage_rss(&mut h).await?);
    h.shutdown();
    Ok(())
}

/// A watch event's cost: label one pod, wait until the cache holds the change, then time the frame
/// that feeds it to the table (past the big-table throttle's window), in CPU time. Median and max
/// of 10 (`UI_SCALE_EVENTS`), in ms, and the median of each part of the frame.
async fn watch_events(h: &mut Headless) -> anyhow::Result<String> {
    use kube::api::{Patch, PatchParams};
    use kubedeck::cluster::{Kind, Scope};
    let mut times = Vec::new();
    let mut split = Vec::new();
    let n = std::env::var("UI_SCALE_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for i in 0..n {
        let (ns, name) = {
            let rows = &h.state.top().table.rows;
            let r = &rows[(i * 7919) % rows.len()];
            (r.namespace.clone(), r.name.clone())
        };
        let value = format!("v{i}");
        let patch = serde_json::json!({"metadata": {"labels": {"bench-touch": value}}});
        Api::<Pod>::namespaced(h.client(), &ns)
            .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        let holds = |h: &Headless| {
            h.cache().rows(Kind::Pod, &Scope::All).is_some_and(|rows| {
                rows.iter()
                    .any(|r| r.name == name && r.label("bench-touch") == Some(&value))
            })
        };
        while !holds(h) {
            anyhow::ensure!(
                Instant::now() < deadline,
                "the label on {ns}/{name} never reached the cache"
            );
            h.changed(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
        let cpu = thread_cpu();
        let (_, parts) = h.frame_parts()?;
        times.push(thread_cpu() - cpu);
        split.push(parts);
        let shown = h
            .state
            .top()
            .table
            .rows
            .iter()
            .any(|r| r.name == name && r.label("bench-touch") == Some(&value));
        anyhow::ensure!(shown, "the frame did not feed the change of {ns}/{name}");
    }
    times.sort();
    // Each part's median: rows fed to the view, header counts, drawing.
    let part = |i: usize| {
        let mut p: Vec<Duration> = split.iter().map(|s: &[Duration; 3]| s[i]).collect();
        p.sort();
        ms(p[p.len() / 2])
    };
    Ok(format!(
        "{:.2} {:.2} (rows {:.2} header {:.2} draw {:.2})",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        part(0),
        part(1),
        part(2)
    ))
}

/// RSS once the table shows usage (the real binary's state when idle, which the figure at sync
/// time is not): when the first metrics sample is in the rows, and after two more samples (15 s
/// apart), each one a LIST of every pod's metrics and a feed of the rows.
async fn usage_rss(h: &mut Headless) -> anyhow::Result<String> {
    use kubedeck::cluster::Kind;
    let (_, _, cpu) = kubedeck::store::enrichers::columns(Kind::Pod)
        .into_iter()
        .find(|(title, _, _)| *title == "CPU")
        .ok_or_else(|| anyhow::anyhow!("pods have no CPU column"))?;
    let shows = |h: &Headless| {
        let table = &h.state.top().table;
        table.rows.iter().any(|r| !table.cell(r, cpu).is_empty())
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !shows(h) {
        anyhow::ensure!(Instant::now() < deadline, "no usage in the rows after 60 s");
        h.frame()?;
        h.changed(Duration::from_millis(200)).await;
    }
    let first = rss_kib("self");
    let until = Instant::now() + Duration::from_secs(31);
    // The frames that showed a new sample, in CPU time on this thread, and their parts (rows fed
    // to the view, header counts, draw), as the watch events' are printed.
    let mut sampled = Vec::new();
    let held = |h: &Headless| h.state.top().table.usage.as_ref().map(std::sync::Arc::as_ptr);
    while Instant::now() < until {
        let (before, cpu) = (held(h), thread_cpu());
        let (_, parts) = h.frame_parts()?;
        if held(h) != before {
            let [rows, header, draw] = parts.map(ms);
            sampled.push(format!(
                "{:.2} (rows {rows:.2} header {header:.2} draw {draw:.2})",
                ms(thread_cpu() - cpu)
            ));
        }
        h.changed(Duration::from_millis(500)).await;
    }
    h.frame()?;
    Ok(format!(
        "rss first sample {:.1} MiB, 30 s later {:.1} MiB; frames after a new sample (cpu ms) {}",
        first as f64 / 1024.0,
        rss_kib("self") as f64 / 1024.0,
        sampled.join(", ")
    ))
}

// ---------------------------------------------------------------- parent

/// Wait for the kubeconfig and for `n` bulk pods Running; then for the total pod count to hold still.
async fn wait_loaded(path: &Path, n: usize, deadline: Instant) -> anyhow::Result<kube::Client> {
    let client = loop {
        if let Ok(c) = client_from(path).await {
            break c;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "demo-server wrote no kubeconfig at {}",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let load: Api<Pod> = Api::namespaced(client.clone(), "load");
    loop {
        let running = match load.list(&ListParams::default()).await {
            Ok(l) => l
                .items
                .iter()
                .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
                .count(),
            Err(_) => 0,
        };
        if running >= n {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "only {running}/{n} bulk pods Running");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let all: Api<Pod> = Api::all(client.clone());
    let mut last = usize::MAX;
    loop {
        let count = all.list(&ListParams::default()).await?.items.len();
        if count == last || Instant::now() >= deadline {
            break;
        }
        last = count;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(client)
}

/// The server's side: median of three full LISTs and one paged (500) LIST, and the pod count.
async fn time_lists(client: &kube::Client) -> anyhow::Result<(Duration, Duration, usize)> {
    let api: Api<Pod> = Api::all(client.clone());
    let mut full = Vec::new();
    let mut count = 0;
    for _ in 0..3 {
        let t = Instant::now();
        count = api.list(&ListParams::default()).await?.items.len();
        full.push(t.elapsed());
    }
    full.sort();
    let t = Instant::now();
    let mut lp = ListParams::default().limit(500);
    loop {
        let page = api.list(&lp).await?;
        match page.metadata.continue_ {
            Some(tok) if !tok.is_empty() => lp = lp.continue_token(&tok),
            _ => break,
        }
    }
    Ok((full[1], t.elapsed(), count))
}

/// Figures of the headless child: seconds to the complete table, its rows, RSS, key times (median, p99, max ms, samples).
struct Headed {
    synced: f64,
    rows: usize,
    rss_kib: u64,
    keys: Vec<f64>,
    visible: usize,
    /// The other lines of the child (first keys, sorts, watch events), printed as they came.
    extra: Vec<String>,
}

fn run_child(kubeconfig: &Path, expect: usize) -> anyhow::Result<Headed> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .env(CHILD_ENV, kubeconfig)
        .env(EXPECT_ENV, expect.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(out.status.success(), "headless child failed: {}\n{text}", out.status);
    let mut h = Headed {
        synced: 0.0,
        rows: 0,
        rss_kib: 0,
        keys: vec![],
        visible: 0,
        extra: vec![],
    };
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.first() {
            Some(&"synced") => {
                h.synced = w[1].parse()?;
                h.rows = w[2].parse()?;
                h.rss_kib = w[3].parse()?;
            }
            Some(&"visible") => h.visible = w[1].parse()?,
            Some(&"keys") => h.keys = w[1..].iter().filter_map(|s| s.parse().ok()).collect(),
            Some(&("first" | "cpu" | "sorts" | "events" | "usage")) => h.extra.push(line.to_string()),
            _ => {}
        }
    }
    Ok(h)
}

fn tmux(socket: &str, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("tmux").arg("-L").arg(socket).args(args).output()?;
    anyhow::ensure!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The "[shown/total]  live" of the header, once the table is live.
fn live_total(screen: &str) -> Option<usize> {
    let line = screen.lines().find(|l| l.trim_start().starts_with("pods ["))?;
    if !line.contains(" live") {
        return None;
    }
    let inner = line.split_once('[')?.1.split_once(']')?.0;
    inner.split_once('/')?.1.parse().ok()
}

/// Figures of the real binary under a tmux pseudo-terminal.
struct Real {
    ready: f64,
    rss_kib: u64,
    idle_cpu: f64,
    idle_written: u64,
    /// What reached the server in the idle window (see [`idle_requests`]).
    idle_requests: String,
}

/// The demo server's request counts by verb and resource (`GET /sim/verbs`), with the metrics
/// API's reads and the `/version` probes.
fn server_counts(client: &kube::Client) -> anyhow::Result<serde_json::Value> {
    let req = http::Request::get("/sim/verbs").body(Vec::new())?;
    let text = tokio::runtime::Handle::current().block_on(client.request_text(req))?;
    Ok(serde_json::from_str(&text)?)
}

/// What the server was asked between two counts: LISTs, watches started, other requests to
/// resources, the probes and the metrics LISTs.
fn idle_requests(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let n = |v: &serde_json::Value, k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let (mut list, mut watch, mut other) = (0, 0, 0);
    if let Some(verbs) = after["verbs"].as_object() {
        for (key, count) in verbs {
            let new = count.as_u64().unwrap_or(0) - n(&before["verbs"], key);
            match key.split_once(' ').map(|(verb, _)| verb) {
                Some("list") => list += new,
                Some("watch") => watch += new,
                _ => other += new,
            }
        }
    }
    format!(
        "list={list} watch={watch} other={other} probe={} metrics={}",
        n(after, "version") - n(before, "version"),
        n(after, "metrics") - n(before, "metrics")
    )
}

/// Run the real binary in a private tmux server, wait for the live table, then measure an idle window.
fn run_real(
    dir: &Path,
    kubeconfig: &Path,
    client: &kube::Client,
    expect: usize,
    idle: Duration,
) -> anyhow::Result<Real> {
    let socket = format!("kubedeck-bench-{}", std::process::id());
    let cmd = format!(
        "exec {BIN} --kubeconfig {} -A --screen pods --log-file {}",
        kubeconfig.display(),
        dir.join("ui.log").display()
    );
    let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
    let t0 = Instant::now();
    tmux(&socket, &["new-session", "-d", "-s", "bench", "-x", &w, "-y", &h, &cmd])?;
    let server_pid: u32 = tmux(&socket, &["display-message", "-p", "#{pid}"])?.trim().parse()?;
    let pid: u32 = tmux(&socket, &["display-message", "-p", "-t", "bench", "#{pane_pid}"])?
        .trim()
        .parse()?;
    let result = (|| {
        let deadline = t0 + Duration::from_secs(60 + expect as u64 / 1000);
        let ready = loop {
            let screen = tmux(&socket, &["capture-pane", "-p", "-t", "bench"])?;
            if live_total(&screen).is_some_and(|t| t >= expect) {
                break t0.elapsed();
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the real UI never showed the live table:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        // Leave the last projection and frame of the sync out of the idle window.
        std::thread::sleep(Duration::from_secs(1));
        let (c0, w0, r0) = (cpu_ticks(&pid.to_string()), written(pid), server_counts(client)?);
        std::thread::sleep(idle);
        let (c1, w1, r1) = (cpu_ticks(&pid.to_string()), written(pid), server_counts(client)?);
        Ok(Real {
            ready: ready.as_secs_f64(),
            rss_kib: rss_kib(&pid.to_string()),
            idle_cpu: (c1 - c0) as f64 / clock_ticks_per_sec(),
            idle_written: w1 - w0,
            idle_requests: idle_requests(&r0, &r1),
        })
    })();
    stop_pid(pid);
    stop_pid(server_pid);
    result
}

async fn run(n: usize, idle: Duration) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kubedeck-ui-scale-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig = dir.join("kubeconfig");
    let server_log = std::fs::File::create(dir.join("demo-server.log"))?;
    let t0 = Instant::now();
    let server = Owned(
        Command::new(BIN)
            .args([
                "demo-server",
                "--churn",
                "0",
                "--pods",
                &n.to_string(),
                "--kubeconfig-out",
            ])
            .arg(&kubeconfig)
            .arg("--log-file")
            .arg(dir.join("demo-server.trace.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(server_log)
            .spawn()?,
    );
    let client = wait_loaded(&kubeconfig, n, t0 + Duration::from_secs(120 + n as u64 / 500)).await?;
    let loaded = t0.elapsed();
    let (list, paged, total) = time_lists(&client).await?;
    let headless = tokio::task::block_in_place(|| run_child(&kubeconfig, total))?;
    let real = tokio::task::block_in_place(|| run_real(&dir, &kubeconfig, &client, total, idle))?;
    let k = |i: usize| headless.keys.get(i).copied().unwrap_or(f64::NAN);
    println!(
        "pods={n:>6} total={total:>6} server_load={:>6.1}s | list={:>7.1}ms list_paged500={:>7.1}ms \
         table={:>7.1}ms ({} rows) ratio={:.2}x | rss={:>5.1}MiB (headless {:.1}MiB) | idle_cpu={:.2}s/{}s \
         out={:.1}KiB idle_requests: {} | key median={:.2}ms p99={:.2}ms max={:.2}ms n={} (filter leaves {}) | real_ui_live~{:.1}s",
        loaded.as_secs_f64(),
        ms(list),
        ms(paged),
        headless.synced * 1e3,
        headless.rows,
        headless.synced / list.as_secs_f64(),
        real.rss_kib as f64 / 1024.0,
        headless.rss_kib as f64 / 1024.0,
        real.idle_cpu,
        idle.as_secs(),
        real.idle_written as f64 / 1024.0,
        real.idle_requests,
        k(0),
        k(1),
        k(2),
        k(3),
        headless.visible,
        real.ready,
    );
    // first: each key of the first round (ms); sorts: key=ms; events: median max (ms).
    for line in &headless.extra {
        println!("    {line}");
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Memory of the usage trend rings once every pod has a full ring (30 samples, each a newer
/// `timestamp`): the structure's own count of its bytes, keys and map slots included.
fn trend_rings(n: usize) {
    let t = Instant::now();
    let (rings, bytes) = kubedeck::store::trends::measure(n, kubedeck::store::trends::TREND_LEN);
    println!(
        "{n} pods: trend rings {rings}, {:.2} MB, {} bytes per pod (filled in {:.0} ms)",
        bytes as f64 / 1e6,
        bytes / rings.max(1),
        ms(t.elapsed())
    );
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    if let Ok(kubeconfig) = std::env::var(CHILD_ENV) {
        let expect = std::env::var(EXPECT_ENV).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        return rt.block_on(child(PathBuf::from(kubeconfig), expect));
    }
    let idle = Duration::from_secs(
        std::env::var("UI_SCALE_IDLE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    );
    // The table's path alone, in process, at each size.
    if std::env::var_os("UI_SCALE_SYNTHETIC").is_some() {
        for n in common::sizes() {
            table_path::run(n, FILTER);
        }
        return Ok(());
    }
    for n in common::sizes() {
        trend_rings(n);
        rt.block_on(run(n, idle))?;
    }
    Ok(())
}
