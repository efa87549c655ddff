//! What the benchmarks share: reading a process's memory and CPU from /proc, a client from a
//! kubeconfig file, and the sizes named on the command line.

// Each bench binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use kube::config::{KubeConfigOptions, Kubeconfig};

/// Resident memory of a process ("self" or a PID), in KiB, from /proc/PID/status.
pub fn rss_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resident memory of this process, in MiB.
pub fn rss_mib() -> f64 {
    rss_kib("self") as f64 / 1024.0
}

/// utime + stime of a process ("self" or a PID), in clock ticks.
pub fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest.split_whitespace().map(|s| s.parse().unwrap_or(0)).collect();
    f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)
}

/// The kernel's clock ticks per second, the unit of `cpu_ticks`.
pub fn clock_ticks_per_sec() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// A kube-rs client for the current context of one kubeconfig file.
pub async fn client_from(path: &Path) -> anyhow::Result<kube::Client> {
    let kc = Kubeconfig::read_from(path)?;
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await?;
    Ok(kube::Client::try_from(config)?)
}

/// The pod counts given as arguments, or 1,000, 10,000 and 100,000.
pub fn sizes() -> Vec<usize> {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        sizes
    }
}

/// A process this benchmark started, stopped by its PID when dropped.
pub struct Owned(pub Child);

impl Drop for Owned {
    fn drop(&mut self) {
        stop_pid(self.0.id());
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `bin demo-server --churn 0` writing its kubeconfig and log into `dir`, and a client for
/// it once it answers (failing after a minute rather than waiting for ever).
pub async fn demo_server(bin: &str, dir: &Path) -> anyhow::Result<(Owned, kube::Client)> {
    let kubeconfig = dir.join("kubeconfig");
    let server = Owned(
        Command::new(bin)
            .args(["demo-server", "--churn", "0", "--kubeconfig-out"])
            .arg(&kubeconfig)
            .arg("--log-file")
            .arg(dir.join("demo-server.log"))
            // Every request it answers, in its log (see `requests_logged`).
            .env("KUBEDECK_LOG", "info,kubedeck_sim::server=debug")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?,
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(c) = client_from(&kubeconfig).await
            && c.apiserver_version().await.is_ok()
        {
            return Ok((server, c));
        }
        anyhow::ensure!(Instant::now() < deadline, "demo-server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The paths of the requests a [`demo_server`] started in `dir` has answered so far, in order.
pub fn requests_logged(dir: &Path) -> Vec<String> {
    let log = std::fs::read_to_string(dir.join("demo-server.log")).unwrap_or_default();
    log.lines()
        .filter(|l| l.contains(" request"))
        .filter_map(|l| {
            l.split_once("path=")
                .map(|(_, p)| p.split_whitespace().next().unwrap_or("").to_string())
        })
        .collect()
}

/// SIGTERM one PID and wait (bounded) for it to go away.
pub fn stop_pid(pid: u32) {
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        // A zombie child keeps its /proc entry until waited for; its state is 'Z'.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat
            .rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
