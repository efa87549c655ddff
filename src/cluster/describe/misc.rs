//! `kubectl describe` for Services, Namespaces, ConfigMaps and Secrets.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Secret, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::events::describe_events;
use super::{Out, annotations_multiline, labels_multiline};

/// `ServiceDescriber` (endpoints are not fetched, so that line is left out).
pub fn describe_service(svc: &Service, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let spec = svc.spec.clone().unwrap_or_default();
    super::head(&mut o, &svc.metadata, true);
    labels_multiline(&mut o, "Labels", svc.metadata.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", svc.metadata.annotations.as_ref());
    let sel = spec
        .selector
        .as_ref()
        .map(|m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
        .filter(|s| !s.is_empty());
    o.kv(0, "Selector", sel.unwrap_or_else(|| "<none>".into()));
    let ty = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    o.kv(0, "Type", &ty);
    if let Some(p) = &spec.ip_family_policy {
        o.kv(0, "IP Family Policy", p);
    }
    if let Some(f) = spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        o.kv(0, "IP Families", f.join(","));
    }
    if let Some(ip) = &spec.cluster_ip {
        o.kv(0, "IP", ip);
    }
    if let Some(ips) = spec.cluster_ips.as_ref().filter(|i| !i.is_empty()) {
        o.kv(0, "IPs", ips.join(","));
    }
    if let Some(ext) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        o.kv(0, "External IPs", ext.join(","));
    }
    if let Some(ing) = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .filter(|i| !i.is_empty())
    {
        let list: Vec<String> = ing
            .iter()
            .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
            .collect();
        o.kv(0, "LoadBalancer Ingress", list.join(", "));
    }
    if let Some(name) = spec.external_name.as_deref().filter(|_| ty == "ExternalName") {
        o.kv(0, "External Name", name);
    }
    for p in spec.ports.iter().flatten() {
        let name = p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        o.w(0, &format!("Port:\t{name}\t{}/{proto}\n", p.port));
        let target = match &p.target_port {
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(s)) => s.clone(),
            None => p.port.to_string(),
        };
        o.w(0, &format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            o.w(0, &format!("NodePort:\t{name}\t{np}/{proto}\n"));
        }
    }
    o.kv(
        0,
        "Session Affinity",
        spec.session_affinity.as_deref().unwrap_or("None"),
    );
    if ty == "NodePort" || ty == "LoadBalancer" {
        o.kv(
            0,
            "External Traffic Policy",
            spec.external_traffic_policy.as_deref().unwrap_or("Cluster"),
        );
    }
    if let Some(p) = &spec.internal_traffic_policy {
        o.kv(0, "Internal Traffic Policy", p);
    }
    describe_events(&mut o, events, now);
    o.finish()
}

/// `NamespaceDescriber`, with kubectl's lines for a namespace without quota or limit ranges.
pub fn describe_namespace(ns: &Namespace) -> Vec<String> {
    let mut o = Out::default();
    o.kv(0, "Name", ns.metadata.name.as_deref().unwrap_or(""));
    labels_multiline(&mut o, "Labels", ns.metadata.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", ns.metadata.annotations.as_ref());
    let phase = ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    o.kv(0, "Status", phase);
    o.w(0, "\nNo resource quota.\n\nNo LimitRange resource.\n");
    o.finish()
}

/// `ConfigMapDescriber`: data values in full, binary data as sizes.
pub fn describe_config_map(cm: &ConfigMap, events: &[Event], now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    super::head(&mut o, &cm.metadata, true);
    labels_multiline(&mut o, "Labels", cm.metadata.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", cm.metadata.annotations.as_ref());
    o.w(0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        o.w(0, &format!("{k}:\n----\n{v}\n\n"));
    }
    o.w(0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        o.w(0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    o.w(0, "\n");
    describe_events(&mut o, events, now);
    o.finish()
}

/// `SecretDescriber`: key names and byte sizes only, never values.
pub fn describe_secret(s: &Secret) -> Vec<String> {
    let mut o = Out::default();
    super::head(&mut o, &s.metadata, true);
    labels_multiline(&mut o, "Labels", s.metadata.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", s.metadata.annotations.as_ref());
    o.w(0, &format!("\nType:\t{}\n", s.type_.as_deref().unwrap_or("Opaque")));
    o.w(0, "\nData\n====\n");
    let mut sizes: Vec<(String, usize)> = s.data.iter().flatten().map(|(k, v)| (k.clone(), v.0.len())).collect();
    sizes.extend(s.string_data.iter().flatten().map(|(k, v)| (k.clone(), v.len())));
    sizes.sort();
    for (k, n) in sizes {
        o.w(0, &format!("{k}:\t{n} bytes\n"));
    }
    o.finish()
}
