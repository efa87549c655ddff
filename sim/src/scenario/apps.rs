//! The applications: the shop (web, api, cart, a crash-looping checkout, recommendations with a
//! missing image) and payments (postgres, ledger, jobs and cron jobs).

use serde_json::{Value, json};

use super::build::{b64, container, deployment, http_port, labels, service, template};
use super::{DAY, put};
use crate::store::{Store, new_uid};

/// A StatefulSet with a `data` volume claim template of `size`.
pub fn statefulset(ns: &str, name: &str, replicas: i64, labels: &Value, tmpl: Value, size: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": "OrderedReady",
            "selector": {"matchLabels": {"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}},
            "template": tmpl, "revisionHistoryLimit": 10,
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                    "resources": {"requests": {"storage": size}}, "volumeMode": "Filesystem"}}]}})
}

/// Bound PVCs `data-<set>-<i>` and their PVs, as the provisioner leaves them.
pub fn claims(store: &Store, ns: &str, set: &str, replicas: usize, size: &str, age: i64) {
    for i in 0..replicas {
        let claim = format!("data-{set}-{i}");
        let pv = format!("pvc-{}", new_uid());
        let ann = json!({"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
            "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
            "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
            "volume.kubernetes.io/selected-node": format!("worker-{}", i % 2 + 1)});
        let pvc = json!({"metadata": {"name": claim, "namespace": ns, "labels": {"app.kubernetes.io/name": set},
            "annotations": ann, "finalizers": ["kubernetes.io/pvc-protection"]},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                "storageClassName": "standard", "volumeMode": "Filesystem", "volumeName": pv},
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}}});
        put(store, "PersistentVolumeClaim", pvc, age);
        let claim_uid = store
            .get(crate::resources::res("PersistentVolumeClaim"), ns, &claim)
            .map(|o| o.uid.clone())
            .unwrap_or_default();
        let v = json!({"metadata": {"name": pv, "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
            "finalizers": ["kubernetes.io/pv-protection"]},
            "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size},
                "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": claim, "namespace": ns, "uid": claim_uid},
                "hostPath": {"path": format!("/opt/local-path-provisioner/{pv}_{ns}_{claim}"), "type": "DirectoryOrCreate"},
                "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "standard", "volumeMode": "Filesystem",
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname",
                    "operator": "In", "values": [format!("worker-{}", i % 2 + 1)]}]}]}}},
            "status": {"phase": "Bound"}});
        put(store, "PersistentVolume", v, age);
    }
}

/// A backend Deployment listening on 8080 and its Service.
fn app(store: &Store, name: &str, image: &str, replicas: i64, ann: Value, age: i64, ip: &str) {
    let port = 8080;
    let l = labels(name, "shop");
    let mut c = container(name, image, port, "100m", "128Mi");
    c["env"] = json!([{"name": "LOG_LEVEL", "value": "info"},
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "shop-db", "key": "url"}}}]);
    c["envFrom"] = json!([{"configMapRef": {"name": "shop-config"}}]);
    let mut t = template(&l, ann, vec![c]);
    t["spec"]["serviceAccountName"] = json!("shop");
    put(store, "Deployment", deployment("shop", name, replicas, &l, t), age);
    put(
        store,
        "Service",
        service("shop", name, name, "ClusterIP", http_port(80), ip),
        age,
    );
}

fn shop(store: &Store) {
    let l = labels("web", "shop");
    let mut c = container("web", "nginx:1.27", 80, "50m", "64Mi");
    c["volumeMounts"] = json!([{"name": "site", "mountPath": "/etc/nginx/conf.d", "readOnly": true}]);
    let mut t = template(&l, json!({}), vec![c]);
    t["spec"]["volumes"] = json!([{"name": "site", "configMap": {"name": "web-nginx", "defaultMode": 420}}]);
    put(store, "Deployment", deployment("shop", "web", 3, &l, t), 30 * DAY);
    put(
        store,
        "Service",
        service("shop", "web", "web", "ClusterIP", http_port(80), "10.96.145.12"),
        30 * DAY,
    );
    app(
        store,
        "api",
        "registry.example.com/shop/api:2.14.1",
        2,
        json!({}),
        30 * DAY,
        "10.96.201.33",
    );
    app(
        store,
        "cart",
        "registry.example.com/shop/cart:1.8.0",
        2,
        json!({}),
        21 * DAY,
        "10.97.12.190",
    );
    app(
        store,
        "checkout",
        "registry.example.com/shop/checkout:3.2.0",
        1,
        json!({"sim.kubedeck.io/crash": "true"}),
        12 * DAY,
        "10.98.7.54",
    );
    app(
        store,
        "recommendations",
        "registry.example.com/shop/recs:does-not-exist",
        1,
        json!({}),
        3 * 3600,
        "10.99.40.3",
    );

    put(
        store,
        "HorizontalPodAutoscaler",
        json!({"metadata": {"name": "web", "namespace": "shop", "labels": labels("web", "shop")},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
        "status": {"currentReplicas": 3, "desiredReplicas": 3}}),
        29 * DAY,
    );
    put(
        store,
        "PodDisruptionBudget",
        json!({"metadata": {"name": "web", "namespace": "shop"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}}),
        29 * DAY,
    );
    put(
        store,
        "Ingress",
        json!({"metadata": {"name": "shop", "namespace": "shop", "annotations": {
            "nginx.ingress.kubernetes.io/ssl-redirect": "true", "cert-manager.io/cluster-issuer": "letsencrypt"}},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
            "rules": [{"host": "shop.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}}),
        30 * DAY,
    );
    put(
        store,
        "ConfigMap",
        json!({"metadata": {"name": "shop-config", "namespace": "shop"},
        "data": {"CURRENCY": "EUR", "FEATURE_RECOMMENDATIONS": "true", "CART_TTL": "24h"}}),
        30 * DAY,
    );
    put(
        store,
        "ConfigMap",
        json!({"metadata": {"name": "web-nginx", "namespace": "shop"},
        "data": {"default.conf": "server {\n  listen 80;\n  location / { root /usr/share/nginx/html; }\n  location /api/ { proxy_pass http://api.shop.svc; }\n}\n"}}),
        30 * DAY,
    );
    put(
        store,
        "Secret",
        json!({"metadata": {"name": "shop-db", "namespace": "shop"}, "type": "Opaque",
        "data": {"username": b64("shop"), "password": b64("s3cr3t-demo-only"),
            "url": b64("postgres://shop:s3cr3t-demo-only@postgres.payments.svc:5432/shop")}}),
        30 * DAY,
    );
    // Text and binary values side by side (the keys view shows the binary one as a hex dump).
    let icon: &[u8] = &[
        0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0, 0x68, 4, 0, 0, 0x16, 0, 0, 0,
    ];
    put(
        store,
        "ConfigMap",
        json!({"metadata": {"name": "brand", "namespace": "shop", "labels": labels("web", "shop")},
        "data": {"tagline": "Everything you need, delivered.", "theme.json": "{\n  \"primary\": \"#0b7285\",\n  \"font\": \"Inter\"\n}\n"},
        "binaryData": {"favicon.ico": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, icon)}}),
        30 * DAY,
    );
    // A claim no provisioner can satisfy (no such storage class): Pending, bound to no volume.
    put(
        store,
        "PersistentVolumeClaim",
        json!({"metadata": {"name": "uploads", "namespace": "shop", "labels": labels("cart", "shop")},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "10Gi"}},
            "storageClassName": "fast-ssd", "volumeMode": "Filesystem"},
        "status": {"phase": "Pending"}}),
        2 * DAY,
    );
    let crt = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUdemo0000000000000000000000000wCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";
    let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIDemoOnlyNotARealKey0000000000000000000000000000oAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n";
    put(
        store,
        "Secret",
        json!({"metadata": {"name": "shop-tls", "namespace": "shop",
        "annotations": {"cert-manager.io/common-name": "shop.example.com"}}, "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64(crt), "tls.key": b64(key)}}),
        30 * DAY,
    );
    put(
        store,
        "NetworkPolicy",
        json!({"metadata": {"name": "api-allow-web", "namespace": "shop"},
        "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}, "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}},
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
                "ports": [{"protocol": "TCP", "port": 8080}]}]}}),
        20 * DAY,
    );
}

fn job_template(name: &str, image: &str, secs: &str) -> Value {
    let l = json!({"app.kubernetes.io/name": name});
    let c = json!({"name": name, "image": image, "command": ["/bin/sh", "-c", format!("run-{name}")],
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}}});
    let mut t = template(&l, json!({"sim.kubedeck.io/run-seconds": secs}), vec![c]);
    t["spec"]["restartPolicy"] = json!("OnFailure");
    t
}

fn payments(store: &Store) {
    let l = labels("postgres", "payments");
    let mut c = container("postgres", "docker.io/library/postgres:16.6", 5432, "250m", "1Gi");
    c["ports"] = json!([{"name": "postgres", "containerPort": 5432, "protocol": "TCP"}]);
    c["readinessProbe"] = json!({"exec": {"command": ["pg_isready", "-U", "postgres"]}, "periodSeconds": 10, "timeoutSeconds": 1,
        "successThreshold": 1, "failureThreshold": 3});
    c["livenessProbe"] = c["readinessProbe"].clone();
    c["env"] = json!([{"name": "POSTGRES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "postgres", "key": "password"}}},
        {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"}]);
    c["volumeMounts"] = json!([{"name": "data", "mountPath": "/var/lib/postgresql/data"}]);
    put(
        store,
        "StatefulSet",
        statefulset("payments", "postgres", 3, &l, template(&l, json!({}), vec![c]), "20Gi"),
        60 * DAY,
    );
    let mut svc = service(
        "payments",
        "postgres",
        "postgres",
        "ClusterIP",
        json!([{"name": "postgres", "port": 5432, "targetPort": "postgres", "protocol": "TCP"}]),
        "None",
    );
    svc["spec"]["clusterIPs"] = json!(["None"]);
    svc["spec"]["publishNotReadyAddresses"] = json!(true);
    put(store, "Service", svc, 60 * DAY);
    put(
        store,
        "Ingress",
        json!({"metadata": {"name": "ledger-internal", "namespace": "payments"},
        "spec": {"ingressClassName": "nginx", "defaultBackend": {"service": {"name": "ledger", "port": {"number": 80}}},
            "rules": [{"host": "ledger.payments.internal", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "ledger", "port": {"number": 80}}}}]}}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "10.0.40.7"}]}}}),
        50 * DAY,
    );
    put(
        store,
        "Secret",
        json!({"metadata": {"name": "postgres", "namespace": "payments"}, "type": "Opaque",
        "data": {"password": b64("pg-demo-password")}}),
        60 * DAY,
    );

    let l = labels("ledger", "payments");
    let c = container(
        "ledger",
        "registry.example.com/payments/ledger:0.9.3",
        8080,
        "200m",
        "256Mi",
    );
    put(
        store,
        "Deployment",
        deployment("payments", "ledger", 2, &l, template(&l, json!({}), vec![c])),
        50 * DAY,
    );
    put(
        store,
        "Service",
        service(
            "payments",
            "ledger",
            "ledger",
            "ClusterIP",
            http_port(80),
            "10.102.3.88",
        ),
        50 * DAY,
    );

    let mut t = job_template("db-migrate", "registry.example.com/payments/ledger:0.9.3", "3");
    t["metadata"]["labels"]["batch.kubernetes.io/job-name"] = json!("db-migrate-29161440");
    put(
        store,
        "Job",
        json!({"metadata": {"name": "db-migrate-29161440", "namespace": "payments", "labels": {"app.kubernetes.io/name": "db-migrate"}},
        "spec": {"backoffLimit": 6, "completions": 1, "parallelism": 1, "completionMode": "NonIndexed",
            "template": t}}),
        2 * DAY,
    );
    for (name, schedule, image) in [
        (
            "nightly-report",
            "0 2 * * *",
            "registry.example.com/payments/report:1.3.0",
        ),
        ("settle", "*/5 * * * *", "registry.example.com/payments/settle:2.0.1"),
    ] {
        put(
            store,
            "CronJob",
            json!({"metadata": {"name": name, "namespace": "payments", "labels": {"app.kubernetes.io/name": name}},
            "spec": {"schedule": schedule, "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                "suspend": false, "jobTemplate": {"spec": {"backoffLimit": 2, "template": job_template(name, image, "4")}}}}),
            45 * DAY,
        );
    }
}

/// Loads the shop and payments applications, with the claims of every StatefulSet.
pub fn load(store: &Store) {
    shop(store);
    payments(store);
    claims(store, "payments", "postgres", 3, "20Gi", 60 * DAY);
    claims(store, "monitoring", "prometheus", 1, "50Gi", 40 * DAY);
}
