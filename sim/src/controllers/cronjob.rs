//! The CronJob controller (pkg/controller/cronjob, v2): starts a Job named
//! `<cronjob>-<scheduled unix minutes>` at the most recent due time, honouring
//! `startingDeadlineSeconds`, `concurrencyPolicy` and `suspend`; tracks active Jobs, notices
//! finished ones and prunes them beyond the history limits.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::super::events::{self, Source};
use super::super::resources::res;
use super::super::store::{Event, Key, Origin, Store};
use super::Ctx;
use super::cron::{self, MAX_MISSED};
use super::job::finished;
use super::podutil::{controller_of, controller_ref};
use super::runner::Controller;

const COMPONENT: &str = "cronjob-controller";
/// The annotation carrying a Job's scheduled time.
pub const SCHEDULED_AT: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// The CronJob controller, for [`super::runner::run`].
pub fn controller() -> Controller {
    Controller {
        name: COMPONENT,
        primary: res("CronJob"),
        keys_for,
        reconcile,
    }
}

fn keys_for(_: &Store, ev: &Event) -> Vec<Key> {
    let o = &ev.obj;
    let cj = res("CronJob");
    if o.res == cj {
        vec![o.key()]
    } else if o.res == res("Job") {
        controller_of(o, "CronJob")
            .map(|n| vec![(cj, o.ns.clone(), n)])
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

fn reconcile(ctx: &Ctx, key: &Key) -> Option<Duration> {
    sync(&ctx.store, key, Timestamp::now())
}

fn record(store: &Store, cj: &Value, type_: &str, reason: &str, msg: &str) {
    events::record(
        store,
        cj,
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

fn job_ref(job: &Value) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "name": job["metadata"]["name"],
        "namespace": job["metadata"]["namespace"],
        "uid": job["metadata"]["uid"],
        "resourceVersion": job["metadata"]["resourceVersion"],
    })
}

fn name_of(v: &Value) -> &str {
    v["metadata"]["name"].as_str().unwrap_or_default()
}

/// A Job from the CronJob's `jobTemplate`, controlled by it.
fn job_from_template(cj: &Value, name: &str, annotation: (&str, &str)) -> Value {
    let t = &cj["spec"]["jobTemplate"];
    let mut annotations = t["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    annotations.insert(annotation.0.into(), json!(annotation.1));
    json!({
        "metadata": {
            "name": name,
            "namespace": cj["metadata"]["namespace"],
            "labels": t["metadata"]["labels"].as_object().cloned().unwrap_or_default(),
            "annotations": annotations,
            "ownerReferences": [controller_ref(cj)],
        },
        "spec": t["spec"],
    })
}

/// Deletes a Job with background propagation (its pods follow through the garbage collector).
fn delete_job(store: &Store, cj: &Value, job: &Value) {
    let ns = job["metadata"]["namespace"].as_str().unwrap_or_default();
    if store.remove(res("Job"), ns, name_of(job)).is_ok() {
        record(
            store,
            cj,
            "Normal",
            "SuccessfulDelete",
            &format!("Deleted job {}", name_of(job)),
        );
    }
}

/// Keeps the newest `limit` of these finished Jobs, deleting the older ones.
fn prune(store: &Store, cj: &Value, mut done: Vec<&Value>, limit: i64) {
    let start = |j: &Value| {
        j["status"]["startTime"]
            .as_str()
            .or(j["metadata"]["creationTimestamp"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    done.sort_by_key(|j| (start(j), name_of(j).to_string()));
    let extra = done.len().saturating_sub(limit.max(0) as usize);
    for j in &done[..extra] {
        delete_job(store, cj, j);
    }
}

/// One sync of the CronJob at `key` as of `now` (tests pass their own clock). Returns when to
/// look again: the next scheduled time.
pub fn sync(store: &Store, key: &Key, now: Timestamp) -> Option<Duration> {
    let obj = store.get(key.0, &key.1, &key.2)?;
    if obj.deleting {
        return None;
    }
    let cj = obj.value();
    let spec = &cj["spec"];
    let jobs: Vec<Value> = store
        .dependents(&obj.uid)
        .into_iter()
        .filter(|(r, _, _)| *r == res("Job"))
        .filter_map(|(r, ns, n)| store.get(r, &ns, &n))
        .filter(|j| j.controller.as_deref() == Some(obj.uid.as_str()))
        .map(|j| j.value())
        .collect();
    let was_active: Vec<&str> = cj["status"]["active"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    let mut active: Vec<Value> = Vec::new();
    let mut last_success = cj["status"]["lastSuccessfulTime"].as_str().map(String::from);
    let (mut succeeded, mut failed) = (Vec::new(), Vec::new());
    for j in &jobs {
        match finished(j) {
            None => active.push(job_ref(j)),
            Some(how) => {
                if was_active.contains(&name_of(j)) {
                    let msg = format!("Saw completed job: {}, condition: {how}", name_of(j));
                    record(store, &cj, "Normal", "SawCompletedJob", &msg);
                }
                if how == "Complete" {
                    let at = j["status"]["completionTime"].as_str().map(String::from);
                    last_success = last_success.max(at);
                    succeeded.push(j);
                } else {
                    failed.push(j);
                }
            }
        }
    }
    prune(
        store,
        &cj,
        succeeded,
        spec["successfulJobsHistoryLimit"].as_i64().unwrap_or(3),
    );
    prune(store, &cj, failed, spec["failedJobsHistoryLimit"].as_i64().unwrap_or(1));

    let mut last_schedule = cj["status"]["lastScheduleTime"].as_str().map(String::from);
    let mut recheck = None;
    if spec["suspend"] != true {
        match cron::parse(spec["schedule"].as_str().unwrap_or_default(), spec["timeZone"].as_str()) {
            Err(e) => {
                let msg = format!(
                    "unparseable schedule: {:?} : {e}",
                    spec["schedule"].as_str().unwrap_or_default()
                );
                record(store, &cj, "Warning", "UnparseableSchedule", &msg);
            }
            Ok(sched) => {
                recheck = sched
                    .next_after(now)
                    .map(|n| n.duration_since(now).unsigned_abs() + Duration::from_millis(100));
                let created: Timestamp = cj["metadata"]["creationTimestamp"].as_str()?.parse().ok()?;
                let mut earliest = last_schedule.as_deref().and_then(|t| t.parse().ok()).unwrap_or(created);
                if let Some(d) = spec["startingDeadlineSeconds"].as_i64() {
                    earliest = earliest.max(now - SignedDuration::from_secs(d));
                }
                let due = cron::due_times(&sched, earliest, now);
                if due.len() > MAX_MISSED {
                    let msg = format!(
                        "too many missed start times: {}. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
                        due.len()
                    );
                    record(store, &cj, "Warning", "TooManyMissedTimes", &msg);
                }
                if let Some(&t) = due.last() {
                    let policy = spec["concurrencyPolicy"].as_str().unwrap_or("Allow");
                    if policy == "Forbid" && !active.is_empty() {
                        let msg =
                            "Not starting job because prior execution is running and concurrency policy is Forbid";
                        record(store, &cj, "Normal", "JobAlreadyActive", msg);
                    } else {
                        if policy == "Replace" {
                            for r in active.drain(..) {
                                delete_job(store, &cj, &json!({"metadata": r}));
                            }
                        }
                        let name = format!("{}-{}", obj.name, t.as_second() / 60);
                        let job = job_from_template(&cj, &name, (SCHEDULED_AT, &sched.rfc3339(t)));
                        match store.create(res("Job"), job, Origin::Internal) {
                            Ok(j) => {
                                active.push(job_ref(&j.value()));
                                record(store, &cj, "Normal", "SuccessfulCreate", &format!("Created job {name}"));
                            }
                            // Already started for this time (a resync before the status landed).
                            Err(e) if e.code == 409 => {}
                            Err(_) => return Some(Duration::from_secs(1)),
                        }
                        last_schedule = Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
                    }
                }
            }
        }
    }
    let _ = store.update_with(obj.res, &obj.ns, &obj.name, |v| {
        let st = &mut v["status"];
        *st = json!({});
        if !active.is_empty() {
            st["active"] = json!(active);
        }
        if let Some(t) = last_schedule {
            st["lastScheduleTime"] = json!(t);
        }
        if let Some(t) = last_success {
            st["lastSuccessfulTime"] = json!(t);
        }
        Ok(())
    });
    recheck
}

#[cfg(test)]
#[path = "cronjob_tests.rs"]
mod tests;
