//! The source manager: resolves a target to pods and keeps one reader per (pod, container), picking
//! up pods that appear and marking the ones that go away.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::stream::Reader;
use super::{Event, Params, SourceState, Tagged, Target};
use crate::cluster::Kind;
use crate::cluster::printers::selector_string;

/// How long a deleted pod's readers may drain what the server still sends before they are stopped.
const GONE_GRACE: Duration = Duration::from_secs(10);

/// Start reading `target`; events go to `tx` tagged with `session`. Cancel the token to stop everything.
pub fn start(
    client: Client,
    target: Target,
    params: Params,
    session: u64,
    tx: mpsc::Sender<Tagged>,
) -> CancellationToken {
    let cancel = CancellationToken::new();
    tokio::spawn(read(client, target, params, session, tx, cancel.clone()));
    cancel
}

/// Read `target` until `cancel` fires (or the target fails as a whole): what [`start`] runs, for a
/// caller that owns the task (the executor's log session).
pub async fn read(
    client: Client,
    target: Target,
    params: Params,
    session: u64,
    tx: mpsc::Sender<Tagged>,
    cancel: CancellationToken,
) {
    let mut m = Manager {
        client,
        params,
        session,
        tx,
        cancel: cancel.clone(),
        next_id: 0,
        pods: HashMap::new(),
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = m.run(target) => {}
    }
}

struct Manager {
    client: Client,
    params: Params,
    session: u64,
    tx: mpsc::Sender<Tagged>,
    cancel: CancellationToken,
    next_id: u32,
    /// Readers per pod uid, by pod name, and the token that stops them.
    pods: HashMap<String, (String, Vec<u32>, CancellationToken)>,
}

impl Manager {
    async fn send(&self, event: Event) -> bool {
        self.tx.send((self.session, event)).await.is_ok()
    }

    async fn run(&mut self, target: Target) {
        match target {
            Target::Pod {
                namespace,
                name,
                container,
            } => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &namespace);
                match api.get(&name).await {
                    Ok(pod) => {
                        self.add(&api, &pod, container.as_deref()).await;
                    }
                    Err(e) => {
                        self.send(Event::Target(Some(error_text(&e)))).await;
                    }
                }
            }
            Target::Workload { kind, namespace, name } => {
                let selector = match resolve(&self.client, kind, &namespace, &name).await {
                    Ok(s) => s,
                    Err(msg) => {
                        self.send(Event::Target(Some(msg))).await;
                        return;
                    }
                };
                self.follow(&namespace, &selector).await;
            }
        }
    }

    /// Watch the selected pods: a reader per container of each, for as long as the pod exists.
    async fn follow(&mut self, namespace: &str, selector: &str) {
        let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let config = watcher::Config::default().labels(selector);
        let stream = watcher(api.clone(), config).default_backoff();
        let mut stream = std::pin::pin!(stream);
        let mut listing: Option<HashSet<String>> = None;
        let mut failed = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(watcher::Event::Init) => listing = Some(HashSet::new()),
                Ok(watcher::Event::InitApply(pod)) => {
                    if let Some(seen) = &mut listing {
                        seen.insert(pod.metadata.uid.clone().unwrap_or_default());
                    }
                    self.add(&api, &pod, None).await;
                }
                Ok(watcher::Event::InitDone) => {
                    // Pods missing from a re-list were deleted while the watch was down.
                    let seen = listing.take().unwrap_or_default();
                    let gone: Vec<String> = self.pods.keys().filter(|u| !seen.contains(*u)).cloned().collect();
                    for uid in gone {
                        self.gone(&uid).await;
                    }
                    if failed {
                        failed = false;
                        self.send(Event::Target(None)).await;
                    }
                }
                Ok(watcher::Event::Apply(pod)) => {
                    self.add(&api, &pod, None).await;
                }
                Ok(watcher::Event::Delete(pod)) => {
                    self.gone(&pod.metadata.uid.clone().unwrap_or_default()).await;
                }
                Err(e) => {
                    failed = true;
                    let text = match &e {
                        watcher::Error::InitialListFailed(kube::Error::Api(s))
                        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
                            if s.code == 403 =>
                        {
                            format!("Forbidden: {}", s.message)
                        }
                        other => crate::cluster::errors::explain(other),
                    };
                    if !self.send(Event::Target(Some(text))).await {
                        return;
                    }
                }
            }
        }
    }

    /// Start readers for a pod not seen before (its containers, or only `only`).
    async fn add(&mut self, api: &Api<Pod>, pod: &Pod, only: Option<&str>) {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if self.pods.contains_key(&uid) || pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        let name = pod.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> = match only {
            Some(c) => vec![c.to_string()],
            None => pod
                .spec
                .iter()
                .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
                .collect(),
        };
        let token = self.cancel.child_token();
        let mut ids = Vec::new();
        for container in containers {
            let id = self.next_id;
            self.next_id += 1;
            ids.push(id);
            let announced = self
                .send(Event::Source {
                    id,
                    pod: name.clone(),
                    container: container.clone(),
                })
                .await;
            if !announced {
                return;
            }
            let reader = Reader {
                api: api.clone(),
                pod: name.clone(),
                uid: pod.metadata.uid.clone(),
                container,
                id,
                session: self.session,
                params: self.params.clone(),
                tx: self.tx.clone(),
            };
            tokio::spawn(reader.run(token.clone()));
        }
        self.pods.insert(uid, (name, ids, token));
    }

    /// A pod was deleted: its readers finish what the server still sends, then stop.
    async fn gone(&mut self, uid: &str) {
        let Some((_, ids, token)) = self.pods.remove(uid) else {
            return;
        };
        tokio::spawn(async move {
            tokio::time::sleep(GONE_GRACE).await;
            token.cancel();
        });
        for id in ids {
            // The reader says Gone itself when its stream ends; this covers a reader stuck retrying.
            let _ = self.tx.try_send((
                self.session,
                Event::State {
                    id,
                    state: SourceState::Gone,
                },
            ));
        }
    }
}

fn error_text(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 403 => format!("Forbidden: {}", s.message),
        kube::Error::Api(s) => s.message.clone(),
        other => crate::cluster::errors::explain(other),
    }
}

/// The label selector of a workload or service, as a `-l` string.
pub async fn resolve(client: &Client, kind: Kind, ns: &str, name: &str) -> Result<String, String> {
    async fn sel<K>(
        client: &Client,
        ns: &str,
        name: &str,
        f: impl Fn(&K) -> Option<LabelSelector>,
    ) -> Result<String, String>
    where
        K: Resource<Scope = k8s_openapi::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
        K::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(client.clone(), ns);
        let obj = api.get(name).await.map_err(|e| error_text(&e))?;
        selector_string(f(&obj).as_ref())
    }
    let s = match kind {
        Kind::Deployment => {
            sel::<Deployment>(client, ns, name, |o| o.spec.as_ref().map(|s| s.selector.clone())).await?
        }
        Kind::StatefulSet => {
            sel::<StatefulSet>(client, ns, name, |o| o.spec.as_ref().map(|s| s.selector.clone())).await?
        }
        Kind::DaemonSet => sel::<DaemonSet>(client, ns, name, |o| o.spec.as_ref().map(|s| s.selector.clone())).await?,
        Kind::ReplicaSet => {
            sel::<ReplicaSet>(client, ns, name, |o| o.spec.as_ref().map(|s| s.selector.clone())).await?
        }
        Kind::Job => sel::<Job>(client, ns, name, |o| o.spec.as_ref().and_then(|s| s.selector.clone())).await?,
        Kind::Service => {
            let api: Api<Service> = Api::namespaced(client.clone(), ns);
            let svc = api.get(name).await.map_err(|e| error_text(&e))?;
            let labels = svc.spec.and_then(|s| s.selector).unwrap_or_default();
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        }
        other => return Err(format!("{} has no pods to read logs from", other.plural())),
    };
    if s.is_empty() {
        return Err(format!(
            "{} {name} selects no pods (empty selector)",
            kind.name().to_lowercase()
        ));
    }
    Ok(s)
}
