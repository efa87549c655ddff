//! The scheduler and every node's kubelet in one task: binds pending pods, walks each pod through
//! its lifecycle (creating, init containers, running, ready, crash loops, image pull back-off,
//! completion) and terminates pods marked for deletion.
//!
//! Only pods with a pending transition are touched: each one sits in a timer wheel keyed by when
//! its next step is due, so 100,000 quiet pods cost nothing per tick.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::Ctx;
use super::kubelet_steps::{Ev, Out, Step, plan_after_start, warm_status};
use super::scheduler::{NodeInfo, pick};
use super::simkit::scaled;
use crate::events::{Source, record};
use crate::resources::res;
use crate::status::ApiError;
use crate::store::{Event, EventType, Obj, now_str, pods};

/// Pod creations per second above which the simulation counts as warming up (bulk load).
const WARM_RATE: u32 = 200;

/// What the kubelet keeps per pod.
struct Track {
    ns: String,
    name: String,
    node: Option<String>,
    ip: Option<u32>,
    /// Steps scheduled under an older epoch are stale (the container restarted or the pod is going).
    epoch: u64,
    terminating: bool,
}

struct Job {
    uid: String,
    epoch: u64,
    step: Step,
}

/// The scheduler + kubelet state.
pub struct Kubelet {
    ctx: Ctx,
    nodes: BTreeMap<String, NodeInfo>,
    tracks: HashMap<String, Track>,
    wheel: BTreeMap<(Instant, u64), Job>,
    seq: u64,
    unscheduled: BTreeSet<String>,
    pulled: HashSet<(String, String)>,
    warm_until: Instant,
    /// Set while catching up with a whole store (start, or after falling behind).
    catching_up: bool,
    bucket: (Instant, u32),
}

fn field<'a>(o: &'a Obj, f: &str) -> &'a str {
    o.fields
        .iter()
        .find(|x| x.0 == f)
        .map(|x| x.1.as_str())
        .unwrap_or_default()
}

impl Kubelet {
    fn new(ctx: Ctx) -> Self {
        let now = Instant::now();
        Kubelet {
            ctx,
            nodes: BTreeMap::new(),
            tracks: HashMap::new(),
            wheel: BTreeMap::new(),
            seq: 0,
            unscheduled: BTreeSet::new(),
            pulled: HashSet::new(),
            warm_until: now,
            catching_up: false,
            bucket: (now, 0),
        }
    }

    fn warm(&self) -> bool {
        self.catching_up || Instant::now() < self.warm_until
    }

    fn at(&mut self, secs: f64, uid: &str, epoch: u64, step: Step) {
        self.seq += 1;
        let when = Instant::now() + scaled(self.ctx.opts.time_scale, secs);
        let job = Job {
            uid: uid.to_string(),
            epoch,
            step,
        };
        self.wheel.insert((when, self.seq), job);
    }

    fn bump(&mut self, uid: &str) -> u64 {
        self.seq += 1;
        let e = self.seq;
        if let Some(t) = self.tracks.get_mut(uid) {
            t.epoch = e;
        }
        e
    }

    fn resync(&mut self) {
        let (nodes, _) = self.ctx.store.list(res("Node"), None);
        for n in nodes {
            self.node_changed(&n.value());
        }
        let (all, _) = self.ctx.store.list(pods(), None);
        let live: HashSet<&str> = all.iter().map(|o| o.uid.as_str()).collect();
        let gone: Vec<String> = self
            .tracks
            .keys()
            .filter(|u| !live.contains(u.as_str()))
            .cloned()
            .collect();
        for uid in gone {
            self.forget(&uid);
        }
        for o in &all {
            self.pod_changed(o);
        }
        self.retry_unscheduled();
    }

    fn on_event(&mut self, ev: &Event) {
        let o = &ev.obj;
        if o.res == pods() {
            match ev.kind {
                EventType::Deleted => self.forget(&o.uid),
                EventType::Added => {
                    let now = Instant::now();
                    if now.duration_since(self.bucket.0).as_secs_f64() >= 1.0 {
                        self.bucket = (now, 0);
                    }
                    self.bucket.1 += 1;
                    if self.bucket.1 > WARM_RATE {
                        self.warm_until = now + std::time::Duration::from_secs(2);
                    }
                    self.pod_changed(o);
                }
                EventType::Modified => self.pod_changed(o),
            }
        } else if o.res == res("Node") {
            if ev.kind == EventType::Deleted {
                self.nodes.remove(&o.name);
            } else {
                self.node_changed(&o.value());
                self.retry_unscheduled();
            }
        }
    }

    fn node_changed(&mut self, v: &Value) {
        let name = v["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let fallback = self.nodes.len() as u32;
        let prev = self.nodes.get(&name);
        let was_ready = prev.map(|p| p.ready);
        let info = NodeInfo::from_value(v, prev, fallback);
        let now_ready = info.ready;
        self.nodes.insert(name.clone(), info);
        if was_ready == Some(true) && !now_ready {
            let uids: Vec<String> = self
                .tracks
                .iter()
                .filter(|(_, t)| t.node.as_deref() == Some(name.as_str()))
                .map(|(u, _)| u.clone())
                .collect();
            for u in uids {
                self.mark_node_not_ready(&u);
            }
        }
    }

    /// What the node lifecycle controller does to pods of a node that stopped reporting.
    fn mark_node_not_ready(&mut self, uid: &str) {
        self.write(uid, false, |p, out, now| {
            let ready = p["status"]["conditions"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"));
            if ready {
                super::kubelet_status::set_condition(&mut p["status"], "Ready", "False", None, None, now);
                out.events
                    .push(Ev::warn(None, "NodeNotReady", "Node is not ready".into()).by("node-controller"));
            }
        });
    }

    fn forget(&mut self, uid: &str) {
        if let Some(t) = self.tracks.remove(uid) {
            self.unscheduled.remove(uid);
            if let Some(n) = t.node.and_then(|n| self.nodes.get_mut(&n)) {
                n.pods = n.pods.saturating_sub(1);
                if let Some(i) = t.ip {
                    n.free_ips.push(i);
                }
            }
        }
    }

    fn pod_changed(&mut self, o: &Arc<Obj>) {
        if let Some(t) = self.tracks.get(&o.uid) {
            if o.deleting && !t.terminating {
                self.start_kill(&o.uid, o);
            }
            return;
        }
        let node = field(o, "spec.nodeName").to_string();
        self.tracks.insert(
            o.uid.clone(),
            Track {
                ns: o.ns.clone(),
                name: o.name.clone(),
                node: (!node.is_empty()).then(|| node.clone()),
                ip: None,
                epoch: 0,
                terminating: false,
            },
        );
        if node.is_empty() {
            if o.deleting {
                let _ = self.ctx.store.remove(pods(), &o.ns, &o.name);
                return;
            }
            self.schedule(&o.uid);
            return;
        }
        if let Some(n) = self.nodes.get_mut(&node) {
            n.pods += 1;
        }
        if o.deleting {
            self.start_kill(&o.uid, o);
            return;
        }
        if !self.node_ready(&node) {
            self.mark_node_not_ready(&o.uid);
            return;
        }
        let v = o.value();
        // A pod created already bound (nodeName set, as kubectl debug node does) has no phase yet.
        if matches!(field(o, "status.phase"), "Pending" | "") && v["status"]["containerStatuses"].is_null() {
            if self.warm() {
                self.start_warm(&o.uid, false, &node);
            } else {
                self.admit(&o.uid, &node);
            }
        } else {
            // A pod already past admission (the simulation restarted, or its status was preset): resume.
            let plan = plan_after_start(&v);
            let e = self.tracks.get(&o.uid).map(|t| t.epoch).unwrap_or(0);
            for (secs, step) in plan {
                self.at(secs, &o.uid, e, step);
            }
        }
    }

    fn node_ready(&self, node: &str) -> bool {
        self.nodes.get(node).is_some_and(|n| n.ready)
    }

    fn retry_unscheduled(&mut self) {
        let waiting: Vec<String> = self.unscheduled.iter().cloned().collect();
        for uid in waiting {
            self.schedule(&uid);
        }
    }

    fn schedule(&mut self, uid: &str) {
        let Some(t) = self.tracks.get(uid) else { return };
        let (ns, name) = (t.ns.clone(), t.name.clone());
        let Some(v) = self.ctx.store.get_value(pods(), &ns, &name) else {
            return;
        };
        match pick(&v["spec"], self.nodes.values()) {
            Ok(node) => {
                self.unscheduled.remove(uid);
                let warm = self.warm();
                if let Some(t) = self.tracks.get_mut(uid) {
                    t.node = Some(node.clone());
                }
                if let Some(n) = self.nodes.get_mut(&node) {
                    n.pods += 1;
                }
                if warm {
                    self.start_warm(uid, true, &node);
                    return;
                }
                let msg = format!("Successfully assigned {ns}/{name} to {node}");
                let bound = self.write(uid, false, |p, out, now| {
                    p["spec"]["nodeName"] = json!(node);
                    super::kubelet_status::set_condition(&mut p["status"], "PodScheduled", "True", None, None, now);
                    if p["status"]["phase"].is_null() {
                        p["status"]["phase"] = json!("Pending");
                    }
                    out.events
                        .push(Ev::normal(None, "Scheduled", msg).by("default-scheduler"));
                });
                if bound {
                    self.admit(uid, &node);
                }
            }
            Err(msg) => {
                let first = self.unscheduled.insert(uid.to_string());
                self.write(uid, false, |p, out, now| {
                    let st = &mut p["status"];
                    st["phase"] = json!("Pending");
                    super::kubelet_status::set_condition(
                        st,
                        "PodScheduled",
                        "False",
                        Some("Unschedulable"),
                        Some(&msg),
                        now,
                    );
                    if first {
                        out.events
                            .push(Ev::warn(None, "FailedScheduling", msg.clone()).by("default-scheduler"));
                    }
                });
            }
        }
    }

    fn admit(&mut self, uid: &str, node: &str) {
        let host = self.nodes.get(node).map(|n| n.ip.clone()).unwrap_or_default();
        if self.write(uid, false, |p, _, now| {
            p["status"] = super::kubelet_status::admitted(p, &host, now)
        }) {
            let e = self.tracks.get(uid).map(|t| t.epoch).unwrap_or(0);
            self.at(0.5, uid, e, Step::Sandbox);
        }
    }

    fn alloc_ip(&mut self, uid: &str, node: &str) -> String {
        let Some(n) = self.nodes.get_mut(node) else {
            return "10.244.0.2".into();
        };
        let (ip, idx) = n.alloc_ip();
        if let Some(t) = self.tracks.get_mut(uid) {
            t.ip = Some(idx);
        }
        ip
    }

    /// Bulk load: straight to the steady state in one write, with the events a real rollout
    /// leaves (Scheduled, then per container Pulling/Pulled, Created, Started).
    fn start_warm(&mut self, uid: &str, bind: bool, node: &str) {
        let ip = self.alloc_ip(uid, node);
        let host = self.nodes.get(node).map(|n| n.ip.clone()).unwrap_or_default();
        let node_s = node.to_string();
        let pulled = self.images_on(node);
        let mut plan = Vec::new();
        self.write(uid, false, |p, out, now| {
            if bind {
                p["spec"]["nodeName"] = json!(node_s);
                let (ns, name) = (super::super::store::ns_of(p), super::super::store::name_of(p));
                let msg = format!("Successfully assigned {ns}/{name} to {node_s}");
                out.events
                    .push(Ev::normal(None, "Scheduled", msg).by("default-scheduler"));
            }
            p["status"] = warm_status(p, &host, &ip, now);
            for c in p["spec"]["containers"].as_array().into_iter().flatten() {
                let (name, image) = (
                    c["name"].as_str().unwrap_or_default(),
                    c["image"].as_str().unwrap_or_default(),
                );
                if !super::kubelet_status::image_missing(image) {
                    super::kubelet_steps::pulling(out, &pulled, name, image);
                    super::kubelet_steps::started_events(out, &pulled, name, image);
                }
            }
            plan = plan_after_start(p);
        });
        let e = self.tracks.get(uid).map(|t| t.epoch).unwrap_or(0);
        for (secs, step) in plan {
            self.at(secs, uid, e, step);
        }
    }

    fn start_kill(&mut self, uid: &str, o: &Obj) {
        let phase = field(o, "status.phase");
        let node = field(o, "spec.nodeName").to_string();
        if node.is_empty() || phase == "Succeeded" || phase == "Failed" {
            let _ = self.ctx.store.remove(pods(), &o.ns, &o.name);
            return;
        }
        if !self.node_ready(&node) {
            // Its kubelet is gone: the pod stays Terminating, as on a real cluster.
            return;
        }
        let e = self.bump(uid);
        if let Some(t) = self.tracks.get_mut(uid) {
            t.terminating = true;
        }
        let v = o.value();
        let grace = v["metadata"]["deletionGracePeriodSeconds"]
            .as_f64()
            .or_else(|| v["spec"]["terminationGracePeriodSeconds"].as_f64())
            .unwrap_or(30.0);
        let mut out = Out::default();
        for cs in v["status"]["containerStatuses"].as_array().into_iter().flatten() {
            if cs["state"]["running"].is_object() {
                let n = cs["name"].as_str().unwrap_or_default();
                out.events
                    .push(Ev::normal(Some(n), "Killing", format!("Stopping container {n}")));
            }
        }
        self.emit(uid, &v, out.events, false);
        // Containers stop in about a second; a shorter grace period ends in SIGKILL.
        if grace >= 1.3 {
            self.at(1.0, uid, e, Step::KillDone(0));
        } else {
            self.at(grace * 0.8, uid, e, Step::KillDone(137));
        }
    }

    /// One read-modify-write of a pod's JSON, then its events and next steps.
    fn write(&mut self, uid: &str, quiet: bool, f: impl FnOnce(&mut Value, &mut Out, &str)) -> bool {
        let Some(t) = self.tracks.get(uid) else { return false };
        let (ns, name) = (t.ns.clone(), t.name.clone());
        let now = now_str();
        let mut out = Out::default();
        let mut after = Value::Null;
        let res = self.ctx.store.update_with(pods(), &ns, &name, |p| {
            if p["metadata"]["uid"] != uid {
                return Err(ApiError::not_found(pods().def(), &name));
            }
            f(p, &mut out, &now);
            after = json!({"metadata": p["metadata"].clone(), "spec": {"nodeName": p["spec"]["nodeName"]}});
            Ok(())
        });
        let Ok(obj) = res else { return false };
        after["metadata"]["resourceVersion"] = json!(obj.rv.to_string());
        if out.bump {
            self.bump(uid);
        }
        let e = self.tracks.get(uid).map(|t| t.epoch).unwrap_or(0);
        for (secs, step) in std::mem::take(&mut out.next) {
            self.at(secs, uid, e, step);
        }
        self.emit(uid, &after, out.events, quiet);
        true
    }

    fn emit(&mut self, uid: &str, pod: &Value, events: Vec<Ev>, quiet: bool) {
        if quiet || events.is_empty() {
            return;
        }
        let node = self.tracks.get(uid).and_then(|t| t.node.clone());
        let involved = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {
            "name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
            "uid": uid, "resourceVersion": pod["metadata"]["resourceVersion"]}});
        for ev in events {
            let fp = ev.container.as_ref().map(|c| format!("spec.containers{{{c}}}"));
            if let (Some(img), Some(n)) = (&ev.pulled, &node) {
                self.pulled.insert((n.clone(), img.clone()));
            }
            let host = if ev.component == "kubelet" {
                node.as_deref()
            } else {
                None
            };
            let src = Source {
                component: ev.component,
                host,
            };
            let ty = if ev.warning { "Warning" } else { "Normal" };
            record(
                &self.ctx.store,
                &involved,
                fp.as_deref(),
                ty,
                ev.reason,
                &ev.message,
                src,
            );
        }
    }

    fn run_due(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.wheel.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let job = entry.remove();
            self.step(job);
        }
    }

    fn step(&mut self, job: Job) {
        let Some(t) = self.tracks.get(&job.uid) else { return };
        if t.epoch != job.epoch {
            return;
        }
        let node = t.node.clone().unwrap_or_default();
        if !self.node_ready(&node) {
            return;
        }
        let uid = job.uid.as_str();
        match job.step {
            Step::Remove => {
                let (ns, name) = (t.ns.clone(), t.name.clone());
                let _ = self.ctx.store.remove(pods(), &ns, &name);
            }
            Step::Sandbox => {
                let ip = self.alloc_ip(uid, &node);
                let pulled: HashSet<String> = self.images_on(&node);
                self.write(uid, false, |p, out, now| {
                    super::kubelet_steps::sandbox(p, out, now, &ip, &pulled)
                });
            }
            step => {
                let pulled = self.images_on(&node);
                let ts = self.ctx.opts.time_scale;
                self.write(uid, false, |p, out, now| {
                    super::kubelet_steps::advance(step, p, out, now, &pulled, ts)
                });
            }
        }
    }

    fn images_on(&self, node: &str) -> HashSet<String> {
        self.pulled
            .iter()
            .filter(|(n, _)| n == node)
            .map(|(_, i)| i.clone())
            .collect()
    }
}

/// Runs the scheduler and kubelets until cancelled.
pub async fn run(ctx: Ctx) {
    let mut rx = ctx.store.subscribe();
    let mut k = Kubelet::new(ctx.clone());
    // A bulk load already in the store at start is brought up in one write per pod.
    k.catching_up = ctx.store.count(pods()) > WARM_RATE as usize;
    k.resync();
    k.catching_up = false;
    loop {
        let next = k
            .wheel
            .keys()
            .next()
            .map(|(t, _)| *t)
            .unwrap_or_else(|| Instant::now() + std::time::Duration::from_secs(3600));
        tokio::select! {
            _ = ctx.cancel.cancelled() => break,
            r = rx.recv() => match r {
                Ok(ev) => k.on_event(&ev),
                Err(RecvError::Lagged(_)) => {
                    // Falling behind means a burst: treat it as bulk load and catch up from the store.
                    k.warm_until = Instant::now() + std::time::Duration::from_secs(2);
                    k.catching_up = true;
                    k.resync();
                    k.catching_up = false;
                }
                Err(RecvError::Closed) => break,
            },
            _ = tokio::time::sleep_until(next) => k.run_due(),
        }
    }
}
