//! Render tests of the resource screens from real objects: projection through `cluster::printers`,
//! then drawing into a TestBackend.

use crossterm::event::KeyCode;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use serde_json::{Value, json};

use crate::app::counts::{Counts, Tally};
use crate::app::state::State;
use crate::app::state::ViewKind;
use crate::app::table::Row;
use crate::app::update::key;
use crate::app::{Input, update};
use crate::cluster::Kind;
use crate::cluster::watch::WatchStatus;
use crate::store::cache::Snapshot;
use crate::store::{enrich, enrichers};
use crate::test_util::{self, draw, text};
use std::sync::Arc;

/// 2023-11-14T22:13:20Z.
const NOW: i64 = 1_700_000_000;

fn store<K>(objs: Vec<Value>) -> Store<K>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned,
    K::DynamicType: Default + Eq + std::hash::Hash + Clone,
{
    let (reader, mut writer) = reflector::store();
    for o in objs {
        writer.apply_watcher_event(&watcher::Event::Apply(serde_json::from_value(o).unwrap()));
    }
    reader
}

fn screen(state: &State) -> String {
    text(&draw(state, 160, 16, NOW))
}

fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
    out.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle}\n{out}"))
}

fn state_on(kind: Kind) -> State {
    let mut s = test_util::connected("demo", "default", false);
    if kind != Kind::Pod {
        test_util::open(&mut s, kind);
    }
    s
}

/// Every object of a typed store through the watch cache's projection.
fn all<K>(store: &Store<K>, project: fn(&K) -> Row) -> Vec<Arc<Row>>
where
    K: kube::Resource + Clone,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    store.state().iter().map(|o| Arc::new(project(o))).collect()
}

/// What the store feeds a view: cache rows (services joined with their slices), or for a
/// containers view the containers of its pod.
fn project(view: &ViewKind, snap: &Snapshot, slices: Option<&Snapshot>) -> Vec<Arc<Row>> {
    use crate::cluster::rows as r;
    if let (ViewKind::Containers { pod, .. }, Snapshot::Pod(store)) = (view, snap) {
        let one = store
            .state()
            .into_iter()
            .filter(|p| p.metadata.name.as_ref() == Some(pod));
        return one
            .flat_map(|p| crate::store::containers::rows(&p))
            .map(Arc::new)
            .collect();
    }
    let mut rows = match snap {
        Snapshot::Pod(st) => all(st, r::pod),
        Snapshot::Node(st) => all(st, r::node),
        Snapshot::Service(st) => all(st, r::service),
        Snapshot::Deployment(st) => all(st, r::deployment),
        Snapshot::ReplicaSet(st) => all(st, r::replica_set),
        Snapshot::StatefulSet(st) => all(st, r::stateful_set),
        Snapshot::DaemonSet(st) => all(st, r::daemon_set),
        Snapshot::Job(st) => all(st, r::job),
        Snapshot::CronJob(st) => all(st, r::cron_job),
        Snapshot::Namespace(st) => all(st, r::namespace),
        Snapshot::Event(st) => all(st, r::event),
        Snapshot::EndpointSlice(st) => all(st, r::endpoint_slice),
    };
    if let ViewKind::Resource(kind) = view {
        let slices = match slices {
            Some(Snapshot::EndpointSlice(st)) => Some(all(st, r::endpoint_slice)),
            _ => None,
        };
        enrich::apply(*kind, &mut rows, &enrichers::of(*kind), |_| slices.clone(), None);
    }
    rows
}

fn feed(s: &mut State, snap: &Snapshot, slices: Option<&Snapshot>) {
    let watch = s.wanted().unwrap();
    let rows = project(&s.top().kind, snap, slices);
    update(
        s,
        Input::Rows {
            watch,
            rows: Some(rows),
            status: WatchStatus::Ready,
        },
    );
}

fn pod(name: &str, state: Value, restarts: i32, last: Option<&str>) -> Value {
    let mut cs = json!({"name": "app", "image": "web:2", "imageID": "", "ready": false,
        "restartCount": restarts, "state": state});
    if let Some(t) = last {
        cs["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": t}});
    }
    json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
            "creationTimestamp": "2023-11-14T22:00:00Z"},
        "spec": {"nodeName": "worker-1", "containers": [{"name": "app", "image": "web:2",
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10}}]},
        "status": {"phase": "Running", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}],
            "containerStatuses": [cs]}
    })
}

fn pods() -> Snapshot {
    Snapshot::Pod(store::<Pod>(vec![
        pod(
            "web-crash",
            json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            5,
            Some("2023-11-14T22:10:20Z"),
        ),
        pod("web-pull", json!({"waiting": {"reason": "ImagePullBackOff"}}), 0, None),
        pod(
            "web-ok",
            json!({"running": {"startedAt": "2023-11-14T22:01:00Z"}}),
            0,
            None,
        ),
    ]))
}

#[test]
fn pods_show_kubectl_columns_with_crashloop_and_image_pull_rows() {
    let mut s = state_on(Kind::Pod);
    feed(&mut s, &pods(), None);
    let out = screen(&s);
    let header = line_with(&out, "NAME");
    for col in ["NAME↑", "READY", "STATUS", "RESTARTS", "AGE"] {
        assert!(header.contains(col), "{header}");
    }
    assert!(!header.contains("NODE"), "NODE is a wide column\n{out}");
    let crash = line_with(&out, "web-crash");
    assert!(
        crash.contains("0/1")
            && crash.contains("CrashLoopBackOff")
            && crash.contains("5 (3m ago)")
            && crash.contains("13m"),
        "{crash}"
    );
    let pull = line_with(&out, "web-pull");
    assert!(pull.contains("ImagePullBackOff") && pull.contains(" 0 "), "{pull}");
    update(&mut s, key(KeyCode::Char('w')));
    let out = screen(&s);
    assert!(line_with(&out, "NAME").contains("NOMINATED NODE"), "{out}");
    assert!(
        line_with(&out, "web-ok").contains("10.244.1.7") && out.contains("worker-1"),
        "{out}"
    );
}

#[test]
fn containers_view_shows_state_restarts_ports_and_probes() {
    let mut s = state_on(Kind::Pod);
    let snap = pods();
    feed(&mut s, &snap, None);
    // Sorted by name: web-crash, web-ok, web-pull; the cursor is on web-crash.
    update(&mut s, key(KeyCode::Enter));
    feed(&mut s, &snap, None);
    let out = screen(&s);
    assert!(out.contains("containers(default/web-crash)"), "{out}");
    let header = line_with(&out, "IMAGE");
    for col in ["NAME", "TYPE", "READY", "STATE", "RESTARTS", "PORTS", "PROBES"] {
        assert!(header.contains(col), "{header}");
    }
    let app = line_with(&out, "web:2");
    assert!(
        app.contains("main")
            && app.contains("Waiting: CrashLoopBackOff")
            && app.contains("5 (3m ago)")
            && app.contains("8080/TCP")
            && app.contains("liveness http-get http://:8080/healthz delay=5s timeout=1s period=10s"),
        "{app}"
    );
    update(&mut s, key(KeyCode::Esc));
    feed(&mut s, &snap, None);
    assert_eq!(s.top().table.current().unwrap().name, "web-crash");
}

fn node(name: &str, ready: &str, unschedulable: bool) -> Value {
    json!({
        "metadata": {"name": name, "uid": name, "creationTimestamp": "2023-11-14T20:13:20Z",
            "labels": {"node-role.kubernetes.io/worker": ""}},
        "spec": {"unschedulable": unschedulable},
        "status": {"conditions": [{"type": "Ready", "status": ready}],
            "nodeInfo": {"kubeletVersion": "v1.33.1", "machineID": "", "systemUUID": "", "bootID": "",
                "kernelVersion": "6.1", "osImage": "Debian", "containerRuntimeVersion": "containerd://1.7",
                "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"}}
    })
}

#[test]
fn nodes_show_not_ready_and_scheduling_disabled() {
    let mut s = state_on(Kind::Node);
    let snap = Snapshot::Node(store::<Node>(vec![
        node("worker-1", "True", true),
        node("worker-2", "False", false),
    ]));
    feed(&mut s, &snap, None);
    let out = screen(&s);
    assert!(line_with(&out, "NAME").contains("ROLES"), "{out}");
    let w1 = line_with(&out, "worker-1");
    assert!(
        w1.contains("Ready,SchedulingDisabled") && w1.contains("worker") && w1.contains("120m"),
        "{w1}"
    );
    let w2 = line_with(&out, "worker-2");
    assert!(w2.contains("NotReady") && w2.contains("v1.33.1"), "{w2}");
    assert!(s.top().table.rows.iter().any(|r| r.name == "worker-2" && r.warn));
}

#[test]
fn services_show_ready_and_total_endpoints_from_slices() {
    let mut s = state_on(Kind::Service);
    let svc = |name: &str| {
        json!({"metadata": {"name": name, "namespace": "default", "uid": name,
            "creationTimestamp": "2023-11-14T22:12:20Z"},
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.12", "selector": {"app": name},
                "ports": [{"port": 80, "protocol": "TCP"}]}})
    };
    let services = Snapshot::Service(store::<Service>(vec![svc("web"), svc("db")]));
    let ep = |uid: &str, ready: bool| json!({"addresses": ["10.0.0.1"], "conditions": {"ready": ready}, "targetRef": {"kind": "Pod", "uid": uid}});
    let slice = |name: &str, eps: Vec<Value>| {
        json!({"metadata": {"name": name, "namespace": "default",
            "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4", "endpoints": eps})
    };
    let slices = Snapshot::EndpointSlice(store::<EndpointSlice>(vec![
        slice("web-a", vec![ep("p1", true), ep("p2", false)]),
        slice("web-b", vec![ep("p3", true)]),
    ]));
    feed(&mut s, &services, Some(&slices));
    let out = screen(&s);
    assert!(line_with(&out, "NAME").contains("ENDPOINTS"), "{out}");
    let web = line_with(&out, "web ");
    assert!(
        web.contains("2/3") && web.contains("80/TCP") && web.contains("60s"),
        "{web}"
    );
    assert!(line_with(&out, "db ").contains("<none>"), "{out}");
}

#[test]
fn header_counts_use_glyphs_and_words_and_na_when_forbidden() {
    let mut s = state_on(Kind::Pod);
    let counts = Counts {
        nodes: Tally::Of { good: 2, total: 3 },
        pods: Tally::Of { good: 10, total: 10 },
        warnings: Tally::Count(4),
        problems: None,
        namespace: None,
    };
    update(&mut s, Input::Counts(counts));
    let out = screen(&s);
    let top = out.lines().next().unwrap();
    assert!(
        top.contains("nodes ✗ 2/3") && top.contains("pods ✓ 10/10") && top.contains("⚠ 4 warnings/1h"),
        "{top}"
    );
    let counts = Counts {
        nodes: Tally::Forbidden,
        pods: Tally::Of { good: 1, total: 2 },
        warnings: Tally::Forbidden,
        problems: None,
        namespace: Some("team-a".into()),
    };
    update(&mut s, Input::Counts(counts));
    let top = screen(&s).lines().next().unwrap().to_string();
    assert!(
        top.contains("nodes n/a") && top.contains("pods ✗ 1/2 (team-a)") && top.contains("n/a warnings/1h"),
        "{top}"
    );
}

#[test]
fn projecting_many_pods_keeps_owners_and_nodes() {
    // Its cost at 10,000 and 100,000 pods is measured by `cargo bench --bench ui_scale`.
    let objs: Vec<Value> = (0..5_000)
        .map(|i| {
            let mut p = pod(
                &format!("p-{i:06}"),
                json!({"running": {}}),
                i % 7,
                Some("2023-11-14T22:10:20Z"),
            );
            p["metadata"]["labels"] = json!({"app": "web", "pod-template-hash": "7d4b9c"});
            p["metadata"]["ownerReferences"] =
                json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-1"}]);
            p
        })
        .collect();
    let snap = Snapshot::Pod(store::<Pod>(objs));
    let kind = crate::app::state::ViewKind::Resource(Kind::Pod);
    let rows = project(&kind, &snap, None);
    assert_eq!(rows.len(), 5_000);
    assert!(
        rows.iter()
            .all(|r| *r.owners == ["rs-1"] && r.node.as_deref() == Some("worker-1"))
    );
}

#[test]
fn reveal_secrets_is_offered_only_on_a_secret() {
    use crate::app::state::View;
    use crate::app::text::{Body, Doc, Target};
    let doc = |kind: Kind, obj: Value, describe: bool| {
        let mut d = Doc::loading(Target {
            kind,
            namespace: "shop".into(),
            name: "web".into(),
            describe,
        });
        d.set_body(match describe {
            true => Body::Describe(vec!["Name: web".into()]),
            false => Body::Yaml(obj),
        });
        View::new(ViewKind::Doc(Box::new(d)))
    };
    // What the document holds decides, not the screen it was opened from.
    let secret = json!({"kind": "Secret", "metadata": {"name": "web"}, "data": {"token": "c2VjcmV0"}});
    let pod = json!({"kind": "Pod", "metadata": {"name": "web"}});
    for (view, offered) in [
        (doc(Kind::Pod, secret.clone(), false), true),
        (doc(Kind::Pod, secret, true), false),
        (doc(Kind::Pod, pod, false), false),
    ] {
        let mut s = test_util::connected("prod", "shop", false);
        s.stack.push(view);
        let footer = screen(&s).lines().last().unwrap().to_string();
        assert_eq!(footer.contains("reveal secrets"), offered, "{footer}");
        // Help lists the same keys, and `x` changes nothing where there is no secret.
        let help: Vec<String> = crate::ui::help::entries(&s).into_iter().map(|(_, h)| h).collect();
        assert_eq!(help.iter().any(|h| h == "reveal secrets"), offered, "{help:?}");
        update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Char('x')));
        let ViewKind::Doc(d) = &s.top().kind else { panic!() };
        assert_eq!(d.reveal, offered);
    }
}

fn empty_live(s: &mut State, ns: &str) {
    update(
        s,
        Input::Rows {
            watch: (Kind::Pod, crate::cluster::Scope::Namespace(ns.into())),
            rows: Some(vec![]),
            status: WatchStatus::Ready,
        },
    );
}

#[test]
fn the_containers_of_a_deleted_pod_say_it_is_gone() {
    let mut s = test_util::connected("prod", "shop", false);
    s.stack.push(crate::app::state::View::new(ViewKind::Containers {
        namespace: "shop".into(),
        pod: "web-1".into(),
    }));
    empty_live(&mut s, "shop");
    let shown = screen(&s);
    assert!(shown.contains("pod web-1  ✗ pod deleted"), "{shown}");
    assert!(
        shown.contains("Pod shop/web-1 no longer exists: it was deleted. Esc goes back."),
        "{shown}"
    );
    // Nothing to read or act on: the footer offers no logs, and `l` and `D` do nothing.
    assert!(
        !crate::ui::footer::hints(&s).iter().any(|(_, w)| w == "logs"),
        "{shown}"
    );
    for c in ['l', 'D'] {
        assert!(update(&mut s, key(KeyCode::Char(c))).is_empty(), "{c}");
    }
    assert!(s.dialog.is_none());
}

#[test]
fn an_empty_list_in_a_namespace_that_does_not_exist_says_so_after_one_check() {
    let mut s = test_util::connected("prod", "shop", false);
    test_util::type_keys(&mut s, ":po nosuchns");
    update(&mut s, key(KeyCode::Enter));
    empty_live(&mut s, "nosuchns");
    assert_eq!(
        crate::app::namespaces::check(&mut s),
        [crate::app::Effect::CheckNamespace("nosuchns".into())]
    );
    assert!(
        crate::app::namespaces::check(&mut s).is_empty(),
        "asked once, not every frame"
    );
    assert!(screen(&s).contains("● live"), "not known yet: nothing claimed");
    update(
        &mut s,
        Input::NamespaceChecked {
            namespace: "nosuchns".into(),
            exists: Some(false),
        },
    );
    let shown = screen(&s);
    assert!(
        shown.contains("✗ no namespace nosuchns") && !shown.contains("● live"),
        "{shown}"
    );
    assert!(
        shown.contains("Namespace nosuchns does not exist. :ns lists the namespaces."),
        "{shown}"
    );
    // An existing namespace that is just empty stays "no pods", and live.
    test_util::type_keys(&mut s, ":po quiet");
    update(&mut s, key(KeyCode::Enter));
    empty_live(&mut s, "quiet");
    assert_eq!(crate::app::namespaces::check(&mut s).len(), 1);
    update(
        &mut s,
        Input::NamespaceChecked {
            namespace: "quiet".into(),
            exists: Some(true),
        },
    );
    let shown = screen(&s);
    assert!(
        shown.contains("No pods in namespace quiet") && shown.contains("● live"),
        "{shown}"
    );
}
