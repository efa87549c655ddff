//! The per-kind extras against the demo cluster through the real kube client: the keys of a
//! ConfigMap, a Secret's values masked in its keys view and decoded only on `x` (and never written
//! to the log), the pods that mount a claim, and an Ingress's Services.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use common::{cluster_with_ns, eventually};
use crossterm::event::KeyCode;
use kubedeck::app::state::{View, ViewKind};
use kubedeck::app::update::key;
use kubedeck::app::{Effect, Input, State, update};
use kubedeck::cluster::discovery::discover;
use kubedeck::cluster::related::gather;
use kubedeck::cluster::rows::Row;
use kubedeck::cluster::watch::WatchStatus;
use kubedeck::cluster::{Kind, Scope};
use kubedeck::kinds::data::{Hidden, values};
use kubedeck::kinds::extra::Data;

/// The demo's shop-db password: it must show only after `x`, and never in the log.
const PASSWORD: &str = "s3cr3t-demo-only";

/// A connected state on the list of `kind` in `ns`, holding `name`, whose discovery answered.
fn on_list(registry: model::Registry, kind: Kind, ns: &str, name: &str) -> State {
    let mut s = State::new(Some(ns.into()), false, kubedeck::config::keymap::default_keymap());
    s.discovery.registry = Some(registry);
    s.stack = vec![View::new(ViewKind::Resource(kind))];
    let row = Row {
        key: name.into(),
        namespace: ns.into(),
        name: name.into(),
        ..Default::default()
    };
    let rows = Some(vec![Arc::new(row)]);
    let watch = (kind, Scope::Namespace(ns.into()));
    update(
        &mut s,
        Input::Rows {
            watch,
            rows,
            status: WatchStatus::Ready,
        },
    );
    s
}

/// Carries out the effects as the executor does (only the gathers matter here), feeding back the answers.
async fn run(client: &kube::Client, s: &mut State, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::Gather { from, lists, why } = effect {
            let result = gather(client, &from, &lists).await;
            let more = update(s, Input::Gathered { from, why, result });
            Box::pin(run(client, s, more)).await;
        }
    }
}

/// The resources the demo serves, read as the app reads them: with a client that does not retry
/// the 503s of the demo's unavailable metrics group.
async fn registry(c: &sim::DemoCluster) -> model::Registry {
    let config = kube::Config::from_custom_kubeconfig(c.kubeconfig(), &Default::default())
        .await
        .expect("the demo's kubeconfig");
    let client = kubedeck::cluster::client::no_retry_client(config).expect("a client");
    discover(&client).await.expect("discovery")
}

fn kind_of(registry: &model::Registry, plural: &str) -> Kind {
    Kind::from_resource(registry.find(plural).unwrap_or_else(|| panic!("{plural} in discovery")))
}

fn lines(s: &State) -> Vec<String> {
    match &s.top().kind {
        ViewKind::Doc(d) => d.lines.clone(),
        other => panic!("a document, not {other:?}"),
    }
}

#[tokio::test]
async fn a_configmaps_keys_come_from_the_cluster_and_a_secret_is_decoded_only_on_x_never_logged() {
    let (c, client) = cluster_with_ns("shop").await;
    let registry = registry(&c).await;
    let log = capture();

    // A ConfigMap: enter lists its keys, enter on a key shows its value.
    let cms = kind_of(&registry, "cm");
    let mut s = on_list(registry.clone(), cms, "shop", "web-nginx");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    let keys: Vec<&str> = s.top().table.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(keys, ["default.conf"]);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(lines(&s)[..2], ["server {", "  listen 80;"]);

    // A Secret: masked in its keys view and its values, decoded on x.
    let secrets = kind_of(&registry, "secret");
    let mut s = on_list(registry.clone(), secrets, "shop", "shop-db");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    let rows: Vec<(String, String)> = s
        .top()
        .table
        .rows
        .iter()
        .map(|r| (r.name.to_string(), r.cells[1].to_string()))
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|(_, v)| v == kubedeck::kinds::data::MASK), "{rows:?}");
    // password, url, username: the first.
    update(&mut s, key(KeyCode::Enter));
    assert!(lines(&s).iter().all(|l| !l.contains(PASSWORD)));
    update(&mut s, key(KeyCode::Char('x')));
    assert_eq!(lines(&s), [PASSWORD]);

    // x on the Secret's row: every value decoded.
    let mut s = on_list(registry.clone(), secrets, "shop", "shop-db");
    let effects = update(&mut s, key(KeyCode::Char('x')));
    run(&client, &mut s, effects).await;
    assert!(lines(&s).contains(&format!("password: {PASSWORD}")), "{:?}", lines(&s));

    // The describe of the Secret says sizes only.
    let described = kubedeck::cluster::describe::fetch::fetch(client.clone(), secrets, "shop", "shop-db", true)
        .await
        .expect("describe");
    let text = described.describe.unwrap_or_default().join("\n");
    assert!(
        text.contains("password:  16 bytes") && !text.contains(PASSWORD),
        "{text}"
    );

    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        logged.contains("secrets/shop-db"),
        "the log saw the requests:\n{logged}"
    );
    assert!(!logged.contains(PASSWORD), "the decoded password reached the log");
}

#[tokio::test]
async fn used_by_on_a_claim_finds_the_pod_that_mounts_it_and_an_ingress_leads_to_its_services() {
    let (c, client) = cluster_with_ns("shop").await;
    let registry = registry(&c).await;
    capture();
    let pvcs = kind_of(&registry, "pvc");
    // The StatefulSet controller creates postgres-0, which mounts data-postgres-0.
    let s = eventually(30, "the pods mounting data-postgres-0", || {
        let (client, registry) = (client.clone(), registry.clone());
        async move {
            let mut s = on_list(registry, pvcs, "payments", "data-postgres-0");
            let effects = update(&mut s, key(KeyCode::Char('U')));
            run(&client, &mut s, effects).await;
            (s.stack.len() == 2).then_some(s)
        }
    })
    .await;
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Pod));
    assert_eq!(
        s.top().fixed.names,
        Some(vec![("payments".to_string(), "postgres-0".to_string())])
    );
    assert_eq!(s.top().subtitle, "using persistentvolumeclaim payments/data-postgres-0");

    // Enter on the claim: its volume.
    let mut s = on_list(registry.clone(), pvcs, "payments", "data-postgres-0");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    assert_eq!(s.top().kind, ViewKind::Resource(kind_of(&registry, "pv")));
    let names = s.top().fixed.names.clone().unwrap_or_default();
    assert!(names.len() == 1 && names[0].1.starts_with("pvc-"), "{names:?}");

    // A claim no volume is bound to says so, and stays on its list.
    let mut s = on_list(registry.clone(), pvcs, "shop", "uploads");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    assert_eq!(s.stack.len(), 1);
    let said = s.toasts.last().map(|t| t.text.clone());
    assert_eq!(
        said.as_deref(),
        Some("persistentvolumeclaim shop/uploads: not bound to a volume yet")
    );

    // A ConfigMap's binary value: a hex dump.
    let mut s = on_list(registry.clone(), kind_of(&registry, "cm"), "shop", "brand");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    let rows: Vec<(String, String)> = s
        .top()
        .table
        .rows
        .iter()
        .map(|r| (r.name.to_string(), r.cells[1].to_string()))
        .collect();
    assert_eq!(rows[0], ("favicon.ico".to_string(), "<binary>".to_string()));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(lines(&s)[0], "binary data, 22 bytes");

    // Enter on the Ingress: the Services it sends traffic to.
    let mut s = on_list(registry.clone(), kind_of(&registry, "ing"), "shop", "shop");
    let effects = update(&mut s, key(KeyCode::Enter));
    run(&client, &mut s, effects).await;
    assert_eq!(s.top().kind, ViewKind::Resource(Kind::Service));
    let web_api = ["web", "api"].map(|n| ("shop".to_string(), n.to_string())).to_vec();
    assert_eq!(s.top().fixed.names, Some(web_api));

    // The values read from a Secret as the API serves it: base64 decoded.
    let secret = kubedeck::cluster::ops::get_value(
        &client,
        &kubedeck::cluster::ops::ObjRef::new(kind_of(&registry, "secret"), "payments", "postgres"),
    )
    .await
    .expect("GET");
    assert_eq!(
        values(&secret, Data::Secret),
        [("password".to_string(), Hidden(b"pg-demo-password".to_vec()))]
    );
}

/// Everything every test of this file logs, at TRACE, from every thread: one subscriber for the
/// whole process, as the app has (a scoped one would miss what other threads log, and could
/// race with callsites first seen without it).
fn capture() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        log
    })
    .clone()
}

/// A shared buffer the log writes into.
#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
