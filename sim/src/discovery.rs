//! Discovery documents (`/api`, `/apis`, group versions) and `/version`.

use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::{Value, json};

use super::request::{SimState, json_response};
use super::resources::{ResourceDef, groups, res};
use super::store::Store;

/// The version the demo cluster reports.
pub const GIT_VERSION: &str = "v1.33.4";

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

fn sub_entry(def: &ResourceDef, sub: &str) -> Value {
    let (kind, group, version, verbs): (&str, Option<&str>, Option<&str>, Vec<&str>) = match sub {
        "scale" => ("Scale", Some("autoscaling"), Some("v1"), vec!["get", "patch", "update"]),
        "log" => ("Pod", None, None, vec!["get"]),
        "eviction" => ("Eviction", Some("policy"), Some("v1"), vec!["create"]),
        "ephemeralcontainers" => ("Pod", None, None, vec!["get", "patch", "update"]),
        _ => (def.kind, None, None, vec!["get", "patch", "update"]),
    };
    let mut e = json!({
        "name": format!("{}/{}", def.plural, sub),
        "singularName": "",
        "namespaced": def.namespaced,
        "kind": kind,
        "verbs": verbs,
    });
    if let (Some(g), Some(v)) = (group, version) {
        e["group"] = json!(g);
        e["version"] = json!(v);
    }
    e
}

/// The APIResourceList of one group version, custom resources included.
pub fn resource_list(store: &Store, group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    let defs = store.all_defs();
    for def in defs
        .iter()
        .map(|id| id.def())
        .filter(|r| r.group == group && r.version == version)
    {
        let mut e = json!({
            "name": def.plural,
            "singularName": def.singular,
            "namespaced": def.namespaced,
            "kind": def.kind,
            "verbs": VERBS,
        });
        if !def.short_names.is_empty() {
            e["shortNames"] = json!(def.short_names);
        }
        if !def.categories.is_empty() {
            e["categories"] = json!(def.categories);
        }
        resources.push(e);
        for sub in def.subresources {
            resources.push(sub_entry(def, sub));
        }
    }
    if resources.is_empty() {
        return None;
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources }))
}

fn group_doc(group: &str, versions: &[&str]) -> Value {
    let gv = |v: &str| json!({ "groupVersion": format!("{group}/{v}"), "version": v });
    let list: Vec<Value> = versions.iter().map(|v| gv(v)).collect();
    json!({ "name": group, "versions": list, "preferredVersion": gv(versions[0]) })
}

/// The group versions of APIServices backed by a service (the demo's `v1beta1.metrics.k8s.io`),
/// with whether each is Available: the aggregator lists their groups in `/apis` either way, and
/// answers an unavailable one's resource list with 503, so clients see the group fail (kubectl's
/// "couldn't get resource list for metrics.k8s.io/v1beta1").
fn aggregated(store: &Store) -> Vec<(String, String, bool)> {
    let (services, _) = store.list(res("APIService"), None);
    services
        .iter()
        .map(|o| o.value())
        .filter(|v| v["spec"]["service"].is_object())
        .filter_map(|v| {
            let conds = v["status"]["conditions"].as_array().cloned().unwrap_or_default();
            let up = conds.iter().any(|c| c["type"] == "Available" && c["status"] == "True");
            let (g, ver) = (v["spec"]["group"].as_str()?, v["spec"]["version"].as_str()?);
            Some((g.to_string(), ver.to_string(), up))
        })
        .collect()
}

/// The aggregated group versions that are not Available.
fn unavailable(store: &Store) -> Vec<(String, String)> {
    aggregated(store)
        .into_iter()
        .filter(|(_, _, up)| !up)
        .map(|(g, v, _)| (g, v))
        .collect()
}

/// The aggregator's answer for an unavailable APIService: plain text, no Status.
pub fn service_unavailable() -> Response {
    let mut r = Response::new(axum::body::Body::from("service unavailable\n"));
    *r.status_mut() = axum::http::StatusCode::SERVICE_UNAVAILABLE;
    r.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": GIT_VERSION,
        "gitCommit": "74cdb426a4a4b1d37fdf6bd8a4d9e5f5f0a4f1a2",
        "gitTreeState": "clean",
        "buildDate": "2025-08-12T10:11:33Z",
        "goVersion": "go1.24.5",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// Answers discovery paths; `None` when the path is not a discovery document.
pub fn route(st: &SimState, method: &Method, path: &str, _headers: &HeaderMap) -> Option<Response> {
    if method != Method::GET {
        return None;
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let defs = st.store.all_defs();
    let doc = match segs.as_slice() {
        ["version"] => version(),
        ["api"] => json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": st.addr.to_string() }]
        }),
        ["api", v] => resource_list(&st.store, "", v)?,
        ["apis"] => {
            let mut list: Vec<Value> = groups(defs.iter().map(|id| id.def()))
                .into_iter()
                .map(|(g, v)| group_doc(g, &v))
                .collect();
            list.extend(
                aggregated(&st.store)
                    .iter()
                    .map(|(g, v, _)| group_doc(g, &[v.as_str()])),
            );
            json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": list })
        }
        ["apis", g, v] if unavailable(&st.store).iter().any(|(ug, uv)| ug == g && uv == v) => {
            return Some(service_unavailable());
        }
        ["apis", g] => {
            let aggregated = aggregated(&st.store);
            let (g, v) = groups(defs.iter().map(|id| id.def()))
                .into_iter()
                .chain(aggregated.iter().map(|(g, v, _)| (g.as_str(), vec![v.as_str()])))
                .find(|(name, _)| name == g)?;
            let mut d = group_doc(g, &v);
            d["kind"] = json!("APIGroup");
            d["apiVersion"] = json!("v1");
            d
        }
        ["apis", g, v] => resource_list(&st.store, g, v)?,
        _ => return None,
    };
    Some(json_response(200, &doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_lists_deployments_with_scale_subresource() {
        let store = Store::new(10);
        let l = resource_list(&store, "apps", "v1").unwrap();
        let names: Vec<&str> = l["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"deployments") && names.contains(&"deployments/scale"));
        let scale = l["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .unwrap();
        assert_eq!(scale["kind"], "Scale");
        assert_eq!(scale["group"], "autoscaling");
        assert!(resource_list(&store, "apps", "v2").is_none());
    }
}
