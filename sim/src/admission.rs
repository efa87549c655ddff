//! The mutating admission plugins every real API server runs on a pod's create: ServiceAccount
//! (the account, and its projected token volume mounted in every container), DefaultTolerationSeconds
//! and Priority. They run after managedFields are recorded, so what they add belongs to no manager.

use serde_json::{Value, json};

/// Where the ServiceAccount plugin mounts the token.
pub const TOKEN_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The priority of the two built-in PriorityClasses.
fn priority_of(class: &str) -> i64 {
    match class {
        "system-node-critical" => 2_000_001_000,
        "system-cluster-critical" => 2_000_000_000,
        _ => 0,
    }
}

fn tolerates(tols: &[Value], key: &str) -> bool {
    tols.iter().any(|t| {
        let k = t["key"].as_str().unwrap_or_default();
        let e = t["effect"].as_str().unwrap_or_default();
        (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
    })
}

fn token_volume(name: &str) -> Value {
    json!({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ]}})
}

fn suffix() -> String {
    // The alphabet of the server's name generator.
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| ALPHA[rand::random_range(0..ALPHA.len())] as char)
        .collect()
}

/// Applies the create-time admission of a kind (only pods have any here); true when it changed anything.
pub fn admit(kind: &str, v: &mut Value) -> bool {
    if kind != "Pod" || !v["spec"].is_object() {
        return false;
    }
    let mirror = v["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string();
    let spec = &mut v["spec"];
    let class = spec["priorityClassName"].as_str().unwrap_or_default().to_string();
    if spec.get("priority").is_none_or(Value::is_null) {
        spec["priority"] = json!(priority_of(&class));
    }
    if spec.get("preemptionPolicy").is_none_or(Value::is_null) {
        spec["preemptionPolicy"] = json!("PreemptLowerPriority");
    }
    let tols = spec["tolerations"].as_array().cloned().unwrap_or_default();
    let mut added = tols.clone();
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        if !tolerates(&tols, key) {
            added.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
    spec["tolerations"] = json!(added);
    // Mirror pods of static pods get no service account: the kubelet is their only client.
    if mirror {
        return true;
    }
    let sa = spec["serviceAccountName"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    spec["serviceAccountName"] = json!(sa);
    spec["serviceAccount"] = json!(sa);
    if spec["automountServiceAccountToken"] == false {
        return true;
    }
    let vol = format!("kube-api-access-{}", suffix());
    let mount = json!({"name": vol, "readOnly": true, "mountPath": TOKEN_MOUNT});
    for field in ["initContainers", "containers"] {
        for c in spec[field].as_array_mut().into_iter().flatten() {
            let has = c["volumeMounts"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["mountPath"] == TOKEN_MOUNT));
            if has {
                continue;
            }
            if !c["volumeMounts"].is_array() {
                c["volumeMounts"] = json!([]);
            }
            if let Some(m) = c["volumeMounts"].as_array_mut() {
                m.push(mount.clone());
            }
        }
    }
    if !spec["volumes"].is_array() {
        spec["volumes"] = json!([]);
    }
    if let Some(vs) = spec["volumes"].as_array_mut() {
        vs.push(token_volume(&vol));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_get_the_token_volume_tolerations_and_priority() {
        let mut p = json!({"metadata": {}, "spec": {"containers": [{"name": "a"}], "tolerations": [
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]}});
        admit("Pod", &mut p);
        let s = &p["spec"];
        assert_eq!(s["serviceAccountName"], "default");
        assert_eq!(s["serviceAccount"], "default");
        assert_eq!(s["priority"], 0);
        assert_eq!(
            s["tolerations"].as_array().unwrap().len(),
            2,
            "an own toleration is kept, not doubled"
        );
        let vol = s["volumes"][0]["name"].as_str().unwrap();
        assert!(vol.starts_with("kube-api-access-") && vol.len() == 21, "{vol}");
        assert_eq!(s["containers"][0]["volumeMounts"][0]["name"], vol);

        let mut mirror = json!({"metadata": {"annotations": {"kubernetes.io/config.mirror": "h"}},
            "spec": {"priorityClassName": "system-node-critical", "containers": [{"name": "a"}],
            "tolerations": [{"operator": "Exists", "effect": "NoExecute"}]}});
        admit("Pod", &mut mirror);
        assert_eq!(mirror["spec"]["priority"], 2_000_001_000);
        assert!(mirror["spec"]["volumes"].is_null());
        assert_eq!(mirror["spec"]["tolerations"].as_array().unwrap().len(), 1);
    }
}
