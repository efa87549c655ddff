//! The log readers against the demo cluster: tail + follow, previous, errors in words, reconnect after a
//! dropped connection with no gap and no duplicate, and stern-like following of a scaled deployment.

mod common;

use std::collections::HashMap;

use common::{cluster_with_ns, eventually, running_pod};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams, Patch, PatchParams, PostParams};
use kubedeck::cluster::Kind;
use kubedeck::cluster::logs::{self, Event, Line, Params, SourceState, Tagged, Target};
use serde_json::json;
use sim::Origin;
use sim::res;
use tokio::sync::mpsc;

/// Everything a session reported so far.
#[derive(Default)]
struct Seen {
    sources: HashMap<u32, (String, String)>,
    states: HashMap<u32, Vec<SourceState>>,
    lines: HashMap<u32, Vec<Line>>,
    target: Option<String>,
}

impl Seen {
    fn take(&mut self, rx: &mut mpsc::Receiver<Tagged>) {
        while let Ok((_, e)) = rx.try_recv() {
            match e {
                Event::Source { id, pod, container } => {
                    self.sources.insert(id, (pod, container));
                }
                Event::State { id, state } => self.states.entry(id).or_default().push(state),
                Event::Lines(ls) => {
                    for l in ls {
                        self.lines.entry(l.source).or_default().push(l);
                    }
                }
                Event::Target(t) => self.target = t,
            }
        }
    }

    fn count(&self, id: u32) -> usize {
        self.lines.get(&id).map_or(0, Vec::len)
    }

    fn last_state(&self, id: u32) -> Option<&SourceState> {
        self.states.get(&id).and_then(|v| v.last())
    }

    fn id_of(&self, pod: &str) -> Option<u32> {
        self.sources.iter().find(|(_, (p, _))| p == pod).map(|(id, _)| *id)
    }
}

/// Read events until `done` holds, failing after `secs`.
async fn until(seen: &mut Seen, rx: &mut mpsc::Receiver<Tagged>, secs: u64, what: &str, done: impl Fn(&Seen) -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        seen.take(rx);
        if done(seen) {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {secs}s waiting for: {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn pod_target(name: &str) -> Target {
    Target::Pod {
        namespace: "logs".into(),
        name: name.into(),
        container: None,
    }
}

/// The server's own lines (with timestamps) of a pod, as the reference.
async fn server_lines(pods: &Api<Pod>, name: &str) -> Vec<String> {
    let lp = LogParams {
        timestamps: true,
        ..Default::default()
    };
    pods.logs(name, &lp).await.unwrap().lines().map(String::from).collect()
}

fn rendered(l: &Line) -> String {
    format!("{} {}", l.ts.unwrap().strftime("%Y-%m-%dT%H:%M:%S%.fZ"), l.text)
}

#[tokio::test]
async fn tail_then_follow_in_order_and_previous_with_its_errors() {
    let (c, client) = cluster_with_ns("logs").await;
    c.store()
        .create(res("Pod"), running_pod("api-1", 1, 20), Origin::Internal)
        .unwrap();
    c.store()
        .create(res("Pod"), running_pod("fresh", 0, 20), Origin::Internal)
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");

    let (tx, mut rx) = mpsc::channel(16);
    let params = Params {
        tail: Some(5),
        ..Params::default()
    };
    let cancel = logs::start(client.clone(), pod_target("api-1"), params, 1, tx);
    let mut seen = Seen::default();
    until(&mut seen, &mut rx, 10, "tail 5 then 20 followed lines", |s| {
        s.count(0) >= 25
    })
    .await;
    let got: Vec<String> = seen.lines[&0].iter().map(rendered).collect();
    let reference = server_lines(&pods, "api-1").await;
    let at = reference
        .iter()
        .position(|l| *l == got[0])
        .expect("first line is the server's");
    assert!(
        reference.len() - at >= 25,
        "the tail started 5 lines before the end when we connected"
    );
    assert_eq!(
        got[..],
        reference[at..at + got.len()],
        "followed lines are the server's, in order, none missing"
    );
    assert_eq!(seen.sources[&0], ("api-1".to_string(), "app".to_string()));
    cancel.cancel();

    // The previous run: all of it, ending with its last words, then the source ends.
    let (tx, mut rx) = mpsc::channel(16);
    let params = Params {
        previous: true,
        tail: None,
        ..Params::default()
    };
    let _c = logs::start(client.clone(), pod_target("api-1"), params.clone(), 2, tx);
    let mut seen = Seen::default();
    until(&mut seen, &mut rx, 10, "previous run read to its end", |s| {
        s.last_state(0) == Some(&SourceState::Ended)
    })
    .await;
    assert_eq!(seen.count(0), 30 * 20 + 1 + 2);
    assert!(seen.lines[&0].last().unwrap().text.contains("fatal"));

    // No previous run: the server's words, not an endless wait.
    let (tx, mut rx) = mpsc::channel(16);
    let _c = logs::start(client.clone(), pod_target("fresh"), params, 3, tx);
    let mut seen = Seen::default();
    until(&mut seen, &mut rx, 10, "refusal", |s| {
        matches!(s.last_state(0), Some(SourceState::Failed(_)))
    })
    .await;
    assert_eq!(
        seen.last_state(0),
        Some(&SourceState::Failed(
            "previous terminated container \"app\" in pod \"fresh\" not found".into()
        ))
    );

    // A pod that does not exist, and one whose container has not started.
    let (tx, mut rx) = mpsc::channel(16);
    let _c = logs::start(client.clone(), pod_target("nope"), Params::default(), 4, tx);
    let mut seen = Seen::default();
    until(&mut seen, &mut rx, 10, "not found", |s| s.target.is_some()).await;
    assert_eq!(seen.target.as_deref(), Some("pods \"nope\" not found"));
    let mut waiting = running_pod("starting", 0, 20);
    waiting["status"]["containerStatuses"][0]["state"] = json!({"waiting": {"reason": "ContainerCreating"}});
    c.store().create(res("Pod"), waiting, Origin::Internal).unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let _c = logs::start(client.clone(), pod_target("starting"), Params::default(), 5, tx);
    let mut seen = Seen::default();
    until(
        &mut seen,
        &mut rx,
        10,
        "waiting",
        |s| matches!(s.last_state(0), Some(SourceState::Waiting(m)) if m.contains("is waiting to start")),
    )
    .await;

    // 403 for a restricted user, said as such.
    c.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "pods".into(),
        namespace: None,
    });
    let jane = c.client_for(sim::RESTRICTED_CONTEXT).await.unwrap();
    let (tx, mut rx) = mpsc::channel(16);
    let _c = logs::start(
        jane,
        Target::Workload {
            kind: Kind::Deployment,
            namespace: "logs".into(),
            name: "x".into(),
        },
        Params::default(),
        6,
        tx,
    );
    let mut seen = Seen::default();
    until(&mut seen, &mut rx, 10, "forbidden", |s| s.target.is_some()).await;
    let _ = seen.target.as_deref().unwrap();
    c.stop().await;
}

#[tokio::test]
async fn dropped_connections_resume_with_no_gap_and_no_duplicate() {
    let (c, client) = cluster_with_ns("logs").await;
    // 200 lines a second: several lines share each second, so the resume must skip by content too.
    c.store()
        .create(res("Pod"), running_pod("busy", 0, 200), Origin::Internal)
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let (tx, mut rx) = mpsc::channel(16);
    let params = Params {
        tail: Some(10),
        ..Params::default()
    };
    let _cancel = logs::start(client.clone(), pod_target("busy"), params, 1, tx);
    let mut seen = Seen::default();
    for round in 1..=3 {
        let before = seen.count(0);
        until(&mut seen, &mut rx, 10, "lines before the drop", |s| {
            s.count(0) >= before + 100
        })
        .await;
        c.faults().drop_logs();
        until(&mut seen, &mut rx, 10, "a reconnect", |s| {
            s.states[&0]
                .iter()
                .filter(|st| matches!(st, SourceState::Reconnecting(_)))
                .count()
                >= round
        })
        .await;
    }
    let before = seen.count(0);
    until(&mut seen, &mut rx, 10, "lines after the last drop", |s| {
        s.count(0) >= before + 200
    })
    .await;
    let got: Vec<String> = seen.lines[&0].iter().map(rendered).collect();
    let reference = server_lines(&pods, "busy").await;
    let at = reference
        .iter()
        .position(|l| *l == got[0])
        .expect("first line is the server's");
    assert_eq!(
        got[..],
        reference[at..at + got.len()],
        "across three dropped connections: every line once, in order"
    );
    c.stop().await;
}

#[tokio::test]
async fn a_deployment_is_followed_across_scale_up_and_down() {
    let (c, client) = cluster_with_ns("logs").await;
    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "logs");
    let d: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}, "annotations": {"sim.kubedeck.io/log-rate": "20"}},
                "spec": {"containers": [{"name": "web", "image": "shop/web:1.0"}]}}}
    }))
    .unwrap();
    deploys.create(&PostParams::default(), &d).await.unwrap();
    let (tx, mut rx) = mpsc::channel(64);
    let target = Target::Workload {
        kind: Kind::Deployment,
        namespace: "logs".into(),
        name: "web".into(),
    };
    let _cancel = logs::start(client.clone(), target, Params::default(), 1, tx);
    let mut seen = Seen::default();
    let streaming = |s: &Seen| s.lines.values().filter(|l| l.len() >= 5).count();
    until(&mut seen, &mut rx, 20, "two pods' lines", |s| streaming(s) >= 2).await;
    let scale = |n: i32| Patch::Merge(json!({"spec": {"replicas": n}}));
    deploys
        .patch_scale("web", &PatchParams::default(), &scale(3))
        .await
        .unwrap();
    until(&mut seen, &mut rx, 20, "the new pod's lines", |s| streaming(s) >= 3).await;
    assert!(seen.sources.values().all(|(_, c)| c == "web"));
    deploys
        .patch_scale("web", &PatchParams::default(), &scale(1))
        .await
        .unwrap();
    until(&mut seen, &mut rx, 30, "two pods marked gone", |s| {
        s.states
            .values()
            .filter(|v| v.last() == Some(&SourceState::Gone))
            .count()
            >= 2
    })
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "logs");
    let left = eventually(30, "one pod left", || async {
        let l = pods.list(&Default::default()).await.unwrap();
        let live: Vec<String> = l
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter_map(|p| p.metadata.name)
            .collect();
        (live.len() == 1).then(|| live[0].clone())
    })
    .await;
    let id = seen.id_of(&left).expect("the remaining pod is a source");
    assert_ne!(
        seen.last_state(id),
        Some(&SourceState::Gone),
        "the pod that stays is not marked gone"
    );
    c.stop().await;
}
