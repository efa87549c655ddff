//! Test support: a store with controllers running and a stand-in kubelet that binds, starts
//! and removes pods at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::super::faults::Faults;
use super::super::options::SimOptions;
use super::super::resources::ResId;
use super::super::store::{EventType, Origin, Store, now_str, pods};
use super::Ctx;
use super::runner::{self, Controller};

/// A running store with controllers; everything stops when it is dropped.
pub struct Kit {
    ctx: Ctx,
    ready: Arc<AtomicBool>,
}

impl Drop for Kit {
    fn drop(&mut self) {
        self.ctx.cancel.cancel();
    }
}

fn node_for(pod: &Value) -> String {
    pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
        ["matchFields"][0]["values"][0]
        .as_str()
        .unwrap_or("node-1")
        .to_string()
}

fn start_pod(v: &mut Value, ready: bool) {
    if matches!(v["status"]["phase"].as_str(), Some("Succeeded" | "Failed")) {
        return;
    }
    if v["spec"]["nodeName"].as_str().is_none_or(str::is_empty) {
        v["spec"]["nodeName"] = json!(node_for(v));
    }
    v["status"]["phase"] = json!("Running");
    if ready && v["status"]["conditions"].is_null() {
        v["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": now_str()}]);
    }
}

/// How long a pod's containers run before exiting 0, as the kubelet simulation reads it.
const RUN_SECONDS: &str = "sim.kubedeck.io/run-seconds";

/// Marks a pod's containers as exited with `code`, as the kubelet reports a finished pod.
pub fn finish_pod(v: &mut Value, code: i64) {
    let now = now_str();
    let (phase, reason) = if code == 0 {
        ("Succeeded", "Completed")
    } else {
        ("Failed", "Error")
    };
    v["status"]["phase"] = json!(phase);
    v["status"]["conditions"] =
        json!([{"type": "Ready", "status": "False", "reason": "PodCompleted", "lastTransitionTime": now}]);
    let statuses: Vec<Value> = v["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            json!({"name": c["name"], "ready": false, "restartCount": 0, "state": {"terminated": {
                "exitCode": code, "reason": reason, "startedAt": now, "finishedAt": now}}})
        })
        .collect();
    v["status"]["containerStatuses"] = json!(statuses);
}

/// After the pod's run time (scaled), marks it Succeeded unless it is gone or already finished.
fn schedule_exit(store: Arc<Store>, ns: String, name: String, secs: f64, scale: f64) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs_f64((secs * scale).max(0.0))).await;
        let _ = store.update_with(pods(), &ns, &name, |v| {
            if v["status"]["phase"] == "Running" && v["metadata"]["deletionTimestamp"].is_null() {
                finish_pod(v, 0);
            }
            Ok(())
        });
    });
}

impl Kit {
    /// Starts the controllers and the stand-in kubelet.
    pub fn start(controllers: &[Controller]) -> Kit {
        Kit::start_scaled(controllers, 1.0)
    }

    /// [`Kit::start`] with simulated delays multiplied by `time_scale`. Pods whose annotation
    /// `sim.kubedeck.io/run-seconds` is set exit 0 after that many (scaled) seconds.
    pub fn start_scaled(controllers: &[Controller], time_scale: f64) -> Kit {
        let ctx = Ctx {
            store: Arc::new(Store::new(100_000)),
            faults: Arc::new(Faults::default()),
            opts: SimOptions {
                time_scale,
                ..SimOptions::default()
            },
            cancel: CancellationToken::new(),
        };
        let ready = Arc::new(AtomicBool::new(true));
        let mut rx = ctx.store.subscribe();
        let (store, cancel, r) = (ctx.store.clone(), ctx.cancel.clone(), ready.clone());
        tokio::spawn(async move {
            loop {
                let ev = tokio::select! {
                    _ = cancel.cancelled() => return,
                    ev = rx.recv() => match ev { Ok(ev) => ev, Err(_) => return },
                };
                let o = &ev.obj;
                if o.res != pods() || ev.kind == EventType::Deleted {
                    continue;
                }
                if o.deleting {
                    let _ = store.remove(pods(), &o.ns, &o.name);
                } else if ev.kind == EventType::Added {
                    let run = o.value()["metadata"]["annotations"][RUN_SECONDS]
                        .as_str()
                        .and_then(|s| s.parse::<f64>().ok());
                    let ready = r.load(Ordering::SeqCst);
                    let _ = store.update_with(pods(), &o.ns, &o.name, |v| {
                        start_pod(v, ready);
                        Ok(())
                    });
                    if let Some(secs) = run {
                        schedule_exit(store.clone(), o.ns.clone(), o.name.clone(), secs, time_scale);
                    }
                } else {
                    let ready = r.load(Ordering::SeqCst);
                    let _ = store.update_with(pods(), &o.ns, &o.name, |v| {
                        start_pod(v, ready);
                        Ok(())
                    });
                }
            }
        });
        for c in controllers {
            tokio::spawn(runner::run(ctx.clone(), *c));
        }
        Kit { ctx, ready }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.ctx.store
    }

    /// Creates an object as a client would.
    pub fn create(&self, id: ResId, v: Value) {
        self.ctx.store.create(id, v, Origin::Api).expect("create");
    }

    /// Whether the stand-in kubelet makes new pods Ready.
    pub fn set_pods_become_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Makes every running pod Ready now.
    pub fn make_all_ready(&self) {
        for p in self.ctx.store.list(pods(), None).0 {
            let _ = self.ctx.store.update_with(pods(), &p.ns, &p.name, |v| {
                if v["metadata"]["deletionTimestamp"].is_null() {
                    start_pod(v, true);
                }
                Ok(())
            });
        }
    }

    /// Waits (up to 10 s) until `pred` holds, re-checking after every store change.
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&Store) -> bool) {
        if !super::simkit::wait_for(&self.ctx.store, Duration::from_secs(10), pred).await {
            panic!("timed out waiting for {what}");
        }
    }
}

/// A ReplicaSet in "default" selecting app=web.
pub fn rs_json(name: &str, replicas: i64) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
        },
    })
}
