//! Tests that the scenario loads what the demo promises.

use super::*;

fn count(s: &Store, kind: &str, ns: Option<&str>) -> usize {
    s.list(res(kind), ns).0.len()
}

#[test]
fn loads_the_listed_objects() {
    let s = Store::new(10_000);
    let opts = SimOptions {
        pods: 250,
        ..SimOptions::default()
    };
    load(&s, &opts);
    assert_eq!(count(&s, "Namespace", None), NAMESPACES.len());
    assert_eq!(count(&s, "Node", None), 4);
    let last = s.get_value(res("Node"), "", "worker-3").unwrap();
    let ready = last["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap()
        .clone();
    assert_eq!(
        (ready["status"].as_str(), ready["reason"].as_str()),
        (Some("Unknown"), Some("NodeStatusUnknown"))
    );
    assert_eq!(last["spec"]["taints"].as_array().unwrap().len(), 2);
    // Autoscalers that have run for weeks carry the status their controller wrote.
    let hpa = s.get_value(res("HorizontalPodAutoscaler"), "shop", "api").unwrap();
    assert_eq!(
        (&hpa["status"]["currentReplicas"], &hpa["spec"]["maxReplicas"]),
        (&json!(2), &json!(2))
    );
    let statics = s.list(res("Pod"), Some("kube-system")).0;
    assert_eq!(
        statics.len(),
        4,
        "only the static control-plane pods are created directly"
    );
    assert!(
        statics
            .iter()
            .all(|p| p.labels.get("tier").map(String::as_str) == Some("control-plane"))
    );
    assert_eq!(count(&s, "Deployment", Some("shop")), 7);
    assert_eq!(count(&s, "Service", Some("shop")), 6);
    assert_eq!(count(&s, "StatefulSet", None), 2);
    assert_eq!(count(&s, "DaemonSet", None), 2);
    assert_eq!(count(&s, "CronJob", Some("payments")), 2);
    assert_eq!(count(&s, "Job", Some("payments")), 2);
    assert_eq!(count(&s, "PersistentVolumeClaim", Some("payments")), 3);
    assert_eq!(count(&s, "PersistentVolume", None), 4);
    let pvc = s
        .get_value(res("PersistentVolumeClaim"), "payments", "data-postgres-0")
        .unwrap();
    let pv = s
        .get_value(res("PersistentVolume"), "", pvc["spec"]["volumeName"].as_str().unwrap())
        .unwrap();
    assert_eq!(pv["spec"]["claimRef"]["uid"], pvc["metadata"]["uid"]);
    let pending = s.get_value(res("PersistentVolumeClaim"), "shop", "uploads").unwrap();
    assert!(pending["spec"]["volumeName"].is_null() && pending["status"]["phase"] == "Pending");
    let brand = s.get_value(res("ConfigMap"), "shop", "brand").unwrap();
    assert!(brand["binaryData"]["favicon.ico"].is_string() && brand["data"]["tagline"].is_string());
    assert_eq!(count(&s, "Ingress", None), 2);
    assert_eq!(count(&s, "ServiceAccount", None), NAMESPACES.len() + 5);
    assert_eq!(count(&s, "Deployment", Some("load")), 3);
    let last_load = s.get_value(res("Deployment"), "load", "load-0002").unwrap();
    assert_eq!(last_load["spec"]["replicas"], 50);
    let metrics = s.get_value(res("APIService"), "", "v1beta1.metrics.k8s.io").unwrap();
    assert_eq!(metrics["status"]["conditions"][0]["status"], "True");
    assert_eq!(
        s.get_value(res("APIService"), "", "v1.apps").unwrap()["status"]["conditions"][0]["reason"],
        "Local"
    );
    assert!(s.get(res("APIService"), "", "v1").is_some());
    let k = s.get_value(res("Service"), "default", "kubernetes").unwrap();
    assert_eq!(k["spec"]["clusterIP"], "10.96.0.1");
    assert!(s.get(res("Endpoints"), "default", "kubernetes").is_some());
    let lb = s
        .get_value(res("Service"), "ingress-nginx", "ingress-nginx-controller")
        .unwrap();
    assert!(lb["status"]["loadBalancer"]["ingress"][0]["ip"].is_string());
    assert!(
        s.get(res("ValidatingWebhookConfiguration"), "", "policy-guard")
            .is_some()
    );
    // Ages spread back in time.
    let old = s.get_value(res("Namespace"), "", "kube-system").unwrap();
    assert!(old["metadata"]["creationTimestamp"].as_str().unwrap() < crate::store::now_str().as_str());
}

#[test]
fn bulk_load_of_100k_pods_is_quick() {
    let s = Store::new(10_000);
    let t0 = std::time::Instant::now();
    load(
        &s,
        &SimOptions {
            pods: 100_000,
            ..SimOptions::default()
        },
    );
    println!(
        "scenario with opts.pods=100000 loaded in {:.3}s",
        t0.elapsed().as_secs_f64()
    );
    assert_eq!(count(&s, "Deployment", Some("load")), 1000);
}
