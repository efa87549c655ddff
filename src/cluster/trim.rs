//! Per-kind trimming of watched objects before the reflector stores them.
//!
//! The cache keeps what the list screens (kubectl's `get -o wide` columns, see `printers`), the header
//! and the drill-downs read, and drops the rest. Describe and YAML GET the object fresh, so nothing
//! they need has to stay here. Each function keeps fields by building the struct anew from the kept
//! parts, so a field k8s-openapi adds later is dropped by default rather than kept by accident.

use std::collections::BTreeMap;
use std::mem::take;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, EnvVar, EnvVarSource, EphemeralContainer, Event, Namespace, Node, NodeSpec, NodeStatus,
    Pod, PodCondition, PodSpec, PodStatus, PodTemplateSpec, ProjectedVolumeSource, Service, Volume, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Annotations some screen or action reads; every other annotation goes (last-applied above all).
pub const KEPT_ANNOTATIONS: &[&str] = &[
    // kubectl logs/exec pick this container by default; so does the containers drill-down.
    "kubectl.kubernetes.io/default-container",
    // Rollout history and undo order ReplicaSets / Deployments by revision.
    "deployment.kubernetes.io/revision",
    "kubernetes.io/change-cause",
];

/// Metadata every kind keeps: identity, labels (filters, roles, selectors), owners, lifecycle.
pub fn meta(m: &mut ObjectMeta) {
    let annotations = take(&mut m.annotations).map(kept_annotations).filter(|a| !a.is_empty());
    *m = ObjectMeta {
        name: take(&mut m.name),
        namespace: take(&mut m.namespace),
        uid: take(&mut m.uid),
        resource_version: take(&mut m.resource_version),
        generation: m.generation,
        creation_timestamp: take(&mut m.creation_timestamp),
        deletion_timestamp: take(&mut m.deletion_timestamp),
        deletion_grace_period_seconds: m.deletion_grace_period_seconds,
        labels: take(&mut m.labels),
        owner_references: take(&mut m.owner_references),
        finalizers: take(&mut m.finalizers),
        annotations,
        ..ObjectMeta::default()
    };
}

fn kept_annotations(mut all: BTreeMap<String, String>) -> BTreeMap<String, String> {
    all.retain(|k, _| KEPT_ANNOTATIONS.contains(&k.as_str()));
    all
}

/// A container as the pod row (sidecar `restartPolicy`), the workload IMAGES column and the
/// containers drill-down (name, image, ports, probes) read it.
pub fn container(c: Container) -> Container {
    Container {
        name: c.name,
        image: c.image,
        ports: c.ports,
        liveness_probe: c.liveness_probe,
        readiness_probe: c.readiness_probe,
        startup_probe: c.startup_probe,
        restart_policy: c.restart_policy,
        ..Container::default()
    }
}

fn ephemeral_container(c: EphemeralContainer) -> EphemeralContainer {
    EphemeralContainer {
        name: c.name,
        image: c.image,
        target_container_name: c.target_container_name,
        ..EphemeralContainer::default()
    }
}

/// A container status: state, restarts and readiness for READY/STATUS/RESTARTS and the drill-down.
pub fn container_status(s: ContainerStatus) -> ContainerStatus {
    ContainerStatus {
        name: s.name,
        image: s.image,
        ready: s.ready,
        started: s.started,
        restart_count: s.restart_count,
        state: s.state,
        last_state: s.last_state,
        ..ContainerStatus::default()
    }
}

fn containers(v: Vec<Container>) -> Vec<Container> {
    v.into_iter().map(container).collect()
}

fn statuses(v: Option<Vec<ContainerStatus>>) -> Option<Vec<ContainerStatus>> {
    v.map(|v| v.into_iter().map(container_status).collect())
}

/// A pod condition without its human message (no screen of the cache shows it).
fn pod_condition(c: PodCondition) -> PodCondition {
    PodCondition {
        type_: c.type_,
        status: c.status,
        reason: c.reason,
        last_transition_time: c.last_transition_time,
        ..PodCondition::default()
    }
}

/// A pod's container: the row's fields, the ConfigMaps and Secrets it names (xray), no values, and
/// its resources, which the containers view's usage percentages are measured against.
fn pod_container(mut c: Container) -> Container {
    let env: Option<Vec<EnvVar>> = c.env.take().map(|v| {
        v.into_iter()
            .filter_map(|e| {
                let from = e.value_from?;
                let refs = EnvVarSource {
                    config_map_key_ref: from.config_map_key_ref,
                    secret_key_ref: from.secret_key_ref,
                    ..EnvVarSource::default()
                };
                let named = refs.config_map_key_ref.is_some() || refs.secret_key_ref.is_some();
                named.then(|| EnvVar {
                    name: e.name,
                    value_from: Some(refs),
                    ..EnvVar::default()
                })
            })
            .collect()
    });
    let resources = c.resources.take();
    Container {
        resources,
        env: env.filter(|v| !v.is_empty()),
        env_from: c.env_from.take(),
        ..container(c)
    }
}

/// A volume as the names of the ConfigMap, Secret or claim behind it (none: dropped).
fn volume(v: Volume) -> Option<Volume> {
    let projected = v.projected.map(|p| ProjectedVolumeSource {
        sources: p.sources.map(|s| {
            s.into_iter()
                .map(|s| VolumeProjection {
                    config_map: s.config_map,
                    secret: s.secret,
                    ..VolumeProjection::default()
                })
                .collect()
        }),
        ..ProjectedVolumeSource::default()
    });
    let kept = Volume {
        name: v.name,
        config_map: v.config_map,
        secret: v.secret,
        persistent_volume_claim: v.persistent_volume_claim,
        projected,
        ..Volume::default()
    };
    let any = kept.config_map.is_some()
        || kept.secret.is_some()
        || kept.persistent_volume_claim.is_some()
        || kept.projected.is_some();
    any.then_some(kept)
}

fn pod_spec(s: PodSpec) -> PodSpec {
    let volumes: Option<Vec<Volume>> = s.volumes.map(|v| v.into_iter().filter_map(volume).collect());
    PodSpec {
        containers: s.containers.into_iter().map(pod_container).collect(),
        init_containers: s.init_containers.map(|v| v.into_iter().map(pod_container).collect()),
        volumes: volumes.filter(|v| !v.is_empty()),
        service_account_name: s.service_account_name,
        image_pull_secrets: s.image_pull_secrets,
        ephemeral_containers: s
            .ephemeral_containers
            .map(|v| v.into_iter().map(ephemeral_container).collect()),
        node_name: s.node_name,
        readiness_gates: s.readiness_gates,
        restart_policy: s.restart_policy,
        ..PodSpec::default()
    }
}

fn pod_status(s: PodStatus) -> PodStatus {
    PodStatus {
        phase: s.phase,
        reason: s.reason,
        message: s.message,
        nominated_node_name: s.nominated_node_name,
        host_ip: s.host_ip,
        pod_ip: s.pod_ip,
        pod_ips: s.pod_ips,
        start_time: s.start_time,
        conditions: s.conditions.map(|v| v.into_iter().map(pod_condition).collect()),
        container_statuses: statuses(s.container_statuses),
        init_container_statuses: statuses(s.init_container_statuses),
        ephemeral_container_statuses: statuses(s.ephemeral_container_statuses),
        ..PodStatus::default()
    }
}

/// Pods: the `get pods -o wide` columns, the containers drill-down (each container's resources for
/// its usage percentages) and the names xray shows (the ConfigMaps, Secrets, claims and
/// ServiceAccount a pod uses); no env values, other volumes, scheduling constraints or condition
/// messages.
pub fn pod(p: &mut Pod) {
    meta(&mut p.metadata);
    p.spec = take(&mut p.spec).map(pod_spec);
    p.status = take(&mut p.status).map(pod_status);
}

/// A workload's pod template: labels, and containers / init containers / node selector for the
/// CONTAINERS, IMAGES and (DaemonSet) NODE SELECTOR columns.
pub fn pod_template(t: &mut PodTemplateSpec) {
    let labels = t.metadata.as_mut().and_then(|m| take(&mut m.labels));
    t.metadata = labels.map(|labels| ObjectMeta {
        labels: Some(labels),
        ..ObjectMeta::default()
    });
    t.spec = take(&mut t.spec).map(|s| PodSpec {
        containers: containers(s.containers),
        init_containers: s.init_containers.map(containers),
        node_selector: s.node_selector,
        ..PodSpec::default()
    });
}

/// Nodes: status, roles (labels), version and the node-info and address columns; no image list.
pub fn node(n: &mut Node) {
    meta(&mut n.metadata);
    n.spec = take(&mut n.spec).map(|s| NodeSpec {
        unschedulable: s.unschedulable,
        taints: s.taints,
        ..NodeSpec::default()
    });
    n.status = take(&mut n.status).map(|s| NodeStatus {
        conditions: s.conditions.map(|v| {
            v.into_iter()
                .map(|mut c| {
                    c.message = None;
                    c
                })
                .collect()
        }),
        addresses: s.addresses,
        node_info: s.node_info,
        capacity: s.capacity,
        allocatable: s.allocatable,
        ..NodeStatus::default()
    });
}

/// Services: every spec and status field is a column (ports, IPs, selector); only metadata shrinks.
pub fn service(s: &mut Service) {
    meta(&mut s.metadata);
}

/// Deployments: replica counts, template containers, selector; conditions without messages.
pub fn deployment(d: &mut Deployment) {
    meta(&mut d.metadata);
    if let Some(spec) = d.spec.as_mut() {
        pod_template(&mut spec.template);
    }
    if let Some(conds) = d.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        conds.iter_mut().for_each(|c| c.message = None);
    }
}

/// ReplicaSets: replica counts, template containers, selector.
pub fn replica_set(rs: &mut ReplicaSet) {
    meta(&mut rs.metadata);
    if let Some(t) = rs.spec.as_mut().and_then(|s| s.template.as_mut()) {
        pod_template(t);
    }
    if let Some(conds) = rs.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        conds.iter_mut().for_each(|c| c.message = None);
    }
}

/// StatefulSets: replica counts and template containers; no volume claim templates.
pub fn stateful_set(s: &mut StatefulSet) {
    meta(&mut s.metadata);
    if let Some(spec) = s.spec.as_mut() {
        pod_template(&mut spec.template);
        spec.volume_claim_templates = None;
    }
    if let Some(conds) = s.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        conds.iter_mut().for_each(|c| c.message = None);
    }
}

/// DaemonSets: scheduling counts, template containers and node selector.
pub fn daemon_set(ds: &mut DaemonSet) {
    meta(&mut ds.metadata);
    if let Some(spec) = ds.spec.as_mut() {
        pod_template(&mut spec.template);
    }
    if let Some(conds) = ds.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        conds.iter_mut().for_each(|c| c.message = None);
    }
}

fn job_spec(spec: &mut JobSpec) {
    pod_template(&mut spec.template);
}

/// Jobs: completions, duration, template containers, selector; conditions keep their messages
/// (few objects, and the failure reason is what a user looks for).
pub fn job(j: &mut Job) {
    meta(&mut j.metadata);
    if let Some(spec) = j.spec.as_mut() {
        job_spec(spec);
    }
}

/// CronJobs: schedule, suspend, active count, last schedule, the job template's containers.
pub fn cron_job(cj: &mut CronJob) {
    meta(&mut cj.metadata);
    if let Some(spec) = cj.spec.as_mut() {
        let t: &mut JobTemplateSpec = &mut spec.job_template;
        t.metadata = None;
        if let Some(js) = t.spec.as_mut() {
            job_spec(js);
        }
    }
}

/// Namespaces: status phase; only metadata shrinks.
pub fn namespace(ns: &mut Namespace) {
    meta(&mut ns.metadata);
}

/// Events: every field is shown (message included); only metadata shrinks.
pub fn event(e: &mut Event) {
    meta(&mut e.metadata);
}

/// EndpointSlices: the endpoint list feeds the services' ready/total column; only metadata shrinks.
pub fn endpoint_slice(e: &mut k8s_openapi::api::discovery::v1::EndpointSlice) {
    meta(&mut e.metadata);
}

#[cfg(test)]
#[path = "trim_tests.rs"]
mod tests;
