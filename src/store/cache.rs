//! The watch cache: one watcher + reflector per (kind, scope), started on demand, stopped when unused.

use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::runtime::reflector::{self, Store};
use kube::{Api, Client, Resource};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cluster::liveness::{Contact, ContactState};
use crate::cluster::rows::{self, Changes, Mark, Row, RowStore};
use crate::cluster::watch::{self, InitialList, Notice, Sink, WatchShared, WatchStatus};
use crate::cluster::{Kind, Scope, table_watch, trim};

/// How the cache runs its watches.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheConfig {
    /// Watches nobody has ensured for this long are stopped by [`Cache::sweep`].
    pub idle_ttl: Duration,
    /// How each watch fetches its initial state.
    pub initial_list: InitialList,
}

impl CacheConfig {
    /// The dashboard's choice: streaming lists (one WATCH, objects arrive one by one, no list body to
    /// hold), falling back to LIST pages of 500 where the server refuses them.
    pub fn new(idle_ttl: Duration) -> CacheConfig {
        CacheConfig {
            idle_ttl,
            initial_list: InitialList::Streaming,
        }
    }
}

/// A cheap, clonable read handle on one watch's objects.
#[derive(Clone)]
pub enum Snapshot {
    /// Pods.
    Pod(Store<Pod>),
    /// Nodes.
    Node(Store<Node>),
    /// Services.
    Service(Store<Service>),
    /// Deployments.
    Deployment(Store<Deployment>),
    /// ReplicaSets.
    ReplicaSet(Store<ReplicaSet>),
    /// StatefulSets.
    StatefulSet(Store<StatefulSet>),
    /// DaemonSets.
    DaemonSet(Store<DaemonSet>),
    /// Jobs.
    Job(Store<Job>),
    /// CronJobs.
    CronJob(Store<CronJob>),
    /// Namespaces.
    Namespace(Store<Namespace>),
    /// Events.
    Event(Store<Event>),
    /// EndpointSlices.
    EndpointSlice(Store<EndpointSlice>),
}

impl Snapshot {
    /// Number of objects in the store.
    pub fn len(&self) -> usize {
        match self {
            Snapshot::Pod(s) => s.len(),
            Snapshot::Node(s) => s.len(),
            Snapshot::Service(s) => s.len(),
            Snapshot::Deployment(s) => s.len(),
            Snapshot::ReplicaSet(s) => s.len(),
            Snapshot::StatefulSet(s) => s.len(),
            Snapshot::DaemonSet(s) => s.len(),
            Snapshot::Job(s) => s.len(),
            Snapshot::CronJob(s) => s.len(),
            Snapshot::Namespace(s) => s.len(),
            Snapshot::Event(s) => s.len(),
            Snapshot::EndpointSlice(s) => s.len(),
        }
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct Entry {
    store: Held,
    shared: Arc<WatchShared>,
    cancel: CancellationToken,
    last_used: Instant,
}

/// What a watch keeps.
enum Held {
    Rows(Arc<RowStore>),
    Objects(Snapshot),
}

/// Which watch: rows of a list (all of it, or what a field selector keeps), typed objects of a
/// list, or one typed object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Rows(Kind, Scope, Option<&'static str>),
    Objects(Kind, Scope),
    One(Kind, String, String),
}

impl Key {
    fn kind(&self) -> Kind {
        match self {
            Key::Rows(k, _, _) | Key::Objects(k, _) | Key::One(k, _, _) => *k,
        }
    }
}

/// The watch cache of one cluster connection.
pub struct Cache {
    client: Client,
    notices: mpsc::Sender<Notice>,
    entries: Mutex<HashMap<Key, Entry>>,
    root: CancellationToken,
    config: CacheConfig,
    contact: Arc<Contact>,
}

impl Cache {
    /// A cache over `client` that sends its notices on `notices`; watches idle longer than `idle_ttl` are stopped by [`Cache::sweep`].
    pub fn new(client: Client, notices: mpsc::Sender<Notice>, idle_ttl: Duration) -> Cache {
        Cache::with_config(client, notices, CacheConfig::new(idle_ttl))
    }

    /// A cache over `client` run as `config` says.
    pub fn with_config(client: Client, notices: mpsc::Sender<Notice>, config: CacheConfig) -> Cache {
        let contact = Arc::new(Contact::new(Some(notices.clone())));
        Cache {
            client,
            notices,
            entries: Mutex::new(HashMap::new()),
            root: CancellationToken::new(),
            config,
            contact,
        }
    }

    /// What the liveness probe knows of this cluster's API server (run [`crate::cluster::liveness::probe`] on it).
    pub fn contact(&self) -> &Arc<Contact> {
        &self.contact
    }

    /// A watch's status as the screen should show it: data that was live is stale while the API
    /// server does not answer, whatever its watch (which may sit on a dead connection) believes.
    fn seen(&self, status: WatchStatus) -> WatchStatus {
        match (status, self.contact.state()) {
            (WatchStatus::Ready, ContactState::Lost { since, error, .. }) => WatchStatus::Stale {
                since,
                error: format!("API server not answering: {error}"),
            },
            (s, _) => s,
        }
    }

    /// The configuration the cache runs its watches with.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The client the cache watches through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Start the row watch of `kind` in `scope` if it is not running, and mark it used now. Needs a tokio runtime.
    pub fn ensure(&self, kind: Kind, scope: Scope) {
        self.ensure_selected(kind, scope, None);
    }

    /// [`Cache::ensure`] for the rows a field selector keeps (`type=Warning`): the server filters,
    /// so only those objects cross the wire and sit in memory.
    pub fn ensure_selected(&self, kind: Kind, scope: Scope, fields: Option<&'static str>) {
        self.ensure_key(Key::Rows(kind, scope.for_kind(kind), fields));
    }

    /// Start a watch that keeps the typed (trimmed) objects of `kind` in `scope`: for kinds with few
    /// objects whose screens read more than a row holds.
    pub fn ensure_objects(&self, kind: Kind, scope: Scope) {
        self.ensure_key(Key::Objects(kind, scope.for_kind(kind)));
    }

    /// Start a watch of one typed object (a field selector on its name): the containers of one pod.
    pub fn ensure_one(&self, kind: Kind, namespace: &str, name: &str) {
        self.ensure_key(Key::One(kind, namespace.to_string(), name.to_string()));
    }

    fn ensure_key(&self, key: Key) {
        let mut entries = self.entries.lock();
        let (key, _) = serving(&entries, key);
        if let Some(e) = entries.get_mut(&key) {
            e.last_used = Instant::now();
            return;
        }
        let shared = Arc::new(WatchShared::default());
        let cancel = self.root.child_token();
        let store = self.start(&key, &shared, &cancel);
        tracing::info!(?key, "watch started");
        entries.insert(
            key,
            Entry {
                store,
                shared,
                cancel,
                last_used: Instant::now(),
            },
        );
    }

    fn start(&self, key: &Key, shared: &Arc<WatchShared>, cancel: &CancellationToken) -> Held {
        let c = self.client.clone();
        let kind = key.kind();
        let (scope, fields) = match key {
            Key::Rows(_, s, fields) => (s.clone(), fields.map(str::to_string)),
            Key::Objects(_, s) => (s.clone(), None),
            Key::One(_, ns, name) => (Scope::Namespace(ns.clone()), Some(format!("metadata.name={name}"))),
        };
        let rows = matches!(key, Key::Rows(..)).then(|| Arc::new(RowStore::default()));
        let run = Run {
            kind,
            one: matches!(key, Key::One(..)),
            fields,
            shared,
            cancel,
        };
        macro_rules! go {
            ($variant:ident, $trim:path, $project:path, cluster) => {{
                let api = Api::all(c);
                go!(@spawn api, $variant, $trim, $project)
            }};
            ($variant:ident, $trim:path, $project:path) => {{
                let api = match &scope {
                    Scope::Namespace(ns) => Api::namespaced(c, ns),
                    Scope::All => Api::all(c),
                };
                go!(@spawn api, $variant, $trim, $project)
            }};
            (@spawn $api:ident, $variant:ident, $trim:path, $project:path) => {{
                let api = $api;
                match &rows {
                    Some(store) => {
                        self.spawn(api, Sink::Rows(store.clone(), $project), &run);
                        Held::Rows(store.clone())
                    }
                    None => {
                        let (reader, writer) = reflector::store();
                        self.spawn(api, Sink::Objects(writer, $trim), &run);
                        Held::Objects(Snapshot::$variant(reader))
                    }
                }
            }};
        }
        match kind {
            Kind::Pod => go!(Pod, trim::pod, rows::pod),
            Kind::Node => go!(Node, trim::node, rows::node, cluster),
            Kind::Service => go!(Service, trim::service, rows::service),
            Kind::Deployment => go!(Deployment, trim::deployment, rows::deployment),
            Kind::ReplicaSet => go!(ReplicaSet, trim::replica_set, rows::replica_set),
            Kind::StatefulSet => go!(StatefulSet, trim::stateful_set, rows::stateful_set),
            Kind::DaemonSet => go!(DaemonSet, trim::daemon_set, rows::daemon_set),
            Kind::Job => go!(Job, trim::job, rows::job),
            Kind::CronJob => go!(CronJob, trim::cron_job, rows::cron_job),
            Kind::Namespace => go!(Namespace, trim::namespace, rows::namespace, cluster),
            Kind::Event => go!(Event, trim::event, rows::event),
            Kind::EndpointSlice => go!(EndpointSlice, trim::endpoint_slice, rows::endpoint_slice),
            // Only rows: no screen reads whole objects of a kind kubedeck has no types for.
            Kind::Other(_) => {
                let store = rows.unwrap_or_default();
                if matches!(key, Key::Rows(..)) {
                    self.spawn_table(store.clone(), scope, &run);
                }
                Held::Rows(store)
            }
        }
    }

    fn spawn<K>(&self, api: Api<K>, sink: Sink<K>, run: &Run)
    where
        K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
        K::DynamicType: Default + Eq + Hash + Clone,
    {
        // One object: a plain LIST of at most one is cheaper than any other strategy.
        let initial = match run.one {
            true => InitialList::Unpaged,
            false => self.config.initial_list,
        };
        let fut = watch::run(
            api,
            sink,
            initial,
            run.fields.clone(),
            run.kind,
            run.shared.clone(),
            self.notices.clone(),
            run.cancel.clone(),
            self.contact.clone(),
        );
        tokio::spawn(fut);
    }

    /// The server-side Table watch of a kind kubedeck has no typed watch for; one the server does
    /// not let list and watch (discovery's verbs) is refused in its view rather than tried.
    fn spawn_table(&self, store: Arc<RowStore>, scope: Scope, run: &Run) {
        if let Some(missing) = run.kind.resource().and_then(model::table::unlisted) {
            *run.shared.status.lock() = WatchStatus::Forbidden { message: missing };
            return;
        }
        let watch = watch::Watch {
            kind: run.kind,
            shared: run.shared.clone(),
            notices: self.notices.clone(),
            cancel: run.cancel.clone(),
            contact: self.contact.clone(),
        };
        let fut = table_watch::run(
            self.client.clone(),
            run.kind,
            scope,
            run.fields.clone(),
            self.config.initial_list,
            store,
            watch,
        );
        tokio::spawn(fut);
    }

    fn entry<T>(&self, key: &Key, f: impl FnOnce(&Entry) -> T) -> Option<T> {
        let entries = self.entries.lock();
        let (key, _) = serving(&entries, key.clone());
        entries.get(&key).map(f)
    }

    /// The rows of a running row watch, or None if it was never ensured (or was swept).
    pub fn rows(&self, kind: Kind, scope: &Scope) -> Option<Vec<Arc<Row>>> {
        self.rows_selected(kind, scope, None)
    }

    /// Hold the rows a view shows (`shown`: `base`, as [`Cache::rows`] gave them, with cells filled
    /// by enrichers) in place of those it was given, where the watch has not changed them since: one
    /// copy of each row, not the cache's and the view's (see [`RowStore::adopt`]).
    pub fn adopt(&self, kind: Kind, scope: &Scope, base: &[Arc<Row>], shown: &[Arc<Row>]) -> usize {
        let store = {
            let entries = self.entries.lock();
            let (key, _) = serving(&entries, Key::Rows(kind, scope.clone().for_kind(kind), None));
            match &entries.get(&key).map(|e| &e.store) {
                Some(Held::Rows(r)) => r.clone(),
                _ => return 0,
            }
        };
        store.adopt(base, shown)
    }

    /// The row store serving `kind` in `scope` with `fields`, and the namespace to keep of it when
    /// an all-namespaces watch serves a namespace.
    fn row_store(
        &self,
        kind: Kind,
        scope: &Scope,
        fields: Option<&'static str>,
    ) -> Option<(Arc<RowStore>, Option<String>)> {
        let entries = self.entries.lock();
        let (key, namespace) = serving(&entries, Key::Rows(kind, scope.clone().for_kind(kind), fields));
        match &entries.get(&key)?.store {
            Held::Rows(r) => Some((r.clone(), namespace)),
            Held::Objects(_) => None,
        }
    }

    /// The rows of a running [`Cache::ensure_selected`] watch.
    pub fn rows_selected(&self, kind: Kind, scope: &Scope, fields: Option<&'static str>) -> Option<Vec<Arc<Row>>> {
        let (store, namespace) = self.row_store(kind, scope, fields)?;
        let rows = store.rows();
        Some(match namespace {
            Some(ns) => rows.into_iter().filter(|r| r.namespace == ns).collect(),
            None => rows,
        })
    }

    /// What changed in the rows of a running [`Cache::ensure_selected`] watch since `mark`, and
    /// the mark to read from next time (see [`RowStore::changes`]).
    pub fn changes_selected(
        &self,
        kind: Kind,
        scope: &Scope,
        fields: Option<&'static str>,
        mark: Mark,
    ) -> Option<(Changes, Mark)> {
        let (store, namespace) = self.row_store(kind, scope, fields)?;
        let (changes, next) = store.changes(mark);
        let Some(ns) = namespace else {
            return Some((changes, next));
        };
        // Served from a wider watch: its rows in the namespace alone.
        let changes = match changes {
            Changes::All(rows) => Changes::All(rows.into_iter().filter(|r| r.namespace == ns).collect()),
            Changes::Since(list) => Changes::Since(
                list.into_iter()
                    .filter(|c| c.key.split_once('/').is_some_and(|(n, _)| n == ns))
                    .collect(),
            ),
        };
        Some((changes, next))
    }

    /// The typed objects of a running [`Cache::ensure_objects`] watch.
    pub fn snapshot(&self, kind: Kind, scope: &Scope) -> Option<Snapshot> {
        self.objects_of(&Key::Objects(kind, scope.clone().for_kind(kind)))
    }

    /// The object of a running [`Cache::ensure_one`] watch (a store of at most one).
    pub fn one(&self, kind: Kind, namespace: &str, name: &str) -> Option<Snapshot> {
        self.objects_of(&Key::One(kind, namespace.to_string(), name.to_string()))
    }

    fn objects_of(&self, key: &Key) -> Option<Snapshot> {
        self.entry(key, |e| match &e.store {
            Held::Objects(s) => Some(s.clone()),
            Held::Rows(_) => None,
        })?
    }

    /// The status of a running row watch.
    pub fn status(&self, kind: Kind, scope: &Scope) -> Option<WatchStatus> {
        self.status_selected(kind, scope, None)
    }

    /// The status of a running [`Cache::ensure_selected`] watch.
    pub fn status_selected(&self, kind: Kind, scope: &Scope, fields: Option<&'static str>) -> Option<WatchStatus> {
        self.entry(&Key::Rows(kind, scope.clone().for_kind(kind), fields), |e| {
            e.shared.status.lock().clone()
        })
        .map(|s| self.seen(s))
    }

    /// The status of a running [`Cache::ensure_objects`] watch.
    pub fn objects_status(&self, kind: Kind, scope: &Scope) -> Option<WatchStatus> {
        self.entry(&Key::Objects(kind, scope.clone().for_kind(kind)), |e| {
            e.shared.status.lock().clone()
        })
        .map(|s| self.seen(s))
    }

    /// The status of a running [`Cache::ensure_one`] watch.
    pub fn one_status(&self, kind: Kind, namespace: &str, name: &str) -> Option<WatchStatus> {
        self.entry(&Key::One(kind, namespace.to_string(), name.to_string()), |e| {
            e.shared.status.lock().clone()
        })
        .map(|s| self.seen(s))
    }

    /// The change counter of a running row watch (0 when not running): equal generations mean equal data.
    pub fn generation(&self, kind: Kind, scope: &Scope) -> u64 {
        self.generation_selected(kind, scope, None)
    }

    /// The change counter of a running [`Cache::ensure_selected`] watch.
    pub fn generation_selected(&self, kind: Kind, scope: &Scope, fields: Option<&'static str>) -> u64 {
        self.generation_of(&Key::Rows(kind, scope.clone().for_kind(kind), fields))
    }

    /// The change counter of a running [`Cache::ensure_objects`] watch.
    pub fn objects_generation(&self, kind: Kind, scope: &Scope) -> u64 {
        self.generation_of(&Key::Objects(kind, scope.clone().for_kind(kind)))
    }

    /// The change counter of a running [`Cache::ensure_one`] watch.
    pub fn one_generation(&self, kind: Kind, namespace: &str, name: &str) -> u64 {
        self.generation_of(&Key::One(kind, namespace.to_string(), name.to_string()))
    }

    fn generation_of(&self, key: &Key) -> u64 {
        // Contact lost or regained changes what every watch's data is shown as.
        self.entry(key, |e| {
            e.shared.generation.load(Ordering::Relaxed) + self.contact.generation()
        })
        .unwrap_or(0)
    }

    /// The running row and object watches (one-object watches aside).
    pub fn running(&self) -> Vec<(Kind, Scope)> {
        let mut keys: Vec<_> = self
            .entries
            .lock()
            .keys()
            .filter_map(|k| match k {
                Key::Rows(kind, s, None) | Key::Objects(kind, s) => Some((*kind, s.clone())),
                Key::Rows(_, _, Some(_)) => None,
                Key::One(..) => None,
            })
            .collect();
        keys.sort_by_key(|k| k.0);
        keys.dedup();
        keys
    }

    /// Stop the watches nobody has ensured for longer than the idle time.
    pub fn sweep(&self, now: Instant) {
        self.entries.lock().retain(|key, e| {
            let keep = now.saturating_duration_since(e.last_used) < self.config.idle_ttl;
            if !keep {
                tracing::info!(?key, "watch stopped (idle)");
                e.cancel.cancel();
            }
            keep
        });
    }

    /// Stop every watch of `kind` (it is no longer served: its CRD was deleted).
    pub fn stop_kind(&self, kind: Kind) {
        self.entries.lock().retain(|key, e| {
            let keep = key.kind() != kind;
            if !keep {
                tracing::info!(?key, "watch stopped (no longer served)");
                e.cancel.cancel();
            }
            keep
        });
    }

    /// Stop every watch (context switch, exit).
    pub fn shutdown(&self) {
        self.root.cancel();
        self.entries.lock().clear();
    }
}

/// The watch that serves `key`, and the namespace to keep of its rows. A namespace's rows are read
/// from the all-namespaces watch of the kind once that one is synced and allowed (the header keeps
/// one for pods), so a namespaced screen costs no second watch of the same objects; until then, or
/// when listing every namespace is refused, the namespace has its own watch, which is swept once
/// idle.
fn serving(entries: &HashMap<Key, Entry>, key: Key) -> (Key, Option<String>) {
    let Key::Rows(kind, Scope::Namespace(ns), fields) = &key else {
        return (key, None);
    };
    let all = Key::Rows(*kind, Scope::All, *fields);
    let synced = entries
        .get(&all)
        .is_some_and(|e| matches!(*e.shared.status.lock(), WatchStatus::Ready | WatchStatus::Stale { .. }));
    if synced {
        let ns = ns.clone();
        return (all, Some(ns));
    }
    (key, None)
}

/// What [`Cache::spawn`] needs besides the API and the sink.
struct Run<'a> {
    kind: Kind,
    /// A watch of one object: a plain LIST is its cheapest start.
    one: bool,
    /// The field selector the server filters with.
    fields: Option<String>,
    shared: &'a Arc<WatchShared>,
    cancel: &'a CancellationToken,
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.root.cancel();
    }
}
