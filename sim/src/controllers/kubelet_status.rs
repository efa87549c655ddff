//! Pod status as kubelet writes it: container states, conditions, QoS class, image and container ids.
//!
//! Pure functions on the pod's JSON, so every write leaves the fields kubectl and the log
//! generator read (startedAt, restartCount, lastState.terminated) consistent.

use std::hash::{Hash, Hasher};

use serde_json::{Value, json};

use super::simkit::rand_hex;

/// The condition types kubelet reports, in the order it writes them.
const COND_ORDER: [&str; 5] = [
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
    "PodScheduled",
];

/// The QoS class the API server derives from the containers' requests and limits.
pub fn qos_class(spec: &Value) -> &'static str {
    let all: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec[k].as_array())
        .flatten()
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &all {
        let req = &c["resources"]["requests"];
        let lim = &c["resources"]["limits"];
        for r in ["cpu", "memory"] {
            let (q, l) = (req.get(r).or_else(|| lim.get(r)), lim.get(r));
            any |= q.is_some() || l.is_some();
            // Requests default to limits, so a container is guaranteed when both are limited and equal.
            if l.is_none() || q != l {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}

/// The image as the runtime reports it: fully qualified.
pub fn normalize_image(image: &str) -> String {
    let (first, rest) = image.split_once('/').unwrap_or(("", image));
    let has_registry = !first.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut out = if has_registry {
        image.to_string()
    } else if first.is_empty() {
        format!("docker.io/library/{rest}")
    } else {
        format!("docker.io/{image}")
    };
    let last = out.rsplit('/').next().unwrap_or_default();
    if !last.contains(':') && !last.contains('@') {
        out.push_str(":latest");
    }
    out
}

fn stable_hex(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < n {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (seed, i).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
        i += 1;
    }
    out.truncate(n);
    out
}

/// The image digest reference, stable per image (`repo@sha256:…`).
pub fn image_id(image: &str) -> String {
    let full = normalize_image(image);
    let repo = match full.rfind(':') {
        Some(i) if !full[i..].contains('/') => &full[..i],
        _ => full.as_str(),
    };
    format!("{repo}@sha256:{}", stable_hex(&full, 64))
}

/// A fresh containerd container id.
pub fn container_id() -> String {
    format!("containerd://{}", rand_hex(64))
}

/// Whether a pull of this image fails (the demo's convention: a tag containing `does-not-exist`).
pub fn image_missing(image: &str) -> bool {
    image.rsplit('/').next().is_some_and(|l| l.contains("does-not-exist"))
}

/// A status condition as kubelet writes it; `lastTransitionTime` only moves when `status` changes.
pub fn set_condition(status: &mut Value, ty: &str, state: &str, reason: Option<&str>, msg: Option<&str>, now: &str) {
    if !status["conditions"].is_array() {
        status["conditions"] = json!([]);
    }
    let conds = status["conditions"].as_array_mut().expect("just made an array");
    let mut c = json!({"type": ty, "status": state, "lastProbeTime": null, "lastTransitionTime": now});
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    if let Some(m) = msg {
        c["message"] = json!(m);
    }
    if let Some(old) = conds.iter_mut().find(|c| c["type"] == ty) {
        if old["status"] == state {
            c["lastTransitionTime"] = old["lastTransitionTime"].clone();
        }
        *old = c;
    } else {
        conds.push(c);
    }
    let rank = |c: &Value| {
        COND_ORDER
            .iter()
            .position(|t| c["type"] == *t)
            .unwrap_or(COND_ORDER.len())
    };
    conds.sort_by_key(rank);
}

/// Names of a pod's containers (`containers` or `initContainers`).
pub fn names(spec: &Value, field: &str) -> Vec<String> {
    spec[field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect()
}

/// What kubelet reports of a container's spec in its status: the mounts (recursive read-only
/// off, the default), and the resources it was admitted with.
fn reported(status: &mut Value, c: &Value) {
    if let Some(mounts) = c["volumeMounts"].as_array() {
        let m: Vec<Value> = mounts
            .iter()
            .map(|m| {
                let mut m = json!({"name": m["name"], "mountPath": m["mountPath"], "readOnly": m["readOnly"]});
                if m["readOnly"] == true {
                    m["recursiveReadOnly"] = json!("Disabled");
                }
                m
            })
            .collect();
        status["volumeMounts"] = json!(m);
    }
    let res = &c["resources"];
    if res.as_object().is_some_and(|r| !r.is_empty()) {
        status["resources"] = res.clone();
        if res["requests"].is_object() {
            status["allocatedResources"] = res["requests"].clone();
        }
    }
}

/// A container status in a waiting state.
pub fn waiting_status(c: &Value, reason: &str, message: Option<&str>) -> Value {
    let image = c["image"].as_str().unwrap_or_default();
    let mut waiting = json!({"reason": reason});
    if let Some(m) = message {
        waiting["message"] = json!(m);
    }
    let mut st = json!({
        "name": c["name"], "image": image, "imageID": "", "ready": false, "started": false,
        "restartCount": 0, "state": {"waiting": waiting}, "lastState": {},
    });
    reported(&mut st, c);
    st
}

/// A container status of a freshly started container.
pub fn running_status(c: &Value, started_at: &str, ready: bool, restarts: i64, last: Value) -> Value {
    let image = c["image"].as_str().unwrap_or_default();
    // The runtime reports the process's identity (containerd 2 with SupplementalGroupsPolicy):
    // root with the groups an image's /etc/group gives it.
    let mut st = json!({
        "name": c["name"], "image": normalize_image(image), "imageID": image_id(image),
        "containerID": container_id(), "ready": ready, "started": true, "restartCount": restarts,
        "state": {"running": {"startedAt": started_at}}, "lastState": last,
        "user": {"linux": {"uid": 0, "gid": 0, "supplementalGroups": [0, 1, 2, 3, 4, 6, 10, 11, 20, 26, 27]}},
    });
    reported(&mut st, c);
    st
}

/// The `terminated` record of a container that was running.
pub fn terminated_of(cs: &Value, exit_code: i64, reason: &str, now: &str) -> Value {
    json!({
        "exitCode": exit_code, "reason": reason,
        "startedAt": cs["state"]["running"]["startedAt"].as_str().unwrap_or(now),
        "finishedAt": now, "containerID": cs["containerID"],
    })
}

/// The Ready/ContainersReady conditions from the main containers' readiness.
pub fn sync_ready(status: &mut Value, now: &str) {
    let unready: Vec<String> = status["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ready"] != true)
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    if unready.is_empty() {
        set_condition(status, "Ready", "True", None, None, now);
        set_condition(status, "ContainersReady", "True", None, None, now);
    } else {
        let msg = format!("containers with unready status: [{}]", unready.join(" "));
        set_condition(status, "Ready", "False", Some("ContainersNotReady"), Some(&msg), now);
        set_condition(
            status,
            "ContainersReady",
            "False",
            Some("ContainersNotReady"),
            Some(&msg),
            now,
        );
    }
}

/// kubelet's first status for a pod it admits: Pending, containers creating.
pub fn admitted(pod: &Value, host_ip: &str, now: &str) -> Value {
    let spec = &pod["spec"];
    let mut st = json!({"phase": "Pending", "hostIP": host_ip, "hostIPs": [{"ip": host_ip}], "startTime": now,
        "qosClass": qos_class(spec)});
    if let Some(old) = pod["status"]["conditions"].as_array() {
        st["conditions"] = json!(old);
    }
    set_condition(&mut st, "PodReadyToStartContainers", "False", None, None, now);
    let inits = names(spec, "initContainers");
    if inits.is_empty() {
        set_condition(&mut st, "Initialized", "True", None, None, now);
    } else {
        let msg = format!("containers with incomplete status: [{}]", inits.join(" "));
        set_condition(
            &mut st,
            "Initialized",
            "False",
            Some("ContainersNotInitialized"),
            Some(&msg),
            now,
        );
        st["initContainerStatuses"] = spec["initContainers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| waiting_status(c, "PodInitializing", None))
            .collect();
    }
    let main_reason = if inits.is_empty() {
        "ContainerCreating"
    } else {
        "PodInitializing"
    };
    st["containerStatuses"] = spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| waiting_status(c, main_reason, None))
        .collect();
    sync_ready(&mut st, now);
    set_condition(&mut st, "PodScheduled", "True", None, None, now);
    st
}

/// The podIP fields once the sandbox is up.
pub fn set_pod_ip(status: &mut Value, ip: &str, now: &str) {
    status["podIP"] = json!(ip);
    status["podIPs"] = json!([{"ip": ip}]);
    set_condition(status, "PodReadyToStartContainers", "True", None, None, now);
}

/// Marks every init container done (Completed) and Initialized true.
pub fn complete_inits(status: &mut Value, pod: &Value, now: &str) {
    if let Some(inits) = pod["spec"]["initContainers"].as_array() {
        status["initContainerStatuses"] = inits
            .iter()
            .map(|c| {
                let mut cs = running_status(c, now, false, 0, json!({}));
                let term = terminated_of(&cs, 0, "Completed", now);
                cs["state"] = json!({"terminated": term});
                cs["started"] = json!(false);
                cs["ready"] = json!(true);
                cs
            })
            .collect();
    }
    set_condition(status, "Initialized", "True", None, None, now);
}

/// A pod that has finished: phase Succeeded or Failed with the conditions kubelet leaves.
pub fn finish(status: &mut Value, phase: &str, now: &str) {
    status["phase"] = json!(phase);
    set_condition(status, "PodReadyToStartContainers", "False", None, None, now);
    set_condition(status, "Initialized", "True", Some("PodCompleted"), None, now);
    set_condition(status, "Ready", "False", Some("PodCompleted"), None, now);
    set_condition(status, "ContainersReady", "False", Some("PodCompleted"), None, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_follows_the_api_rules() {
        let be = json!({"containers": [{"name": "a"}]});
        let g = json!({"containers": [{"name": "a", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]});
        let b = json!({"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m"}}}]});
        assert_eq!(qos_class(&be), "BestEffort");
        assert_eq!(qos_class(&g), "Guaranteed");
        assert_eq!(qos_class(&b), "Burstable");
    }

    #[test]
    fn images_are_qualified() {
        assert_eq!(normalize_image("nginx:1.27"), "docker.io/library/nginx:1.27");
        assert_eq!(normalize_image("grafana/grafana"), "docker.io/grafana/grafana:latest");
        assert_eq!(normalize_image("registry.k8s.io/etcd:3.5"), "registry.k8s.io/etcd:3.5");
        assert!(image_id("nginx:1.27").starts_with("docker.io/library/nginx@sha256:"));
        assert_eq!(image_id("nginx:1.27"), image_id("nginx:1.27"));
        assert!(image_missing("registry.example.com/shop/recs:does-not-exist"));
    }

    #[test]
    fn transition_time_moves_only_on_change() {
        let mut st = json!({});
        set_condition(&mut st, "Ready", "False", None, None, "t1");
        set_condition(&mut st, "PodScheduled", "True", None, None, "t1");
        set_condition(&mut st, "Ready", "False", Some("X"), None, "t2");
        assert_eq!(st["conditions"][0]["lastTransitionTime"], "t1");
        set_condition(&mut st, "Ready", "True", None, None, "t3");
        assert_eq!(st["conditions"][0]["lastTransitionTime"], "t3");
        assert_eq!(st["conditions"][1]["type"], "PodScheduled");
    }
}
