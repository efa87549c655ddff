//! Custom resources: cert-manager's Certificates and ClusterIssuers, and a database operator's
//! PostgresClusters (names and group as Crunchy PGO's; a simplified spec with a top-level
//! `replicas` so it can carry a scale subresource).

use serde_json::{Value, json};

use super::{DAY, ago, put};
use crate::crd::controller;
use crate::events::{Source, record};
use crate::store::{Origin, Served, Store};

/// A schema that keeps whatever `spec` and `status` hold (the demo validates no custom fields).
fn schema() -> Value {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    json!({"openAPIV3Schema": {"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
        "spec": open, "status": open}}})
}

fn ready_columns(extra: Vec<Value>) -> Vec<Value> {
    let mut cols =
        vec![json!({"jsonPath": ".status.conditions[?(@.type==\"Ready\")].status", "name": "Ready", "type": "string"})];
    cols.extend(extra);
    cols.push(json!({"jsonPath": ".status.conditions[?(@.type==\"Ready\")].message", "name": "Status", "priority": 1, "type": "string"}));
    cols.push(json!({"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date",
        "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC."}));
    cols
}

/// The Certificate CRD (cert-manager v1).
pub fn certificate_crd() -> Value {
    let cols = ready_columns(vec![
        json!({"jsonPath": ".spec.secretName", "name": "Secret", "type": "string"}),
        json!({"jsonPath": ".spec.issuerRef.name", "name": "Issuer", "priority": 1, "type": "string"}),
    ]);
    json!({"metadata": {"name": "certificates.cert-manager.io",
            "labels": {"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager"}},
        "spec": {"group": "cert-manager.io", "scope": "Namespaced",
            "names": {"kind": "Certificate", "listKind": "CertificateList", "plural": "certificates",
                "singular": "certificate", "shortNames": ["cert", "certs"], "categories": ["cert-manager"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": schema(),
                "subresources": {"status": {}}, "additionalPrinterColumns": cols}]}})
}

fn cluster_issuer_crd() -> Value {
    json!({"metadata": {"name": "clusterissuers.cert-manager.io", "labels": {"app.kubernetes.io/name": "cert-manager"}},
        "spec": {"group": "cert-manager.io", "scope": "Cluster",
            "names": {"kind": "ClusterIssuer", "listKind": "ClusterIssuerList", "plural": "clusterissuers",
                "singular": "clusterissuer", "categories": ["cert-manager"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": schema(),
                "subresources": {"status": {}}, "additionalPrinterColumns": ready_columns(vec![])}]}})
}

/// The PostgresCluster CRD, with a scale subresource.
pub fn postgres_crd() -> Value {
    let cols = json!([
        {"jsonPath": ".spec.postgresVersion", "name": "Version", "type": "integer"},
        {"jsonPath": ".spec.replicas", "name": "Replicas", "type": "integer"},
        {"jsonPath": ".status.readyReplicas", "name": "Ready", "type": "integer"},
        {"jsonPath": ".status.conditions[?(@.type==\"Ready\")].reason", "name": "Status", "type": "string"},
        {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"}
    ]);
    json!({"metadata": {"name": "postgresclusters.postgres-operator.crunchydata.com",
            "labels": {"app.kubernetes.io/name": "pgo", "postgres-operator.crunchydata.com/control-plane": "postgres-operator"}},
        "spec": {"group": "postgres-operator.crunchydata.com", "scope": "Namespaced",
            "names": {"kind": "PostgresCluster", "listKind": "PostgresClusterList", "plural": "postgresclusters",
                "singular": "postgrescluster", "categories": ["postgres-operator"]},
            "versions": [{"name": "v1beta1", "served": true, "storage": true, "schema": schema(),
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
                "additionalPrinterColumns": cols}]}})
}

fn cond(ty: &str, ok: bool, reason: &str, message: &str, age: i64) -> Value {
    json!({"type": ty, "status": if ok { "True" } else { "False" }, "reason": reason, "message": message,
        "lastTransitionTime": ago(age), "observedGeneration": 1})
}

fn certificate(ns: &str, name: &str, hosts: &[&str], issuer: &str, ready: bool, age: i64) -> Value {
    let conds = if ready {
        vec![cond(
            "Ready",
            true,
            "Ready",
            "Certificate is up to date and has not expired",
            age - 120,
        )]
    } else {
        vec![
            cond(
                "Issuing",
                true,
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                900,
            ),
            cond(
                "Ready",
                false,
                "DoesNotExist",
                "Issuing certificate as Secret does not exist",
                900,
            ),
        ]
    };
    let mut status = json!({"conditions": conds});
    if ready {
        status["notBefore"] = json!(ago(age.min(40 * DAY)));
        status["notAfter"] = json!(ago(age.min(40 * DAY) - 90 * DAY));
        status["renewalTime"] = json!(ago(age.min(40 * DAY) - 60 * DAY));
        status["revision"] = json!(1 + age / (60 * DAY));
    } else {
        status["nextPrivateKeySecretName"] = json!(format!("{name}-x7kq2"));
    }
    json!({"metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(age), "generation": 1},
        "spec": {"secretName": name, "dnsNames": hosts, "duration": "2160h0m0s", "renewBefore": "720h0m0s",
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": issuer},
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}},
        "status": status})
}

fn postgres(ns: &str, name: &str, version: i64, replicas: i64, ready: i64, age: i64) -> Value {
    let ok = ready == replicas;
    let selector = format!(
        "postgres-operator.crunchydata.com/cluster={name},postgres-operator.crunchydata.com/instance-set=instance1"
    );
    let reason = if ok { "AllInstancesReady" } else { "InstancesNotReady" };
    let message = if ok {
        format!("{ready}/{replicas} instances ready")
    } else {
        format!("{ready}/{replicas} instances ready; waiting for replica to stream from the primary")
    };
    // No finalizer: no operator runs in the demo to remove it.
    json!({"metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(age), "generation": 1},
        "spec": {"postgresVersion": version, "replicas": replicas, "port": 5432,
            "instances": [{"name": "instance1", "replicas": replicas,
                "dataVolumeClaimSpec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}}}}],
            "backups": {"pgbackrest": {"repos": [{"name": "repo1", "schedules": {"full": "0 1 * * 0"}}]}}},
        "status": {"replicas": replicas, "readyReplicas": ready, "selector": selector, "observedGeneration": 1,
            "instances": [{"name": "instance1", "replicas": replicas, "readyReplicas": ready, "updatedReplicas": replicas}],
            "conditions": [cond("Ready", ok, reason, &message, if ok { age - 300 } else { 420 }),
                cond("PGBackRestReplicaRepoReady", true, "StanzaCreated", "pgBackRest dedicated repository host is ready", age - 600)]}})
}

/// The events cert-manager's controllers record about a certificate: issued, or issuing for want of
/// its Secret (so that a Certificate's describe has events to show).
fn certificate_events(store: &Store, cert: &Value) {
    let src = |component| Source { component, host: None };
    let ready = cert["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"));
    let name = cert["metadata"]["name"].as_str().unwrap_or_default();
    if ready {
        let msg = "The certificate has been successfully issued";
        record(
            store,
            cert,
            None,
            "Normal",
            "Issuing",
            msg,
            src("cert-manager-certificates-issuing"),
        );
        return;
    }
    for (reason, msg, component) in [
        (
            "Issuing",
            "Issuing certificate as Secret does not exist".to_string(),
            "cert-manager-certificates-trigger",
        ),
        (
            "Generated",
            format!("Stored new private key in temporary Secret resource \"{name}-x7kq2\""),
            "cert-manager-certificates-key-manager",
        ),
        (
            "Requested",
            format!("Created new CertificateRequest resource \"{name}-1\""),
            "cert-manager-certificates-request-manager",
        ),
    ] {
        record(store, cert, None, "Normal", reason, &msg, src(component));
    }
}

/// Creates a CRD as if established long ago and returns where its objects go.
fn establish(store: &Store, crd: Value, age: i64) -> Option<Served> {
    let name = crd["metadata"]["name"].as_str().unwrap_or_default().to_string();
    put(store, "CustomResourceDefinition", crd, age);
    controller::reconcile(store, &name);
    store.served_custom(&name)
}

/// Loads the CRDs and their objects.
pub fn load(store: &Store) {
    if let Some(s) = establish(store, cluster_issuer_crd(), 80 * DAY) {
        for (name, ok, msg) in [
            (
                "letsencrypt-prod",
                true,
                "The ACME account was registered with the ACME server",
            ),
            (
                "letsencrypt-staging",
                true,
                "The ACME account was registered with the ACME server",
            ),
            (
                "internal-ca",
                false,
                "Error getting keypair for CA issuer: secrets \"internal-ca\" not found",
            ),
        ] {
            let v = json!({"metadata": {"name": name, "creationTimestamp": ago(80 * DAY)},
                "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory", "privateKeySecretRef": {"name": name}}},
                "status": {"conditions": [cond("Ready", ok, if ok { "ACMEAccountRegistered" } else { "ErrGetKeyPair" }, msg, 80 * DAY - 60)]}});
            let _ = store.create(s.storage, v, Origin::Internal);
        }
    }
    if let Some(s) = establish(store, certificate_crd(), 80 * DAY) {
        for v in [
            certificate(
                "shop",
                "storefront-tls",
                &["shop.example.com", "www.shop.example.com"],
                "letsencrypt-prod",
                true,
                45 * DAY,
            ),
            certificate(
                "shop",
                "api-tls",
                &["api.shop.example.com"],
                "letsencrypt-prod",
                true,
                30 * DAY,
            ),
            certificate(
                "payments",
                "payments-api-tls",
                &["pay.example.com"],
                "letsencrypt-prod",
                false,
                1800,
            ),
            certificate(
                "monitoring",
                "grafana-tls",
                &["grafana.example.com"],
                "letsencrypt-staging",
                true,
                20 * DAY,
            ),
            certificate(
                "ingress-nginx",
                "wildcard-example-com",
                &["*.example.com"],
                "letsencrypt-prod",
                true,
                70 * DAY,
            ),
        ] {
            if let Ok(o) = store.create(s.storage, v, Origin::Internal) {
                certificate_events(store, &o.value());
            }
        }
    }
    if let Some(s) = establish(store, postgres_crd(), 60 * DAY) {
        for v in [
            postgres("shop", "orders-db", 16, 3, 3, 50 * DAY),
            postgres("payments", "ledger-db", 16, 2, 1, 12 * DAY),
            postgres("monitoring", "grafana-db", 15, 1, 1, 40 * DAY),
        ] {
            let _ = store.create(s.storage, v, Origin::Internal);
        }
    }
}
