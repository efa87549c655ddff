use prost_reflect::prost::Message as _;
use serde_json::json;

use super::*;

// Bodies kubectl 1.32.4 sent to the demo cluster, captured once from the server:
// `kubectl debug node/worker-1 -it --image=busybox:1.36`,
// `kubectl create deployment web2 --image=nginx --replicas=2`,
// `kubectl create secret generic s1 --from-literal=password=hunter2 --from-literal=user=admin`,
// `kubectl create service clusterip svc1 --tcp=80:8080 --tcp=443:https`,
// `kubectl create ingress ing1 --rule=foo.com/bar=svc1:80`,
// `kubectl create quota q1 --hard=cpu=1500m,memory=1Gi,pods=10`.
const DEBUG_NODE_POD: &[u8] = include_bytes!("../proto/fixtures/debug-node-pod.bin");
const DEPLOYMENT: &[u8] = include_bytes!("../proto/fixtures/deployment.bin");
const SECRET: &[u8] = include_bytes!("../proto/fixtures/secret.bin");
const SERVICE: &[u8] = include_bytes!("../proto/fixtures/service.bin");
const INGRESS: &[u8] = include_bytes!("../proto/fixtures/ingress.bin");
const QUOTA: &[u8] = include_bytes!("../proto/fixtures/resourcequota.bin");

/// A body as client-go writes it: magic, then the `runtime.Unknown` envelope around `obj`.
fn envelope(api_version: &str, kind: &str, obj: &DynamicMessage) -> Vec<u8> {
    let mut tm = DynamicMessage::new(message("apimachinery.pkg.runtime.TypeMeta"));
    tm.set_field_by_name("apiVersion", Pv::String(api_version.into()));
    tm.set_field_by_name("kind", Pv::String(kind.into()));
    let mut unk = DynamicMessage::new(message("apimachinery.pkg.runtime.Unknown"));
    unk.set_field_by_name("typeMeta", Pv::Message(tm));
    unk.set_field_by_name("raw", Pv::Bytes(obj.encode_to_vec().into()));
    [MAGIC, &unk.encode_to_vec()].concat()
}

fn msg(name: &str, fields: &[(&str, Pv)]) -> DynamicMessage {
    let mut m = DynamicMessage::new(message(name));
    for (f, v) in fields {
        m.set_field_by_name(f, v.clone());
    }
    m
}

#[test]
fn kubectl_debug_node_pod_decodes_to_the_json_the_server_takes() {
    let v = decode(DEBUG_NODE_POD, "Pod").unwrap();
    assert_eq!(
        (v["apiVersion"].as_str(), v["kind"].as_str()),
        (Some("v1"), Some("Pod"))
    );
    let spec = &v["spec"];
    let c = &spec["containers"][0];
    assert_eq!(c["image"], "busybox:1.36");
    assert_eq!((c["stdin"].as_bool(), c["tty"].as_bool()), (Some(true), Some(true)));
    assert_eq!(c["volumeMounts"][0], json!({"mountPath": "/host", "name": "host-root"}));
    for host in ["hostPID", "hostNetwork", "hostIPC"] {
        assert_eq!(spec[host], true, "{host}");
    }
    assert_eq!(spec["nodeName"], "worker-1");
    assert_eq!(spec["restartPolicy"], "Never");
    // The volume source is inlined, as Go's `json:",inline"` writes it.
    assert_eq!(
        spec["volumes"][0],
        json!({"name": "host-root", "hostPath": {"path": "/"}})
    );
    assert_eq!(spec["tolerations"], json!([{"operator": "Exists"}]));
    // Zero non-pointer fields are left out as the API server's JSON leaves them out.
    assert!(v["metadata"].get("namespace").is_none() && v["metadata"].get("creationTimestamp").is_none());
    assert!(spec.get("dnsPolicy").is_none() && c.get("stdinOnce").is_none());
}

#[test]
fn deployment_secret_service_ingress_and_quota_decode() {
    let d = decode(DEPLOYMENT, "Deployment").unwrap();
    assert_eq!(d["apiVersion"], "apps/v1");
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(d["spec"]["selector"], json!({"matchLabels": {"app": "web2"}}));
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx");
    assert_eq!(
        d["status"],
        json!({}),
        "status.replicas is no pointer: its 0 is left out"
    );

    let s = decode(SECRET, "Secret").unwrap();
    assert_eq!(s["data"], json!({"password": "aHVudGVyMg==", "user": "YWRtaW4="}));

    let svc = decode(SERVICE, "Service").unwrap();
    let ports = &svc["spec"]["ports"];
    assert_eq!(
        (ports[0]["port"].as_i64(), &ports[0]["targetPort"]),
        (Some(80), &json!(8080))
    );
    assert_eq!(ports[1]["targetPort"], "https");

    let ing = decode(INGRESS, "Ingress").unwrap();
    let rule = &ing["spec"]["rules"][0];
    assert_eq!(rule["host"], "foo.com");
    assert_eq!(rule["http"]["paths"][0]["backend"]["service"]["port"]["number"], 80);

    let q = decode(QUOTA, "ResourceQuota").unwrap();
    assert_eq!(
        q["spec"]["hard"],
        json!({"cpu": "1500m", "memory": "1Gi", "pods": "10"})
    );
}

#[test]
fn times_durations_raw_json_bytes_and_pointer_zeros() {
    let time = |s: i64, n: i32| {
        msg(
            "apimachinery.pkg.apis.meta.v1.Time",
            &[("seconds", Pv::I64(s)), ("nanos", Pv::I32(n))],
        )
    };
    let micro = msg(
        "apimachinery.pkg.apis.meta.v1.MicroTime",
        &[("seconds", Pv::I64(1_700_000_000)), ("nanos", Pv::I32(123_456_789))],
    );
    assert_eq!(to_json(&time(1_700_000_000, 5)), Some(json!("2023-11-14T22:13:20Z")));
    assert_eq!(to_json(&micro), Some(json!("2023-11-14T22:13:20.123456Z")));
    assert_eq!(to_json(&time(-62_135_596_800, 0)), None, "Go's zero time is null");
    let meta = msg(
        "apimachinery.pkg.apis.meta.v1.ObjectMeta",
        &[
            ("name", Pv::String("e".into())),
            ("creationTimestamp", Pv::Message(time(1_700_000_000, 0))),
        ],
    );
    let event = msg(
        "api.events.v1.Event",
        &[
            ("metadata", Pv::Message(meta)),
            ("eventTime", Pv::Message(micro)),
            ("reason", Pv::String("X".into())),
        ],
    );
    let v = decode(&envelope("events.k8s.io/v1", "Event", &event), "Event").unwrap();
    assert_eq!(v["metadata"]["creationTimestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(v["eventTime"], "2023-11-14T22:13:20.123456Z");

    for (ns, s) in [
        (0, "0s"),
        (1_500_000_000, "1.5s"),
        (300_000_000, "300ms"),
        (3_600_000_000_000, "1h0m0s"),
    ] {
        assert_eq!(go_duration(ns), s);
    }
    assert_eq!(go_duration(90_000_000_000), "1m30s");

    // A ControllerRevision's data is a RawExtension: its raw bytes are the embedded JSON.
    let raw = msg(
        "apimachinery.pkg.runtime.RawExtension",
        &[("raw", Pv::Bytes(br#"{"spec":{"a":1}}"#.to_vec().into()))],
    );
    let rev = msg(
        "api.apps.v1.ControllerRevision",
        &[("data", Pv::Message(raw)), ("revision", Pv::I64(3))],
    );
    let v = decode(&envelope("apps/v1", "ControllerRevision", &rev), "ControllerRevision").unwrap();
    assert_eq!((&v["data"], &v["revision"]), (&json!({"spec": {"a": 1}}), &json!(3)));

    // binaryData is bytes: base64 in JSON; a pointer's 0 (replicas) stays, a map's "" value stays.
    let mut bin = DynamicMessage::new(message("api.core.v1.ConfigMap"));
    let mut map = std::collections::HashMap::new();
    map.insert(MapKey::String("blob".into()), Pv::Bytes(vec![0, 1, 255].into()));
    bin.set_field_by_name("binaryData", Pv::Map(map));
    let mut data = std::collections::HashMap::new();
    data.insert(MapKey::String("empty".into()), Pv::String(String::new()));
    bin.set_field_by_name("data", Pv::Map(data));
    let v = decode(&envelope("v1", "ConfigMap", &bin), "ConfigMap").unwrap();
    assert_eq!(
        (&v["binaryData"]["blob"], &v["data"]["empty"]),
        (&json!("AAH/"), &json!(""))
    );
    let spec = msg(
        "api.apps.v1.DeploymentSpec",
        &[("replicas", Pv::I32(0)), ("paused", Pv::Bool(false))],
    );
    let dep = msg("api.apps.v1.Deployment", &[("spec", Pv::Message(spec))]);
    let v = decode(&envelope("apps/v1", "Deployment", &dep), "Deployment").unwrap();
    assert_eq!(v["spec"], json!({"replicas": 0}));
}

#[test]
fn undecodable_bodies_are_refused_in_the_api_servers_words() {
    let e = decode(b"{\"kind\":\"Pod\"}", "Pod").unwrap_err();
    assert_eq!(e.code, 400);
    assert_eq!(
        e.message,
        "the object provided is unrecognized (must be of type Pod): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (7b226b696e64223a22506f64227d)"
    );
    assert!(decode(b"k8s\0", "Pod").unwrap_err().message.contains("empty body"));
    assert_eq!(decode(b"k8s\0\xff\xff", "Pod").unwrap_err().code, 400);
    let thing = msg("api.core.v1.Pod", &[]);
    let e = decode(&envelope("v1", "Thing", &thing), "Pod").unwrap_err();
    assert_eq!(e.code, 400);
    assert!(
        e.message
            .starts_with("Thing in version \"v1\" cannot be handled as a Pod: no kind \"Thing\""),
        "{}",
        e.message
    );
}

#[test]
fn descriptor_field_names_are_the_json_names() {
    // go-to-protobuf names each field after its JSON tag, so field names are JSON names: no
    // snake_case anywhere, and the special cases named here exist.
    for m in POOL.all_messages() {
        if m.is_map_entry() {
            continue;
        }
        for f in m.fields() {
            assert!(!f.name().contains('_'), "{}.{}", m.full_name(), f.name());
        }
    }
    let names: Vec<String> = POOL
        .all_messages()
        .flat_map(|m| {
            let short = m.name().to_string();
            m.fields()
                .map(move |f| format!("{short}.{}", f.name()))
                .collect::<Vec<_>>()
        })
        .collect();
    for q in INLINE.iter().chain(ZERO_MEANS_SOMETHING) {
        assert!(
            names.iter().any(|n| n == q || n.ends_with(&format!(".{q}"))),
            "{q} is in the descriptors"
        );
    }
}

#[test]
fn crd_schemas_are_written_as_openapi() {
    let props = "apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";
    let json = |raw: &str| {
        msg(
            "apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON",
            &[("raw", Pv::Bytes(raw.as_bytes().to_vec().into()))],
        )
    };
    let replicas = msg(
        props,
        &[
            ("type", Pv::String("integer".into())),
            ("minimum", Pv::F64(0.0)),
            ("default", Pv::Message(json("1"))),
        ],
    );
    let mut map = std::collections::HashMap::new();
    map.insert(MapKey::String("replicas".into()), Pv::Message(replicas));
    let no_more = msg(&format!("{props}OrBool"), &[("allows", Pv::Bool(false))]);
    let tags = msg(
        &format!("{props}OrArray"),
        &[(
            "schema",
            Pv::Message(msg(props, &[("type", Pv::String("string".into()))])),
        )],
    );
    let list = msg(
        props,
        &[
            ("type", Pv::String("array".into())),
            ("items", Pv::Message(tags)),
            ("xKubernetesListType", Pv::String("set".into())),
        ],
    );
    map.insert(MapKey::String("tags".into()), Pv::Message(list));
    let spec = msg(
        props,
        &[
            ("type", Pv::String("object".into())),
            ("properties", Pv::Map(map)),
            ("additionalProperties", Pv::Message(no_more)),
            ("xKubernetesPreserveUnknownFields", Pv::Bool(false)),
        ],
    );
    assert_eq!(
        to_json(&spec),
        Some(
            json!({"type": "object", "additionalProperties": false, "x-kubernetes-preserve-unknown-fields": false,
            "properties": {"replicas": {"type": "integer", "minimum": 0.0, "default": 1},
                "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}})
        )
    );
}
