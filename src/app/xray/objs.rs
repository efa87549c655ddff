//! The cache's rows and pods as the xray tree reads them: identity, owners, labels, and the state
//! of each in words and colour (`Available 3/3`, `CrashLoopBackOff`, `Pending`).

use k8s_openapi::api::core::v1::Pod;

use super::tree::{Container, Obj, PodFacts, State, Tone};
use crate::cluster::Kind;
use crate::cluster::rows::{Row, pod_in_trouble};

/// An object of a row watch.
pub fn of_row(kind: Kind, row: &Row) -> Obj {
    Obj {
        what: kind.name(),
        kind: Some(kind),
        namespace: row.namespace.to_string(),
        name: row.name.to_string(),
        uid: row.key.clone(),
        owners: row.owners.to_vec(),
        labels: row.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        selector: row.selector.clone(),
        state: row_state(kind.name(), row),
        pod: None,
    }
}

fn cell(row: &Row, n: usize) -> &str {
    row.cells.get(n).map_or("", model::rows::Text::as_str)
}

/// `a/b` as numbers.
fn ratio(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('/')?;
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
}

/// `word a/b`, good when all are there, busy when some are, bad when none of several are.
fn counted(word: &str, have: i64, want: i64) -> State {
    let tone = match (have, want) {
        (_, 0) => Tone::Plain,
        (h, w) if h >= w => Tone::Good,
        (0, _) => Tone::Bad,
        _ => Tone::Busy,
    };
    match want {
        0 => ("scaled to 0".into(), Tone::Plain),
        _ => (format!("{word} {have}/{want}"), tone),
    }
}

/// The state of a row, from the cells of its kind's printer (kubectl's columns).
pub fn row_state(what: &str, row: &Row) -> State {
    let num = |n: usize| cell(row, n).parse::<i64>().unwrap_or(0);
    match what {
        // READY UP-TO-DATE AVAILABLE
        "Deployment" => {
            let want = ratio(cell(row, 0)).map_or(0, |r| r.1);
            counted("Available", num(2), want)
        }
        // DESIRED CURRENT READY
        "ReplicaSet" => counted("ready", num(2), num(0)),
        // DESIRED CURRENT READY UP-TO-DATE AVAILABLE
        "DaemonSet" => counted("ready", num(2), num(0)),
        // READY
        "StatefulSet" => {
            let (have, want) = ratio(cell(row, 0)).unwrap_or((0, 0));
            counted("ready", have, want)
        }
        // STATUS COMPLETIONS
        "Job" => {
            let status = cell(row, 0);
            let tone = match status {
                "Complete" => Tone::Good,
                "Failed" | "FailureTarget" => Tone::Bad,
                _ => Tone::Busy,
            };
            (format!("{status} {}", cell(row, 1)).trim().to_string(), tone)
        }
        "Node" => {
            let status = cell(row, 0);
            let tone = match status {
                "Ready" => Tone::Good,
                s if s.starts_with("Ready,") => Tone::Busy,
                _ => Tone::Bad,
            };
            (status.to_string(), tone)
        }
        "PersistentVolumeClaim" => {
            let status = cell(row, 0);
            let tone = match status {
                "Bound" => Tone::Good,
                "Pending" => Tone::Busy,
                _ => Tone::Bad,
            };
            (status.to_string(), tone)
        }
        "Service" => (cell(row, 0).to_string(), Tone::Plain),
        "EndpointSlice" => {
            let ready = row.backends.iter().filter(|b| b.1).count() as i64;
            counted("ready", ready, row.backends.len() as i64)
        }
        "Pod" => {
            let status = cell(row, 1);
            (
                format!("{status} {}", cell(row, 0)),
                pod_tone(status, ratio(cell(row, 0))),
            )
        }
        _ if row.warn => ("warning".into(), Tone::Bad),
        _ => (String::new(), Tone::Plain),
    }
}

fn pod_tone(status: &str, ready: Option<(i64, i64)>) -> Tone {
    if pod_in_trouble(status) {
        return Tone::Bad;
    }
    match status {
        "Running" if ready.is_some_and(|(r, t)| r >= t) => Tone::Good,
        "Completed" | "Succeeded" => Tone::Plain,
        _ => Tone::Busy,
    }
}

/// A pod of a typed watch: identity, owners, labels, state, containers and what it uses.
pub fn of_pod(pod: &Pod) -> Obj {
    let meta = &pod.metadata;
    let sum = model::printers::pods::pod_summary(pod);
    let ready = sum.ready_text();
    let state = (format!("{} {ready}", sum.status), pod_tone(&sum.status, ratio(&ready)));
    let mut owners: Vec<_> = meta.owner_references.iter().flatten().collect();
    // The controller first: it is the one the tree climbs through.
    owners.sort_by_key(|o| !o.controller.unwrap_or(false));
    Obj {
        what: Kind::Pod.name(),
        kind: Some(Kind::Pod),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        owners: owners.into_iter().map(|o| o.uid.clone()).collect(),
        labels: meta
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        selector: None,
        state,
        pod: Some(Box::new(facts(pod))),
    }
}

fn push(list: &mut Vec<String>, name: &str) {
    if !name.is_empty() && !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// What the pod uses and runs on: volumes (projected ones included), `envFrom` and `env` key
/// references of every container, image pull secrets, its ServiceAccount and node.
pub fn facts(pod: &Pod) -> PodFacts {
    let mut f = PodFacts {
        containers: crate::store::containers::rows(pod)
            .into_iter()
            .map(|r| container(&r))
            .collect(),
        ..PodFacts::default()
    };
    let Some(spec) = &pod.spec else { return f };
    for v in spec.volumes.iter().flatten() {
        if let Some(c) = &v.config_map {
            push(&mut f.config_maps, &c.name);
        }
        if let Some(s) = v.secret.as_ref().and_then(|s| s.secret_name.as_deref()) {
            push(&mut f.secrets, s);
        }
        if let Some(c) = &v.persistent_volume_claim {
            push(&mut f.claims, &c.claim_name);
        }
        for s in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(c) = &s.config_map {
                push(&mut f.config_maps, &c.name);
            }
            if let Some(c) = &s.secret {
                push(&mut f.secrets, &c.name);
            }
        }
    }
    let containers = spec.containers.iter().chain(spec.init_containers.iter().flatten());
    for c in containers {
        for e in c.env_from.iter().flatten() {
            if let Some(r) = &e.config_map_ref {
                push(&mut f.config_maps, &r.name);
            }
            if let Some(r) = &e.secret_ref {
                push(&mut f.secrets, &r.name);
            }
        }
        for e in c.env.iter().flatten().filter_map(|e| e.value_from.as_ref()) {
            if let Some(r) = &e.config_map_key_ref {
                push(&mut f.config_maps, &r.name);
            }
            if let Some(r) = &e.secret_key_ref {
                push(&mut f.secrets, &r.name);
            }
        }
    }
    for s in spec.image_pull_secrets.iter().flatten() {
        push(&mut f.secrets, &s.name);
    }
    f.service_account = spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| Some("default".into()));
    f.node = spec.node_name.clone().filter(|n| !n.is_empty());
    f
}

/// A container row of the containers view (`type image ready state …`) as a tree node.
fn container(r: &Row) -> Container {
    let what = match cell(r, 0) {
        "init" => "init container",
        "sidecar" => "sidecar container",
        "ephemeral" => "ephemeral container",
        _ => "container",
    };
    let ready = cell(r, 2) == "true";
    let raw = cell(r, 3);
    let word = raw
        .strip_prefix("Waiting: ")
        .or_else(|| raw.strip_prefix("Terminated: "))
        .unwrap_or(raw);
    let state = match (raw, ready) {
        ("Running", true) => ("Running, ready".to_string(), Tone::Good),
        ("Running", false) => ("Running, not ready".to_string(), Tone::Busy),
        _ if r.warn => (word.to_string(), Tone::Bad),
        _ if raw.contains("(exit code 0)") => (word.to_string(), Tone::Plain),
        _ => (word.to_string(), Tone::Busy),
    };
    Container {
        what,
        key: r.key.clone(),
        name: r.name.to_string(),
        state,
    }
}
