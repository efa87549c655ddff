//! Workloads' CPU and MEM against the demo's metrics-server: a Deployment's is the sum over its
//! ReplicaSets' pods of the PodMetrics sample, a StatefulSet's over its own pods, from one LIST of
//! the namespace's PodMetrics per interval (never a request per pod).

mod common;

use std::time::{Duration, Instant};

use common::eventually;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kubedeck::cluster::Kind;
use kubedeck::store::usage::used_of;
use sim::DemoCluster;

/// The summed CPU (millicores) and memory (bytes) of the pods `owned` selects, from one LIST.
async fn summed(client: &kube::Client, ns: &str, owned: impl Fn(&Pod) -> bool) -> Option<(i128, i128)> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics"),
        "pods",
    );
    let metrics: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let (list, pods) = (
        metrics.list(&ListParams::default()).await.ok()?,
        pods.list(&ListParams::default()).await.ok()?,
    );
    let mut sum = (0, 0);
    for p in pods.items.iter().filter(|p| owned(p)) {
        // A pod not running has no metrics: it adds nothing, as in kubedeck.
        let Some(m) = list.items.iter().find(|m| m.metadata.name == p.metadata.name) else {
            continue;
        };
        let u = used_of(&m.data);
        sum = (sum.0 + u.cpu, sum.1 + u.mem);
    }
    Some(sum)
}

fn owner_uids(p: &Pod) -> Vec<String> {
    p.metadata
        .owner_references
        .iter()
        .flatten()
        .map(|o| o.uid.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployments_statefulsets_and_daemonsets_show_the_sum_of_their_pods_usage() {
    let c = DemoCluster::start(common::fast_opts()).await.unwrap();
    let (mut h, dir) = common::headless(&c, "usage-workloads", 200, 40).await;
    let interval = Duration::from_millis(500);
    h.set_metrics_interval(interval);
    let client = h.client();
    let cols = kubedeck::store::enrichers::columns(Kind::Deployment);
    let (cpu, mem) = (cols[0].2, cols[1].2);

    common::typed(&mut h, ":deploy shop\r");
    let rss: Api<ReplicaSet> = Api::namespaced(client.clone(), "shop");
    eventually(30, "web's CPU and MEM equal to its pods' summed sample", || {
        h.frame().unwrap();
        let web = h.state.top().table.rows.iter().find(|r| r.name == "web").cloned();
        let (client, rss) = (client.clone(), rss.clone());
        async move {
            let web = web?;
            let owned: Vec<String> = rss
                .list(&ListParams::default())
                .await
                .ok()?
                .items
                .into_iter()
                .filter(|rs| rs.metadata.owner_references.iter().flatten().any(|o| o.uid == web.key))
                .filter_map(|rs| rs.metadata.uid)
                .collect();
            let (c, m) = summed(&client, "shop", |p| owner_uids(p).iter().any(|u| owned.contains(u))).await?;
            (c > 0
                && web.cells.get(cpu).map_or("", |t| t.as_str()) == format!("{c}m")
                && web.cells.get(mem).map_or("", |t| t.as_str()) == format!("{}Mi", m >> 20))
            .then_some(())
        }
    })
    .await;
    // One LIST of the namespace's PodMetrics per interval, however many pods.
    let (before, start) = (c.faults().metrics_reads(), Instant::now());
    let until = start + Duration::from_secs(2);
    while Instant::now() < until {
        h.frame().unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let asked = c.faults().metrics_reads() - before;
    let most = (start.elapsed().as_millis() / interval.as_millis()) as u64 + 1;
    assert!(
        asked >= 1 && asked <= most,
        "{asked} in {:?}, at most {most}",
        start.elapsed()
    );

    // A StatefulSet's and a DaemonSet's own pods.
    for (command, kind, ns) in [
        (":sts payments\r", Kind::StatefulSet, "payments"),
        (":ds monitoring\r", Kind::DaemonSet, "monitoring"),
    ] {
        common::typed(&mut h, command);
        let cpu = kubedeck::store::enrichers::columns(kind)[0].2;
        eventually(
            30,
            &format!("each {kind:?}'s CPU equal to its pods' summed sample"),
            || {
                h.frame().unwrap();
                let rows = h.state.top().table.rows.clone();
                let client = client.clone();
                async move {
                    let mut measured = 0;
                    for w in &rows {
                        let (c, _) = summed(&client, ns, |p| owner_uids(p).contains(&w.key)).await?;
                        if c > 0 {
                            measured += 1;
                            (w.cells.get(cpu)?.as_str() == format!("{c}m")).then_some(())?;
                        }
                    }
                    (measured > 0).then_some(())
                }
            },
        )
        .await;
    }
    h.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
