//! Discovery: the server's own documents (`/api`, `/api/v1`, `/apis`, each group's preferred
//! version), read into a [`Registry`]. Read here rather than with kube's `Discovery`, which drops
//! short names, singular names and categories and fails as a whole when one aggregated group is
//! unavailable; here a failed group is recorded and the rest stands, as kubectl does.

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList, APIVersions};
use kube::Client;
use model::registry::{Failed, Registry, Resource};

/// Group versions asked for at once: enough to make a few dozen groups one round trip or two,
/// few enough not to flood a server with many aggregated groups.
const PARALLEL: usize = 8;

/// Every resource the server serves, at each group's preferred version. Err only when the group
/// lists themselves (`/api`, `/apis`) cannot be had; a failing group version is in `failed`.
pub async fn discover(client: &Client) -> Result<Registry, String> {
    let core: APIVersions = get(client, "/api")
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    let groups: APIGroupList = get(client, "/apis")
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    // The core group first, then the groups in the server's order: kubectl's group priority.
    let mut wanted: Vec<(String, String)> = core
        .versions
        .first()
        .map(|v| (String::new(), v.clone()))
        .into_iter()
        .collect();
    for g in groups.groups {
        let preferred = g.preferred_version.or_else(|| g.versions.first().cloned());
        if let Some(v) = preferred {
            wanted.push((g.name, v.version));
        }
    }
    let lists: Vec<_> = futures::stream::iter(wanted)
        .map(|(group, version)| async move {
            let path = match group.as_str() {
                "" => format!("/api/{version}"),
                g => format!("/apis/{g}/{version}"),
            };
            let list = get::<APIResourceList>(client, &path).await;
            (group, version, list)
        })
        // In order, so the registry keeps the server's group order.
        .buffered(PARALLEL)
        .collect()
        .await;
    let mut registry = Registry::default();
    for (group, version, list) in lists {
        match list {
            Ok(list) => registry.resources.extend(resources(&group, &version, &list)),
            Err(error) => {
                tracing::warn!("couldn't get resource list for {group}/{version}: {error}");
                registry.failed.push(Failed {
                    group_version: if group.is_empty() {
                        version
                    } else {
                        format!("{group}/{version}")
                    },
                    error,
                });
            }
        }
    }
    Ok(registry)
}

/// GET a discovery document as `T`; the error in words.
async fn get<T: serde::de::DeserializeOwned>(client: &Client, path: &str) -> Result<T, String> {
    let req = http::Request::get(path).body(Vec::new()).map_err(|e| e.to_string())?;
    client.request::<T>(req).await.map_err(|e| match e {
        // An aggregated group whose service is down answers 503 in plain text: client-go's words.
        kube::Error::Api(s) if s.code == 503 && s.reason == NOT_A_STATUS => {
            "the server is currently unable to handle the request".to_string()
        }
        e => crate::cluster::errors::explain(&e),
    })
}

/// The reason kube gives an error answer whose body is not a Status.
const NOT_A_STATUS: &str = "Failed to parse error data";

/// The resources of one group version's list, each with its subresources (`pods/log`) attached.
pub fn resources(group: &str, version: &str, list: &APIResourceList) -> Vec<Resource> {
    let mut out: Vec<Resource> = Vec::new();
    for r in &list.resources {
        if let Some((parent, sub)) = r.name.split_once('/') {
            // A subresource comes after its parent in the server's list.
            if let Some(p) = out.iter_mut().find(|p| p.plural == parent) {
                p.subresources.push(sub.to_string());
            }
            continue;
        }
        let singular = match r.singular_name.as_str() {
            "" => r.kind.to_ascii_lowercase(),
            s => s.to_string(),
        };
        out.push(Resource {
            group: group.to_string(),
            version: version.to_string(),
            kind: r.kind.clone(),
            plural: r.name.clone(),
            singular,
            short_names: r.short_names.clone().unwrap_or_default(),
            categories: r.categories.clone().unwrap_or_default(),
            namespaced: r.namespaced,
            verbs: r.verbs.clone(),
            subresources: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subresources_attach_to_their_parent_and_a_missing_singular_is_the_kind() {
        let list: APIResourceList = serde_json::from_value(serde_json::json!({
            "groupVersion": "v1",
            "resources": [
                {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
                 "verbs": ["get", "list"], "shortNames": ["po"], "categories": ["all"]},
                {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
                {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
                {"name": "nodes", "singularName": "", "namespaced": false, "kind": "Node", "verbs": ["get"]},
            ]
        }))
        .unwrap();
        let got = resources("", "v1", &list);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].subresources, ["log", "status"]);
        assert_eq!(
            (got[0].short_names.as_slice(), got[0].categories.as_slice()),
            (&["po".to_string()][..], &["all".to_string()][..])
        );
        assert_eq!((got[1].singular.as_str(), got[1].namespaced), ("node", false));
    }
}
