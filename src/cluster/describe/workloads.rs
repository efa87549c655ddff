//! `kubectl describe` for Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::events::describe_events;
use super::pod::describe_pod_template;
use super::{Out, annotations_multiline, controlled_by, labels_multiline, rfc1123z, time_or_unset};
use crate::cluster::printers::describe_selector_opt;

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "<unset>".into(),
    }
}

fn labels_and_annotations(o: &mut Out, meta: &ObjectMeta) {
    labels_multiline(o, "Labels", meta.labels.as_ref());
    annotations_multiline(o, "Annotations", meta.annotations.as_ref());
}

/// A template with the `pod-template-hash` label removed, to find a Deployment's new ReplicaSet.
fn without_hash(t: Option<&PodTemplateSpec>) -> serde_json::Value {
    let mut v = serde_json::to_value(t).unwrap_or_default();
    if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(|l| l.as_object_mut()) {
        labels.remove("pod-template-hash");
        if labels.is_empty() {
            v["metadata"].as_object_mut().map(|m| m.remove("labels"));
        }
    }
    v
}

fn controlled_by_uid(meta: &ObjectMeta, uid: Option<&str>) -> bool {
    uid.is_some()
        && meta
            .owner_references
            .iter()
            .flatten()
            .any(|r| r.controller == Some(true) && Some(r.uid.as_str()) == uid)
}

/// `printReplicaSetsByLabels`: "name (2/3 replicas created), …" or "<none>".
fn replica_sets_list(sets: &[&ReplicaSet]) -> String {
    if sets.is_empty() {
        return "<none>".into();
    }
    sets.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map_or(0, |s| s.replicas),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `DeploymentDescriber`: `replica_sets` are the namespace's ReplicaSets (only those it controls count).
pub fn describe_deployment(
    d: &Deployment,
    replica_sets: &[ReplicaSet],
    events: &[Event],
    now: Timestamp,
) -> Vec<String> {
    let mut o = Out::default();
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    super::head(&mut o, &d.metadata, true);
    o.kv(
        0,
        "CreationTimestamp",
        time_or_unset(d.metadata.creation_timestamp.as_ref()),
    );
    labels_and_annotations(&mut o, &d.metadata);
    o.kv(0, "Selector", describe_selector_opt(Some(&spec.selector)));
    o.kv(
        0,
        "Replicas",
        format!(
            "{} desired | {} updated | {} total | {} available | {} unavailable",
            spec.replicas.unwrap_or(1),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    o.kv(0, "StrategyType", strategy.type_.as_deref().unwrap_or(""));
    o.kv(0, "MinReadySeconds", spec.min_ready_seconds.unwrap_or(0));
    if let Some(ru) = &strategy.rolling_update {
        o.kv(
            0,
            "RollingUpdateStrategy",
            format!(
                "{} max unavailable, {} max surge",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    describe_pod_template(&mut o, Some(&spec.template));
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        o.w(0, "Conditions:\n");
        o.w(1, "Type\tStatus\tReason\n");
        o.w(1, "----\t------\t------\n");
        for c in conds {
            o.w(
                1,
                &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.as_deref().unwrap_or("")),
            );
        }
    }
    let uid = d.metadata.uid.as_deref();
    let mut owned: Vec<&ReplicaSet> = replica_sets
        .iter()
        .filter(|rs| controlled_by_uid(&rs.metadata, uid))
        .collect();
    owned.sort_by_key(|rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let want = without_hash(Some(&spec.template));
    let new = owned
        .iter()
        .position(|rs| without_hash(rs.spec.as_ref().and_then(|s| s.template.as_ref())) == want);
    let new_rs: Vec<&ReplicaSet> = new.map(|i| owned[i]).into_iter().collect();
    let old: Vec<&ReplicaSet> = owned
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != new)
        .map(|(_, rs)| *rs)
        .collect();
    o.kv(0, "OldReplicaSets", replica_sets_list(&old));
    o.kv(0, "NewReplicaSet", replica_sets_list(&new_rs));
    describe_events(&mut o, events, now);
    o.finish()
}

/// `getPodStatusForController`: "2 Running / 1 Waiting / 0 Succeeded / 0 Failed" over the pods it controls.
fn pods_status(pods: &[Pod], uid: Option<&str>) -> String {
    let (mut run, mut wait, mut ok, mut fail) = (0, 0, 0, 0);
    for p in pods.iter().filter(|p| controlled_by_uid(&p.metadata, uid)) {
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => run += 1,
            Some("Pending") => wait += 1,
            Some("Succeeded") => ok += 1,
            Some("Failed") => fail += 1,
            _ => {}
        }
    }
    format!("{run} Running / {wait} Waiting / {ok} Succeeded / {fail} Failed")
}

/// `ReplicaSetDescriber`; `pods` are candidates, only those it controls are counted.
pub fn describe_replica_set(rs: &ReplicaSet, pods: &[Pod], events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = rs.spec.clone().unwrap_or_default();
    let status = rs.status.clone().unwrap_or_default();
    super::head(&mut o, &rs.metadata, true);
    o.kv(0, "Selector", describe_selector_opt(Some(&spec.selector)));
    labels_and_annotations(&mut o, &rs.metadata);
    if let Some(c) = controlled_by(&rs.metadata) {
        o.kv(0, "Controlled By", c);
    }
    o.kv(
        0,
        "Replicas",
        format!("{} current / {} desired", status.replicas, spec.replicas.unwrap_or(1)),
    );
    o.kv(0, "Pods Status", pods_status(pods, rs.metadata.uid.as_deref()));
    describe_pod_template(&mut o, spec.template.as_ref());
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        o.w(0, "Conditions:\n");
        o.w(1, "Type\tStatus\tReason\n");
        o.w(1, "----\t------\t------\n");
        for c in conds {
            o.w(
                1,
                &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.as_deref().unwrap_or("")),
            );
        }
    }
    describe_events(&mut o, events, now);
    o.finish()
}

/// `StatefulSetDescriber`.
pub fn describe_stateful_set(s: &StatefulSet, pods: &[Pod], events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = s.spec.clone().unwrap_or_default();
    let status = s.status.clone().unwrap_or_default();
    super::head(&mut o, &s.metadata, true);
    o.kv(
        0,
        "CreationTimestamp",
        time_or_unset(s.metadata.creation_timestamp.as_ref()),
    );
    o.kv(0, "Selector", describe_selector_opt(Some(&spec.selector)));
    labels_and_annotations(&mut o, &s.metadata);
    o.kv(
        0,
        "Replicas",
        format!("{} desired | {} total", spec.replicas.unwrap_or(1), status.replicas),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    o.kv(0, "Update Strategy", strategy.type_.as_deref().unwrap_or(""));
    if let Some(p) = strategy.rolling_update.and_then(|r| r.partition) {
        o.kv(1, "Partition", p);
    }
    o.kv(0, "Pods Status", pods_status(pods, s.metadata.uid.as_deref()));
    describe_pod_template(&mut o, Some(&spec.template));
    let claims = spec.volume_claim_templates.clone().unwrap_or_default();
    if claims.is_empty() {
        o.w(0, "Volume Claims:\t<none>\n");
    } else {
        o.w(0, "Volume Claims:\n");
        for pvc in claims {
            let ps = pvc.spec.clone().unwrap_or_default();
            o.kv(1, "Name", pvc.metadata.name.as_deref().unwrap_or(""));
            o.kv(1, "StorageClass", ps.storage_class_name.as_deref().unwrap_or(""));
            labels_multiline(&mut o, "  Labels", pvc.metadata.labels.as_ref());
            annotations_multiline(&mut o, "  Annotations", pvc.metadata.annotations.as_ref());
            let cap = ps
                .resources
                .and_then(|r| r.requests)
                .and_then(|r| r.get("storage").map(|q| q.0.clone()));
            o.kv(1, "Capacity", cap.unwrap_or_else(|| "<default>".into()));
            o.kv(1, "Access Modes", ps.access_modes.unwrap_or_default().join(", "));
        }
    }
    describe_events(&mut o, events, now);
    o.finish()
}

/// `DaemonSetDescriber`.
pub fn describe_daemon_set(ds: &DaemonSet, pods: &[Pod], events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    super::head(&mut o, &ds.metadata, false);
    o.kv(0, "Namespace", ds.metadata.namespace.as_deref().unwrap_or(""));
    o.kv(0, "Selector", describe_selector_opt(Some(&spec.selector)));
    let node_selector = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.as_ref())
        .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .filter(|s| !s.is_empty());
    o.kv(0, "Node-Selector", node_selector.unwrap_or_else(|| "<none>".into()));
    labels_and_annotations(&mut o, &ds.metadata);
    o.kv(0, "Desired Number of Nodes Scheduled", status.desired_number_scheduled);
    o.kv(0, "Current Number of Nodes Scheduled", status.current_number_scheduled);
    o.kv(
        0,
        "Number of Nodes Scheduled with Up-to-date Pods",
        status.updated_number_scheduled.unwrap_or(0),
    );
    o.kv(
        0,
        "Number of Nodes Scheduled with Available Pods",
        status.number_available.unwrap_or(0),
    );
    o.kv(0, "Number of Nodes Misscheduled", status.number_misscheduled);
    o.kv(0, "Pods Status", pods_status(pods, ds.metadata.uid.as_deref()));
    describe_pod_template(&mut o, Some(&spec.template));
    describe_events(&mut o, events, now);
    o.finish()
}

/// `JobDescriber`.
pub fn describe_job(job: &Job, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    super::head(&mut o, &job.metadata, true);
    o.kv(0, "Selector", describe_selector_opt(spec.selector.as_ref()));
    labels_and_annotations(&mut o, &job.metadata);
    if let Some(c) = controlled_by(&job.metadata) {
        o.kv(0, "Controlled By", c);
    }
    o.kv(0, "Parallelism", spec.parallelism.unwrap_or(1));
    o.kv(
        0,
        "Completions",
        spec.completions.map_or("<unset>".into(), |c| c.to_string()),
    );
    o.kv(
        0,
        "Completion Mode",
        spec.completion_mode.as_deref().unwrap_or("NonIndexed"),
    );
    o.kv(0, "Suspend", spec.suspend.unwrap_or(false));
    o.kv(0, "Backoff Limit", spec.backoff_limit.unwrap_or(6));
    if let Some(ttl) = spec.ttl_seconds_after_finished {
        o.kv(0, "TTL Seconds After Finished", ttl);
    }
    if let Some(t) = &status.start_time {
        o.kv(0, "Start Time", rfc1123z(t.0));
    }
    if let Some(t) = &status.completion_time {
        o.kv(0, "Completed At", rfc1123z(t.0));
        if let Some(s) = &status.start_time {
            let secs = crate::cluster::printers::age::seconds_between(s.0, t.0);
            o.kv(0, "Duration", crate::cluster::printers::age::human_duration(secs));
        }
    }
    if let Some(a) = spec.active_deadline_seconds {
        o.kv(0, "Active Deadline Seconds", format!("{a}s"));
    }
    o.kv(
        0,
        "Pods Statuses",
        format!(
            "{} Active ({} Ready) / {} Succeeded / {} Failed",
            status.active.unwrap_or(0),
            status.ready.unwrap_or(0),
            status.succeeded.unwrap_or(0),
            status.failed.unwrap_or(0)
        ),
    );
    describe_pod_template(&mut o, Some(&spec.template));
    describe_events(&mut o, events, now);
    o.finish()
}

/// `CronJobDescriber`.
pub fn describe_cron_job(cj: &CronJob, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    super::head(&mut o, &cj.metadata, true);
    labels_and_annotations(&mut o, &cj.metadata);
    o.kv(0, "Schedule", &spec.schedule);
    o.kv(
        0,
        "Concurrency Policy",
        spec.concurrency_policy.as_deref().unwrap_or("Allow"),
    );
    o.kv(0, "Suspend", spec.suspend.unwrap_or(false));
    o.kv(
        0,
        "Successful Job History Limit",
        spec.successful_jobs_history_limit.unwrap_or(3),
    );
    o.kv(
        0,
        "Failed Job History Limit",
        spec.failed_jobs_history_limit.unwrap_or(1),
    );
    o.kv(
        0,
        "Starting Deadline Seconds",
        spec.starting_deadline_seconds
            .map_or("<unset>".into(), |s| format!("{s}s")),
    );
    let job = spec.job_template.spec.clone().unwrap_or_default();
    o.kv(
        0,
        "Selector",
        job.selector
            .as_ref()
            .map_or("<unset>".into(), |s| describe_selector_opt(Some(s))),
    );
    o.kv(
        0,
        "Parallelism",
        job.parallelism.map_or("<unset>".into(), |p| p.to_string()),
    );
    o.kv(
        0,
        "Completions",
        job.completions.map_or("<unset>".into(), |c| c.to_string()),
    );
    if let Some(a) = job.active_deadline_seconds {
        o.kv(0, "Active Deadline Seconds", format!("{a}s"));
    }
    describe_pod_template(&mut o, Some(&job.template));
    o.kv(
        0,
        "Last Schedule Time",
        time_or_unset(status.last_schedule_time.as_ref()),
    );
    let active: Vec<String> = status.active.iter().flatten().filter_map(|r| r.name.clone()).collect();
    o.kv(
        0,
        "Active Jobs",
        if active.is_empty() {
            "<none>".into()
        } else {
            active.join(", ")
        },
    );
    describe_events(&mut o, events, now);
    o.finish()
}
