//! What a kubeadm node running for months carries beyond its spec: the images its kubelet reports
//! (every image it pulled, as `repo@digest` and `repo:tag`, largest first) and the managedFields
//! of the kubelet, kubeadm, the controller manager and the CNI that wrote it.

use serde_json::{Value, json};

use crate::controllers::kubelet_status::image_id;
use crate::managed::{self, Writer};

/// Images a worker has pulled over the cluster's life (older tags of upgraded apps included),
/// with their sizes in bytes as containerd reports them.
const WORKER_IMAGES: &[(&str, u64)] = &[
    ("quay.io/prometheus/prometheus:v3.2.1", 128_145_231),
    ("quay.io/prometheus/prometheus:v3.1.0", 126_702_964),
    ("docker.io/grafana/grafana:11.5.2", 121_842_108),
    ("docker.io/grafana/grafana:11.4.0", 119_325_812),
    ("registry.k8s.io/ingress-nginx/controller:v1.12.1", 110_983_524),
    ("registry.k8s.io/ingress-nginx/controller:v1.11.3", 107_296_441),
    ("docker.io/library/postgres:16.6", 158_373_221),
    ("docker.io/library/postgres:16.4", 157_996_032),
    ("docker.io/calico/node:v3.29.2", 142_624_119),
    ("docker.io/calico/cni:v3.29.2", 96_212_803),
    ("docker.io/calico/kube-controllers:v3.29.2", 35_129_740),
    ("registry.example.com/shop/api:2.14.1", 64_410_297),
    ("registry.example.com/shop/api:2.13.0", 64_222_118),
    ("registry.example.com/shop/cart:1.8.0", 48_760_035),
    ("registry.example.com/shop/checkout:3.2.0", 52_190_376),
    ("registry.example.com/shop/checkout:3.1.4", 52_044_902),
    ("registry.example.com/payments/ledger:0.9.3", 41_551_284),
    ("registry.example.com/payments/settle:2.0.1", 39_812_557),
    ("registry.example.com/payments/report:1.3.0", 44_107_691),
    ("docker.io/library/nginx:1.27", 72_195_292),
    ("docker.io/library/nginx:1.26", 71_010_435),
    ("docker.io/library/busybox:1.37", 2_155_712),
    ("docker.io/library/redis:7.4", 45_012_557),
    ("docker.io/bitnami/kubectl:1.33", 96_331_482),
    ("quay.io/prometheus/node-exporter:v1.9.0", 12_418_703),
    ("quay.io/prometheus/node-exporter:v1.8.2", 12_011_356),
    ("registry.k8s.io/metrics-server/metrics-server:v0.7.2", 19_494_617),
    ("registry.k8s.io/coredns/coredns:v1.12.0", 20_939_036),
    ("registry.k8s.io/kube-proxy:v1.33.4", 30_922_374),
    ("registry.k8s.io/kube-proxy:v1.32.2", 30_907_858),
    ("registry.k8s.io/pause:3.10", 320_368),
];

/// Images of the control-plane node: the static pods' and the node agents'.
const CONTROL_PLANE_IMAGES: &[(&str, u64)] = &[
    ("registry.k8s.io/etcd:3.5.21-0", 58_938_593),
    ("registry.k8s.io/kube-apiserver:v1.33.4", 30_071_307),
    ("registry.k8s.io/kube-controller-manager:v1.33.4", 26_065_224),
    ("registry.k8s.io/kube-scheduler:v1.33.4", 20_153_590),
    ("registry.k8s.io/kube-apiserver:v1.32.2", 28_671_624),
    ("registry.k8s.io/kube-controller-manager:v1.32.2", 26_259_392),
    ("registry.k8s.io/kube-scheduler:v1.32.2", 20_657_536),
    ("registry.k8s.io/etcd:3.5.16-0", 57_680_541),
    ("docker.io/calico/node:v3.29.2", 142_624_119),
    ("docker.io/calico/cni:v3.29.2", 96_212_803),
    ("registry.k8s.io/coredns/coredns:v1.12.0", 20_939_036),
    ("registry.k8s.io/kube-proxy:v1.33.4", 30_922_374),
    ("registry.k8s.io/kube-proxy:v1.32.2", 30_907_858),
    ("quay.io/prometheus/node-exporter:v1.9.0", 12_418_703),
    ("registry.k8s.io/pause:3.10", 320_368),
];

/// `status.images` as the kubelet reports it: largest first.
pub fn images(control_plane: bool) -> Value {
    let mut list: Vec<&(&str, u64)> = if control_plane {
        CONTROL_PLANE_IMAGES.iter().collect()
    } else {
        WORKER_IMAGES.iter().collect()
    };
    list.sort_by_key(|x| std::cmp::Reverse(x.1));
    list.iter()
        .map(|(image, size)| json!({"names": [image_id(image), image], "sizeBytes": size}))
        .collect()
}

/// What a v1.33 kubelet on containerd 2 reports besides conditions and images.
pub fn runtime(status: &mut Value) {
    let features = json!({"recursiveReadOnlyMounts": true, "userNamespaces": true});
    status["runtimeHandlers"] = json!([{"features": features, "name": "runc"}, {"features": features, "name": ""}]);
    status["features"] = json!({"supplementalGroupsPolicy": true});
}

fn entry(v: &mut Value, by: Writer, part: Value, sections: &[&str], at: &str) {
    let fields = managed::fields_of(&part, sections);
    managed::record(v, &by, "v1", fields, at);
}

/// managedFields of a node: kubelet registered it, kubeadm labelled it, the controller manager
/// gave it a pod CIDR, Calico annotated it and set NetworkUnavailable, and the kubelet posts status.
pub fn managed_fields(v: &mut Value, control_plane: bool, created: &str, heartbeat: &str) {
    let md = &v["metadata"];
    let pick = |m: &Value, keys: &[&str]| -> Value {
        keys.iter()
            .filter_map(|k| m.get(*k).map(|x| ((*k).to_string(), x.clone())))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let base_labels = [
        "beta.kubernetes.io/arch",
        "beta.kubernetes.io/os",
        "kubernetes.io/arch",
        "kubernetes.io/hostname",
        "kubernetes.io/os",
    ];
    let kubelet = json!({"metadata": {
        "annotations": pick(&md["annotations"], &["volumes.kubernetes.io/controller-managed-attach-detach"]),
        "labels": pick(&md["labels"], &base_labels)}});
    let mut kubeadm =
        json!({"metadata": {"annotations": pick(&md["annotations"], &["kubeadm.alpha.kubernetes.io/cri-socket"])}});
    if control_plane {
        kubeadm["metadata"]["labels"] = pick(
            &md["labels"],
            &[
                "node-role.kubernetes.io/control-plane",
                "node.kubernetes.io/exclude-from-external-load-balancers",
            ],
        );
    }
    let kcm = json!({"metadata": {"annotations": pick(&md["annotations"], &["node.alpha.kubernetes.io/ttl"])},
        "spec": {"podCIDR": v["spec"]["podCIDR"], "podCIDRs": v["spec"]["podCIDRs"]}});
    let calico = json!({"metadata": {"annotations": pick(&md["annotations"],
        &["projectcalico.org/IPv4Address", "projectcalico.org/IPv4IPIPTunnelAddr"])}});
    let net = v["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] == "NetworkUnavailable")
        .cloned()
        .collect::<Vec<_>>();
    let mut status = v["status"].clone();
    if let Some(cs) = status["conditions"].as_array_mut() {
        cs.retain(|c| c["type"] != "NetworkUnavailable");
    }
    let status = json!({"status": status});
    let calico_status = json!({"status": {"conditions": net}});
    entry(v, Writer::update("kubelet"), kubelet, &["metadata"], created);
    entry(v, Writer::update("kubeadm"), kubeadm, &["metadata"], created);
    entry(
        v,
        Writer::update("kube-controller-manager"),
        kcm,
        &["metadata", "spec"],
        created,
    );
    entry(v, Writer::update("calico-node"), calico, &["metadata"], created);
    entry(v, Writer::status("calico-node"), calico_status, &["status"], created);
    entry(v, Writer::status("kubelet"), status, &["status"], heartbeat);
}
