//! Table-driven tests of the pod STATUS / READY / RESTARTS rules.

use super::super::{obj, test_now, texts};
use super::*;
use serde_json::{Value, json};

fn cs(name: &str, state: Value, ready: bool, restarts: i32) -> Value {
    json!({"name": name, "image": "img", "imageID": "", "ready": ready, "restartCount": restarts, "state": state})
}

fn pod(containers: &[&str], status: Value) -> Pod {
    let cs: Vec<Value> = containers.iter().map(|n| json!({"name": n, "image": "img"})).collect();
    obj(json!({
        "metadata": {"name": "p", "creationTimestamp": "2024-05-01T11:00:00Z"},
        "spec": {"containers": cs},
        "status": status
    }))
}

fn running() -> Value {
    json!({"running": {"startedAt": "2024-05-01T11:00:00Z"}})
}

fn waiting(r: &str) -> Value {
    json!({"waiting": {"reason": r}})
}

fn terminated(code: i32, reason: Option<&str>) -> Value {
    match reason {
        Some(r) => json!({"terminated": {"exitCode": code, "reason": r}}),
        None => json!({"terminated": {"exitCode": code}}),
    }
}

fn init_pod(inits: Value, init_statuses: Value, conditions: Value) -> Pod {
    obj(json!({
        "metadata": {"name": "p"},
        "spec": {"initContainers": inits, "containers": [{"name": "app"}]},
        "status": {
            "phase": "Pending",
            "conditions": conditions,
            "initContainerStatuses": init_statuses,
            "containerStatuses": [cs("app", waiting("PodInitializing"), false, 0)]
        }
    }))
}

#[test]
fn pod_status_cases() {
    let ready_cond = json!([{"type": "Ready", "status": "True"}]);
    let cases: Vec<(&str, Pod, &str, &str)> = vec![
        (
            "running",
            pod(
                &["a"],
                json!({"phase": "Running", "containerStatuses": [cs("a", running(), true, 0)]}),
            ),
            "Running",
            "1/1",
        ),
        (
            "crashloop",
            pod(
                &["a"],
                json!({"phase": "Running", "containerStatuses": [cs("a", waiting("CrashLoopBackOff"), false, 4)]}),
            ),
            "CrashLoopBackOff",
            "0/1",
        ),
        (
            "image pull backoff",
            pod(
                &["a"],
                json!({"phase": "Pending", "containerStatuses": [cs("a", waiting("ImagePullBackOff"), false, 0)]}),
            ),
            "ImagePullBackOff",
            "0/1",
        ),
        (
            "err image pull",
            pod(
                &["a"],
                json!({"phase": "Pending", "containerStatuses": [cs("a", waiting("ErrImagePull"), false, 0)]}),
            ),
            "ErrImagePull",
            "0/1",
        ),
        (
            "container creating",
            pod(
                &["a"],
                json!({"phase": "Pending", "containerStatuses": [cs("a", waiting("ContainerCreating"), false, 0)]}),
            ),
            "ContainerCreating",
            "0/1",
        ),
        (
            "completed",
            pod(
                &["a"],
                json!({"phase": "Succeeded", "containerStatuses": [cs("a", terminated(0, Some("Completed")), false, 0)]}),
            ),
            "Completed",
            "0/1",
        ),
        (
            "error",
            pod(
                &["a"],
                json!({"phase": "Failed", "containerStatuses": [cs("a", terminated(1, Some("Error")), false, 0)]}),
            ),
            "Error",
            "0/1",
        ),
        (
            "oom killed",
            pod(
                &["a"],
                json!({"phase": "Running", "containerStatuses": [cs("a", terminated(137, Some("OOMKilled")), false, 2)]}),
            ),
            "OOMKilled",
            "0/1",
        ),
        (
            "exit code without reason",
            pod(
                &["a"],
                json!({"phase": "Failed", "containerStatuses": [cs("a", terminated(3, None), false, 0)]}),
            ),
            "ExitCode:3",
            "0/1",
        ),
        (
            "signal without reason",
            pod(
                &["a"],
                json!({"phase": "Failed", "containerStatuses": [cs("a", json!({"terminated": {"exitCode": 0, "signal": 9}}), false, 0)]}),
            ),
            "Signal:9",
            "0/1",
        ),
        (
            "completed but one still running and ready",
            pod(
                &["a", "b"],
                json!({"phase": "Running", "conditions": ready_cond, "containerStatuses": [
                cs("a", running(), true, 0), cs("b", terminated(0, Some("Completed")), false, 0)]}),
            ),
            "Running",
            "1/2",
        ),
        (
            "completed but one still running, pod not ready",
            pod(
                &["a", "b"],
                json!({"phase": "Running", "containerStatuses": [
                cs("a", running(), true, 0), cs("b", terminated(0, Some("Completed")), false, 0)]}),
            ),
            "NotReady",
            "1/2",
        ),
        (
            "running but not ready",
            pod(
                &["a"],
                json!({"phase": "Running", "containerStatuses": [cs("a", running(), false, 0)]}),
            ),
            "Running",
            "0/1",
        ),
        (
            "first container's state wins",
            pod(
                &["a", "b"],
                json!({"phase": "Running", "containerStatuses": [
                cs("a", waiting("CrashLoopBackOff"), false, 1), cs("b", waiting("ImagePullBackOff"), false, 0)]}),
            ),
            "CrashLoopBackOff",
            "0/2",
        ),
        (
            "evicted",
            pod(
                &["a"],
                json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
            ),
            "Evicted",
            "0/1",
        ),
        (
            "pending, no statuses",
            pod(&["a"], json!({"phase": "Pending"})),
            "Pending",
            "0/1",
        ),
        (
            "scheduling gated",
            pod(
                &["a"],
                json!({"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
            ),
            "SchedulingGated",
            "0/1",
        ),
    ];
    for (what, p, status, ready) in cases {
        let s = pod_summary(&p);
        assert_eq!(s.status, status, "{what}");
        assert_eq!(s.ready_text(), ready, "{what}");
    }
}

#[test]
fn init_container_cases() {
    let two = json!([{"name": "i1"}, {"name": "i2"}]);
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "second init running",
            json!([
                cs("i1", terminated(0, Some("Completed")), false, 0),
                cs("i2", running(), false, 0)
            ]),
            "Init:1/2",
        ),
        (
            "first init waiting PodInitializing counts as progress",
            json!([
                cs("i1", waiting("PodInitializing"), false, 0),
                cs("i2", waiting("PodInitializing"), false, 0)
            ]),
            "Init:0/2",
        ),
        (
            "init crashloop",
            json!([
                cs("i1", waiting("CrashLoopBackOff"), false, 3),
                cs("i2", waiting("PodInitializing"), false, 0)
            ]),
            "Init:CrashLoopBackOff",
        ),
        (
            "init error",
            json!([
                cs("i1", terminated(1, Some("Error")), false, 0),
                cs("i2", waiting("PodInitializing"), false, 0)
            ]),
            "Init:Error",
        ),
        (
            "init exit code",
            json!([
                cs("i1", terminated(2, None), false, 0),
                cs("i2", waiting("PodInitializing"), false, 0)
            ]),
            "Init:ExitCode:2",
        ),
        (
            "init signal",
            json!([cs("i1", json!({"terminated": {"exitCode": 1, "signal": 15}}), false, 0)]),
            "Init:Signal:15",
        ),
    ];
    for (what, statuses, want) in cases {
        let p = init_pod(two.clone(), statuses, json!([]));
        assert_eq!(pod_status(&p), want, "{what}");
    }
    // All inits done: the main containers decide, and PodInitializing shows through.
    let p = init_pod(
        two.clone(),
        json!([
            cs("i1", terminated(0, Some("Completed")), false, 0),
            cs("i2", terminated(0, Some("Completed")), false, 0)
        ]),
        json!([]),
    );
    assert_eq!(pod_status(&p), "PodInitializing");
    // Init restarts count while initializing.
    let p = init_pod(two, json!([cs("i1", waiting("CrashLoopBackOff"), false, 3)]), json!([]));
    assert_eq!(pod_summary(&p).restarts, 3);
}

#[test]
fn sidecar_init_containers_count_in_ready_and_restarts() {
    let inits = json!([{"name": "mesh", "restartPolicy": "Always"}, {"name": "setup"}]);
    let p: Pod = obj(json!({
        "metadata": {"name": "p"},
        "spec": {"initContainers": inits, "containers": [{"name": "app"}]},
        "status": {
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
            "initContainerStatuses": [
                {"name": "mesh", "image": "i", "imageID": "", "ready": true, "restartCount": 2, "started": true,
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:50:00Z"}}},
                cs("setup", terminated(0, Some("Completed")), false, 1)
            ],
            "containerStatuses": [cs("app", running(), true, 1)]
        }
    }));
    let s = pod_summary(&p);
    assert_eq!(s.ready_text(), "2/2");
    assert_eq!(s.status, "Running");
    // The finished "setup" init container's restart is not counted once initialized.
    assert_eq!(s.restarts, 3);
    assert_eq!(s.restarts_text(test_now()), "3 (10m ago)");

    // A sidecar that has not started blocks initialization like any init container.
    let p: Pod = obj(json!({
        "metadata": {"name": "p"},
        "spec": {"initContainers": [{"name": "mesh", "restartPolicy": "Always"}], "containers": [{"name": "app"}]},
        "status": {"phase": "Pending", "initContainerStatuses": [cs("mesh", running(), false, 0)]}
    }));
    let s = pod_summary(&p);
    assert_eq!(s.status, "Init:0/1");
    assert_eq!(s.ready_text(), "0/2");
}

#[test]
fn terminating_and_node_lost() {
    let mut p = pod(
        &["a"],
        json!({"phase": "Running", "containerStatuses": [cs("a", running(), true, 0)]}),
    );
    p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(test_now()));
    assert_eq!(pod_status(&p), "Terminating");
    p.status.as_mut().unwrap().reason = Some("NodeLost".into());
    assert_eq!(pod_status(&p), "Unknown");
    // A finished pod being deleted keeps its terminal status.
    let mut done = pod(
        &["a"],
        json!({"phase": "Succeeded", "containerStatuses": [cs("a", terminated(0, Some("Completed")), false, 0)]}),
    );
    done.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(test_now()));
    assert_eq!(pod_status(&done), "Completed");
}

#[test]
fn restarts_show_last_restart_age() {
    let p = pod(
        &["a", "b"],
        json!({"phase": "Running", "containerStatuses": [
            {"name": "a", "image": "i", "imageID": "", "ready": true, "restartCount": 4, "state": {"running": {}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:57:00Z"}}},
            {"name": "b", "image": "i", "imageID": "", "ready": true, "restartCount": 1, "state": {"running": {}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T10:00:00Z"}}}
        ]}),
    );
    assert_eq!(pod_summary(&p).restarts_text(test_now()), "5 (3m ago)");
    let none = pod(
        &["a"],
        json!({"phase": "Running", "containerStatuses": [cs("a", running(), true, 0)]}),
    );
    assert_eq!(pod_summary(&none).restarts_text(test_now()), "0");
}

#[test]
fn full_row_with_wide_columns() {
    let p: Pod = obj(json!({
        "metadata": {"name": "web-1", "creationTimestamp": "2024-05-01T11:56:40Z"},
        "spec": {"nodeName": "node-1", "containers": [{"name": "a"}],
                 "readinessGates": [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/dns"}]},
        "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.7"}], "conditions": [
            {"type": "example.com/lb", "status": "True"}, {"type": "example.com/dns", "status": "False"}],
            "containerStatuses": [cs("a", running(), true, 0)]}
    }));
    assert_eq!(
        texts(&pod_row(&p, test_now())),
        vec![
            "web-1", "1/1", "Running", "0", "3m20s", "10.0.0.7", "node-1", "<none>", "1/2"
        ]
    );
    let bare = pod(&["a"], json!({"phase": "Pending"}));
    let row = texts(&pod_row(&bare, test_now()));
    assert_eq!(&row[5..], &["<none>", "<none>", "<none>", "<none>"]);
    assert_eq!(row.len(), POD_COLUMNS.len());
}
