//! The Job controller (pkg/controller/job): runs pods until `completions` succeed, at most
//! `parallelism` at a time, replacing failed ones after an exponential back-off until
//! `backoffLimit` is passed; `suspend`, `activeDeadlineSeconds` and the TTL-after-finished
//! controller's `ttlSecondsAfterFinished` (which deletes the finished Job in the background).

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::super::events::{self, Source};
use super::super::resources::res;
use super::super::store::{Event, Key, Obj, Store, now_str, pods};
use super::Ctx;
use super::podutil::{self, controller_of};
use super::replicaset::owned_pods;
use super::runner::Controller;

const COMPONENT: &str = "job-controller";

/// The Job controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("Job"),
        keys_for,
        reconcile,
    }
}

fn keys_for(_: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let job = res("Job");
    if o.res == job {
        vec![o.key()]
    } else if o.res == pods() {
        controller_of(o, "Job")
            .map(|n| vec![(job, o.ns.clone(), n)])
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// Whether the object has a condition of this type with status True.
pub fn has_condition(v: &Value, type_: &str) -> bool {
    v["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == type_ && c["status"] == "True")
}

/// Whether the Job has finished, and how: `Some("Complete")` or `Some("Failed")`.
pub fn finished(job: &Value) -> Option<&'static str> {
    ["Complete", "Failed"].into_iter().find(|t| has_condition(job, t))
}

/// The moment the Job finished (its Complete or Failed condition turned True).
pub fn finish_time(job: &Value) -> Option<Timestamp> {
    let kind = finished(job)?;
    let c = job["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)?;
    c["lastTransitionTime"].as_str()?.parse().ok()
}

fn set_condition(conds: &mut Vec<Value>, type_: &str, status: &str, reason: &str, message: &str) {
    let now = now_str();
    match conds.iter_mut().find(|c| c["type"] == type_) {
        Some(c) if c["status"] == status => {}
        Some(c) => {
            *c = json!({"type": type_, "status": status, "reason": reason, "message": message,
                "lastProbeTime": now, "lastTransitionTime": now});
        }
        None => conds.push(
            json!({"type": type_, "status": status, "reason": reason, "message": message,
            "lastProbeTime": now, "lastTransitionTime": now}),
        ),
    }
}

/// The job's pods, sorted by what the controller counts.
#[derive(Default)]
struct Census {
    active: Vec<(Arc<Obj>, Value)>,
    succeeded: i64,
    failed: i64,
    terminating: i64,
    /// When the newest failure happened, for the back-off.
    last_failure: Option<Timestamp>,
}

fn census(store: &Store, uid: &str) -> Census {
    let mut c = Census::default();
    for p in owned_pods(store, uid) {
        let phase = p
            .fields
            .iter()
            .find(|(f, _)| *f == "status.phase")
            .map(|(_, v)| v.as_str());
        match phase {
            Some("Succeeded") => c.succeeded += 1,
            Some("Failed") => {
                c.failed += 1;
                let v = p.value();
                let at = v["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        s["state"]["terminated"]["finishedAt"]
                            .as_str()?
                            .parse::<Timestamp>()
                            .ok()
                    })
                    .max();
                c.last_failure = c.last_failure.max(at);
            }
            _ if p.deleting => c.terminating += 1,
            _ => {
                let v = p.value();
                c.active.push((p, v));
            }
        }
    }
    c
}

/// The pod the Job runs, labelled so that its selector (the controller uid) finds it.
fn new_pod(job: &Value) -> Value {
    let mut p = podutil::pod_from_template(&job["spec"]["template"], job, None);
    let (uid, name) = (&job["metadata"]["uid"], &job["metadata"]["name"]);
    let labels = &mut p["metadata"]["labels"];
    labels["batch.kubernetes.io/controller-uid"] = uid.clone();
    labels["batch.kubernetes.io/job-name"] = name.clone();
    labels["controller-uid"] = uid.clone();
    labels["job-name"] = name.clone();
    p
}

/// The back-off before replacing a failed pod: 10 s doubling per failure, at most 6 minutes.
fn backoff(failures: i64, time_scale: f64) -> Duration {
    let secs = (10u64 << (failures - 1).clamp(0, 6) as u32).min(360);
    Duration::from_secs_f64(secs as f64 * time_scale)
}

fn record(store: &Store, job: &Value, type_: &str, reason: &str, msg: &str) {
    events::record(
        store,
        job,
        None,
        type_,
        reason,
        msg,
        Source {
            component: COMPONENT,
            host: None,
        },
    );
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    let store = &*ctx.store;
    let obj = store.get(key.0, &key.1, &key.2)?;
    if obj.deleting {
        return None;
    }
    let job = obj.value();
    if finished(&job).is_some() {
        return ttl_after_finished(store, &obj, &job);
    }
    let spec = &job["spec"];
    let mut c = census(store, &obj.uid);
    let succeeded = c.succeeded.max(job["status"]["succeeded"].as_i64().unwrap_or(0));
    let failed = c.failed.max(job["status"]["failed"].as_i64().unwrap_or(0));
    let completions = spec["completions"].as_i64();
    let parallelism = spec["parallelism"].as_i64().unwrap_or(1).max(0);
    let backoff_limit = spec["backoffLimit"].as_i64().unwrap_or(6);
    let suspended = spec["suspend"] == true;
    let now = Timestamp::now();
    let mut conds: Vec<Value> = job["status"]["conditions"].as_array().cloned().unwrap_or_default();
    let mut start = job["status"]["startTime"].as_str().map(String::from);
    let mut recheck = None;

    let restarts: i64 = if spec["template"]["spec"]["restartPolicy"] == "OnFailure" {
        c.active
            .iter()
            .flat_map(|(_, v)| v["status"]["containerStatuses"].as_array().cloned().unwrap_or_default())
            .map(|s| s["restartCount"].as_i64().unwrap_or(0))
            .sum()
    } else {
        0
    };
    let deadline = spec["activeDeadlineSeconds"]
        .as_i64()
        .zip(start.as_deref())
        .and_then(|(secs, s)| {
            let t: Timestamp = s.parse().ok()?;
            Some(t + SignedDuration::from_secs(secs))
        });
    let failure = if failed > backoff_limit || (restarts > 0 && restarts >= backoff_limit) {
        Some(("BackoffLimitExceeded", "Job has reached the specified backoff limit"))
    } else if deadline.is_some_and(|d| d <= now) && !suspended {
        Some(("DeadlineExceeded", "Job was active longer than specified deadline"))
    } else {
        None
    };
    let done = match completions {
        Some(n) => succeeded >= n,
        None => succeeded > 0 && c.active.is_empty(),
    };
    if let Some((reason, message)) = failure {
        for (p, _) in c.active.drain(..) {
            podutil::delete_pod(store, &p, &job, COMPONENT);
            c.terminating += 1;
        }
        if !has_condition(&job, "FailureTarget") {
            record(store, &job, "Warning", reason, message);
        }
        set_condition(&mut conds, "FailureTarget", "True", reason, message);
        if c.terminating == 0 {
            set_condition(&mut conds, "Failed", "True", reason, message);
        }
    } else if done {
        for (p, _) in c.active.drain(..) {
            podutil::delete_pod(store, &p, &job, COMPONENT);
            c.terminating += 1;
        }
        let msg = "Reached expected number of succeeded pods";
        set_condition(&mut conds, "SuccessCriteriaMet", "True", "CompletionsReached", msg);
        if c.terminating == 0 {
            set_condition(&mut conds, "Complete", "True", "CompletionsReached", msg);
            record(store, &job, "Normal", "Completed", "Job completed");
        }
    } else if suspended {
        for (p, _) in c.active.drain(..) {
            podutil::delete_pod(store, &p, &job, COMPONENT);
            c.terminating += 1;
        }
        if !has_condition(&job, "Suspended") {
            set_condition(&mut conds, "Suspended", "True", "JobSuspended", "Job suspended");
            record(store, &job, "Normal", "Suspended", "Job suspended");
        }
    } else {
        if has_condition(&job, "Suspended") {
            set_condition(&mut conds, "Suspended", "False", "JobResumed", "Job resumed");
            record(store, &job, "Normal", "Resumed", "Job resumed");
            // A resumed Job's active deadline counts from the resume.
            start = None;
        }
        start.get_or_insert_with(now_str);
        recheck = deadline.map(|d| d.duration_since(now).unsigned_abs());
        let active = c.active.len() as i64;
        let want = match completions {
            Some(n) => (n - succeeded).min(parallelism),
            None if succeeded > 0 => active,
            None => parallelism,
        };
        let wait = c.last_failure.and_then(|at| {
            let ready_at = at + SignedDuration::try_from(backoff(failed, ctx.opts.time_scale)).ok()?;
            (ready_at > now).then(|| ready_at.duration_since(now).unsigned_abs())
        });
        if active < want {
            match wait {
                Some(w) => recheck = Some(recheck.map_or(w, |r: Duration| r.min(w))),
                None => {
                    for _ in active..want {
                        if let Some(p) = podutil::create_pod(store, new_pod(&job), &job, COMPONENT) {
                            let v = p.value();
                            c.active.push((p, v));
                        }
                    }
                }
            }
        } else if active > want {
            // Unready pods go first, as the real controller's ranking prefers.
            c.active.sort_by_key(|(_, v)| podutil::ready_since(v).is_some());
            for (p, _) in c.active.drain(..(active - want) as usize) {
                podutil::delete_pod(store, &p, &job, COMPONENT);
                c.terminating += 1;
            }
        }
    }
    write_status(store, &obj, &c, succeeded, failed, conds, start);
    recheck
}

fn write_status(
    store: &Store,
    obj: &Obj,
    c: &Census,
    succeeded: i64,
    failed: i64,
    conds: Vec<Value>,
    start: Option<String>,
) {
    let ready = c
        .active
        .iter()
        .filter(|(_, v)| podutil::ready_since(v).is_some())
        .count();
    let complete = conds.iter().any(|x| x["type"] == "Complete" && x["status"] == "True");
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        let st = &mut v["status"];
        let mut new = json!({"ready": ready, "terminating": c.terminating, "uncountedTerminatedPods": {}});
        for (k, n) in [
            ("active", c.active.len() as i64),
            ("succeeded", succeeded),
            ("failed", failed),
        ] {
            if n > 0 {
                new[k] = json!(n);
            }
        }
        if let Some(s) = start {
            new["startTime"] = json!(s);
        }
        if !conds.is_empty() {
            new["conditions"] = json!(conds);
        }
        if complete {
            new["completionTime"] = st["completionTime"]
                .as_str()
                .map_or_else(|| json!(now_str()), |t| json!(t));
        }
        *st = new;
        Ok(())
    });
}

/// The TTL-after-finished controller: deletes a finished Job `ttlSecondsAfterFinished` after it
/// finished, with foreground propagation as that controller asks (the garbage collector
/// removes the pods, then the Job).
fn ttl_after_finished(store: &Store, obj: &Obj, job: &Value) -> Option<Duration> {
    let ttl = job["spec"]["ttlSecondsAfterFinished"].as_i64()?;
    let due = finish_time(job).unwrap_or_else(Timestamp::now) + SignedDuration::from_secs(ttl);
    let now = Timestamp::now();
    if due > now {
        return Some(due.duration_since(now).unsigned_abs() + Duration::from_millis(50));
    }
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        let md = &mut v["metadata"];
        if md["deletionTimestamp"].is_null() {
            md["deletionTimestamp"] = json!(now_str());
            md["deletionGracePeriodSeconds"] = json!(0);
            md["finalizers"] = json!(["foregroundDeletion"]);
        }
        Ok(())
    });
    None
}

#[cfg(test)]
#[path = "job_tests.rs"]
mod tests;
