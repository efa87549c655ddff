//! The keys view and what the per-kind extras do in the pure update: `enter` on ConfigMap and
//! Secret rows, values masked until `x`, links to the objects they lead to; drawn into a TestBackend.

use std::sync::Arc;

use crossterm::event::KeyCode;
use serde_json::{Value, json};

use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::app::text::MASK;
use crate::app::update::{key, update};
use crate::cluster::ops::ObjRef;
use crate::cluster::related::Gathered;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};
use crate::kinds::extra::Why;
use crate::kinds::tests::{kind, registry};
use crate::test_util::{connected, draw, text};

/// The password of the sample Secret: it must never show masked, nor reach a log.
const PASSWORD: &str = "hunter2-very-secret";

fn row(ns: &str, name: &str) -> Row {
    Row {
        key: format!("uid-{ns}-{name}"),
        namespace: ns.into(),
        name: name.into(),
        cells: vec!["1".into(), String::new().into()],
        ..Default::default()
    }
}

/// A connected state whose discovery knows the extras' kinds, on the list of `k` with `rows`
/// (namespace shop), as the table watch would feed it.
fn on_list(k: Kind, rows: Vec<Row>) -> State {
    let mut s = connected("demo", "shop", false);
    s.discovery.registry = Some(registry());
    s.stack = vec![View::new(ViewKind::Resource(k))];
    let watch = (k, Scope::Namespace("shop".into()).for_kind(k));
    let rows = Some(rows.into_iter().map(Arc::new).collect());
    update(&mut s, Input::Rows { watch, rows, status: WatchStatus::Ready });
    s
}

fn secret() -> Value {
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}, "type": "Opaque",
        "data": {"password": b64(PASSWORD), "user": b64("shop")}})
}

fn gathered(from: ObjRef, why: Why, object: Value, lists: Vec<Vec<Value>>) -> Input {
    Input::Gathered { from, why, result: Ok(Gathered { object, lists }) }
}

fn doc_lines(s: &State) -> Vec<String> {
    match &s.top().kind {
        ViewKind::Doc(d) => d.lines.clone(),
        other => panic!("a document on top, not {other:?}"),
    }
}

/// The keys view of `secret`, its keys arrived.
fn secret_keys(secret: Value) -> State {
    let secrets = kind("", "Secret");
    let mut s = on_list(secrets, vec![row("shop", "db")]);
    let effects = update(&mut s, key(KeyCode::Enter));
    let from = ObjRef::new(secrets, "shop", "db");
    assert_eq!(effects, [Effect::Gather { from: from.clone(), lists: vec![], why: Why::Keys }]);
    update(&mut s, gathered(from, Why::Keys, secret, vec![]));
    s
}

/// States the dead-key test presses every offered key in.
pub fn samples() -> Vec<State> {
    let mut cm = on_list(kind("", "ConfigMap"), vec![row("shop", "site")]);
    update(&mut cm, key(KeyCode::Enter));
    let from = ObjRef::new(kind("", "ConfigMap"), "shop", "site");
    let object = json!({"kind": "ConfigMap", "data": {"a": "1", "b": "2\n3", "c": ""}});
    update(&mut cm, gathered(from, Why::Keys, object, vec![]));
    let mut three = secret();
    three["data"]["host"] = json!("ZGI=");
    let mut out = vec![secret_keys(three), cm];
    for s in &mut out {
        update(s, key(KeyCode::Down));
    }
    out
}

#[test]
fn enter_on_a_configmap_lists_its_keys_and_enter_on_a_key_shows_the_value() {
    let cms = kind("", "ConfigMap");
    let mut s = on_list(cms, vec![row("shop", "site")]);
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.top().kind, ViewKind::Keys(_)) && s.top().status.is_none(), "loading until the GET answers");
    let object = json!({"kind": "ConfigMap", "metadata": {"name": "site", "namespace": "shop"},
        "data": {"default.conf": "server {\n  listen 80;\n}\n", "MODE": "prod"}});
    update(&mut s, gathered(ObjRef::new(cms, "shop", "site"), Why::Keys, object, vec![]));
    let rows: Vec<(String, Vec<String>)> =
        s.top().table.visible.iter().map(|&i| (s.top().table.rows[i].name.to_string(), s.top().table.rows[i].cells.iter().map(ToString::to_string).collect())).collect();
    assert_eq!(
        rows,
        [
            ("MODE".to_string(), vec!["4".to_string(), "prod".to_string()]),
            ("default.conf".to_string(), vec!["24".to_string(), "server {…".to_string()]),
        ]
    );
    update(&mut s, key(KeyCode::Char('j')));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc_lines(&s), ["server {", "  listen 80;", "}"]);
    // d/y would not show this value: they are not offered on it.
    assert!(!crate::screens::applies(&s, crate::app::action::Action::Describe));
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.top().kind, ViewKind::Keys(_)));
}

#[test]
fn a_secrets_values_are_masked_until_x_in_the_keys_view_and_the_value_view() {
    let mut s = secret_keys(secret());
    let cells: Vec<String> = s.top().table.rows.iter().map(|r| r.cells[1].to_string()).collect();
    assert_eq!(cells, [MASK, MASK]);
    let screen = text(&draw(&s, 100, 14, 0));
    let header = screen.lines().find(|l| l.contains("KEY")).unwrap_or_default();
    assert!(header.contains("SIZE") && header.contains("VALUE"), "{screen}");
    assert!(screen.contains("keys(secret shop/db)") && screen.contains("values masked (x reveals)"), "{screen}");
    assert!(screen.contains("password") && screen.contains(MASK), "{screen}");
    assert!(!screen.contains(PASSWORD), "{screen}");
    update(&mut s, key(KeyCode::Char('x')));
    assert!(text(&draw(&s, 100, 14, 0)).contains(PASSWORD), "x reveals the VALUE column");
    update(&mut s, key(KeyCode::Char('x')));
    // Enter on `password`: its value, masked, until x.
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc_lines(&s), [format!("{MASK}  (19 bytes; x reveals)")]);
    let screen = text(&draw(&s, 100, 14, 0));
    assert!(!screen.contains(PASSWORD) && screen.contains("secret shop/db: password"), "{screen}");
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(doc_lines(&s), [PASSWORD]);
    assert!(text(&draw(&s, 100, 14, 0)).contains(PASSWORD));
}

#[test]
fn x_on_a_secret_row_decodes_every_value_into_a_document() {
    let secrets = kind("", "Secret");
    let mut s = on_list(secrets, vec![row("shop", "db")]);
    let effects = update(&mut s, key(KeyCode::Char('x')));
    let from = ObjRef::new(secrets, "shop", "db");
    assert_eq!(effects, [Effect::Gather { from: from.clone(), lists: vec![], why: Why::Decode }]);
    assert!(text(&draw(&s, 100, 14, 0)).contains("Loading decoded secret shop/db"));
    update(&mut s, gathered(from, Why::Decode, secret(), vec![]));
    assert_eq!(doc_lines(&s), [format!("password: {PASSWORD}"), "user: shop".to_string()]);
    // x masks them again.
    update(&mut s, key(KeyCode::Char('x')));
    assert!(doc_lines(&s).iter().all(|l| !l.contains(PASSWORD)));
    // Nowhere else: a ConfigMap row has nothing to decode.
    let cms = on_list(kind("", "ConfigMap"), vec![row("shop", "site")]);
    assert!(!crate::screens::applies(&cms, crate::app::action::Action::ToggleReveal));
}

#[test]
fn used_by_opens_the_pods_that_use_it_and_nothing_else() {
    let cms = kind("", "ConfigMap");
    let mut s = on_list(cms, vec![row("shop", "env")]);
    let effects = update(&mut s, key(KeyCode::Char('U')));
    let from = ObjRef::new(cms, "shop", "env");
    let lists = vec![(Kind::Pod, Scope::Namespace("shop".into()))];
    assert_eq!(effects, [Effect::Gather { from: from.clone(), lists, why: Why::UsedBy }]);
    let pod = |name: &str, cm: &str| {
        json!({"metadata": {"name": name, "namespace": "shop"},
            "spec": {"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": cm}}]}]}})
    };
    let effects = update(&mut s, gathered(from, Why::UsedBy, json!({"metadata": {"name": "env", "namespace": "shop"}}), vec![vec![pod("api-1", "env"), pod("web-1", "other")]]));
    assert_eq!(effects, [Effect::Watch(Kind::Pod, Scope::Namespace("shop".into()))]);
    assert_eq!(s.top().subtitle, "using configmap shop/env");
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    let rows = Some(["api-1", "web-1", "api-2"].map(|n| Arc::new(row("shop", n))).to_vec());
    update(&mut s, Input::Rows { watch, rows, status: WatchStatus::Ready });
    let shown: Vec<&str> = s.top().table.visible.iter().map(|&i| s.top().table.rows[i].name.as_str()).collect();
    assert_eq!(shown, ["api-1"]);
    let screen = text(&draw(&s, 100, 12, 0));
    assert!(screen.contains("using configmap shop/env"), "{screen}");
    // When no pod uses it, it says so and stays.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Char('U')));
    let from = ObjRef::new(cms, "shop", "env");
    update(&mut s, gathered(from, Why::UsedBy, json!({"metadata": {"name": "env", "namespace": "shop"}}), vec![vec![]]));
    assert_eq!(s.stack.len(), 1);
    assert_eq!(s.toasts.last().unwrap().text, "configmap shop/env: no pod uses it");
}

#[test]
fn enter_follows_a_link_and_an_answer_for_a_list_left_behind_is_dropped() {
    let pvcs = kind("", "PersistentVolumeClaim");
    let mut s = on_list(pvcs, vec![row("shop", "data-0")]);
    let effects = update(&mut s, key(KeyCode::Enter));
    let from = ObjRef::new(pvcs, "shop", "data-0");
    assert_eq!(effects, [Effect::Gather { from: from.clone(), lists: vec![], why: Why::Enter }]);
    let claim = json!({"metadata": {"name": "data-0", "namespace": "shop"}, "spec": {"volumeName": "pvc-1"}});
    let effects = update(&mut s, gathered(from.clone(), Why::Enter, claim.clone(), vec![]));
    let pvs = kind("", "PersistentVolume");
    assert_eq!(effects, [Effect::Watch(pvs, Scope::All)]);
    assert_eq!(s.top().fixed.names, Some(vec![(String::new(), "pvc-1".to_string())]));
    // The user went elsewhere before the answer came: nothing opens.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Char(':')));
    crate::test_util::type_keys(&mut s, "pods");
    update(&mut s, key(KeyCode::Enter));
    assert!(update(&mut s, gathered(from, Why::Enter, claim, vec![])).is_empty());
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
}

#[test]
fn a_service_account_opens_its_role_bindings_over_its_cluster_role_bindings() {
    let sas = kind("", "ServiceAccount");
    let mut s = on_list(sas, vec![row("shop", "shop")]);
    let effects = update(&mut s, key(KeyCode::Enter));
    let (rb, crb) = (kind("rbac.authorization.k8s.io", "RoleBinding"), kind("rbac.authorization.k8s.io", "ClusterRoleBinding"));
    let from = ObjRef::new(sas, "shop", "shop");
    assert_eq!(effects, [Effect::Gather { from: from.clone(), lists: vec![(rb, Scope::All), (crb, Scope::All)], why: Why::Enter }]);
    let subjects = json!([{"kind": "ServiceAccount", "name": "shop", "namespace": "shop"}]);
    let rbs = vec![json!({"metadata": {"name": "reader", "namespace": "shop"}, "subjects": subjects})];
    let crbs = vec![json!({"metadata": {"name": "metrics"}, "subjects": subjects})];
    update(&mut s, gathered(from, Why::Enter, json!({"metadata": {"name": "shop", "namespace": "shop"}}), vec![rbs, crbs]));
    let kinds: Vec<ViewKind> = s.stack.iter().map(|v| v.kind.clone()).collect();
    assert_eq!(kinds, [ViewKind::Resource(sas), ViewKind::Resource(crb), ViewKind::Resource(rb)]);
    assert_eq!(s.top().pinned, Some(Scope::Namespace("shop".into())));
}

#[test]
fn a_value_with_control_sequences_is_drawn_as_escapes() {
    let cms = kind("", "ConfigMap");
    let mut s = on_list(cms, vec![row("shop", "motd")]);
    update(&mut s, key(KeyCode::Enter));
    let object = json!({"kind": "ConfigMap", "data": {"motd": "hi\u{1b}[2J\u{1b}]52;c;Zm9v\u{7}there"}});
    update(&mut s, gathered(ObjRef::new(cms, "shop", "motd"), Why::Keys, object, vec![]));
    let keys = text(&draw(&s, 120, 10, 0));
    assert!(keys.contains(r"hi\u{1b}[2J\u{1b}]52;c;Zm9v\u{7}there"), "{keys}");
    update(&mut s, key(KeyCode::Enter));
    let value = draw(&s, 120, 10, 0);
    assert!(text(&value).contains(r"hi\u{1b}[2J"), "{}", text(&value));
    let cells = (0..value.area.height).flat_map(|y| (0..value.area.width).map(move |x| (x, y)));
    assert!(cells.into_iter().all(|p| !value[p].symbol().chars().any(char::is_control)));
}

#[test]
fn the_footer_offers_decode_and_used_by_only_where_they_act() {
    let footer = |s: &State| text(&draw(s, 200, 8, 0)).lines().last().unwrap_or_default().to_string();
    let secrets = on_list(kind("", "Secret"), vec![row("shop", "db")]);
    let line = footer(&secrets);
    assert!(line.contains("<x> decode secret") && line.contains("<U> used by (pods)"), "{line}");
    let cms = on_list(kind("", "ConfigMap"), vec![row("shop", "site")]);
    let line = footer(&cms);
    assert!(!line.contains("decode secret") && line.contains("<U> used by (pods)"), "{line}");
    let ingresses = on_list(kind("networking.k8s.io", "Ingress"), vec![row("shop", "shop")]);
    let line = footer(&ingresses);
    assert!(!line.contains("decode secret") && !line.contains("used by"), "{line}");
}
