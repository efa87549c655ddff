//! What the store parses out of each object when it is written: the values selectors,
//! garbage collection and controllers look up, so they never parse the JSON again.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;

use super::resources::ResId;

/// An object's identity: resource, namespace ("" when cluster-scoped) and name.
pub type Key = (ResId, String, String);

/// A stored object.
#[derive(Debug)]
pub struct Obj {
    /// Which resource it belongs to.
    pub res: ResId,
    /// Namespace, "" for cluster-scoped objects.
    pub ns: String,
    /// metadata.name.
    pub name: String,
    /// metadata.uid.
    pub uid: String,
    /// The resourceVersion of the write that produced this state.
    pub rv: u64,
    /// metadata.labels.
    pub labels: BTreeMap<String, String>,
    /// Values of the fields this resource supports in field selectors.
    pub fields: Vec<(&'static str, String)>,
    /// uids of every owner in metadata.ownerReferences.
    pub owners: Vec<String>,
    /// uid of the controlling owner, if any.
    pub controller: Option<String>,
    /// Kind and name of the controlling owner, if any (controllers look these up on every pod change).
    pub controller_ref: Option<(String, String)>,
    /// Whether metadata.deletionTimestamp is set.
    pub deleting: bool,
    /// `lastTransitionTime` of a Ready condition that is True (pods: controllers count ready pods).
    pub ready_since: Option<String>,
    /// The object as JSON.
    pub json: Bytes,
}

impl Obj {
    /// The object parsed back into a JSON value.
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.json).expect("stored objects are valid JSON")
    }

    /// The object's key.
    pub fn key(&self) -> Key {
        (self.res, self.ns.clone(), self.name.clone())
    }
}

/// Fields each resource supports in field selectors, beyond metadata.name/namespace.
pub fn selectable_fields(id: ResId) -> &'static [&'static str] {
    match id.def().kind {
        "Pod" => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Event" => &[
            "metadata.name",
            "metadata.namespace",
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        "Node" => &["metadata.name", "spec.unschedulable"],
        "Secret" => &["metadata.name", "metadata.namespace", "type"],
        "Namespace" => &["metadata.name", "status.phase"],
        "ReplicaSet" => &["metadata.name", "metadata.namespace", "status.replicas"],
        "Job" => &["metadata.name", "metadata.namespace", "status.successful"],
        _ => &["metadata.name", "metadata.namespace"],
    }
}

fn field_value(v: &Value, path: &str) -> String {
    let mut cur = v;
    for part in path.split('.') {
        match cur.get(part) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn str_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn index(id: ResId, v: &Value, rv: u64) -> Obj {
    let md = &v["metadata"];
    let fields = selectable_fields(id)
        .iter()
        .map(|f| {
            // Events index `source` as source.component, as the real server does.
            let val = if *f == "source" {
                field_value(v, "source.component")
            } else {
                field_value(v, f)
            };
            (*f, val)
        })
        .collect();
    let refs = md["ownerReferences"].as_array();
    Obj {
        res: id,
        ns: md["namespace"].as_str().unwrap_or_default().to_string(),
        name: md["name"].as_str().unwrap_or_default().to_string(),
        uid: md["uid"].as_str().unwrap_or_default().to_string(),
        rv,
        labels: str_map(&md["labels"]),
        fields,
        owners: refs
            .into_iter()
            .flatten()
            .filter_map(|r| r["uid"].as_str().map(String::from))
            .collect(),
        controller: refs
            .into_iter()
            .flatten()
            .find(|r| r["controller"].as_bool() == Some(true))
            .and_then(|r| r["uid"].as_str().map(String::from)),
        controller_ref: refs
            .into_iter()
            .flatten()
            .find(|r| r["controller"].as_bool() == Some(true))
            .map(|r| {
                let s = |f: &str| r[f].as_str().unwrap_or_default().to_string();
                (s("kind"), s("name"))
            }),
        deleting: md.get("deletionTimestamp").is_some_and(|t| !t.is_null()),
        ready_since: v["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == "Ready" && c["status"] == "True")
            .map(|c| c["lastTransitionTime"].as_str().unwrap_or_default().to_string()),
        json: Bytes::from(serde_json::to_vec(v).expect("JSON values serialize")),
    }
}
