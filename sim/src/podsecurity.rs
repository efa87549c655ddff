//! Pod Security admission on a pod's create, as the built-in plugin enforces the namespace's
//! `pod-security.kubernetes.io/enforce` level (`baseline` or `restricted`; `privileged` and no
//! label admit everything): the checks a debugging pod trips, refused with the real 403's words.

use serde_json::Value;

use super::resources::res;
use super::status::ApiError;
use super::store::{Store, pods};

/// `name "a"` or `names "a", "b"`, as the plugin lists what breaks a check.
fn named(what: &str, names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let s = if names.len() == 1 { "" } else { "s" };
    format!("{what}{s} {}", quoted.join(", "))
}

fn containers(pod: &Value) -> Vec<&Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|f| pod["spec"][f].as_array().into_iter().flatten())
        .collect()
}

fn names_where(pod: &Value, mut pred: impl FnMut(&Value) -> bool) -> Vec<String> {
    containers(pod)
        .into_iter()
        .filter(|c| pred(c))
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect()
}

/// Why a pod breaks the baseline level, in the plugin's words and order.
fn baseline(pod: &Value) -> Vec<String> {
    let spec = &pod["spec"];
    let mut out = Vec::new();
    let hosts: Vec<String> = ["hostNetwork", "hostPID", "hostIPC"]
        .iter()
        .filter(|f| spec[**f] == true)
        .map(|f| format!("{f}=true"))
        .collect();
    if !hosts.is_empty() {
        out.push(format!("host namespaces ({})", hosts.join(", ")));
    }
    let privileged = names_where(pod, |c| c["securityContext"]["privileged"] == true);
    if !privileged.is_empty() {
        out.push(format!(
            "privileged ({} must not set securityContext.privileged=true)",
            named("container", &privileged)
        ));
    }
    let host_paths: Vec<String> = spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["hostPath"].is_object())
        .filter_map(|v| v["name"].as_str().map(String::from))
        .collect();
    if !host_paths.is_empty() {
        out.push(format!("hostPath volumes ({})", named("volume", &host_paths)));
    }
    out
}

/// Why a pod breaks the restricted level beyond baseline.
fn restricted(pod: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let escalating = names_where(pod, |c| c["securityContext"]["allowPrivilegeEscalation"] != false);
    if !escalating.is_empty() {
        out.push(format!(
            "allowPrivilegeEscalation != false ({} must set securityContext.allowPrivilegeEscalation=false)",
            named("container", &escalating)
        ));
    }
    let caps = names_where(pod, |c| {
        !c["securityContext"]["capabilities"]["drop"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x == "ALL"))
    });
    if !caps.is_empty() {
        out.push(format!(
            "unrestricted capabilities ({} must set securityContext.capabilities.drop=[\"ALL\"])",
            named("container", &caps)
        ));
    }
    for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        if v["hostPath"].is_object() {
            out.push(format!(
                "restricted volume types (volume \"{}\" uses restricted volume type \"hostPath\")",
                v["name"].as_str().unwrap_or_default()
            ));
        }
    }
    let pod_sc = &pod["spec"]["securityContext"];
    let non_root = names_where(pod, |c| {
        c["securityContext"]["runAsNonRoot"] != true
            && !(pod_sc["runAsNonRoot"] == true && c["securityContext"]["runAsNonRoot"].is_null())
    });
    if !non_root.is_empty() {
        out.push(format!(
            "runAsNonRoot != true (pod or {} must set securityContext.runAsNonRoot=true)",
            named("container", &non_root)
        ));
    }
    let seccomp = names_where(pod, |c| {
        c["securityContext"]["seccompProfile"]["type"].is_null() && pod_sc["seccompProfile"]["type"].is_null()
    });
    if !seccomp.is_empty() {
        out.push(format!(
            "seccompProfile (pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
            named("container", &seccomp)
        ));
    }
    out
}

/// Admits or refuses a pod created in namespace `ns` by the namespace's enforced level.
pub fn admit(store: &Store, ns: &str, pod: &Value) -> Result<(), ApiError> {
    let Some(n) = store.get_value(res("Namespace"), "", ns) else {
        return Ok(());
    };
    let labels = &n["metadata"]["labels"];
    let level = labels["pod-security.kubernetes.io/enforce"]
        .as_str()
        .unwrap_or("privileged");
    let version = labels["pod-security.kubernetes.io/enforce-version"]
        .as_str()
        .unwrap_or("latest");
    let reasons = match level {
        "baseline" => baseline(pod),
        "restricted" => [baseline(pod), restricted(pod)].concat(),
        _ => return Ok(()),
    };
    if reasons.is_empty() {
        return Ok(());
    }
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let mut e = ApiError::forbidden("", "create", pods().def(), Some(ns), Some(name), None);
    e.message = format!(
        "pods \"{name}\" is forbidden: violates PodSecurity \"{level}:{version}\": {}",
        reasons.join(", ")
    );
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node_debugger() -> Value {
        json!({"metadata": {"name": "node-debugger-worker-1-abcde"}, "spec": {
            "hostNetwork": true, "hostPID": true, "hostIPC": true,
            "containers": [{"name": "debugger", "image": "busybox:1.36", "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}],
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}]}})
    }

    #[test]
    fn a_node_debugger_breaks_baseline_as_the_plugin_says() {
        assert_eq!(
            baseline(&node_debugger()).join(", "),
            "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), hostPath volumes (volume \"host-root\")"
        );
        let r = restricted(&node_debugger());
        assert!(
            r[0].starts_with("allowPrivilegeEscalation != false (container \"debugger\""),
            "{r:?}"
        );
        assert!(
            r.iter()
                .any(|x| x.starts_with("seccompProfile (pod or container \"debugger\""))
        );
        let plain = json!({"spec": {"containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}}]}});
        assert!(baseline(&plain).is_empty() && restricted(&plain).is_empty());
    }
}
