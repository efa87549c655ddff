use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::super::gc;
use super::super::podutil::is_active;
use super::super::testkit::{Kit, finish_pod};
use super::*;
use crate::store::EventType;

fn job_json(name: &str, spec: Value, run_seconds: Option<&str>) -> Value {
    let mut j = json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"template": {"metadata": {}, "spec": {"restartPolicy": "Never",
            "containers": [{"name": "pi", "image": "perl:5.34"}]}}},
    });
    for (k, v) in spec.as_object().unwrap() {
        j["spec"][k] = v.clone();
    }
    if let Some(s) = run_seconds {
        j["spec"]["template"]["metadata"]["annotations"] = json!({"sim.kubedeck.io/run-seconds": s});
    }
    j
}

fn job(s: &Store, name: &str) -> Option<Value> {
    s.get_value(res("Job"), "default", name)
}

fn condition<'a>(j: &'a Value, t: &str) -> Option<&'a Value> {
    j["status"]["conditions"].as_array()?.iter().find(|c| c["type"] == t)
}

fn messages(s: &Store) -> Vec<(String, String)> {
    s.list(res("Event"), Some("default"))
        .0
        .iter()
        .map(|e| {
            let v = e.value();
            (
                v["reason"].as_str().unwrap().to_string(),
                v["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn completes_three_pods_never_running_more_than_two() {
    let kit = Kit::start_scaled(&[controller()], 0.05);
    let mut rx = kit.store().subscribe();
    kit.create(
        res("Job"),
        job_json("pi", json!({"completions": 3, "parallelism": 2}), Some("2")),
    );
    kit.wait_for("the job completes", |s| {
        job(s, "pi").is_some_and(|j| finished(&j) == Some("Complete"))
    })
    .await;

    // Replay the watch: pods running at once, and the job's own count, never exceed parallelism.
    let mut running: BTreeMap<String, bool> = BTreeMap::new();
    let mut created = 0;
    while let Ok(ev) = rx.try_recv() {
        let v = ev.obj.value();
        if ev.obj.res == pods() {
            created += usize::from(ev.kind == EventType::Added);
            running.insert(ev.obj.name.clone(), is_active(&ev.obj) && ev.kind != EventType::Deleted);
            assert!(running.values().filter(|r| **r).count() <= 2, "more than 2 pods active");
        } else if ev.obj.res == res("Job") {
            assert!(v["status"]["active"].as_i64().unwrap_or(0) <= 2);
        }
    }
    assert_eq!(created, 3);
    let j = job(kit.store(), "pi").unwrap();
    let st = &j["status"];
    assert_eq!(st["succeeded"], 3);
    assert!(st["active"].is_null());
    assert_eq!(st["ready"], 0);
    assert_eq!(st["terminating"], 0);
    assert_eq!(st["uncountedTerminatedPods"], json!({}));
    assert!(st["startTime"].is_string() && st["completionTime"].is_string());
    for t in ["SuccessCriteriaMet", "Complete"] {
        let c = condition(&j, t).unwrap();
        assert_eq!(c["reason"], "CompletionsReached");
        assert_eq!(c["message"], "Reached expected number of succeeded pods");
    }
    let pod = kit.store().list(pods(), Some("default")).0[0].value();
    let labels = &pod["metadata"]["labels"];
    assert_eq!(labels["batch.kubernetes.io/controller-uid"], j["metadata"]["uid"]);
    assert_eq!(labels["controller-uid"], j["metadata"]["uid"]);
    assert_eq!(labels["job-name"], "pi");
    assert_eq!(labels["batch.kubernetes.io/job-name"], "pi");
    assert_eq!(pod["spec"]["restartPolicy"], "Never");
    assert_eq!(pod["metadata"]["annotations"]["sim.kubedeck.io/run-seconds"], "2");
    let msgs = messages(kit.store());
    assert!(msgs.contains(&("Completed".into(), "Job completed".into())));
    assert!(
        msgs.iter()
            .any(|(r, m)| r == "SuccessfulCreate" && m.starts_with("Created pod: pi-") && m.len() == 21)
    );
}

#[tokio::test]
async fn fails_after_the_backoff_limit() {
    let kit = Kit::start_scaled(&[controller()], 0.001);
    kit.create(res("Job"), job_json("flaky", json!({"backoffLimit": 2}), None));
    // Every pod the job starts exits 1, as a failing container would.
    kit.wait_for("the job fails", |s| {
        for p in s.list(pods(), Some("default")).0 {
            if p.value()["status"]["phase"] == "Running" {
                let _ = s.update_with(pods(), "default", &p.name, |v| {
                    finish_pod(v, 1);
                    Ok(())
                });
            }
        }
        job(s, "flaky").is_some_and(|j| finished(&j) == Some("Failed"))
    })
    .await;
    let j = job(kit.store(), "flaky").unwrap();
    assert_eq!(j["status"]["failed"], 3, "backoffLimit 2 allows 3 attempts");
    assert!(j["status"]["succeeded"].is_null());
    assert_eq!(kit.store().list(pods(), Some("default")).0.len(), 3);
    for t in ["FailureTarget", "Failed"] {
        let c = condition(&j, t).unwrap();
        assert_eq!(c["reason"], "BackoffLimitExceeded");
        assert_eq!(c["message"], "Job has reached the specified backoff limit");
    }
    assert!(messages(kit.store()).iter().any(|(r, _)| r == "BackoffLimitExceeded"));
}

#[test]
fn backoff_doubles_from_ten_seconds_up_to_six_minutes() {
    assert_eq!(backoff(1, 1.0), Duration::from_secs(10));
    assert_eq!(backoff(2, 1.0), Duration::from_secs(20));
    assert_eq!(backoff(4, 1.0), Duration::from_secs(80));
    assert_eq!(backoff(7, 1.0), Duration::from_secs(360));
    assert_eq!(backoff(30, 1.0), Duration::from_secs(360));
    assert_eq!(backoff(1, 0.5), Duration::from_secs(5));
}

#[tokio::test]
async fn suspend_holds_pods_back_until_resumed() {
    let kit = Kit::start_scaled(&[controller()], 0.01);
    kit.create(res("Job"), job_json("later", json!({"suspend": true}), Some("1")));
    kit.wait_for("suspended", |s| {
        job(s, "later").is_some_and(|j| has_condition(&j, "Suspended"))
    })
    .await;
    assert_eq!(kit.store().count(pods()), 0);
    assert!(job(kit.store(), "later").unwrap()["status"]["startTime"].is_null());
    kit.store()
        .update_with(res("Job"), "default", "later", |v| {
            v["spec"]["suspend"] = json!(false);
            Ok(())
        })
        .unwrap();
    kit.wait_for("resumed and complete", |s| {
        job(s, "later").is_some_and(|j| finished(&j) == Some("Complete"))
    })
    .await;
    let j = job(kit.store(), "later").unwrap();
    assert_eq!(condition(&j, "Suspended").unwrap()["status"], "False");
    assert_eq!(condition(&j, "Suspended").unwrap()["reason"], "JobResumed");
}

#[tokio::test]
async fn ttl_after_finished_deletes_the_job_and_its_pods() {
    let kit = Kit::start_scaled(&[controller(), gc::controller()], 0.01);
    kit.create(
        res("Job"),
        job_json("once", json!({"ttlSecondsAfterFinished": 0}), Some("1")),
    );
    kit.wait_for("a pod ran", |s| s.count(pods()) == 1).await;
    kit.wait_for("job and pods gone", |s| {
        job(s, "once").is_none() && s.count(pods()) == 0
    })
    .await;
}
