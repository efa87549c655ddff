//! Key-flow tests of what every kind's table offers, custom resources included: delete with its
//! cascade choice, refusals by discovery's verbs, scale through the scale subresource, copy,
//! filter and sort. Rows of a [`Kind::Other`] are injected as a watch would send them.

use std::sync::Arc;

use crossterm::event::KeyCode;

use super::dialog::Dialog;
use super::effect::Effect;
use super::event::Input;
use super::state::{State, View, ViewKind};
use super::table::Row;
use super::update::{key, update};
use crate::cluster::ops::{ObjRef, Op, Propagation};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::test_util;

/// A custom resource kind with these verbs and subresources.
pub fn custom(group: &str, kind: &str, plural: &str, verbs: &[&str], subs: &[&str]) -> Kind {
    Kind::from_resource(&model::Resource {
        group: group.into(),
        version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
        singular: kind.to_lowercase(),
        namespaced: true,
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        subresources: subs.iter().map(|v| v.to_string()).collect(),
        ..Default::default()
    })
}

/// Every verb a CRD's objects have.
pub const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// A session in namespace shop showing `kind`'s table with rows `names` (uid `uid-<name>`), each with
/// a NAME cell first as a server Table gives it.
pub fn showing(kind: Kind, names: &[&str], readonly: bool) -> State {
    let mut s = test_util::connected("prod", "shop", readonly);
    s.stack = vec![View::new(ViewKind::Resource(kind))];
    let rows = names
        .iter()
        .map(|n| {
            Arc::new(Row {
                key: format!("uid-{n}"),
                namespace: "shop".into(),
                name: n.to_string().into(),
                cells: vec![n.to_string().into(), format!("cell-{n}").into()],
                ..Default::default()
            })
        })
        .collect();
    update(
        &mut s,
        Input::Rows {
            watch: (kind, Scope::Namespace("shop".into())),
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
    s
}

/// New synced rows `names` of `kind` in shop (uid `uid-<name>`), as the watch sends a change.
pub fn rows_of(s: &mut State, kind: Kind, names: &[&str]) {
    let uids: Vec<(String, String)> = names.iter().map(|n| (n.to_string(), format!("uid-{n}"))).collect();
    let pairs: Vec<(&str, &str)> = uids.iter().map(|(n, u)| (n.as_str(), u.as_str())).collect();
    rows(s, kind, &pairs);
}

/// Type each character as a key press.
pub fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

fn cert() -> Kind {
    custom("cert-manager.io", "Certificate", "certificates", ALL_VERBS, &["status"])
}

fn last_toast(s: &State) -> &str {
    s.toasts.last().map(|t| t.text.as_str()).unwrap_or_default()
}

#[test]
fn a_custom_object_is_deleted_with_the_cascade_chosen() {
    let kind = cert();
    let mut s = showing(kind, &["api-tls", "web-tls"], false);
    assert!(typed(&mut s, "D").is_empty());
    assert!(matches!(&s.dialog, Some(Dialog::Delete(d)) if d.target == ObjRef::new(kind, "shop", "api-tls")));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Enter));
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert!(
        c.lines[0].contains("certificate api-tls in namespace shop"),
        "{:?}",
        c.lines
    );
    let effects = typed(&mut s, "y");
    assert_eq!(
        effects,
        [Effect::Mutate {
            target: ObjRef::new(kind, "shop", "api-tls"),
            op: Op::Delete {
                propagation: Propagation::Foreground,
                grace: None
            }
        }]
    );
}

#[test]
fn a_kind_whose_server_does_not_allow_delete_is_refused_without_a_request() {
    let kind = custom(
        "metrics.example.com",
        "Sample",
        "samples",
        &["get", "list", "watch"],
        &[],
    );
    let mut s = showing(kind, &["a"], false);
    let hint = crate::screens::hints(&s)
        .into_iter()
        .find(|h| h.action == super::Action::Delete);
    assert!(!hint.unwrap().applies, "the footer does not offer delete");
    assert!(typed(&mut s, "D").is_empty());
    assert!(s.dialog.is_none());
    assert_eq!(
        last_toast(&s),
        "delete: the server does not allow delete on samples.metrics.example.com (its verbs: get, list, watch)"
    );
    // Without get, describe and YAML are refused the same way.
    let blind = custom("metrics.example.com", "Blind", "blinds", &["list", "watch"], &[]);
    let mut s = showing(blind, &["a"], false);
    assert!(typed(&mut s, "d").is_empty());
    assert!(matches!(s.top().kind, ViewKind::Resource(_)), "no document opened");
    assert!(last_toast(&s).contains("does not allow get on blinds.metrics.example.com"));
}

#[test]
fn a_typed_kind_is_checked_against_the_registry_once_discovery_answered() {
    let mut s = showing(Kind::Event, &["e"], false);
    let mut events = model::Resource {
        version: "v1".into(),
        kind: "Event".into(),
        plural: "events".into(),
        namespaced: true,
        verbs: vec!["get".into(), "list".into()],
        ..Default::default()
    };
    s.discovery.registry = Some(model::Registry {
        resources: vec![events.clone()],
        failed: vec![],
    });
    typed(&mut s, "D");
    assert!(s.dialog.is_none() && last_toast(&s).contains("does not allow delete on events"));
    events.verbs.push("delete".into());
    s.discovery.registry = Some(model::Registry {
        resources: vec![events],
        failed: vec![],
    });
    typed(&mut s, "D");
    assert!(matches!(s.dialog, Some(Dialog::Delete(_))));
}

#[test]
fn copy_filter_and_sort_work_on_any_kind() {
    let kind = cert();
    let mut s = showing(kind, &["b-tls", "a-tls", "c-tls"], false);
    assert_eq!(s.top().table.current().unwrap().name, "a-tls");
    assert_eq!(typed(&mut s, "C"), [Effect::Copy("shop/a-tls".into())]);
    typed(&mut s, "S");
    assert_eq!(
        s.top().table.current().unwrap().name,
        "a-tls",
        "the cursor follows its row"
    );
    assert_eq!(s.top().table.cursor, 2, "reversed");
    typed(&mut s, "/");
    typed(&mut s, "cell-c");
    let view = s.top();
    assert_eq!(view.table.visible.len(), 1);
    assert_eq!(view.table.rows[view.table.visible[0]].name, "c-tls");
}

#[test]
fn readonly_refuses_delete_of_a_custom_object() {
    let mut s = showing(cert(), &["api-tls"], true);
    assert!(typed(&mut s, "D").is_empty());
    assert!(s.dialog.is_none());
    assert!(last_toast(&s).contains("read-only"));
}

fn postgres() -> Kind {
    custom(
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        "postgresclusters",
        ALL_VERBS,
        &["status", "scale"],
    )
}

#[test]
fn a_custom_resource_with_a_scale_subresource_scales_as_a_deployment_does() {
    let kind = postgres();
    let db = ObjRef::new(kind, "shop", "orders-db");
    let mut s = showing(kind, &["orders-db"], false);
    assert_eq!(typed(&mut s, "s"), [Effect::ScaleInfo(db.clone())]);
    let info = crate::cluster::ops::precheck::ScaleInfo {
        current: Some(3),
        warnings: vec![],
    };
    update(
        &mut s,
        Input::ScaleInfo {
            target: db.clone(),
            result: Ok(info),
        },
    );
    let text = test_util::text(&test_util::draw(&s, 100, 14, 0));
    assert!(
        text.contains(" scale postgrescluster.postgres-operator.crunchydata.com/orders-db "),
        "{text}"
    );
    assert!(
        text.contains("Current replicas: 3") && text.contains("Desired replicas: 3"),
        "{text}"
    );
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "5");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Dialog::Confirm(c)) = &s.dialog else {
        panic!("no confirmation")
    };
    assert!(c.lines.iter().any(|l| l == "Replicas: 3 → 5"), "{:?}", c.lines);
    assert_eq!(
        typed(&mut s, "y"),
        [Effect::Mutate {
            target: db,
            op: Op::Scale(5)
        }]
    );
}

#[test]
fn scale_is_refused_on_a_kind_without_a_scale_subresource_and_in_readonly() {
    let mut s = showing(cert(), &["api-tls"], false);
    let hint = crate::screens::hints(&s)
        .into_iter()
        .find(|h| h.action == super::Action::Scale);
    assert!(!hint.unwrap().applies, "the footer does not offer scale");
    assert!(typed(&mut s, "s").is_empty());
    assert!(s.dialog.is_none());
    assert_eq!(
        last_toast(&s),
        "scale works on kinds with a scale subresource (deployments, statefulsets, replicasets …), not certificates"
    );
    let mut s = showing(postgres(), &["orders-db"], true);
    assert!(typed(&mut s, "s").is_empty());
    assert!(s.dialog.is_none() && last_toast(&s).contains("read-only"));
}

/// Rows of `kind` in shop, as its watch would send them, synced.
fn rows(s: &mut State, kind: Kind, rows: &[(&str, &str)]) {
    let rows = rows
        .iter()
        .map(|(name, uid)| {
            Arc::new(Row {
                key: uid.to_string(),
                namespace: "shop".into(),
                name: name.to_string().into(),
                ..Default::default()
            })
        })
        .collect();
    update(
        s,
        Input::Rows {
            watch: (kind, Scope::Namespace("shop".into())),
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
}

fn owner(api_version: &str, kind: &str, name: &str, uid: &str) -> crate::cluster::ops::owner::Owner {
    crate::cluster::ops::owner::Owner {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: true,
    }
}

#[test]
fn owner_jump_opens_the_owners_table_with_the_cursor_on_it() {
    let mut s = test_util::connected("prod", "shop", false);
    let pod = Row {
        key: "uid-pod".into(),
        namespace: "shop".into(),
        name: "web-1-abc".into(),
        owners: vec!["uid-rs".into()].into(),
        ..Default::default()
    };
    test_util::show(
        &mut s,
        Kind::Pod,
        Scope::Namespace("shop".into()),
        vec![pod],
        WatchStatus::Ready,
    );
    let target = ObjRef::new(Kind::Pod, "shop", "web-1-abc");
    assert_eq!(typed(&mut s, "J"), [Effect::FindOwner(target.clone())]);
    let effects = update(
        &mut s,
        Input::Owners {
            target,
            result: Ok(vec![owner("apps/v1", "ReplicaSet", "web-1", "uid-rs")]),
        },
    );
    assert_eq!(
        effects,
        [Effect::Watch(Kind::ReplicaSet, Scope::Namespace("shop".into()))]
    );
    assert_eq!(s.top().subtitle, "owner of pod web-1-abc");
    rows(
        &mut s,
        Kind::ReplicaSet,
        &[
            ("api-1", "uid-a"),
            ("db-1", "uid-b"),
            ("web-1", "uid-rs"),
            ("zz-1", "uid-z"),
        ],
    );
    assert_eq!(s.top().table.current().unwrap().name, "web-1");
    assert!(s.toasts.is_empty(), "{:?}", s.toasts);
    // esc goes back to the pod.
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.top().table.current().unwrap().name, "web-1-abc");
}

#[test]
fn owner_jump_says_when_the_owner_is_gone_or_there_is_none() {
    let kind = cert();
    let mut s = showing(kind, &["api-tls"], false);
    let target = ObjRef::new(kind, "shop", "api-tls");
    assert_eq!(typed(&mut s, "J"), [Effect::FindOwner(target.clone())]);
    update(
        &mut s,
        Input::Owners {
            target: target.clone(),
            result: Ok(vec![]),
        },
    );
    assert_eq!(last_toast(&s), "certificate shop/api-tls has no owner");
    update(
        &mut s,
        Input::Owners {
            target,
            result: Ok(vec![owner("networking.k8s.io/v1", "Ingress", "shop", "uid-ing")]),
        },
    );
    // Ingress is no typed kind and discovery has not answered: it cannot be opened.
    assert!(last_toast(&s).starts_with("owner Ingress shop: this cluster does not serve kind Ingress"));
    // A typed row whose watch saw no owner: said at once, no request.
    let mut s = test_util::connected("prod", "shop", false);
    let lone = Row {
        key: "uid-lone".into(),
        namespace: "shop".into(),
        name: "lone".into(),
        ..Default::default()
    };
    test_util::show(
        &mut s,
        Kind::Pod,
        Scope::Namespace("shop".into()),
        vec![lone],
        WatchStatus::Ready,
    );
    assert!(typed(&mut s, "J").is_empty());
    assert_eq!(last_toast(&s), "pod shop/lone has no owner");
}

#[test]
fn owner_jump_resolves_a_custom_owner_through_the_registry_and_reports_it_gone() {
    let pg = postgres();
    let mut s = showing(Kind::StatefulSet, &["orders-db-instance1"], false);
    let mut registry = model::Registry::default();
    registry.resources.push(pg.resource().unwrap().clone());
    s.discovery.registry = Some(registry);
    let target = ObjRef::new(Kind::StatefulSet, "shop", "orders-db-instance1");
    let effects = update(
        &mut s,
        Input::Owners {
            target,
            result: Ok(vec![owner(
                "postgres-operator.crunchydata.com/v1",
                "PostgresCluster",
                "orders-db",
                "uid-pg",
            )]),
        },
    );
    assert_eq!(effects, [Effect::Watch(pg, Scope::Namespace("shop".into()))]);
    rows(&mut s, pg, &[("ledger-db", "uid-other")]);
    assert_eq!(last_toast(&s), "owner PostgresCluster orders-db is gone");
    assert!(s.top().seeking.is_none());
}

#[test]
fn an_owner_found_after_leaving_the_list_opens_nothing() {
    let kind = cert();
    let mut s = showing(kind, &["api-tls"], false);
    typed(&mut s, "J");
    typed(&mut s, ":");
    typed(&mut s, "pods");
    update(&mut s, key(KeyCode::Enter));
    let effects = update(
        &mut s,
        Input::Owners {
            target: ObjRef::new(kind, "shop", "api-tls"),
            result: Ok(vec![owner("apps/v1", "Deployment", "web", "uid-d")]),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
}

#[test]
fn the_owners_table_is_drawn_with_the_cursor_on_the_owner_and_says_whose_owner() {
    let mut s = showing(Kind::Pod, &[], false);
    let target = ObjRef::new(Kind::Pod, "shop", "web-1-abc");
    update(
        &mut s,
        Input::Owners {
            target,
            result: Ok(vec![owner("apps/v1", "ReplicaSet", "web-1", "uid-rs")]),
        },
    );
    rows(
        &mut s,
        Kind::ReplicaSet,
        &[("api-1", "uid-a"), ("web-1", "uid-rs"), ("zz-1", "uid-z")],
    );
    let buf = test_util::draw(&s, 80, 10, 0);
    let text = test_util::text(&buf);
    assert!(text.contains("owner of pod web-1-abc"), "{text}");
    assert!(text.contains(" replicasets(shop) "), "{text}");
    // The cursor row is drawn reversed (the default theme's `selected`): it is the owner's.
    let reversed = |x, y| buf[(x, y)].modifier.contains(ratatui::style::Modifier::REVERSED);
    let y = (3..buf.area.height)
        .find(|&y| (1..buf.area.width - 1).any(|x| reversed(x, y)))
        .expect("a highlighted row");
    let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    assert!(line.contains("web-1"), "{line}");
}
