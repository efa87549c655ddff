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

use super::watch::{self, InitialList, Notice, WatchShared, WatchStatus};
use super::{Kind, Scope, trim};

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
    snapshot: Snapshot,
    shared: Arc<WatchShared>,
    cancel: CancellationToken,
    last_used: Instant,
}

/// The watch cache of one cluster connection.
pub struct Cache {
    client: Client,
    notices: mpsc::Sender<Notice>,
    entries: Mutex<HashMap<(Kind, Scope), Entry>>,
    root: CancellationToken,
    config: CacheConfig,
}

impl Cache {
    /// A cache over `client` that sends its notices on `notices`; watches idle longer than `idle_ttl` are stopped by [`Cache::sweep`].
    pub fn new(client: Client, notices: mpsc::Sender<Notice>, idle_ttl: Duration) -> Cache {
        Cache::with_config(client, notices, CacheConfig::new(idle_ttl))
    }

    /// A cache over `client` run as `config` says.
    pub fn with_config(client: Client, notices: mpsc::Sender<Notice>, config: CacheConfig) -> Cache {
        Cache {
            client,
            notices,
            entries: Mutex::new(HashMap::new()),
            root: CancellationToken::new(),
            config,
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

    /// Start the watch of `kind` in `scope` if it is not running, and mark it used now. Needs a tokio runtime.
    pub fn ensure(&self, kind: Kind, scope: Scope) {
        let scope = scope.for_kind(kind);
        let mut entries = self.entries.lock();
        if let Some(e) = entries.get_mut(&(kind, scope.clone())) {
            e.last_used = Instant::now();
            return;
        }
        let shared = Arc::new(WatchShared::default());
        let cancel = self.root.child_token();
        let snapshot = self.start(kind, &scope, &shared, &cancel);
        tracing::info!(kind = kind.plural(), ?scope, "watch started");
        entries.insert(
            (kind, scope),
            Entry {
                snapshot,
                shared,
                cancel,
                last_used: Instant::now(),
            },
        );
    }

    fn start(&self, kind: Kind, scope: &Scope, shared: &Arc<WatchShared>, cancel: &CancellationToken) -> Snapshot {
        let c = self.client.clone();
        macro_rules! go {
            ($variant:ident, $trim:path, cluster) => {
                Snapshot::$variant(self.spawn(Api::all(c), $trim, kind, shared, cancel))
            };
            ($variant:ident, $trim:path) => {{
                let api = match scope {
                    Scope::Namespace(ns) => Api::namespaced(c, ns),
                    Scope::All => Api::all(c),
                };
                Snapshot::$variant(self.spawn(api, $trim, kind, shared, cancel))
            }};
        }
        match kind {
            Kind::Pod => go!(Pod, trim::pod),
            Kind::Node => go!(Node, trim::node, cluster),
            Kind::Service => go!(Service, trim::service),
            Kind::Deployment => go!(Deployment, trim::deployment),
            Kind::ReplicaSet => go!(ReplicaSet, trim::replica_set),
            Kind::StatefulSet => go!(StatefulSet, trim::stateful_set),
            Kind::DaemonSet => go!(DaemonSet, trim::daemon_set),
            Kind::Job => go!(Job, trim::job),
            Kind::CronJob => go!(CronJob, trim::cron_job),
            Kind::Namespace => go!(Namespace, trim::namespace, cluster),
            Kind::Event => go!(Event, trim::event),
            Kind::EndpointSlice => go!(EndpointSlice, trim::endpoint_slice),
        }
    }

    fn spawn<K>(
        &self,
        api: Api<K>,
        trim: fn(&mut K),
        kind: Kind,
        shared: &Arc<WatchShared>,
        cancel: &CancellationToken,
    ) -> Store<K>
    where
        K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
        K::DynamicType: Default + Eq + Hash + Clone,
    {
        let (reader, writer) = reflector::store();
        let fut = watch::run(
            api,
            writer,
            trim,
            self.config.initial_list,
            kind,
            shared.clone(),
            self.notices.clone(),
            cancel.clone(),
        );
        tokio::spawn(fut);
        reader
    }

    /// The objects of a running watch, or None if it was never ensured (or was swept).
    pub fn snapshot(&self, kind: Kind, scope: &Scope) -> Option<Snapshot> {
        let key = (kind, scope.clone().for_kind(kind));
        self.entries.lock().get(&key).map(|e| e.snapshot.clone())
    }

    /// The status of a running watch.
    pub fn status(&self, kind: Kind, scope: &Scope) -> Option<WatchStatus> {
        let key = (kind, scope.clone().for_kind(kind));
        self.entries.lock().get(&key).map(|e| e.shared.status.lock().clone())
    }

    /// The change counter of a running watch (0 when not running): equal generations mean equal data.
    pub fn generation(&self, kind: Kind, scope: &Scope) -> u64 {
        let key = (kind, scope.clone().for_kind(kind));
        self.entries
            .lock()
            .get(&key)
            .map_or(0, |e| e.shared.generation.load(Ordering::Relaxed))
    }

    /// The running watches.
    pub fn running(&self) -> Vec<(Kind, Scope)> {
        let mut keys: Vec<_> = self.entries.lock().keys().cloned().collect();
        keys.sort_by_key(|k| k.0);
        keys
    }

    /// Stop the watches nobody has ensured for longer than the idle time.
    pub fn sweep(&self, now: Instant) {
        self.entries.lock().retain(|(kind, scope), e| {
            let keep = now.saturating_duration_since(e.last_used) < self.config.idle_ttl;
            if !keep {
                tracing::info!(kind = kind.plural(), ?scope, "watch stopped (idle)");
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

impl Drop for Cache {
    fn drop(&mut self) {
        self.root.cancel();
    }
}
