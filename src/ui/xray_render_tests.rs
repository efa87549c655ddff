//! Render tests of the xray tree from real objects (shaped as the demo cluster's `api` Deployment):
//! projected as the cache projects them, built, and drawn into a TestBackend.

use std::collections::HashSet;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use serde_json::{Value, json};

use crate::app::state::{State, View, ViewKind};
use crate::app::xray::tree::{Obj, Root};
use crate::app::xray::{Fed, Xray, objs};
use crate::app::{Input, update};
use crate::cluster::rows::{self, Row};
use crate::cluster::{Kind, Scope};
use crate::test_util::{self, draw, text};

const NOW: i64 = 1_700_000_000;

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn meta(name: &str, uid: &str, owner: Option<(&str, &str, &str)>) -> Value {
    let mut m = json!({"name": name, "namespace": "shop", "uid": uid,
        "labels": {"app.kubernetes.io/name": "api"}, "creationTimestamp": "2023-11-14T20:13:20Z"});
    if let Some((kind, name, uid)) = owner {
        m["ownerReferences"] =
            json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid, "controller": true}]);
    }
    m
}

fn pod(name: &str, uid: &str, crashing: bool) -> Value {
    let state = match crashing {
        true => json!({"waiting": {"reason": "CrashLoopBackOff"}}),
        false => json!({"running": {"startedAt": "2023-11-14T20:13:30Z"}}),
    };
    json!({
        "metadata": meta(name, uid, Some(("ReplicaSet", "api-5d8", "rs1"))),
        "spec": {"containers": [{"name": "api", "image": "registry.example.com/shop/api:2.14.1",
            "env": [{"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "shop-db", "key": "url"}}}],
            "envFrom": [{"configMapRef": {"name": "shop-config"}}]}],
            "serviceAccountName": "shop", "nodeName": "worker-1"},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": if crashing { "False" } else { "True" }}],
            "containerStatuses": [{"name": "api", "image": "api", "imageID": "", "ready": !crashing,
                "restartCount": if crashing { 7 } else { 0 }, "state": state}]}
    })
}

/// A kind kubedeck has no types for, as discovery gives it.
fn other(kind: &str, plural: &str) -> Kind {
    Kind::from_resource(&model::registry::Resource {
        kind: kind.into(),
        plural: plural.into(),
        version: "v1".into(),
        namespaced: true,
        ..Default::default()
    })
}

fn named(kind: Kind, name: &str) -> Obj {
    let row = Row {
        key: format!("uid-{name}"),
        namespace: "shop".into(),
        name: name.into(),
        ..Row::default()
    };
    objs::of_row(kind, &row)
}

/// The cache's objects: the api Deployment, its ReplicaSet, a running and a crash-looping pod,
/// its Service, the ConfigMap, Secret and ServiceAccount the pods use, and their node.
fn cache(dep_name: &str) -> Vec<Obj> {
    let dep: Deployment = typed(json!({"metadata": meta(dep_name, "d1", None),
        "spec": {"replicas": 2, "selector": {}, "template": {}},
        "status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1}}));
    let rs: ReplicaSet = typed(
        json!({"metadata": meta("api-5d8", "rs1", Some(("Deployment", "api", "d1"))),
        "spec": {"replicas": 2, "selector": {}}, "status": {"replicas": 2, "readyReplicas": 1}}),
    );
    let svc: Service = typed(json!({"metadata": meta("api", "s1", None),
        "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": "api"}, "clusterIP": "10.96.201.33"}}));
    let node: Node = typed(json!({"metadata": {"name": "worker-1", "uid": "n1"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}}));
    vec![
        objs::of_row(Kind::Deployment, &rows::deployment(&dep)),
        objs::of_row(Kind::ReplicaSet, &rows::replica_set(&rs)),
        objs::of_row(Kind::Service, &rows::service(&svc)),
        objs::of_row(Kind::Node, &rows::node(&node)),
        objs::of_pod(&typed::<Pod>(pod("api-5d8-aaaa", "p1", false))),
        objs::of_pod(&typed::<Pod>(pod("api-5d8-bbbb", "p2", true))),
        named(other("ConfigMap", "configmaps"), "shop-config"),
        named(other("Secret", "secrets"), "shop-db"),
        named(other("ServiceAccount", "serviceaccounts"), "shop"),
    ]
}

fn xray_of(what: &'static str, name: &str, objs: Vec<Obj>) -> State {
    let mut s = test_util::connected("demo", "shop", false);
    let root = Root::Object {
        what,
        namespace: "shop".into(),
        name: name.into(),
    };
    let kind = Kind::of(if what == "Pod" { "" } else { "apps" }, what).unwrap();
    let mut v = View::new(ViewKind::Xray(Box::new(Xray::new(
        root,
        kind,
        Scope::Namespace("shop".into()),
    ))));
    v.subtitle = format!("{} {name}", what.to_lowercase());
    s.stack.push(v);
    let synced: HashSet<&'static str> = ["Pod", "Deployment", "ConfigMap", "Secret"].into_iter().collect();
    let fed = Fed {
        generation: 1,
        objs,
        synced,
        status: Some(crate::cluster::watch::WatchStatus::Ready),
    };
    update(&mut s, Input::Xray(Box::new(fed)));
    s
}

fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
}

#[test]
fn xray_of_a_deployment_shows_replica_sets_pods_containers_service_and_config() {
    let s = xray_of("Deployment", "api", cache("api"));
    let buf = draw(&s, 100, 30, NOW);
    let out = text(&buf);
    assert!(line_with(&out, "Deployment api").contains("Available 1/2"), "{out}");
    assert!(line_with(&out, "ReplicaSet api-5d8").contains("ready 1/2"), "{out}");
    assert!(line_with(&out, "Pod api-5d8-aaaa").contains("Running 1/1"), "{out}");
    assert!(
        line_with(&out, "Pod api-5d8-bbbb").contains("CrashLoopBackOff 0/1"),
        "{out}"
    );
    for needle in [
        "container api",
        "Running, ready",
        "Service api",
        "ConfigMap shop-config",
        "Secret shop-db",
        "ServiceAccount shop",
        "Node worker-1",
    ] {
        line_with(&out, needle);
    }
    // The tree's branches, and the fold marks of nodes with children.
    assert!(
        line_with(&out, "ReplicaSet api-5d8").contains("└─ ▾ ReplicaSet"),
        "{out}"
    );
    assert!(line_with(&out, "Pod api-5d8-aaaa").contains("├─ ▾ Pod"), "{out}");
    // Colour says the state: the crash loop in the error style, the running container in ok.
    let theme = crate::config::theme::Theme::default();
    let at = |needle: &str| {
        let y = out.lines().position(|l| l.contains(needle)).unwrap();
        let x = out.lines().nth(y).unwrap().chars().collect::<Vec<_>>();
        let col = x
            .windows(needle.chars().count())
            .position(|w| w.iter().collect::<String>() == needle)
            .unwrap();
        buf[(col as u16, y as u16)].fg
    };
    assert_eq!(at("CrashLoopBackOff"), theme.error.fg.unwrap());
    assert_eq!(at("Running, ready"), theme.ok.fg.unwrap());
    assert!(line_with(&out, "xray").contains("deployment api"), "{out}");
}

#[test]
fn xray_of_a_pod_shows_its_owners_to_the_top_with_the_cursor_on_the_pod() {
    let s = xray_of("Pod", "api-5d8-bbbb", cache("api"));
    let buf = draw(&s, 100, 30, NOW);
    let out = text(&buf);
    let tree: Vec<&str> = out.lines().filter(|l| l.contains("▾")).collect();
    assert!(tree[0].contains("▾ Deployment api (shop)"), "{out}");
    assert!(tree[1].contains("└─ ▾ ReplicaSet api-5d8"), "{out}");
    let y = out.lines().position(|l| l.contains("Pod api-5d8-bbbb")).unwrap();
    let selected = crate::config::theme::Theme::default().selected;
    let cell = &buf[(2, y as u16)];
    assert_eq!(cell.bg, selected.bg.unwrap_or_default(), "the cursor is on the pod");
    assert!(
        cell.modifier.contains(selected.add_modifier),
        "the cursor is on the pod"
    );
    let other = &buf[(2, y as u16 - 1)];
    assert!((other.bg, other.modifier) != (cell.bg, cell.modifier), "and only there");
}

#[test]
fn names_with_control_sequences_draw_as_plain_text() {
    let s = xray_of(
        "Deployment",
        "api\u{1b}]52;c;aGk=\u{7}",
        cache("api\u{1b}]52;c;aGk=\u{7}"),
    );
    let out = text(&draw(&s, 100, 30, NOW));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    line_with(&out, "Deployment api]52;c;aGk=");
}

#[test]
fn a_tree_of_ten_thousand_pods_draws_one_page() {
    let mut objs = cache("api");
    let template = pod("x", "x", false);
    for i in 0..10_000 {
        let mut p = template.clone();
        p["metadata"]["name"] = json!(format!("api-5d8-{i:05}"));
        p["metadata"]["uid"] = json!(format!("p-{i}"));
        objs.push(objs::of_pod(&typed::<Pod>(p)));
    }
    let s = xray_of("Deployment", "api", objs);
    let small = xray_of("Deployment", "api", cache("api"));
    let started = std::time::Instant::now();
    text(&draw(&small, 100, 30, NOW));
    eprintln!("a frame of the small tree: {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let out = text(&draw(&s, 100, 30, NOW));
    let took = started.elapsed();
    line_with(&out, "Pod api-5d8-00000");
    assert!(!out.contains("api-5d8-09999"));
    eprintln!("a frame of the 10,000-pod tree: {took:?}");
}
