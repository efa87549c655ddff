//! The objects `kubectl debug` makes, made the same way: an ephemeral container added through a
//! strategic-merge PATCH of `pods/NAME/ephemeralcontainers` (stdin and TTY set, so it can be
//! attached), and a node's debugging pod as the `legacy` profile shapes it (the host's PID,
//! network and IPC namespaces, its root at `/host`); then the wait until the container runs.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::app::pick::PodContainers;

/// The alphabet of kubectl's (and the API server's) random name suffixes.
const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Five random characters, as kubectl's `nameSuffixFunc(5)` gives.
pub fn suffix() -> String {
    (0..5)
        .map(|_| ALPHA[rand::random_range(0..ALPHA.len())] as char)
        .collect()
}

/// The names a pod's containers of every sort take (a new one must differ from all).
fn taken(pod: &Pod) -> Vec<String> {
    let Some(s) = pod.spec.as_ref() else { return vec![] };
    let eph = s.ephemeral_containers.iter().flatten().map(|c| c.name.clone());
    let init = s.init_containers.iter().flatten().map(|c| c.name.clone());
    s.containers
        .iter()
        .map(|c| c.name.clone())
        .chain(init)
        .chain(eph)
        .collect()
}

/// A debug container name no container of `pod` has (`debugger-xxxxx`, as kubectl names it).
pub fn debugger_name(pod: &Pod) -> String {
    let taken = taken(pod);
    loop {
        let n = format!("debugger-{}", suffix());
        if !taken.contains(&n) {
            return n;
        }
    }
}

/// The strategic merge patch kubectl's two-way diff makes for one added ephemeral container: the
/// new entry (merged by name) and the order of the whole list.
pub fn ephemeral_patch(pod: &Pod, name: &str, target: &str, image: &str) -> Value {
    let mut order: Vec<Value> = pod
        .spec
        .iter()
        .flat_map(|s| s.ephemeral_containers.iter().flatten())
        .map(|c| json!({"name": c.name}))
        .collect();
    order.push(json!({"name": name}));
    let mut spec = json!({
        "ephemeralContainers": [{
            "name": name,
            "image": image,
            "resources": {},
            "stdin": true,
            "targetContainerName": target,
            "terminationMessagePolicy": "File",
            "tty": true,
        }],
    });
    if order.len() > 1 {
        spec["$setElementOrder/ephemeralContainers"] = Value::Array(order);
    }
    json!({"spec": spec})
}

/// Adds the ephemeral container `name` to the pod.
pub async fn add_ephemeral(pods: &Api<Pod>, pod: &Pod, name: &str, target: &str, image: &str) -> Result<(), String> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let patch = ephemeral_patch(pod, name, target, image);
    pods.patch_subresource(
        "ephemeralcontainers",
        &pod_name,
        &PatchParams::default(),
        &Patch::Strategic(patch),
    )
    .await
    .map(|_| ())
    .map_err(|e| crate::cluster::errors::explain(&e))
}

/// The debugging pod `kubectl debug node/NODE` makes with its `legacy` profile.
pub fn node_pod(name: &str, node: &str, image: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kubedeck"}},
        "spec": {
            "containers": [{
                "name": "debugger",
                "image": image,
                "stdin": true,
                "tty": true,
                "terminationMessagePolicy": "File",
                "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
            }],
            "nodeName": node,
            "restartPolicy": "Never",
            "tolerations": [{"operator": "Exists"}],
            "hostIPC": true,
            "hostNetwork": true,
            "hostPID": true,
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        },
    })
}

/// Creates the node's debugging pod; its name.
pub async fn create_node_pod(pods: &Api<Pod>, node: &str, image: &str) -> Result<String, String> {
    let name = format!("node-debugger-{node}-{}", suffix());
    let pod: Pod = serde_json::from_value(node_pod(&name, node, image)).map_err(|e| e.to_string())?;
    pods.create(&PostParams::default(), &pod)
        .await
        .map(|_| name)
        .map_err(|e| crate::cluster::errors::explain(&e))
}

/// Waiting reasons after which a container will not start by itself soon.
const STUCK: [&str; 5] = [
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerError",
    "CreateContainerConfigError",
];

/// Waits until `container` of the pod runs, telling `progress` each new state; the pod then, or
/// why it will not run (it ended, its image cannot be pulled, the pod went, the time ran out).
pub async fn wait_running(
    pods: &Api<Pod>,
    name: &str,
    container: &str,
    limit: Duration,
    mut progress: impl FnMut(&str),
) -> Result<Pod, String> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut said = String::new();
    loop {
        let pod = match pods.get_opt(name).await {
            Ok(Some(p)) => p,
            Ok(None) => return Err(format!("pod {name} was deleted while {container} was starting")),
            Err(e) => return Err(crate::cluster::errors::explain(&e)),
        };
        let status = pod.status.as_ref();
        let state = [
            status.and_then(|s| s.container_statuses.as_ref()),
            status.and_then(|s| s.ephemeral_container_statuses.as_ref()),
        ]
        .into_iter()
        .flatten()
        .flatten()
        .find(|s| s.name == container)
        .and_then(|s| s.state.clone());
        let now = match &state {
            Some(st) if st.running.is_some() => return Ok(pod),
            Some(st) if st.terminated.is_some() => {
                let t = st.terminated.as_ref().expect("checked above");
                return Err(format!(
                    "container {container} ended before it could be attached (exit code {}{})",
                    t.exit_code,
                    t.reason.as_deref().map(|r| format!(", {r}")).unwrap_or_default()
                ));
            }
            Some(st) => {
                let w = st.waiting.as_ref();
                let reason = w.and_then(|w| w.reason.clone()).unwrap_or_else(|| "Waiting".into());
                let message = w.and_then(|w| w.message.clone()).unwrap_or_default();
                if STUCK.contains(&reason.as_str()) {
                    return Err(format!("container {container} cannot start: {reason} {message}")
                        .trim()
                        .to_string());
                }
                format!("{container}: {reason}")
            }
            None => {
                let phase = status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
                format!("pod {name}: {phase}, {container} not created yet")
            }
        };
        if now != said {
            progress(&now);
            said = now;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!(
                "container {container} did not start within {}s ({said})",
                limit.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The pod's regular containers and the one its default-container annotation names.
pub async fn containers(pods: &Api<Pod>, name: &str) -> Result<PodContainers, String> {
    let pod = pods
        .get(name)
        .await
        .map_err(|e| format!("pod {name}: {}", crate::cluster::errors::explain(&e)))?;
    Ok(pod_containers(&pod))
}

/// What the picker needs of a pod.
pub fn pod_containers(pod: &Pod) -> PodContainers {
    let names: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
        .collect();
    let default = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|a| names.contains(a))
        .cloned();
    PodContainers { names, default }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patch_is_kubectl_debugs() {
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app"}], "ephemeralContainers": [{"name": "debugger-aaaaa", "image": "busybox"}]}}))
        .unwrap();
        let p = ephemeral_patch(&pod, "debugger-bbbbb", "app", "busybox:1.36");
        let c = &p["spec"]["ephemeralContainers"][0];
        assert_eq!((c["stdin"].clone(), c["tty"].clone()), (json!(true), json!(true)));
        assert_eq!(c["targetContainerName"], "app");
        assert_eq!(
            p["spec"]["$setElementOrder/ephemeralContainers"],
            json!([{"name": "debugger-aaaaa"}, {"name": "debugger-bbbbb"}])
        );
        let name = debugger_name(&pod);
        assert!(name.starts_with("debugger-") && name.len() == 14, "{name}");
    }

    #[test]
    fn a_node_pod_has_the_hosts_namespaces_and_root() {
        let p = node_pod("node-debugger-n1-abcde", "n1", "busybox:1.36");
        assert_eq!(p["spec"]["nodeName"], "n1");
        for f in ["hostPID", "hostNetwork", "hostIPC"] {
            assert_eq!(p["spec"][f], true, "{f}");
        }
        assert_eq!(p["spec"]["volumes"][0]["hostPath"]["path"], "/");
        assert_eq!(p["spec"]["containers"][0]["volumeMounts"][0]["mountPath"], "/host");
        let pod: Pod = serde_json::from_value(p).unwrap();
        assert_eq!(pod_containers(&pod).names, ["debugger"]);
    }
}
