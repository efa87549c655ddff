//! Triage at scale, pure (no cluster): N pods (default 10,000; 1 in 50 in trouble: crash loops,
//! image pulls, OOM kills, unschedulable), N/10 Deployments and Services with their EndpointSlices,
//! 100 nodes and N/10 Warning events. Measures a full recompute of every rule (what `:triage` does
//! at most twice a second, and the header when a watch moved), the cost of one watch event (one
//! pod projected, facts included, and its rules run: what an incremental update pays), and the
//! memory the facts and the findings take. Then the header's counts kept up to date
//! (`store::live`): the first read, a watch event's recount, a recount as the time moves.
//!
//! Run: `cargo bench --bench triage_scale [N…]`. Prints figures; asserts nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kubedeck::cluster::Kind;
use model::Row;
use model::triage::{self, Ctx};
use serde_json::{Value, json};

mod common;
use common::rss_kib;

fn at(secs_ago: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs_ago)).to_string()
}

fn obj<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// Pod `i`: running and ready, or (1 in 50) in one of four troubles.
fn pod(i: usize) -> Pod {
    let app = format!("app-{}", i / 10);
    let running = json!({"name": "c", "image": "i", "imageID": "", "ready": true, "restartCount": 0,
        "state": {"running": {"startedAt": at(3000)}}});
    let status = match (i % 50, i % 200) {
        (7, 7) => {
            json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false,
            "restartCount": 9, "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": at(60)}}}]})
        }
        (7, 57) => {
            json!({"phase": "Pending", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false,
            "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image"}}}]})
        }
        (7, 107) => {
            json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true,
            "restartCount": 1, "state": {"running": {"startedAt": at(100)}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": at(101)}}}]})
        }
        (7, _) => {
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": "0/100 nodes are available: 100 node(s) didn't match Pod's node affinity/selector.", "lastTransitionTime": at(300)}]})
        }
        _ => {
            json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [running]})
        }
    };
    obj(
        json!({"metadata": {"name": format!("{app}-{i}"), "namespace": format!("ns-{}", i % 20), "uid": format!("pod-{i}"),
        "creationTimestamp": at(3600), "labels": {"app": app}},
        "spec": {"containers": [{"name": "c", "image": "i"}], "nodeName": format!("node-{}", i % 100)},
        "status": status}),
    )
}

fn world(n: usize) -> Vec<(Kind, Vec<Arc<Row>>)> {
    let pods: Vec<Arc<Row>> = (0..n).map(|i| Arc::new(model::rows::pod(&pod(i)))).collect();
    let nodes = (0..100)
        .map(|i| {
            let ready = if i == 99 { "Unknown" } else { "True" };
            let n: Node = obj(json!({"metadata": {"name": format!("node-{i}"), "uid": format!("node-{i}")},
                "status": {"conditions": [{"type": "Ready", "status": ready}, {"type": "MemoryPressure", "status": "False"}]}}));
            Arc::new(model::rows::node(&n))
        })
        .collect();
    let apps = n / 10;
    let deployments = (0..apps)
        .map(|i| {
            let d: Deployment = obj(json!({"metadata": {"name": format!("app-{i}"), "namespace": format!("ns-{}", i % 20), "uid": format!("d-{i}")},
                "spec": {"replicas": 10, "selector": {}, "template": {}}, "status": {"replicas": 10, "availableReplicas": 10}}));
            Arc::new(model::rows::deployment(&d))
        })
        .collect();
    let services = (0..apps)
        .map(|i| {
            let s: Service = obj(json!({"metadata": {"name": format!("app-{i}"), "namespace": format!("ns-{}", i % 20), "uid": format!("s-{i}")},
                "spec": {"selector": {"app": format!("app-{i}")}, "ports": [{"port": 80}]}}));
            Arc::new(model::rows::service(&s))
        })
        .collect();
    let slices = (0..apps)
        .map(|i| {
            let eps: Vec<Value> = (0..10)
                .map(|k| json!({"addresses": [format!("10.0.{i}.{k}")], "conditions": {"ready": true},
                    "targetRef": {"kind": "Pod", "uid": format!("pod-{}", i * 10 + k)}}))
                .collect();
            let s: EndpointSlice = obj(json!({"metadata": {"name": format!("app-{i}-x"), "namespace": format!("ns-{}", i % 20),
                "labels": {"kubernetes.io/service-name": format!("app-{i}")}}, "addressType": "IPv4", "endpoints": eps}));
            Arc::new(model::rows::endpoint_slice(&s))
        })
        .collect();
    let events = (0..apps)
        .map(|i| {
            let reason = if i % 10 == 0 { "Unhealthy" } else { "BackOff" };
            let e: Event = obj(json!({"metadata": {"name": format!("e-{i}"), "namespace": format!("ns-{}", i % 20), "uid": format!("e-{i}")},
                "involvedObject": {"kind": "Pod", "name": format!("app-{i}-{}", i * 10)}, "type": "Warning", "reason": reason,
                "message": "Readiness probe failed: HTTP probe failed with statuscode: 503", "count": 3,
                "firstTimestamp": at(500), "lastTimestamp": at(20)}));
            Arc::new(model::rows::event(&e))
        })
        .collect();
    vec![
        (Kind::Pod, pods),
        (Kind::Node, nodes),
        (Kind::Deployment, deployments),
        (Kind::Service, services),
        (Kind::EndpointSlice, slices),
        (Kind::Event, events),
    ]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn run(n: usize) {
    let before = rss_kib("self");
    let lists = world(n);
    let built = rss_kib("self");
    let with_facts = lists[0].1.iter().filter(|r| r.facts.is_some()).count();
    let now = jiff::Timestamp::now().as_second();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..15 {
        let t = Instant::now();
        let findings = kubedeck::store::findings::evaluate(&lists, now, None);
        times.push(t.elapsed());
        found = findings.len();
    }
    let full = median(times);
    let after = rss_kib("self");
    // One watch event: the pod's projection (its facts included) and its rules.
    let ctx = Ctx::at(now);
    let sample: Vec<Pod> = (0..1000).map(pod).collect();
    let t = Instant::now();
    let mut hits = 0;
    for p in &sample {
        let row = model::rows::pod(p);
        hits += triage::check(Kind::Pod, &row, &ctx).count();
    }
    let per_event = t.elapsed() / sample.len() as u32;
    let rules_only = {
        let rows: Vec<Row> = sample.iter().map(model::rows::pod).collect();
        let t = Instant::now();
        for r in &rows {
            std::hint::black_box(triage::check(Kind::Pod, r, &ctx).count());
        }
        t.elapsed() / rows.len() as u32
    };
    println!(
        "pods {n}: full recompute {:.1} ms (median of 15; {found} findings); per watch event {:.1} µs \
         (projection with facts + rules), rules alone {:.2} µs; {with_facts} pod rows with facts; \
         RSS of the rows {:.1} MiB, +{:.1} MiB after evaluating ({hits} hits in the sample)",
        full.as_secs_f64() * 1e3,
        per_event.as_secs_f64() * 1e6,
        rules_only.as_secs_f64() * 1e6,
        (built - before) as f64 / 1024.0,
        after.saturating_sub(built) as f64 / 1024.0,
    );
}

/// The header's counts kept up to date (`store::live`) over the same lists, each in a row store as
/// the watches fill them: the first read (every row), a watch event (one pod changed, then the
/// recount), and a recount when only the time moved.
fn live(n: usize) {
    use kube::runtime::watcher::Event as Ev;
    use kubedeck::cluster::Scope;
    use kubedeck::cluster::rows::RowStore;
    use kubedeck::store::live::{Live, Role};
    let lists = world(n);
    let stores: Vec<_> = lists
        .iter()
        .map(|(kind, rows)| {
            let store = RowStore::default();
            store.apply_rows(&mut Ev::Init);
            for r in rows {
                store.apply_rows(&mut Ev::InitApply(r.as_ref().clone()));
            }
            store.apply_rows(&mut Ev::InitDone);
            let role = match kind {
                Kind::Pod => Role::Pods,
                Kind::Node => Role::Nodes,
                Kind::Event => Role::Warnings,
                _ => Role::Rules,
            };
            ((*kind, Scope::All, None), role, store)
        })
        .collect();
    let read: Vec<_> = stores.iter().map(|(w, r, _)| (w.clone(), *r)).collect();
    let source = |w: &(Kind, Scope, Option<&'static str>), m| {
        stores.iter().find(|(x, _, _)| x == w).map(|(_, _, s)| s.changes(m))
    };
    let mut now = jiff::Timestamp::now().as_second();
    let mut engine = Live::default();
    let t = Instant::now();
    engine.update(&read, now, source);
    let first = t.elapsed();
    let pods = &stores[0].2;
    let mut events = Vec::new();
    for i in 0..200 {
        let mut row = lists[0].1[(i * 7919) % n].as_ref().clone();
        let touch = [("touch".into(), i.to_string().into())];
        row.labels = row.labels.iter().cloned().chain(touch).collect();
        pods.apply_rows(&mut Ev::Apply(row));
        let t = Instant::now();
        engine.update(&read, now, source);
        events.push(t.elapsed());
    }
    let mut ticks = Vec::new();
    for _ in 0..60 {
        now += 1;
        let t = Instant::now();
        engine.update(&read, now, source);
        ticks.push(t.elapsed());
    }
    println!(
        "pods {n}, header counts kept up to date: first read {:.1} ms; a watch event's recount {:.1} µs \
         (median of 200); a recount as the time moves {:.1} µs (median of 60); problems {:?}",
        first.as_secs_f64() * 1e3,
        median(events).as_secs_f64() * 1e6,
        median(ticks).as_secs_f64() * 1e6,
        engine.counts(),
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    for n in if sizes.is_empty() { vec![10_000] } else { sizes } {
        run(n);
        live(n);
    }
}
