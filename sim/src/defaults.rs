//! The API server's defaulting (SetDefaults_*) for the kinds whose defaults clients compare:
//! a template sent with `resources: {}` and one sent without must store the same object.

use serde_json::{Value, json};

fn set(obj: &mut Value, key: &str, v: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = v;
    }
}

fn image_pull_policy(image: &str) -> &'static str {
    // A digest pins the image; otherwise a missing or `latest` tag means Always.
    let name = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') {
        "IfNotPresent"
    } else {
        match name.split_once(':') {
            None => "Always",
            Some((_, "latest")) => "Always",
            Some(_) => "IfNotPresent",
        }
    }
}

fn container(c: &mut Value) {
    let policy = image_pull_policy(c["image"].as_str().unwrap_or(""));
    set(c, "imagePullPolicy", json!(policy));
    set(c, "terminationMessagePath", json!("/dev/termination-log"));
    set(c, "terminationMessagePolicy", json!("File"));
    set(c, "resources", json!({}));
    for p in c["ports"].as_array_mut().into_iter().flatten() {
        set(p, "protocol", json!("TCP"));
    }
}

/// Pod spec defaults, as `kubectl get -o yaml` shows them on every pod and template.
pub fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set(spec, "restartPolicy", json!("Always"));
    set(spec, "terminationGracePeriodSeconds", json!(30));
    set(spec, "dnsPolicy", json!("ClusterFirst"));
    set(spec, "schedulerName", json!("default-scheduler"));
    set(spec, "securityContext", json!({}));
    for field in ["containers", "initContainers"] {
        for c in spec[field].as_array_mut().into_iter().flatten() {
            container(c);
        }
    }
}

/// Applies the defaults of a kind to an object about to be stored.
pub fn apply(kind: &str, v: &mut Value) {
    let spec = &mut v["spec"];
    match kind {
        "Pod" => {
            // serviceAccountName, priority and preemptionPolicy come from admission (admission.rs).
            pod_spec(spec);
            set(spec, "enableServiceLinks", json!(true));
        }
        "Deployment" => {
            set(spec, "replicas", json!(1));
            set(spec, "revisionHistoryLimit", json!(10));
            set(spec, "progressDeadlineSeconds", json!(600));
            set(spec, "strategy", json!({"type": "RollingUpdate"}));
            if spec["strategy"]["type"] == "RollingUpdate" {
                set(&mut spec["strategy"], "rollingUpdate", json!({}));
                let ru = &mut spec["strategy"]["rollingUpdate"];
                set(ru, "maxSurge", json!("25%"));
                set(ru, "maxUnavailable", json!("25%"));
            }
            pod_spec(&mut spec["template"]["spec"]);
        }
        "ReplicaSet" => {
            set(spec, "replicas", json!(1));
            pod_spec(&mut spec["template"]["spec"]);
        }
        "StatefulSet" => {
            set(spec, "replicas", json!(1));
            set(spec, "podManagementPolicy", json!("OrderedReady"));
            set(spec, "revisionHistoryLimit", json!(10));
            set(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            pod_spec(&mut spec["template"]["spec"]);
        }
        "DaemonSet" => {
            set(spec, "revisionHistoryLimit", json!(10));
            set(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
            );
            pod_spec(&mut spec["template"]["spec"]);
        }
        "Job" => {
            set(spec, "backoffLimit", json!(6));
            set(spec, "completionMode", json!("NonIndexed"));
            set(spec, "suspend", json!(false));
            set(spec, "podReplacementPolicy", json!("TerminatingOrFailed"));
            if spec.get("completions").is_none() && spec.get("parallelism").is_none() {
                spec["completions"] = json!(1);
            }
            set(spec, "parallelism", json!(1));
            set(&mut spec["template"]["spec"], "restartPolicy", json!("Never"));
            pod_spec(&mut spec["template"]["spec"]);
        }
        "CronJob" => {
            set(spec, "concurrencyPolicy", json!("Allow"));
            set(spec, "suspend", json!(false));
            set(spec, "successfulJobsHistoryLimit", json!(3));
            set(spec, "failedJobsHistoryLimit", json!(1));
            let job = &mut spec["jobTemplate"]["spec"];
            set(&mut job["template"]["spec"], "restartPolicy", json!("Never"));
            pod_spec(&mut job["template"]["spec"]);
        }
        "Service" => {
            set(spec, "type", json!("ClusterIP"));
            set(spec, "sessionAffinity", json!("None"));
            set(spec, "internalTrafficPolicy", json!("Cluster"));
            for p in spec["ports"].as_array_mut().into_iter().flatten() {
                set(p, "protocol", json!("TCP"));
                let port = p["port"].clone();
                set(p, "targetPort", port);
            }
        }
        "Namespace" => {
            set(spec, "finalizers", json!(["kubernetes"]));
            set(&mut v["status"], "phase", json!("Active"));
            let name = v["metadata"]["name"].clone();
            set(&mut v["metadata"]["labels"], "kubernetes.io/metadata.name", name);
        }
        _ => {}
    }
    if v.get("spec").is_some_and(Value::is_null) {
        v.as_object_mut().map(|m| m.remove("spec"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_sent_with_or_without_defaults_store_the_same() {
        let mut a = json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}});
        let mut b = json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {}, "imagePullPolicy": "IfNotPresent"}], "dnsPolicy": "ClusterFirst"}}}});
        apply("Deployment", &mut a);
        apply("Deployment", &mut b);
        assert_eq!(a, b);
        assert_eq!(a["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
    }

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(image_pull_policy("nginx"), "Always");
        assert_eq!(image_pull_policy("nginx:latest"), "Always");
        assert_eq!(image_pull_policy("registry:5000/nginx"), "Always");
        assert_eq!(image_pull_policy("registry:5000/nginx:1.2"), "IfNotPresent");
        assert_eq!(image_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }
}
