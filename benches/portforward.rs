//! Port-forward throughput and latency: a forward started as kubedeck starts it (the real session
//! behind `F`, each accepted connection its own kube-rs port-forward WebSocket) to a demo pod's
//! HTTP responder, against a direct loopback TCP connection to the same responder. Prints MB/s of
//! one keep-alive connection fetching large bodies, and the latency (median, p99) of rounds of 100
//! concurrent connections of one request each, with the time to open a connection on its own.
//!
//! Run: `cargo bench --bench portforward`; `PF_MB` (default 256) sets the megabytes fetched per
//! side, `PF_ROUNDS` (default 5) the rounds of 100 connections. The demo cluster runs in this
//! process: its side of the WebSocket shares the CPU with the client's, as a kubelet would not.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubedeck::app::Effect;
use kubedeck::app::portforward::PfSpec;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::Kind;
use kubedeck::cluster::ops::ObjRef;
use serde_json::json;
use sim::{DemoCluster, Origin, SimOptions, res};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Bytes per `/bytes/N` request of the throughput run.
const BODY: usize = 8 << 20;

/// Sends one request on `s` (kept alive) and reads its response whole; the body's length.
async fn request(s: &mut TcpStream, path: &str, close: bool, buf: &mut Vec<u8>) -> usize {
    let conn = if close { "close" } else { "keep-alive" };
    let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: {conn}\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    buf.clear();
    let mut chunk = vec![0u8; 256 << 10];
    let (head, len) = loop {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the headers");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .expect("a Content-Length");
            break (end + 4, len);
        }
    };
    let mut have = buf.len() - head;
    while have < len {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed in the body");
        have += n;
    }
    len
}

/// MB/s fetching `total` bytes on one keep-alive connection to `addr`.
async fn throughput(addr: SocketAddr, total: usize) -> f64 {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let mut buf = Vec::new();
    // One warm-up request (the forward's WebSocket opens on the first bytes).
    request(&mut s, "/bytes/1", false, &mut buf).await;
    let start = Instant::now();
    let mut got = 0;
    while got < total {
        got += request(&mut s, &format!("/bytes/{BODY}"), false, &mut buf).await;
    }
    got as f64 / 1e6 / start.elapsed().as_secs_f64()
}

/// Latencies of `rounds` rounds of 100 concurrent connections (connect, one request, close).
async fn concurrent(addr: SocketAddr, rounds: usize) -> Vec<Duration> {
    let mut all = Vec::new();
    for _ in 0..rounds {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..100 {
            set.spawn(async move {
                let start = Instant::now();
                let mut s = TcpStream::connect(addr).await.unwrap();
                s.set_nodelay(true).unwrap();
                request(&mut s, &format!("/c/{i}"), true, &mut Vec::new()).await;
                start.elapsed()
            });
        }
        while let Some(d) = set.join_next().await {
            all.push(d.unwrap());
        }
    }
    all.sort();
    all
}

/// One connection at a time: what opening one costs.
async fn sequential(addr: SocketAddr, n: usize) -> Duration {
    let mut all = Vec::new();
    for i in 0..n {
        let start = Instant::now();
        let mut s = TcpStream::connect(addr).await.unwrap();
        request(&mut s, &format!("/s/{i}"), true, &mut Vec::new()).await;
        all.push(start.elapsed());
    }
    all.sort();
    all[n / 2]
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mb: usize = env_or("PF_MB", 256);
    let rounds: usize = env_or("PF_ROUNDS", 5);
    let c = DemoCluster::start(SimOptions::default()).await?;
    let dir = std::env::temp_dir().join(format!("kubedeck-pf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig: PathBuf = dir.join("kubeconfig");
    c.write_kubeconfig(&kubeconfig)?;
    let pod = json!({
        "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "bench"}},
        "spec": {"nodeName": "worker-1", "containers": [{"name": "app", "image": "nginx:1.27",
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2026-12-05T00:00:00Z"}}}]}
    });
    c.store()
        .create(res("Pod"), pod, Origin::Internal)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;

    // The forward, as `F` starts it.
    let mut h = Headless::driven(&kubeconfig, None, 120, 30).await?;
    let spec = PfSpec {
        id: kubedeck::app::effect::next_session(),
        target: ObjRef::new(Kind::Pod, "default", "web-1"),
        local: "127.0.0.1:0".parse()?,
        remote: 8080,
    };
    h.state.forwards.push(kubedeck::app::portforward::Forward {
        spec: spec.clone(),
        bound: None,
        pod: None,
        stats: Default::default(),
        last_error: None,
        since: 0,
    });
    h.perform(vec![Effect::PortForward(Box::new(spec))]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let forwarded = loop {
        if let Some(a) = h.state.forwards.first().and_then(|f| f.bound) {
            break a;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the forward never listened: {:?}",
            h.state.messages
        );
        h.pump(Duration::from_millis(50)).await?;
    };

    // The same responder on a plain loopback socket.
    let direct_l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let direct = direct_l.local_addr()?;
    tokio::spawn(async move {
        while let Ok((s, _)) = direct_l.accept().await {
            tokio::spawn(sim::http_responder::serve_tcp("web-1", s));
        }
    });

    println!(
        "port-forward bench: {mb} MB per side in {} MiB bodies, {rounds} rounds of 100 concurrent connections",
        BODY >> 20
    );
    let total = mb * 1_000_000;
    let d_mbs = throughput(direct, total).await;
    let f_mbs = throughput(forwarded, total).await;
    println!(
        "throughput (one connection):  direct {d_mbs:8.1} MB/s   forward {f_mbs:8.1} MB/s   ({:.1}x slower)",
        d_mbs / f_mbs
    );
    let d = concurrent(direct, rounds).await;
    let f = concurrent(forwarded, rounds).await;
    println!(
        "100 concurrent connections:   direct median {:6.2} ms p99 {:6.2} ms   forward median {:6.2} ms p99 {:6.2} ms",
        pct(&d, 0.5),
        pct(&d, 0.99),
        pct(&f, 0.5),
        pct(&f, 0.99)
    );
    let (ds, fs) = (sequential(direct, 50).await, sequential(forwarded, 50).await);
    println!(
        "one connection alone (median of 50): direct {:.2} ms   forward {:.2} ms (its own WebSocket: TLS, upgrade, port frames)",
        ds.as_secs_f64() * 1e3,
        fs.as_secs_f64() * 1e3
    );
    h.pump(Duration::from_millis(600)).await?;
    while h.pump(Duration::from_millis(10)).await? {}
    let s = h.state.forwards[0].stats;
    println!(
        ":pf counters: {} connections, {} errors, {:.1} MB in, {:.1} KB out",
        s.total,
        s.errors,
        s.bytes_in as f64 / 1e6,
        s.bytes_out as f64 / 1e3
    );
    c.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
