//! The `pods/NAME/ephemeralcontainers` subresource (the Pod kind since 1.22): GET gives the pod,
//! PATCH (strategic merge, as `kubectl debug` sends it, or any other patch type) and PUT change
//! `spec.ephemeralContainers` only. Validation as the real server's: existing ephemeral containers
//! may be neither removed nor changed, fields an ephemeral container cannot have are forbidden,
//! static (mirror) pods refuse them. The simulated kubelet then starts each new one.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::controllers::kubelet_status::{container_id, image_id, normalize_image};
use super::events::{Source, record};
use super::managed::{Writer, request_manager};
use super::patch::{self, PatchType};
use super::request::{SimState, Target, json_response, obj_response, parse_body};
use super::status::{ApiError, Cause};
use super::store::{now_str, pods};

/// How long the simulated kubelet takes to create, then start, an ephemeral container.
const CREATING: Duration = Duration::from_millis(300);
const STARTING: Duration = Duration::from_millis(700);

/// Fields an ephemeral container may not set (`validateEphemeralContainers`).
const FORBIDDEN: [&str; 6] = [
    "ports",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "resources",
    "lifecycle",
];

/// Serves GET, PATCH and PUT of `pods/NAME/ephemeralcontainers`.
pub fn serve(
    st: &Arc<SimState>,
    method: &Method,
    headers: &HeaderMap,
    t: &Target,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (ns, name) = (t.ns.clone().unwrap_or_default(), t.name.clone().unwrap_or_default());
    let pod = st
        .store
        .get_value(pods(), &ns, &name)
        .ok_or_else(|| ApiError::not_found(pods().def(), &name))?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    let proposed = match method.as_str() {
        "GET" => return Ok(json_response(200, &pod)),
        "PATCH" => patch::apply(PatchType::from_content_type(ct)?, &pod, &body)?,
        "PUT" => parse_body(&body)?,
        _ => return Err(ApiError::method_not_allowed()),
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|a| a.to_str().ok())
        .unwrap_or("");
    let by = Writer {
        manager: request_manager(None, ua),
        operation: "Update",
        subresource: Some("ephemeralcontainers"),
    };
    let wanted = proposed["spec"]["ephemeralContainers"].clone();
    let mut added = Vec::new();
    let o = st.store.update_by(pods(), &ns, &name, Some(by), |cur| {
        added = check(cur, &wanted)?;
        // Only this list changes through the subresource, whatever else the body says.
        cur["spec"]["ephemeralContainers"] = wanted.clone();
        Ok(())
    })?;
    if !added.is_empty() && pod["status"]["phase"] == "Running" {
        tokio::spawn(start(st.clone(), ns, name, o.uid.clone(), added));
    }
    Ok(obj_response(200, &o))
}

fn forbidden(field: String, why: &str) -> Cause {
    Cause {
        field,
        reason: "FieldValueForbidden",
        message: format!("Forbidden: {why}"),
    }
}

/// The new ephemeral containers of `wanted` over the pod `cur`, or the 422 the server answers.
fn check(cur: &Value, wanted: &Value) -> Result<Vec<Value>, ApiError> {
    let name = cur["metadata"]["name"].as_str().unwrap_or_default();
    let invalid = |causes| ApiError::invalid(pods().def(), name, causes);
    if cur["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
        return Err(invalid(vec![forbidden(
            "[]".into(),
            "static pods do not support ephemeral containers",
        )]));
    }
    let empty = Vec::new();
    let old = cur["spec"]["ephemeralContainers"].as_array().unwrap_or(&empty);
    let new = wanted.as_array().unwrap_or(&empty);
    let mut causes = Vec::new();
    for (i, o) in old.iter().enumerate() {
        let n = o["name"].as_str().unwrap_or_default();
        match new.iter().find(|c| c["name"] == n) {
            None => causes.push(forbidden(
                "spec.ephemeralContainers".into(),
                &format!("existing ephemeral containers \"{n}\" may not be removed\n"),
            )),
            Some(c) if c != o => causes.push(forbidden(
                format!("spec.ephemeralContainers[{i}]"),
                &format!("existing ephemeral containers \"{n}\" may not be changed\n"),
            )),
            Some(_) => {}
        }
    }
    let taken: Vec<&str> = ["containers", "initContainers"]
        .iter()
        .flat_map(|f| cur["spec"][f].as_array().into_iter().flatten())
        .filter_map(|c| c["name"].as_str())
        .collect();
    let mut added = Vec::new();
    for (i, c) in new.iter().enumerate() {
        let n = c["name"].as_str().unwrap_or_default();
        if old.iter().any(|o| o["name"] == n) {
            continue;
        }
        let at = |f: &str| format!("spec.ephemeralContainers[{i}].{f}");
        if n.is_empty() {
            causes.push(Cause::required(&at("name")));
        } else if taken.contains(&n) {
            causes.push(Cause {
                field: at("name"),
                reason: "FieldValueDuplicate",
                message: format!("Duplicate value: \"{n}\""),
            });
        }
        if c["image"].as_str().unwrap_or_default().is_empty() {
            causes.push(Cause::required(&at("image")));
        }
        for f in FORBIDDEN {
            // An empty value is an unset one (Go's zero struct, which kubectl's patch carries).
            if c.get(f)
                .is_some_and(|v| !v.is_null() && v != &json!({}) && v != &json!([]))
            {
                causes.push(forbidden(at(f), "cannot be set for an Ephemeral Container"));
            }
        }
        added.push(c.clone());
    }
    if causes.is_empty() {
        Ok(added)
    } else {
        Err(invalid(causes))
    }
}

/// The kubelet's part: the container is created, its image pulled, then it runs.
async fn start(st: Arc<SimState>, ns: String, name: String, uid: String, added: Vec<Value>) {
    for (wait, running) in [(CREATING, false), (STARTING, true)] {
        tokio::select! {
            _ = st.shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let now = now_str();
        let written = st.store.update_with(pods(), &ns, &name, |p| {
            if p["metadata"]["uid"] != uid.as_str() || p["metadata"].get("deletionTimestamp").is_some() {
                return Err(ApiError::not_found(pods().def(), &name));
            }
            let mut statuses = p["status"]["ephemeralContainerStatuses"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for c in &added {
                statuses.retain(|s| s["name"] != c["name"]);
                statuses.push(status(c, running, &now));
            }
            p["status"]["ephemeralContainerStatuses"] = Value::Array(statuses);
            Ok(())
        });
        let Ok(o) = written else { return };
        if running {
            let pod = o.value();
            let node = pod["spec"]["nodeName"].as_str().unwrap_or_default().to_string();
            for c in &added {
                let cname = c["name"].as_str().unwrap_or_default();
                let image = c["image"].as_str().unwrap_or_default();
                let path = format!("spec.ephemeralContainers{{{cname}}}");
                let src = || Source {
                    component: "kubelet",
                    host: Some(&node),
                };
                for (reason, msg) in [
                    (
                        "Pulled",
                        format!("Container image \"{image}\" already present on machine"),
                    ),
                    ("Created", format!("Created container: {cname}")),
                    ("Started", format!("Started container {cname}")),
                ] {
                    record(&st.store, &pod, Some(&path), "Normal", reason, &msg, src());
                }
            }
        }
    }
}

/// An ephemeral container's status: waiting while it is created, then running.
fn status(c: &Value, running: bool, now: &str) -> Value {
    let image = c["image"].as_str().unwrap_or_default();
    let mut s = json!({"name": c["name"], "image": normalize_image(image), "imageID": "", "ready": false,
        "restartCount": 0, "lastState": {}, "state": {"waiting": {"reason": "ContainerCreating"}}});
    if running {
        s["imageID"] = json!(image_id(image));
        s["containerID"] = json!(container_id());
        s["started"] = json!(true);
        s["state"] = json!({"running": {"startedAt": now}});
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(eph: Value) -> Value {
        json!({"metadata": {"name": "web-1"}, "spec": {"containers": [{"name": "app"}], "ephemeralContainers": eph}})
    }

    #[test]
    fn existing_ephemeral_containers_stay_as_they_are() {
        let cur = pod(json!([{"name": "debugger-a", "image": "busybox:1.36"}]));
        let removed = check(&cur, &json!([])).unwrap_err();
        assert_eq!(removed.code, 422);
        assert!(
            removed.message.contains(
                "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger-a\" may not be removed"
            ),
            "{}",
            removed.message
        );
        let changed = check(&cur, &json!([{"name": "debugger-a", "image": "alpine"}])).unwrap_err();
        assert!(changed.message.contains("may not be changed"), "{}", changed.message);
        let added = check(
            &cur,
            &json!([{"name": "debugger-a", "image": "busybox:1.36"}, {"name": "debugger-b", "image": "busybox:1.36"}]),
        )
        .unwrap();
        assert_eq!(added.len(), 1);
        let dup = check(
            &cur,
            &json!([{"name": "debugger-a", "image": "busybox:1.36"}, {"name": "app", "image": "x", "ports": [{"containerPort": 80}], "resources": {}}]),
        )
        .unwrap_err();
        assert!(dup.message.contains("Duplicate value: \"app\""), "{}", dup.message);
        assert!(dup.message.contains("ports: Forbidden"), "{}", dup.message);
        // An empty `resources` (Go's zero value in kubectl's patch) is no resources.
        assert!(!dup.message.contains("resources"), "{}", dup.message);
    }

    #[test]
    fn static_pods_refuse_ephemeral_containers_in_the_servers_words() {
        let mut cur = pod(json!(null));
        cur["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "abc"});
        let e = check(&cur, &json!([{"name": "d", "image": "busybox"}])).unwrap_err();
        assert_eq!(
            e.message,
            "Pod \"web-1\" is invalid: []: Forbidden: static pods do not support ephemeral containers"
        );
    }
}
