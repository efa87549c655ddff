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
    if v["spec"]["nodeName"].as_str().is_none_or(str::is_empty) {
        v["spec"]["nodeName"] = json!(node_for(v));
    }
    v["status"]["phase"] = json!("Running");
    if ready && v["status"]["conditions"].is_null() {
        v["status"]["conditions"] = json!([{"type": "Ready", "status": "True", "lastTransitionTime": now_str()}]);
    }
}

impl Kit {
    /// Starts the controllers and the stand-in kubelet.
    pub fn start(controllers: &[Controller]) -> Kit {
        let ctx = Ctx {
            store: Arc::new(Store::new(100_000)),
            faults: Arc::new(Faults::default()),
            opts: SimOptions::default(),
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
        let mut rx = self.ctx.store.subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if pred(&self.ctx.store) {
                return;
            }
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(_) => {}
                Err(_) => panic!("timed out waiting for {what}"),
            }
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
