//! Services, Endpoints, EndpointSlices, Ingresses, IngressClasses and NetworkPolicies.

use std::collections::BTreeSet;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Endpoints, Service, ServicePort};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, IngressRule, NetworkPolicy};

use super::{AGE, Cell, Column, NAME, age_of, col, describe_selector_opt, format_labels, name_of, wide};

/// Service columns.
pub static SERVICE_COLUMNS: &[Column] = &[
    NAME,
    col("Type", "type determines how the Service is exposed."),
    col(
        "Cluster-IP",
        "clusterIP is the IP address of the service and is usually assigned randomly.",
    ),
    col(
        "External-IP",
        "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
    ),
    col("Port(s)", "The list of ports that are exposed by this service."),
    AGE,
    wide(
        "Selector",
        "Route service traffic to pods with label keys and values matching this selector.",
    ),
];

/// Endpoints columns.
pub static ENDPOINTS_COLUMNS: &[Column] = &[
    NAME,
    col("Endpoints", "The set of all endpoints is the union of all subsets."),
    AGE,
];

/// EndpointSlice columns.
pub static ENDPOINT_SLICE_COLUMNS: &[Column] = &[
    NAME,
    col(
        "AddressType",
        "addressType specifies the type of address carried by this EndpointSlice.",
    ),
    col(
        "Ports",
        "ports specifies the list of network ports exposed by each endpoint in this slice.",
    ),
    col("Endpoints", "endpoints is a list of unique endpoints in this slice."),
    AGE,
];

/// Ingress columns.
pub static INGRESS_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    col(
        "Hosts",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    col(
        "Address",
        "Address is a list containing ingress points for the load-balancer",
    ),
    col("Ports", "Ports of TLS configurations that open"),
    AGE,
];

/// IngressClass columns.
pub static INGRESS_CLASS_COLUMNS: &[Column] = &[
    NAME,
    col("Controller", "Controller that is responsible for handling this class"),
    col("Parameters", "A reference to a resource with additional parameters"),
    AGE,
];

/// NetworkPolicy columns.
pub static NETWORK_POLICY_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Pod-Selector",
        "podSelector selects the pods to which this NetworkPolicy object applies.",
    ),
    AGE,
];

/// Sorted, de-duplicated load-balancer addresses (IP, else hostname), comma-joined. The API server
/// prints wide, so this is never truncated.
fn lb_addresses<'a>(entries: impl Iterator<Item = (Option<&'a String>, Option<&'a String>)>) -> String {
    let mut set = BTreeSet::new();
    for (ip, host) in entries {
        match (ip.filter(|s| !s.is_empty()), host.filter(|s| !s.is_empty())) {
            (Some(ip), _) => set.insert(ip.clone()),
            (None, Some(h)) => set.insert(h.clone()),
            _ => false,
        };
    }
    set.into_iter().collect::<Vec<_>>().join(",")
}

/// The service type, as defaulted by the API server.
fn service_type(svc: &Service) -> String {
    svc.spec
        .as_ref()
        .and_then(|s| s.type_.clone())
        .unwrap_or_else(|| "ClusterIP".into())
}

/// EXTERNAL-IP: external IPs, load-balancer ingress, "<pending>", "<none>" or the external name.
pub fn service_external_ip(svc: &Service) -> String {
    let spec = svc.spec.as_ref();
    let external: Vec<String> = spec.and_then(|s| s.external_ips.clone()).unwrap_or_default();
    match service_type(svc).as_str() {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let ingress = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref());
            let lb = lb_addresses(
                ingress
                    .into_iter()
                    .flatten()
                    .map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
            );
            if !external.is_empty() {
                let mut all: Vec<String> = if lb.is_empty() {
                    vec![]
                } else {
                    lb.split(',').map(String::from).collect()
                };
                all.extend(external);
                all.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".into()
            }
        }
        "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

/// PORT(S): "80/TCP", "80:30080/TCP", comma-joined; "<none>" when there are none.
pub fn service_ports(ports: &[ServicePort]) -> String {
    if ports.is_empty() {
        return "<none>".into();
    }
    ports
        .iter()
        .map(|p| {
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{np}/{proto}", p.port),
                _ => format!("{}/{proto}", p.port),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The full service row.
pub fn service_row(svc: &Service, now: Timestamp) -> Vec<Cell> {
    let spec = svc.spec.as_ref();
    let cluster_ip = spec
        .and_then(|s| s.cluster_ips.as_ref())
        .and_then(|ips| ips.first().cloned())
        .unwrap_or_else(|| "<none>".into());
    vec![
        name_of(&svc.metadata).into(),
        service_type(svc).into(),
        cluster_ip.into(),
        service_external_ip(svc).into(),
        service_ports(spec.and_then(|s| s.ports.as_deref()).unwrap_or_default()).into(),
        age_of(&svc.metadata, now),
        format_labels(spec.and_then(|s| s.selector.as_ref())).into(),
    ]
}

/// kubectl's "a,b,c + N more..." for lists capped at three.
fn list_with_more(list: Vec<String>, count: usize, empty: &str) -> String {
    const MAX: usize = 3;
    if count > MAX {
        return format!("{} + {} more...", list[..MAX].join(","), count - MAX);
    }
    if list.is_empty() { empty.into() } else { list.join(",") }
}

/// ENDPOINTS of an Endpoints object: "10.0.0.1:80,10.0.0.2:80 + 3 more...", or "<none>".
pub fn format_endpoints(ep: &Endpoints) -> String {
    let subsets = ep.subsets.as_deref().unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    let mut count = 0;
    for ss in subsets {
        let addrs = ss.addresses.as_deref().unwrap_or_default();
        let ports = ss.ports.as_deref().unwrap_or_default();
        // Headless services may have no ports: print bare IPs.
        if ports.is_empty() {
            count += addrs.len();
            list.extend(addrs.iter().map(|a| a.ip.clone()));
            continue;
        }
        for port in ports {
            count += addrs.len();
            list.extend(addrs.iter().map(|a| join_host_port(&a.ip, port.port)));
        }
    }
    list.truncate(3);
    list_with_more(list, count, "")
}

/// Go's `net.JoinHostPort`: IPv6 hosts are bracketed.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The full endpoints row.
pub fn endpoints_row(ep: &Endpoints, now: Timestamp) -> Vec<Cell> {
    vec![
        name_of(&ep.metadata).into(),
        format_endpoints(ep).into(),
        age_of(&ep.metadata, now),
    ]
}

/// The full endpoint slice row.
pub fn endpoint_slice_row(es: &EndpointSlice, now: Timestamp) -> Vec<Cell> {
    let ports: Vec<String> = es
        .ports
        .iter()
        .flatten()
        .map(|p| match (p.port, p.name.as_ref()) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".into(),
        })
        .collect();
    let port_count = ports.len();
    let addrs: Vec<String> = es.endpoints.iter().flat_map(|e| e.addresses.iter().cloned()).collect();
    let addr_count = addrs.len();
    vec![
        name_of(&es.metadata).into(),
        es.address_type.clone().into(),
        list_with_more(ports, port_count, "<unset>").into(),
        list_with_more(addrs, addr_count, "<unset>").into(),
        age_of(&es.metadata, now),
    ]
}

/// HOSTS: the first three non-empty hosts, "*" when none.
pub fn ingress_hosts(rules: &[IngressRule]) -> String {
    let mut list = Vec::new();
    let mut more = false;
    for r in rules {
        if list.len() == 3 {
            more = true;
        }
        if let Some(h) = r.host.as_ref().filter(|h| !h.is_empty())
            && !more
        {
            list.push(h.clone());
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    // kubectl counts the remaining rules, with or without a host.
    if more {
        format!("{} + {} more...", list.join(","), rules.len() - 3)
    } else {
        list.join(",")
    }
}

/// The full ingress row.
pub fn ingress_row(ing: &Ingress, now: Timestamp) -> Vec<Cell> {
    let spec = ing.spec.as_ref();
    let lb = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref());
    let tls = spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty());
    vec![
        name_of(&ing.metadata).into(),
        spec.and_then(|s| s.ingress_class_name.clone())
            .unwrap_or_else(|| "<none>".into())
            .into(),
        ingress_hosts(spec.and_then(|s| s.rules.as_deref()).unwrap_or_default()).into(),
        lb_addresses(lb.into_iter().flatten().map(|i| (i.ip.as_ref(), i.hostname.as_ref()))).into(),
        (if tls { "80, 443" } else { "80" }).into(),
        age_of(&ing.metadata, now),
    ]
}

/// The full ingress class row.
pub fn ingress_class_row(ic: &IngressClass, now: Timestamp) -> Vec<Cell> {
    let spec = ic.spec.as_ref();
    let params = spec.and_then(|s| s.parameters.as_ref()).map_or_else(
        || "<none>".to_string(),
        |p| match p.api_group.as_ref() {
            Some(g) => format!("{}.{g}/{}", p.kind, p.name),
            None => format!("{}/{}", p.kind, p.name),
        },
    );
    vec![
        name_of(&ic.metadata).into(),
        spec.and_then(|s| s.controller.clone()).unwrap_or_default().into(),
        params.into(),
        age_of(&ic.metadata, now),
    ]
}

/// The full network policy row.
pub fn network_policy_row(np: &NetworkPolicy, now: Timestamp) -> Vec<Cell> {
    let sel = np.spec.as_ref().and_then(|s| s.pod_selector.as_ref());
    vec![
        name_of(&np.metadata).into(),
        describe_selector_opt(sel).into(),
        age_of(&np.metadata, now),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::{obj, test_now, texts};
    use super::*;
    use serde_json::{Value, json};

    fn svc(spec: Value, status: Value) -> Service {
        obj(
            json!({"metadata": {"name": "s", "creationTimestamp": "2024-05-01T11:00:00Z"}, "spec": spec, "status": status}),
        )
    }

    #[test]
    fn service_external_ip_rules() {
        let cases: Vec<(Value, Value, &str)> = vec![
            (json!({"type": "ClusterIP"}), json!({}), "<none>"),
            (
                json!({"type": "ClusterIP", "externalIPs": ["1.2.3.4", "5.6.7.8"]}),
                json!({}),
                "1.2.3.4,5.6.7.8",
            ),
            (json!({"type": "NodePort"}), json!({}), "<none>"),
            (json!({"type": "LoadBalancer"}), json!({}), "<pending>"),
            (
                json!({"type": "LoadBalancer"}),
                json!({"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}, {"hostname": "lb.example.com"}, {"ip": "1.1.1.1"}]}}),
                "1.1.1.1,9.9.9.9,lb.example.com",
            ),
            (
                json!({"type": "LoadBalancer", "externalIPs": ["5.5.5.5"]}),
                json!({"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}]}}),
                "9.9.9.9,5.5.5.5",
            ),
            (
                json!({"type": "LoadBalancer", "externalIPs": ["5.5.5.5"]}),
                json!({}),
                "5.5.5.5",
            ),
            (
                json!({"type": "ExternalName", "externalName": "db.example.com"}),
                json!({}),
                "db.example.com",
            ),
        ];
        for (spec, status, want) in cases {
            assert_eq!(service_external_ip(&svc(spec.clone(), status)), want, "{spec}");
        }
    }

    #[test]
    fn service_row_ports_and_selector() {
        let s = svc(
            json!({"type": "NodePort", "clusterIPs": ["10.96.0.10"], "clusterIP": "10.96.0.10",
                   "selector": {"app": "web", "tier": "fe"},
                   "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}),
            json!({}),
        );
        assert_eq!(
            texts(&service_row(&s, test_now())),
            vec![
                "s",
                "NodePort",
                "10.96.0.10",
                "<none>",
                "80:30080/TCP,53/UDP",
                "60m",
                "app=web,tier=fe"
            ]
        );
        let headless = svc(
            json!({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"]}),
            json!({}),
        );
        assert_eq!(
            &texts(&service_row(&headless, test_now()))[2..5],
            &["None", "<none>", "<none>"]
        );
        let bare = svc(json!({}), json!({}));
        assert_eq!(texts(&service_row(&bare, test_now()))[2], "<none>");
    }

    #[test]
    fn endpoints_and_slices() {
        let ep: Endpoints = obj(json!({"metadata": {"name": "web"}, "subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
            {"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}
        ]}));
        assert_eq!(
            format_endpoints(&ep),
            "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more..."
        );
        let small: Endpoints = obj(json!({"metadata": {"name": "w"}, "subsets": [
            {"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}, {"addresses": [{"ip": "10.1.1.1"}]}]}));
        assert_eq!(format_endpoints(&small), "[fd00::1]:80,10.1.1.1");
        let none: Endpoints = obj(json!({"metadata": {"name": "w"}}));
        assert_eq!(format_endpoints(&none), "<none>");

        let es: EndpointSlice = obj(json!({"metadata": {"name": "web-abc"}, "addressType": "IPv4",
            "ports": [{"port": 80}, {"name": "metrics"}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}]}));
        assert_eq!(
            &texts(&endpoint_slice_row(&es, test_now()))[1..4],
            &["IPv4", "80,metrics", "10.0.0.1,10.0.0.2"]
        );
        let empty: EndpointSlice = obj(json!({"metadata": {"name": "e"}, "addressType": "IPv4", "endpoints": []}));
        assert_eq!(
            &texts(&endpoint_slice_row(&empty, test_now()))[2..4],
            &["<unset>", "<unset>"]
        );
    }

    #[test]
    fn ingress_rows() {
        let ing: Ingress = obj(
            json!({"metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx",
            "rules": [{"host": "a.example.com"}, {}, {"host": "b.example.com"}, {"host": "c.example.com"}, {"host": "d.example.com"}],
            "tls": [{"hosts": ["a.example.com"]}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}]}}}),
        );
        assert_eq!(
            &texts(&ingress_row(&ing, test_now()))[1..5],
            &[
                "nginx",
                "a.example.com,b.example.com,c.example.com + 2 more...",
                "203.0.113.9",
                "80, 443"
            ]
        );
        let bare: Ingress = obj(json!({"metadata": {"name": "x"}, "spec": {"rules": [{}]}}));
        assert_eq!(
            &texts(&ingress_row(&bare, test_now()))[1..5],
            &["<none>", "*", "", "80"]
        );

        let ic: IngressClass = obj(
            json!({"metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx",
            "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb"}}}),
        );
        assert_eq!(
            &texts(&ingress_class_row(&ic, test_now()))[1..3],
            &["k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb"]
        );
    }

    #[test]
    fn network_policy_selector() {
        let np: NetworkPolicy = obj(json!({"metadata": {"name": "deny"}, "spec": {"podSelector": {}}}));
        assert_eq!(texts(&network_policy_row(&np, test_now()))[1], "<none>");
        let np: NetworkPolicy =
            obj(json!({"metadata": {"name": "web"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}}}));
        assert_eq!(texts(&network_policy_row(&np, test_now()))[1], "app=web");
    }
}
