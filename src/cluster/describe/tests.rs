//! Exact-line tests of the describers on objects built from JSON literals.

use jiff::Timestamp;
use serde_json::json;

use super::events::describe_events;
use super::node::describe_node;
use super::pod::describe_pod;
use super::workloads::describe_deployment;
use super::{Out, Related, tabulate};

fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse().unwrap()
}

fn typed<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

#[test]
fn tabwriter_aligns_blocks_like_go() {
    let lines = tabulate("Name:\tweb\nLabels:\ta=b\n\tc=d\nContainers:\n  x:\n    Image:\tnginx\n");
    assert_eq!(
        lines,
        vec![
            "Name:    web",
            "Labels:  a=b",
            "         c=d",
            "Containers:",
            "  x:",
            "    Image:  nginx"
        ]
    );
}

#[test]
fn tabwriter_measures_cells_in_screen_columns() {
    // "日本" takes 4 columns and "e\u{301}" one: the values line up on screen, not by rune count.
    let lines = tabulate("日本:\tx\ne\u{301}:\ty\nab:\tz\n");
    assert_eq!(lines, vec!["日本:  x", "e\u{301}:     y", "ab:    z"]);
}

fn backoff_event() -> serde_json::Value {
    json!({
        "metadata": {"name": "web.1", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "web", "namespace": "shop"},
        "type": "Warning", "reason": "BackOff",
        "message": "Back-off restarting failed container app in pod web_shop(u1)\n",
        "source": {"component": "kubelet", "host": "worker-1"},
        "count": 3,
        "firstTimestamp": "2024-05-01T11:55:00Z",
        "lastTimestamp": "2024-05-01T11:58:00Z"
    })
}

#[test]
fn events_aggregate_counts_like_kubectl() {
    let scheduled = json!({
        "metadata": {"name": "web.0", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "web"},
        "type": "Normal", "reason": "Scheduled", "message": "Successfully assigned shop/web to worker-1",
        "reportingComponent": "default-scheduler",
        "firstTimestamp": "2024-05-01T11:54:30Z", "lastTimestamp": "2024-05-01T11:54:30Z", "count": 1
    });
    let mut o = Out::default();
    describe_events(&mut o, &[typed(backoff_event()), typed(scheduled)], now());
    assert_eq!(
        o.finish(),
        vec![
            "Events:",
            "  Type     Reason     Age              From               Message",
            "  ----     ------     ----             ----               -------",
            "  Normal   Scheduled  5m30s            default-scheduler  Successfully assigned shop/web to worker-1",
            "  Warning  BackOff    2m (x3 over 5m)  kubelet            Back-off restarting failed container app in pod web_shop(u1)",
        ]
    );
    let mut o = Out::default();
    describe_events(&mut o, &[], now());
    assert_eq!(o.finish(), vec!["Events:  <none>"]);
}

#[test]
fn crash_looping_pod() {
    let pod = json!({
        "metadata": {
            "name": "web", "namespace": "shop", "labels": {"app": "web", "tier": "front"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d4", "uid": "rs1", "controller": true}]
        },
        "spec": {
            "priority": 0, "serviceAccountName": "default", "nodeName": "worker-1",
            "containers": [{
                "name": "app", "image": "shop/web:1.2",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                    "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
                "env": [{"name": "MODE", "value": "prod"}],
                "volumeMounts": [{"name": "cfg", "mountPath": "/etc/web", "readOnly": true}]
            }],
            "volumes": [{"name": "cfg", "configMap": {"name": "web-config"}}],
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]
        },
        "status": {
            "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
            "startTime": "2024-05-01T11:50:00Z", "qosClass": "Burstable",
            "conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{
                "name": "app", "image": "shop/web:1.2", "imageID": "shop/web@sha256:ab", "containerID": "containerd://c1",
                "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                    "startedAt": "2024-05-01T11:57:00Z", "finishedAt": "2024-05-01T11:57:04Z"}}
            }]
        }
    });
    let lines = describe_pod(&typed(pod), &[typed(backoff_event())], now());
    let expected = vec![
        "Name:             web",
        "Namespace:        shop",
        "Priority:         0",
        "Service Account:  default",
        "Node:             worker-1/10.0.0.1",
        "Start Time:       Wed, 01 May 2024 11:50:00 +0000",
        "Labels:           app=web",
        "                  tier=front",
        "Annotations:      <none>",
        "Status:           Running",
        "IP:               10.244.1.7",
        "IPs:",
        "  IP:           10.244.1.7",
        "Controlled By:  ReplicaSet/web-5d4",
        "Containers:",
        "  app:",
        "    Container ID:   containerd://c1",
        "    Image:          shop/web:1.2",
        "    Image ID:       shop/web@sha256:ab",
        "    Port:           8080/TCP",
        "    Host Port:      0/TCP",
        "    State:          Waiting",
        "      Reason:       CrashLoopBackOff",
        "    Last State:     Terminated",
        "      Reason:       Error",
        "      Exit Code:    1",
        "      Started:      Wed, 01 May 2024 11:57:00 +0000",
        "      Finished:     Wed, 01 May 2024 11:57:04 +0000",
        "    Ready:          False",
        "    Restart Count:  4",
        "    Limits:",
        "      memory:  128Mi",
        "    Requests:",
        "      cpu:     100m",
        "      memory:  64Mi",
        "    Liveness:  http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3",
        "    Environment:",
        "      MODE:  prod",
        "    Mounts:",
        "      /etc/web from cfg (ro)",
        "Conditions:",
        "  Type           Status",
        "  Ready          False ",
        "  PodScheduled   True ",
        "Volumes:",
        "  cfg:",
        "    Type:        ConfigMap (a volume populated by a ConfigMap)",
        "    Name:        web-config",
        "    Optional:    false",
        "QoS Class:       Burstable",
        "Node-Selectors:  <none>",
        "Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s",
        "Events:",
        "  Type     Reason   Age              From     Message",
        "  ----     ------   ----             ----     -------",
        "  Warning  BackOff  2m (x3 over 5m)  kubelet  Back-off restarting failed container app in pod web_shop(u1)",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn node_with_taints_and_allocated_resources() {
    let node = json!({
        "metadata": {"name": "worker-1", "labels": {"node-role.kubernetes.io/worker": ""},
            "creationTimestamp": "2024-04-01T00:00:00Z"},
        "spec": {"podCIDR": "10.244.1.0/24",
            "taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"},
                       {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]},
        "status": {
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                "lastHeartbeatTime": "2024-05-01T11:59:00Z", "lastTransitionTime": "2024-04-01T00:01:00Z"}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}]
        }
    });
    let pod = |name: &str, cpu: &str, mem: &str| {
        typed(json!({
            "metadata": {"name": name, "namespace": "shop", "creationTimestamp": "2024-05-01T11:00:00Z"},
            "spec": {"nodeName": "worker-1", "containers": [{"name": "c",
                "resources": {"requests": {"cpu": cpu, "memory": mem}, "limits": {"memory": mem}}}]},
            "status": {"phase": "Running"}
        }))
    };
    let done: k8s_openapi::api::core::v1::Pod = typed(json!({
        "metadata": {"name": "job-x", "namespace": "shop"},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]},
        "status": {"phase": "Succeeded"}
    }));
    let rel = Related {
        pods: vec![pod("db-0", "500m", "1Gi"), pod("web-1", "250m", "512Mi"), done],
        ..Default::default()
    };
    let lines = describe_node(&typed(node), &rel, now());
    let expected = vec![
        "Name:               worker-1",
        "Roles:              worker",
        "Labels:             node-role.kubernetes.io/worker=",
        "Annotations:        <none>",
        "CreationTimestamp:  Mon, 01 Apr 2024 00:00:00 +0000",
        "Taints:             dedicated=db:NoSchedule",
        "                    node.kubernetes.io/unreachable:NoExecute",
        "Unschedulable:      false",
        "Conditions:",
        "  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message",
        "  ----    ------  -----------------                 ------------------                ------         -------",
        "  Ready   True    Wed, 01 May 2024 11:59:00 +0000   Mon, 01 Apr 2024 00:01:00 +0000   KubeletReady   kubelet is posting ready status",
        "Addresses:",
        "  InternalIP:  10.0.0.1",
        "Capacity:",
        "  cpu:     4",
        "  memory:  8Gi",
        "  pods:    110",
        "Allocatable:",
        "  cpu:                4",
        "  memory:             8Gi",
        "  pods:               110",
        "PodCIDR:              10.244.1.0/24",
        "Non-terminated Pods:  (2 in total)",
        "  Namespace           Name     CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age",
        "  ---------           ----     ------------  ----------  ---------------  -------------  ---",
        "  shop                db-0     500m (12%)    0 (0%)      1Gi (12%)        1Gi (12%)      60m",
        "  shop                web-1    250m (6%)     0 (0%)      512Mi (6%)       512Mi (6%)     60m",
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource           Requests      Limits",
        "  --------           --------      ------",
        "  cpu                750m (18%)    0 (0%)",
        "  memory             1536Mi (18%)  1536Mi (18%)",
        "  ephemeral-storage  0 (0%)        0 (0%)",
        "Events:              <none>",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn deployment_with_old_and_new_replica_sets() {
    let template = json!({"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
    let d = json!({
        "metadata": {"name": "web", "namespace": "shop", "uid": "d1", "creationTimestamp": "2024-05-01T10:00:00Z",
            "annotations": {"deployment.kubernetes.io/revision": "2"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "template": template},
        "status": {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 2, "unavailableReplicas": 1,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}
    });
    let rs = |name: &str, image: &str, replicas: i32, created: &str| {
        typed(json!({
            "metadata": {"name": name, "namespace": "shop", "creationTimestamp": created,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d1", "controller": true}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web", "pod-template-hash": name}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}},
            "status": {"replicas": replicas}
        }))
    };
    let sets = vec![
        rs("web-new", "nginx:1.27", 3, "2024-05-01T11:00:00Z"),
        rs("web-old", "nginx:1.26", 0, "2024-05-01T10:00:00Z"),
    ];
    let lines = describe_deployment(&typed(d), &sets, &[], now());
    let expected = vec![
        "Name:                   web",
        "Namespace:              shop",
        "CreationTimestamp:      Wed, 01 May 2024 10:00:00 +0000",
        "Labels:                 <none>",
        "Annotations:            deployment.kubernetes.io/revision: 2",
        "Selector:               app=web",
        "Replicas:               3 desired | 3 updated | 3 total | 2 available | 1 unavailable",
        "StrategyType:           RollingUpdate",
        "MinReadySeconds:        0",
        "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
        "Pod Template:",
        "  Labels:  app=web",
        "  Containers:",
        "   web:",
        "    Image:         nginx:1.27",
        "    Port:          <none>",
        "    Host Port:     <none>",
        "    Environment:   <none>",
        "    Mounts:        <none>",
        "  Volumes:         <none>",
        "  Node-Selectors:  <none>",
        "  Tolerations:     <none>",
        "Conditions:",
        "  Type           Status  Reason",
        "  ----           ------  ------",
        "  Available      True    MinimumReplicasAvailable",
        "OldReplicaSets:  web-old (0/0 replicas created)",
        "NewReplicaSet:   web-new (3/3 replicas created)",
        "Events:          <none>",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn secret_describe_shows_sizes_never_values() {
    let s = json!({"metadata": {"name": "db", "namespace": "shop"}, "type": "Opaque",
        "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="}});
    let lines = super::misc::describe_secret(&typed(s));
    assert!(lines.contains(&"password:  7 bytes".to_string()), "{lines:#?}");
    assert!(lines.contains(&"user:      5 bytes".to_string()), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("hunter2") || l.contains("aHVudGVyMg")));
}
