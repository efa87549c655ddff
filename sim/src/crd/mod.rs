//! CustomResourceDefinitions (`apiextensions.k8s.io/v1`): what a CRD makes the server serve.
//!
//! A CRD's served versions become run-time [`ResourceDef`]s (see [`registry`]), so custom objects
//! go through the same store, watch, table and REST code as built-in kinds. The establishing and
//! finalizing controllers of the real apiextensions server live in [`controller`].

pub mod controller;
pub mod convert;
pub mod jsonpath;
pub mod registry;
pub mod scale;
pub mod served;
pub mod table;
pub mod types;
mod validate;

use serde_json::{Value, json};

use crate::resources::{ResId, ResourceDef, res};

pub use types::{Column, Custom, ScalePaths};
pub use validate::{causes, default};

/// The finalizer the server adds to a CRD on delete; removed once its objects are gone.
pub const FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// The CustomResourceDefinition resource.
pub fn crd_res() -> ResId {
    res("CustomResourceDefinition")
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

/// Kubernetes version priority: GA before beta before alpha, higher numbers first, then the rest
/// alphabetically (`version.CompareKubeAwareVersionStrings`).
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(v: &str) -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        let (tier, tail) = if tail.is_empty() {
            return Some((0, major, 0));
        } else if let Some(t) = tail.strip_prefix("beta") {
            (1, t)
        } else if let Some(t) = tail.strip_prefix("alpha") {
            (2, t)
        } else {
            return None;
        };
        Some((tier, major, tail.parse().ok()?))
    }
    match (key(a), key(b)) {
        (Some((ta, ma, na)), Some((tb, mb, nb))) => ta.cmp(&tb).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

fn columns_of(version: &Value) -> Vec<Column> {
    let declared: Vec<Column> = version["additionalPrinterColumns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let path = c["jsonPath"].as_str().unwrap_or_default().to_string();
            Column {
                name: c["name"].as_str().unwrap_or_default().to_string(),
                ty: c["type"].as_str().unwrap_or("string").to_string(),
                format: c["format"].as_str().unwrap_or_default().to_string(),
                description: c["description"]
                    .as_str()
                    .filter(|d| !d.is_empty())
                    .map(String::from)
                    .unwrap_or_else(|| format!("Custom resource definition column (in JSONPath format): {path}")),
                priority: c["priority"].as_i64().unwrap_or(0),
                json_path: path,
            }
        })
        .collect();
    if !declared.is_empty() {
        return declared;
    }
    // Without declared columns the server prints Name and Age.
    vec![Column {
        name: "Age".into(),
        ty: "date".into(),
        format: String::new(),
        description: model::printers::AGE_DESC.into(),
        priority: 0,
        json_path: ".metadata.creationTimestamp".into(),
    }]
}

/// The served versions of a CRD as resource definitions, in discovery's order (preferred
/// version first), and the index among them of the storage version's definition (or of the
/// storage version's definition appended when it is not served).
pub fn defs_of(crd: &Value) -> (Vec<ResourceDef>, ResourceDef) {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let group = registry::leak_str(spec["group"].as_str().unwrap_or_default());
    let kind = registry::leak_str(names["kind"].as_str().unwrap_or_default());
    let plural = registry::leak_str(names["plural"].as_str().unwrap_or_default());
    let singular_owned = names["singular"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| kind.to_lowercase());
    let singular = registry::leak_str(&singular_owned);
    let list_kind = names["listKind"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| format!("{kind}List"));
    let short_names = registry::leak_list(&strings(&names["shortNames"]));
    let categories = registry::leak_list(&strings(&names["categories"]));
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    let crd_name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let def_of = |v: &Value| {
        let sub = &v["subresources"];
        let mut subs = Vec::new();
        if sub.get("status").is_some() {
            subs.push("status".to_string());
        }
        let scale = sub.get("scale").map(|s| ScalePaths {
            spec_replicas: s["specReplicasPath"].as_str().unwrap_or_default().to_string(),
            status_replicas: s["statusReplicasPath"].as_str().unwrap_or_default().to_string(),
            label_selector: s["labelSelectorPath"].as_str().map(String::from),
        });
        if scale.is_some() {
            subs.push("scale".to_string());
        }
        let custom = registry::leak_custom(Custom {
            crd: crd_name.clone(),
            list_kind: list_kind.clone(),
            columns: columns_of(v),
            scale,
        });
        ResourceDef {
            group,
            version: registry::leak_str(v["name"].as_str().unwrap_or_default()),
            kind,
            plural,
            singular,
            namespaced,
            short_names,
            subresources: registry::leak_list(&subs),
            categories,
            custom: Some(custom),
        }
    };
    let versions: Vec<&Value> = spec["versions"].as_array().into_iter().flatten().collect();
    let storage = versions
        .iter()
        .find(|v| v["storage"].as_bool() == Some(true))
        .or(versions.first())
        .map(|v| def_of(v))
        .unwrap_or_else(|| def_of(&json!({"name": ""})));
    let mut served: Vec<&Value> = versions
        .into_iter()
        .filter(|v| v["served"].as_bool() == Some(true))
        .collect();
    served.sort_by(|a, b| version_order(a["name"].as_str().unwrap_or(""), b["name"].as_str().unwrap_or("")));
    (served.into_iter().map(def_of).collect(), storage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_as_kubernetes_prefers_them() {
        let mut v = vec!["v1alpha1", "foo", "v2beta1", "v1", "v1beta2", "v2", "v1beta1", "bar"];
        v.sort_by(|a, b| version_order(a, b));
        assert_eq!(
            v,
            ["v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1", "bar", "foo"]
        );
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod flow_tests;
