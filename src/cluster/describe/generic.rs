//! kubectl's generic describer (`genericDescriber` in `k8s.io/kubectl/pkg/describe`), for every kind
//! without a describer of its own, custom resources included: Name, Namespace, Labels, Annotations,
//! then every field of the object sorted by name under kubectl's smart labels (`dnsNames` →
//! `Dns Names`, `apiVersion` → `API Version`), then the object's events.
//!
//! Two departures, because kubectl runs the items of a list of objects together with nothing
//! between them: the owner references get a line each (`Kind/name`) under the annotations, and a
//! `conditions` list is a table (Type, Status, Reason, Last Transition Time, Message), as kubectl's
//! own describers print conditions.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;
use serde_json::{Map, Value};

use super::events::describe_events;
use super::{Out, annotations_multiline, labels_multiline, rfc1123z};

/// Fields printed above the dump (or, for managedFields, never), as `.metadata.name` paths.
const SKIPPED: [&str; 6] = [
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
    ".metadata.ownerReferences",
];

/// Describe any object given as JSON, with its events.
pub fn describe_generic(obj: &Value, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let md = &obj["metadata"];
    o.kv(0, "Name", md["name"].as_str().unwrap_or(""));
    o.kv(0, "Namespace", md["namespace"].as_str().unwrap_or(""));
    labels_multiline(&mut o, "Labels", string_map(&md["labels"]).as_ref());
    annotations_multiline(&mut o, "Annotations", string_map(&md["annotations"]).as_ref());
    owners(&mut o, &md["ownerReferences"]);
    if let Some(m) = obj.as_object() {
        fields(&mut o, 0, m, "");
    }
    describe_events(&mut o, events, now);
    o.finish()
}

fn string_map(v: &Value) -> Option<BTreeMap<String, String>> {
    v.as_object().map(|m| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect()
    })
}

/// `Owner References:` one `Kind/name` a line, the controller marked, "<none>" when there is none.
fn owners(o: &mut Out, refs: &Value) {
    let refs = refs.as_array().map(Vec::as_slice).unwrap_or_default();
    if refs.is_empty() {
        o.kv(0, "Owner References", "<none>");
        return;
    }
    for (i, r) in refs.iter().enumerate() {
        let head = if i == 0 { "Owner References:" } else { "" };
        let mut text = format!(
            "{}/{} ({}",
            r["kind"].as_str().unwrap_or(""),
            r["name"].as_str().unwrap_or(""),
            r["apiVersion"].as_str().unwrap_or("")
        );
        if r["controller"] == Value::Bool(true) {
            text.push_str(", controller");
        }
        text.push(')');
        o.w(0, &format!("{head}\t{text}\n"));
    }
}

/// kubectl's `printUnstructuredContent`: fields sorted, maps and lists as indented sections.
fn fields(o: &mut Out, level: usize, content: &Map<String, Value>, prefix: &str) {
    let mut names: Vec<&String> = content.keys().collect();
    names.sort();
    for name in names {
        let path = format!("{prefix}.{name}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        let label = smart_label(name);
        match &content[name] {
            Value::Object(m) => {
                o.w(level, &format!("{label}:\n"));
                fields(o, level + 1, m, &path);
            }
            Value::Array(items) if name == "conditions" && items.iter().all(|c| c.get("type").is_some()) => {
                o.w(level, &format!("{label}:\n"));
                conditions(o, level + 1, items);
            }
            Value::Array(items) => {
                o.w(level, &format!("{label}:\n"));
                for item in items {
                    match item {
                        Value::Object(m) => fields(o, level + 1, m, &path),
                        other => o.w(level + 1, &format!("{}\n", scalar(other))),
                    }
                }
            }
            other => o.w(level, &format!("{label}:\t{}\n", scalar(other))),
        }
    }
}

/// Conditions as kubectl's describers print them: a table, one condition a row.
fn conditions(o: &mut Out, level: usize, items: &[Value]) {
    o.w(level, "Type\tStatus\tReason\tLast Transition Time\tMessage\n");
    o.w(level, "----\t------\t------\t--------------------\t-------\n");
    for c in items {
        let cell = |k: &str| {
            c[k].as_str()
                .map_or_else(|| scalar(&c[k]), |s| s.replace(['\t', '\n'], " "))
        };
        let since = c["lastTransitionTime"].as_str().map(|t| match t.parse::<Timestamp>() {
            Ok(t) => rfc1123z(t),
            Err(_) => t.to_string(),
        });
        o.w(
            level,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                cell("type"),
                cell("status"),
                cell("reason"),
                since.unwrap_or_default(),
                cell("message")
            ),
        );
    }
}

/// Go's `%v` of an unstructured value.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// kubectl's `smartLabelFor`: a camel-case field name as capitalised words, the common acronyms in
/// capitals; a name with anything but letters and `-` is left as it is.
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 5] = ["API", "URL", "UID", "OSB", "GUID"];
    camel_split(field)
        .into_iter()
        .map(|part| {
            let upper = part.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut c = part.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `camelcase.Split`: runs of lower case, upper case and other characters, the last capital of an
/// upper-case run going to the lower-case run after it (`HTTPServer` → `HTTP`, `Server`).
fn camel_split(s: &str) -> Vec<String> {
    fn class(c: char) -> u8 {
        if c.is_lowercase() {
            0
        } else if c.is_uppercase() {
            1
        } else {
            2
        }
    }
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = None;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if last == Some(k) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(k);
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|&c| class(c) == 1) && runs[i + 1].first().is_some_and(|&c| class(c) == 0);
        if upper_then_lower && let Some(c) = runs[i].pop() {
            runs[i + 1].insert(0, c);
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn smart_labels_as_kubectl_writes_them() {
        for (field, label) in [
            ("apiVersion", "API Version"),
            ("dnsNames", "Dns Names"),
            ("uid", "UID"),
            ("creationTimestamp", "Creation Timestamp"),
            ("HTTPServer", "HTTP Server"),
            ("secretName", "Secret Name"),
            ("app.kubernetes.io/name", "app.kubernetes.io/name"),
            ("v1", "v1"),
            ("ready-replicas", "Ready - Replicas"),
        ] {
            assert_eq!(smart_label(field), label, "{field}");
        }
    }

    #[test]
    fn a_custom_object_is_described_field_by_field_with_owners_conditions_and_events() {
        let obj = json!({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "api-tls", "namespace": "shop", "uid": "u-1", "generation": 2,
                "labels": {"app": "api"}, "managedFields": [{"manager": "x"}],
                "ownerReferences": [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "api",
                    "uid": "u-0", "controller": true}]},
            "spec": {"secretName": "api-tls", "dnsNames": ["api.example.com", "www.example.com"],
                "issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt-prod"}},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Ready",
                "lastTransitionTime": "2026-11-23T08:01:21Z", "message": "Certificate is up to date"}]}
        });
        let ev: Event = serde_json::from_value(json!({"metadata": {"name": "e"}, "involvedObject": {},
            "type": "Normal", "reason": "Issuing", "message": "The certificate has been successfully issued",
            "source": {"component": "cert-manager-certificates-issuing"},
            "firstTimestamp": "2026-11-23T08:00:21Z", "lastTimestamp": "2026-11-23T08:00:21Z", "count": 1}))
        .unwrap();
        let now: Timestamp = "2026-11-23T08:01:21Z".parse().unwrap();
        let lines = describe_generic(&obj, &[ev], now);
        let text = lines.join("\n");
        let expected = [
            "Name:              api-tls",
            "Namespace:         shop",
            "Labels:            app=api",
            "Annotations:       <none>",
            "Owner References:  Ingress/api (networking.k8s.io/v1, controller)",
            "API Version:       cert-manager.io/v1",
            "Kind:              Certificate",
            "Metadata:",
            "  Generation:  2",
            "  UID:         u-1",
            "Spec:",
            "  Dns Names:",
            "    api.example.com",
            "    www.example.com",
            "  Issuer Ref:",
            "    Kind:       ClusterIssuer",
            "    Name:       letsencrypt-prod",
            "  Secret Name:  api-tls",
            "Status:",
            "  Conditions:",
            "    Type   Status  Reason  Last Transition Time             Message",
            "    ----   ------  ------  --------------------             -------",
            "    Ready  True    Ready   Mon, 23 Nov 2026 08:01:21 +0000  Certificate is up to date",
            "Events:",
            "  Type    Reason   Age   From                               Message",
            "  ----    ------   ----  ----                               -------",
        ];
        for (got, want) in lines.iter().zip(expected) {
            assert_eq!(got.trim_end(), want, "in\n{text}");
        }
        assert!(
            lines
                .last()
                .unwrap()
                .starts_with("  Normal  Issuing  60s   cert-manager-certificates-issuing  The certificate"),
            "{text}"
        );
        assert!(!text.contains("managed") && !text.contains("Managed"), "{text}");
    }
}

#[cfg(test)]
mod dispatch_tests {
    use serde_json::json;

    use crate::cluster::Kind;

    #[test]
    fn a_secret_known_only_from_discovery_is_described_without_its_values() {
        let secret = Kind::from_resource(&model::Resource {
            version: "v1".into(),
            kind: "Secret".into(),
            plural: "secrets".into(),
            namespaced: true,
            ..Default::default()
        });
        let obj = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "aHVudGVyMg=="}});
        let lines = super::super::describe(secret, &obj, &Default::default(), jiff::Timestamp::UNIX_EPOCH).unwrap();
        let text = lines.join("\n");
        assert!(text.contains("password:") && text.contains("7 bytes"), "{text}");
        assert!(!text.contains("aHVudGVyMg") && !text.contains("hunter2"), "{text}");
    }
}
