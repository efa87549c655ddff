//! Defaulting and validation of CustomResourceDefinitions: the essentials the real server enforces,
//! with its field paths and messages.

use serde_json::{Value, json};

use crate::status::Cause;

/// Fills what the server defaults: `names.singular`, `names.listKind`, `conversion.strategy`.
pub fn default(crd: &mut Value) {
    let kind = crd["spec"]["names"]["kind"].as_str().unwrap_or_default().to_string();
    if kind.is_empty() {
        return;
    }
    let names = &mut crd["spec"]["names"];
    if names["singular"].as_str().is_none_or(str::is_empty) {
        names["singular"] = json!(kind.to_lowercase());
    }
    if names["listKind"].as_str().is_none_or(str::is_empty) {
        names["listKind"] = json!(format!("{kind}List"));
    }
    if crd["spec"]["conversion"].is_null() {
        crd["spec"]["conversion"] = json!({"strategy": "None"});
    }
}

fn invalid_text(field: &str, shown: &str, why: &str) -> Cause {
    Cause {
        field: field.into(),
        reason: "FieldValueInvalid",
        message: format!("Invalid value: {shown}: {why}"),
    }
}

fn required_why(field: &str, why: &str) -> Cause {
    Cause {
        field: field.into(),
        reason: "FieldValueRequired",
        message: format!("Required value: {why}"),
    }
}

/// Whether a JSONPath is a plain dotted path under `prefix` (`validateSimpleJSONPath`).
fn simple_path_under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.starts_with('.') && rest.len() > 1 && !rest.contains(['[', ']', '*']))
}

fn scale_causes(base: &str, scale: &Value, causes: &mut Vec<Cause>) {
    match scale["specReplicasPath"].as_str().filter(|p| !p.is_empty()) {
        None => causes.push(Cause::required(&format!("{base}.specReplicasPath"))),
        Some(p) if !simple_path_under(p, ".spec") => causes.push(Cause::invalid(
            &format!("{base}.specReplicasPath"),
            &json!(p),
            "should be a json path under .spec",
        )),
        Some(_) => {}
    }
    match scale["statusReplicasPath"].as_str().filter(|p| !p.is_empty()) {
        None => causes.push(Cause::required(&format!("{base}.statusReplicasPath"))),
        Some(p) if !simple_path_under(p, ".status") => causes.push(Cause::invalid(
            &format!("{base}.statusReplicasPath"),
            &json!(p),
            "should be a json path under .status",
        )),
        Some(_) => {}
    }
    if let Some(p) = scale["labelSelectorPath"].as_str().filter(|p| !p.is_empty())
        && !simple_path_under(p, ".spec")
        && !simple_path_under(p, ".status")
    {
        causes.push(Cause::invalid(
            &format!("{base}.labelSelectorPath"),
            &json!(p),
            "should be a json path under either .spec or .status",
        ));
    }
}

/// What is wrong with a CRD about to be stored; `old` is the stored state on updates.
pub fn causes(crd: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut out = Vec::new();
    let spec = &crd["spec"];
    let names = &spec["names"];
    let group = spec["group"].as_str().unwrap_or_default();
    let plural = names["plural"].as_str().unwrap_or_default();
    let name = crd["metadata"]["name"].as_str().unwrap_or_default();
    if name != format!("{plural}.{group}") {
        out.push(Cause::invalid(
            "metadata.name",
            &json!(name),
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    if group.is_empty() {
        out.push(Cause::required("spec.group"));
    } else if !group.contains('.') {
        out.push(Cause::invalid(
            "spec.group",
            &json!(group),
            "should be a domain with at least one dot",
        ));
    }
    match spec["scope"].as_str().unwrap_or_default() {
        "" => out.push(Cause::required("spec.scope")),
        "Cluster" | "Namespaced" => {}
        other => out.push(Cause {
            field: "spec.scope".into(),
            reason: "FieldValueNotSupported",
            message: format!("Unsupported value: \"{other}\": supported values: \"Cluster\", \"Namespaced\""),
        }),
    }
    let versions: Vec<&Value> = spec["versions"].as_array().into_iter().flatten().collect();
    let shown = if versions.is_empty() {
        "[]apiextensions.CustomResourceDefinitionVersion(nil)"
    } else {
        "[]apiextensions.CustomResourceDefinitionVersion{...}"
    };
    for (i, v) in versions.iter().enumerate() {
        let base = format!("spec.versions[{i}]");
        if v["name"].as_str().is_none_or(str::is_empty) {
            out.push(Cause::required(&format!("{base}.name")));
        }
        if v["served"].as_bool() == Some(true) && v["schema"]["openAPIV3Schema"].is_null() {
            out.push(required_why(
                &format!("{base}.schema.openAPIV3Schema"),
                "schemas are required",
            ));
        }
        if let Some(scale) = v["subresources"].get("scale") {
            scale_causes(&format!("{base}.subresources.scale"), scale, &mut out);
        }
        for (j, c) in v["additionalPrinterColumns"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let cb = format!("{base}.additionalPrinterColumns[{j}]");
            for f in ["name", "type", "jsonPath"] {
                if c[f].as_str().is_none_or(str::is_empty) {
                    out.push(Cause::required(&format!("{cb}.{f}")));
                }
            }
            if let Some(t) = c["type"].as_str().filter(|t| !t.is_empty())
                && !["integer", "number", "string", "boolean", "date"].contains(&t)
            {
                out.push(Cause {
                    field: format!("{cb}.type"),
                    reason: "FieldValueNotSupported",
                    message: format!(
                        "Unsupported value: \"{t}\": supported values: \"boolean\", \"date\", \"integer\", \"number\", \"string\""
                    ),
                });
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if !versions
        .iter()
        .all(|v| seen.insert(v["name"].as_str().unwrap_or_default()))
    {
        out.push(invalid_text(
            "spec.versions",
            shown,
            "must contain unique version names",
        ));
    }
    if versions.iter().filter(|v| v["storage"].as_bool() == Some(true)).count() != 1 {
        out.push(invalid_text(
            "spec.versions",
            shown,
            "must have exactly one version marked as storage version",
        ));
    }
    for f in ["plural", "singular", "kind", "listKind"] {
        if names[f].as_str().is_none_or(str::is_empty) {
            out.push(Cause::required(&format!("spec.names.{f}")));
        }
    }
    if let Some(o) = old {
        let immutable = [
            ("spec.group", &spec["group"], &o["spec"]["group"]),
            ("spec.names.plural", &names["plural"], &o["spec"]["names"]["plural"]),
            ("spec.scope", &spec["scope"], &o["spec"]["scope"]),
            ("spec.names.kind", &names["kind"], &o["spec"]["names"]["kind"]),
        ];
        for (field, new, was) in immutable {
            if new != was {
                out.push(Cause::invalid(field, new, "field is immutable"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crd() -> Value {
        json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}})
    }

    #[test]
    fn a_well_formed_crd_passes_after_defaulting() {
        let mut c = crd();
        default(&mut c);
        assert_eq!(c["spec"]["names"]["singular"], "widget");
        assert_eq!(c["spec"]["names"]["listKind"], "WidgetList");
        assert!(causes(&c, None).is_empty(), "{:?}", causes(&c, None));
    }

    #[test]
    fn name_storage_and_schema_are_checked() {
        let mut c = crd();
        default(&mut c);
        c["metadata"]["name"] = json!("widget.example.com");
        c["spec"]["versions"][0]["storage"] = json!(false);
        c["spec"]["versions"][0]["schema"] = json!(null);
        let msgs: Vec<String> = causes(&c, None)
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        assert!(
            msgs.contains(
                &"metadata.name: Invalid value: \"widget.example.com\": must be spec.names.plural+\".\"+spec.group"
                    .to_string()
            )
        );
        assert!(
            msgs.iter()
                .any(|m| m.ends_with("must have exactly one version marked as storage version"))
        );
        assert!(
            msgs.contains(&"spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required".to_string())
        );
    }

    #[test]
    fn scale_paths_must_point_under_spec_and_status() {
        let mut c = crd();
        default(&mut c);
        c["spec"]["versions"][0]["subresources"] =
            json!({"scale": {"specReplicasPath": ".status.x", "statusReplicasPath": ".status.replicas"}});
        let got = causes(&c, None);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].field, "spec.versions[0].subresources.scale.specReplicasPath");
        let old = c.clone();
        c["spec"]["scope"] = json!("Cluster");
        assert!(causes(&c, Some(&old)).iter().any(|c| c.field == "spec.scope"));
    }
}
