//! Namespaces, Events, Leases, HPAs, PDBs, ServiceAccounts, ControllerRevisions, APIServices and
//! admission webhook configurations.

use jiff::Timestamp;
use k8s_openapi::api::admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration};
use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Namespace, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;

use super::{AGE, Cell, Column, NAME, age, age_of, col, int, name_of, wide};

/// Namespace columns.
pub static NAMESPACE_COLUMNS: &[Column] = &[NAME, col("Status", "The status of the namespace"), AGE];

/// Event columns (note the order: the name comes last, and only in wide output).
pub static EVENT_COLUMNS: &[Column] = &[
    col(
        "Last Seen",
        "The time at which the most recent occurrence of this event was recorded.",
    ),
    col(
        "Type",
        "Type of this event (Normal, Warning), new types could be added in the future",
    ),
    col(
        "Reason",
        "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    col("Object", "The object that this event is about."),
    wide(
        "Subobject",
        "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
    ),
    wide(
        "Source",
        "The component reporting this event. Should be a short machine understandable string.",
    ),
    col(
        "Message",
        "A human-readable description of the status of this operation.",
    ),
    wide(
        "First Seen",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    ),
    wide("Count", "The number of times this event has occurred."),
    Column {
        name: "Name",
        ty: "string",
        format: "name",
        priority: 1,
        description: super::NAME_DESC,
    },
];

/// Lease columns.
pub static LEASE_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Holder",
        "holderIdentity contains the identity of the holder of a current lease.",
    ),
    AGE,
];

/// HorizontalPodAutoscaler columns.
pub static HPA_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Reference",
        "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.",
    ),
    col(
        "Targets",
        "metrics contains the specifications for which to use to calculate the desired replica count.",
    ),
    col(
        "MinPods",
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.",
    ),
    col(
        "MaxPods",
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.",
    ),
    col(
        "Replicas",
        "currentReplicas is current number of replicas of pods managed by this autoscaler.",
    ),
    AGE,
];

/// PodDisruptionBudget columns.
pub static PDB_COLUMNS: &[Column] = &[
    NAME,
    col("Min Available", "The minimum number of pods that must be available."),
    col("Max Unavailable", "The maximum number of pods that may be unavailable."),
    int(
        "Allowed Disruptions",
        "Calculated number of pods that may be disrupted at this time.",
    ),
    AGE,
];

/// ServiceAccount columns.
pub static SERVICE_ACCOUNT_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Secrets",
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
    ),
    AGE,
];

/// ControllerRevision columns.
pub static CONTROLLER_REVISION_COLUMNS: &[Column] = &[
    NAME,
    col("Controller", "Controller of the object"),
    col(
        "Revision",
        "Revision indicates the revision of the state represented by Data.",
    ),
    AGE,
];

/// APIService columns (kube-aggregator's own table convertor).
pub static API_SERVICE_COLUMNS: &[Column] = &[
    NAME,
    col("Service", "The reference to the service that hosts this API endpoint."),
    col("Available", "Whether this service is available."),
    AGE,
];

/// Validating/MutatingWebhookConfiguration columns.
pub static WEBHOOK_COLUMNS: &[Column] = &[
    NAME,
    int(
        "Webhooks",
        "Webhooks indicates the number of webhooks registered in this configuration",
    ),
    AGE,
];

/// The full namespace row.
pub fn namespace_row(ns: &Namespace, now: Timestamp) -> Vec<Cell> {
    let phase = ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    vec![name_of(&ns.metadata).into(), phase.into(), age_of(&ns.metadata, now)]
}

fn first_non_empty(a: Option<&String>, b: Option<&String>) -> String {
    a.filter(|s| !s.is_empty()).or(b).cloned().unwrap_or_default()
}

/// SOURCE: "component, host", falling back to reportingController / reportingInstance.
pub fn event_source(ev: &Event) -> String {
    let src = ev.source.as_ref();
    let component = first_non_empty(src.and_then(|s| s.component.as_ref()), ev.reporting_component.as_ref());
    let instance = first_non_empty(src.and_then(|s| s.host.as_ref()), ev.reporting_instance.as_ref());
    if instance.is_empty() {
        component
    } else {
        format!("{component}, {instance}")
    }
}

/// The full event row: LAST SEEN, TYPE, REASON, OBJECT, SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT, NAME.
pub fn event_row(ev: &Event, now: Timestamp) -> Vec<Cell> {
    let first = match ev.first_timestamp.as_ref() {
        Some(t) => age::age(Some(t), now),
        None => age::micro_age(ev.event_time.as_ref(), now),
    };
    let mut last = match ev.last_timestamp.as_ref() {
        Some(t) => age::age(Some(t), now),
        None => first.clone(),
    };
    let mut count = i64::from(ev.count.unwrap_or(0));
    if let Some(series) = ev.series.as_ref() {
        last = age::micro_age(series.last_observed_time.as_ref(), now);
        count = i64::from(series.count.unwrap_or(0));
    } else if count == 0 {
        // Singleton events of the events.k8s.io API carry no count.
        count = 1;
    }
    let inv = &ev.involved_object;
    let kind = inv.kind.as_deref().unwrap_or("").to_lowercase();
    let target = match inv.name.as_deref() {
        Some(n) if !n.is_empty() => format!("{kind}/{n}"),
        _ => kind,
    };
    vec![
        last.into(),
        ev.type_.clone().unwrap_or_default().into(),
        ev.reason.clone().unwrap_or_default().into(),
        target.into(),
        inv.field_path.clone().unwrap_or_default().into(),
        event_source(ev).into(),
        ev.message.as_deref().unwrap_or("").trim().into(),
        first.into(),
        count.into(),
        name_of(&ev.metadata).into(),
    ]
}

/// The full lease row.
pub fn lease_row(l: &Lease, now: Timestamp) -> Vec<Cell> {
    let holder = l
        .spec
        .as_ref()
        .and_then(|s| s.holder_identity.clone())
        .unwrap_or_default();
    vec![name_of(&l.metadata).into(), holder.into(), age_of(&l.metadata, now)]
}

fn q(v: Option<&Quantity>) -> String {
    // Go's nil *Quantity prints "<nil>".
    v.map_or_else(|| "<nil>".into(), |q| q.0.clone())
}

fn pct(v: Option<i32>) -> Option<String> {
    v.map(|p| format!("{p}%"))
}

/// One TARGETS entry, e.g. "cpu: 42%/80%" or "<unknown>/500m".
fn format_metric(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    let unknown = || "<unknown>".to_string();
    match spec.type_.as_str() {
        "External" | "Object" => {
            let (target, current) = if spec.type_ == "External" {
                (
                    spec.external.as_ref().map(|e| &e.target),
                    status.and_then(|s| s.external.as_ref()).map(|e| &e.current),
                )
            } else {
                (
                    spec.object.as_ref().map(|o| &o.target),
                    status.and_then(|s| s.object.as_ref()).map(|o| &o.current),
                )
            };
            match target.and_then(|t| t.average_value.as_ref()) {
                Some(avg) => {
                    let cur = current
                        .and_then(|c| c.average_value.as_ref())
                        .map_or_else(unknown, |c| c.0.clone());
                    format!("{cur}/{} (avg)", avg.0)
                }
                None => {
                    let cur = current.map_or_else(unknown, |c| q(c.value.as_ref()));
                    format!("{cur}/{}", q(target.and_then(|t| t.value.as_ref())))
                }
            }
        }
        "Pods" => {
            let cur = status
                .and_then(|s| s.pods.as_ref())
                .map_or_else(unknown, |p| q(p.current.average_value.as_ref()));
            format!(
                "{cur}/{}",
                q(spec.pods.as_ref().and_then(|p| p.target.average_value.as_ref()))
            )
        }
        "Resource" | "ContainerResource" => {
            let (name, target, current) = if spec.type_ == "Resource" {
                let r = spec.resource.as_ref();
                (
                    r.map(|r| r.name.clone()),
                    r.map(|r| &r.target),
                    status.and_then(|s| s.resource.as_ref()).map(|r| &r.current),
                )
            } else {
                let r = spec.container_resource.as_ref();
                let cur = status.and_then(|s| s.container_resource.as_ref()).map(|r| &r.current);
                (r.map(|r| r.name.clone()), r.map(|r| &r.target), cur)
            };
            let name = name.unwrap_or_default();
            match target.and_then(|t| t.average_value.as_ref()) {
                Some(avg) => {
                    let cur = current.map_or_else(unknown, |c| q(c.average_value.as_ref()));
                    format!("{name}: {cur}/{}", avg.0)
                }
                None => {
                    let cur = current.and_then(|c| pct(c.average_utilization)).unwrap_or_else(unknown);
                    let tgt = target
                        .and_then(|t| pct(t.average_utilization))
                        .unwrap_or_else(|| "<auto>".into());
                    format!("{name}: {cur}/{tgt}")
                }
            }
        }
        _ => "<unknown type>".into(),
    }
}

/// TARGETS: up to two metrics, then "+ N more...", or "<none>".
pub fn hpa_targets(hpa: &HorizontalPodAutoscaler) -> String {
    let specs = hpa.spec.as_ref().and_then(|s| s.metrics.as_deref()).unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = hpa
        .status
        .as_ref()
        .and_then(|s| s.current_metrics.as_deref())
        .unwrap_or_default();
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| format_metric(s, statuses.get(i)))
        .collect();
    if list.len() > 2 {
        format!("{} + {} more...", list[..2].join(", "), list.len() - 2)
    } else {
        list.join(", ")
    }
}

/// The full HPA row.
pub fn hpa_row(hpa: &HorizontalPodAutoscaler, now: Timestamp) -> Vec<Cell> {
    let spec = hpa.spec.as_ref();
    let reference = spec
        .map(|s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name))
        .unwrap_or_default();
    let min = spec
        .and_then(|s| s.min_replicas)
        .map_or_else(|| "<unset>".into(), |m| m.to_string());
    vec![
        name_of(&hpa.metadata).into(),
        reference.into(),
        hpa_targets(hpa).into(),
        min.into(),
        spec.map_or(0, |s| s.max_replicas).into(),
        hpa.status.as_ref().and_then(|s| s.current_replicas).unwrap_or(0).into(),
        age_of(&hpa.metadata, now),
    ]
}

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "N/A".into(),
    }
}

/// The full PDB row.
pub fn pdb_row(pdb: &PodDisruptionBudget, now: Timestamp) -> Vec<Cell> {
    let spec = pdb.spec.as_ref();
    vec![
        name_of(&pdb.metadata).into(),
        int_or_string(spec.and_then(|s| s.min_available.as_ref())).into(),
        int_or_string(spec.and_then(|s| s.max_unavailable.as_ref())).into(),
        pdb.status.as_ref().map_or(0, |s| s.disruptions_allowed).into(),
        age_of(&pdb.metadata, now),
    ]
}

/// The full service account row (SECRETS counts `secrets` references).
pub fn service_account_row(sa: &ServiceAccount, now: Timestamp) -> Vec<Cell> {
    let n = sa.secrets.as_ref().map_or(0, Vec::len) as i64;
    vec![name_of(&sa.metadata).into(), n.into(), age_of(&sa.metadata, now)]
}

/// The full controller revision row: CONTROLLER is "daemonset.apps/name".
pub fn controller_revision_row(cr: &ControllerRevision, now: Timestamp) -> Vec<Cell> {
    let owner = cr
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    let controller = owner.map_or_else(
        || "<none>".to_string(),
        |o| {
            let group = o.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let gk = if group.is_empty() {
                o.kind.clone()
            } else {
                format!("{}.{group}", o.kind)
            };
            format!("{}/{}", gk.to_lowercase(), o.name)
        },
    );
    vec![
        name_of(&cr.metadata).into(),
        controller.into(),
        cr.revision.into(),
        age_of(&cr.metadata, now),
    ]
}

/// The full API service row: SERVICE is "Local" or "namespace/name"; AVAILABLE is "True",
/// "False (Reason)" or "Unknown".
pub fn api_service_row(svc: &APIService, now: Timestamp) -> Vec<Cell> {
    let service = svc.spec.as_ref().and_then(|s| s.service.as_ref()).map_or_else(
        || "Local".to_string(),
        |r| {
            format!(
                "{}/{}",
                r.namespace.as_deref().unwrap_or(""),
                r.name.as_deref().unwrap_or("")
            )
        },
    );
    let cond = svc
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Available"));
    let available = match cond {
        None => "Unknown".to_string(),
        Some(c) if c.status == "True" => c.status.clone(),
        Some(c) => match c.reason.as_deref() {
            Some(r) if !r.is_empty() => format!("{} ({r})", c.status),
            _ => c.status.clone(),
        },
    };
    vec![
        name_of(&svc.metadata).into(),
        service.into(),
        available.into(),
        age_of(&svc.metadata, now),
    ]
}

/// The full validating webhook configuration row.
pub fn validating_webhook_row(w: &ValidatingWebhookConfiguration, now: Timestamp) -> Vec<Cell> {
    let n = w.webhooks.as_ref().map_or(0, Vec::len) as i64;
    vec![name_of(&w.metadata).into(), n.into(), age_of(&w.metadata, now)]
}

/// The full mutating webhook configuration row.
pub fn mutating_webhook_row(w: &MutatingWebhookConfiguration, now: Timestamp) -> Vec<Cell> {
    let n = w.webhooks.as_ref().map_or(0, Vec::len) as i64;
    vec![name_of(&w.metadata).into(), n.into(), age_of(&w.metadata, now)]
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::json;

    #[test]
    fn event_row_core_and_series() {
        let ev: Event = obj(json!({
            "metadata": {"name": "web-1.17c"},
            "involvedObject": {"kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{web}"},
            "reason": "BackOff", "type": "Warning", "message": "Back-off restarting failed container\n",
            "firstTimestamp": "2024-05-01T11:00:00Z", "lastTimestamp": "2024-05-01T11:58:00Z", "count": 12,
            "source": {"component": "kubelet", "host": "node-1"}
        }));
        assert_eq!(
            texts(&event_row(&ev, test_now())),
            vec![
                "2m",
                "Warning",
                "BackOff",
                "pod/web-1",
                "spec.containers{web}",
                "kubelet, node-1",
                "Back-off restarting failed container",
                "60m",
                "12",
                "web-1.17c"
            ]
        );
        let new_api: Event = obj(json!({
            "metadata": {"name": "e"}, "involvedObject": {"kind": "Node"},
            "eventTime": "2024-05-01T11:59:30.000000Z", "reportingComponent": "node-controller",
            "series": {"count": 4, "lastObservedTime": "2024-05-01T11:59:55.000000Z"}
        }));
        let row = texts(&event_row(&new_api, test_now()));
        assert_eq!(
            (row[0].as_str(), row[3].as_str(), row[5].as_str()),
            ("5s", "node", "node-controller")
        );
        assert_eq!((row[7].as_str(), row[8].as_str()), ("30s", "4"));
        let single: Event = obj(json!({"metadata": {"name": "e"}, "involvedObject": {}}));
        let row = texts(&event_row(&single, test_now()));
        assert_eq!((row[0].as_str(), row[8].as_str()), ("<unknown>", "1"));
    }

    #[test]
    fn hpa_targets_formats() {
        let hpa: HorizontalPodAutoscaler = obj(json!({
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                     "minReplicas": 2, "maxReplicas": 10,
                     "metrics": [
                        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                        {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}},
                        {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}}
                     ]},
            "status": {"currentReplicas": 3, "desiredReplicas": 3, "currentMetrics": [
                {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 42, "averageValue": "210m"}}}
            ]}
        }));
        assert_eq!(
            texts(&hpa_row(&hpa, test_now()))[..6],
            [
                "web",
                "Deployment/web",
                "cpu: 42%/80%, <unknown>/100 + 1 more...",
                "2",
                "10",
                "3"
            ]
        );
        let none: HorizontalPodAutoscaler = obj(json!({"metadata": {"name": "x"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "x"}, "maxReplicas": 5}}));
        assert_eq!(&texts(&hpa_row(&none, test_now()))[2..4], &["<none>", "<unset>"]);
    }

    #[test]
    fn pdb_revision_apiservice_webhooks() {
        let pdb: PodDisruptionBudget = obj(json!({"metadata": {"name": "p"}, "spec": {"minAvailable": "50%"},
            "status": {"currentHealthy": 2, "desiredHealthy": 1, "disruptionsAllowed": 1, "expectedPods": 2}}));
        assert_eq!(&texts(&pdb_row(&pdb, test_now()))[1..4], &["50%", "N/A", "1"]);

        let cr: ControllerRevision = obj(json!({"metadata": {"name": "agent-7c9", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": "u", "controller": true}]}, "revision": 3}));
        let row = controller_revision_row(&cr, test_now());
        assert_eq!(texts(&row)[1], "daemonset.apps/agent");
        assert_eq!(row[2], Cell::Int(3));

        let local: APIService = obj(json!({"metadata": {"name": "v1.apps"},
            "spec": {"group": "apps", "version": "v1", "groupPriorityMinimum": 17800, "versionPriority": 15},
            "status": {"conditions": [{"type": "Available", "status": "True"}]}}));
        assert_eq!(&texts(&api_service_row(&local, test_now()))[1..3], &["Local", "True"]);
        let remote: APIService = obj(json!({"metadata": {"name": "v1beta1.metrics.k8s.io"},
            "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}, "groupPriorityMinimum": 100, "versionPriority": 100},
            "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}}));
        assert_eq!(
            &texts(&api_service_row(&remote, test_now()))[1..3],
            &["kube-system/metrics-server", "False (MissingEndpoints)"]
        );

        let vw: ValidatingWebhookConfiguration = obj(json!({"metadata": {"name": "v"}, "webhooks": [
            {"name": "a.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None", "clientConfig": {}}]}));
        assert_eq!(validating_webhook_row(&vw, test_now())[1], Cell::Int(1));
    }
}
