//! The StatefulSet controller (pkg/controller/statefulset): pods `<set>-0..N-1` created in
//! ordinal order (OrderedReady) or all at once (Parallel), scaled down from the highest ordinal,
//! updated in reverse ordinal order down to `partition` (or only when deleted, OnDelete), with
//! ControllerRevisions and claims from `volumeClaimTemplates` that outlive the pods.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::super::resources::res;
use super::super::store::{Event, Key, Obj, Store, pods};
use super::Ctx;
use super::podutil::{self, availability, controller_of};
use super::replicaset::owned_pods;
use super::revisions::{self, HASH_LABEL};
use super::runner::Controller;
use super::statefulset_pods::{ensure_claims, new_pod, ordinal_of, running_and_ready};

const COMPONENT: &str = "statefulset-controller";

/// The StatefulSet controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("StatefulSet"),
        keys_for,
        reconcile,
    }
}

fn keys_for(_: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let sts = res("StatefulSet");
    if o.res == sts {
        vec![o.key()]
    } else if o.res == pods() {
        controller_of(o, "StatefulSet")
            .map(|n| vec![(sts, o.ns.clone(), n)])
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// A pod of the set with its parsed object.
struct Member {
    obj: Arc<Obj>,
    v: Value,
}

impl Member {
    fn revision(&self) -> Option<&String> {
        self.obj.labels.get(HASH_LABEL)
    }

    fn finished(&self) -> bool {
        matches!(self.v["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
    }
}

/// The settings of one sync, read from the spec with the API server's defaults.
struct Plan<'a> {
    set: &'a Value,
    replicas: i64,
    parallel: bool,
    rolling: bool,
    partition: i64,
    max_unavailable: i64,
    min_ready: i64,
    current: &'a Value,
    update: &'a Value,
}

impl Plan<'_> {
    fn healthy(&self, m: &Member) -> bool {
        !m.obj.deleting && running_and_ready(&m.v) && availability(&m.v, self.min_ready).0
    }

    fn name_of(rev: &Value) -> &str {
        rev["metadata"]["name"].as_str().unwrap_or_default()
    }

    /// Pods below the partition are (re)created at the current revision, the rest at the update
    /// revision, as newVersionedStatefulSetPod decides.
    fn revision_for(&self, ordinal: i64) -> &Value {
        if self.rolling && ordinal < self.partition {
            self.current
        } else {
            self.update
        }
    }
}

fn int_or_percent(v: &Value, total: i64, default: i64) -> i64 {
    match (v.as_i64(), v.as_str().and_then(|s| s.strip_suffix('%'))) {
        (Some(n), _) => n,
        (None, Some(p)) => p.parse::<i64>().unwrap_or(0) * total / 100,
        _ => default,
    }
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &*ctx.store;
    let obj = store.get(key.0, &key.1, &key.2)?;
    let set = obj.value();
    let mut members: BTreeMap<i64, Member> = BTreeMap::new();
    for p in owned_pods(store, &obj.uid) {
        if let Some(ord) = ordinal_of(&obj.name, &p.name) {
            let v = p.value();
            members.insert(ord, Member { obj: p, v });
        }
    }
    if obj.deleting {
        return update_status(store, &obj, &set, &members, None);
    }
    let synced = revisions::sync(store, &set)?;
    let update = synced.all.iter().find(|r| Plan::name_of(r) == synced.name)?.clone();
    let current = set["status"]["currentRevision"]
        .as_str()
        .and_then(|n| synced.all.iter().find(|r| Plan::name_of(r) == n))
        .cloned()
        .unwrap_or_else(|| update.clone());
    let replicas = set["spec"]["replicas"].as_i64().unwrap_or(1).max(0);
    let strategy = &set["spec"]["updateStrategy"];
    let plan = Plan {
        set: &set,
        replicas,
        parallel: set["spec"]["podManagementPolicy"] == "Parallel",
        rolling: strategy["type"] != "OnDelete",
        partition: strategy["rollingUpdate"]["partition"].as_i64().unwrap_or(0),
        max_unavailable: int_or_percent(&strategy["rollingUpdate"]["maxUnavailable"], replicas, 1).max(1),
        min_ready: set["spec"]["minReadySeconds"].as_i64().unwrap_or(0),
        current: &current,
        update: &update,
    };
    manage(store, &plan, &members);
    let live: BTreeSet<String> = members.values().filter_map(|m| m.revision().cloned()).collect();
    let keep = [Plan::name_of(&current), Plan::name_of(&update)];
    revisions::truncate(
        store,
        &synced.all,
        &live,
        &keep,
        set["spec"]["revisionHistoryLimit"].as_i64(),
    );
    let revs = (Plan::name_of(&current).to_string(), Plan::name_of(&update).to_string());
    update_status(store, &obj, &set, &members, Some(revs))
}

/// One step of the real controller's sync: replace finished pods, create missing ordinals,
/// delete condemned ones from the top, then roll outdated pods from the top. OrderedReady stops
/// at the first pod that is not yet Running and Ready (or still terminating).
fn manage(store: &Store, plan: &Plan, members: &BTreeMap<i64, Member>) {
    let set = plan.set;
    for m in members.values().filter(|m| m.finished() && !m.obj.deleting) {
        // Failed pods are replaced; the replacement comes once this one is gone.
        podutil::delete_pod(store, &m.obj, set, COMPONENT);
        if !plan.parallel {
            return;
        }
    }
    for ord in 0..plan.replicas {
        match members.get(&ord) {
            None => {
                ensure_claims(store, set, ord, COMPONENT);
                let rev = plan.revision_for(ord);
                let pod = new_pod(set, &revisions::template_of(rev), Plan::name_of(rev), ord);
                podutil::create_pod(store, pod, set, COMPONENT);
                if !plan.parallel {
                    return;
                }
            }
            Some(m) if !plan.parallel && !plan.healthy(m) => return,
            Some(_) => {}
        }
    }
    for (_, m) in members.range(plan.replicas..).rev() {
        if !m.obj.deleting {
            podutil::delete_pod(store, &m.obj, set, COMPONENT);
        }
        if !plan.parallel {
            return;
        }
    }
    if !plan.rolling {
        return;
    }
    let update_name = Plan::name_of(plan.update);
    let mut unavailable = (0..plan.replicas)
        .filter(|o| !members.get(o).is_some_and(|m| plan.healthy(m)))
        .count() as i64;
    for ord in (plan.partition.max(0)..plan.replicas).rev() {
        let Some(m) = members.get(&ord) else { continue };
        if m.obj.deleting || m.revision().map(String::as_str) == Some(update_name) {
            continue;
        }
        if plan.healthy(m) {
            if unavailable >= plan.max_unavailable {
                return;
            }
            unavailable += 1;
        }
        podutil::delete_pod(store, &m.obj, set, COMPONENT);
    }
}

fn update_status(
    store: &Store,
    obj: &Obj,
    set: &Value,
    members: &BTreeMap<i64, Member>,
    revs: Option<(String, String)>,
) -> Option<Duration> {
    let min_ready = set["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let (current, update) = revs.unwrap_or_else(|| {
        let s = &set["status"];
        let c = s["currentRevision"].as_str().unwrap_or_default().to_string();
        (c, s["updateRevision"].as_str().unwrap_or_default().to_string())
    });
    let (mut replicas, mut ready, mut available, mut cur, mut upd) = (0, 0, 0, 0, 0);
    let mut recheck = None;
    for m in members.values() {
        replicas += 1;
        if running_and_ready(&m.v) {
            ready += 1;
            match availability(&m.v, min_ready) {
                (true, _) => available += 1,
                (false, wait) => recheck = wait.map(|w| w + Duration::from_millis(50)),
            }
        }
        if !m.obj.deleting {
            cur += i64::from(m.revision() == Some(&current));
            upd += i64::from(m.revision() == Some(&update));
        }
    }
    let mut current = current;
    let rolling = set["spec"]["updateStrategy"]["type"] != "OnDelete";
    // completeRollingUpdate: once every pod runs the update revision, it becomes the current one.
    if rolling && upd == replicas && ready == replicas {
        current = update.clone();
        cur = upd;
    }
    let mut status = json!({
        "replicas": replicas,
        "availableReplicas": available,
        "observedGeneration": set["metadata"]["generation"],
        "currentRevision": current,
        "updateRevision": update,
    });
    for (k, n) in [
        ("readyReplicas", ready),
        ("currentReplicas", cur),
        ("updatedReplicas", upd),
    ] {
        if n > 0 {
            status[k] = json!(n);
        }
    }
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        if let Some(c) = v["status"].get("conditions") {
            status["conditions"] = c.clone();
        }
        // Read under the lock: a revision sync may have just raised it.
        status["collisionCount"] = json!(v["status"]["collisionCount"].as_i64().unwrap_or(0));
        v["status"] = status;
        Ok(())
    });
    recheck
}

#[cfg(test)]
#[path = "statefulset_tests.rs"]
mod tests;
