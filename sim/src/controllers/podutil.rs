//! What the workload controllers share about pods: building them from templates, judging their
//! readiness, deleting them, and the name hashes the real controllers use.

use std::sync::Arc;

use serde_json::{Value, json};

use super::super::events::{self, Source};
use super::super::store::{Obj, Origin, Store, pods};

/// The alphabet of apimachinery's `rand.SafeEncodeString`: no vowels, no look-alike digits.
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a (32-bit) of the template's canonical JSON plus the collision count, rendered as the
/// controller manager renders hashes (decimal digits mapped through the safe alphabet), so names
/// look like `web-7d4b9c8f6`.
pub fn template_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    // serde_json's map is ordered by key, so equal templates give equal bytes.
    eat(&serde_json::to_vec(template).expect("JSON values serialize"));
    if let Some(c) = collision_count {
        eat(&(c as u32).to_le_bytes());
    }
    h.to_string()
        .bytes()
        .map(|d| SAFE[d as usize % SAFE.len()] as char)
        .collect()
}

/// An ownerReference naming `owner` as the controller, as every workload controller writes it.
pub fn controller_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Name of the controlling owner if it is of `kind`, from the store's index (this runs for every
/// pod change).
pub fn controller_of(obj: &Obj, kind: &str) -> Option<String> {
    let (k, name) = obj.controller_ref.as_ref()?;
    (k == kind).then(|| name.clone())
}

/// QoS class as the API server computes it from requests and limits.
fn qos_class(spec: &Value) -> &'static str {
    let cs: Vec<&Value> = spec["containers"].as_array().into_iter().flatten().collect();
    let has_any = cs.iter().any(|c| {
        c["resources"]["requests"].as_object().is_some_and(|m| !m.is_empty())
            || c["resources"]["limits"].as_object().is_some_and(|m| !m.is_empty())
    });
    if !has_any {
        return "BestEffort";
    }
    let guaranteed = cs.iter().all(|c| {
        let r = &c["resources"];
        ["cpu", "memory"].iter().all(|k| {
            let lim = &r["limits"][*k];
            !lim.is_null() && (r["requests"][*k].is_null() || r["requests"][*k] == *lim)
        })
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

/// A new pod from `template` owned by `owner`: named `name`, or `generateName` `<owner>-` when `None`.
pub fn pod_from_template(template: &Value, owner: &Value, name: Option<&str>) -> Value {
    let md = &template["metadata"];
    let spec = template["spec"].clone();
    let mut meta = json!({
        "namespace": owner["metadata"]["namespace"],
        "labels": md["labels"].as_object().cloned().unwrap_or_default(),
        "ownerReferences": [controller_ref(owner)],
    });
    match name {
        Some(n) => meta["name"] = json!(n),
        None => meta["generateName"] = json!(format!("{}-", owner["metadata"]["name"].as_str().unwrap_or_default())),
    }
    if let Some(a) = md["annotations"].as_object().filter(|a| !a.is_empty()) {
        meta["annotations"] = json!(a);
    }
    let qos = qos_class(&spec);
    json!({
        "metadata": meta,
        "spec": spec,
        "status": { "phase": "Pending", "qosClass": qos },
    })
}

/// Creates a pod and records the owner's creation event; `None` when the store refused it.
pub fn create_pod(store: &Store, pod: Value, owner: &Value, component: &str) -> Option<Arc<Obj>> {
    let created = store.create(pods(), pod, Origin::Internal).ok()?;
    let msg = if owner["kind"] == "StatefulSet" {
        format!(
            "create Pod {} in StatefulSet {} successful",
            created.name,
            owner["metadata"]["name"].as_str().unwrap_or_default()
        )
    } else {
        format!("Created pod: {}", created.name)
    };
    events::record(store, owner, None, "Normal", "SuccessfulCreate", &msg, src(component));
    Some(created)
}

/// Deletes a pod as the API server does: a pod that never reached a node, a finished pod, or a
/// zero grace period goes at once; a pod on a node gets its deletionTimestamp and the kubelet
/// finishes it after the grace period (`None`: the pod's own terminationGracePeriodSeconds).
/// Returns the pod's new state and whether it is gone.
pub fn delete_pod_graceful(
    store: &Store,
    ns: &str,
    name: &str,
    grace: Option<i64>,
) -> Result<(Arc<Obj>, bool), crate::status::ApiError> {
    let cur = store
        .get(pods(), ns, name)
        .ok_or_else(|| crate::status::ApiError::not_found(pods().def(), name))?;
    let field = |f: &str| {
        cur.fields
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let finished = matches!(field("status.phase"), "Succeeded" | "Failed");
    let v = cur.value();
    let grace = grace.unwrap_or_else(|| v["spec"]["terminationGracePeriodSeconds"].as_i64().unwrap_or(30));
    if field("spec.nodeName").is_empty() || finished || grace <= 0 {
        return Ok((store.remove(pods(), ns, name)?, true));
    }
    let o = store.update_with(pods(), ns, name, |v| {
        if v["metadata"].get("deletionTimestamp").is_none_or(Value::is_null) {
            let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(grace);
            v["metadata"]["deletionTimestamp"] = json!(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            v["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        }
        Ok(())
    })?;
    Ok((o, false))
}

/// Deletes a pod as a DELETE without options does. False when the pod was already gone.
pub fn delete_pod_now(store: &Store, pod: &Obj) -> bool {
    delete_pod_graceful(store, &pod.ns, &pod.name, None).is_ok()
}

/// [`delete_pod_now`], recording the owner's deletion event.
pub fn delete_pod(store: &Store, pod: &Obj, owner: &Value, component: &str) {
    let done = delete_pod_now(store, pod);
    if !done {
        return;
    }
    let msg = if owner["kind"] == "StatefulSet" {
        format!(
            "delete Pod {} in StatefulSet {} successful",
            pod.name,
            owner["metadata"]["name"].as_str().unwrap_or_default()
        )
    } else {
        format!("Deleted pod: {}", pod.name)
    };
    events::record(store, owner, None, "Normal", "SuccessfulDelete", &msg, src(component));
}

fn src(component: &str) -> Source<'_> {
    Source { component, host: None }
}

/// The pod's Ready condition alone (as `{"status": {"conditions": …}}`), from the store's index:
/// controllers that count ready pods run this for every pod they own.
pub fn conditions_only(obj: &Obj) -> Value {
    let conds: Vec<Value> = obj
        .ready_since
        .iter()
        .map(|t| json!({"type": "Ready", "status": "True", "lastTransitionTime": t}))
        .collect();
    json!({"status": {"conditions": conds}})
}

/// When the pod's Ready condition last became True, if it is Ready now.
pub fn ready_since(pod: &Value) -> Option<jiff::Timestamp> {
    let conds = pod["status"]["conditions"].as_array()?;
    let c = conds.iter().find(|c| c["type"] == "Ready" && c["status"] == "True")?;
    c["lastTransitionTime"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .or(Some(jiff::Timestamp::UNIX_EPOCH))
}

/// Whether the pod counts as available: Ready for at least `min_ready` seconds. When it will
/// become so, the second value says how long to wait.
pub fn availability(pod: &Value, min_ready: i64) -> (bool, Option<std::time::Duration>) {
    let Some(since) = ready_since(pod) else {
        return (false, None);
    };
    if min_ready <= 0 {
        return (true, None);
    }
    let at = since + jiff::SignedDuration::from_secs(min_ready);
    let now = jiff::Timestamp::now();
    if at <= now {
        (true, None)
    } else {
        let wait = at.duration_since(now).unsigned_abs();
        (false, Some(wait))
    }
}

/// Whether the pod is being deleted or has finished (controllers do not count either).
pub fn is_active(pod: &Obj) -> bool {
    !pod.deleting
        && !pod
            .fields
            .iter()
            .any(|(f, v)| *f == "status.phase" && (v == "Succeeded" || v == "Failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_uses_the_safe_alphabet() {
        let t = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx:1"}]}});
        let same = json!({"spec": {"containers": [{"image": "nginx:1", "name": "a"}]}, "metadata": {"labels": {"app": "web"}}});
        let h = template_hash(&t, None);
        assert_eq!(h, template_hash(&same, None));
        assert_ne!(h, template_hash(&t, Some(1)));
        assert!(h.len() >= 6 && h.len() <= 10, "{h}");
        assert!(h.bytes().all(|b| SAFE.contains(&b)), "{h}");
    }

    #[test]
    fn pods_get_owner_and_qos() {
        let owner = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web-abc", "namespace": "shop", "uid": "u1"}});
        let t = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "x",
            "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}});
        let p = pod_from_template(&t, &owner, None);
        assert_eq!(p["metadata"]["generateName"], "web-abc-");
        assert_eq!(p["metadata"]["ownerReferences"][0]["uid"], "u1");
        assert_eq!(p["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(p["status"]["qosClass"], "Guaranteed");
    }

    #[test]
    fn min_ready_seconds_delays_availability() {
        let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let p = json!({"status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": now}]}});
        assert_eq!(availability(&p, 0), (true, None));
        let (ok, wait) = availability(&p, 30);
        assert!(!ok);
        assert!(wait.is_some_and(|w| w.as_secs() <= 30 && w.as_secs() >= 28));
        let unready = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        assert_eq!(availability(&unready, 0), (false, None));
    }
}
