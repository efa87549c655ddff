//! The `scale` subresource of a custom resource, mapped through the CRD's
//! `specReplicasPath`, `statusReplicasPath` and `labelSelectorPath` (`scaleFromCustomResource`).

use serde_json::{Value, json};

use super::{ScalePaths, jsonpath};

/// The `autoscaling/v1` Scale of a custom object; missing replica fields read as 0.
pub fn scale_of(paths: &ScalePaths, v: &Value) -> Value {
    let md = &v["metadata"];
    let int = |p: &str| jsonpath::first(p, v).and_then(Value::as_i64).unwrap_or(0);
    let selector = paths
        .label_selector
        .as_deref()
        .and_then(|p| jsonpath::first(p, v))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut meta = json!({"name": md["name"], "uid": md["uid"],
        "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"]});
    if let Some(ns) = md.get("namespace") {
        meta["namespace"] = ns.clone();
    }
    let mut status = json!({ "replicas": int(&paths.status_replicas) });
    // `selector` is omitempty in autoscaling/v1.
    if !selector.is_empty() {
        status["selector"] = json!(selector);
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": meta,
        "spec": { "replicas": int(&paths.spec_replicas) },
        "status": status,
    })
}

/// Writes the desired replicas where `specReplicasPath` points.
pub fn set_replicas(paths: &ScalePaths, v: &mut Value, n: i64) {
    jsonpath::set(&paths.spec_replicas, v, json!(n));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_follows_the_declared_paths() {
        let paths = ScalePaths {
            spec_replicas: ".spec.instances".into(),
            status_replicas: ".status.readyInstances".into(),
            label_selector: Some(".status.selector".into()),
        };
        let mut v = json!({"metadata": {"name": "db", "namespace": "shop", "resourceVersion": "7"},
            "spec": {"instances": 3}, "status": {"readyInstances": 2, "selector": "app=db"}});
        let s = scale_of(&paths, &v);
        assert_eq!(
            (s["spec"]["replicas"].as_i64(), s["status"]["replicas"].as_i64()),
            (Some(3), Some(2))
        );
        assert_eq!(s["status"]["selector"], "app=db");
        set_replicas(&paths, &mut v, 5);
        assert_eq!(v["spec"]["instances"], 5);
        assert_eq!(
            scale_of(&paths, &json!({"metadata": {"name": "x"}}))["spec"]["replicas"],
            0
        );
    }
}
