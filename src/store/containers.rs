//! Rows of the containers drill-down of one pod: init (and sidecar), regular and ephemeral containers.

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Container, ContainerPort, ContainerStatus, Pod, Probe};

use model::quantity::{Capacity, container_capacity};

use super::cache::Snapshot;
use crate::cluster::describe::pod::probe_handler;
use crate::cluster::rows::Row;

/// The container rows of the pod in a one-pod snapshot (none while it is not there).
pub fn of_snapshot(snapshot: &Snapshot) -> Vec<Arc<Row>> {
    let Snapshot::Pod(store) = snapshot else { return vec![] };
    store
        .state()
        .first()
        .map(|p| rows(p).into_iter().map(Arc::new).collect())
        .unwrap_or_default()
}

/// One row per container, in the order kubectl describe lists them (init, regular, ephemeral); cells
/// follow `app::columns::CONTAINER_COLUMNS` after NAME.
pub fn rows(pod: &Pod) -> Vec<Row> {
    let Some(spec) = pod.spec.as_ref() else { return vec![] };
    let status = pod.status.as_ref();
    let by_name = |list: Option<&Vec<ContainerStatus>>| -> HashMap<String, ContainerStatus> {
        list.into_iter()
            .flatten()
            .map(|cs| (cs.name.clone(), cs.clone()))
            .collect()
    };
    let init_st = by_name(status.and_then(|s| s.init_container_statuses.as_ref()));
    let main_st = by_name(status.and_then(|s| s.container_statuses.as_ref()));
    let eph_st = by_name(status.and_then(|s| s.ephemeral_container_statuses.as_ref()));
    let init = spec.init_containers.iter().flatten().map(|c| {
        // A restartable init container is a sidecar (KEP-753).
        let ty = if c.restart_policy.as_deref() == Some("Always") {
            "sidecar"
        } else {
            "init"
        };
        row(ty, Shape::from(c), init_st.get(&c.name))
    });
    let main = spec
        .containers
        .iter()
        .map(|c| row("main", Shape::from(c), main_st.get(&c.name)));
    let eph = spec.ephemeral_containers.iter().flatten().map(|c| {
        let shape = Shape {
            name: &c.name,
            image: c.image.as_deref(),
            ports: c.ports.as_deref(),
            probes: [&c.liveness_probe, &c.readiness_probe, &c.startup_probe],
            capacity: container_capacity(c.resources.as_ref()),
        };
        row("ephemeral", shape, eph_st.get(&c.name))
    });
    init.chain(main).chain(eph).collect()
}

/// The parts of a container or ephemeral container that its row shows.
struct Shape<'a> {
    name: &'a str,
    image: Option<&'a str>,
    ports: Option<&'a [ContainerPort]>,
    probes: [&'a Option<Probe>; 3],
    capacity: Capacity,
}

impl<'a> From<&'a Container> for Shape<'a> {
    fn from(c: &'a Container) -> Self {
        Shape {
            name: &c.name,
            image: c.image.as_deref(),
            ports: c.ports.as_deref(),
            probes: [&c.liveness_probe, &c.readiness_probe, &c.startup_probe],
            capacity: container_capacity(c.resources.as_ref()),
        }
    }
}

fn row(ty: &str, shape: Shape<'_>, st: Option<&ContainerStatus>) -> Row {
    let Shape {
        name,
        image,
        ports,
        probes,
        capacity,
    } = shape;
    let restarts = st.map_or(0, |s| s.restart_count);
    let last_restart = st
        .and_then(|s| s.last_state.as_ref())
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0.as_second())
        .filter(|_| restarts > 0);
    let ports = ports
        .unwrap_or_default()
        .iter()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("TCP")))
        .collect::<Vec<_>>()
        .join(",");
    let probes = ["liveness", "readiness", "startup"]
        .iter()
        .zip(probes)
        .filter_map(|(what, p)| p.as_ref().map(|p| format!("{what} {}", probe_text(p))))
        .collect::<Vec<_>>()
        .join("; ");
    let state = st.map_or_else(|| "Waiting".to_string(), state_text);
    let warn = state.starts_with("Waiting: ") && !state.ends_with("ContainerCreating")
        || state.starts_with("Terminated: ") && !state.contains("(exit code 0)");
    Row {
        key: format!("{ty}/{name}"),
        name: name.to_string().into(),
        cells: vec![
            ty.to_string(),
            image.unwrap_or("").to_string(),
            st.is_some_and(|s| s.ready).to_string(),
            state,
            restarts.to_string(),
            if ports.is_empty() { "<none>".into() } else { ports },
            if probes.is_empty() { "<none>".into() } else { probes },
        ]
        .into_iter()
        .map(Into::into)
        .collect(),
        stamps: vec![None, None, None, None, last_restart, None, None].into(),
        warn,
        capacity: Some(std::sync::Arc::new(capacity)),
        ..Default::default()
    }
}

/// STATE as kubectl describe names it: "Running", "Waiting: CrashLoopBackOff",
/// "Terminated: Error (exit code 1)".
fn state_text(cs: &ContainerStatus) -> String {
    let Some(s) = cs.state.as_ref() else {
        return "Waiting".into();
    };
    if s.running.is_some() {
        "Running".into()
    } else if let Some(t) = &s.terminated {
        let reason = t.reason.as_deref().unwrap_or("");
        format!("Terminated: {reason} (exit code {})", t.exit_code)
    } else if let Some(w) = &s.waiting {
        match w.reason.as_deref() {
            Some(r) if !r.is_empty() => format!("Waiting: {r}"),
            _ => "Waiting".into(),
        }
    } else {
        "Waiting".into()
    }
}

/// kubectl describe's probe line without the success/failure thresholds, to keep the column short:
/// "http-get http://:8080/healthz delay=5s timeout=1s period=10s".
fn probe_text(p: &Probe) -> String {
    // Unset fields take the API server's defaults, which is what describe shows for stored objects.
    format!(
        "{} delay={}s timeout={}s period={}s",
        probe_handler(p),
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn init_main_and_ephemeral_containers_with_state_restarts_ports_probes() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "web-1", "namespace": "default"},
            "spec": {
                "initContainers": [{"name": "migrate", "image": "migrate:1"}],
                "containers": [{
                    "name": "app", "image": "web:2",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                        "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10},
                    "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 5}
                }],
                "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]
            },
            "status": {
                "initContainerStatuses": [{"name": "migrate", "image": "migrate:1", "imageID": "", "ready": false,
                    "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
                "containerStatuses": [{"name": "app", "image": "web:2", "imageID": "", "ready": false,
                    "restartCount": 5,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                        "finishedAt": "2024-05-01T11:57:00Z"}}}]
            }
        }))
        .unwrap();
        let rows = rows(&pod);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["migrate", "app", "debugger"]);
        assert_eq!(rows[0].cells[0], "init");
        assert_eq!(rows[0].cells[3], "Terminated: Completed (exit code 0)");
        assert!(!rows[0].warn);
        let app = &rows[1];
        assert_eq!(
            app.cells[..5],
            ["main", "web:2", "false", "Waiting: CrashLoopBackOff", "5"]
        );
        assert_eq!(
            app.stamp(4),
            Some("2024-05-01T11:57:00Z".parse::<jiff::Timestamp>().unwrap().as_second())
        );
        assert_eq!(app.cells[5], "8080/TCP");
        assert_eq!(
            app.cells[6],
            "liveness http-get http://:8080/healthz delay=5s timeout=1s period=10s; \
             readiness tcp-socket :http delay=0s timeout=1s period=5s"
        );
        assert!(app.warn);
        assert_eq!(rows[2].cells[0], "ephemeral");
        assert_eq!(rows[2].cells[3], "Waiting");
    }
}
