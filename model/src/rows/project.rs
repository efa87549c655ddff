//! One object to one row: metadata, then the kind's kubectl printer cells.

use jiff::Timestamp;
use k8s_openapi::Metadata;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Row, Text, TimeFmt, time_fmt};
use crate::Kind;
use crate::printers::{self, Cell, misc, network, nodes, pods, workloads};
use crate::triage::facts;

/// A projection function of one kind, as the watch layer calls it for every object event.
pub type Project<K> = fn(&K) -> Row;

/// The generic path: metadata, then `cells_of` (the kind's printer cells, which may also set row
/// fields); the NAME cell becomes `row.name`, time cells keep their stamp (AGE: creationTimestamp)
/// and only a fallback text, so ages are drawn against the time of drawing, not of the event.
pub fn project<K: Metadata<Ty = ObjectMeta>>(obj: &K, kind: Kind, cells_of: impl Fn(&K, &mut Row) -> Vec<Cell>) -> Row {
    let cols = printers::columns_for(kind.name());
    let meta = obj.metadata();
    // Stamps are indexed by printer column while the kind's function runs, then by cell.
    let mut row = Row::of_meta(meta);
    let created = row.created;
    let printed = cells_of(obj, &mut row);
    let by_column = std::mem::take(&mut row.stamps);
    let mut cells = Vec::with_capacity(printed.len());
    let mut stamps = Vec::with_capacity(printed.len());
    for (i, cell) in printed.into_iter().enumerate() {
        let Some(col) = cols.get(i) else {
            // Cells past the printer's columns are plain text.
            cells.push(cell.to_string().into());
            stamps.push(None);
            continue;
        };
        if col.format == "name" {
            continue;
        }
        let stamp = if col.name == "Age" { created } else { by_column.get(i) };
        let text = match (time_fmt(col.name), stamp, cell) {
            (Some(TimeFmt::Age), Some(_), _) => String::new(),
            (_, _, Cell::Str(s)) => s,
            (_, _, other) => other.to_string(),
        };
        cells.push(Text::from(text));
        stamps.push(stamp);
    }
    cells.shrink_to_fit();
    row.cells = cells;
    row.stamps = stamps.into();
    row
}

/// A pod: `kubectl get pods -o wide`, with RESTARTS split into count and last-restart stamp.
pub fn pod(p: &Pod) -> Row {
    project(p, Kind::Pod, |p, row| {
        let sum = pods::pod_summary(p);
        if sum.restarts != 0 {
            row.stamps.set(3, sum.last_restart.map(|t| t.as_second()));
        }
        let spec = p.spec.as_ref();
        let status = p.status.as_ref();
        row.node = spec
            .and_then(|s| s.node_name.as_deref())
            .filter(|n| !n.is_empty())
            .map(Text::from);
        row.warn = pod_in_trouble(&sum.status);
        row.facts = facts::pod(p);
        // A pod that has ended holds nothing on its node: `kubectl describe node` leaves Succeeded
        // and Failed pods out of its sums, and metrics-server has no usage for them.
        let ended = matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
        row.capacity = (!ended).then(|| std::sync::Arc::new(crate::quantity::pod_capacity(p)));
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
    })
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

/// A node: `kubectl get nodes -o wide`; NotReady nodes are flagged.
pub fn node(n: &Node) -> Row {
    project(n, Kind::Node, |n, r| {
        let cells = nodes::node_row(n, Timestamp::now());
        r.warn = !matches!(&cells[1], Cell::Str(st) if st == "Ready");
        r.facts = facts::node(n);
        r.capacity = Some(std::sync::Arc::new(crate::quantity::node_capacity(n)));
        cells
    })
}

/// A service: `kubectl get svc -o wide`, plus the selector for the pods drill-down.
pub fn service(svc: &Service) -> Row {
    project(svc, Kind::Service, |svc, r| {
        let cells = network::service_row(svc, Timestamp::now());
        r.selector = svc
            .spec
            .as_ref()
            .and_then(|sp| sp.selector.as_ref())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        cells
    })
}

/// A Deployment.
pub fn deployment(o: &Deployment) -> Row {
    project(o, Kind::Deployment, |o, r| {
        r.facts = facts::deployment(o);
        workloads::deployment_row(o, Timestamp::now())
    })
}

/// A ReplicaSet.
pub fn replica_set(o: &ReplicaSet) -> Row {
    project(o, Kind::ReplicaSet, |o, _| {
        workloads::replica_set_row(o, Timestamp::now())
    })
}

/// A StatefulSet.
pub fn stateful_set(o: &StatefulSet) -> Row {
    project(o, Kind::StatefulSet, |o, r| {
        r.facts = facts::stateful_set(o);
        workloads::stateful_set_row(o, Timestamp::now())
    })
}

/// A DaemonSet.
pub fn daemon_set(o: &DaemonSet) -> Row {
    project(o, Kind::DaemonSet, |o, r| {
        r.facts = facts::daemon_set(o);
        workloads::daemon_set_row(o, Timestamp::now())
    })
}

/// A Job; failed ones are flagged, and a running one's DURATION is a stamp, so it keeps counting.
pub fn job(o: &Job) -> Row {
    project(o, Kind::Job, |o, r| {
        r.warn = workloads::job_status(o) == "Failed";
        r.facts = facts::job(o);
        let st = o.status.as_ref();
        if st.is_some_and(|s| s.completion_time.is_none()) {
            // DURATION is the third column after NAME: from start to now while running.
            r.stamps
                .set(3, st.and_then(|s| s.start_time.as_ref()).map(|t| t.0.as_second()));
        }
        workloads::job_row(o, Timestamp::now())
    })
}

/// A CronJob, with LAST SCHEDULE as a stamp.
pub fn cron_job(o: &CronJob) -> Row {
    project(o, Kind::CronJob, |o, r| {
        r.facts = facts::cron_job(o);
        // LAST SCHEDULE is the fifth cell after NAME.
        let last = o.status.as_ref().and_then(|st| st.last_schedule_time.as_ref());
        r.stamps.set(5, last.map(|t| t.0.as_second()));
        workloads::cron_job_row(o, Timestamp::now())
    })
}

/// A Namespace.
pub fn namespace(o: &Namespace) -> Row {
    project(o, Kind::Namespace, |o, _| misc::namespace_row(o, Timestamp::now()))
}

/// An Event, with LAST SEEN and FIRST SEEN as stamps; warnings are flagged.
pub fn event(e: &Event) -> Row {
    project(e, Kind::Event, |e, r| {
        let first = e
            .first_timestamp
            .as_ref()
            .map(|t| t.0)
            .or_else(|| e.event_time.as_ref().map(|t| t.0));
        let last = match e.series.as_ref() {
            Some(series) => series.last_observed_time.as_ref().map(|t| t.0),
            None => e.last_timestamp.as_ref().map(|t| t.0).or(first),
        };
        r.stamps.set(0, last.map(|t| t.as_second()));
        r.stamps.set(7, first.map(|t| t.as_second()));
        r.warn = e.type_.as_deref() == Some("Warning");
        misc::event_row(e, Timestamp::now())
    })
}

/// An EndpointSlice, with its backends (identity, ready) for the ENDPOINTS column of services.
pub fn endpoint_slice(o: &EndpointSlice) -> Row {
    project(o, Kind::EndpointSlice, |o, r| {
        r.backends = o
            .endpoints
            .iter()
            .map(|ep| {
                // Dual-stack services have one slice per family: the target identifies each backend once.
                let id = ep
                    .target_ref
                    .as_ref()
                    .and_then(|t| t.uid.clone().or_else(|| t.name.clone()))
                    .unwrap_or_else(|| ep.addresses.join(","));
                // A nil ready condition means "unknown", which consumers should treat as ready.
                (id, ep.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            })
            .collect();
        network::endpoint_slice_row(o, Timestamp::now())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_at(start: &str, end: Option<&str>) -> Job {
        let mut v = serde_json::json!({
            "metadata": {"name": "backup", "namespace": "ops", "uid": "u1", "creationTimestamp": start},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
            "status": {"startTime": start, "active": 1}
        });
        if let Some(end) = end {
            v["status"] = serde_json::json!({"startTime": start, "completionTime": end, "succeeded": 1});
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_running_jobs_duration_keeps_counting_and_a_finished_one_is_fixed() {
        let running = job(&job_at("2026-11-23T08:00:00Z", None));
        // DURATION is the third cell after NAME (STATUS, COMPLETIONS, DURATION).
        assert_eq!(running.cells[2], "");
        let start: jiff::Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
        assert_eq!(running.stamp(2), Some(start.as_second()));
        let done = job(&job_at("2026-11-23T08:00:00Z", Some("2026-11-23T08:01:30Z")));
        assert_eq!(done.cells[2], "90s");
        assert_eq!(done.stamp(2), None);
    }
}
