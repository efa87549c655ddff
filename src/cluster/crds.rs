//! The CustomResourceDefinitions watched for the registry: a CRD added, changed (established,
//! renamed, a version served or not) or deleted means discovery has changed. Metadata only (a CRD's
//! schema can run to hundreds of kilobytes, and a cluster holds hundreds of CRDs): any new
//! resourceVersion of a CRD counts. A burst (a CRD created, then established; a chart installing
//! twenty) is said once, at most [`SETTLE`] after its first event.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::core::PartialObjectMeta;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Api, Client};

/// How long after a first change more are gathered before it is said.
pub const SETTLE: Duration = Duration::from_millis(300);

/// What the watch has to say.
#[derive(Debug, Clone, PartialEq)]
pub enum Said {
    /// It runs: the initial list was had.
    Watching,
    /// A CRD was added, changed or deleted (a burst once).
    Changed,
    /// The server refuses the list or watch (403), or does not serve CRDs (404): the watch ends.
    Refused(String),
}

/// Watch the CRDs until the future is dropped (or the server refuses), telling `say` what happens.
pub async fn watch(client: Client, mut say: impl FnMut(Said)) {
    // A PartialObjectMeta Api asks for metadata alone.
    let api: Api<PartialObjectMeta<CustomResourceDefinition>> = Api::all(client);
    let stream = watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    // Name → resourceVersion, as last listed or seen.
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut relisted: Option<HashMap<String, String>> = None;
    let mut synced = false;
    let mut due: Option<tokio::time::Instant> = None;
    let mut failing = false;
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            _ = tokio::time::sleep_until(due.unwrap_or_else(tokio::time::Instant::now)), if due.is_some() => {
                due = None;
                say(Said::Changed);
                continue;
            }
        };
        let changed = match item {
            None => return,
            Some(Ok(event)) => {
                failing = false;
                match event {
                    Event::Init => {
                        relisted = Some(HashMap::new());
                        false
                    }
                    Event::InitApply(o) => {
                        if let Some(l) = &mut relisted {
                            l.insert(
                                o.metadata.name.unwrap_or_default(),
                                o.metadata.resource_version.unwrap_or_default(),
                            );
                        }
                        false
                    }
                    Event::InitDone => {
                        let list = relisted.take().unwrap_or_default();
                        // A list after a lost watch or a 410: what changed meanwhile was not seen.
                        let changed = synced && list != seen;
                        if !synced {
                            say(Said::Watching);
                        }
                        (seen, synced) = (list, true);
                        changed
                    }
                    Event::Apply(o) => {
                        let rv = o.metadata.resource_version.unwrap_or_default();
                        seen.insert(o.metadata.name.unwrap_or_default(), rv.clone()) != Some(rv)
                    }
                    Event::Delete(o) => {
                        seen.remove(&o.metadata.name.unwrap_or_default());
                        true
                    }
                }
            }
            Some(Err(e)) => {
                if let Some(s) = crate::cluster::watch::api_status(&e)
                    && matches!(s.code, 403 | 404)
                {
                    say(Said::Refused(super::errors::explain(&e)));
                    return;
                }
                // The back-off retries; said once per run of failures.
                if !failing {
                    tracing::warn!("CustomResourceDefinition watch: {}", super::errors::explain(&e));
                }
                failing = true;
                false
            }
        };
        if changed && due.is_none() {
            due = Some(tokio::time::Instant::now() + SETTLE);
        }
    }
}
