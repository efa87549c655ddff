//! The usage columns against the demo's metrics-server: the pods table shows what the metrics API
//! returned in the same sample, asks once per interval for the shown namespace and never when no
//! usage column is on screen, and says `n/a` once when the API is gone, without a retry storm.

mod common;

use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kubedeck::cluster::Kind;
use kubedeck::store::usage::used_of;
use sim::DemoCluster;

/// The CPU and MEMORY cells `kubectl top pods` prints for a PodMetrics, computed here apart from
/// kubedeck's code: the containers' quantities summed exactly, CPU as `MilliValue()` (rounded up)
/// with `m`, memory as whole MiB (`Value() / (1024*1024)`) with `Mi`.
fn kubectl_top(m: &serde_json::Value) -> (String, String) {
    let scaled = |q: &str, units: &[(&str, i128)]| -> i128 {
        let (digits, scale) = units
            .iter()
            .find_map(|(suffix, scale)| q.strip_suffix(suffix).map(|d| (d, *scale)))
            .unwrap_or((q, units.last().unwrap().1));
        digits.parse::<i128>().unwrap() * scale
    };
    let (mut nanos, mut bytes) = (0i128, 0i128);
    for c in m["containers"].as_array().unwrap() {
        let cpu = c["usage"]["cpu"].as_str().unwrap();
        nanos += scaled(cpu, &[("n", 1), ("u", 1_000), ("m", 1_000_000), ("", 1_000_000_000)]);
        let mem = c["usage"]["memory"].as_str().unwrap();
        bytes += scaled(mem, &[("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("", 1)]);
    }
    (
        format!("{}m", (nanos + 999_999) / 1_000_000),
        format!("{}Mi", bytes / (1024 * 1024)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pods_show_the_sample_the_metrics_api_returned_asking_once_per_interval() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "usage", 220, 40).await;
    let interval = Duration::from_millis(500);
    h.set_metrics_interval(interval);
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics"),
        "pods",
    );
    let metrics: Api<DynamicObject> = Api::namespaced_with(h.client(), "shop", &ar);
    let cols = kubedeck::store::enrichers::columns(Kind::Pod);
    let titles: Vec<&str> = cols.iter().map(|c| c.0).collect();
    assert_eq!(
        titles,
        ["CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L", "CPU TREND"]
    );
    let (cpu, mem) = (cols[0].2, cols[1].2);

    common::typed(&mut h, ":po shop\r");
    // Within one sample, the table's CPU and MEM are what the API lists (kubectl top's numbers).
    common::eventually(30, "pods' CPU/MEM equal to the metrics API's sample", || {
        h.frame().unwrap();
        let table = h.state.top().table.clone();
        let metrics = metrics.clone();
        async move {
            let list = metrics.list(&ListParams::default()).await.ok()?;
            let mut seen = 0;
            for m in &list.items {
                let row = table
                    .rows
                    .iter()
                    .find(|r| m.metadata.name.as_deref() == Some(r.name.as_str()))?;
                let (top_cpu, top_mem) = kubectl_top(&m.data);
                if table.cell(row, cpu) != top_cpu || table.cell(row, mem) != top_mem {
                    return None;
                }
                seen += 1;
            }
            // A web pod too, which the assertions below read (on a loaded machine the pods that
            // have a sample may not include one yet).
            let web = table.rows.iter().any(|r| r.name.starts_with("web-"));
            (seen >= 6 && web).then_some(())
        }
    })
    .await;
    let screen = h.screen();
    assert!(screen.contains("%CPU/R") && screen.contains("%MEM/L"), "{screen}");
    // A web pod: requests 50m/64Mi, memory limit 64Mi, no CPU limit: %CPU/L stays empty.
    let table = &h.state.top().table;
    let web = table.rows.iter().find(|r| r.name.starts_with("web-")).unwrap();
    let (cpu_r, cpu_l) = (table.cell(web, cols[2].2), table.cell(web, cols[3].2));
    assert!(cpu_r.parse::<u32>().is_ok() && cpu_l.is_empty(), "{cpu_r:?} {cpu_l:?}");

    // One LIST per interval for the one namespace shown.
    let (before, start) = (c.faults().metrics_reads(), Instant::now());
    common::stay(&mut h, Duration::from_secs(3)).await;
    let asked = c.faults().metrics_reads() - before;
    let most = (start.elapsed().as_millis() / interval.as_millis()) as u64 + 1;
    assert!(
        asked >= 2 && asked <= most,
        "{asked} LISTs in {:?}, at most {most}",
        start.elapsed()
    );

    // Nodes: CPU and MEM as `kubectl top nodes`, and % of allocatable.
    let nodes: Api<DynamicObject> = Api::all_with(
        h.client(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "NodeMetrics"),
            "nodes",
        ),
    );
    let ncols = kubedeck::store::enrichers::columns(Kind::Node);
    let titles: Vec<&str> = ncols.iter().map(|c| c.0).collect();
    assert_eq!(
        titles,
        ["CPU", "MEM", "%CPU/A", "%MEM/A", "CPU TREND", "CPU R/L", "MEM R/L"]
    );
    common::typed(&mut h, ":no\r");
    common::eventually(30, "nodes' CPU/MEM equal to the metrics API's sample", || {
        h.frame().unwrap();
        let table = h.state.top().table.clone();
        let (nodes, cpu, pct) = (nodes.clone(), ncols[0].2, ncols[2].2);
        async move {
            let list = nodes.list(&ListParams::default()).await.ok()?;
            let all = list.items.iter().all(|m| {
                let row = table
                    .rows
                    .iter()
                    .find(|r| m.metadata.name.as_deref() == Some(r.name.as_str()));
                row.is_some_and(|r| {
                    table.cell(r, cpu) == format!("{}m", used_of(&m.data).cpu)
                        && table.cell(r, pct).parse::<u32>().is_ok()
                })
            });
            (all && list.items.len() == 4).then_some(())
        }
    })
    .await;

    // Allocated resources as `kubectl describe node` sums them: the requests of the pods bound to
    // the node that have not ended, here worker-1's CPU requests, summed from the API's pods.
    let alloc = ncols[5].2;
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::all(h.client());
    common::eventually(30, "worker-1's CPU R/L equal to its pods' requests", || {
        h.frame().unwrap();
        let rows = h.state.top().table.rows.clone();
        let pods = pods.clone();
        async move {
            let on = ListParams::default().fields("spec.nodeName=worker-1");
            let mut req = 0i128;
            for p in pods.list(&on).await.ok()?.items {
                let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
                if matches!(phase, Some("Succeeded" | "Failed")) {
                    continue;
                }
                if let model::quantity::Capacity::Pod { cpu_request, .. } = model::quantity::pod_capacity(&p) {
                    req += i128::from(cpu_request.unwrap_or(0));
                }
            }
            let row = rows.iter().find(|r| r.name == "worker-1")?;
            let cell = row.cells.get(alloc).map_or("", model::rows::Text::as_str);
            (req > 0 && cell.starts_with(&format!("{req}m/")) && cell.ends_with("%)")).then_some(())
        }
    })
    .await;

    // No usage column on screen: no metrics request at all.
    common::typed(&mut h, ":svc\r");
    h.frame().unwrap();
    let before = c.faults().metrics_reads();
    common::stay(&mut h, Duration::from_secs(2)).await;
    assert_eq!(c.faults().metrics_reads(), before);

    // The API gone: n/a once in the header, empty cells, still one request per interval.
    c.faults().set_metrics_unavailable(true);
    common::typed(&mut h, ":po shop\r");
    common::eventually(30, "the header says n/a", || {
        h.frame().unwrap();
        std::future::ready(h.screen().contains("n/a (metrics API not available)").then_some(()))
    })
    .await;
    let (before, start) = (c.faults().metrics_reads(), Instant::now());
    common::stay(&mut h, Duration::from_secs(2)).await;
    let asked = c.faults().metrics_reads() - before;
    assert!(
        asked <= (start.elapsed().as_millis() / interval.as_millis()) as u64 + 1,
        "{asked}"
    );
    let screen = h.screen();
    assert_eq!(screen.matches("n/a").count(), 1, "{screen}");
    let table = &h.state.top().table;
    assert!(table.rows.iter().all(|r| table.cell(r, cpu).is_empty()));
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
