//! The validation the real API server applies to the fields clients (kubectl, kubedeck) change.

use serde_json::{Value, json};

use super::resources::ResId;
use super::select::LabelSelector;
use super::status::{ApiError, Cause};

fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// An RFC 1123 label, as container names must be.
fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && !s.contains('.') && is_dns_subdomain(s)
}

fn replicas_cause(path: &str, v: &Value) -> Option<Cause> {
    match v.as_i64() {
        Some(n) if n < 0 => Some(Cause::invalid(path, v, "must be greater than or equal to 0")),
        _ => None,
    }
}

fn template_causes(base: &str, selector: &Value, template: &Value, causes: &mut Vec<Cause>) {
    let labels: std::collections::BTreeMap<String, String> = template["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    if selector.is_null() {
        causes.push(Cause::required(&format!("{base}.selector")));
    } else if LabelSelector::from_value(selector).is_empty() {
        causes.push(Cause::invalid(
            &format!("{base}.selector"),
            &json!("{}"),
            "empty selector is invalid for deployment",
        ));
    } else if !LabelSelector::from_value(selector).matches(&labels) {
        let shown = format!(
            "map[string]string{{{}}}",
            labels
                .iter()
                .map(|(k, v)| format!("\"{k}\":\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        causes.push(Cause::invalid(
            &format!("{base}.template.metadata.labels"),
            &json!(shown),
            "`selector` does not match template `labels`",
        ));
    }
    pod_spec_causes(&format!("{base}.template.spec"), &template["spec"], causes);
}

fn pod_spec_causes(base: &str, spec: &Value, causes: &mut Vec<Cause>) {
    let containers = spec["containers"].as_array();
    if containers.is_none_or(|c| c.is_empty()) {
        causes.push(Cause::required(&format!("{base}.containers")));
        return;
    }
    for (i, c) in containers.into_iter().flatten().enumerate() {
        match c["name"].as_str() {
            None | Some("") => causes.push(Cause::required(&format!("{base}.containers[{i}].name"))),
            Some(n) if !is_dns_label(n) => causes.push(Cause::invalid(
                &format!("{base}.containers[{i}].name"),
                &json!(n),
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            )),
            Some(_) => {}
        }
        if c["image"].as_str().is_none_or(|s| s.trim().is_empty()) {
            causes.push(Cause::required(&format!("{base}.containers[{i}].image")));
        }
    }
}

/// Checks an object about to be stored; `old` is the stored state on updates.
pub fn check(id: ResId, v: &Value, old: Option<&Value>) -> Result<(), ApiError> {
    let def = id.def();
    let name = v["metadata"]["name"].as_str().unwrap_or_default();
    let mut causes = Vec::new();
    if old.is_none() && !name.is_empty() && !is_dns_subdomain(name) {
        causes.push(Cause::invalid(
            "metadata.name",
            &json!(name),
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ));
    }
    match def.kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            if let Some(c) = replicas_cause("spec.replicas", &v["spec"]["replicas"]) {
                causes.push(c);
            }
            template_causes("spec", &v["spec"]["selector"], &v["spec"]["template"], &mut causes);
            if let Some(o) = old
                && o["spec"]["selector"] != v["spec"]["selector"]
            {
                causes.push(Cause::invalid(
                    "spec.selector",
                    &v["spec"]["selector"],
                    "field is immutable",
                ));
            }
        }
        "Pod" => {
            pod_spec_causes("spec", &v["spec"], &mut causes);
            if let Some(o) = old {
                let strip = |p: &Value| {
                    let mut s = p["spec"].clone();
                    for field in ["containers", "initContainers"] {
                        for c in s[field].as_array_mut().into_iter().flatten() {
                            c.as_object_mut().map(|m| m.remove("image"));
                        }
                    }
                    for k in [
                        "activeDeadlineSeconds",
                        "tolerations",
                        "terminationGracePeriodSeconds",
                        "ephemeralContainers",
                        "nodeName",
                    ] {
                        s.as_object_mut().map(|m| m.remove(k));
                    }
                    s
                };
                if strip(o) != strip(v) {
                    causes.push(Cause {
                        field: "spec".into(),
                        reason: "FieldValueForbidden",
                        message: "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                    });
                }
            }
        }
        "CustomResourceDefinition" => causes.extend(crate::crd::causes(v, old)),
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(def, name, causes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::res;

    fn deploy(replicas: i64, sel: &str, label: &str) -> Value {
        json!({"metadata": {"name": "web"}, "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": sel}},
            "template": {"metadata": {"labels": {"app": label}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    }

    #[test]
    fn deployments_are_checked_like_the_api_server() {
        assert!(check(res("Deployment"), &deploy(3, "web", "web"), None).is_ok());
        let e = check(res("Deployment"), &deploy(-1, "web", "web"), None).unwrap_err();
        assert_eq!(e.code, 422);
        assert!(
            e.message
                .ends_with("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
            "{}",
            e.message
        );
        let e = check(res("Deployment"), &deploy(1, "web", "api"), None).unwrap_err();
        assert!(e.message.contains("`selector` does not match template `labels`"));
        let e = check(
            res("Deployment"),
            &deploy(1, "api", "api"),
            Some(&deploy(1, "web", "web")),
        )
        .unwrap_err();
        assert!(e.message.contains("field is immutable"));
        let e = check(res("ConfigMap"), &json!({"metadata": {"name": "Bad_Name"}}), None).unwrap_err();
        assert!(e.message.contains("metadata.name: Invalid value: \"Bad_Name\""));
        let mut bad = deploy(1, "web", "web");
        bad["spec"]["template"]["spec"]["containers"][0]["name"] = json!("Web_1");
        let e = check(res("Deployment"), &bad, None).unwrap_err();
        assert!(
            e.message.contains(
                "spec.template.spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label"
            ),
            "{}",
            e.message
        );
    }
}
