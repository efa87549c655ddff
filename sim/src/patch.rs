//! PATCH bodies: JSON merge patch, JSON patch, and strategic merge patch for the fields kubectl
//! and kubedeck patch (containers, env, ports, volumes, conditions … merge by key; directives).

use serde_json::{Map, Value};

use super::status::ApiError;

/// The patch formats the server takes, by Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// application/json-patch+json (RFC 6902).
    Json,
    /// application/merge-patch+json (RFC 7386).
    Merge,
    /// application/strategic-merge-patch+json.
    Strategic,
    /// application/apply-patch+yaml (server-side apply).
    Apply,
}

impl PatchType {
    /// The patch type a Content-Type names.
    pub fn from_content_type(ct: &str) -> Result<Self, ApiError> {
        let base = ct.split(';').next().unwrap_or("").trim();
        match base {
            "application/json-patch+json" => Ok(PatchType::Json),
            "application/merge-patch+json" => Ok(PatchType::Merge),
            "application/strategic-merge-patch+json" => Ok(PatchType::Strategic),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Ok(PatchType::Apply),
            other => Err(ApiError::unsupported_media(other)),
        }
    }
}

/// Applies a patch body to an object, returning the patched object.
pub fn apply(kind: PatchType, current: &Value, body: &[u8]) -> Result<Value, ApiError> {
    let mut out = current.clone();
    match kind {
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            json_patch::patch(&mut out, &p).map_err(|e| {
                let mut err = ApiError::bad_request(format!(
                    "the server rejected our request due to an error in our request: {e}"
                ));
                err.code = 422;
                err.reason = "Invalid";
                err
            })?;
        }
        PatchType::Merge => {
            let p: Value = parse_json(body)?;
            json_patch::merge(&mut out, &p);
        }
        PatchType::Strategic => {
            let p: Value = parse_json(body)?;
            strategic_merge(&mut out, &p);
        }
        PatchType::Apply => {
            let p: Value =
                serde_yaml::from_slice(body).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
            strategic_merge(&mut out, &p);
        }
    }
    Ok(out)
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    if !v.is_object() {
        return Err(ApiError::bad_request("patch body must be a JSON object"));
    }
    Ok(v)
}

/// The merge key of a list field, as the Kubernetes types declare it (`patchMergeKey`).
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "readinessGates" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "conditions" => "type",
        "hostAliases" => "ip",
        "ownerReferences" => "uid",
        "topologySpreadConstraints" => "topologyKey",
        // Container ports merge on containerPort, service ports on port.
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        _ => return None,
    })
}

/// Lists of scalars whose patch strategy is merge (union), not replace.
fn is_merged_primitive_list(field: &str) -> bool {
    field == "finalizers"
}

/// Strategic merge patch of `patch` into `target`.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    let Some(p) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut m = p.clone();
        m.remove("$patch");
        *target = Value::Object(m);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("made an object above");
    if let Some(keep) = p.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        t.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (k, pv) in p {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" || k == "$patch" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(del)) = (t.get_mut(field).and_then(Value::as_array_mut), pv.as_array()) {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        if pv.is_null() {
            t.remove(k);
            continue;
        }
        if pv.as_object().and_then(|o| o.get("$patch")).and_then(Value::as_str) == Some("delete") {
            t.remove(k);
            continue;
        }
        match pv {
            Value::Object(_) => strategic_merge(t.entry(k.clone()).or_insert(Value::Null), pv),
            Value::Array(items) => {
                let merged = match (merge_key(k, items), t.get(k).and_then(Value::as_array)) {
                    (Some(key), Some(cur)) => merge_list(cur, items, key),
                    (None, Some(cur)) if is_merged_primitive_list(k) => {
                        let mut out = cur.clone();
                        out.extend(items.iter().filter(|i| !cur.contains(i)).cloned());
                        out
                    }
                    (Some(_), None) => items
                        .iter()
                        .filter(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"))
                        .map(strip_directives)
                        .collect(),
                    _ => items.clone(),
                };
                t.insert(k.clone(), Value::Array(merged));
            }
            _ => {
                t.insert(k.clone(), pv.clone());
            }
        }
    }
}

fn strip_directives(v: &Value) -> Value {
    let mut out = Value::Null;
    strategic_merge(&mut out, v);
    out
}

fn merge_list(cur: &[Value], patch: &[Value], key: &str) -> Vec<Value> {
    if patch
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return patch.iter().filter(|i| i.get("$patch").is_none()).cloned().collect();
    }
    let mut out: Vec<Value> = cur.to_vec();
    for item in patch {
        let Some(id) = item.get(key) else {
            out.push(item.clone());
            continue;
        };
        let pos = out.iter().position(|x| x.get(key) == Some(id));
        if item.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                out.remove(i);
            }
            continue;
        }
        match pos {
            Some(i) => strategic_merge(&mut out[i], item),
            None => out.push(strip_directives(item)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy() -> Value {
        json!({"spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
            {"name": "web", "image": "nginx:1.26", "env": [{"name": "A", "value": "1"}], "ports": [{"containerPort": 80}]},
            {"name": "sidecar", "image": "envoy:1.30"}
        ]}}}})
    }

    #[test]
    fn set_image_patch_merges_containers_by_name() {
        let mut d = deploy();
        strategic_merge(
            &mut d,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}),
        );
        let cs = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(cs.as_array().unwrap().len(), 2);
        assert_eq!(cs[0]["image"], "nginx:1.27");
        assert_eq!(cs[0]["env"][0]["name"], "A", "untouched fields stay");
        assert_eq!(cs[1]["image"], "envoy:1.30");
    }

    #[test]
    fn directives_replace_and_delete() {
        let mut d = deploy();
        strategic_merge(
            &mut d,
            &json!({"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "old"}}}}}),
        );
        assert_eq!(d["spec"]["template"], json!({"metadata": {"labels": {"app": "old"}}}));
        let mut d = deploy();
        strategic_merge(
            &mut d,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}),
        );
        assert_eq!(d["spec"]["template"]["spec"]["containers"].as_array().unwrap().len(), 1);
        let mut d = deploy();
        strategic_merge(&mut d, &json!({"spec": {"replicas": null}}));
        assert!(d["spec"].get("replicas").is_none());
    }

    #[test]
    fn merge_and_json_patch_types() {
        let cur = deploy();
        let merged = apply(PatchType::Merge, &cur, br#"{"spec":{"replicas":5}}"#).unwrap();
        assert_eq!(merged["spec"]["replicas"], 5);
        let jp = apply(
            PatchType::Json,
            &cur,
            br#"[{"op":"replace","path":"/spec/replicas","value":1}]"#,
        )
        .unwrap();
        assert_eq!(jp["spec"]["replicas"], 1);
        let bad = apply(
            PatchType::Json,
            &cur,
            br#"[{"op":"test","path":"/spec/replicas","value":9}]"#,
        )
        .unwrap_err();
        assert_eq!(bad.code, 422);
        assert_eq!(PatchType::from_content_type("text/plain").unwrap_err().code, 415);
    }
}
