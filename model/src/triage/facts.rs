//! What the triage rules read of an object beyond its printed cells, kept on its row: taken once,
//! when the object's event arrives, and only where there is something to say (a healthy pod has none).

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ContainerStatus, Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// A condition that is not in its healthy state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cond {
    /// type.
    pub type_: String,
    /// status: "True", "False" or "Unknown".
    pub status: String,
    /// reason.
    pub reason: String,
    /// message.
    pub message: String,
    /// lastTransitionTime (Unix seconds).
    pub since: Option<i64>,
}

/// The facts of one object the rules need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Pods: a container's waiting reason that is not a normal start, and its message.
    pub waiting: Option<(String, String)>,
    /// Pods: the latest termination of a container that did not complete (reason, finishedAt).
    pub last_term: Option<(String, Option<i64>)>,
    /// Pods: status.reason and status.message ("Evicted").
    pub reason: Option<(String, String)>,
    /// Pods: status.phase; PVCs: status.phase.
    pub phase: String,
    /// Conditions not in their healthy state.
    pub conditions: Vec<Cond>,
    /// Workloads: the replicas wanted.
    pub want: i32,
    /// Workloads: the replicas ready (Deployments: available).
    pub ready: i32,
    /// Deployments: status.unavailableReplicas.
    pub unavailable: i32,
    /// CronJobs: spec.suspend; nodes: spec.unschedulable (cordoned).
    pub off: bool,
}

impl Facts {
    /// The unhealthy condition of this type, if any.
    pub fn condition(&self, type_: &str) -> Option<&Cond> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }
}

/// Whether a condition of `type_` is healthy when True (Ready, Available…) rather than when False
/// (MemoryPressure, Failed…).
fn healthy_when_true(type_: &str) -> bool {
    matches!(
        type_,
        "Ready"
            | "Initialized"
            | "ContainersReady"
            | "PodScheduled"
            | "PodReadyToStartContainers"
            | "Available"
            | "Progressing"
            | "Complete"
            | "SuccessCriteriaMet"
            | "AbleToScale"
            | "ScalingActive"
    )
}

fn secs(t: Option<&Time>) -> Option<i64> {
    t.map(|t| t.0.as_second())
}

/// The conditions of `list` that are not in their healthy state.
fn unhealthy<'a>(
    list: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<i64>)>,
) -> Vec<Cond> {
    list.into_iter()
        .filter(|(t, s, ..)| *s == "Unknown" || (*s == "True") != healthy_when_true(t))
        .map(|(t, s, r, m, since)| Cond {
            type_: t.into(),
            status: s.into(),
            reason: r.unwrap_or_default().into(),
            message: m.unwrap_or_default().trim().into(),
            since,
        })
        .collect()
}

/// A pod's facts; None for a pod with nothing to say (running, or done well).
pub fn pod(p: &Pod) -> Option<Box<Facts>> {
    let st = p.status.as_ref()?;
    let mut f = Facts {
        phase: st.phase.clone().unwrap_or_default(),
        ..Facts::default()
    };
    let statuses = st
        .init_container_statuses
        .iter()
        .flatten()
        .chain(st.container_statuses.iter().flatten());
    let mut latest: Option<(String, Option<i64>)> = None;
    for cs in statuses {
        note_container(cs, &mut f, &mut latest);
    }
    f.last_term = latest;
    if let Some(r) = st.reason.as_ref().filter(|r| !r.is_empty()) {
        f.reason = Some((r.clone(), st.message.clone().unwrap_or_default()));
    }
    f.conditions = unhealthy(
        st.conditions
            .iter()
            .flatten()
            .filter(|c| c.type_ == "PodScheduled")
            .map(|c| {
                (
                    c.type_.as_str(),
                    c.status.as_str(),
                    c.reason.as_deref(),
                    c.message.as_deref(),
                    secs(c.last_transition_time.as_ref()),
                )
            }),
    );
    let quiet = f.waiting.is_none() && f.last_term.is_none() && f.reason.is_none() && f.conditions.is_empty();
    (!quiet || f.phase == "Pending").then(|| Box::new(f))
}

fn note_container(cs: &ContainerStatus, f: &mut Facts, latest: &mut Option<(String, Option<i64>)>) {
    let state = cs.state.as_ref();
    if f.waiting.is_none()
        && let Some(w) = state.and_then(|s| s.waiting.as_ref())
        && let Some(r) = w
            .reason
            .as_deref()
            .filter(|r| !matches!(*r, "ContainerCreating" | "PodInitializing"))
    {
        f.waiting = Some((r.to_string(), w.message.clone().unwrap_or_default()));
    }
    let terms = [
        state.and_then(|s| s.terminated.as_ref()),
        cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()),
    ];
    for t in terms.into_iter().flatten() {
        let reason = t.reason.clone().unwrap_or_default();
        if reason == "Completed" || reason.is_empty() && t.exit_code == 0 {
            continue;
        }
        let at = secs(t.finished_at.as_ref());
        if latest.as_ref().is_none_or(|(_, l)| at > *l) {
            *latest = Some((reason, at));
        }
    }
}

/// A node's facts: its unhealthy conditions, and whether it is cordoned.
pub fn node(n: &Node) -> Option<Box<Facts>> {
    let conds = n.status.as_ref().and_then(|s| s.conditions.as_ref());
    let f = Facts {
        conditions: unhealthy(conds.into_iter().flatten().map(|c| {
            (
                c.type_.as_str(),
                c.status.as_str(),
                c.reason.as_deref(),
                c.message.as_deref(),
                secs(c.last_transition_time.as_ref()),
            )
        })),
        off: n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
        ..Facts::default()
    };
    (!f.conditions.is_empty() || f.off).then(|| Box::new(f))
}

/// A Deployment's replicas and unhealthy conditions.
pub fn deployment(d: &Deployment) -> Option<Box<Facts>> {
    let st = d.status.as_ref();
    Some(Box::new(Facts {
        want: d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
        ready: st.and_then(|s| s.available_replicas).unwrap_or(0),
        unavailable: st.and_then(|s| s.unavailable_replicas).unwrap_or(0),
        conditions: unhealthy(st.and_then(|s| s.conditions.as_ref()).into_iter().flatten().map(|c| {
            (
                c.type_.as_str(),
                c.status.as_str(),
                c.reason.as_deref(),
                c.message.as_deref(),
                secs(c.last_transition_time.as_ref()),
            )
        })),
        ..Facts::default()
    }))
}

/// A StatefulSet's replicas wanted and ready.
pub fn stateful_set(s: &StatefulSet) -> Option<Box<Facts>> {
    Some(Box::new(Facts {
        want: s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
        ready: s.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0),
        ..Facts::default()
    }))
}

/// A DaemonSet's pods wanted and ready.
pub fn daemon_set(d: &DaemonSet) -> Option<Box<Facts>> {
    let st = d.status.as_ref();
    Some(Box::new(Facts {
        want: st.map_or(0, |s| s.desired_number_scheduled),
        ready: st.map_or(0, |s| s.number_ready),
        ..Facts::default()
    }))
}

/// A Job's unhealthy conditions (Failed).
pub fn job(j: &Job) -> Option<Box<Facts>> {
    let conds = j.status.as_ref().and_then(|s| s.conditions.as_ref());
    let conditions = unhealthy(conds.into_iter().flatten().map(|c| {
        (
            c.type_.as_str(),
            c.status.as_str(),
            c.reason.as_deref(),
            c.message.as_deref(),
            secs(c.last_transition_time.as_ref()),
        )
    }));
    (!conditions.is_empty()).then(|| {
        Box::new(Facts {
            conditions,
            ..Facts::default()
        })
    })
}

/// A CronJob's suspension.
pub fn cron_job(c: &CronJob) -> Option<Box<Facts>> {
    c.spec.as_ref().and_then(|s| s.suspend).filter(|s| *s).map(|_| {
        Box::new(Facts {
            off: true,
            ..Facts::default()
        })
    })
}
