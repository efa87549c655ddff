//! Ingresses: `enter` leads to the Services its rules and default backend send traffic to.

use serde_json::Value;

use super::extra::{Extras, Found, Link, id};

/// An Ingress's extras.
pub static EXTRAS: &[Extras] = &[Extras {
    group: "networking.k8s.io",
    kind: "Ingress",
    enter: Some(Link {
        needs: &[],
        resolve: |obj, _| Ok(vec![Found::named("", "Service", backends(obj))]),
        what: "backends of",
        none: "no service backend (resource backends only)",
    }),
    ..Extras::NONE
}];

/// The Services named by the default backend and every path, without repeats, in their order.
fn backends(obj: &Value) -> Vec<(String, String)> {
    let ns = id(obj).0;
    let spec = &obj["spec"];
    let paths = spec["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["http"]["paths"].as_array().into_iter().flatten())
        .map(|p| &p["backend"]);
    let mut out: Vec<(String, String)> = Vec::new();
    for backend in std::iter::once(&spec["defaultBackend"]).chain(paths) {
        if let Some(name) = backend["service"]["name"].as_str() {
            let pair = (ns.clone(), name.to_string());
            if !out.contains(&pair) {
                out.push(pair);
            }
        }
    }
    out
}
