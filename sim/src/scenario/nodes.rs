//! Nodes (one control plane, workers, the last worker NotReady) and the static control-plane pods.

use serde_json::{Value, json};

use super::{DAY, put};
use crate::controllers::kubelet_status::set_condition;
use crate::controllers::kubelet_steps::warm_status;
use crate::controllers::leases::mark_unreachable;
use crate::controllers::simkit::{ago, rand_hex};
use crate::resources::res;
use crate::store::Store;

const K8S: &str = "v1.33.4";
/// The control-plane node's address (its static pods use the host network).
const CP_IP: &str = "192.168.10.10";

fn cond(ty: &str, status: &str, reason: &str, msg: &str, since: i64) -> Value {
    json!({"type": ty, "status": status, "reason": reason, "message": msg,
        "lastHeartbeatTime": ago(5), "lastTransitionTime": ago(since)})
}

fn node(name: &str, idx: u32, control_plane: bool, age: i64) -> Value {
    let mut v = node_body(name, idx, control_plane, age);
    super::node_status::runtime(&mut v["status"]);
    super::node_status::managed_fields(&mut v, control_plane, &ago(age), &ago(5));
    v
}

fn node_body(name: &str, idx: u32, control_plane: bool, age: i64) -> Value {
    let ip = format!("192.168.10.{}", 10 + idx);
    let mut labels = json!({"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"});
    let mut spec = json!({"podCIDR": format!("10.244.{idx}.0/24"), "podCIDRs": [format!("10.244.{idx}.0/24")]});
    if control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = json!("");
        spec["taints"] = json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    } else {
        labels["topology.kubernetes.io/zone"] = json!(format!("zone-{}", ["a", "b", "c"][idx as usize % 3]));
    }
    json!({
        "metadata": {"name": name, "labels": labels, "annotations": {
            "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
            "node.alpha.kubernetes.io/ttl": "0",
            "projectcalico.org/IPv4Address": format!("{ip}/24"),
            "projectcalico.org/IPv4IPIPTunnelAddr": format!("10.244.{idx}.1"),
            "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": spec,
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "capacity": {"cpu": "4", "ephemeral-storage": "102626232Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": "16375780Ki", "pods": "110"},
            "allocatable": {"cpu": "4", "ephemeral-storage": "94580335255", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                "memory": "16273380Ki", "pods": "110"},
            "conditions": [
                cond("NetworkUnavailable", "False", "CalicoIsUp", "Calico is running on this node", age - 60),
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", age),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", age),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", age),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status", age - 30),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": super::node_status::images(control_plane),
            "nodeInfo": {"architecture": "amd64", "bootID": crate::store::new_uid(),
                "containerRuntimeVersion": "containerd://1.7.27", "kernelVersion": "6.8.0-51-generic",
                "kubeProxyVersion": K8S, "kubeletVersion": K8S, "machineID": rand_hex(32),
                "operatingSystem": "linux", "osImage": "Ubuntu 24.04.1 LTS", "systemUUID": crate::store::new_uid()},
        },
    })
}

/// Creates the nodes: `control-plane-1` and `worker-1..workers`, the last worker NotReady when there are 3 or more.
pub fn load(store: &Store, workers: usize) {
    put(store, "Node", node("control-plane-1", 0, true, 90 * DAY), 90 * DAY);
    for i in 1..=workers {
        let name = format!("worker-{i}");
        let age = (90 - i as i64) * DAY;
        let mut v = node(&name, i as u32, false, age);
        if workers >= 3 && i == workers {
            // Its kubelet stopped posting status 17 minutes ago.
            mark_unreachable(&mut v, &ago(17 * 60));
            for c in v["status"]["conditions"].as_array_mut().into_iter().flatten() {
                if c["type"] != "NetworkUnavailable" {
                    c["lastHeartbeatTime"] = json!(ago(18 * 60));
                }
            }
        }
        put(store, "Node", v, age);
    }
    static_pods(store);
}

fn static_pod(store: &Store, component: &str, image: &str, command: Vec<String>, cpu: &str, port: i64, node_uid: &str) {
    let name = format!("{component}-control-plane-1");
    let hash = rand_hex(32);
    let mut ann = json!({"kubernetes.io/config.hash": hash, "kubernetes.io/config.mirror": hash,
        "kubernetes.io/config.seen": ago(90 * DAY), "kubernetes.io/config.source": "file"});
    if component == "kube-apiserver" {
        ann["kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"] = json!("192.168.10.10:6443");
    }
    if component == "etcd" {
        ann["kubeadm.kubernetes.io/etcd.advertise-client-urls"] = json!("https://192.168.10.10:2379");
    }
    let scheme = if component == "etcd" { "HTTP" } else { "HTTPS" };
    let path = if component == "etcd" { "/livez" } else { "/healthz" };
    let probe = json!({"httpGet": {"host": if component == "kube-apiserver" { CP_IP } else { "127.0.0.1" },
        "path": path, "port": port, "scheme": scheme}, "initialDelaySeconds": 10, "periodSeconds": 10,
        "timeoutSeconds": 15, "failureThreshold": 8, "successThreshold": 1});
    let mut v = json!({
        "metadata": {"name": name, "namespace": "kube-system",
            "labels": {"component": component, "tier": "control-plane"}, "annotations": ann,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "control-plane-1", "uid": node_uid, "controller": true}]},
        "spec": {
            "containers": [{"name": component, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
                "resources": {"requests": {"cpu": cpu}}, "livenessProbe": probe.clone(), "startupProbe": probe,
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "volumeMounts": [{"mountPath": "/etc/kubernetes/pki", "name": "k8s-certs", "readOnly": true}]}],
            "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "hostNetwork": true, "nodeName": "control-plane-1",
            "preemptionPolicy": "PreemptLowerPriority", "priority": 2000001000, "priorityClassName": "system-node-critical",
            "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "terminationGracePeriodSeconds": 30,
            "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
            "volumes": [{"name": "k8s-certs", "hostPath": {"path": "/etc/kubernetes/pki", "type": "DirectoryOrCreate"}}],
        },
    });
    // The cluster has been up for 90 days: its control plane is already running when the demo
    // starts, rather than replaying its boot for the first seconds (which showed a new user
    // "6 PROBLEMS" and made a test reading the control plane right after start a race).
    let since = ago(90 * DAY - 60);
    let mut status = warm_status(&v, CP_IP, CP_IP, &since);
    set_condition(&mut status, "PodScheduled", "True", None, None, &since);
    v["status"] = status;
    put(store, "Pod", v, 90 * DAY);
}

fn static_pods(store: &Store) {
    let Some(cp) = store.get(res("Node"), "", "control-plane-1") else {
        return;
    };
    let args = |bin: &str, a: &[&str]| -> Vec<String> {
        std::iter::once(bin.to_string())
            .chain(a.iter().map(|s| format!("--{s}")))
            .collect()
    };
    static_pod(
        store,
        "etcd",
        "registry.k8s.io/etcd:3.5.21-0",
        args(
            "etcd",
            &[
                "advertise-client-urls=https://192.168.10.10:2379",
                "data-dir=/var/lib/etcd",
                "listen-client-urls=https://127.0.0.1:2379,https://192.168.10.10:2379",
                "name=control-plane-1",
            ],
        ),
        "100m",
        2381,
        &cp.uid,
    );
    static_pod(
        store,
        "kube-apiserver",
        &format!("registry.k8s.io/kube-apiserver:{K8S}"),
        args(
            "kube-apiserver",
            &[
                "advertise-address=192.168.10.10",
                "allow-privileged=true",
                "authorization-mode=Node,RBAC",
                "enable-admission-plugins=NodeRestriction",
                "etcd-servers=https://127.0.0.1:2379",
                "secure-port=6443",
                "service-cluster-ip-range=10.96.0.0/12",
            ],
        ),
        "250m",
        6443,
        &cp.uid,
    );
    static_pod(
        store,
        "kube-controller-manager",
        &format!("registry.k8s.io/kube-controller-manager:{K8S}"),
        args(
            "kube-controller-manager",
            &[
                "allocate-node-cidrs=true",
                "cluster-cidr=10.244.0.0/16",
                "leader-elect=true",
                "use-service-account-credentials=true",
            ],
        ),
        "200m",
        10257,
        &cp.uid,
    );
    static_pod(
        store,
        "kube-scheduler",
        &format!("registry.k8s.io/kube-scheduler:{K8S}"),
        args(
            "kube-scheduler",
            &[
                "bind-address=127.0.0.1",
                "kubeconfig=/etc/kubernetes/scheduler.conf",
                "leader-elect=true",
            ],
        ),
        "100m",
        10259,
        &cp.uid,
    );
}
