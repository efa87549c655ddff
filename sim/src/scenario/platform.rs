//! kube-system add-ons, the ingress controller and the monitoring stack.

use serde_json::{Value, json};

use super::build::{container, deployment, http_port, labels, service, template};
use super::{DAY, put};
use crate::store::Store;

fn daemonset(ns: &str, name: &str, labels: &Value, tmpl: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}},
            "template": tmpl, "revisionHistoryLimit": 10,
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}}})
}

fn kube_system(store: &Store) {
    let dns = json!({"k8s-app": "kube-dns", "app.kubernetes.io/name": "coredns"});
    let mut c = container(
        "coredns",
        "registry.k8s.io/coredns/coredns:v1.12.0",
        8080,
        "100m",
        "70Mi",
    );
    c["args"] = json!(["-conf", "/etc/coredns/Corefile"]);
    c["ports"] = json!([{"name": "dns", "containerPort": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}, {"name": "metrics", "containerPort": 9153, "protocol": "TCP"},
        {"name": "http", "containerPort": 8080, "protocol": "TCP"}]);
    c["resources"]["limits"] = json!({"memory": "170Mi"});
    let mut t = template(&dns, json!({}), vec![c]);
    t["spec"]["priorityClassName"] = json!("system-cluster-critical");
    t["spec"]["serviceAccountName"] = json!("coredns");
    t["spec"]["tolerations"] = json!([{"key": "CriticalAddonsOnly", "operator": "Exists"},
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    t["spec"]["volumes"] = json!([{"name": "config-volume", "configMap": {"name": "coredns", "defaultMode": 420,
        "items": [{"key": "Corefile", "path": "Corefile"}]}}]);
    let mut d = deployment("kube-system", "coredns", 2, &dns, t);
    d["spec"]["selector"] = json!({"matchLabels": {"k8s-app": "kube-dns"}});
    put(store, "Deployment", d, 90 * DAY);
    put(
        store,
        "ConfigMap",
        json!({"metadata": {"name": "coredns", "namespace": "kube-system"},
        "data": {"Corefile": ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}}),
        90 * DAY,
    );
    let mut svc = service(
        "kube-system",
        "kube-dns",
        "coredns",
        "ClusterIP",
        json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}, {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]),
        "10.96.0.10",
    );
    svc["metadata"]["labels"] =
        json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"});
    svc["spec"]["selector"] = json!({"k8s-app": "kube-dns"});
    put(store, "Service", svc, 90 * DAY);

    let proxy = json!({"k8s-app": "kube-proxy", "app.kubernetes.io/name": "kube-proxy"});
    let pc = json!({"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.33.4", "imagePullPolicy": "IfNotPresent",
        "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
        "securityContext": {"privileged": true}, "resources": {}});
    let mut t = template(&proxy, json!({}), vec![pc]);
    t["spec"]["hostNetwork"] = json!(true);
    t["spec"]["priorityClassName"] = json!("system-node-critical");
    t["spec"]["serviceAccountName"] = json!("kube-proxy");
    t["spec"]["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
    t["spec"]["tolerations"] = json!([{"operator": "Exists"}]);
    let mut ds = daemonset("kube-system", "kube-proxy", &proxy, t);
    ds["spec"]["selector"] = json!({"matchLabels": {"k8s-app": "kube-proxy"}});
    put(store, "DaemonSet", ds, 90 * DAY);

    // The API server's own service and endpoints (no selector: the API server maintains them).
    put(
        store,
        "Service",
        json!({"metadata": {"name": "kubernetes", "namespace": "default",
        "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster", "sessionAffinity": "None",
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}, "status": {"loadBalancer": {}}}),
        90 * DAY,
    );
    put(
        store,
        "Endpoints",
        json!({"metadata": {"name": "kubernetes", "namespace": "default",
        "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": "192.168.10.10"}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]}),
        90 * DAY,
    );
    put(
        store,
        "EndpointSlice",
        json!({"metadata": {"name": "kubernetes", "namespace": "default",
        "labels": {"kubernetes.io/service-name": "kubernetes"}}, "addressType": "IPv4",
        "endpoints": [{"addresses": ["192.168.10.10"], "conditions": {"ready": true}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}),
        90 * DAY,
    );
}

fn ingress_nginx(store: &Store) {
    let l = labels("ingress-nginx", "ingress-nginx");
    let mut c = container(
        "controller",
        "registry.k8s.io/ingress-nginx/controller:v1.12.1",
        80,
        "100m",
        "90Mi",
    );
    c["args"] = json!([
        "/nginx-ingress-controller",
        "--election-id=ingress-nginx-leader",
        "--controller-class=k8s.io/ingress-nginx",
        "--ingress-class=nginx",
        "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"
    ]);
    c["env"] = json!([{"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]);
    c["ports"] = json!([{"name": "http", "containerPort": 80, "protocol": "TCP"}, {"name": "https", "containerPort": 443, "protocol": "TCP"}]);
    let mut t = template(&l, json!({}), vec![c]);
    t["spec"]["serviceAccountName"] = json!("ingress-nginx");
    put(
        store,
        "Deployment",
        deployment("ingress-nginx", "ingress-nginx-controller", 1, &l, t),
        45 * DAY,
    );
    let mut svc = service(
        "ingress-nginx",
        "ingress-nginx-controller",
        "ingress-nginx",
        "LoadBalancer",
        json!([{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "nodePort": 31080, "appProtocol": "http"},
            {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP", "nodePort": 31443, "appProtocol": "https"}]),
        "10.103.41.7",
    );
    svc["spec"]["externalTrafficPolicy"] = json!("Local");
    svc["spec"]["healthCheckNodePort"] = json!(32109);
    svc["spec"]["allocateLoadBalancerNodePorts"] = json!(true);
    svc["status"] = json!({"loadBalancer": {"ingress": [{"ip": "203.0.113.10", "ipMode": "VIP"}]}});
    put(store, "Service", svc, 45 * DAY);
    put(
        store,
        "ConfigMap",
        json!({"metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx", "labels": l},
        "data": {"allow-snippet-annotations": "false", "use-forwarded-headers": "true"}}),
        45 * DAY,
    );
}

fn monitoring(store: &Store) {
    let l = labels("prometheus", "monitoring");
    let mut c = container(
        "prometheus",
        "quay.io/prometheus/prometheus:v3.2.1",
        9090,
        "500m",
        "2Gi",
    );
    c["args"] = json!([
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.retention.time=15d"
    ]);
    c["volumeMounts"] = json!([{"name": "data", "mountPath": "/prometheus"}]);
    let mut t = template(&l, json!({}), vec![c]);
    t["spec"]["serviceAccountName"] = json!("prometheus");
    put(
        store,
        "StatefulSet",
        super::apps::statefulset("monitoring", "prometheus", 1, &l, t, "50Gi"),
        40 * DAY,
    );
    put(
        store,
        "Service",
        service(
            "monitoring",
            "prometheus",
            "prometheus",
            "ClusterIP",
            http_port(9090),
            "10.100.12.4",
        ),
        40 * DAY,
    );

    let l = labels("node-exporter", "monitoring");
    let mut c = container(
        "node-exporter",
        "quay.io/prometheus/node-exporter:v1.9.0",
        9100,
        "50m",
        "64Mi",
    );
    c["args"] = json!([
        "--path.procfs=/host/proc",
        "--path.sysfs=/host/sys",
        "--path.rootfs=/host/root"
    ]);
    let mut t = template(&l, json!({}), vec![c]);
    t["spec"]["hostNetwork"] = json!(true);
    t["spec"]["hostPID"] = json!(true);
    t["spec"]["tolerations"] = json!([{"operator": "Exists", "effect": "NoSchedule"}]);
    put(
        store,
        "DaemonSet",
        daemonset("monitoring", "node-exporter", &l, t),
        40 * DAY,
    );

    let l = labels("grafana", "monitoring");
    let mut c = container("grafana", "docker.io/grafana/grafana:11.5.2", 3000, "100m", "256Mi");
    c["env"] = json!([{"name": "GF_SECURITY_ADMIN_USER", "valueFrom": {"secretKeyRef": {"name": "grafana", "key": "admin-user"}}},
        {"name": "GF_SECURITY_ADMIN_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "grafana", "key": "admin-password"}}}]);
    put(
        store,
        "Deployment",
        deployment("monitoring", "grafana", 1, &l, template(&l, json!({}), vec![c])),
        38 * DAY,
    );
    let mut svc = service(
        "monitoring",
        "grafana",
        "grafana",
        "NodePort",
        http_port(80),
        "10.104.77.21",
    );
    svc["spec"]["ports"][0]["nodePort"] = json!(30300);
    svc["spec"]["externalTrafficPolicy"] = json!("Cluster");
    put(store, "Service", svc, 38 * DAY);
    put(
        store,
        "Secret",
        json!({"metadata": {"name": "grafana", "namespace": "monitoring", "labels": l}, "type": "Opaque",
        "data": {"admin-user": super::build::b64("admin"), "admin-password": super::build::b64("pr0m-demo-Passw0rd")}}),
        38 * DAY,
    );
}

/// Loads kube-system add-ons, ingress-nginx and monitoring.
pub fn load(store: &Store) {
    kube_system(store);
    ingress_nginx(store);
    monitoring(store);
}
