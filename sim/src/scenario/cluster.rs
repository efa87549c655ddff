//! Cluster-wide objects: service accounts, RBAC, storage and ingress classes, API services and webhooks.

use serde_json::json;

use super::{DAY, NAMESPACES, put};
use crate::resources::res;
use crate::store::Store;

fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> serde_json::Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

fn api_service(store: &Store, group: &str, version: &str, service: Option<(&str, &str)>) {
    let name = format!("{version}.{}", if group.is_empty() { "" } else { group });
    let name = name.trim_end_matches('.').to_string();
    let (spec, cond) = match service {
        None => (
            json!({"group": group, "version": version, "groupPriorityMinimum": 17800, "versionPriority": 15}),
            json!({"type": "Available", "status": "True", "reason": "Local", "message": "Local APIServices are always available", "lastTransitionTime": super::ago(90 * DAY)}),
        ),
        Some((ns, svc)) => (
            json!({"group": group, "version": version, "groupPriorityMinimum": 100, "versionPriority": 100,
                "insecureSkipTLSVerify": true, "service": {"namespace": ns, "name": svc, "port": 443}}),
            json!({"type": "Available", "status": "True", "reason": "Passed",
                "message": "all checks passed", "lastTransitionTime": super::ago(20 * DAY)}),
        ),
    };
    let labels = if service.is_none() {
        json!({"kube-aggregator.kubernetes.io/automanaged": "onstart"})
    } else {
        json!({"k8s-app": "metrics-server"})
    };
    put(
        store,
        "APIService",
        json!({"metadata": {"name": name, "labels": labels}, "spec": spec, "status": {"conditions": [cond]}}),
        90 * DAY,
    );
}

/// Marks the `v1beta1.metrics.k8s.io` APIService Available or not, as the aggregator does when
/// metrics-server's endpoints come and go.
pub fn set_metrics_available(store: &Store, up: bool) {
    let cond = if up {
        json!({"type": "Available", "status": "True", "reason": "Passed", "message": "all checks passed",
            "lastTransitionTime": crate::store::now_str()})
    } else {
        json!({"type": "Available", "status": "False", "reason": "MissingEndpoints",
            "message": "endpoints for service/metrics-server in \"kube-system\" have no addresses with port name \"https\"",
            "lastTransitionTime": crate::store::now_str()})
    };
    let _ = store.update_with(res("APIService"), "", "v1beta1.metrics.k8s.io", |v| {
        v["status"]["conditions"] = json!([cond]);
        Ok(())
    });
}

/// Loads service accounts, RBAC, storage, ingress classes, API services and the webhook.
pub fn load(store: &Store) {
    for ns in NAMESPACES {
        put(
            store,
            "ServiceAccount",
            json!({"metadata": {"name": "default", "namespace": ns}}),
            60 * DAY,
        );
        put(
            store,
            "ConfigMap",
            json!({"metadata": {"name": "kube-root-ca.crt", "namespace": ns,
            "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIdemo\n-----END CERTIFICATE-----\n"}}),
            60 * DAY,
        );
    }
    for (ns, sa) in [
        ("kube-system", "coredns"),
        ("kube-system", "kube-proxy"),
        ("shop", "shop"),
        ("monitoring", "prometheus"),
        ("ingress-nginx", "ingress-nginx"),
    ] {
        put(
            store,
            "ServiceAccount",
            json!({"metadata": {"name": sa, "namespace": ns}}),
            45 * DAY,
        );
    }
    let boot = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
    let agg = |k: &str| json!({"kubernetes.io/bootstrapping": "rbac-defaults", format!("rbac.authorization.k8s.io/aggregate-to-{k}"): "true"});
    put(
        store,
        "ClusterRole",
        json!({"metadata": {"name": "cluster-admin", "labels": boot,
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
        "rules": [rule(&["*"], &["*"], &["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]}),
        90 * DAY,
    );
    put(
        store,
        "ClusterRole",
        json!({"metadata": {"name": "view", "labels": agg("edit")},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]},
        "rules": [rule(&["", "apps", "batch"], &["pods", "services", "deployments", "jobs", "configmaps"], &["get", "list", "watch"])]}),
        90 * DAY,
    );
    put(
        store,
        "ClusterRole",
        json!({"metadata": {"name": "edit", "labels": agg("admin")},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}]},
        "rules": [rule(&["", "apps", "batch"], &["pods", "services", "deployments", "jobs", "configmaps", "secrets"],
            &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])]}),
        90 * DAY,
    );
    put(
        store,
        "ClusterRole",
        json!({"metadata": {"name": "prometheus", "labels": {"app.kubernetes.io/name": "prometheus"}},
        "rules": [rule(&[""], &["nodes", "nodes/metrics", "services", "endpoints", "pods"], &["get", "list", "watch"]),
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]}),
        40 * DAY,
    );
    put(
        store,
        "ClusterRoleBinding",
        json!({"metadata": {"name": "cluster-admin", "labels": boot},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]}),
        90 * DAY,
    );
    put(
        store,
        "ClusterRoleBinding",
        json!({"metadata": {"name": "prometheus"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "prometheus"},
        "subjects": [{"kind": "ServiceAccount", "name": "prometheus", "namespace": "monitoring"}]}),
        40 * DAY,
    );
    put(
        store,
        "Role",
        json!({"metadata": {"name": "config-reader", "namespace": "shop"},
        "rules": [rule(&[""], &["configmaps", "secrets"], &["get", "list", "watch"])]}),
        30 * DAY,
    );
    put(
        store,
        "RoleBinding",
        json!({"metadata": {"name": "shop-config-reader", "namespace": "shop"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "config-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "shop", "namespace": "shop"}]}),
        30 * DAY,
    );
    put(
        store,
        "RoleBinding",
        json!({"metadata": {"name": "developers-view", "namespace": "payments"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "developers"}]}),
        30 * DAY,
    );

    put(
        store,
        "StorageClass",
        json!({"metadata": {"name": "standard",
        "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": false}),
        90 * DAY,
    );
    put(
        store,
        "IngressClass",
        json!({"metadata": {"name": "nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"},
        "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "k8s.io/ingress-nginx"}}),
        45 * DAY,
    );

    for (g, v) in [
        ("", "v1"),
        ("apps", "v1"),
        ("batch", "v1"),
        ("discovery.k8s.io", "v1"),
        ("networking.k8s.io", "v1"),
        ("rbac.authorization.k8s.io", "v1"),
        ("storage.k8s.io", "v1"),
        ("autoscaling", "v2"),
        ("coordination.k8s.io", "v1"),
        ("policy", "v1"),
        ("apiregistration.k8s.io", "v1"),
        ("admissionregistration.k8s.io", "v1"),
    ] {
        api_service(store, g, v, None);
    }
    api_service(
        store,
        "metrics.k8s.io",
        "v1beta1",
        Some(("kube-system", "metrics-server")),
    );

    put(
        store,
        "ValidatingWebhookConfiguration",
        json!({"metadata": {"name": "policy-guard"},
        "webhooks": [{"name": "validate.policy-guard.example.com", "admissionReviewVersions": ["v1"],
            "clientConfig": {"service": {"namespace": "policy", "name": "guard", "path": "/validate", "port": 443},
                "caBundle": super::build::b64("demo-ca")},
            "failurePolicy": "Fail", "matchPolicy": "Equivalent", "sideEffects": "None", "timeoutSeconds": 10,
            "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]},
            "objectSelector": {},
            "rules": [{"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                "resources": ["deployments"], "scope": "Namespaced"}]}]}),
        10 * DAY,
    );
}
