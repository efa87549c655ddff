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
#[path = "pods_tests.rs"]
mod tests;
