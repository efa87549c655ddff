//! Key flows of the xray view on the pure `update`.

use super::*;
use crate::app::update::{act, run_command};
use crate::app::{Action, Input, update};
use crate::cluster::watch::WatchStatus;
use tree::Obj;

fn facts() -> tree::PodFacts {
    tree::PodFacts {
        containers: vec![tree::Container {
            what: "container",
            key: "main/web".into(),
            name: "web".into(),
            state: ("Running, ready".into(), tree::Tone::Good),
        }],
        config_maps: vec!["web-nginx".into()],
        ..Default::default()
    }
}

/// The objects of a small shop: a Deployment, its ReplicaSet, two pods and a ConfigMap.
pub fn objs() -> Vec<Obj> {
    let o = |kind: Kind, name: &str, uid: &str, owner: &str| Obj {
        what: kind.name(),
        kind: Some(kind),
        namespace: "shop".into(),
        name: name.into(),
        uid: uid.into(),
        owners: vec![owner.to_string()].into_iter().filter(|s| !s.is_empty()).collect(),
        state: ("Available 2/2".into(), tree::Tone::Good),
        ..Obj::default()
    };
    let pod = |name: &str, uid: &str| Obj {
        pod: Some(Box::new(facts())),
        state: ("Running 1/1".into(), tree::Tone::Good),
        ..o(Kind::Pod, name, uid, "rs1")
    };
    vec![
        o(Kind::Deployment, "web", "d1", ""),
        o(Kind::ReplicaSet, "web-7f9", "rs1", "d1"),
        pod("web-7f9-a", "p1"),
        pod("web-7f9-b", "p2"),
    ]
}

fn feed(s: &mut State, generation: u64) {
    let fed = Fed {
        generation,
        objs: objs(),
        synced: ["Pod", "Deployment"].into_iter().collect(),
        status: Some(WatchStatus::Ready),
    };
    update(s, Input::Xray(Box::new(fed)));
}

/// A state with the xray of `:xray deploy shop` on show, fed.
pub fn sample_state() -> State {
    let mut s = crate::test_util::connected("demo", "shop", false);
    run_command(&mut s, "xray deploy shop");
    feed(&mut s, 1);
    s
}

fn x(s: &State) -> &Xray {
    match &s.top().kind {
        ViewKind::Xray(x) => x,
        other => panic!("not an xray: {other:?}"),
    }
}

fn at(s: &State) -> String {
    let n = x(s).current().unwrap();
    format!("{} {}", n.what, n.name)
}

#[test]
fn xray_command_opens_a_kind_tree_and_refuses_an_unknown_kind() {
    let mut s = crate::test_util::connected("demo", "shop", false);
    run_command(&mut s, "xray deploy");
    assert_eq!(s.stack.len(), 1);
    assert_eq!(x(&s).scope, Scope::Namespace("shop".into()));
    assert_eq!(s.top().subtitle, "deployments in shop");
    run_command(&mut s, "xray nosuchkind");
    assert!(
        s.toasts.last().unwrap().text.contains("unknown kind \"nosuchkind\""),
        "{:?}",
        s.toasts
    );
    run_command(&mut s, "xray");
    assert!(s.toasts.last().unwrap().text.contains(":xray KIND [NAMESPACE]"));
    run_command(&mut s, "xray po all");
    assert_eq!(x(&s).scope, Scope::All);
}

#[test]
fn t_on_a_row_opens_the_xray_of_that_object_and_esc_returns() {
    use crate::cluster::watch::WatchStatus;
    let mut s = crate::test_util::connected("demo", "shop", false);
    let rows = crate::screens::lists::sample_rows("pods", "shop", 3);
    crate::test_util::show(
        &mut s,
        Kind::Pod,
        Scope::Namespace("shop".into()),
        rows,
        WatchStatus::Ready,
    );
    let name = s.top().table.current().unwrap().name.to_string();
    act(&mut s, Action::Xray);
    assert_eq!(
        x(&s).root,
        Root::Object {
            what: "Pod",
            namespace: "shop".into(),
            name,
        }
    );
    act(&mut s, Action::Back);
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
    // On a pod's containers: the pod's.
    act(&mut s, Action::Enter);
    assert!(matches!(s.top().kind, ViewKind::Containers { .. }));
    act(&mut s, Action::Xray);
    assert!(matches!(&x(&s).root, Root::Object { what: "Pod", .. }));
}

#[test]
fn moving_folding_and_walking_the_tree() {
    let mut s = sample_state();
    assert_eq!(at(&s), "deployments shop");
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    assert_eq!(at(&s), "ReplicaSet web-7f9");
    act(&mut s, Action::Fold);
    assert_eq!(x(&s).lines.len(), 3, "root, deployment, folded replica set");
    act(&mut s, Action::Expand);
    assert_eq!(x(&s).lines.len(), 1 + 1 + 1 + 2 * 3);
    act(&mut s, Action::Expand);
    assert_eq!(at(&s), "Pod web-7f9-a", "right on an open node goes to its first child");
    act(&mut s, Action::Collapse);
    assert_eq!(at(&s), "Pod web-7f9-a");
    act(&mut s, Action::Collapse);
    assert_eq!(at(&s), "ReplicaSet web-7f9", "left on a folded node goes to its parent");
    // A rebuild keeps folds and the cursor on the same node.
    feed(&mut s, 2);
    assert_eq!(at(&s), "ReplicaSet web-7f9");
    assert_eq!(x(&s).lines.len(), 1 + 1 + 1 + 1 + 3, "pod a folded, pod b open");
    act(&mut s, Action::Bottom);
    assert_eq!(at(&s), "ConfigMap web-nginx");
}

#[test]
fn enter_opens_the_table_with_the_cursor_on_the_object_and_a_container_in_its_pod() {
    let mut s = sample_state();
    act(&mut s, Action::Down);
    let effects = act(&mut s, Action::Enter);
    assert_eq!(
        effects,
        [crate::app::Effect::Watch(
            Kind::Deployment,
            Scope::Namespace("shop".into())
        )]
    );
    assert_eq!(s.top().table.selected.as_deref(), Some("d1"));
    assert_eq!(s.top().seeking.as_ref().map(|s| s.0.as_str()), Some("d1"));
    act(&mut s, Action::Back);
    assert_eq!(at(&s), "Deployment web", "esc returns to the tree where it was");
    for _ in 0..3 {
        act(&mut s, Action::Down);
    }
    assert_eq!(at(&s), "container web");
    act(&mut s, Action::Enter);
    assert_eq!(
        s.top().kind,
        ViewKind::Containers {
            namespace: "shop".into(),
            pod: "web-7f9-a".into()
        }
    );
    assert_eq!(s.top().table.selected.as_deref(), Some("main/web"));
    act(&mut s, Action::Back);
    let effects = act(&mut s, Action::Describe);
    assert!(
        matches!(&effects[..], [crate::app::Effect::Fetch { kind: Kind::Pod, name, describe: true, .. }] if name == "web-7f9-a")
    );
}

#[test]
fn a_feed_for_an_xray_no_longer_on_show_changes_nothing() {
    let mut s = sample_state();
    act(&mut s, Action::Down);
    act(&mut s, Action::Enter);
    let before = s.top().kind.clone();
    feed(&mut s, 3);
    assert_eq!(s.top().kind, before);
}

#[test]
fn t_on_an_ingress_reads_it_once_for_its_services() {
    use crate::kinds::extra::Why;
    let res = model::registry::Resource {
        group: "networking.k8s.io".into(),
        version: "v1".into(),
        kind: "Ingress".into(),
        plural: "ingresses".into(),
        namespaced: true,
        ..Default::default()
    };
    let ingress = Kind::from_resource(&res);
    let mut s = crate::app::anykind_tests::showing(ingress, &["shop"], false);
    let name = s.top().table.current().unwrap().name.clone();
    let effects = act(&mut s, Action::Xray);
    let from = crate::cluster::ops::ObjRef::new(ingress, "shop", &name);
    assert!(
        effects.contains(&crate::app::Effect::Gather {
            from: from.clone(),
            lists: vec![],
            why: Why::Xray
        }),
        "{effects:?}"
    );
    let object = serde_json::json!({"metadata": {"name": name.as_str(), "namespace": "shop"},
        "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}});
    let gathered = crate::cluster::related::Gathered { object, lists: vec![] };
    update(
        &mut s,
        Input::Gathered {
            from,
            why: Why::Xray,
            result: Ok(gathered),
        },
    );
    assert_eq!(
        x(&s).links,
        [crate::cluster::ops::ObjRef::new(Kind::Service, "shop", "web")]
    );
    assert_eq!(x(&s).built, None, "built again with them at the next feed");
}

#[test]
fn the_cursor_stays_on_the_pod_when_its_owners_arrive_after_it() {
    let mut s = crate::test_util::connected("demo", "shop", false);
    let root = Root::Object {
        what: "Pod",
        namespace: "shop".into(),
        name: "web-7f9-b".into(),
    };
    let xray = Xray::new(root, Kind::Pod, Scope::Namespace("shop".into()));
    s.stack.push(View::new(ViewKind::Xray(Box::new(xray))));
    let pods_only = objs().into_iter().filter(|o| o.what == "Pod").collect();
    let fed = Fed {
        generation: 1,
        objs: pods_only,
        ..Fed::default()
    };
    update(&mut s, Input::Xray(Box::new(fed)));
    assert_eq!(at(&s), "Pod web-7f9-b");
    feed(&mut s, 2);
    assert_eq!(x(&s).tree.nodes[0].name, "web", "the Deployment on top now");
    assert_eq!(at(&s), "Pod web-7f9-b");
}
