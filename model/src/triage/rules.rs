//! The rules: one entry each (name, the kinds it looks at, severity, condition). A condition reads
//! the row (its cells, facts and stamps) and the context, and says the problem in words.

use super::{Ctx, Hit, Severity};
use crate::rows::Text;
use crate::{Kind, Row};

/// A group and kind, as the API names them.
pub type GroupKind = (&'static str, &'static str);

/// One triage rule.
#[derive(Debug)]
pub struct Rule {
    /// Its name (stable; tests and the bench refer to it).
    pub name: &'static str,
    /// The kinds it looks at.
    pub kinds: &'static [GroupKind],
    /// How bad what it finds is.
    pub severity: Severity,
    /// The condition: the problem found on a row, if any.
    pub check: fn(Kind, &Row, &Ctx) -> Option<Hit>,
    /// For a condition that reads the time: the instant (Unix seconds) from which its answer for
    /// the row is no longer what it was before (each such condition changes at most once as time
    /// passes); None for the others. Lets a count kept up to date re-check a row when time alone
    /// may have changed it, rather than every row every so often.
    pub turns: fn(Kind, &Row) -> Option<i64>,
}

/// The `turns` of a condition that does not read the time.
fn never(_: Kind, _: &Row) -> Option<i64> {
    None
}

const POD: &[GroupKind] = &[("", "Pod")];
const NODE: &[GroupKind] = &[("", "Node")];
const DEPLOYMENT: &[GroupKind] = &[("apps", "Deployment")];
const SETS: &[GroupKind] = &[("apps", "StatefulSet"), ("apps", "DaemonSet")];
const JOB: &[GroupKind] = &[("batch", "Job")];
const CRONJOB: &[GroupKind] = &[("batch", "CronJob")];
const SERVICE: &[GroupKind] = &[("", "Service")];
const EVENT: &[GroupKind] = &[("", "Event")];
const PVC: &[GroupKind] = &[("", "PersistentVolumeClaim")];
const HPA: &[GroupKind] = &[("autoscaling", "HorizontalPodAutoscaler")];
const PDB: &[GroupKind] = &[("policy", "PodDisruptionBudget")];

/// How long a pod may be Pending before it is a problem.
pub const PENDING_SECS: i64 = 60;
/// How far back an OOM kill counts.
pub const OOM_SECS: i64 = 3600;
/// How far back a probe failure event counts.
pub const PROBE_SECS: i64 = 600;

/// Every rule.
pub static RULES: &[Rule] = &[
    Rule {
        name: "crash-loop",
        kinds: POD,
        severity: Severity::Error,
        check: crash_loop,
        turns: never,
    },
    Rule {
        name: "image-pull",
        kinds: POD,
        severity: Severity::Error,
        check: |_, r, _| waiting(r, &["ImagePullBackOff", "ErrImagePull", "InvalidImageName"]),
        turns: never,
    },
    Rule {
        name: "config-error",
        kinds: POD,
        severity: Severity::Error,
        check: |_, r, _| waiting(r, &["CreateContainerConfigError", "CreateContainerError"]),
        turns: never,
    },
    Rule {
        name: "oom-killed",
        kinds: POD,
        severity: Severity::Error,
        check: oom_killed,
        turns: oom_turns,
    },
    Rule {
        name: "pending",
        kinds: POD,
        severity: Severity::Error,
        check: pending,
        turns: pending_turns,
    },
    Rule {
        name: "evicted",
        kinds: POD,
        severity: Severity::Warning,
        check: |_, r, _| {
            let f = r.facts.as_ref()?;
            let (reason, msg) = f.reason.as_ref().filter(|(r, _)| r == "Evicted")?;
            Some(hit(reason.clone(), r.created, msg))
        },
        turns: never,
    },
    Rule {
        name: "probe-failing",
        kinds: EVENT,
        severity: Severity::Warning,
        check: probe_failing,
        turns: probe_turns,
    },
    Rule {
        name: "progress-deadline",
        kinds: DEPLOYMENT,
        severity: Severity::Error,
        check: |_, r, _| {
            let c = r.facts.as_ref()?.condition("Progressing")?;
            (c.reason == "ProgressDeadlineExceeded")
                .then(|| hit("progress deadline exceeded".into(), c.since, &c.message))
        },
        turns: never,
    },
    Rule {
        name: "unavailable-replicas",
        kinds: DEPLOYMENT,
        severity: Severity::Warning,
        check: |_, r, _| {
            let f = r.facts.as_ref()?;
            let avail = f.condition("Available");
            (f.unavailable > 0).then(|| {
                let words = format!("{} of {} replicas unavailable", f.unavailable, f.want);
                hit(words, avail.and_then(|c| c.since), avail.map_or("", |c| &c.message))
            })
        },
        turns: never,
    },
    Rule {
        name: "not-ready",
        kinds: SETS,
        severity: Severity::Warning,
        check: |_, r, _| {
            let f = r.facts.as_ref()?;
            (f.ready < f.want).then(|| hit(format!("{}/{} ready", f.ready, f.want), None, ""))
        },
        turns: never,
    },
    Rule {
        name: "job-failed",
        kinds: JOB,
        severity: Severity::Error,
        check: |_, r, _| {
            let c = r.facts.as_ref()?.condition("Failed").filter(|c| c.status == "True")?;
            Some(hit(format!("failed: {}", c.reason), c.since, &c.message))
        },
        turns: never,
    },
    Rule {
        name: "cronjob-suspended",
        kinds: CRONJOB,
        severity: Severity::Info,
        check: |_, r, _| {
            r.facts
                .as_ref()
                .filter(|f| f.off)
                .map(|_| hit("suspended".into(), None, ""))
        },
        turns: never,
    },
    Rule {
        name: "cronjob-last-failed",
        kinds: CRONJOB,
        severity: Severity::Warning,
        check: |_, r, ctx| {
            let job = ctx.last_jobs.as_ref()?.get(&r.key)?;
            let c = job.facts.as_ref()?.condition("Failed").filter(|c| c.status == "True")?;
            let words = format!("last Job {} failed: {}", job.name, c.reason);
            Some(hit(words, c.since, &c.message))
        },
        turns: never,
    },
    Rule {
        name: "no-endpoints",
        kinds: SERVICE,
        severity: Severity::Error,
        check: no_endpoints,
        turns: never,
    },
    Rule {
        name: "claim-unbound",
        kinds: PVC,
        severity: Severity::Warning,
        check: |k, r, _| {
            let status = cell(k, r, "Status")?;
            matches!(status, "Pending" | "Lost").then(|| hit(status.to_string(), r.created, ""))
        },
        turns: never,
    },
    Rule {
        name: "node-not-ready",
        kinds: NODE,
        severity: Severity::Error,
        check: |_, r, _| {
            let c = r.facts.as_ref()?.condition("Ready")?;
            let words = format!("NotReady ({})", if c.reason.is_empty() { &c.status } else { &c.reason });
            Some(hit(words, c.since, &c.message))
        },
        turns: never,
    },
    Rule {
        name: "node-pressure",
        kinds: NODE,
        severity: Severity::Warning,
        check: |_, r, _| {
            let f = r.facts.as_ref()?;
            let c = f
                .conditions
                .iter()
                .find(|c| c.status == "True" && (c.type_.ends_with("Pressure") || c.type_ == "NetworkUnavailable"))?;
            Some(hit(c.type_.clone(), c.since, &c.message))
        },
        turns: never,
    },
    Rule {
        name: "node-cordoned",
        kinds: NODE,
        severity: Severity::Info,
        check: |_, r, _| {
            r.facts
                .as_ref()
                .filter(|f| f.off)
                .map(|_| hit("cordoned (SchedulingDisabled)".into(), None, ""))
        },
        turns: never,
    },
    Rule {
        name: "hpa-at-max",
        kinds: HPA,
        severity: Severity::Warning,
        check: |k, r, _| {
            let max: i64 = cell(k, r, "MaxPods")?.parse().ok()?;
            let now: i64 = cell(k, r, "Replicas")?.parse().ok()?;
            (max > 0 && now >= max).then(|| hit(format!("at max replicas ({now}/{max})"), None, ""))
        },
        turns: never,
    },
    Rule {
        name: "hpa-unable",
        kinds: HPA,
        severity: Severity::Warning,
        check: |k, r, _| {
            let targets = cell(k, r, "Targets")?;
            targets.contains("<unknown>").then(|| {
                hit(
                    "unable to compute the replica count".into(),
                    None,
                    &format!("targets {targets}"),
                )
            })
        },
        turns: never,
    },
    Rule {
        name: "pdb-zero",
        kinds: PDB,
        severity: Severity::Warning,
        check: |k, r, _| {
            (cell(k, r, "Allowed Disruptions")? == "0").then(|| hit("allows 0 disruptions".into(), None, ""))
        },
        turns: never,
    },
];

fn hit(problem: String, since: Option<i64>, evidence: &str) -> Hit {
    Hit {
        problem,
        since,
        evidence: evidence.to_string(),
        about: None,
    }
}

/// A pod's waiting reason among `reasons`, with its message.
fn waiting(r: &Row, reasons: &[&str]) -> Option<Hit> {
    let (reason, msg) = r.facts.as_ref()?.waiting.as_ref()?;
    reasons
        .contains(&reason.as_str())
        .then(|| hit(reason.clone(), r.created, msg))
}

fn crash_loop(_: Kind, r: &Row, _: &Ctx) -> Option<Hit> {
    let f = r.facts.as_ref()?;
    let (reason, msg) = f.waiting.as_ref().filter(|(w, _)| w == "CrashLoopBackOff")?;
    // RESTARTS is the third cell (READY, STATUS, RESTARTS).
    let restarts = r.cells.get(2).map_or("?", Text::as_str);
    let last = f.last_term.as_ref();
    let evidence = match last {
        Some((why, _)) => format!("last exit: {why}; {msg}"),
        None => msg.clone(),
    };
    Some(hit(
        format!("{reason} ({restarts} restarts)"),
        last.and_then(|l| l.1).or(r.created),
        &evidence,
    ))
}

/// When the pod's last container termination was an OOM kill: its time.
fn oom_at(r: &Row) -> Option<i64> {
    let (reason, at) = r.facts.as_ref()?.last_term.as_ref()?;
    at.filter(|_| reason == "OOMKilled")
}

fn oom_killed(_: Kind, r: &Row, ctx: &Ctx) -> Option<Hit> {
    let at = oom_at(r).filter(|t| *t >= ctx.now - OOM_SECS)?;
    Some(hit(
        "OOMKilled in the last hour".into(),
        Some(at),
        "container terminated: OOMKilled (exit 137)",
    ))
}

/// An OOM kill stops counting once it is more than OOM_SECS old.
fn oom_turns(_: Kind, r: &Row) -> Option<i64> {
    Some(oom_at(r)? + OOM_SECS + 1)
}

/// Since when a pod has been Pending with nothing more precise to say (its creation).
fn pending_since(r: &Row) -> Option<i64> {
    let f = r.facts.as_ref()?;
    // A pod waiting on an image or its config says so in its own rule.
    if f.phase != "Pending" || f.waiting.is_some() {
        return None;
    }
    r.created
}

fn pending(_: Kind, r: &Row, ctx: &Ctx) -> Option<Hit> {
    let since = pending_since(r)?;
    if ctx.now - since <= PENDING_SECS {
        return None;
    }
    let f = r.facts.as_ref()?;
    match f.condition("PodScheduled") {
        Some(c) => Some(hit(format!("Pending: {}", c.reason), Some(since), &c.message)),
        // Bound to a node but not started there (a NotReady node's DaemonSet pods).
        None => {
            let on = r
                .node
                .as_ref()
                .map_or(String::new(), |n| format!("bound to node {n}, not started"));
            Some(hit("Pending for over a minute".into(), Some(since), &on))
        }
    }
}

/// A Pending pod becomes a problem once it has been so for more than PENDING_SECS.
fn pending_turns(_: Kind, r: &Row) -> Option<i64> {
    Some(pending_since(r)? + PENDING_SECS + 1)
}

/// When a probe failure event was last seen: a Warning with reason Unhealthy.
fn probe_seen(r: &Row) -> Option<i64> {
    // An event row: LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN.
    if !r.warn || r.cells.get(2).map(Text::as_str) != Some("Unhealthy") {
        return None;
    }
    r.stamp(0)
}

fn probe_failing(_: Kind, r: &Row, ctx: &Ctx) -> Option<Hit> {
    let last = probe_seen(r)?;
    if last < ctx.now - PROBE_SECS {
        return None;
    }
    let pod = r.cells.get(3)?.strip_prefix("pod/")?;
    let msg = r.cells.get(6).map_or("", Text::as_str);
    let probe = ["Readiness", "Liveness", "Startup"]
        .into_iter()
        .find(|p| msg.starts_with(p))
        .unwrap_or("A");
    Some(Hit {
        problem: format!("{probe} probe failing"),
        since: r.stamp(7).or(Some(last)),
        evidence: msg.to_string(),
        about: Some((Kind::Pod, pod.to_string())),
    })
}

/// A probe failure stops counting once it was last seen more than PROBE_SECS ago.
fn probe_turns(_: Kind, r: &Row) -> Option<i64> {
    Some(probe_seen(r)? + PROBE_SECS + 1)
}

fn no_endpoints(_: Kind, r: &Row, ctx: &Ctx) -> Option<Hit> {
    // A service without a selector has its endpoints managed by hand; ExternalName has none.
    if r.selector.as_ref().is_none_or(|s| s.is_empty()) || r.cells.first().map(Text::as_str) == Some("ExternalName") {
        return None;
    }
    let ends = ctx.endpoints.as_ref()?;
    let (ready, total) = ends
        .get(&(r.namespace.to_string(), r.name.to_string()))
        .copied()
        .unwrap_or((0, 0));
    let words = match total {
        0 => "no endpoints: the selector matches no pod".to_string(),
        n => format!("no ready endpoints (0 of {n} ready)"),
    };
    (ready == 0).then(|| hit(words, None, &selector_text(r)))
}

fn selector_text(r: &Row) -> String {
    let sel = r.selector.iter().flatten().map(|(k, v)| format!("{k}={v}"));
    format!("selector {}", sel.collect::<Vec<_>>().join(","))
}

/// The cell under the server's column `name` of a Table-watched row (resources without a typed watch).
fn cell<'a>(k: Kind, r: &'a Row, name: &str) -> Option<&'a str> {
    let Kind::Other(res) = k else { return None };
    let cols = crate::table::columns(res)?;
    let i = cols.iter().position(|c| c.name.eq_ignore_ascii_case(name))?;
    r.cells.get(i).map(Text::as_str)
}
