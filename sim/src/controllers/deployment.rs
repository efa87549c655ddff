//! The Deployment controller: one ReplicaSet per pod template, rolled as the real controller
//! rolls them (surge and unavailability limits, Recreate, pause, proportional scaling, revision
//! annotations, history cleanup), so `kubectl rollout` and kubedeck's rollback work unchanged.

use std::time::Duration;

use serde_json::{Value, json};

use super::super::events::{self, Source};
use super::super::resources::res;
use super::super::store::{Event, Key, Origin, Store};
use super::Ctx;
use super::deployment_status::{self as ds, DESIRED, MAX, REVISION, REVISION_HISTORY, Rs};
use super::podutil::{controller_of, controller_ref, template_hash};
use super::replicaset::owned_pods;
use super::runner::Controller;

const COMPONENT: &str = "deployment-controller";

/// Deployment annotations the controller does not copy onto its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX,
    "deprecated.deployment.rollback.to",
];

/// The Deployment controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("Deployment"),
        keys_for,
        reconcile,
    }
}

fn keys_for(_: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let deploy = res("Deployment");
    if o.res == deploy {
        vec![o.key()]
    } else if o.res == res("ReplicaSet") {
        controller_of(o, "Deployment")
            .map(|n| vec![(deploy, o.ns.clone(), n)])
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

fn without_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(l) = t["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    t
}

/// One sync of one Deployment: its object (status changed in place) and its ReplicaSets.
struct Sync<'a> {
    store: &'a Store,
    d: Value,
    rss: Vec<Rs>,
    new: Option<usize>,
}

impl Sync<'_> {
    fn all(&self) -> Vec<&Rs> {
        self.rss.iter().collect()
    }

    fn new_rs(&self) -> Option<&Rs> {
        self.new.map(|i| &self.rss[i])
    }

    /// Indexes of the old ReplicaSets, oldest first.
    fn olds(&self) -> Vec<usize> {
        let mut o: Vec<usize> = (0..self.rss.len()).filter(|i| Some(*i) != self.new).collect();
        o.sort_by(|a, b| {
            let (a, b) = (&self.rss[*a], &self.rss[*b]);
            (a.created(), &a.name).cmp(&(b.created(), &b.name))
        });
        o
    }

    fn event(&self, reason: &str, message: &str) {
        let src = Source {
            component: COMPONENT,
            host: None,
        };
        events::record(self.store, &self.d, None, "Normal", reason, message, src);
    }

    fn copied_annotations(&self) -> serde_json::Map<String, Value> {
        let mut a = self.d["metadata"]["annotations"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        a.retain(|k, _| !NOT_COPIED.contains(&k.as_str()));
        a
    }

    fn replica_annotations(&self, a: &mut serde_json::Map<String, Value>) {
        let n = ds::replicas(&self.d);
        a.insert(DESIRED.into(), json!(n.to_string()));
        a.insert(MAX.into(), json!((n + ds::fenceposts(&self.d).0).to_string()));
    }

    /// getAllReplicaSetsAndSyncRevision: finds (or creates) the ReplicaSet of the current
    /// template and brings its revision and annotations up to date.
    fn sync_revision(&mut self, create: bool) {
        let template = &self.d["spec"]["template"];
        self.new = (0..self.rss.len())
            .filter(|i| without_hash(&self.rss[*i].v["spec"]["template"]) == *template)
            .min_by(|a, b| self.rss[*a].created().cmp(self.rss[*b].created()));
        let max_old = self.olds().iter().map(|i| self.rss[*i].revision).max().unwrap_or(0);
        let revision = max_old + 1;
        let has_deadline = self.d["spec"]["progressDeadlineSeconds"].as_i64() != Some(i64::from(i32::MAX));
        if let Some(i) = self.new {
            let rs = &self.rss[i];
            let mut a = rs.v["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
            a.extend(self.copied_annotations());
            if rs.revision < revision {
                if rs.revision > 0 {
                    let mut hist: Vec<String> = a
                        .get(REVISION_HISTORY)
                        .and_then(Value::as_str)
                        .map(|h| h.split(',').map(String::from).collect())
                        .unwrap_or_default();
                    hist.push(rs.revision.to_string());
                    a.insert(REVISION_HISTORY.into(), json!(hist.join(",")));
                }
                a.insert(REVISION.into(), json!(revision.to_string()));
            }
            if !a.contains_key(DESIRED) {
                self.replica_annotations(&mut a);
            }
            let min_ready = self.d["spec"]["minReadySeconds"].clone();
            let written = self.store.update_with(res("ReplicaSet"), ns(&self.d), &rs.name, |v| {
                v["metadata"]["annotations"] = json!(a);
                if v["spec"]["minReadySeconds"] != min_ready {
                    v["spec"]["minReadySeconds"] = min_ready;
                }
                Ok(())
            });
            if let Ok(o) = written {
                self.rss[i] = Rs::new(o.value());
            }
            if has_deadline && ds::condition(&self.d["status"], "Progressing").is_none() {
                let msg = format!("Found new replica set \"{}\"", self.rss[i].name);
                ds::set_condition(&mut self.d["status"], "Progressing", "True", "FoundNewReplicaSet", &msg);
            }
        } else if create {
            self.create_new(revision, has_deadline);
        }
        if let Some(rs) = self.new_rs() {
            let r = rs.revision.to_string();
            self.d["metadata"]["annotations"][REVISION] = json!(r);
        }
    }

    fn create_new(&mut self, revision: i64, has_deadline: bool) {
        let collisions = self.d["status"]["collisionCount"].as_i64();
        let hash = template_hash(&self.d["spec"]["template"], collisions);
        let mut template = self.d["spec"]["template"].clone();
        template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
        let mut selector = self.d["spec"]["selector"].clone();
        selector["matchLabels"]["pod-template-hash"] = json!(hash);
        let mut a = self.copied_annotations();
        self.replica_annotations(&mut a);
        a.insert(REVISION.into(), json!(revision.to_string()));
        let olds: Vec<&Rs> = self.rss.iter().collect();
        let size = ds::new_rs_target(&self.d, &olds, 0);
        let name = format!("{}-{hash}", self.d["metadata"]["name"].as_str().unwrap_or_default());
        let mut rs = json!({
            "metadata": {
                "name": name,
                "namespace": ns(&self.d),
                "labels": template["metadata"]["labels"],
                "annotations": a,
                "ownerReferences": [controller_ref(&self.d)],
            },
            "spec": { "replicas": size, "selector": selector, "template": template },
        });
        if let Some(m) = self.d["spec"]["minReadySeconds"].as_i64().filter(|m| *m > 0) {
            rs["spec"]["minReadySeconds"] = json!(m);
        }
        match self.store.create(res("ReplicaSet"), rs, Origin::Internal) {
            Ok(o) => {
                self.rss.push(Rs::new(o.value()));
                self.new = Some(self.rss.len() - 1);
                if size > 0 {
                    self.event("ScalingReplicaSet", &format!("Scaled up replica set {name} to {size}"));
                }
                if has_deadline {
                    let msg = format!("Created new replica set \"{name}\"");
                    ds::set_condition(
                        &mut self.d["status"],
                        "Progressing",
                        "True",
                        "NewReplicaSetCreated",
                        &msg,
                    );
                }
            }
            Err(e) if e.code == 409 => {
                // A ReplicaSet of that name with another template: hash again with a new count.
                self.d["status"]["collisionCount"] = json!(collisions.unwrap_or(0) + 1);
            }
            Err(_) => {}
        }
    }

    /// Sets a ReplicaSet's size and replica annotations; true when the size changed.
    fn scale(&mut self, i: usize, size: i64) -> bool {
        let mut a = self.rss[i].v["metadata"]["annotations"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        self.replica_annotations(&mut a);
        let old = self.rss[i].replicas;
        let name = self.rss[i].name.clone();
        let Ok(o) = self.store.update_with(res("ReplicaSet"), ns(&self.d), &name, |v| {
            v["spec"]["replicas"] = json!(size);
            v["metadata"]["annotations"] = json!(a);
            Ok(())
        }) else {
            return false;
        };
        self.rss[i] = Rs::new(o.value());
        if old == size {
            return false;
        }
        let dir = if size > old { "up" } else { "down" };
        self.event(
            "ScalingReplicaSet",
            &format!("Scaled {dir} replica set {name} to {size} from {old}"),
        );
        true
    }

    fn is_scaling_event(&self) -> bool {
        let n = ds::replicas(&self.d).to_string();
        self.rss
            .iter()
            .filter(|r| r.replicas > 0)
            .any(|r| r.v["metadata"]["annotations"][DESIRED].as_str().is_some_and(|d| d != n))
    }

    /// Resizes for a replicas change outside a rollout, proportionally when several
    /// ReplicaSets are active.
    fn scale_all(&mut self) {
        let want = ds::replicas(&self.d);
        let active: Vec<usize> = (0..self.rss.len()).filter(|i| self.rss[*i].replicas > 0).collect();
        let single = match active.len() {
            0 => self.new.or_else(|| self.olds().last().copied()),
            1 => Some(active[0]),
            _ => None,
        };
        if let Some(i) = single {
            self.scale(i, want);
            return;
        }
        if self.new_rs().is_some_and(|r| r.replicas == want && r.available == want) {
            for i in self.olds() {
                self.scale(i, 0);
            }
            return;
        }
        if !ds::is_rolling(&self.d) {
            return;
        }
        let allowed = if want > 0 { want + ds::fenceposts(&self.d).0 } else { 0 };
        let total: i64 = active.iter().map(|i| self.rss[*i].replicas).sum();
        let to_add = allowed - total;
        if to_add == 0 || total == 0 {
            return;
        }
        // Newest first when growing, oldest first when shrinking; the rest goes to the first.
        let mut order = active.clone();
        order.sort_by(|a, b| self.rss[*a].created().cmp(self.rss[*b].created()));
        if to_add > 0 {
            order.reverse();
        }
        let mut sizes: Vec<(usize, i64)> = Vec::new();
        let mut added = 0;
        for i in &order {
            let r = self.rss[*i].replicas;
            let share = (r as f64 * to_add as f64 / total as f64).round() as i64;
            let share = if to_add > 0 {
                share.min(to_add - added)
            } else {
                share.max(to_add - added)
            };
            added += share;
            sizes.push((*i, r + share));
        }
        sizes[0].1 += to_add - added;
        for (i, size) in sizes {
            self.scale(i, size.max(0));
        }
    }

    fn reconcile_new(&mut self) -> bool {
        let Some(i) = self.new else { return false };
        let want = ds::replicas(&self.d);
        let cur = self.rss[i].replicas;
        if cur == want {
            return false;
        }
        if cur > want {
            return self.scale(i, want);
        }
        let target = ds::new_rs_target(&self.d, &self.all(), cur);
        self.scale(i, target)
    }

    fn reconcile_old(&mut self) -> bool {
        let olds = self.olds();
        let old_count: i64 = olds.iter().map(|i| self.rss[*i].replicas).sum();
        if old_count == 0 {
            return false;
        }
        let all_count = ds::spec_sum(&self.all());
        let min_available = ds::replicas(&self.d) - ds::max_unavailable(&self.d);
        let new_unavailable = self.new_rs().map_or(0, |r| r.replicas - r.available);
        let mut max_down = all_count - min_available - new_unavailable;
        if max_down <= 0 {
            return false;
        }
        // First the old pods that are not available anyway: removing them costs nothing.
        let mut scaled = false;
        for &i in &olds {
            if max_down <= 0 {
                break;
            }
            let r = &self.rss[i];
            if r.replicas == 0 || r.replicas == r.available {
                continue;
            }
            let down = max_down.min(r.replicas - r.available);
            max_down -= down;
            scaled |= self.scale(i, r.replicas - down);
        }
        let available: i64 = self.rss.iter().map(|r| r.available).sum();
        let mut budget = available - min_available;
        for &i in &olds {
            if budget <= 0 {
                break;
            }
            let r = self.rss[i].replicas;
            if r == 0 {
                continue;
            }
            let down = r.min(budget);
            budget -= down;
            scaled |= self.scale(i, r - down);
        }
        scaled
    }

    fn old_pods_running(&self) -> bool {
        self.olds().iter().any(|i| {
            let r = &self.rss[*i];
            r.actual > 0
                || r.v["metadata"]["uid"].as_str().is_some_and(|uid| {
                    owned_pods(self.store, uid).iter().any(|p| {
                        !p.fields
                            .iter()
                            .any(|(f, v)| *f == "status.phase" && (v == "Succeeded" || v == "Failed"))
                    })
                })
        })
    }

    /// Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit.
    fn cleanup(&mut self) {
        let limit = self.d["spec"]["revisionHistoryLimit"].as_i64().unwrap_or(10).max(0) as usize;
        let mut idle: Vec<&Rs> = self
            .olds()
            .into_iter()
            .map(|i| &self.rss[i])
            .filter(|r| r.replicas == 0 && r.actual == 0 && r.v["metadata"]["deletionTimestamp"].is_null())
            .collect();
        if idle.len() <= limit {
            return;
        }
        idle.sort_by_key(|r| r.revision);
        let doomed: Vec<String> = idle[..idle.len() - limit].iter().map(|r| r.name.clone()).collect();
        for name in doomed {
            let _ = self.store.remove(res("ReplicaSet"), ns(&self.d), &name);
            self.rss.retain(|r| r.name != name);
        }
        self.new = None;
        let template = self.d["spec"]["template"].clone();
        self.new = (0..self.rss.len()).find(|i| without_hash(&self.rss[*i].v["spec"]["template"]) == template);
    }

    fn rolling(&mut self) {
        self.sync_revision(true);
        if self.reconcile_new() || self.reconcile_old() {
            return;
        }
        if ds::complete(&self.d, &self.d["status"]) {
            self.cleanup();
        }
    }

    fn recreate(&mut self) {
        self.sync_revision(false);
        let mut scaled = false;
        for i in self.olds() {
            if self.rss[i].replicas > 0 {
                scaled |= self.scale(i, 0);
            }
        }
        if scaled || self.old_pods_running() {
            return;
        }
        if self.new.is_none() {
            self.sync_revision(true);
        }
        if let Some(i) = self.new {
            let want = ds::replicas(&self.d);
            self.scale(i, want);
        }
        if ds::complete(&self.d, &self.d["status"]) {
            self.cleanup();
        }
    }

    fn check_paused(&mut self) {
        let paused = self.d["spec"]["paused"].as_bool() == Some(true);
        let reason = ds::condition(&self.d["status"], "Progressing").map(|c| c["reason"].clone());
        let is_paused_cond = reason.as_ref().is_some_and(|r| r == "DeploymentPaused");
        if paused && !is_paused_cond {
            ds::set_condition(
                &mut self.d["status"],
                "Progressing",
                "Unknown",
                "DeploymentPaused",
                "Deployment is paused",
            );
        } else if !paused && is_paused_cond {
            ds::set_condition(
                &mut self.d["status"],
                "Progressing",
                "Unknown",
                "DeploymentResumed",
                "Deployment is resumed",
            );
        }
    }
}

fn ns(d: &Value) -> &str {
    d["metadata"]["namespace"].as_str().unwrap_or_default()
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &*ctx.store;
    let obj = store.get(key.0, &key.1, &key.2)?;
    let mut d = obj.value();
    if !d["status"].is_object() {
        d["status"] = json!({});
    }
    let rss = store
        .dependents(&obj.uid)
        .into_iter()
        .filter(|(r, _, _)| *r == res("ReplicaSet"))
        .filter_map(|(r, ns, name)| store.get(r, &ns, &name))
        .filter(|o| o.controller.as_deref() == Some(obj.uid.as_str()))
        .map(|o| Rs::new(o.value()))
        .collect();
    let mut s = Sync {
        store,
        d,
        rss,
        new: None,
    };
    let paused = s.d["spec"]["paused"].as_bool() == Some(true);
    let mut rollout = false;
    if !obj.deleting {
        s.check_paused();
        if paused {
            s.sync_revision(false);
            s.scale_all();
            s.cleanup();
        } else if s.is_scaling_event() {
            s.sync_revision(false);
            s.scale_all();
        } else {
            rollout = true;
            if ds::is_rolling(&s.d) {
                s.rolling();
            } else {
                s.recreate();
            }
        }
    }
    let (status, wait) = if rollout {
        ds::rollout_status(&s.d, &s.all(), s.new_rs())
    } else {
        (ds::calculate(&s.d, &s.all(), s.new_rs()), None)
    };
    let revision = s.d["metadata"]["annotations"][REVISION].clone();
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        v["status"] = status;
        if !revision.is_null() {
            v["metadata"]["annotations"][REVISION] = revision;
        }
        Ok(())
    });
    wait
}

#[cfg(test)]
#[path = "deployment_tests.rs"]
mod tests;
