//! `metadata.managedFields` as the API server records them: one entry per field manager and
//! operation, holding the FieldsV1 set of what that manager wrote. Built when an object is written
//! (never per request): a create records what its creator sent, an update merges the fields it
//! changed into its manager's entry and stamps the entry's time.

use serde_json::{Map, Value, json};

/// Who writes, as an entry of managedFields names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// Field manager, e.g. `kube-controller-manager`, `kubelet`, `kubectl-edit`.
    pub manager: String,
    /// `Update` or `Apply`.
    pub operation: &'static str,
    /// `status` for writes to the status subresource.
    pub subresource: Option<&'static str>,
}

impl Writer {
    /// An `Update` by `manager` to the main resource.
    pub fn update(manager: &str) -> Self {
        Writer {
            manager: manager.to_string(),
            operation: "Update",
            subresource: None,
        }
    }

    /// An `Update` by `manager` to the status subresource.
    pub fn status(manager: &str) -> Self {
        Writer {
            subresource: Some("status"),
            ..Writer::update(manager)
        }
    }
}

/// Metadata the server owns: never in a manager's field set.
const SERVER_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

/// The key fields of an associative list, by the list's field name (from the API's
/// `patchMergeKey`/`listMapKeys`); `None` for atomic lists and scalars.
fn list_keys(field: &str, first: &Value) -> Option<&'static [&'static str]> {
    Some(match field {
        "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets" => &["name"],
        "ports" if first.get("containerPort").is_some() => &["containerPort", "protocol"],
        "ports" => &["port", "protocol"],
        "volumeMounts" => &["mountPath"],
        "conditions" | "addresses" => &["type"],
        "podIPs" => &["ip"],
        "ownerReferences" => &["uid"],
        _ => return None,
    })
}

/// Lists of scalars merged as sets (`v:"…"` entries).
fn is_set(field: &str) -> bool {
    matches!(field, "finalizers" | "podCIDRs")
}

/// Fields whose value is one atomic unit (`+structType=atomic`), even when it is a non-empty map.
fn is_atomic(field: &str) -> bool {
    matches!(field, "selector" | "involvedObject" | "roleRef" | "related")
}

/// Fields whose own presence the real server does not record (`.`): struct fields that are always
/// there, and lists whose presence belongs to whoever created the object.
fn no_dot(field: &str) -> bool {
    matches!(
        field,
        "containers" | "conditions" | "template" | "metadata" | "spec" | "status" | "strategy" | "jobTemplate"
    )
}

fn key_of(el: &Value, keys: &[&str]) -> String {
    let mut m = Map::new();
    for k in keys {
        m.insert((*k).to_string(), el.get(*k).cloned().unwrap_or(Value::Null));
    }
    format!("k:{}", Value::Object(m))
}

fn dot(mut m: Map<String, Value>) -> Value {
    m.insert(".".into(), json!({}));
    Value::Object(m)
}

/// The field set of one field's value.
fn field_set(field: &str, v: &Value) -> Value {
    match v {
        Value::Object(m) if !m.is_empty() && !is_atomic(field) && no_dot(field) => Value::Object(map_set(m)),
        Value::Object(m) if !m.is_empty() && !is_atomic(field) => dot(map_set(m)),
        Value::Array(a) if !a.is_empty() && is_set(field) => {
            let mut m = Map::new();
            for x in a {
                m.insert(format!("v:{x}"), json!({}));
            }
            dot(m)
        }
        Value::Array(a) if !a.is_empty() => match list_keys(field, &a[0]) {
            Some(keys) => {
                let mut m = Map::new();
                for el in a {
                    let body = if field == "ownerReferences" {
                        json!({})
                    } else {
                        el.as_object().map_or(json!({}), |o| dot(map_set(o)))
                    };
                    m.insert(key_of(el, keys), body);
                }
                if no_dot(field) { Value::Object(m) } else { dot(m) }
            }
            None => json!({}),
        },
        _ => json!({}),
    }
}

fn map_set(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter()
        .filter(|(_, x)| !x.is_null())
        .map(|(k, x)| (format!("f:{k}"), field_set(k, x)))
        .collect()
}

/// The field set of the sections `sections` of an object (`metadata` without what the server owns).
pub fn fields_of(v: &Value, sections: &[&str]) -> Value {
    let mut out = Map::new();
    for s in sections {
        let set = match v.get(*s) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(sec)) if *s == "metadata" => Value::Object(
                sec.iter()
                    .filter(|(k, x)| !SERVER_META.contains(&k.as_str()) && !x.is_null())
                    .map(|(k, x)| (format!("f:{k}"), field_set(k, x)))
                    .collect(),
            ),
            // Top-level fields (an Event's `reason`, a ConfigMap's `data`) are fields like any other.
            Some(x) => field_set(s, x),
        };
        if *s != "metadata" || set.as_object().is_some_and(|m| !m.is_empty()) {
            out.insert(format!("f:{s}"), set);
        }
    }
    Value::Object(out)
}

/// The field set of what `new` changed relative to `old` (added or changed values; removals are
/// not recorded), below `field`.
fn changed(field: &str, old: Option<&Value>, new: &Value) -> Option<Value> {
    if old == Some(new) {
        return None;
    }
    match (old, new) {
        (Some(Value::Object(o)), Value::Object(n)) if !is_atomic(field) => {
            let mut m = Map::new();
            for (k, x) in n {
                if field.is_empty() && k == "metadata" {
                    continue;
                }
                if let Some(c) = changed(k, o.get(k), x) {
                    m.insert(format!("f:{k}"), c);
                }
            }
            (!m.is_empty()).then_some(Value::Object(m))
        }
        (_, Value::Null) => None,
        _ => Some(field_set(field, new)),
    }
}

fn merge(into: &mut Value, add: Value) {
    match (into, add) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, x) in b {
                match a.get_mut(&k) {
                    Some(cur) => merge(cur, x),
                    None => {
                        a.insert(k, x);
                    }
                }
            }
        }
        (slot, add) => *slot = add,
    }
}

/// The field set of what an update changed: metadata the server does not own, and the other
/// sections of `sections`.
pub fn changed_fields(old: &Value, new: &Value, sections: &[&str]) -> Value {
    let mut out = Map::new();
    for s in sections {
        let (o, n) = (old.get(*s), new.get(*s));
        let Some(n) = n else { continue };
        let c = if *s == "metadata" {
            let strip = |v: Option<&Value>| {
                v.and_then(Value::as_object).map(|m| {
                    Value::Object(
                        m.iter()
                            .filter(|(k, _)| !SERVER_META.contains(&k.as_str()))
                            .map(|(k, x)| (k.clone(), x.clone()))
                            .collect(),
                    )
                })
            };
            match (strip(o), strip(Some(n))) {
                (o, Some(n)) => changed(s, o.as_ref(), &n),
                _ => None,
            }
        } else {
            changed(s, o, n)
        };
        if let Some(c) = c {
            out.insert(format!("f:{s}"), c);
        }
    }
    Value::Object(out)
}

/// Adds `fields` to the writer's entry (creating it) and stamps it with `now`.
pub fn record(v: &mut Value, by: &Writer, api_version: &str, fields: Value, now: &str) {
    if fields.as_object().is_some_and(Map::is_empty) {
        return;
    }
    if !v["metadata"]["managedFields"].is_array() {
        v["metadata"]["managedFields"] = json!([]);
    }
    let list = v["metadata"]["managedFields"]
        .as_array_mut()
        .expect("just made an array");
    let same = |e: &Value| {
        e["manager"] == by.manager.as_str()
            && e["operation"] == by.operation
            && e.get("subresource").and_then(Value::as_str) == by.subresource
    };
    match list.iter_mut().find(|e| same(e)) {
        Some(e) => {
            e["time"] = json!(now);
            merge(&mut e["fieldsV1"], fields);
        }
        None => {
            let mut e = json!({"manager": by.manager, "operation": by.operation, "apiVersion": api_version,
                "time": now, "fieldsType": "FieldsV1", "fieldsV1": fields});
            if let Some(s) = by.subresource {
                e["subresource"] = json!(s);
            }
            list.push(e);
        }
    }
}

/// The manager of the status subresource of a kind, when the simulation's own controllers write it.
pub fn status_writer(kind: &str) -> Writer {
    match kind {
        "Pod" | "Node" => Writer::status("kubelet"),
        _ => Writer::status("kube-controller-manager"),
    }
}

/// Who wrote an object the simulation creates or changes itself, outside its status.
pub fn internal_writer(kind: &str, v: &Value) -> Writer {
    match kind {
        "Event" => Writer::update(match v["reportingComponent"].as_str().unwrap_or_default() {
            "kubelet" => "kubelet",
            "default-scheduler" => "kube-scheduler",
            _ => "kube-controller-manager",
        }),
        "Node" => Writer::update("kubelet"),
        "Lease" => Writer::update(match v["metadata"]["namespace"].as_str() {
            Some("kube-node-lease") => "kubelet",
            _ => "kube-controller-manager",
        }),
        _ if v["metadata"]["ownerReferences"].is_array() => Writer::update("kube-controller-manager"),
        _ if v["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() => Writer::update("kubelet"),
        _ => Writer::update("kubectl-create"),
    }
}

/// The top-level sections an object's main resource holds (everything but status and type meta).
pub fn main_sections(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|m| {
            m.keys()
                .map(String::as_str)
                .filter(|k| !matches!(*k, "apiVersion" | "kind" | "status"))
                .collect()
        })
        .unwrap_or_default()
}

/// The field manager of an API request: `fieldManager`, else the User-Agent up to its first `/`,
/// as the server derives it.
pub fn request_manager(field_manager: Option<&str>, user_agent: &str) -> String {
    match field_manager.filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None => {
            let p = user_agent.split('/').next().unwrap_or_default();
            if p.is_empty() {
                "unknown".into()
            } else {
                p.chars().take(128).collect()
            }
        }
    }
}

/// Records the creator's fields in managedFields, unless the simulation preset them.
pub(super) fn stamp_create(kind: &str, api_version: &str, v: &mut Value, internal: bool, by: Option<Writer>) {
    if internal && v["metadata"]["managedFields"].is_array() {
        return;
    }
    if let Some(m) = v["metadata"].as_object_mut() {
        m.remove("managedFields");
    }
    let now = v["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let by = by.unwrap_or_else(|| internal_writer(kind, v));
    let fields = fields_of(v, &main_sections(v));
    record(v, &by, api_version, fields, &now);
    // What a kubelet reports about a node or a pod it runs; other statuses are the server's own on create.
    let reported = kind == "Node" || (kind == "Pod" && v["status"]["containerStatuses"].is_array());
    if reported && internal {
        let fields = fields_of(v, &["status"]);
        record(v, &status_writer(kind), api_version, fields, &now);
    }
}

/// Merges what an update changed into its writers' managedFields entries.
pub(super) fn stamp_update(kind: &str, api_version: &str, old: &Value, v: &mut Value, by: Option<Writer>, now: &str) {
    let status_write = by.as_ref().is_some_and(|b| b.subresource == Some("status"));
    if by.is_none() || status_write {
        let status = changed_fields(old, v, &["status"]);
        let w = by.clone().unwrap_or_else(|| status_writer(kind));
        record(v, &w, api_version, status, now);
    }
    // The simulation's own pod writes outside status are bindings and deletions, which the server
    // does not attribute.
    if status_write || (by.is_none() && kind == "Pod") {
        return;
    }
    let sections = main_sections(v);
    let main = changed_fields(old, v, &sections);
    let w = by.unwrap_or_else(|| internal_writer(kind, v));
    record(v, &w, api_version, main, now);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_fields_as_the_real_server_records_them() {
        let pod = json!({"metadata": {"name": "web-1", "generateName": "web-", "uid": "u",
            "labels": {"app": "web"}, "ownerReferences": [{"uid": "rs1", "kind": "ReplicaSet"}]},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {},
                "ports": [{"containerPort": 80, "protocol": "TCP"}]}], "dnsPolicy": "ClusterFirst"}});
        let f = fields_of(&pod, &["metadata", "spec"]);
        let want = json!({"f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}},
            "f:ownerReferences": {".": {}, "k:{\"uid\":\"rs1\"}": {}}},
            "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {".": {}, "f:image": {}, "f:name": {},
                "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}, "f:protocol": {}}},
                "f:resources": {}}}, "f:dnsPolicy": {}}});
        assert_eq!(f, want);
    }

    #[test]
    fn top_level_fields_count_and_object_references_are_atomic() {
        let ev = json!({"metadata": {"name": "e"}, "reason": "Pulled", "count": 1,
            "involvedObject": {"kind": "Pod", "name": "p"}, "source": {"component": "kubelet"}});
        let f = fields_of(&ev, &main_sections(&ev));
        let want = json!({"f:reason": {}, "f:count": {}, "f:involvedObject": {},
            "f:source": {".": {}, "f:component": {}}});
        assert_eq!(f, want);
    }

    #[test]
    fn updates_merge_what_changed_into_their_entry() {
        let old = json!({"metadata": {"name": "d", "labels": {"a": "1"}, "resourceVersion": "1"}, "spec": {"replicas": 1, "paused": false}});
        let mut new = old.clone();
        new["spec"]["replicas"] = json!(3);
        new["metadata"]["resourceVersion"] = json!("2");
        let c = changed_fields(&old, &new, &["metadata", "spec"]);
        assert_eq!(c, json!({"f:spec": {"f:replicas": {}}}));
        let by = Writer::update("kubectl-scale");
        record(&mut new, &by, "apps/v1", c, "t1");
        record(&mut new, &by, "apps/v1", json!({"f:spec": {"f:paused": {}}}), "t2");
        let mf = &new["metadata"]["managedFields"];
        assert_eq!(mf.as_array().unwrap().len(), 1);
        assert_eq!(mf[0]["time"], "t2");
        assert_eq!(mf[0]["fieldsV1"], json!({"f:spec": {"f:replicas": {}, "f:paused": {}}}));
        assert_eq!(request_manager(None, "kubectl/v1.33.0 (linux/amd64)"), "kubectl");
    }
}
