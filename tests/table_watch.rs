//! Every kind the demo serves, shown as the server's Table shows it (what `kubectl get` prints):
//! typed kinds through kubedeck's printers, every other kind through the Table watch, custom
//! resources with their CRD's printer columns; watch events, 410 re-lists and 403s reach the view.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kubedeck::app::Input;
use kubedeck::app::columns::{self, Source};
use kubedeck::app::state::ViewKind;
use kubedeck::bench_support::Headless;
use kubedeck::cluster::discovery;
use kubedeck::cluster::rows::Row;
use kubedeck::cluster::table_watch::ACCEPT;
use kubedeck::ui::views::cell_text;
use model::table::{self, Column};
use model::{Registry, Resource, WatchStatus};
use serde_json::{Value, json};
use sim::DemoCluster;

fn typed(h: &mut Headless, keys: &str) {
    for c in keys.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        h.input(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))).unwrap();
    }
}

/// A headless kubedeck on `cluster` as `context`, with the registry its discovery reads.
async fn kubedeck(cluster: &DemoCluster, context: &str, dir: &std::path::Path) -> (Headless, Registry) {
    let yaml = cluster.kubeconfig_yaml();
    let current = yaml.lines().find(|l| l.starts_with("current-context:")).unwrap();
    let yaml = yaml.replace(current, &format!("current-context: {context}"));
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("kubeconfig");
    std::fs::write(&path, yaml).unwrap();
    let mut h = Headless::connect(&path, 250, 60).await.unwrap();
    // As the app does: discovery without kube's retries (the demo's metrics.k8s.io answers 503).
    let opts = kube::config::KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(cluster.kubeconfig(), &opts)
        .await
        .unwrap();
    let client = kubedeck::cluster::client::no_retry_client(config).unwrap();
    let registry = discovery::discover(&client).await.expect("discovery");
    let context = h.state.context.clone();
    h.input(Input::Discovered {
        context,
        result: Ok(registry.clone()),
    })
    .unwrap();
    (h, registry)
}

/// What the server's Table of every namespace says: its columns, and per (namespace, name) the
/// cells as kubectl prints them; with the second it answered at.
async fn server_table(
    client: &kube::Client,
    r: &Resource,
) -> (Vec<Column>, BTreeMap<(String, String), Vec<String>>, i64) {
    let ar = ApiResource {
        group: r.group.clone(),
        version: r.version.clone(),
        api_version: r.api_version(),
        kind: r.kind.clone(),
        plural: r.plural.clone(),
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let req = http::Request::get(format!("{}?includeObject=Metadata", api.resource_url()))
        .header("Accept", ACCEPT)
        .body(vec![])
        .unwrap();
    let t: Value = client.request(req).await.unwrap();
    let now = jiff::Timestamp::now().as_second();
    let columns: Vec<Column> = serde_json::from_value(t["columnDefinitions"].clone()).unwrap();
    let rows = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let meta = &row["object"]["metadata"];
            let key = (
                meta["namespace"].as_str().unwrap_or_default().to_string(),
                meta["name"].as_str().unwrap().to_string(),
            );
            let cells = row["cells"].as_array().unwrap().iter().map(table::cell_text).collect();
            (key, cells)
        })
        .collect();
    (columns, rows, now)
}

/// The rows kubedeck's table holds for the view on show, each as the server's columns would
/// print it (a column kubedeck lacks reads `<missing>`), ages drawn at `now`.
fn shown(h: &Headless, columns: &[Column], now: i64) -> BTreeMap<(String, String), Vec<String>> {
    let view = h.state.top();
    let cols = columns::all(&view.kind);
    let text = |row: &Row, c: &Column| {
        let title = c.name.to_uppercase();
        let Some(spec) = cols.iter().find(|s| s.title == title) else {
            return "<missing>".to_string();
        };
        match spec.source {
            Source::Name => row.name.to_string(),
            Source::Cell(n) => cell_text(row, n, spec.time, now),
        }
    };
    view.table
        .rows
        .iter()
        .map(|row: &Arc<Row>| {
            let key = (row.namespace.to_string(), row.name.to_string());
            (key, columns.iter().map(|c| text(row, c)).collect())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listable_kind_shows_what_the_servers_table_gives() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("kubedeck-tables-{}", std::process::id()));
    let (mut h, registry) = kubedeck(&cluster, sim::ADMIN_CONTEXT, &dir).await;
    let client = h.client();
    let only = std::env::var("TABLE_KINDS").ok();
    let listable: Vec<&Resource> = registry
        .resources
        .iter()
        .filter(|r| r.can("list") && r.can("watch"))
        .filter(|r| only.as_deref().is_none_or(|o| o.split(',').any(|k| k == r.qualified())))
        .collect();
    assert!(
        only.is_some() || listable.len() > 30,
        "the demo serves many kinds: {}",
        listable.len()
    );
    let mut others = 0;
    // Twice, seconds apart: an age the server wrote that kubedeck kept as text would have frozen.
    for pass in 0..2 {
        if pass == 1 {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        }
        for &r in &listable {
            let started = std::time::Instant::now();
            typed(&mut h, &format!(":{} all\r", r.qualified()));
            let ViewKind::Resource(kind) = h.state.top().kind.clone() else {
                panic!("{} opened {:?}", r.qualified(), h.state.top().kind);
            };
            others += usize::from(!kind.typed());
            // The demo keeps moving (pods restart, events arrive): compare until a moment both agree.
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
            loop {
                h.frame().unwrap();
                let (columns, server, now) = server_table(&client, r).await;
                let ready = matches!(h.table().1, Some(WatchStatus::Ready));
                let ours = shown(&h, &columns, now);
                if ready && ours == server {
                    eprintln!(
                        "{}: {} rows agree after {:?}",
                        r.qualified(),
                        server.len(),
                        started.elapsed()
                    );
                    break;
                }
                if tokio::time::Instant::now() > deadline {
                    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                    let diff: Vec<String> = server
                        .iter()
                        .filter(|(k, v)| ours.get(*k) != Some(*v))
                        .map(|(k, v)| format!("{k:?}\n  server   {v:?}\n  kubedeck {:?}", ours.get(k)))
                        .chain(
                            ours.keys()
                                .filter(|k| !server.contains_key(*k))
                                .map(|k| format!("{k:?} only in kubedeck")),
                        )
                        .take(5)
                        .collect();
                    let sample = h.state.top().table.rows.first().map(|r| format!("{r:?}"));
                    panic!(
                        "{} {names:?} ({:?}) at {now} differs:\n{}\n{sample:?}",
                        r.qualified(),
                        h.table().1,
                        diff.join("\n")
                    );
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
    assert!(
        only.is_some() || others > 30,
        "most kinds go through the Table watch: {others}"
    );
    h.shutdown();
    std::fs::remove_dir_all(&dir).ok();
}

/// The row named `name` in the view on show, as its shown columns print it (ages at `now`).
fn line(h: &Headless, name: &str, wide: bool) -> Option<Vec<String>> {
    let view = h.state.top();
    let row = view.table.rows.iter().find(|r| r.name == name)?;
    let now = jiff::Timestamp::now().as_second();
    let texts = columns::shown(&view.kind, wide)
        .iter()
        .map(|c| match c.source {
            Source::Name => row.name.to_string(),
            Source::Cell(n) => cell_text(row, n, c.time, now),
        })
        .collect();
    Some(texts)
}

async fn wait_for<T>(h: &mut Headless, what: &str, mut check: impl FnMut(&Headless) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        h.frame().unwrap();
        if let Some(v) = check(h) {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for: {what}\n{}",
            h.screen()
        );
        h.changed(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_resource_screen_shows_its_printer_columns_and_follows_its_objects_through_a_410() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("kubedeck-certs-{}", std::process::id()));
    let (mut h, registry) = kubedeck(&cluster, sim::ADMIN_CONTEXT, &dir).await;
    let r = registry.find("certificates.cert-manager.io").unwrap().clone();
    let ar = ApiResource {
        group: r.group.clone(),
        version: r.version.clone(),
        api_version: r.api_version(),
        kind: r.kind.clone(),
        plural: r.plural.clone(),
    };
    let certs: Api<DynamicObject> = Api::namespaced_with(cluster.client().await.unwrap(), "shop", &ar);

    typed(&mut h, ":certs shop\r");
    let header = wait_for(&mut h, "the CRD's columns", |h| {
        let screen = h.screen();
        screen
            .lines()
            .find(|l| l.contains("NAME") && l.contains("READY"))
            .map(str::to_string)
    })
    .await;
    let titles: Vec<&str> = header
        .split(|c: char| !c.is_ascii_uppercase())
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(titles, ["NAME", "READY", "SECRET", "AGE"], "{header}");
    assert!(header.contains("NAME↑"), "sorted by name: {header}");
    // ISSUER and STATUS have priority 1: wide mode only, as `kubectl get -o wide`.
    typed(&mut h, "w");
    let header = h
        .screen()
        .lines()
        .find(|l| l.contains("NAME") && l.contains("READY"))
        .unwrap()
        .to_string();
    assert!(header.contains("ISSUER") && header.contains("STATUS"), "{header}");
    typed(&mut h, "w");

    // Created, modified and deleted through the API: the rows follow.
    let cert = |name: &str, secret: &str| -> DynamicObject {
        serde_json::from_value(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": name, "namespace": "shop"},
            "spec": {"secretName": secret, "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}}}))
        .unwrap()
    };
    certs
        .create(&PostParams::default(), &cert("tw-one", "tw-secret"))
        .await
        .unwrap();
    let row = wait_for(&mut h, "the new certificate", |h| line(h, "tw-one", false)).await;
    assert_eq!(&row[..3], ["tw-one", "", "tw-secret"], "{row:?}");
    assert!(row[3].ends_with('s'), "seconds old: {row:?}");
    let patch = json!({"spec": {"secretName": "tw-renamed"}});
    certs
        .patch("tw-one", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    wait_for(&mut h, "the changed secret", |h| {
        line(h, "tw-one", false).filter(|r| r[2] == "tw-renamed")
    })
    .await;
    let status = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    certs
        .patch_status("tw-one", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    wait_for(&mut h, "READY from the status", |h| {
        line(h, "tw-one", false).filter(|r| r[1] == "True")
    })
    .await;

    // Watches dropped; while nobody watches one goes and another comes; history compacted so the
    // resumed watch gets 410 Gone: the table lists again and shows exactly what is there.
    cluster.faults().drop_watches();
    certs.delete("tw-one", &DeleteParams::default()).await.unwrap();
    certs
        .create(&PostParams::default(), &cert("tw-two", "tw-secret-2"))
        .await
        .unwrap();
    cluster.store().compact();
    wait_for(&mut h, "the re-list after 410", |h| {
        let rows = &h.state.top().table.rows;
        let has = |n: &str| rows.iter().any(|r| r.name == n);
        (has("tw-two") && !has("tw-one")).then_some(())
    })
    .await;
    assert!(matches!(h.table().1, Some(WatchStatus::Ready)), "{:?}", h.table().1);
    h.shutdown();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_the_user_may_not_list_says_so_in_its_view() {
    let cluster = DemoCluster::start(common::fast_opts()).await.unwrap();
    cluster.faults().deny(sim::Deny {
        user: "jane".into(),
        plural: "configmaps".into(),
        namespace: None,
    });
    let dir = std::env::temp_dir().join(format!("kubedeck-jane-{}", std::process::id()));
    let (mut h, _) = kubedeck(&cluster, sim::RESTRICTED_CONTEXT, &dir).await;
    typed(&mut h, ":cm\r");
    let message = wait_for(&mut h, "configmaps forbidden", |h| match h.table().1 {
        Some(WatchStatus::Forbidden { message }) => Some(message),
        _ => None,
    })
    .await;
    assert!(message.contains("jane") && message.contains("configmaps"), "{message}");
    let screen = h.screen();
    assert!(
        screen.contains("Forbidden") && screen.contains("configmaps"),
        "{screen}"
    );
    // Another kind through the same Table watch still works for her.
    typed(&mut h, ":secrets\r");
    wait_for(&mut h, "secrets listed", |h| {
        matches!(h.table().1, Some(WatchStatus::Ready)).then_some(())
    })
    .await;
    h.shutdown();
    std::fs::remove_dir_all(&dir).ok();
}
