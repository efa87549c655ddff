//! Server-side printing: `meta.k8s.io/v1` `Table` answers for `Accept: application/json;as=Table;…`,
//! built from kubectl's printers as the real API server does.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::resources::ResourceDef;
use super::status::ApiError;
use model::printers::{self, Cell};

/// What each row's `object` carries (`?includeObject=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Include {
    /// `None`: `object` is null.
    None,
    /// `Metadata` (the server default): a `PartialObjectMetadata`.
    #[default]
    Metadata,
    /// `Object`: the whole object (kubectl asks for this with `--sort-by`).
    Object,
}

impl Include {
    /// Parses the `includeObject` query parameter; absent or empty means `Metadata`.
    pub fn parse(value: Option<&str>) -> Result<Include, ApiError> {
        match value.unwrap_or("") {
            "" | "Metadata" => Ok(Include::Metadata),
            "Object" => Ok(Include::Object),
            "None" => Ok(Include::None),
            other => Err(ApiError::bad_request(format!(
                "includeObject: Invalid value: \"{other}\": must be 'Metadata', 'Object', 'None', or empty"
            ))),
        }
    }
}

/// Whether the `Accept` header asks for a `meta.k8s.io/v1` Table before anything else we serve.
///
/// Media ranges are tried in order, as the server negotiates: a plain JSON range listed first wins
/// over a later Table range.
pub fn accepts_table(accept: &str) -> bool {
    for clause in accept.split(',') {
        let mut parts = clause.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut as_ = None;
        let mut group = None;
        let mut version = None;
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                let v = v.trim().trim_matches('"').to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "as" => as_ = Some(v),
                    "g" => group = Some(v),
                    "v" => version = Some(v),
                    _ => {}
                }
            }
        }
        let json_like = matches!(media.as_str(), "application/json" | "application/*" | "*/*");
        if !json_like {
            continue;
        }
        match as_.as_deref() {
            None => return false,
            Some("Table") if group.as_deref() == Some("meta.k8s.io") && version.as_deref() == Some("v1") => {
                return true;
            }
            // Other conversions (v1beta1 Tables, PartialObjectMetadata) are not served: try the next range.
            Some(_) => continue,
        }
    }
    false
}

/// The `Table` for `items` of `def`'s kind, ages computed at the current time.
pub fn to_table(
    def: &ResourceDef,
    items: &[Value],
    list_rv: u64,
    continue_token: Option<&str>,
    include: Include,
) -> Value {
    to_table_at(def, items, list_rv, continue_token, include, Timestamp::now())
}

/// [`to_table`] with an explicit "now", so ages are testable.
pub fn to_table_at(
    def: &ResourceDef,
    items: &[Value],
    list_rv: u64,
    continue_token: Option<&str>,
    include: Include,
    now: Timestamp,
) -> Value {
    let (column_defs, rows): (Vec<Value>, Vec<Value>) = match def.custom {
        // Custom objects: the CRD's printer columns, as the apiextensions server prints them.
        Some(c) => (
            crate::crd::table::column_defs(c),
            items
                .iter()
                .map(|item| json!({"cells": crate::crd::table::cells(c, item, now), "object": row_object(def, item, include)}))
                .collect(),
        ),
        None => {
            let columns = printers::columns_for(def.kind);
            let defs = columns
                .iter()
                .map(|c| {
                    json!({"name": c.name, "type": c.ty, "format": c.format, "description": c.description, "priority": c.priority})
                })
                .collect();
            let rows = items
                .iter()
                .map(|item| row(def, item, columns.len(), include, now))
                .collect();
            (defs, rows)
        }
    };
    let mut metadata = json!({"resourceVersion": list_rv.to_string()});
    if let Some(token) = continue_token.filter(|t| !t.is_empty()) {
        metadata["continue"] = json!(token);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_defs,
        "rows": rows,
    })
}

fn row(def: &ResourceDef, item: &Value, width: usize, include: Include, now: Timestamp) -> Value {
    let cells: Vec<Value> = match printers::row_for(def.kind, item, now) {
        Ok(cells) => cells.iter().map(Cell::to_json).collect(),
        // An object the typed struct rejects still gets its row, with what can be read.
        Err(_) => {
            let mut cells = vec![json!(item["metadata"]["name"].as_str().unwrap_or_default())];
            cells.resize(width, json!(""));
            cells
        }
    };
    let mut row = json!({"cells": cells, "object": row_object(def, item, include)});
    // The pod printer marks finished pods so clients can grey them out.
    if def.kind == "Pod" {
        let completed = match item["status"]["phase"].as_str() {
            Some("Succeeded") => Some(("Succeeded", "The pod has completed successfully.")),
            Some("Failed") => Some(("Failed", "The pod failed.")),
            _ => None,
        };
        if let Some((reason, message)) = completed {
            row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]);
        }
    }
    row
}

/// A row's `object`, as `includeObject` asks.
fn row_object(def: &ResourceDef, item: &Value, include: Include) -> Value {
    match include {
        Include::None => Value::Null,
        Include::Metadata => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": item.get("metadata").cloned().unwrap_or_else(|| json!({})),
        }),
        Include::Object => {
            let mut obj = item.clone();
            if let Some(map) = obj.as_object_mut() {
                map.entry("kind").or_insert_with(|| json!(def.kind));
                map.entry("apiVersion").or_insert_with(|| json!(def.api_version()));
            }
            obj
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    fn now() -> Timestamp {
        "2024-05-01T12:00:00Z".parse().unwrap()
    }

    fn pod(name: &str, phase: &str) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": "u-1", "resourceVersion": "41",
                         "creationTimestamp": "2024-05-01T11:56:40Z", "labels": {"app": "web"}},
            "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx"}]},
            "status": {"phase": phase, "podIPs": [{"ip": "10.0.0.5"}], "containerStatuses": [
                {"name": "web", "image": "nginx", "imageID": "", "ready": true, "restartCount": 5,
                 "state": {"running": {"startedAt": "2024-05-01T11:57:00Z"}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:57:00Z"}}}]}
        })
    }

    #[test]
    fn accept_header_negotiation() {
        assert!(accepts_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(accepts_table(
            "application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json; as=Table; v=v1; g=meta.k8s.io"
        ));
        assert!(!accepts_table("application/json"));
        assert!(!accepts_table(
            "application/json, application/json;as=Table;v=v1;g=meta.k8s.io"
        ));
        assert!(!accepts_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
        assert!(!accepts_table(
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"
        ));
        assert!(!accepts_table(""));
    }

    #[test]
    fn pod_table_columns_and_cells() {
        let t = to_table_at(
            res("Pod").def(),
            &[pod("web-1", "Running")],
            57,
            Some("tok"),
            Include::Metadata,
            now(),
        );
        assert_eq!(t["kind"], "Table");
        assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(t["metadata"], json!({"resourceVersion": "57", "continue": "tok"}));
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Name",
                "Ready",
                "Status",
                "Restarts",
                "Age",
                "IP",
                "Node",
                "Nominated Node",
                "Readiness Gates"
            ]
        );
        let cols = &t["columnDefinitions"];
        assert_eq!(
            (cols[0]["format"].as_str(), cols[3]["type"].as_str()),
            (Some("name"), Some("string"))
        );
        assert_eq!(
            (cols[4]["priority"].as_u64(), cols[5]["priority"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(
            t["rows"][0]["cells"],
            json!([
                "web-1",
                "1/1",
                "Running",
                "5 (3m ago)",
                "3m20s",
                "10.0.0.5",
                "node-1",
                "<none>",
                "<none>"
            ])
        );
        let obj = &t["rows"][0]["object"];
        assert_eq!(obj["kind"], "PartialObjectMetadata");
        assert_eq!(obj["apiVersion"], "meta.k8s.io/v1");
        assert_eq!(obj["metadata"]["uid"], "u-1");
        assert!(obj.get("spec").is_none());
        assert!(t["rows"][0].get("conditions").is_none());
    }

    #[test]
    fn finished_pods_carry_a_completed_condition() {
        let t = to_table_at(
            res("Pod").def(),
            &[pod("job-1", "Succeeded")],
            1,
            None,
            Include::None,
            now(),
        );
        assert!(t["metadata"].get("continue").is_none());
        assert_eq!(t["rows"][0]["conditions"][0]["type"], "Completed");
        assert_eq!(t["rows"][0]["conditions"][0]["reason"], "Succeeded");
        assert_eq!(t["rows"][0]["object"], Value::Null);
    }

    #[test]
    fn deployment_table_with_whole_objects() {
        let mut d = json!({
            "metadata": {"name": "web", "creationTimestamp": "2024-05-01T10:00:00Z"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}},
            "status": {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}
        });
        let t = to_table_at(
            res("Deployment").def(),
            std::slice::from_ref(&d),
            9,
            None,
            Include::Object,
            now(),
        );
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Name",
                "Ready",
                "Up-to-date",
                "Available",
                "Age",
                "Containers",
                "Images",
                "Selector"
            ]
        );
        // Two hours is still "120m": HumanDuration switches to hours at three.
        assert_eq!(
            t["rows"][0]["cells"],
            json!(["web", "3/3", 3, 3, "120m", "web", "nginx:1.27", "app=web"])
        );
        // Object mode returns the object itself, with its type filled in.
        d["kind"] = json!("Deployment");
        d["apiVersion"] = json!("apps/v1");
        assert_eq!(t["rows"][0]["object"], d);
    }

    #[test]
    fn kinds_without_printers_and_bad_objects() {
        let role = json!({"metadata": {"name": "reader", "creationTimestamp": "2024-04-01T08:30:00Z"}, "rules": []});
        let t = to_table_at(res("Role").def(), &[role], 3, None, Include::Metadata, now());
        assert_eq!(t["columnDefinitions"][1]["name"], "Created At");
        assert_eq!(t["rows"][0]["cells"], json!(["reader", "2024-04-01T08:30:00Z"]));

        // containers must be a list: the typed struct rejects this pod, yet the row keeps its shape.
        let broken = json!({"metadata": {"name": "odd"}, "spec": {"containers": 7}});
        let t = to_table_at(res("Pod").def(), &[broken], 3, None, Include::None, now());
        let cells = t["rows"][0]["cells"].as_array().unwrap();
        assert_eq!((cells.len(), cells[0].as_str()), (9, Some("odd")));
    }

    #[test]
    fn include_object_parsing() {
        assert_eq!(Include::parse(None).unwrap(), Include::Metadata);
        assert_eq!(Include::parse(Some("")).unwrap(), Include::Metadata);
        assert_eq!(Include::parse(Some("Object")).unwrap(), Include::Object);
        assert_eq!(Include::parse(Some("None")).unwrap(), Include::None);
        let err = Include::parse(Some("All")).unwrap_err();
        assert_eq!(err.code, 400);
        assert!(err.message.contains("\"All\""));
    }
}
