//! `kubectl describe pod`, and the container, volume and pod-template sections workloads share.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Event, Pod, PodTemplateSpec, Probe, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::events::describe_events;
use super::{Out, annotations_multiline, controlled_by, labels_multiline, print_bool, rfc1123z, tolerations_multiline};

/// `describePod`: the whole text of `kubectl describe pod`.
pub fn describe_pod(pod: &Pod, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    super::head(&mut o, meta, true);
    if let Some(p) = spec.priority {
        o.kv(0, "Priority", p);
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "Priority Class Name", pc);
    }
    if let Some(rc) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "Runtime Class Name", rc);
    }
    o.kv(0, "Service Account", spec.service_account_name.as_deref().unwrap_or(""));
    match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        None => o.kv(0, "Node", "<none>"),
        Some(n) => o.kv(0, "Node", format!("{n}/{}", status.host_ip.as_deref().unwrap_or(""))),
    }
    if let Some(t) = &status.start_time {
        o.kv(0, "Start Time", rfc1123z(t.0));
    }
    labels_multiline(&mut o, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", meta.annotations.as_ref());
    let phase = status.phase.as_deref().unwrap_or("");
    match &meta.deletion_timestamp {
        Some(dt) => {
            let secs = crate::cluster::printers::age::seconds_between(dt.0, now);
            o.kv(
                0,
                "Status",
                format!(
                    "Terminating (lasts {})",
                    crate::cluster::printers::age::human_duration(-secs)
                ),
            );
            if let Some(g) = meta.deletion_grace_period_seconds {
                o.kv(0, "Termination Grace Period", format!("{g}s"));
            }
        }
        None => o.kv(0, "Status", phase),
    }
    if let Some(r) = status.reason.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "Reason", r);
    }
    if let Some(m) = status.message.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "Message", m);
    }
    o.kv(0, "IP", status.pod_ip.as_deref().unwrap_or(""));
    let ips = status.pod_ips.clone().unwrap_or_default();
    if ips.is_empty() {
        o.w(0, "IPs:\t<none>\n");
    } else {
        o.w(0, "IPs:\n");
        for ip in ips {
            o.kv(1, "IP", ip.ip);
        }
    }
    if let Some(c) = controlled_by(meta) {
        o.kv(0, "Controlled By", c);
    }
    if let Some(n) = status.nominated_node_name.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "NominatedNodeName", n);
    }
    let init = spec.init_containers.clone().unwrap_or_default();
    if !init.is_empty() {
        describe_containers(
            &mut o,
            "Init Containers",
            &init,
            status.init_container_statuses.as_deref(),
            "",
        );
    }
    describe_containers(
        &mut o,
        "Containers",
        &spec.containers,
        status.container_statuses.as_deref(),
        "",
    );
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        o.w(0, "Readiness Gates:\n");
        o.w(1, "Type\tStatus\n");
        for g in gates {
            let st = status
                .conditions
                .iter()
                .flatten()
                .find(|c| c.type_ == g.condition_type)
                .map_or("<none>", |c| c.status.as_str());
            o.w(1, &format!("{} \t{st} \n", g.condition_type));
        }
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        o.w(0, "Conditions:\n");
        o.w(1, "Type\tStatus\n");
        for c in conds {
            o.w(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut o, spec.volumes.as_deref().unwrap_or_default(), "");
    let qos = status.qos_class.clone().unwrap_or_else(|| qos_class(&spec.containers));
    o.kv(0, "QoS Class", qos);
    labels_multiline(&mut o, "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(&mut o, "Tolerations", spec.tolerations.as_deref().unwrap_or_default());
    describe_events(&mut o, events, now);
    o.finish()
}

/// `qos.GetPodQOS` for the regular containers: Guaranteed, Burstable or BestEffort.
pub fn qos_class(containers: &[Container]) -> String {
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let r = c.resources.clone().unwrap_or_default();
        let req = r.requests.unwrap_or_default();
        let lim = r.limits.unwrap_or_default();
        if !req.is_empty() || !lim.is_empty() {
            any = true;
        }
        for res in ["cpu", "memory"] {
            match (lim.get(res), req.get(res)) {
                (Some(l), Some(q)) if l == q => {}
                (Some(_), None) => {}
                _ => guaranteed = false,
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
    .into()
}

/// `describeContainers`: each container's image, ports, state, resources, probes, env and mounts.
pub fn describe_containers(
    o: &mut Out,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    space: &str,
) {
    o.w(0, &format!("{space}{label}:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == c.name));
        o.w(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(id) = status.and_then(|s| s.container_id.as_deref()) {
            o.kv(2, "Container ID", id);
        }
        o.kv(2, "Image", c.image.as_deref().unwrap_or(""));
        if let Some(s) = status {
            o.kv(2, "Image ID", &s.image_id);
        }
        let ports = c.ports.clone().unwrap_or_default();
        let proto = |p: &Option<String>| p.clone().unwrap_or_else(|| "TCP".into());
        let port = ports
            .iter()
            .map(|p| format!("{}/{}", p.container_port, proto(&p.protocol)))
            .collect::<Vec<_>>()
            .join(",");
        let host = ports
            .iter()
            .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), proto(&p.protocol)))
            .collect::<Vec<_>>()
            .join(",");
        let or_none = |s: String| if s.is_empty() { "<none>".to_string() } else { s };
        o.kv(2, if port.contains(',') { "Ports" } else { "Port" }, or_none(port));
        o.kv(
            2,
            if host.contains(',') { "Host Ports" } else { "Host Port" },
            or_none(host),
        );
        multi(o, "Command", c.command.as_deref());
        multi(o, "Args", c.args.as_deref());
        if let Some(s) = status {
            describe_state(o, "State", s.state.as_ref());
            if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                describe_state(o, "Last State", Some(last));
            }
            o.kv(2, "Ready", print_bool(s.ready));
            o.kv(2, "Restart Count", s.restart_count);
        }
        let res = c.resources.clone().unwrap_or_default();
        resource_list(o, "Limits", res.limits.as_ref());
        resource_list(o, "Requests", res.requests.as_ref());
        for (name, probe) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = probe {
                o.kv(2, name, describe_probe(p));
            }
        }
        describe_env(o, c);
        let mut mounts = c.volume_mounts.clone().unwrap_or_default();
        mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
        if mounts.is_empty() {
            o.w(2, "Mounts:\t<none>\n");
        } else {
            o.w(2, "Mounts:\n");
            for m in mounts {
                let mut flags = vec![if m.read_only == Some(true) { "ro" } else { "rw" }.to_string()];
                if let Some(sp) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
                    flags.push(format!("path={sp:?}"));
                }
                o.w(3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
            }
        }
    }
}

fn multi(o: &mut Out, title: &str, items: Option<&[String]>) {
    let Some(items) = items.filter(|i| !i.is_empty()) else {
        return;
    };
    o.w(2, &format!("{title}:\n"));
    for item in items {
        for line in item.split('\n') {
            o.w(3, &format!("{line}\n"));
        }
    }
}

fn describe_state(o: &mut Out, name: &str, state: Option<&ContainerState>) {
    let st = state.cloned().unwrap_or_default();
    if let Some(r) = &st.running {
        o.kv(2, name, "Running");
        o.kv(
            3,
            "Started",
            r.started_at.as_ref().map_or_else(String::new, |t| rfc1123z(t.0)),
        );
    } else if let Some(w) = &st.waiting {
        o.kv(2, name, "Waiting");
        if let Some(r) = w.reason.as_deref().filter(|s| !s.is_empty()) {
            o.kv(3, "Reason", r);
        }
    } else if let Some(t) = &st.terminated {
        o.kv(2, name, "Terminated");
        if let Some(r) = t.reason.as_deref().filter(|s| !s.is_empty()) {
            o.kv(3, "Reason", r);
        }
        if let Some(m) = t.message.as_deref().filter(|s| !s.is_empty()) {
            o.kv(3, "Message", m);
        }
        o.kv(3, "Exit Code", t.exit_code);
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            o.kv(3, "Signal", sig);
        }
        let time = |t: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
            t.as_ref().map_or_else(String::new, |t| rfc1123z(t.0))
        };
        o.kv(3, "Started", time(&t.started_at));
        o.kv(3, "Finished", time(&t.finished_at));
    } else {
        o.kv(2, name, "Waiting");
    }
}

/// `Limits:` / `Requests:` with one resource per line, sorted by name.
fn resource_list(o: &mut Out, title: &str, list: Option<&BTreeMap<String, Quantity>>) {
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        return;
    };
    o.w(2, &format!("{title}:\n"));
    for (k, v) in list {
        o.kv(3, k, &v.0);
    }
}

fn port_string(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `DescribeProbe`: "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3".
pub fn describe_probe(p: &Probe) -> String {
    format!(
        "{} delay={}s timeout={}s period={}s #success={} #failure={}",
        probe_handler(p),
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    )
}

/// The handler half of kubectl's probe line: "http-get http://:8080/healthz", "exec [cat /tmp/ok]".
pub fn probe_handler(p: &Probe) -> String {
    if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        let host = h.host.as_deref().unwrap_or("");
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        format!(
            "http-get {scheme}://{host}:{}{}",
            port_string(&h.port),
            h.path.as_deref().unwrap_or("")
        )
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{}",
            t.host.as_deref().unwrap_or(""),
            port_string(&t.port)
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc <pod>:{} {}", g.port, g.service.as_deref().unwrap_or(""))
    } else {
        "unknown".into()
    }
}

fn describe_env(o: &mut Out, c: &Container) {
    if let Some(from) = c.env_from.as_ref().filter(|f| !f.is_empty()) {
        o.w(2, "Environment Variables from:\n");
        for f in from {
            let prefix = f.prefix.clone().unwrap_or_default();
            let (name, kind, optional) = if let Some(cm) = &f.config_map_ref {
                (cm.name.clone(), "ConfigMap", cm.optional.unwrap_or(false))
            } else if let Some(s) = &f.secret_ref {
                (s.name.clone(), "Secret", s.optional.unwrap_or(false))
            } else {
                continue;
            };
            let with_prefix = if prefix.is_empty() {
                String::new()
            } else {
                format!(" with prefix '{prefix}'")
            };
            o.w(3, &format!("{name}\t{kind}{with_prefix}\tOptional: {optional}\n"));
        }
    }
    let env = c.env.clone().unwrap_or_default();
    if env.is_empty() {
        o.w(2, "Environment:\t<none>\n");
        return;
    }
    o.w(2, "Environment:\n");
    for e in env {
        let Some(from) = &e.value_from else {
            for (i, line) in e.value.as_deref().unwrap_or("").split('\n').enumerate() {
                if i == 0 {
                    o.kv(3, &e.name, line);
                } else {
                    o.w(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let api = f.api_version.as_deref().unwrap_or("v1");
            o.kv(3, &e.name, format!(" ({api}:{})", f.field_path));
        } else if let Some(r) = &from.resource_field_ref {
            o.kv(
                3,
                &e.name,
                format!("{} ({})", r.resource, r.container_name.as_deref().unwrap_or("")),
            );
        } else if let Some(s) = &from.secret_key_ref {
            let opt = s.optional.unwrap_or(false);
            o.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {opt}\n",
                    e.name, s.key, s.name
                ),
            );
        } else if let Some(cm) = &from.config_map_key_ref {
            let opt = cm.optional.unwrap_or(false);
            o.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {opt}\n",
                    e.name, cm.key, cm.name
                ),
            );
        }
    }
}

/// `describeVolumes`: each volume's type and source fields.
pub fn describe_volumes(o: &mut Out, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        o.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    o.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        o.w(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            o.kv(2, "Type", "HostPath (bare host directory volume)");
            o.kv(2, "Path", &h.path);
            o.kv(2, "HostPathType", h.type_.as_deref().unwrap_or(""));
        } else if let Some(e) = &v.empty_dir {
            o.kv(
                2,
                "Type",
                "EmptyDir (a temporary directory that shares a pod's lifetime)",
            );
            o.kv(2, "Medium", e.medium.as_deref().unwrap_or(""));
            o.kv(
                2,
                "SizeLimit",
                e.size_limit.as_ref().map_or("<unset>", |q| q.0.as_str()),
            );
        } else if let Some(s) = &v.secret {
            o.kv(2, "Type", "Secret (a volume populated by a Secret)");
            o.kv(2, "SecretName", s.secret_name.as_deref().unwrap_or(""));
            o.kv(2, "Optional", s.optional.unwrap_or(false));
        } else if let Some(cm) = &v.config_map {
            o.kv(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
            o.kv(2, "Name", &cm.name);
            o.kv(2, "Optional", cm.optional.unwrap_or(false));
        } else if let Some(pvc) = &v.persistent_volume_claim {
            o.kv(
                2,
                "Type",
                "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            );
            o.kv(2, "ClaimName", &pvc.claim_name);
            o.kv(2, "ReadOnly", pvc.read_only.unwrap_or(false));
        } else if let Some(p) = &v.projected {
            o.kv(
                2,
                "Type",
                "Projected (a volume that contains injected data from multiple sources)",
            );
            for s in p.sources.iter().flatten() {
                if let Some(t) = &s.service_account_token {
                    o.kv(2, "TokenExpirationSeconds", t.expiration_seconds.unwrap_or(0));
                } else if let Some(cm) = &s.config_map {
                    o.kv(2, "ConfigMapName", &cm.name);
                    o.kv(2, "Optional", cm.optional.unwrap_or(false));
                } else if s.downward_api.is_some() {
                    o.kv(2, "DownwardAPI", "true");
                } else if let Some(sec) = &s.secret {
                    o.kv(2, "SecretName", &sec.name);
                    o.kv(2, "Optional", sec.optional.unwrap_or(false));
                }
            }
        } else {
            o.w(2, "<unknown>\n");
        }
    }
}

/// `DescribePodTemplate`: the "Pod Template:" section of workloads.
pub fn describe_pod_template(o: &mut Out, template: Option<&PodTemplateSpec>) {
    o.w(0, "Pod Template:\n");
    let Some(t) = template else {
        o.w(1, "<unset>\n");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    labels_multiline(o, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(o, "  Annotations", meta.annotations.as_ref());
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        o.kv(1, "Service Account", sa);
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|i| !i.is_empty()) {
        describe_containers(o, "Init Containers", init, None, "  ");
    }
    describe_containers(o, "Containers", &spec.containers, None, "  ");
    describe_volumes(o, spec.volumes.as_deref().unwrap_or_default(), "  ");
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        o.kv(1, "Priority Class Name", pc);
    }
    labels_multiline(o, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(o, "  Tolerations", spec.tolerations.as_deref().unwrap_or_default());
}
