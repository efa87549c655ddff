//! Builders for the scenario's objects, shaped as `kubectl get -o yaml` shows them.

use serde_json::{Value, json};

/// Standard app labels.
pub fn labels(name: &str, part_of: &str) -> Value {
    json!({"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name, "app.kubernetes.io/part-of": part_of})
}

/// A container with a port, requests/limits and HTTP probes on it.
pub fn container(name: &str, image: &str, port: i64, cpu: &str, mem: &str) -> Value {
    let probe = |path: &str| {
        json!({"httpGet": {"path": path, "port": port, "scheme": "HTTP"},
        "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
    };
    json!({"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}},
        "readinessProbe": probe("/ready"), "livenessProbe": probe("/healthz"),
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"})
}

/// A pod template around containers.
pub fn template(labels: &Value, annotations: Value, containers: Vec<Value>) -> Value {
    json!({"metadata": {"labels": labels, "annotations": annotations},
        "spec": {"containers": containers, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler", "securityContext": {}, "terminationGracePeriodSeconds": 30}})
}

/// A Deployment.
pub fn deployment(ns: &str, name: &str, replicas: i64, labels: &Value, tmpl: Value) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}},
            "template": tmpl, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}})
}

/// A Service selecting `app.kubernetes.io/name: app`.
pub fn service(ns: &str, name: &str, app: &str, ty: &str, ports: Value, cluster_ip: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/name": app}},
        "spec": {"type": ty, "selector": {"app.kubernetes.io/name": app}, "ports": ports,
            "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster", "sessionAffinity": "None"},
        "status": {"loadBalancer": {}}})
}

/// One service port to the container's named `http` port.
pub fn http_port(port: i64) -> Value {
    json!([{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}])
}

/// Base64 of a string, as Secret data holds it.
pub fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
