//! Rows of the containers drill-down of one pod: init (and sidecar), regular and ephemeral containers.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{ContainerPort, ContainerStatus, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::app::table::Row;

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
    let mut out = Vec::new();
    for c in spec.init_containers.iter().flatten() {
        let ty = if c.restart_policy.as_deref() == Some("Always") {
            "sidecar"
        } else {
            "init"
        };
        let probes = [&c.liveness_probe, &c.readiness_probe, &c.startup_probe];
        out.push(row(
            ty,
            &c.name,
            c.image.as_deref(),
            init_st.get(&c.name),
            c.ports.as_deref(),
            probes,
        ));
    }
    for c in &spec.containers {
        let probes = [&c.liveness_probe, &c.readiness_probe, &c.startup_probe];
        out.push(row(
            "main",
            &c.name,
            c.image.as_deref(),
            main_st.get(&c.name),
            c.ports.as_deref(),
            probes,
        ));
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        let probes = [&c.liveness_probe, &c.readiness_probe, &c.startup_probe];
        out.push(row(
            "ephemeral",
            &c.name,
            c.image.as_deref(),
            eph_st.get(&c.name),
            c.ports.as_deref(),
            probes,
        ));
    }
    out
}

fn row(
    ty: &str,
    name: &str,
    image: Option<&str>,
    st: Option<&ContainerStatus>,
    ports: Option<&[ContainerPort]>,
    probes: [&Option<Probe>; 3],
) -> Row {
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
        .filter_map(|(what, p)| p.as_ref().map(|p| format!("{what} {}", describe_probe(p))))
        .collect::<Vec<_>>()
        .join("; ");
    let state = st.map_or_else(|| "Waiting".to_string(), state_text);
    let warn = state.starts_with("Waiting: ") && !state.ends_with("ContainerCreating")
        || state.starts_with("Terminated: ") && !state.contains("(exit code 0)");
    Row {
        key: format!("{ty}/{name}"),
        name: name.to_string(),
        cells: vec![
            ty.to_string(),
            image.unwrap_or("").to_string(),
            st.is_some_and(|s| s.ready).to_string(),
            state,
            restarts.to_string(),
            if ports.is_empty() { "<none>".into() } else { ports },
            if probes.is_empty() { "<none>".into() } else { probes },
        ],
        stamps: vec![None, None, None, None, last_restart, None, None],
        warn,
        ..Default::default()
    }
}

/// STATE as kubectl describe names it: "Running", "Waiting: CrashLoopBackOff",
/// "Terminated: Error (exit code 1)".
pub fn state_text(cs: &ContainerStatus) -> String {
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

fn port_text(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// kubectl describe's probe line (`DescribeProbe`) without the success/failure thresholds:
/// "http-get http://:8080/healthz delay=5s timeout=1s period=10s".
pub fn describe_probe(p: &Probe) -> String {
    // Unset fields take the API server's defaults, which is what describe shows for stored objects.
    let attrs = format!(
        "delay={}s timeout={}s period={}s",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10)
    );
    if let Some(e) = &p.exec {
        format!("exec [{}] {attrs}", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        let host = h.host.as_deref().unwrap_or("");
        let path = h.path.as_deref().unwrap_or("");
        format!("http-get {scheme}://{host}:{}{path} {attrs}", port_text(&h.port))
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{} {attrs}",
            t.host.as_deref().unwrap_or(""),
            port_text(&t.port)
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc <pod>:{} {} {attrs}", g.port, g.service.as_deref().unwrap_or(""))
    } else {
        format!("unknown {attrs}")
    }
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
