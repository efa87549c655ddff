//! StatefulSet pod identity and storage: pods `<set>-<ordinal>` with stable hostnames, and the
//! claims from `volumeClaimTemplates`, bound to volumes as a dynamic provisioner would bind them.

use serde_json::{Value, json};

use super::super::events::{self, Source};
use super::super::resources::res;
use super::super::store::{Origin, Store};
use super::podutil;
use super::revisions::HASH_LABEL;

/// The label naming a StatefulSet pod (lets a Service select one replica).
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// The label carrying a StatefulSet pod's ordinal.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// The ordinal of a pod of `set`, from its name `<set>-<ordinal>`.
pub fn ordinal_of(set: &str, pod: &str) -> Option<i64> {
    let rest = pod.strip_prefix(set)?.strip_prefix('-')?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) || (rest.len() > 1 && rest.starts_with('0')) {
        return None;
    }
    rest.parse().ok()
}

/// The claim name for one template and ordinal: `<claim>-<set>-<ordinal>`.
pub fn claim_name(template: &Value, set: &str, ordinal: i64) -> String {
    format!(
        "{}-{set}-{ordinal}",
        template["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// A pod of `set` at `ordinal` from `template` (the template of revision `hash`).
pub fn new_pod(set: &Value, template: &Value, hash: &str, ordinal: i64) -> Value {
    let set_name = set["metadata"]["name"].as_str().unwrap_or_default();
    let name = format!("{set_name}-{ordinal}");
    let mut p = podutil::pod_from_template(template, set, Some(&name));
    let labels = &mut p["metadata"]["labels"];
    labels[HASH_LABEL] = json!(hash);
    labels[POD_NAME_LABEL] = json!(name);
    labels[POD_INDEX_LABEL] = json!(ordinal.to_string());
    p["spec"]["hostname"] = json!(name);
    if let Some(svc) = set["spec"]["serviceName"].as_str().filter(|s| !s.is_empty()) {
        p["spec"]["subdomain"] = json!(svc);
    }
    let mut volumes: Vec<Value> = p["spec"]["volumes"].as_array().cloned().unwrap_or_default();
    for ct in set["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
        let vol_name = ct["metadata"]["name"].clone();
        volumes.retain(|v| v["name"] != vol_name);
        volumes
            .push(json!({"name": vol_name, "persistentVolumeClaim": {"claimName": claim_name(ct, set_name, ordinal)}}));
    }
    if !volumes.is_empty() {
        p["spec"]["volumes"] = json!(volumes);
    }
    p
}

/// Creates the claims of pod `ordinal` that do not exist yet, each Bound to a new volume;
/// existing claims are kept as they are (their data outlives pods).
pub fn ensure_claims(store: &Store, set: &Value, ordinal: i64, component: &str) {
    let set_name = set["metadata"]["name"].as_str().unwrap_or_default();
    let ns = set["metadata"]["namespace"].as_str().unwrap_or_default();
    for ct in set["spec"]["volumeClaimTemplates"].as_array().into_iter().flatten() {
        let name = claim_name(ct, set_name, ordinal);
        if store.get(res("PersistentVolumeClaim"), ns, &name).is_some() {
            continue;
        }
        if provision(store, set, ct, ns, &name).is_some() {
            let msg = format!("create Claim {name} Pod {set_name}-{ordinal} in StatefulSet {set_name} success");
            let src = Source { component, host: None };
            events::record(store, set, None, "Normal", "SuccessfulCreate", &msg, src);
        }
    }
}

/// Creates a claim and the volume a dynamic provisioner (kind's local-path) would make for it.
fn provision(store: &Store, set: &Value, template: &Value, ns: &str, name: &str) -> Option<()> {
    let mut spec = template["spec"].clone();
    if spec["storageClassName"].as_str().is_none_or(str::is_empty) {
        spec["storageClassName"] = json!("standard");
    }
    if spec["volumeMode"].is_null() {
        spec["volumeMode"] = json!("Filesystem");
    }
    let class = spec["storageClassName"].clone();
    let access = spec["accessModes"].clone();
    let capacity = json!({"storage": spec["resources"]["requests"]["storage"].as_str().unwrap_or("1Gi")});
    let mut labels = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
    for (k, v) in set["spec"]["selector"]["matchLabels"].as_object().into_iter().flatten() {
        labels.insert(k.clone(), v.clone());
    }
    let claim = json!({
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": labels,
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
                "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
                "volume.kubernetes.io/selected-node": "",
            },
            "finalizers": ["kubernetes.io/pvc-protection"],
        },
        "spec": spec,
        "status": {"phase": "Bound", "accessModes": access, "capacity": capacity},
    });
    let created = store
        .create(res("PersistentVolumeClaim"), claim, Origin::Internal)
        .ok()?;
    // The volume is named after the claim's uid, known only once the claim exists.
    let claim_uid = created.uid.clone();
    let pv = json!({
        "metadata": {
            "name": format!("pvc-{claim_uid}"),
            "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
            "finalizers": ["kubernetes.io/pv-protection"],
        },
        "spec": {
            "capacity": capacity,
            "accessModes": access,
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": class,
            "volumeMode": "Filesystem",
            "hostPath": {"path": format!("/var/local-path-provisioner/pvc-{claim_uid}_{ns}_{name}"), "type": "DirectoryOrCreate"},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "namespace": ns,
                "name": name,
                "uid": claim_uid,
                "resourceVersion": created.rv.to_string(),
            },
        },
        "status": {"phase": "Bound"},
    });
    let _ = store.update_with(res("PersistentVolumeClaim"), ns, name, |v| {
        v["spec"]["volumeName"] = json!(format!("pvc-{claim_uid}"));
        Ok(())
    });
    store.create(res("PersistentVolume"), pv, Origin::Internal).ok()?;
    Some(())
}

/// Whether a pod is Running with a Ready condition (the controller's isRunningAndReady).
pub fn running_and_ready(pod: &Value) -> bool {
    pod["status"]["phase"] == "Running" && podutil::ready_since(pod).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_parse_only_canonical_suffixes() {
        assert_eq!(ordinal_of("db", "db-0"), Some(0));
        assert_eq!(ordinal_of("db", "db-12"), Some(12));
        assert_eq!(ordinal_of("db", "db-01"), None);
        assert_eq!(ordinal_of("db", "dbx-1"), None);
        assert_eq!(ordinal_of("db", "db-"), None);
        assert_eq!(ordinal_of("db", "db-web-1"), None);
    }
}
