//! `kubectl describe node`: conditions, capacity, system info, the pods on it and what they reserve.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::events::describe_events;
use super::{Out, Related, annotations_multiline, labels_multiline, rfc1123z, time_or_unset};
use crate::cluster::printers::age::age;
use crate::cluster::printers::nodes::node_roles;

/// `describeNode`: the whole text of `kubectl describe node` (`rel.pods`: the pods bound to it).
pub fn describe_node(node: &Node, rel: &Related, now: Timestamp) -> Vec<String> {
    let mut o = Out::default();
    let meta = &node.metadata;
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    o.kv(0, "Name", meta.name.as_deref().unwrap_or(""));
    let roles = node_roles(node);
    o.kv(
        0,
        "Roles",
        if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        },
    );
    labels_multiline(&mut o, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut o, "Annotations", meta.annotations.as_ref());
    o.kv(0, "CreationTimestamp", time_or_unset(meta.creation_timestamp.as_ref()));
    let taints = spec.taints.clone().unwrap_or_default();
    if taints.is_empty() {
        o.w(0, "Taints:\t<none>\n");
    }
    for (i, t) in taints.iter().enumerate() {
        let head = if i == 0 { "Taints:" } else { "" };
        let value = t.value.as_deref().filter(|v| !v.is_empty()).map(|v| format!("={v}"));
        o.w(
            0,
            &format!("{head}\t{}{}:{}\n", t.key, value.unwrap_or_default(), t.effect),
        );
    }
    o.kv(0, "Unschedulable", spec.unschedulable.unwrap_or(false));
    if let Some(lease) = &rel.lease {
        let ls = lease.spec.clone().unwrap_or_default();
        o.w(0, "Lease:\n");
        o.kv(1, "HolderIdentity", ls.holder_identity.as_deref().unwrap_or("<unset>"));
        o.kv(
            1,
            "AcquireTime",
            ls.acquire_time.map_or("<unset>".into(), |t| rfc1123z(t.0)),
        );
        o.kv(
            1,
            "RenewTime",
            ls.renew_time.map_or("<unset>".into(), |t| rfc1123z(t.0)),
        );
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        o.w(0, "Conditions:\n");
        o.w(
            1,
            "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        o.w(
            1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conds {
            o.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    time_or_unset(c.last_heartbeat_time.as_ref()),
                    time_or_unset(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    if let Some(addrs) = status.addresses.as_ref().filter(|a| !a.is_empty()) {
        o.w(0, "Addresses:\n");
        for a in addrs {
            o.kv(1, &a.type_, &a.address);
        }
    }
    for (title, list) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            o.w(0, &format!("{title}:\n"));
            for (k, v) in list {
                o.kv(1, k, &v.0);
            }
        }
    }
    if let Some(info) = &status.node_info {
        o.w(0, "System Info:\n");
        o.kv(1, "Machine ID", &info.machine_id);
        o.kv(1, "System UUID", &info.system_uuid);
        o.kv(1, "Boot ID", &info.boot_id);
        o.kv(1, "Kernel Version", &info.kernel_version);
        o.kv(1, "OS Image", &info.os_image);
        o.kv(1, "Operating System", &info.operating_system);
        o.kv(1, "Architecture", &info.architecture);
        o.kv(1, "Container Runtime Version", &info.container_runtime_version);
        o.kv(1, "Kubelet Version", &info.kubelet_version);
        if !info.kube_proxy_version.is_empty() {
            o.kv(1, "Kube-Proxy Version", &info.kube_proxy_version);
        }
    }
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "PodCIDR", cidr);
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        o.kv(0, "PodCIDRs", cidrs.join(","));
    }
    if let Some(p) = spec.provider_id.as_deref().filter(|s| !s.is_empty()) {
        o.kv(0, "ProviderID", p);
    }
    let allocatable = status.allocatable.clone().unwrap_or_default();
    let pods: Vec<&Pod> = rel.pods.iter().filter(|p| !terminated(p)).collect();
    describe_node_resource(&mut o, &pods, &allocatable, now);
    describe_events(&mut o, &rel.events, now);
    o.finish()
}

fn terminated(p: &Pod) -> bool {
    matches!(
        p.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

/// "Non-terminated Pods" and "Allocated resources" with kubectl's truncated percentages.
fn describe_node_resource(o: &mut Out, pods: &[&Pod], alloc: &BTreeMap<String, Quantity>, now: Timestamp) {
    let alloc_cpu = alloc.get("cpu").map_or(0, |q| milli(&q.0));
    let alloc_mem = alloc.get("memory").map_or(0, |q| milli(&q.0));
    let alloc_eph = alloc.get("ephemeral-storage").map_or(0, |q| milli(&q.0));
    o.w(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    o.w(
        1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    o.w(
        1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let mut total_req: BTreeMap<String, i128> = BTreeMap::new();
    let mut total_lim: BTreeMap<String, i128> = BTreeMap::new();
    for p in pods {
        let (req, lim) = pod_requests_and_limits(p);
        let get = |m: &BTreeMap<String, i128>, k: &str| m.get(k).copied().unwrap_or(0);
        o.w(
            1,
            &format!(
                "{}\t{}\t\t{}\t{}\t{}\t{}\t{}\n",
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or(""),
                with_pct(cpu_string(get(&req, "cpu")), get(&req, "cpu"), alloc_cpu),
                with_pct(cpu_string(get(&lim, "cpu")), get(&lim, "cpu"), alloc_cpu),
                with_pct(bytes_string(get(&req, "memory")), get(&req, "memory"), alloc_mem),
                with_pct(bytes_string(get(&lim, "memory")), get(&lim, "memory"), alloc_mem),
                age(p.metadata.creation_timestamp.as_ref(), now)
            ),
        );
        for (k, v) in req {
            *total_req.entry(k).or_default() += v;
        }
        for (k, v) in lim {
            *total_lim.entry(k).or_default() += v;
        }
    }
    o.w(0, "Allocated resources:\n");
    o.w(1, "(Total limits may be over 100 percent, i.e., overcommitted.)\n");
    o.w(1, "Resource\tRequests\tLimits\n");
    o.w(1, "--------\t--------\t------\n");
    let get = |m: &BTreeMap<String, i128>, k: &str| m.get(k).copied().unwrap_or(0);
    for (name, total, fmt) in [
        ("cpu", alloc_cpu, cpu_string as fn(i128) -> String),
        ("memory", alloc_mem, bytes_string),
        ("ephemeral-storage", alloc_eph, bytes_string),
    ] {
        let (r, l) = (get(&total_req, name), get(&total_lim, name));
        o.w(
            1,
            &format!(
                "{name}\t{}\t{}\n",
                with_pct(fmt(r), r, total),
                with_pct(fmt(l), l, total)
            ),
        );
    }
    for name in alloc.keys() {
        if name.starts_with("hugepages-") || (name.contains('/') && !name.starts_with("kubernetes.io/")) {
            let (r, l) = (get(&total_req, name), get(&total_lim, name));
            o.w(1, &format!("{name}\t{}\t{}\n", bytes_string(r), bytes_string(l)));
        }
    }
}

fn with_pct(text: String, value: i128, total: i128) -> String {
    let pct = if total == 0 {
        0
    } else {
        (value as f64 / total as f64 * 100.0) as i64
    };
    format!("{text} ({pct}%)")
}

pub use model::quantity::{milli, pod_requests_and_limits};

/// CPU in milli-cores as a quantity prints it: "0", "250m", "2".
pub fn cpu_string(m: i128) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

/// Bytes (in thousandths) as a quantity prints them: the largest exact binary suffix, else plain.
pub fn bytes_string(m: i128) -> String {
    let b = m / 1000;
    if b == 0 {
        return "0".into();
    }
    for (suffix, shift) in [("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)] {
        let unit = 1i128 << shift;
        if b % unit == 0 {
            return format!("{}{suffix}", b / unit);
        }
    }
    for (suffix, unit) in [
        ("E", 10i128.pow(18)),
        ("P", 10i128.pow(15)),
        ("T", 10i128.pow(12)),
        ("G", 10i128.pow(9)),
        ("M", 10i128.pow(6)),
        ("k", 1000),
    ] {
        if b % unit == 0 {
            return format!("{}{suffix}", b / unit);
        }
    }
    b.to_string()
}
