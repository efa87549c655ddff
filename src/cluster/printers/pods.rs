//! Pods: kubectl's READY / STATUS / RESTARTS rules (`printPod`).

use std::collections::HashMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, PodCondition};

use super::{AGE, Cell, Column, NAME, age, age_of, col, name_of, wide};

/// Pod columns as the API server defines them.
pub static POD_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Ready",
        "The aggregate readiness state of this pod for accepting traffic.",
    ),
    col("Status", "The aggregate status of the containers in this pod."),
    col(
        "Restarts",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    AGE,
    wide(
        "IP",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    ),
    wide("Node", "NodeName indicates in which node this pod is scheduled."),
    wide(
        "Nominated Node",
        "nominatedNodeName is set only when this pod preempts other pods on the node.",
    ),
    wide(
        "Readiness Gates",
        "If specified, all readiness gates will be evaluated for pod readiness.",
    ),
];

/// The pieces of a pod row the UI shows and sorts on separately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSummary {
    /// Ready containers (restartable init containers included).
    pub ready: u32,
    /// Containers counted in READY (regular ones plus sidecars).
    pub total: u32,
    /// The STATUS column ("Running", "CrashLoopBackOff", "Init:1/2", "Terminating", …).
    pub status: String,
    /// Restarts counted in the RESTARTS column.
    pub restarts: i64,
    /// When the last counted restart happened (lastState.terminated.finishedAt).
    pub last_restart: Option<Timestamp>,
}

impl PodSummary {
    /// The READY column: "1/2".
    pub fn ready_text(&self) -> String {
        format!("{}/{}", self.ready, self.total)
    }

    /// The RESTARTS column: "5 (3m ago)", or "0".
    pub fn restarts_text(&self, now: Timestamp) -> String {
        match self.last_restart {
            Some(t) if self.restarts != 0 => {
                format!(
                    "{} ({} ago)",
                    self.restarts,
                    age::human_duration(age::seconds_between(t, now))
                )
            }
            _ => self.restarts.to_string(),
        }
    }
}

fn is_restartable(c: Option<&&Container>) -> bool {
    c.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

fn condition_true(conds: &[PodCondition], ty: &str) -> bool {
    conds.iter().any(|c| c.type_ == ty && c.status == "True")
}

/// Keeps the latest `lastState.terminated.finishedAt` seen.
fn note_restart(latest: &mut Option<Timestamp>, cs: &ContainerStatus) {
    let finished = cs
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref());
    if let Some(t) = finished
        && latest.is_none_or(|l| l < t.0)
    {
        *latest = Some(t.0);
    }
}

/// Computes READY, STATUS and RESTARTS exactly as `kubectl get pods` does.
pub fn pod_summary(pod: &Pod) -> PodSummary {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
    let init_specs = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or_default();
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    let status_reason = status.and_then(|s| s.reason.clone()).unwrap_or_default();

    let mut total = containers.len() as u32;
    let mut ready = 0u32;
    let mut restarts = 0i64;
    let mut sidecar_restarts = 0i64;
    let mut last_restart = None;
    let mut last_sidecar_restart = None;

    let mut reason = if status_reason.is_empty() {
        phase.clone()
    } else {
        status_reason.clone()
    };
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".into();
    }

    let init_by_name: HashMap<&str, &Container> = init_specs.iter().map(|c| (c.name.as_str(), c)).collect();
    total += init_specs
        .iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .count() as u32;

    let mut initializing = false;
    let init_statuses = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    for (i, cs) in init_statuses.iter().enumerate() {
        restarts += i64::from(cs.restart_count);
        note_restart(&mut last_restart, cs);
        let restartable = is_restartable(init_by_name.get(cs.name.as_str()));
        if restartable {
            sidecar_restarts += i64::from(cs.restart_count);
            note_restart(&mut last_sidecar_restart, cs);
        }
        let state = cs.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .unwrap_or("");
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        reason = if let Some(t) = terminated {
            match t.reason.as_deref() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => match t.signal {
                    Some(sig) if sig != 0 => format!("Init:Signal:{sig}"),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                },
            }
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            format!("Init:{waiting_reason}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }

    if !initializing || condition_true(conditions, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        let statuses = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
        // kubectl walks the statuses backwards, so the first container's state wins.
        for cs in statuses.iter().rev() {
            restarts += i64::from(cs.restart_count);
            note_restart(&mut last_restart, cs);
            let state = cs.state.as_ref();
            let waiting = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .unwrap_or("");
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = terminated {
                reason = match t.reason.as_deref() {
                    Some(r) if !r.is_empty() => r.to_string(),
                    _ => match t.signal {
                        Some(sig) if sig != 0 => format!("Signal:{sig}"),
                        _ => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if cs.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose other containers still run is not "Completed" yet.
        if reason == "Completed" && has_running {
            reason = if condition_true(conditions, "Ready") {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        if status_reason == "NodeLost" {
            reason = "Unknown".into();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".into();
        }
    }

    PodSummary {
        ready,
        total,
        status: reason,
        restarts,
        last_restart,
    }
}

/// The STATUS column alone.
pub fn pod_status(pod: &Pod) -> String {
    pod_summary(pod).status
}

/// The first pod IP, or "<none>".
pub fn pod_ip(pod: &Pod) -> String {
    pod.status
        .as_ref()
        .and_then(|s| s.pod_ips.as_ref())
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.clone())
        .filter(|ip| !ip.is_empty())
        .unwrap_or_else(|| "<none>".into())
}

/// READINESS GATES: "1/2" of gates whose condition is True, or "<none>".
pub fn readiness_gates(pod: &Pod) -> String {
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_deref())
        .unwrap_or_default();
    if gates.is_empty() {
        return "<none>".into();
    }
    let conds = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let passed = gates
        .iter()
        .filter(|g| {
            conds
                .iter()
                .find(|c| c.type_ == g.condition_type)
                .is_some_and(|c| c.status == "True")
        })
        .count();
    format!("{passed}/{}", gates.len())
}

fn or_none(s: Option<&String>) -> String {
    s.filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<none>".into())
}

/// The full pod row, wide columns included.
pub fn pod_row(pod: &Pod, now: Timestamp) -> Vec<Cell> {
    let sum = pod_summary(pod);
    vec![
        name_of(&pod.metadata).into(),
        sum.ready_text().into(),
        sum.status.clone().into(),
        sum.restarts_text(now).into(),
        age_of(&pod.metadata, now),
        pod_ip(pod).into(),
        or_none(pod.spec.as_ref().and_then(|s| s.node_name.as_ref())).into(),
        or_none(pod.status.as_ref().and_then(|s| s.nominated_node_name.as_ref())).into(),
        readiness_gates(pod).into(),
    ]
}

#[cfg(test)]
mod tests {
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
}
