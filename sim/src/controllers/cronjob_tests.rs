use serde_json::{Value, json};

use super::super::job;
use super::super::testkit::Kit;
use super::*;
use crate::status::ApiError;
use crate::store::now_str;
use rand::Rng;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A CronJob created at `created`, every minute unless `extra` says otherwise.
fn cronjob(store: &Store, created: &str, extra: Value) -> Key {
    let mut cj = json!({
        "metadata": {"name": "settle", "namespace": "default", "creationTimestamp": created},
        "spec": {
            "schedule": "* * * * *",
            "jobTemplate": {
                "metadata": {"labels": {"app": "settle"}},
                "spec": {"template": {"metadata": {"annotations": {"sim.kubedeck.io/run-seconds": "1"}},
                    "spec": {"restartPolicy": "OnFailure", "containers": [{"name": "s", "image": "busybox"}]}}},
            },
        },
    });
    for (k, v) in extra.as_object().unwrap() {
        cj["spec"][k] = v.clone();
    }
    store.create(res("CronJob"), cj, Origin::Internal).unwrap().key()
}

fn job_names(s: &Store) -> Vec<String> {
    let mut v: Vec<String> = s
        .list(res("Job"), Some("default"))
        .0
        .iter()
        .map(|j| j.name.clone())
        .collect();
    v.sort();
    v
}

fn cj_status(s: &Store) -> Value {
    s.get_value(res("CronJob"), "default", "settle").unwrap()["status"].clone()
}

fn finish(s: &Store, name: &str, how: &str) {
    s.update_with(res("Job"), "default", name, |v| {
        v["status"]["conditions"] = json!([{"type": how, "status": "True", "lastTransitionTime": now_str()}]);
        if how == "Complete" {
            v["status"]["completionTime"] = json!("2024-01-15T10:30:00Z");
        }
        Ok(())
    })
    .unwrap();
}

fn reasons(s: &Store) -> Vec<String> {
    s.list(res("Event"), Some("default"))
        .0
        .iter()
        .map(|e| e.value()["reason"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn starts_the_most_recent_due_time_and_tracks_it() {
    let store = Store::new(1000);
    let key = cronjob(&store, "2024-01-15T10:00:30Z", json!({}));
    let next = sync(&store, &key, ts("2024-01-15T10:05:10Z"));
    assert_eq!(next.map(|d| d.as_secs()), Some(50), "looks again at 10:06");
    // Missed 10:01..10:04 are skipped; only 10:05 (unix minute 28421885) starts.
    assert_eq!(job_names(&store), ["settle-28421885"]);
    let j = store.get_value(res("Job"), "default", "settle-28421885").unwrap();
    assert_eq!(j["metadata"]["annotations"][SCHEDULED_AT], "2024-01-15T10:05:00Z");
    assert_eq!(j["metadata"]["labels"]["app"], "settle");
    assert_eq!(j["metadata"]["ownerReferences"][0]["kind"], "CronJob");
    assert_eq!(j["spec"]["template"]["spec"]["restartPolicy"], "OnFailure");
    let st = cj_status(&store);
    assert_eq!(st["lastScheduleTime"], "2024-01-15T10:05:00Z");
    assert_eq!(st["active"][0]["name"], "settle-28421885");
    assert_eq!(st["active"][0]["kind"], "Job");
    // Nothing new within the same minute.
    sync(&store, &key, ts("2024-01-15T10:05:50Z"));
    assert_eq!(job_names(&store).len(), 1);

    finish(&store, "settle-28421885", "Complete");
    sync(&store, &key, ts("2024-01-15T10:05:55Z"));
    let st = cj_status(&store);
    assert!(st["active"].is_null());
    assert_eq!(st["lastSuccessfulTime"], "2024-01-15T10:30:00Z");
    let ev = store.list(res("Event"), Some("default")).0;
    let msgs: Vec<String> = ev
        .iter()
        .map(|e| e.value()["message"].as_str().unwrap().to_string())
        .collect();
    assert!(msgs.contains(&"Created job settle-28421885".to_string()));
    assert!(msgs.contains(&"Saw completed job: settle-28421885, condition: Complete".to_string()));
}

#[test]
fn concurrency_policies_decide_about_a_running_job() {
    for (policy, want) in [
        ("Forbid", vec!["settle-28421885"]),
        ("Allow", vec!["settle-28421885", "settle-28421886"]),
        ("Replace", vec!["settle-28421886"]),
    ] {
        let store = Store::new(1000);
        let key = cronjob(&store, "2024-01-15T10:04:30Z", json!({"concurrencyPolicy": policy}));
        sync(&store, &key, ts("2024-01-15T10:05:10Z"));
        sync(&store, &key, ts("2024-01-15T10:06:10Z"));
        assert_eq!(job_names(&store), want, "{policy}");
        let r = reasons(&store);
        assert_eq!(
            r.contains(&"JobAlreadyActive".to_string()),
            policy == "Forbid",
            "{policy}"
        );
        assert_eq!(
            r.contains(&"SuccessfulDelete".to_string()),
            policy == "Replace",
            "{policy}"
        );
        let expected_last = if policy == "Forbid" {
            "2024-01-15T10:05:00Z"
        } else {
            "2024-01-15T10:06:00Z"
        };
        assert_eq!(cj_status(&store)["lastScheduleTime"], expected_last, "{policy}");
    }
}

#[test]
fn history_limits_keep_the_newest_finished_jobs() {
    let store = Store::new(1000);
    let key = cronjob(
        &store,
        "2024-01-15T09:59:30Z",
        json!({"successfulJobsHistoryLimit": 2, "failedJobsHistoryLimit": 1}),
    );
    for minute in 0..6 {
        let now = ts("2024-01-15T10:00:10Z") + SignedDuration::from_mins(minute);
        sync(&store, &key, now);
        let name = format!("settle-{}", 28421880 + minute);
        finish(&store, &name, if minute < 4 { "Complete" } else { "Failed" });
    }
    sync(&store, &key, ts("2024-01-15T10:05:20Z"));
    assert_eq!(
        job_names(&store),
        ["settle-28421882", "settle-28421883", "settle-28421885"]
    );
    assert!(cj_status(&store)["active"].is_null());
    let ev = store.list(res("Event"), Some("default")).0;
    assert!(ev.iter().any(|e| e.value()["message"] == "Deleted job settle-28421880"));
}

#[test]
fn suspended_deadlines_and_bad_schedules_start_nothing() {
    let store = Store::new(1000);
    let key = cronjob(&store, "2024-01-15T10:00:30Z", json!({"suspend": true}));
    assert_eq!(sync(&store, &key, ts("2024-01-15T10:05:10Z")), None);
    assert!(job_names(&store).is_empty());

    let store = Store::new(1000);
    // Due at 10:05:00, but the deadline passed at 10:05:05.
    let key = cronjob(&store, "2024-01-15T10:04:30Z", json!({"startingDeadlineSeconds": 5}));
    sync(&store, &key, ts("2024-01-15T10:05:10Z"));
    assert!(job_names(&store).is_empty());
    sync(&store, &key, ts("2024-01-15T10:06:03Z"));
    assert_eq!(job_names(&store), ["settle-28421886"]);

    let store = Store::new(1000);
    let key = cronjob(&store, "2024-01-15T10:00:30Z", json!({"schedule": "61 * * * *"}));
    sync(&store, &key, ts("2024-01-15T10:05:10Z"));
    assert!(job_names(&store).is_empty());
    assert!(reasons(&store).contains(&"UnparseableSchedule".to_string()));
}

#[tokio::test]
async fn the_controller_runs_jobs_and_sees_them_complete() {
    let kit = Kit::start_scaled(&[controller(), job::controller()], 0.01);
    let created = (Timestamp::now() - SignedDuration::from_mins(2))
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    cronjob(kit.store(), &created, json!({}));
    kit.wait_for("a scheduled job ran to completion", |s| {
        let st = cj_status(s);
        st["lastSuccessfulTime"].is_string() && st["active"].is_null() && st["lastScheduleTime"].is_string()
    })
    .await;
    let last: Timestamp = cj_status(kit.store())["lastScheduleTime"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Named after the scheduled minute (a second one may start if the test crosses a minute).
    assert!(job_names(kit.store()).contains(&format!("settle-{}", last.as_second() / 60)));
    assert!(reasons(kit.store()).contains(&"SawCompletedJob".to_string()));

    let manual = trigger_now(kit.store(), "default", "settle").unwrap();
    assert!(manual.starts_with("settle-manual-") && manual.len() == "settle-manual-".len() + 5);
    let j = kit.store().get_value(res("Job"), "default", &manual).unwrap();
    assert_eq!(
        j["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    assert!(trigger_now(kit.store(), "default", "nope").is_err_and(|e| e.code == 404));
}

/// Starts the CronJob's Job now, as `kubectl create job --from=cronjob/<name>` does: a Job
/// `<cronjob>-manual-<5 chars>` annotated `cronjob.kubernetes.io/instantiate: manual`.
/// Returns the Job's name. (No action of kubedeck starts one yet; the tests check the controller
/// runs a manual Job like a scheduled one.)
fn trigger_now(store: &Store, ns: &str, name: &str) -> Result<String, ApiError> {
    let id = res("CronJob");
    let cj = store
        .get_value(id, ns, name)
        .ok_or_else(|| ApiError::not_found(id.def(), name))?;
    const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    let suffix: String = (0..5).map(|_| SAFE[rng.random_range(0..SAFE.len())] as char).collect();
    let job_name = format!("{name}-manual-{suffix}");
    let job = job_from_template(&cj, &job_name, ("cronjob.kubernetes.io/instantiate", "manual"));
    let created = store.create(res("Job"), job, Origin::Api)?;
    Ok(created.name.clone())
}
