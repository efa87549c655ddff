//! The registry kept current while the app runs, through the headless loop with the real executor
//! (update → effects → executor → inputs): a CRD created is reachable by `:` without a restart (the
//! CRD watch re-reads discovery); deleting it closes its screen with a message and stops its watch;
//! a user who may not watch CRDs still reaches a new kind, through the unknown-word refresh.

mod common;

use std::time::Instant;

use common::{cluster_and_kubeconfig as cluster, until};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, PostParams};
use kubedeck::app::Input;
use kubedeck::app::state::CrdWatch;
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::Kind;
use serde_json::json;
use sim::{Deny, RESTRICTED_CONTEXT};

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.step(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

fn crd(plural: &str, kind: &str) -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{plural}.shop.example.com")},
        "spec": {"group": "shop.example.com", "scope": "Namespaced",
            "names": {"plural": plural, "singular": kind.to_ascii_lowercase(), "kind": kind},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .unwrap()
}

fn said(h: &Headless) -> Vec<String> {
    h.state.messages.iter().map(|m| m.text.clone()).collect()
}

fn knows(h: &Headless, name: &str) -> bool {
    h.state
        .discovery
        .registry
        .as_ref()
        .is_some_and(|r| r.find(name).is_some())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_created_while_running_is_reachable_by_colon_and_its_deletion_closes_its_screen() {
    let (c, kubeconfig) = cluster("registry-crd").await;
    let mut h = Headless::driven(&kubeconfig, None, 200, 40).await.unwrap();
    until(&mut h, 30, "discovery and the CRD watch", |h| {
        h.state.discovery.registry.is_some() && h.state.discovery.crds == CrdWatch::Watching
    })
    .await;
    assert!(!knows(&h, "widgets"));

    let crds: Api<CustomResourceDefinition> = Api::all(c.client().await.unwrap());
    let created = Instant::now();
    crds.create(&PostParams::default(), &crd("widgets", "Widget"))
        .await
        .unwrap();
    // No `:` typed: the CRD watch alone brings it (the timer is off for a user who may watch).
    until(&mut h, 15, "widgets in the registry", |h| knows(h, "widgets")).await;
    eprintln!(
        "a new CRD reached the registry {:?} after its creation",
        created.elapsed()
    );
    let names = kubedeck::app::prompt::candidates(&h.state, "widg");
    assert!(names.contains(&"widgets".to_string()), "{names:?}");

    // Its objects' screen opens from `:` with no code for the kind, and shows an object made now.
    typed(&mut h, ":widgets all\r");
    let kind = Kind::from_resource(h.state.discovery.registry.as_ref().unwrap().find("widgets").unwrap());
    assert_eq!(h.state.top().kind, ViewKind::Resource(kind), "{:?}", said(&h));
    let ar = kube::api::ApiResource {
        group: "shop.example.com".into(),
        version: "v1".into(),
        api_version: "shop.example.com/v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
    };
    let widgets: Api<kube::api::DynamicObject> = Api::namespaced_with(c.client().await.unwrap(), "default", &ar);
    let mut w = kube::api::DynamicObject::new("sprocket-7", &ar).within("default");
    w.data = json!({"spec": {"size": 3}});
    widgets.create(&PostParams::default(), &w).await.unwrap();
    until(&mut h, 15, "the new widget's row", |h| {
        h.state.top().table.rows.iter().any(|r| r.name == "sprocket-7")
    })
    .await;
    h.frame().unwrap();
    assert!(h.screen().contains("sprocket-7"), "{}", h.screen());
    assert!(h.cache().running().iter().any(|(k, _)| *k == kind), "its watch runs");

    crds.delete("widgets.shop.example.com", &DeleteParams::default())
        .await
        .unwrap();
    until(&mut h, 15, "the widgets screen closed", |h| {
        h.state.top().kind != ViewKind::Resource(kind)
    })
    .await;
    let closed = "widgets.shop.example.com is no longer served by the server: its screen is closed";
    assert!(said(&h).iter().any(|m| m == closed), "{:?}", said(&h));
    assert!(
        !h.cache().running().iter().any(|(k, _)| *k == kind),
        "its watch is cancelled"
    );
    assert!(!knows(&h, "widgets"));
    h.shutdown();
    let _ = std::fs::remove_dir_all(kubeconfig.parent().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_may_not_watch_crds_reaches_a_new_kind_through_the_unknown_word_refresh() {
    let (c, kubeconfig) = cluster("registry-denied").await;
    c.faults().deny(Deny {
        user: "jane".into(),
        plural: "customresourcedefinitions".into(),
        namespace: None,
    });
    let mut h = Headless::driven(&kubeconfig, Some(RESTRICTED_CONTEXT), 200, 40)
        .await
        .unwrap();
    until(&mut h, 30, "discovery, and the CRD watch refused", |h| {
        h.state.discovery.registry.is_some() && matches!(h.state.discovery.crds, CrdWatch::Refused(_))
    })
    .await;
    let CrdWatch::Refused(why) = &h.state.discovery.crds else {
        unreachable!()
    };
    assert!(
        why.contains("Forbidden") && why.contains("customresourcedefinitions"),
        "{why}"
    );
    assert!(kubedeck::app::discovery::polling(&h.state), "the timer takes over");

    let admin: Api<CustomResourceDefinition> = Api::all(c.client().await.unwrap());
    admin
        .create(&PostParams::default(), &crd("gadgets", "Gadget"))
        .await
        .unwrap();
    // Served once established (as on a real server): only then can discovery list it.
    common::eventually(10, "the Gadget CRD established", || {
        let admin = admin.clone();
        async move {
            let crd = admin.get("gadgets.shop.example.com").await.ok()?;
            let conditions = crd.status?.conditions?;
            conditions
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
                .then_some(())
        }
    })
    .await;
    assert!(!knows(&h, "gadgets"), "no watch told it");

    typed(&mut h, ":gadgets\r");
    until(&mut h, 15, "gadgets resolved after discovery was read again", |h| {
        knows(h, "gadgets") && h.state.discovery.waiting.is_none()
    })
    .await;
    assert!(
        !said(&h).iter().any(|m| m.contains("unknown command")),
        "{:?}",
        said(&h)
    );
    assert!(
        said(&h)
            .iter()
            .any(|m| m.contains("reading the server's resource list again"))
    );
    h.shutdown();
    let _ = std::fs::remove_dir_all(kubeconfig.parent().unwrap());
}
