//! Each rule on a fixture, with the objects it must not flag.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::rows;
use crate::table::{Column, set_columns};
use crate::{Res, Resource};

const NOW: &str = "2026-12-05T02:00:00Z";

fn now() -> i64 {
    NOW.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn ago(secs: i64) -> String {
    jiff::Timestamp::from_second(now() - secs).unwrap().to_string()
}

fn obj<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn pod(name: &str, created_ago: i64, status: Value) -> Row {
    rows::pod(&obj(json!({
        "metadata": {"name": name, "namespace": "shop", "uid": name, "creationTimestamp": ago(created_ago)},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": status
    })))
}

/// The names the rules find on `rows` of `kind`, with their problem words.
fn found(kind: Kind, rows: Vec<Row>, ctx: &Ctx) -> Vec<(String, &'static str, String)> {
    let rows: Vec<Arc<Row>> = rows.into_iter().map(Arc::new).collect();
    evaluate(&[(kind, &rows)], ctx)
        .into_iter()
        .map(|f| (f.name, f.rule, f.problem))
        .collect()
}

fn rules_on(kind: Kind, rows: Vec<Row>, ctx: &Ctx) -> Vec<(String, &'static str)> {
    found(kind, rows, ctx).into_iter().map(|(n, r, _)| (n, r)).collect()
}

fn running() -> Value {
    json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}],
        "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {"startedAt": ago(600)}}}]})
}

fn waiting(reason: &str, msg: &str) -> Value {
    json!({"phase": "Pending", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"waiting": {"reason": reason, "message": msg}}}]})
}

#[test]
fn crash_loop_is_flagged_with_its_restarts_and_last_exit() {
    let st = json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 7,
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=c"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(30)}}}]});
    let ctx = Ctx::at(now());
    let f = found(
        Kind::Pod,
        vec![pod("checkout", 3600, st), pod("web", 3600, running())],
        &ctx,
    );
    assert_eq!(
        f,
        vec![("checkout".into(), "crash-loop", "CrashLoopBackOff (7 restarts)".into())]
    );
    let rows = [Arc::new(pod("x", 60, waiting("CrashLoopBackOff", "m")))];
    assert_eq!(evaluate(&[(Kind::Pod, &rows)], &ctx)[0].evidence, "m");
}

#[test]
fn image_pull_and_config_errors_say_the_waiting_reason() {
    let ctx = Ctx::at(now());
    let rows = vec![
        pod(
            "a",
            3600,
            waiting("ImagePullBackOff", "Back-off pulling image \"x:does-not-exist\""),
        ),
        pod("b", 3600, waiting("ErrImagePull", "not found")),
        pod(
            "c",
            3600,
            waiting("CreateContainerConfigError", "secret \"db\" not found"),
        ),
        // Starting up is not a problem, even Pending.
        pod("d", 5, waiting("ContainerCreating", "")),
    ];
    let f = found(Kind::Pod, rows, &ctx);
    assert_eq!(
        f,
        vec![
            ("a".into(), "image-pull", "ImagePullBackOff".into()),
            ("b".into(), "image-pull", "ErrImagePull".into()),
            ("c".into(), "config-error", "CreateContainerConfigError".into()),
        ]
    );
}

#[test]
fn an_oom_kill_counts_for_an_hour() {
    let oom = |secs: i64| {
        json!({"phase": "Running", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": true, "restartCount": 2,
            "state": {"running": {"startedAt": ago(secs - 1)}},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(secs)}}}]})
    };
    let ctx = Ctx::at(now());
    let f = rules_on(
        Kind::Pod,
        vec![pod("recent", 7200, oom(300)), pod("old", 7200, oom(4000))],
        &ctx,
    );
    assert_eq!(f, vec![("recent".into(), "oom-killed")]);
}

#[test]
fn pending_over_a_minute_says_the_schedulers_reason_and_a_young_one_is_not_flagged() {
    let msg = "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 4 node(s) didn't match Pod's node affinity/selector.";
    let st = json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": msg, "lastTransitionTime": ago(300)}]});
    let ctx = Ctx::at(now());
    let rows = [pod("stuck", 300, st.clone()), pod("young", 5, st)].map(Arc::new);
    let f = evaluate(&[(Kind::Pod, &rows)], &ctx);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].name.as_str(), f[0].problem.as_str()),
        ("stuck", "Pending: Unschedulable")
    );
    assert_eq!(f[0].evidence, msg);
    assert_eq!(f[0].since, Some(now() - 300));
    // Bound to a node that never starts it: no scheduler's words, the node instead.
    let bound = rows::pod(&obj(json!({
        "metadata": {"name": "proxy", "namespace": "kube-system", "uid": "p", "creationTimestamp": ago(300)},
        "spec": {"nodeName": "worker-3", "containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Pending"}
    })));
    let f = evaluate(&[(Kind::Pod, &[Arc::new(bound)])], &ctx);
    assert_eq!(
        (f[0].problem.as_str(), f[0].evidence.as_str()),
        ("Pending for over a minute", "bound to node worker-3, not started")
    );
}

#[test]
fn a_completed_job_pod_and_a_running_pod_are_not_flagged() {
    let done = json!({"phase": "Succeeded", "containerStatuses": [{"name": "c", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": ago(100)}}}]});
    let ctx = Ctx::at(now());
    let rows = [pod("job-abc", 200, done), pod("web", 200, running())];
    assert!(rows.iter().all(|r| !flagged(Kind::Pod, r, &ctx)));
    assert_eq!(rows[1].facts, None, "a healthy pod keeps no facts");
}

#[test]
fn evicted_pods_are_flagged() {
    let st = json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."});
    let f = found(Kind::Pod, vec![pod("old", 100, st)], &Ctx::at(now()));
    assert_eq!(f, vec![("old".into(), "evicted", "Evicted".into())]);
}

fn event(name: &str, reason: &str, object: &str, msg: &str, last_ago: i64) -> Row {
    rows::event(&obj(json!({
        "metadata": {"name": name, "namespace": "shop", "uid": name},
        "involvedObject": {"kind": object.split('/').next().unwrap(), "name": object.split('/').nth(1).unwrap()},
        "reason": reason, "message": msg, "type": "Warning", "count": 4,
        "firstTimestamp": ago(last_ago + 100), "lastTimestamp": ago(last_ago)
    })))
}

#[test]
fn failing_probes_come_from_recent_unhealthy_warnings_and_name_the_pod() {
    let ctx = Ctx::at(now());
    let rows = [
        event(
            "e1",
            "Unhealthy",
            "Pod/search-1",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            20,
        ),
        event(
            "e2",
            "Unhealthy",
            "Pod/search-1",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            30,
        ),
        event("e3", "Unhealthy", "Pod/old", "Liveness probe failed: timeout", 4000),
        event(
            "e4",
            "BackOff",
            "Pod/checkout",
            "Back-off restarting failed container",
            10,
        ),
    ];
    let rows: Vec<Arc<Row>> = rows.into_iter().map(Arc::new).collect();
    let f = evaluate(&[(Kind::Event, &rows)], &ctx);
    assert_eq!(f.len(), 1, "one finding per pod and problem: {f:?}");
    assert_eq!((f[0].kind, f[0].name.as_str()), (Some(Kind::Pod), "search-1"));
    assert_eq!(f[0].problem, "Readiness probe failing");
    assert!(f[0].evidence.starts_with("Readiness probe failed: "));
}

#[test]
fn deployments_past_their_deadline_or_short_of_replicas() {
    let dep = |name: &str, status: Value| {
        rows::deployment(&obj(
            json!({"metadata": {"name": name, "namespace": "shop", "uid": name},
            "spec": {"replicas": 3, "selector": {}, "template": {}}, "status": status}),
        ))
    };
    let stuck = dep(
        "stuck",
        json!({"replicas": 3, "availableReplicas": 1, "unavailableReplicas": 2, "conditions": [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"stuck-1\" has timed out progressing."},
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."}]}),
    );
    let fine = dep(
        "fine",
        json!({"replicas": 3, "availableReplicas": 3, "conditions": [
        {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}, {"type": "Available", "status": "True"}]}),
    );
    let f = found(Kind::Deployment, vec![stuck, fine], &Ctx::at(now()));
    assert_eq!(
        f,
        vec![
            ("stuck".into(), "progress-deadline", "progress deadline exceeded".into()),
            (
                "stuck".into(),
                "unavailable-replicas",
                "2 of 3 replicas unavailable".into()
            ),
        ]
    );
}

#[test]
fn statefulsets_and_daemonsets_not_fully_ready() {
    let sts = |name: &str, ready: i32| {
        rows::stateful_set(&obj(json!({"metadata": {"name": name, "namespace": "db", "uid": name},
            "spec": {"replicas": 3, "selector": {}, "template": {}, "serviceName": "x"}, "status": {"replicas": 3, "readyReplicas": ready}})))
    };
    let f = found(
        Kind::StatefulSet,
        vec![sts("short", 2), sts("full", 3)],
        &Ctx::at(now()),
    );
    assert_eq!(f, vec![("short".into(), "not-ready", "2/3 ready".into())]);
    let ds = |name: &str, ready: i32| {
        rows::daemon_set(&obj(
            json!({"metadata": {"name": name, "namespace": "kube-system", "uid": name},
            "spec": {"selector": {}, "template": {}},
            "status": {"desiredNumberScheduled": 4, "numberReady": ready, "currentNumberScheduled": 4, "numberMisscheduled": 0}}),
        ))
    };
    let f = rules_on(Kind::DaemonSet, vec![ds("short", 3), ds("full", 4)], &Ctx::at(now()));
    assert_eq!(f, vec![("short".into(), "not-ready")]);
}

fn job(name: &str, owner: Option<&str>, created_ago: i64, failed: bool) -> Row {
    let conds = if failed {
        json!([{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": ago(60)}])
    } else {
        json!([{"type": "Complete", "status": "True"}])
    };
    let owners = owner.map_or(
        json!([]),
        |o| json!([{"apiVersion": "batch/v1", "kind": "CronJob", "name": o, "uid": o, "controller": true}]),
    );
    rows::job(&obj(
        json!({"metadata": {"name": name, "namespace": "ops", "uid": name, "ownerReferences": owners,
        "creationTimestamp": ago(created_ago)},
        "spec": {"template": {}}, "status": {"conditions": conds}}),
    ))
}

#[test]
fn failed_jobs_and_cronjobs_whose_last_job_failed_or_that_are_suspended() {
    let jobs: Vec<Arc<Row>> = vec![
        Arc::new(job("report-1", Some("report"), 600, true)),
        Arc::new(job("settle-2", Some("settle"), 60, false)),
        Arc::new(job("settle-1", Some("settle"), 600, true)),
    ];
    let ctx = Ctx::of(now(), |k| (k == Kind::Job).then_some(jobs.as_slice()));
    let f = rules_on(Kind::Job, jobs.iter().map(|j| (**j).clone()).collect(), &ctx);
    assert_eq!(
        f,
        vec![("report-1".into(), "job-failed"), ("settle-1".into(), "job-failed")]
    );
    let cron = |name: &str, suspend: bool| {
        rows::cron_job(&obj(
            json!({"metadata": {"name": name, "namespace": "ops", "uid": name},
            "spec": {"schedule": "* * * * *", "suspend": suspend, "jobTemplate": {}}}),
        ))
    };
    let f = found(
        Kind::CronJob,
        vec![cron("report", false), cron("settle", false), cron("paused", true)],
        &ctx,
    );
    assert_eq!(
        f,
        vec![
            (
                "report".into(),
                "cronjob-last-failed",
                "last Job report-1 failed: BackoffLimitExceeded".into()
            ),
            ("paused".into(), "cronjob-suspended", "suspended".into()),
        ],
        "settle's newest Job succeeded"
    );
}

#[test]
fn services_with_a_selector_and_no_ready_endpoints() {
    let svc = |name: &str, selector: Value| {
        rows::service(&obj(
            json!({"metadata": {"name": name, "namespace": "shop", "uid": name},
            "spec": {"type": "ClusterIP", "selector": selector, "ports": [{"port": 80}]}}),
        ))
    };
    let slice = |svc: &str, ready: bool| {
        Arc::new(rows::endpoint_slice(&obj(
            json!({"metadata": {"name": format!("{svc}-x"), "namespace": "shop",
            "labels": {"kubernetes.io/service-name": svc}}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": ready}, "targetRef": {"kind": "Pod", "name": format!("{svc}-1"), "uid": format!("{svc}-1")}}]}),
        )))
    };
    let slices = vec![slice("up", true), slice("down", false)];
    let rows = vec![
        svc("up", json!({"app": "up"})),
        svc("down", json!({"app": "down"})),
        svc("nobody", json!({"app": "nobody"})),
        svc("manual", json!(null)),
    ];
    let blind = Ctx::at(now());
    assert!(rows_on_empty(&rows, &blind), "without slices nothing is said");
    let ctx = Ctx::of(now(), |k| (k == Kind::EndpointSlice).then_some(slices.as_slice()));
    let f = found(Kind::Service, rows, &ctx);
    assert_eq!(
        f,
        vec![
            (
                "down".into(),
                "no-endpoints",
                "no ready endpoints (0 of 1 ready)".into()
            ),
            (
                "nobody".into(),
                "no-endpoints",
                "no endpoints: the selector matches no pod".into()
            ),
        ]
    );
}

fn rows_on_empty(rows: &[Row], ctx: &Ctx) -> bool {
    rows.iter().all(|r| !flagged(Kind::Service, r, ctx))
}

#[test]
fn nodes_not_ready_under_pressure_or_cordoned() {
    let node = |name: &str, conds: Value, cordoned: bool| {
        rows::node(&obj(
            json!({"metadata": {"name": name, "uid": name}, "spec": {"unschedulable": cordoned},
            "status": {"conditions": conds}}),
        ))
    };
    let ready = json!({"type": "Ready", "status": "True"});
    let calm = json!({"type": "MemoryPressure", "status": "False"});
    let rows = vec![
        node(
            "gone",
            json!([{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."}, calm]),
            false,
        ),
        node(
            "full",
            json!([ready, {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure", "message": "disk"}]),
            false,
        ),
        node("drained", json!([ready, calm]), true),
        node("fine", json!([ready, calm]), false),
    ];
    let f = found(Kind::Node, rows, &Ctx::at(now()));
    assert_eq!(
        f,
        vec![
            ("gone".into(), "node-not-ready", "NotReady (NodeStatusUnknown)".into()),
            ("full".into(), "node-pressure", "DiskPressure".into()),
            (
                "drained".into(),
                "node-cordoned",
                "cordoned (SchedulingDisabled)".into()
            ),
        ]
    );
}

/// A Table-watched kind with the server's columns, and a row of `cells` (NAME first).
fn table_kind(group: &str, kind: &str, plural: &str, cols: &[&str]) -> Kind {
    let r = Resource {
        group: group.into(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        namespaced: true,
        ..Resource::default()
    };
    let res = Res::intern(&r);
    let columns: Vec<Column> = cols
        .iter()
        .map(|c| Column {
            name: c.to_string(),
            ty: "string".into(),
            format: if *c == "Name" { "name".into() } else { String::new() },
            priority: 0,
        })
        .collect();
    set_columns(res, columns.into());
    Kind::Other(res)
}

fn table_row(name: &str, cells: &[&str]) -> Row {
    Row {
        key: name.into(),
        namespace: "shop".into(),
        name: name.into(),
        cells: cells.iter().map(|c| (*c).into()).collect(),
        created: Some(now() - 100),
        ..Row::default()
    }
}

#[test]
fn claims_pending_or_lost() {
    let k = table_kind(
        "",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        &["Name", "Status", "Volume"],
    );
    let rows = vec![
        table_row("uploads", &["uploads", "Pending", ""]),
        table_row("gone", &["gone", "Lost", "pv-1"]),
        table_row("data", &["data", "Bound", "pv-2"]),
    ];
    let f = found(k, rows, &Ctx::at(now()));
    assert_eq!(
        f,
        vec![
            ("gone".into(), "claim-unbound", "Lost".into()),
            ("uploads".into(), "claim-unbound", "Pending".into()),
        ]
    );
}

#[test]
fn autoscalers_at_max_or_unable_to_compute_and_budgets_allowing_nothing() {
    let k = table_kind(
        "autoscaling",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        &["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas"],
    );
    let rows = vec![
        table_row("maxed", &["maxed", "Deployment/api", "cpu: 95%/70%", "1", "2", "2"]),
        table_row(
            "blind",
            &["blind", "Deployment/web", "cpu: <unknown>/70%", "3", "10", "3"],
        ),
        table_row("calm", &["calm", "Deployment/cart", "cpu: 20%/70%", "1", "5", "2"]),
    ];
    let f = found(k, rows, &Ctx::at(now()));
    assert_eq!(
        f,
        vec![
            (
                "blind".into(),
                "hpa-unable",
                "unable to compute the replica count".into()
            ),
            ("maxed".into(), "hpa-at-max", "at max replicas (2/2)".into()),
        ]
    );
    let k = table_kind(
        "policy",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        &["Name", "Min Available", "Max Unavailable", "Allowed Disruptions"],
    );
    let rows = vec![
        table_row("tight", &["tight", "2", "N/A", "0"]),
        table_row("loose", &["loose", "1", "N/A", "1"]),
    ];
    assert_eq!(rules_on(k, rows, &Ctx::at(now())), vec![("tight".into(), "pdb-zero")]);
}

#[test]
fn every_rule_has_a_unique_name_and_kinds() {
    let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), RULES.len());
    assert!(RULES.iter().all(|r| !r.kinds.is_empty()));
}

#[test]
fn counts_are_by_severity() {
    let f = |s| Finding {
        severity: s,
        rule: "r",
        kind: None,
        namespace: String::new(),
        name: String::new(),
        key: String::new(),
        problem: String::new(),
        since: None,
        evidence: String::new(),
    };
    assert_eq!(
        counts(&[f(Severity::Error), f(Severity::Info), f(Severity::Error)]),
        [2, 0, 1]
    );
}
