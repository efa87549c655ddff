//! The kubelet's pod lifecycle steps: each takes the pod's JSON, changes its status the way kubelet
//! would, and says which events to record and which step comes next, and when.
//!
//! Annotation conventions (copied from templates onto pods):
//! `sim.kubedeck.io/crash: "true"` (first container exits 1 a few seconds after each start),
//! `sim.kubedeck.io/crash-after: "N"`, `sim.kubedeck.io/run-seconds: "N"` (containers exit 0 after N s),
//! `sim.kubedeck.io/ready-after: "N"` (readiness delay, default 2 s),
//! `sim.kubedeck.io/oom: "true"` (as crash, but the first container is OOMKilled: exit 137),
//! `sim.kubedeck.io/unready: "true"` (the readiness probe keeps failing: never ready, an
//! `Unhealthy` Warning every 10 s). Images whose tag contains `does-not-exist` fail to pull.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::kubelet_status::{
    admitted, complete_inits, finish, image_missing, running_status, set_condition, set_pod_ip, sync_ready,
    terminated_of, waiting_status,
};
use super::simkit::annotation;

/// A pending lifecycle step of one pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Sandbox up: pod IP assigned, images pulling.
    Sandbox,
    /// Init container `i` starts.
    StartInit(usize),
    /// Init container `i` completed.
    InitDone(usize),
    /// Main containers start.
    StartMain,
    /// Running containers turn ready.
    Ready,
    /// The first container exits 1 (137, OOMKilled, under `sim.kubedeck.io/oom`).
    Crash,
    /// The readiness probe fails again.
    ProbeFail,
    /// The containers exit 0 (run-seconds).
    Exit,
    /// Exited containers start again after back-off.
    Restart,
    /// A failed pull turns into ImagePullBackOff (attempt n).
    PullBackOff(u32),
    /// The back-off is over: pull again (attempt n).
    RetryPull(u32),
    /// Containers stopped with this exit code after SIGTERM/SIGKILL.
    KillDone(i64),
    /// The pod object goes.
    Remove,
}

/// An event to record about the pod.
#[derive(Debug, Clone)]
pub struct Ev {
    /// Container the event is about (fieldPath spec.containers{name}).
    pub container: Option<String>,
    /// Warning rather than Normal.
    pub warning: bool,
    /// Reason.
    pub reason: &'static str,
    /// Message.
    pub message: String,
    /// Reporting component.
    pub component: &'static str,
    /// An image now present on the node.
    pub pulled: Option<String>,
}

impl Ev {
    /// A Normal kubelet event.
    pub fn normal(container: Option<&str>, reason: &'static str, message: String) -> Self {
        Ev {
            container: container.map(String::from),
            warning: false,
            reason,
            message,
            component: "kubelet",
            pulled: None,
        }
    }

    /// A Warning kubelet event.
    pub fn warn(container: Option<&str>, reason: &'static str, message: String) -> Self {
        Ev {
            warning: true,
            ..Ev::normal(container, reason, message)
        }
    }

    /// The same event from another component.
    pub fn by(mut self, component: &'static str) -> Self {
        self.component = component;
        self
    }
}

/// What a step produced besides the pod change.
#[derive(Debug, Default)]
pub struct Out {
    /// Events to record.
    pub events: Vec<Ev>,
    /// Next steps, in simulated seconds from now.
    pub next: Vec<(f64, Step)>,
    /// Invalidate steps scheduled before this one.
    pub bump: bool,
}

fn secs_annotation(p: &Value, key: &str) -> Option<f64> {
    annotation(p, key).and_then(|s| s.trim().parse::<f64>().ok())
}

/// Go's Duration formatting for whole seconds ("10s", "1m20s", "5m0s").
pub fn go_dur(secs: u64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m{}s", secs / 60, secs % 60)
    }
}

fn always_pull(image: &str) -> bool {
    let last = image.rsplit('/').next().unwrap_or_default();
    !last.contains(':') || last.ends_with(":latest")
}

fn cached(pulled: &HashSet<String>, image: &str) -> bool {
    pulled.contains(image) && !always_pull(image)
}

fn pull_secs(pulled: &HashSet<String>, images: &[&str]) -> f64 {
    if images.iter().all(|i| cached(pulled, i)) {
        0.3
    } else {
        1.0 + rand::random_range(0.0..1.5)
    }
}

/// The Pulling event, unless the image is on the node and its policy does not pull again.
pub fn pulling(out: &mut Out, pulled: &HashSet<String>, name: &str, image: &str) {
    if !cached(pulled, image) {
        out.events
            .push(Ev::normal(Some(name), "Pulling", format!("Pulling image \"{image}\"")));
    }
}

/// Pulled (or already present), Created and Started for a container that starts.
pub fn started_events(out: &mut Out, pulled: &HashSet<String>, name: &str, image: &str) {
    if cached(pulled, image) {
        let msg = format!("Container image \"{image}\" already present on machine");
        out.events.push(Ev::normal(Some(name), "Pulled", msg));
    } else {
        let t = 0.8 + rand::random_range(0.0..2.0);
        let size = 5_000_000 + (image.len() as u64 * 7_919_113) % 180_000_000;
        let msg = format!(
            "Successfully pulled image \"{image}\" in {t:.3}s ({t:.3}s including waiting). Image size: {size} bytes."
        );
        let mut ev = Ev::normal(Some(name), "Pulled", msg);
        ev.pulled = Some(image.to_string());
        out.events.push(ev);
    }
    out.events
        .push(Ev::normal(Some(name), "Created", format!("Created container: {name}")));
    out.events
        .push(Ev::normal(Some(name), "Started", format!("Started container {name}")));
}

fn pull_error(image: &str) -> String {
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"
    )
}

fn containers(p: &Value, field: &str) -> Vec<Value> {
    p["spec"][field].as_array().cloned().unwrap_or_default()
}

fn img(c: &Value) -> &str {
    c["image"].as_str().unwrap_or_default()
}

/// The sandbox is up: the pod gets its IP and the first images start pulling.
pub fn sandbox(p: &mut Value, out: &mut Out, now: &str, ip: &str, pulled: &HashSet<String>) {
    let host = p["status"]["hostIP"].as_str().unwrap_or(ip).to_string();
    let ip = if p["spec"]["hostNetwork"] == true {
        host.as_str()
    } else {
        ip
    };
    set_pod_ip(&mut p["status"], ip, now);
    let inits = containers(p, "initContainers");
    if let Some(c) = inits.first() {
        pulling(out, pulled, c["name"].as_str().unwrap_or_default(), img(c));
        out.next.push((pull_secs(pulled, &[img(c)]), Step::StartInit(0)));
    } else {
        pull_main(p, out, pulled);
    }
}

fn pull_main(p: &Value, out: &mut Out, pulled: &HashSet<String>) {
    let cs = containers(p, "containers");
    for c in &cs {
        pulling(out, pulled, c["name"].as_str().unwrap_or_default(), img(c));
    }
    let images: Vec<&str> = cs.iter().map(img).collect();
    out.next.push((pull_secs(pulled, &images), Step::StartMain));
}

/// The steps a freshly (re)started pod has ahead: readiness, crash, exit, pull retries.
pub fn plan_after_start(p: &Value) -> Vec<(f64, Step)> {
    let st = &p["status"];
    let phase = st["phase"].as_str().unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Vec::new();
    }
    let mut plan = Vec::new();
    let statuses = st["containerStatuses"].as_array().cloned().unwrap_or_default();
    let running = statuses.iter().any(|c| c["state"]["running"].is_object());
    if running {
        if unready(p) {
            plan.push((3.0, Step::ProbeFail));
        } else if statuses
            .iter()
            .any(|c| c["state"]["running"].is_object() && c["ready"] != true)
        {
            plan.push((
                secs_annotation(p, "sim.kubedeck.io/ready-after").unwrap_or(2.0),
                Step::Ready,
            ));
        }
        if annotation(p, "sim.kubedeck.io/crash") == Some("true") || oom(p) {
            let after = secs_annotation(p, "sim.kubedeck.io/crash-after").unwrap_or(4.0);
            plan.push((after, Step::Crash));
        } else if let Some(n) = secs_annotation(p, "sim.kubedeck.io/run-seconds") {
            plan.push((n, Step::Exit));
        }
    }
    let waiting = |r: &str| statuses.iter().any(|c| c["state"]["waiting"]["reason"] == r);
    if waiting("ErrImagePull") || waiting("ImagePullBackOff") {
        plan.push((10.0, Step::RetryPull(1)));
    } else if waiting("CrashLoopBackOff") {
        plan.push((10.0, Step::Restart));
    } else if waiting("ContainerCreating") && !st["podIP"].is_null() {
        plan.push((1.0, Step::StartMain));
    }
    plan
}

fn oom(p: &Value) -> bool {
    annotation(p, "sim.kubedeck.io/oom") == Some("true")
}

fn unready(p: &Value) -> bool {
    annotation(p, "sim.kubedeck.io/unready") == Some("true")
}

/// The readiness probe failed: an `Unhealthy` Warning as kubelet words an HTTP probe's failure.
fn probe_failed(p: &Value, out: &mut Out) {
    for c in containers(p, "containers") {
        let name = c["name"].as_str().unwrap_or_default();
        let msg = "Readiness probe failed: HTTP probe failed with statuscode: 503".to_string();
        out.events.push(Ev::warn(Some(name), "Unhealthy", msg));
    }
    out.next.push((10.0, Step::ProbeFail));
}

/// A pod's steady state in one write, for the bulk load.
pub fn warm_status(p: &Value, host_ip: &str, ip: &str, now: &str) -> Value {
    let mut st = admitted(p, host_ip, now);
    let ip = if p["spec"]["hostNetwork"] == true { host_ip } else { ip };
    set_pod_ip(&mut st, ip, now);
    complete_inits(&mut st, p, now);
    let cs: Vec<Value> = containers(p, "containers")
        .iter()
        .map(|c| {
            if image_missing(img(c)) {
                let msg = format!(
                    "Back-off pulling image \"{}\": ErrImagePull: {}",
                    img(c),
                    pull_error(img(c))
                );
                waiting_status(c, "ImagePullBackOff", Some(&msg))
            } else {
                running_status(c, now, !unready(p), 0, json!({}))
            }
        })
        .collect();
    if cs.iter().any(|c| c["state"]["running"].is_object()) {
        st["phase"] = json!("Running");
    }
    st["containerStatuses"] = json!(cs);
    sync_ready(&mut st, now);
    st
}

fn start_main(p: &mut Value, out: &mut Out, now: &str, pulled: &HashSet<String>) {
    let specs = containers(p, "containers");
    let mut statuses = Vec::new();
    let mut failed = false;
    for c in &specs {
        let (name, image) = (c["name"].as_str().unwrap_or_default(), img(c));
        if image_missing(image) {
            failed = true;
            let err = pull_error(image);
            out.events.push(Ev::warn(
                Some(name),
                "Failed",
                format!("Failed to pull image \"{image}\": {err}"),
            ));
            out.events
                .push(Ev::warn(Some(name), "Failed", "Error: ErrImagePull".into()));
            statuses.push(waiting_status(c, "ErrImagePull", Some(&err)));
        } else {
            started_events(out, pulled, name, image);
            statuses.push(running_status(c, now, false, 0, json!({})));
        }
    }
    let st = &mut p["status"];
    st["containerStatuses"] = json!(statuses);
    if statuses.iter().any(|c| c["state"]["running"].is_object()) {
        st["phase"] = json!("Running");
    }
    sync_ready(st, now);
    if failed {
        out.next.push((1.0, Step::PullBackOff(1)));
    }
    out.next.extend(
        plan_after_start(p)
            .into_iter()
            .filter(|(_, s)| *s != Step::RetryPull(1)),
    );
}

/// Containers exit; the restart policy decides between back-off and a finished pod.
fn exit_containers(p: &mut Value, out: &mut Out, now: &str, code: i64, only_first: bool) {
    let policy = p["spec"]["restartPolicy"].as_str().unwrap_or("Always").to_string();
    let (pod, ns, uid) = (
        p["metadata"]["name"].as_str().unwrap_or_default().to_string(),
        p["metadata"]["namespace"].as_str().unwrap_or_default().to_string(),
        p["metadata"]["uid"].as_str().unwrap_or_default().to_string(),
    );
    let restarts = policy == "Always" || (policy == "OnFailure" && code != 0);
    let reason = match code {
        0 => "Completed",
        137 => "OOMKilled",
        _ => "Error",
    };
    let st = &mut p["status"];
    let mut delay: Option<f64> = None;
    if let Some(list) = st["containerStatuses"].as_array_mut() {
        for (i, cs) in list.iter_mut().enumerate() {
            if (only_first && i > 0) || !cs["state"]["running"].is_object() {
                continue;
            }
            let term = terminated_of(cs, code, reason, now);
            cs["ready"] = json!(false);
            cs["started"] = json!(false);
            let r = cs["restartCount"].as_i64().unwrap_or(0);
            if !restarts || r == 0 {
                // kubelet restarts a first failure at once, so it shows as terminated until then.
                cs["state"] = json!({"terminated": term});
                if restarts {
                    delay = Some(1.0);
                }
                continue;
            }
            let b = (10u64 << (r - 1).min(5)).min(300);
            let name = cs["name"].as_str().unwrap_or_default().to_string();
            let msg = format!(
                "back-off {} restarting failed container={name} pod={pod}_{ns}({uid})",
                go_dur(b)
            );
            cs["lastState"] = json!({"terminated": term});
            cs["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}});
            let ev = format!("Back-off restarting failed container {name} in pod {pod}_{ns}({uid})");
            out.events.push(Ev::warn(Some(&name), "BackOff", ev));
            delay = Some(delay.map_or(b as f64, |d: f64| d.max(b as f64)));
        }
    }
    let all_done = st["containerStatuses"]
        .as_array()
        .is_some_and(|l| l.iter().all(|c| c["state"]["terminated"].is_object()));
    if !restarts && all_done {
        let failed = st["containerStatuses"]
            .as_array()
            .is_some_and(|l| l.iter().any(|c| c["state"]["terminated"]["exitCode"] != 0));
        finish(st, if failed { "Failed" } else { "Succeeded" }, now);
    } else {
        sync_ready(st, now);
    }
    out.bump = true;
    if let Some(d) = delay {
        out.next.push((d, Step::Restart));
    }
}

fn restart(p: &mut Value, out: &mut Out, now: &str, pulled: &HashSet<String>) {
    let specs = containers(p, "containers");
    let st = &mut p["status"];
    if let Some(list) = st["containerStatuses"].as_array_mut() {
        for cs in list.iter_mut() {
            let term = if cs["state"]["terminated"].is_object() {
                cs["state"]["terminated"].clone()
            } else if cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" {
                cs["lastState"]["terminated"].clone()
            } else {
                continue;
            };
            let Some(spec) = specs.iter().find(|c| c["name"] == cs["name"]) else {
                continue;
            };
            let r = cs["restartCount"].as_i64().unwrap_or(0) + 1;
            started_events(out, pulled, spec["name"].as_str().unwrap_or_default(), img(spec));
            *cs = running_status(spec, now, false, r, json!({"terminated": term}));
        }
    }
    st["phase"] = json!("Running");
    sync_ready(st, now);
    out.next.extend(plan_after_start(p));
}

fn image_back_off(p: &mut Value, out: &mut Out, n: u32, retry: bool) {
    let st = &mut p["status"];
    for cs in st["containerStatuses"].as_array_mut().into_iter().flatten() {
        let image = cs["image"].as_str().unwrap_or_default().to_string();
        if !image_missing(&image) {
            continue;
        }
        let name = cs["name"].as_str().unwrap_or_default().to_string();
        let err = pull_error(&image);
        if retry {
            out.events
                .push(Ev::normal(Some(&name), "Pulling", format!("Pulling image \"{image}\"")));
            out.events.push(Ev::warn(
                Some(&name),
                "Failed",
                format!("Failed to pull image \"{image}\": {err}"),
            ));
            out.events
                .push(Ev::warn(Some(&name), "Failed", "Error: ErrImagePull".into()));
            cs["state"] = json!({"waiting": {"reason": "ErrImagePull", "message": err}});
        } else {
            let msg = format!("Back-off pulling image \"{image}\"");
            out.events.push(Ev::normal(Some(&name), "BackOff", msg.clone()));
            out.events
                .push(Ev::warn(Some(&name), "Failed", "Error: ImagePullBackOff".into()));
            let full = format!("{msg}: ErrImagePull: {err}");
            cs["state"] = json!({"waiting": {"reason": "ImagePullBackOff", "message": full}});
        }
    }
    if retry {
        out.next.push((1.0, Step::PullBackOff(n + 1)));
    } else {
        let b = (10u64 << (n.saturating_sub(1)).min(5)).min(300);
        out.next.push((b as f64, Step::RetryPull(n)));
    }
}

/// Applies one step (other than Sandbox and Remove) to the pod.
pub fn advance(step: Step, p: &mut Value, out: &mut Out, now: &str, pulled: &HashSet<String>, _time_scale: f64) {
    let inits = containers(p, "initContainers");
    match step {
        Step::StartInit(i) => {
            if let Some(c) = inits.get(i) {
                started_events(out, pulled, c["name"].as_str().unwrap_or_default(), img(c));
                p["status"]["initContainerStatuses"][i] = running_status(c, now, false, 0, json!({}));
                let secs = secs_annotation(p, "sim.kubedeck.io/init-seconds").unwrap_or(1.5);
                out.next.push((secs, Step::InitDone(i)));
            }
        }
        Step::InitDone(i) => {
            let cs = &mut p["status"]["initContainerStatuses"][i];
            let term = terminated_of(cs, 0, "Completed", now);
            cs["state"] = json!({"terminated": term});
            cs["ready"] = json!(true);
            cs["started"] = json!(false);
            if let Some(c) = inits.get(i + 1) {
                pulling(out, pulled, c["name"].as_str().unwrap_or_default(), img(c));
                out.next.push((pull_secs(pulled, &[img(c)]), Step::StartInit(i + 1)));
            } else {
                set_condition(&mut p["status"], "Initialized", "True", None, None, now);
                pull_main(p, out, pulled);
            }
        }
        Step::StartMain => start_main(p, out, now, pulled),
        Step::Ready => {
            let st = &mut p["status"];
            for cs in st["containerStatuses"].as_array_mut().into_iter().flatten() {
                if cs["state"]["running"].is_object() {
                    cs["ready"] = json!(true);
                }
            }
            sync_ready(st, now);
        }
        Step::Crash => {
            let code = if oom(p) { 137 } else { 1 };
            exit_containers(p, out, now, code, true)
        }
        Step::ProbeFail => {
            // A pod that has stopped running probes nothing.
            if p["status"]["containerStatuses"]
                .as_array()
                .is_some_and(|l| l.iter().any(|c| c["state"]["running"].is_object()))
            {
                probe_failed(p, out);
            }
        }
        Step::Exit => exit_containers(p, out, now, 0, false),
        Step::Restart => restart(p, out, now, pulled),
        Step::PullBackOff(n) => image_back_off(p, out, n, false),
        Step::RetryPull(n) => image_back_off(p, out, n, true),
        Step::KillDone(code) => {
            let st = &mut p["status"];
            for cs in st["containerStatuses"].as_array_mut().into_iter().flatten() {
                if cs["state"]["running"].is_object() {
                    let reason = if code == 0 { "Completed" } else { "Error" };
                    cs["state"] = json!({"terminated": terminated_of(cs, code, reason, now)});
                    cs["ready"] = json!(false);
                    cs["started"] = json!(false);
                }
            }
            sync_ready(st, now);
            out.next.push((if code == 0 { 0.2 } else { 0.0 }, Step::Remove));
        }
        Step::Sandbox | Step::Remove => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_dur(10), "10s");
        assert_eq!(go_dur(80), "1m20s");
        assert_eq!(go_dur(300), "5m0s");
    }
}
