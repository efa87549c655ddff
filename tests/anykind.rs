//! What every kind offers, custom resources included, against the demo cluster through the real
//! kube client: the generic describe with the object's events, delete, scale through the scale
//! subresource, and a delete of several marked objects.

mod common;

use common::{cluster_with_ns, eventually};
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, PostParams};
use kubedeck::cluster::Kind;
use kubedeck::cluster::client::no_retry_client;
use kubedeck::cluster::describe::fetch::fetch;
use kubedeck::cluster::discovery::discover;
use kubedeck::cluster::ops::{self, ObjRef, Op, Propagation, Success};
use serde_json::json;

/// The demo cluster, a client, and the kind discovery gives `name`.
async fn cluster_and_kind(ns: &str, name: &str) -> (sim::DemoCluster, kube::Client, Kind) {
    let (c, client) = cluster_with_ns(ns).await;
    let config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &Default::default())
        .await
        .expect("the demo's kubeconfig");
    let registry = discover(&no_retry_client(config).expect("a client"))
        .await
        .expect("discovery answers");
    let kind = Kind::from_resource(registry.find(name).expect("served"));
    (c, client, kind)
}

#[tokio::test]
async fn describe_of_a_certificate_shows_its_fields_and_events() {
    let (cluster, client, kind) = cluster_and_kind("shop", "certificates.cert-manager.io").await;
    assert!(!kind.typed());
    let cert = ops::get_value(&client, &ObjRef::new(kind, "shop", "api-tls"))
        .await
        .expect("the scenario's certificate");
    let event: Event = serde_json::from_value(json!({
        "metadata": {"name": "api-tls.issuing", "namespace": "shop"},
        "involvedObject": {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "name": "api-tls",
            "namespace": "shop", "uid": cert["metadata"]["uid"]},
        "type": "Normal", "reason": "Issuing", "message": "The certificate has been successfully issued",
        "source": {"component": "cert-manager-certificates-issuing"},
        "firstTimestamp": common::ago(60), "lastTimestamp": common::ago(60), "count": 1
    }))
    .unwrap();
    let events: Api<Event> = Api::namespaced(client.clone(), "shop");
    events
        .create(&PostParams::default(), &event)
        .await
        .expect("event created");

    // YAML: the whole object, as the server sent it.
    let yaml = fetch(client.clone(), kind, "shop", "api-tls", false)
        .await
        .expect("fetched");
    assert!(yaml.describe.is_none());
    assert_eq!(yaml.object["spec"]["secretName"], "api-tls");
    assert_eq!(yaml.object["kind"], "Certificate");

    let lines = fetch(client.clone(), kind, "shop", "api-tls", true)
        .await
        .expect("described")
        .describe
        .expect("describe text");
    let has = |prefix: &str| lines.iter().any(|l| l.trim_end().starts_with(prefix));
    let text = lines.join("\n");
    assert!(lines[0].starts_with("Name:") && lines[0].ends_with("api-tls"), "{text}");
    for want in [
        "API Version:",
        "Kind:              Certificate",
        "Spec:",
        "  Dns Names:",
        "    api.shop.example.com",
        "    Type         Status  Reason",
        "Events:",
    ] {
        assert!(has(want), "{want:?} missing from\n{text}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  Secret Name:") && l.ends_with(" api-tls")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Issuing") && l.contains("The certificate has been successfully issued")),
        "{text}"
    );
    // The scenario's certificate waiting for its Secret comes with cert-manager's events.
    let lines = fetch(client.clone(), kind, "payments", "payments-api-tls", true)
        .await
        .expect("described")
        .describe
        .expect("describe text");
    let text = lines.join("\n");
    for reason in ["Issuing", "Generated", "Requested"] {
        assert!(
            lines
                .iter()
                .any(|l| l.trim_start().starts_with(&format!("Normal  {reason}"))),
            "{reason}: {text}"
        );
    }
    assert!(text.contains("Ready") && text.contains("False"), "{text}");
    cluster.stop().await;
}

#[tokio::test]
async fn a_custom_object_is_deleted_as_kubectl_deletes_it() {
    let (cluster, client, kind) = cluster_and_kind("shop", "certs").await;
    let cert = ObjRef::new(kind, "shop", "storefront-tls");
    let done = ops::perform(
        &client,
        &cert,
        &Op::Delete {
            propagation: Propagation::Foreground,
            grace: None,
        },
    )
    .await
    .expect("deleted");
    assert_eq!(
        done,
        Success::changed("certificate.cert-manager.io \"storefront-tls\" deleted from shop namespace")
    );
    eventually(10, "the certificate is gone", || {
        let (client, cert) = (client.clone(), cert.clone());
        async move { ops::get_value(&client, &cert).await.err() }
    })
    .await;
    let err = ops::delete(&client, &cert, Propagation::Background, None)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        "Error from server (NotFound): certificates.cert-manager.io \"storefront-tls\" not found"
    );
    cluster.stop().await;
}

#[tokio::test]
async fn a_custom_resource_scales_through_its_scale_subresource() {
    let (cluster, client, kind) = cluster_and_kind("shop", "postgresclusters").await;
    assert!(kind.resource().unwrap().has("scale"));
    let db = ObjRef::new(kind, "shop", "orders-db");
    let info = ops::precheck::scale_info(&client, &db).await.expect("scale info");
    assert_eq!(info.current, Some(3), "from the scale subresource");
    let done = ops::perform(&client, &db, &Op::Scale(5)).await.expect("scaled");
    assert_eq!(
        done,
        Success::changed("postgrescluster.postgres-operator.crunchydata.com/orders-db scaled")
    );
    let obj = ops::get_value(&client, &db).await.unwrap();
    assert_eq!(obj["spec"]["replicas"], 5, "specReplicasPath .spec.replicas");
    assert_eq!(ops::precheck::scale_info(&client, &db).await.unwrap().current, Some(5));
    cluster.stop().await;
}

#[tokio::test]
async fn the_owners_of_a_pod_are_read_fresh_controller_first() {
    let (cluster, client) = cluster_with_ns("shop").await;
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), "shop");
    let name = eventually(30, "a pod of a ReplicaSet in shop", || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&Default::default()).await.ok()?;
            list.items.into_iter().find_map(|p| {
                let owned = p
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.kind == "ReplicaSet");
                owned.then(|| p.metadata.name.unwrap_or_default())
            })
        }
    })
    .await;
    let owners = ops::owner::owners(&client, &ObjRef::new(Kind::Pod, "shop", &name))
        .await
        .expect("owners");
    let first = &owners[0];
    assert!(
        first.controller && first.kind == "ReplicaSet" && first.group() == "apps",
        "{owners:?}"
    );
    assert!(name.starts_with(&first.name), "{name} of {}", first.name);
    let err = ops::owner::owners(&client, &ObjRef::new(Kind::Pod, "shop", "no-such-pod"))
        .await
        .unwrap_err();
    assert!(err.contains("NotFound"), "{err}");
    cluster.stop().await;
}

#[tokio::test]
async fn marked_certificates_are_deleted_together_each_result_reported() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use kubedeck::app::state::{View, ViewKind};
    use kubedeck::app::table::Row;
    use kubedeck::app::{Effect, Input, State, update};
    use kubedeck::cluster::Scope;
    use kubedeck::cluster::watch::WatchStatus;
    use std::sync::Arc;

    let (cluster, client, kind) = cluster_and_kind("shop", "certificate").await;
    let api = ops::dyn_api(&client, &ObjRef::new(kind, "shop", ""));
    let listed = api.list(&Default::default()).await.expect("certificates listed");
    let rows: Vec<Arc<Row>> = listed
        .items
        .iter()
        .map(|o| {
            Arc::new(Row {
                key: o.metadata.uid.clone().unwrap_or_default(),
                namespace: "shop".into(),
                name: o.metadata.name.clone().unwrap_or_default().into(),
                ..Default::default()
            })
        })
        .collect();
    assert_eq!(rows.len(), 2, "the scenario's two certificates in shop");

    let mut state = State::new(Some("shop".into()), false, kubedeck::config::keymap::default_keymap());
    state.stack = vec![View::new(ViewKind::Resource(kind))];
    update(
        &mut state,
        Input::Rows {
            watch: (kind, Scope::Namespace("shop".into())),
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
    let press = |s: &mut State, code: KeyCode| update(s, Input::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('D'));
    press(&mut state, KeyCode::Enter);
    let effects = press(&mut state, KeyCode::Char('y'));
    assert_eq!(effects.len(), 2, "{effects:?}");
    for effect in effects {
        let Effect::Mutate { target, op } = effect else {
            panic!("{effect:?}")
        };
        let result = ops::perform(&client, &target, &op).await;
        update(&mut state, Input::Done { target, op, result });
    }
    let toasts: Vec<&str> = state.toasts.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(
        toasts,
        [
            "certificate.cert-manager.io \"api-tls\" deleted from shop namespace",
            "certificate.cert-manager.io \"storefront-tls\" deleted from shop namespace"
        ]
    );
    eventually(10, "both certificates gone", || {
        let api = api.clone();
        async move { api.list(&Default::default()).await.ok().filter(|l| l.items.is_empty()) }
    })
    .await;
    cluster.stop().await;
}
