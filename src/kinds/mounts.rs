//! Which pods use a ConfigMap, Secret or PersistentVolumeClaim: as a volume (projected volumes
//! included), through `envFrom`, an `env` `valueFrom` key reference, or (Secrets) as an image pull
//! secret, in any container, init container or ephemeral container.

use serde_json::Value;

use super::extra::{Found, Link, Need, id};

/// What a pod can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A ConfigMap.
    ConfigMap,
    /// A Secret.
    Secret,
    /// A PersistentVolumeClaim.
    Claim,
}

fn names<'a>(items: &'a Value, field: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    items
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(move |i| i[field][key].as_str())
}

/// Whether the pod (as JSON) uses `source` named `name`.
pub fn uses(pod: &Value, source: Source, name: &str) -> bool {
    let spec = &pod["spec"];
    let volumes = &spec["volumes"];
    let projected = volumes
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|v| v["projected"]["sources"].as_array().into_iter().flatten());
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|f| spec[f].as_array().into_iter().flatten());
    let hit = |n: &str| n == name;
    match source {
        Source::Claim => names(volumes, "persistentVolumeClaim", "claimName").any(hit),
        Source::ConfigMap => {
            names(volumes, "configMap", "name").any(hit)
                || projected.into_iter().any(|s| s["configMap"]["name"] == name)
                || containers.into_iter().any(|c| {
                    names(&c["envFrom"], "configMapRef", "name").any(hit)
                        || c["env"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|e| e["valueFrom"]["configMapKeyRef"]["name"] == name)
                })
        }
        Source::Secret => {
            names(volumes, "secret", "secretName").any(hit)
                || projected.into_iter().any(|s| s["secret"]["name"] == name)
                || spec["imagePullSecrets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|s| s["name"] == name)
                || containers.into_iter().any(|c| {
                    names(&c["envFrom"], "secretRef", "name").any(hit)
                        || c["env"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|e| e["valueFrom"]["secretKeyRef"]["name"] == name)
                })
        }
    }
}

/// The pods among `pods` (of the object's namespace) that use the object `obj` as `source`.
pub fn pods_using(obj: &Value, pods: &[Value], source: Source) -> Vec<Found> {
    let (ns, name) = id(obj);
    let using: Vec<(String, String)> = pods
        .iter()
        .filter(|p| id(p).0 == ns && uses(p, source, &name))
        .map(id)
        .collect();
    vec![Found::named("", "Pod", using)]
}

/// The pods of the object's namespace: what "used by" lists.
pub const PODS: &[Need] = &[Need {
    group: "",
    kind: "Pod",
    everywhere: false,
}];

/// "Used by" for `source`: the pods of its namespace that use it.
pub const fn used_by(resolve: super::extra::Resolve) -> Link {
    Link {
        needs: PODS,
        resolve,
        what: "using",
        none: "no pod uses it",
    }
}
