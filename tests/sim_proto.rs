//! Protobuf request bodies on the demo cluster, as kubectl's typed clients send them: bodies
//! kubectl 1.32.4 sent (sim/proto/fixtures) are posted over HTTPS and the objects read back as
//! JSON through kube-rs; an Accept the server cannot answer gets 406, a custom resource's
//! protobuf body 415 and an undecodable one 400, with the API server's reasons.

mod common;

use common::{cluster_with_ns, eventually};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, ListParams};

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
/// What kubectl's typed clients accept.
const KUBECTL_ACCEPT: &str = "application/vnd.kubernetes.protobuf,application/json";
const DEBUG_NODE_POD: &[u8] = include_bytes!("../sim/proto/fixtures/debug-node-pod.bin");
const DEPLOYMENT: &[u8] = include_bytes!("../sim/proto/fixtures/deployment.bin");
const SECRET: &[u8] = include_bytes!("../sim/proto/fixtures/secret.bin");

fn post(path: &str, accept: &str, body: &[u8]) -> http::Request<Vec<u8>> {
    http::Request::post(path)
        .header("Content-Type", PROTOBUF)
        .header("Accept", accept)
        .body(body.to_vec())
        .unwrap()
}

async fn api_error(client: &kube::Client, req: http::Request<Vec<u8>>) -> (u16, String, String) {
    match client.request_text(req).await {
        Err(kube::Error::Api(s)) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn kubectl_protobuf_creates_land_as_the_objects_they_encode() {
    let (_c, client) = cluster_with_ns("proto").await;

    // `kubectl debug node/worker-1 -it --image=busybox:1.36`'s pod, answered in JSON.
    let created = client
        .request_text(post("/api/v1/namespaces/proto/pods", KUBECTL_ACCEPT, DEBUG_NODE_POD))
        .await
        .expect("the protobuf pod is created");
    let created: serde_json::Value = serde_json::from_str(&created).expect("the answer is JSON");
    let name = created["metadata"]["name"].as_str().unwrap().to_string();
    assert_eq!(name, "node-debugger-worker-1-c4m6d");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "proto");
    let pod = pods.get(&name).await.unwrap();
    let spec = pod.spec.unwrap();
    assert_eq!(spec.containers[0].image.as_deref(), Some("busybox:1.36"));
    assert_eq!((spec.host_pid, spec.host_network), (Some(true), Some(true)));
    assert_eq!(spec.node_name.as_deref(), Some("worker-1"));
    let vol = &spec.volumes.unwrap()[0];
    assert_eq!(vol.host_path.as_ref().map(|h| h.path.as_str()), Some("/"));
    eventually(20, "the debug pod runs on worker-1", || async {
        let p = pods.get(&name).await.ok()?;
        (p.status?.phase.as_deref() == Some("Running")).then_some(())
    })
    .await;

    // `kubectl create deployment web2 --image=nginx --replicas=2`: its two pods appear.
    client
        .request_text(post(
            "/apis/apps/v1/namespaces/proto/deployments",
            KUBECTL_ACCEPT,
            DEPLOYMENT,
        ))
        .await
        .expect("the protobuf deployment is created");
    let deps: Api<Deployment> = Api::namespaced(client.clone(), "proto");
    assert_eq!(deps.get("web2").await.unwrap().spec.unwrap().replicas, Some(2));
    eventually(20, "web2's two pods", || async {
        let l = pods.list(&ListParams::default().labels("app=web2")).await.ok()?;
        (l.items.len() == 2).then_some(())
    })
    .await;

    // `kubectl create secret generic s1 --from-literal=password=hunter2 …`.
    client
        .request_text(post("/api/v1/namespaces/proto/secrets", "*/*", SECRET))
        .await
        .expect("the protobuf secret is created");
    let secrets = Api::<Secret>::namespaced(client.clone(), "proto");
    let s = secrets.get("s1").await.unwrap();
    assert_eq!(s.data.clone().unwrap()["password"].0, b"hunter2");

    // An update (client-go's typed Update: PUT, protobuf, no resourceVersion) over a changed secret.
    let mut changed = s.clone();
    changed.data = Some([("password".to_string(), k8s_openapi::ByteString(b"other".to_vec()))].into());
    secrets.replace("s1", &Default::default(), &changed).await.unwrap();
    let put = http::Request::put("/api/v1/namespaces/proto/secrets/s1")
        .header("Content-Type", PROTOBUF)
        .header("Accept", KUBECTL_ACCEPT)
        .body(SECRET.to_vec())
        .unwrap();
    client.request_text(put).await.expect("the protobuf update is taken");
    let s = secrets.get("s1").await.unwrap();
    assert_eq!(s.data.unwrap()["password"].0, b"hunter2");
}

#[tokio::test]
async fn media_types_the_server_cannot_take_or_give_are_refused_as_the_api_server_does() {
    let (_c, client) = cluster_with_ns("proto2").await;

    // Only protobuf accepted: the demo server writes JSON only, so 406.
    let req = http::Request::get("/api/v1/namespaces/proto2/pods")
        .header("Accept", PROTOBUF)
        .body(vec![])
        .unwrap();
    let (code, reason, message) = api_error(&client, req).await;
    assert_eq!((code, reason.as_str()), (406, "NotAcceptable"));
    assert_eq!(message, "only the following media types are accepted: application/json");
    let req = post("/api/v1/namespaces/proto2/secrets", PROTOBUF, SECRET);
    assert_eq!(api_error(&client, req).await.0, 406);
    assert!(
        Api::<Secret>::namespaced(client.clone(), "proto2")
            .get_opt("s1")
            .await
            .unwrap()
            .is_none(),
        "a refused request changes nothing"
    );

    // Custom resources are JSON (and YAML) only, on the real server too.
    let req = post(
        "/apis/cert-manager.io/v1/namespaces/proto2/certificates",
        KUBECTL_ACCEPT,
        SECRET,
    );
    let (code, reason, message) = api_error(&client, req).await;
    assert_eq!((code, reason.as_str()), (415, "UnsupportedMediaType"));
    assert!(
        message.starts_with("the body of the request was in an unknown format"),
        "{message}"
    );

    // A body that says protobuf but is not.
    let req = post("/api/v1/namespaces/proto2/pods", KUBECTL_ACCEPT, br#"{"kind":"Pod"}"#);
    let (code, reason, message) = api_error(&client, req).await;
    assert_eq!((code, reason.as_str()), (400, "BadRequest"));
    assert!(
        message.starts_with("the object provided is unrecognized (must be of type Pod): provided data does not appear to be a protobuf message"),
        "{message}"
    );
}
