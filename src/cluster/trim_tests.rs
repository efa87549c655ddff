use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;
use crate::cluster::printers;
use sim::res;
use sim::{DemoCluster, SimOptions};

fn obj<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("test object deserializes")
}

fn json_of<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

fn full_meta() -> Value {
    json!({
        "name": "x", "namespace": "ns", "uid": "u1", "resourceVersion": "7", "generation": 3,
        "generateName": "x-", "creationTimestamp": "2024-05-01T11:00:00Z",
        "labels": {"app": "web"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "o1", "controller": true}],
        "finalizers": ["f"],
        "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"big\": true}",
            "kubectl.kubernetes.io/default-container": "app",
            "deployment.kubernetes.io/revision": "4",
            "prometheus.io/scrape": "true"
        }
    })
}

#[test]
fn meta_keeps_identity_labels_owners_and_listed_annotations() {
    let mut m: ObjectMeta = obj(full_meta());
    meta(&mut m);
    let v = json_of(&m);
    for kept in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "labels",
        "ownerReferences",
        "finalizers",
    ] {
        assert!(v.get(kept).is_some(), "{kept} dropped: {v}");
    }
    assert!(v.get("managedFields").is_none());
    assert!(v.get("generateName").is_none());
    let ann = v["annotations"].as_object().unwrap();
    let mut keys: Vec<&str> = ann.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "deployment.kubernetes.io/revision",
            "kubectl.kubernetes.io/default-container"
        ]
    );

    let mut bare: ObjectMeta = obj(json!({"name": "y", "annotations": {"a": "b"}}));
    meta(&mut bare);
    assert_eq!(bare.annotations, None, "an all-dropped map goes entirely");
}

fn full_container(name: &str) -> Value {
    json!({
        "name": name, "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
        "command": ["nginx"], "args": ["-g", "daemon off;"],
        "env": [{"name": "A", "value": "1"}], "envFrom": [{"configMapRef": {"name": "cm"}}],
        "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "100m"}},
        "volumeMounts": [{"name": "v", "mountPath": "/data"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 80}},
        "readinessProbe": {"tcpSocket": {"port": 80}},
        "startupProbe": {"exec": {"command": ["true"]}},
        "securityContext": {"runAsNonRoot": true},
        "terminationMessagePath": "/dev/termination-log"
    })
}

#[test]
fn pod_keeps_row_and_drilldown_fields_and_drops_the_rest() {
    let mut sidecar = full_container("proxy");
    sidecar["restartPolicy"] = json!("Always");
    let mut p: Pod = obj(json!({
        "metadata": full_meta(),
        "spec": {
            "containers": [full_container("app")],
            "initContainers": [sidecar],
            "nodeName": "node-1", "restartPolicy": "Always",
            "readinessGates": [{"conditionType": "example.com/gate"}],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "affinity": {"nodeAffinity": {}},
            "serviceAccountName": "default", "nodeSelector": {"a": "b"}
        },
        "status": {
            "phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}], "hostIP": "192.168.0.1",
            "nominatedNodeName": "node-2", "qosClass": "Burstable",
            "conditions": [{"type": "Ready", "status": "True", "reason": "R", "message": "long text",
                "lastTransitionTime": "2024-05-01T11:00:00Z"}],
            "containerStatuses": [{"name": "app", "image": "nginx:1.27", "imageID": "sha256:abc",
                "containerID": "containerd://1", "ready": true, "started": true, "restartCount": 2,
                "state": {"running": {"startedAt": "2024-05-01T11:00:00Z"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2024-05-01T11:30:00Z"}},
                "volumeMounts": [{"name": "v", "mountPath": "/data"}]}]
        }
    }));
    pod(&mut p);
    let v = json_of(&p);
    let spec = &v["spec"];
    for gone in ["volumes", "tolerations", "affinity", "nodeSelector"] {
        assert!(spec.get(gone).is_none(), "spec.{gone} kept");
    }
    assert_eq!(spec["nodeName"], "node-1");
    // What xray names: the ServiceAccount and the ConfigMap of envFrom (an env value is not kept).
    assert_eq!(spec["serviceAccountName"], "default");
    assert_eq!(spec["containers"][0]["envFrom"][0]["configMapRef"]["name"], "cm");
    assert_eq!(spec["readinessGates"][0]["conditionType"], "example.com/gate");
    let c = &spec["containers"][0];
    for kept in [
        "name",
        "image",
        "ports",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "resources",
    ] {
        assert!(c.get(kept).is_some(), "container {kept} dropped");
    }
    for gone in [
        "env",
        "command",
        "args",
        "volumeMounts",
        "securityContext",
        "imagePullPolicy",
        "terminationMessagePath",
    ] {
        assert!(c.get(gone).is_none(), "container {gone} kept");
    }
    assert_eq!(spec["initContainers"][0]["restartPolicy"], "Always");
    assert!(spec["initContainers"][0].get("env").is_none());

    let st = &v["status"];
    assert_eq!(st["podIPs"][0]["ip"], "10.0.0.1");
    assert_eq!(st["nominatedNodeName"], "node-2");
    assert!(st.get("qosClass").is_none());
    assert_eq!(st["conditions"][0]["reason"], "R");
    assert!(st["conditions"][0].get("message").is_none());
    let cs = &st["containerStatuses"][0];
    assert_eq!(cs["restartCount"], 2);
    assert_eq!(cs["lastState"]["terminated"]["reason"], "Error");
    assert!(cs["state"].get("running").is_some());
    assert!(cs.get("containerID").is_none() && cs.get("volumeMounts").is_none());
    assert_eq!(cs["imageID"], "", "a required field is emptied, not dropped");
    assert_eq!(v["metadata"]["annotations"].as_object().unwrap().len(), 2);
}

#[test]
fn node_drops_images_and_keeps_info_addresses_conditions() {
    let mut n: Node = obj(json!({
        "metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": ""}},
        "spec": {"unschedulable": true, "podCIDR": "10.0.0.0/24", "providerID": "kind://n1"},
        "status": {
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            "nodeInfo": {"architecture": "amd64", "bootID": "", "containerRuntimeVersion": "containerd://1.7",
                "kernelVersion": "6.1", "kubeProxyVersion": "", "kubeletVersion": "v1.33.0", "machineID": "",
                "operatingSystem": "linux", "osImage": "Debian", "systemUUID": ""},
            "capacity": {"cpu": "4"}, "allocatable": {"cpu": "4"},
            "images": [{"names": ["registry.k8s.io/pause:3.10"], "sizeBytes": 1}],
            "volumesInUse": ["v"], "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}
        }
    }));
    node(&mut n);
    let v = json_of(&n);
    assert_eq!(v["spec"]["unschedulable"], true);
    assert!(v["spec"].get("podCIDR").is_none());
    let st = &v["status"];
    for gone in ["images", "volumesInUse", "daemonEndpoints"] {
        assert!(st.get(gone).is_none(), "status.{gone} kept");
    }
    assert_eq!(st["nodeInfo"]["kubeletVersion"], "v1.33.0");
    assert_eq!(st["addresses"][0]["address"], "172.18.0.2");
    assert_eq!(st["capacity"]["cpu"], "4");
    assert_eq!(st["conditions"][0]["status"], "True");
    assert!(st["conditions"][0].get("message").is_none());
    assert!(
        v["metadata"]["labels"]
            .get("node-role.kubernetes.io/control-plane")
            .is_some()
    );
}

fn template() -> Value {
    json!({
        "metadata": {"labels": {"app": "web"}, "annotations": {"checksum/config": "abc"}},
        "spec": {"containers": [full_container("app")], "nodeSelector": {"kubernetes.io/os": "linux"},
            "volumes": [{"name": "v", "emptyDir": {}}]}
    })
}

fn assert_template_trimmed(t: &Value) {
    assert_eq!(t["metadata"]["labels"]["app"], "web");
    assert!(t["metadata"].get("annotations").is_none());
    assert_eq!(t["spec"]["containers"][0]["image"], "nginx:1.27");
    assert!(t["spec"]["containers"][0].get("env").is_none());
    assert_eq!(t["spec"]["nodeSelector"]["kubernetes.io/os"], "linux");
    assert!(t["spec"].get("volumes").is_none());
}

#[test]
fn workloads_trim_their_templates_and_condition_messages() {
    let mut d: Deployment = obj(json!({
        "metadata": full_meta(),
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template()},
        "status": {"replicas": 3, "readyReplicas": 2,
            "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "long"}]}
    }));
    deployment(&mut d);
    let v = json_of(&d);
    assert_template_trimmed(&v["spec"]["template"]);
    assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "web");
    assert_eq!(v["status"]["readyReplicas"], 2);
    assert_eq!(v["status"]["conditions"][0]["reason"], "NewReplicaSetAvailable");
    assert!(v["status"]["conditions"][0].get("message").is_none());

    let mut rs: ReplicaSet = obj(json!({"metadata": full_meta(),
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}}));
    replica_set(&mut rs);
    let v = json_of(&rs);
    assert_template_trimmed(&v["spec"]["template"]);
    assert_eq!(v["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "4");

    let mut sts: StatefulSet = obj(json!({"metadata": full_meta(), "spec": {"serviceName": "db",
        "selector": {"matchLabels": {"app": "web"}}, "template": template(),
        "volumeClaimTemplates": [{"metadata": {"name": "data"}}]}}));
    stateful_set(&mut sts);
    let v = json_of(&sts);
    assert_template_trimmed(&v["spec"]["template"]);
    assert!(v["spec"].get("volumeClaimTemplates").is_none());

    let mut ds: DaemonSet = obj(json!({"metadata": full_meta(),
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": template()}}));
    daemon_set(&mut ds);
    assert_template_trimmed(&json_of(&ds)["spec"]["template"]);

    let mut j: Job = obj(json!({"metadata": full_meta(), "spec": {"template": template()},
        "status": {"conditions": [{"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]}}));
    job(&mut j);
    let v = json_of(&j);
    assert_template_trimmed(&v["spec"]["template"]);
    assert_eq!(v["status"]["conditions"][0]["message"], "BackoffLimitExceeded");

    let mut cj: CronJob = obj(json!({"metadata": full_meta(), "spec": {"schedule": "@daily",
        "jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": template()}}}}));
    cron_job(&mut cj);
    let v = json_of(&cj);
    assert_template_trimmed(&v["spec"]["jobTemplate"]["spec"]["template"]);
    assert_eq!(v["spec"]["schedule"], "@daily");
}

#[test]
fn service_namespace_event_only_lose_metadata_weight() {
    let mut s: Service = obj(json!({"metadata": full_meta(),
        "spec": {"type": "NodePort", "clusterIP": "10.96.0.5", "ports": [{"port": 80, "nodePort": 30080}],
            "selector": {"app": "web"}}}));
    let spec_before = json_of(&s.spec);
    service(&mut s);
    assert_eq!(json_of(&s.spec), spec_before);
    assert!(s.metadata.managed_fields.is_none());

    let mut ns: Namespace = obj(json!({"metadata": full_meta(), "status": {"phase": "Active"}}));
    namespace(&mut ns);
    assert_eq!(json_of(&ns)["status"]["phase"], "Active");
    assert!(ns.metadata.managed_fields.is_none());

    let mut e: Event = obj(
        json!({"metadata": full_meta(), "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "BackOff", "message": "Back-off restarting failed container", "type": "Warning"}),
    );
    event(&mut e);
    assert_eq!(e.message.as_deref(), Some("Back-off restarting failed container"));
    assert!(e.metadata.managed_fields.is_none());
}

/// Every printer's row of every object of the demo scenario is the same before and after trimming.
#[tokio::test]
async fn printers_read_the_same_rows_from_trimmed_demo_objects() {
    let cluster = DemoCluster::start(SimOptions::default()).await.unwrap();
    let store = cluster.store().clone();
    // The controllers create ReplicaSets and pods, and the kubelet simulation fills pod statuses,
    // shortly after start: compare once every kind has objects and most pods run (the static
    // control-plane pods run from the start, so running pods alone say nothing about the rest).
    let deadline = Instant::now() + Duration::from_secs(20);
    let kinds = [
        "Pod",
        "Node",
        "Service",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
    ];
    loop {
        let (pods, _) = store.list(res("Pod"), None);
        let running = pods
            .iter()
            .filter(|p| p.value()["status"]["phase"] == "Running")
            .count();
        let every_kind = kinds.iter().all(|k| !store.list(res(k), None).0.is_empty());
        if every_kind && running * 2 >= pods.len() {
            break;
        }
        assert!(Instant::now() < deadline, "{running}/{} demo pods running", pods.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    fn check<K: Serialize + DeserializeOwned>(store: &sim::Store, kind: &str, f: fn(&mut K)) -> usize {
        let (objs, _) = store.list(res(kind), None);
        for o in &objs {
            let before = o.value();
            let mut typed: K = serde_json::from_value(before.clone()).unwrap();
            f(&mut typed);
            let after = json_of(&typed);
            let now: jiff::Timestamp = "2024-05-01T12:00:00Z".parse().unwrap();
            assert_eq!(
                printers::row_for(kind, &after, now).unwrap(),
                printers::row_for(kind, &before, now).unwrap(),
                "{kind} {}",
                before["metadata"]["name"]
            );
            assert!(after.get("metadata").and_then(|m| m.get("managedFields")).is_none());
        }
        objs.len()
    }
    let s = &store;
    let counts = [
        check(s, "Pod", pod),
        check(s, "Node", node),
        check(s, "Service", service),
        check(s, "Deployment", deployment),
        check(s, "ReplicaSet", replica_set),
        check(s, "StatefulSet", stateful_set),
        check(s, "DaemonSet", daemon_set),
        check(s, "Job", job),
        check(s, "CronJob", cron_job),
        check(s, "Namespace", namespace),
        check(s, "Event", event),
    ];
    // The scenario has objects of every kind but maybe Events; a kind with none would test nothing.
    assert!(counts[..10].iter().all(|&n| n > 0), "{counts:?}");
}

#[test]
fn pod_keeps_the_names_of_what_it_uses_and_no_values() {
    let mut p: Pod = obj(json!({
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {
            "containers": [{"name": "app", "env": [
                {"name": "PLAIN", "value": "s3cret"},
                {"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}},
                {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
            "volumes": [{"name": "site", "configMap": {"name": "web-nginx", "defaultMode": 420}},
                {"name": "tmp", "emptyDir": {}},
                {"name": "data", "persistentVolumeClaim": {"claimName": "uploads"}},
                {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt"}}]}}],
            "imagePullSecrets": [{"name": "regcred"}]
        }
    }));
    pod(&mut p);
    let v = json_of(&p);
    let spec = &v["spec"];
    let env = spec["containers"][0]["env"].as_array().unwrap();
    assert_eq!(env.len(), 1, "{env:?}");
    assert_eq!(env[0]["valueFrom"]["secretKeyRef"]["name"], "db");
    assert!(!v.to_string().contains("s3cret"));
    let volumes: Vec<&str> = spec["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(volumes, ["site", "data", "token"]);
    assert_eq!(
        spec["volumes"][2]["projected"]["sources"][1]["configMap"]["name"],
        "kube-root-ca.crt"
    );
    assert!(
        spec["volumes"][2]["projected"]["sources"][0]
            .get("serviceAccountToken")
            .is_none()
    );
    assert_eq!(spec["imagePullSecrets"][0]["name"], "regcred");
}
