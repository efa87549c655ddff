//! A minimal OpenAPI v3 (`/openapi/v3`, `/openapi/v3/apis/<group>/<version>`): one PATCH
//! operation per served resource, tagged with its group/version/kind and the `fieldValidation`
//! parameter. That is what kubectl reads to decide that the server validates fields itself, so
//! `kubectl create -f` and `kubectl apply` work without `--validate=false`. No schemas are served.

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::discovery::GIT_VERSION;
use super::request::{SimState, json_response};
use super::resources::{ResourceDef, groups};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

fn patch_op(def: &ResourceDef) -> Value {
    json!({"patch": {
        "operationId": format!("patch{}", def.kind),
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": def.group, "version": def.version, "kind": def.kind},
        "parameters": [
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}}
        ],
        "responses": {"200": {"description": "OK"}}
    }})
}

/// The document of one group version, `None` when nothing is served there.
fn gv_doc(defs: &[&ResourceDef], group: &str, version: &str) -> Option<Value> {
    let mut paths = Map::new();
    for d in defs.iter().filter(|d| d.group == group && d.version == version) {
        let ns = if d.namespaced { "namespaces/{namespace}/" } else { "" };
        paths.insert(
            format!("/{}/{ns}{}/{{name}}", gv_path(group, version), d.plural),
            patch_op(d),
        );
    }
    if paths.is_empty() {
        return None;
    }
    Some(
        json!({"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": paths, "components": {"schemas": {}}}),
    )
}

/// Answers `/openapi/v3` paths; `None` for any other path.
pub fn route(st: &SimState, path: &str) -> Option<Response> {
    let rest = path.strip_prefix("/openapi/v3")?;
    let ids = st.store.all_defs();
    let defs: Vec<&ResourceDef> = ids.iter().map(|id| id.def()).collect();
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let doc = match segs.as_slice() {
        [] => {
            let mut paths = Map::new();
            let mut gvs = vec![(String::new(), "v1".to_string())];
            for (g, vs) in groups(defs.iter().copied()) {
                gvs.extend(vs.into_iter().map(|v| (g.to_string(), v.to_string())));
            }
            for (g, v) in gvs {
                let p = gv_path(&g, &v);
                // The hash lets clients cache a document until it changes; discovery's content will do.
                let hash = gv_doc(&defs, &g, &v)
                    .map(|d| hash_of(&d.to_string()))
                    .unwrap_or_default();
                paths.insert(
                    p.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={hash}")}),
                );
            }
            json!({ "paths": paths })
        }
        ["api", v] => gv_doc(&defs, "", v)?,
        ["apis", g, v] => gv_doc(&defs, g, v)?,
        _ => return None,
    };
    Some(json_response(200, &doc))
}

fn hash_of(s: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    format!("{:016X}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    #[test]
    fn each_resource_has_a_patch_operation_with_field_validation() {
        let d = res("Deployment").def();
        let doc = gv_doc(&[d], "apps", "v1").unwrap();
        let op = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(op["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(
            op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(gv_doc(&[d], "apps", "v2").is_none());
        let ns = res("Namespace").def();
        assert!(
            gv_doc(&[ns], "", "v1").unwrap()["paths"]
                .get("/api/v1/namespaces/{name}")
                .is_some()
        );
    }
}
