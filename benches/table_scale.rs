//! The server-side Table watch at scale, against `kubedeck demo-server --churn 0` in its own process:
//! N ConfigMaps and N custom objects (Certificates) in namespace `load`; per kind, the time from
//! `:cm all` / `:certs all` to the complete table next to one LIST of the same Table (what
//! `kubectl get -A` asks), then the resident memory of the process holding both tables and its CPU
//! over an idle window (headless: the real update → store → draw path on a TestBackend).
//!
//! Run: `cargo bench --bench table_scale [N…]` (default 10000). `TABLE_SCALE_IDLE_SECS` sets the idle
//! window (default 60). Prints figures; asserts nothing.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ApiResource, DynamicObject, PostParams};
use kubedeck::app::Input;
use kubedeck::app::update::key;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::table_watch::ACCEPT;
use kubedeck::cluster::watch::WatchStatus;
use serde_json::json;

mod common;
use common::{clock_ticks_per_sec, cpu_ticks, rss_kib};

const BIN: &str = env!("CARGO_BIN_EXE_kubedeck");
/// Set in the child process that runs the headless dashboard; holds the kubeconfig path.
const CHILD_ENV: &str = "TABLE_SCALE_CHILD_KUBECONFIG";
const EXPECT_ENV: &str = "TABLE_SCALE_CHILD_EXPECT";
/// The kinds measured: the `:` word, and the path of their collection in every namespace.
const KINDS: [(&str, &str); 2] = [
    ("cm", "/api/v1/configmaps"),
    ("certs", "/apis/cert-manager.io/v1/certificates"),
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------- child: the headless dashboard

/// Open each kind's table, report when it is complete, then the RSS, then idle while the parent measures.
async fn child(kubeconfig: PathBuf, expect: usize, idle: Duration) -> anyhow::Result<()> {
    let mut h = Headless::connect(&kubeconfig, 160, 45).await?;
    let kc = kube::config::Kubeconfig::read_from(&kubeconfig)?;
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default()).await?;
    let t = Instant::now();
    let registry = kubedeck::cluster::discovery::discover(&kubedeck::cluster::client::no_retry_client(config)?)
        .await
        .map_err(anyhow::Error::msg)?;
    println!("discovery {}", t.elapsed().as_secs_f64());
    let context = h.state.context.clone();
    h.input(Input::Discovered {
        context,
        result: Ok(registry),
    })?;
    for (word, _) in KINDS {
        let t0 = Instant::now();
        for c in format!(":{word} all").chars() {
            h.input(key(KeyCode::Char(c)))?;
        }
        h.input(key(KeyCode::Enter))?;
        let deadline = t0 + Duration::from_secs(120);
        loop {
            let pending = h.frame()?;
            let (rows, status) = h.table();
            if status == Some(WatchStatus::Ready) && rows >= expect {
                println!("synced {word} {} {rows}", t0.elapsed().as_secs_f64());
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "{word}: {rows} rows, {status:?}");
            h.changed(Duration::from_millis(if pending { 50 } else { 500 })).await;
        }
    }
    println!("rss {}", rss_kib("self"));
    println!("idle");
    // Idle as the real loop idles: draw only when a watch says something changed.
    let end = Instant::now() + idle + Duration::from_secs(2);
    while Instant::now() < end {
        if h.changed(Duration::from_millis(500)).await {
            h.frame()?;
        }
    }
    h.shutdown();
    Ok(())
}

// ---------------------------------------------------------------- parent

/// Create `n` ConfigMaps and `n` Certificates in namespace `load`, 64 requests at a time.
async fn load(client: &kube::Client, n: usize) -> anyhow::Result<()> {
    let ns: Api<Namespace> = Api::all(client.clone());
    if ns.get_opt("load").await?.is_none() {
        ns.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "load"}}))?,
        )
        .await?;
    }
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "load");
    let ar = ApiResource {
        group: "cert-manager.io".into(),
        version: "v1".into(),
        api_version: "cert-manager.io/v1".into(),
        kind: "Certificate".into(),
        plural: "certificates".into(),
    };
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "load", &ar);
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(0..n)
        .map(|i| {
            let (cms, certs) = (cms.clone(), certs.clone());
            async move {
                let name = format!("load-{i:05}");
                let cm = json!({"metadata": {"name": name}, "data": {"app.properties": "level=info\nport=8080\n"}});
                cms.create(&PostParams::default(), &serde_json::from_value(cm)?).await?;
                let cert = json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                    "metadata": {"name": name}, "spec": {"secretName": name, "dnsNames": [format!("{name}.example.com")],
                        "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"}},
                    "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                        "message": "Certificate is up to date and has not expired"}]}});
                certs.create(&PostParams::default(), &serde_json::from_value(cert)?).await?;
                Ok(())
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    results.into_iter().collect()
}

/// GET one Table of a collection in every namespace, with the extra `query`.
async fn get_table(client: &kube::Client, path: &str, query: &str) -> anyhow::Result<serde_json::Value> {
    let req = http::Request::get(format!("{path}?includeObject=Metadata{query}"))
        .header("Accept", ACCEPT)
        .body(vec![])?;
    Ok(client.request(req).await?)
}

/// The median of three LISTs of a collection's Table in every namespace, its row count, and the
/// time of the same LIST in pages of 500 (as kubedeck and `kubectl get` list).
async fn time_list(client: &kube::Client, path: &str) -> anyhow::Result<(Duration, usize, Duration)> {
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let table = get_table(client, path, "").await?;
        times.push(t.elapsed());
        rows = table["rows"].as_array().map_or(0, Vec::len);
    }
    times.sort();
    let t = Instant::now();
    let mut token = String::new();
    loop {
        let query = match token.as_str() {
            "" => "&limit=500".to_string(),
            t => format!("&limit=500&continue={t}"),
        };
        let page = get_table(client, path, &query).await?;
        token = page["metadata"]["continue"].as_str().unwrap_or_default().to_string();
        if token.is_empty() {
            break;
        }
    }
    Ok((times[1], rows, t.elapsed()))
}

async fn run(n: usize, idle: Duration) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("kubedeck-table-scale-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig = dir.join("kubeconfig");
    let (_server, client) = common::demo_server(BIN, &dir).await?;
    let t = Instant::now();
    load(&client, n).await?;
    let loaded = t.elapsed();
    let mut lists = Vec::new();
    for (word, path) in KINDS {
        lists.push((word, time_list(&client, path).await?));
    }
    let expect = lists.iter().map(|(_, (_, rows, _))| *rows).min().unwrap_or(0);
    let exe = std::env::current_exe()?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, &kubeconfig)
        .env(EXPECT_ENV, expect.to_string())
        .env("TABLE_SCALE_IDLE_SECS", idle.as_secs().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let pid = child.id().to_string();
    let out = child.stdout.take().expect("piped");
    let mut synced = Vec::new();
    let mut rss = 0;
    let mut idle_cpu = 0.0;
    let mut idle_requests = Vec::new();
    let mut discovery = 0.0;
    for line in std::io::BufRead::lines(std::io::BufReader::new(out)) {
        let line = line?;
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.first() {
            Some(&"synced") => synced.push((w[1].to_string(), w[2].parse::<f64>()?, w[3].parse::<usize>()?)),
            Some(&"rss") => rss = w[1].parse()?,
            Some(&"discovery") => discovery = w[1].parse()?,
            Some(&"idle") => {
                // Leave the last frame of the sync out of the idle window.
                std::thread::sleep(Duration::from_secs(1));
                let c0 = cpu_ticks(&pid);
                let r0 = common::requests_logged(&dir).len();
                std::thread::sleep(idle);
                idle_cpu = (cpu_ticks(&pid) - c0) as f64 / clock_ticks_per_sec();
                // The liveness probe's GET /version is its own budget (6 a minute).
                idle_requests = common::requests_logged(&dir).split_off(r0);
                idle_requests.retain(|p| p != "/version");
            }
            _ => {}
        }
    }
    anyhow::ensure!(child.wait()?.success(), "the headless child failed");
    println!("objects={n} per kind, created in {:.1}s", loaded.as_secs_f64());
    for ((word, (list, rows, paged)), (_, secs, shown)) in lists.iter().zip(&synced) {
        println!(
            "  :{word:<5} list={:>7.1}ms ({rows} rows) paged500={:>7.1}ms  complete table={:>7.1}ms ({shown} rows)  ratio={:.2}x",
            ms(*list),
            ms(*paged),
            secs * 1e3,
            secs * 1e3 / ms(*list)
        );
    }
    println!(
        "  rss={:.1}MiB holding both tables  idle_cpu={:.2}s/{}s  idle_requests={} (besides GET /version) {:?}",
        rss as f64 / 1024.0,
        idle_cpu,
        idle.as_secs(),
        idle_requests.len(),
        idle_requests
    );
    println!(
        "  discovery at start: {:.0}ms (the first screen does not wait for it)",
        discovery * 1e3
    );
    println!(
        "  requests answered by the server in the whole run: {}",
        common::requests_logged(&dir).len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let idle = Duration::from_secs(
        std::env::var("TABLE_SCALE_IDLE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    );
    if let Ok(kubeconfig) = std::env::var(CHILD_ENV) {
        let expect = std::env::var(EXPECT_ENV).ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        return rt.block_on(child(PathBuf::from(kubeconfig), expect, idle));
    }
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    for n in if sizes.is_empty() { vec![10_000] } else { sizes } {
        rt.block_on(run(n, idle))?;
    }
    Ok(())
}
