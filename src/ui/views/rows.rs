//! Row projections of watched objects through `cluster::printers`: one generic path over a table of
//! per-kind row functions, producing the compact rows the app sorts and filters.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::Resource;
use kube::runtime::reflector::Store;

use crate::app::columns::{TimeFmt, time_fmt};
use crate::app::state::ViewKind;
use crate::app::table::Row;
use crate::cluster::Kind;
use crate::cluster::cache::Snapshot;
use crate::cluster::printers::{self, Cell, misc, network, nodes, pods, workloads};

pub use crate::cluster::printers::age::human_duration;

/// Project what a view shows: the objects of `snapshot`, or for a containers view the containers of
/// its pod. `slices` feeds the ENDPOINTS column of services.
pub fn project(view: &ViewKind, snapshot: &Snapshot, slices: Option<&Snapshot>, now: Timestamp) -> Vec<Row> {
    match (view, snapshot) {
        (ViewKind::Containers { namespace, pod }, Snapshot::Pod(s)) => s
            .state()
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some(pod) && p.metadata.namespace.as_deref() == Some(namespace))
            .map(|p| super::containers::rows(p))
            .unwrap_or_default(),
        (ViewKind::Containers { .. }, _) => vec![],
        _ => project_objects(snapshot, slices, now),
    }
}

/// Project every object of a snapshot to a row with kubectl's columns (wide ones included).
pub fn project_objects(snapshot: &Snapshot, slices: Option<&Snapshot>, now: Timestamp) -> Vec<Row> {
    match snapshot {
        Snapshot::Pod(s) => each(s, Kind::Pod, pod_cells),
        Snapshot::Node(s) => each(s, Kind::Node, |n, r| {
            let cells = nodes::node_row(n, now);
            r.warn = !matches!(&cells[1], Cell::Str(st) if st == "Ready");
            cells
        }),
        Snapshot::Service(s) => {
            let endpoints = slices.map(endpoint_counts).unwrap_or_default();
            each(s, Kind::Service, |svc, r| {
                let mut cells = network::service_row(svc, now);
                r.selector = svc
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.selector.as_ref())
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
                let text = match (slices, endpoints.get(&(r.namespace.clone(), r.name.clone()))) {
                    (None, _) => "?".to_string(),
                    (Some(_), Some((ready, total))) => format!("{ready}/{total}"),
                    (Some(_), None) => "<none>".to_string(),
                };
                cells.push(text.into());
                cells
            })
        }
        Snapshot::Deployment(s) => each(s, Kind::Deployment, |o, _| workloads::deployment_row(o, now)),
        Snapshot::ReplicaSet(s) => each(s, Kind::ReplicaSet, |o, _| workloads::replica_set_row(o, now)),
        Snapshot::StatefulSet(s) => each(s, Kind::StatefulSet, |o, _| workloads::stateful_set_row(o, now)),
        Snapshot::DaemonSet(s) => each(s, Kind::DaemonSet, |o, _| workloads::daemon_set_row(o, now)),
        Snapshot::Job(s) => each(s, Kind::Job, |o, r| {
            r.warn = workloads::job_status(o) == "Failed";
            workloads::job_row(o, now)
        }),
        Snapshot::CronJob(s) => each(s, Kind::CronJob, |o, r| {
            // LAST SCHEDULE is the fifth cell after NAME.
            r.stamps[5] = o
                .status
                .as_ref()
                .and_then(|st| st.last_schedule_time.as_ref())
                .map(|t| t.0.as_second());
            workloads::cron_job_row(o, now)
        }),
        Snapshot::Namespace(s) => each(s, Kind::Namespace, |o, _| misc::namespace_row(o, now)),
        Snapshot::Event(s) => each(s, Kind::Event, |e, r| {
            let first = e
                .first_timestamp
                .as_ref()
                .map(|t| t.0)
                .or_else(|| e.event_time.as_ref().map(|t| t.0));
            let last = match e.series.as_ref() {
                Some(series) => series.last_observed_time.as_ref().map(|t| t.0),
                None => e.last_timestamp.as_ref().map(|t| t.0).or(first),
            };
            r.stamps[0] = last.map(|t| t.as_second());
            r.stamps[7] = first.map(|t| t.as_second());
            r.warn = e.type_.as_deref() == Some("Warning");
            misc::event_row(e, now)
        }),
        Snapshot::EndpointSlice(s) => each(s, Kind::EndpointSlice, |o, _| network::endpoint_slice_row(o, now)),
    }
}

/// The generic path: metadata, then the kind's printer cells; the NAME cell becomes `row.name`, time
/// cells keep their stamp (AGE: creationTimestamp) and only a fallback text.
fn each<K, F>(store: &Store<K>, kind: Kind, cells_of: F) -> Vec<Row>
where
    K: Resource + Clone,
    K::DynamicType: Eq + std::hash::Hash + Clone,
    F: Fn(&K, &mut Row) -> Vec<Cell>,
{
    let cols = printers::columns_for(kind.name());
    store
        .state()
        .iter()
        .map(|o| {
            let meta = o.meta();
            let created = meta.creation_timestamp.as_ref().map(|t| t.0.as_second());
            let mut row = Row {
                key: meta.uid.clone().unwrap_or_else(|| {
                    format!(
                        "{}/{}",
                        meta.namespace.as_deref().unwrap_or(""),
                        meta.name.as_deref().unwrap_or("")
                    )
                }),
                namespace: meta.namespace.clone().unwrap_or_default(),
                name: meta.name.clone().unwrap_or_default(),
                created,
                labels: meta
                    .labels
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                owners: meta.owner_references.iter().flatten().map(|r| r.uid.clone()).collect(),
                // Indexed by printer column while the kind's function runs, then by cell.
                stamps: vec![None; cols.len()],
                ..Default::default()
            };
            let printed = cells_of(o, &mut row);
            let by_column = std::mem::take(&mut row.stamps);
            let mut cells = Vec::with_capacity(printed.len());
            let mut stamps = Vec::with_capacity(printed.len());
            for (i, cell) in printed.into_iter().enumerate() {
                let Some(col) = cols.get(i) else {
                    // Cells past the printer's columns (service ENDPOINTS) are plain text.
                    cells.push(cell.to_string());
                    stamps.push(None);
                    continue;
                };
                if col.format == "name" {
                    continue;
                }
                let stamp = if col.name == "Age" { created } else { by_column[i] };
                let text = match (time_fmt(col.name), stamp, cell) {
                    (Some(TimeFmt::Age), Some(_), _) => String::new(),
                    (_, _, Cell::Str(s)) => s,
                    (_, _, other) => other.to_string(),
                };
                cells.push(text);
                stamps.push(stamp);
            }
            row.cells = cells;
            row.stamps = stamps;
            row
        })
        .collect()
}

/// The pod row of `printers::pods`, with RESTARTS split into count and last-restart stamp.
fn pod_cells(p: &Pod, row: &mut Row) -> Vec<Cell> {
    let sum = pods::pod_summary(p);
    if sum.restarts != 0 {
        row.stamps[3] = sum.last_restart.map(|t| t.as_second());
    }
    let spec = p.spec.as_ref();
    let status = p.status.as_ref();
    row.node = spec.and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty());
    row.warn = pod_in_trouble(&sum.status);
    let or_none = |s: Option<&String>| s.filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<none>".into());
    vec![
        // NAME comes from the metadata; the printer's copy would be dropped anyway.
        Cell::Str(String::new()),
        sum.ready_text().into(),
        sum.status.into(),
        sum.restarts.into(),
        // AGE: drawn from creationTimestamp.
        Cell::Str("<unknown>".into()),
        pods::pod_ip(p).into(),
        or_none(spec.and_then(|s| s.node_name.as_ref())).into(),
        or_none(status.and_then(|s| s.nominated_node_name.as_ref())).into(),
        pods::readiness_gates(p).into(),
    ]
}

/// Whether a pod STATUS means something is wrong (rather than running, done, or on its way).
pub fn pod_in_trouble(status: &str) -> bool {
    let fine = [
        "Running",
        "Completed",
        "Succeeded",
        "Pending",
        "ContainerCreating",
        "PodInitializing",
        "Terminating",
        "SchedulingGated",
    ];
    if let Some(init) = status.strip_prefix("Init:") {
        // "Init:0/2" is progress; "Init:CrashLoopBackOff" is not.
        return !init.contains('/');
    }
    !fine.contains(&status)
}

/// Ready and total endpoints per service (namespace, name), from the `kubernetes.io/service-name` label.
fn endpoint_counts(slices: &Snapshot) -> HashMap<(String, String), (usize, usize)> {
    let Snapshot::EndpointSlice(store) = slices else {
        return HashMap::new();
    };
    let mut seen: HashMap<(String, String), (HashSet<String>, usize)> = HashMap::new();
    for es in store.state() {
        let Some(svc) = es
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name"))
        else {
            continue;
        };
        let ns = es.metadata.namespace.clone().unwrap_or_default();
        let entry = seen.entry((ns, svc.clone())).or_default();
        for ep in &es.endpoints {
            // Dual-stack services have one slice per family: count each backend once.
            let id = ep
                .target_ref
                .as_ref()
                .and_then(|t| t.uid.clone().or_else(|| t.name.clone()))
                .unwrap_or_else(|| ep.addresses.join(","));
            if entry.0.insert(id) {
                // A nil ready condition means "unknown", which consumers should treat as ready.
                let ready = ep.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                entry.1 += usize::from(ready);
            }
        }
    }
    seen.into_iter()
        .map(|(k, (ids, ready))| (k, (ready, ids.len())))
        .collect()
}
