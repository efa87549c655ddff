//! One kube-rs watcher + reflector, with its status and change notices.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use futures::{FutureExt, StreamExt};
use kube::runtime::reflector::store::Writer;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource, ResourceExt};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Kind;

/// The annotation `kubectl apply` writes: a full copy of the object no screen reads.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A data-less message from the cache: re-read what you show of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Objects or the watch status of this kind changed.
    Changed(Kind),
}

/// How far a watch has got, as the UI shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchStatus {
    /// The initial list is running; `listed` objects so far.
    Loading {
        /// Objects received so far.
        listed: usize,
    },
    /// The store mirrors the server.
    Ready,
    /// The server refused the list or watch with 403; its message names user, verb and resource.
    Forbidden {
        /// The server's Status message.
        message: String,
    },
    /// The connection dropped; data is as of `since`, reconnecting with backoff.
    Stale {
        /// When the last good event arrived (or the watch started).
        since: Instant,
        /// Why the connection dropped.
        error: String,
    },
}

/// What a running watch shares with the cache: status and a generation bumped on every change.
#[derive(Debug)]
pub struct WatchShared {
    /// The current status.
    pub status: Mutex<WatchStatus>,
    /// Bumped after each batch of events or status change.
    pub generation: AtomicU64,
    last_event: Mutex<Instant>,
}

impl Default for WatchShared {
    fn default() -> Self {
        WatchShared {
            status: Mutex::new(WatchStatus::Loading { listed: 0 }),
            generation: AtomicU64::new(0),
            last_event: Mutex::new(Instant::now()),
        }
    }
}

/// Drop what no list screen reads; YAML and describe fetch the whole object fresh.
pub fn trim<K: ResourceExt>(obj: &mut K) {
    obj.managed_fields_mut().clear();
    obj.annotations_mut().remove(LAST_APPLIED);
}

/// Run a watcher into `writer` until `cancel` fires, reporting status in `shared` and notices on `notices`.
pub async fn run<K>(
    api: Api<K>,
    writer: Writer<K>,
    kind: Kind,
    shared: Arc<WatchShared>,
    notices: mpsc::Sender<Notice>,
    cancel: CancellationToken,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    let config = watcher::Config::default().page_size(500);
    let stream = watcher(api, config).modify(trim).reflect(writer).default_backoff();
    let mut stream = std::pin::pin!(stream);
    loop {
        let item = tokio::select! {
            _ = cancel.cancelled() => return,
            item = stream.next() => item,
        };
        let Some(item) = item else { return };
        apply(&shared, item);
        // Coalesce a burst (a list page, a storm of updates) into one notice.
        while let Some(Some(item)) = stream.next().now_or_never() {
            apply(&shared, item);
        }
        shared.generation.fetch_add(1, Ordering::Relaxed);
        // A full channel already holds notices that make the UI re-read everything it shows.
        let _ = notices.try_send(Notice::Changed(kind));
    }
}

fn apply<K: Resource>(shared: &WatchShared, item: Result<watcher::Event<K>, watcher::Error>) {
    let mut status = shared.status.lock();
    match item {
        Ok(watcher::Event::Init) => *status = WatchStatus::Loading { listed: 0 },
        Ok(watcher::Event::InitApply(_)) => {
            let listed = match &*status {
                WatchStatus::Loading { listed } => listed + 1,
                _ => 1,
            };
            *status = WatchStatus::Loading { listed };
        }
        Ok(watcher::Event::InitDone) | Ok(watcher::Event::Apply(_)) | Ok(watcher::Event::Delete(_)) => {
            *shared.last_event.lock() = Instant::now();
            if !matches!(*status, WatchStatus::Loading { .. }) {
                *status = WatchStatus::Ready;
            }
            if matches!(item, Ok(watcher::Event::InitDone)) {
                *status = WatchStatus::Ready;
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "watch error");
            *status = classify(&err, &status, *shared.last_event.lock());
        }
    }
}

/// The status a watcher error leads to.
pub fn classify(err: &watcher::Error, current: &WatchStatus, last_event: Instant) -> WatchStatus {
    let api_status = match err {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.as_ref()),
        watcher::Error::WatchError(s) => Some(s.as_ref()),
        _ => None,
    };
    match api_status {
        Some(s) if s.code == 403 => WatchStatus::Forbidden {
            message: s.message.clone(),
        },
        // 410 Gone: the watcher re-lists by itself; Init will follow.
        Some(s) if s.code == 410 => current.clone(),
        _ => match current {
            WatchStatus::Stale { since, .. } => WatchStatus::Stale {
                since: *since,
                error: err.to_string(),
            },
            _ => WatchStatus::Stale {
                since: last_event,
                error: err.to_string(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use kube::core::Status;

    fn api_err(code: u16, message: &str) -> watcher::Error {
        let status = Status {
            code,
            message: message.into(),
            ..Default::default()
        };
        watcher::Error::InitialListFailed(kube::Error::Api(Box::new(status)))
    }

    #[test]
    fn forbidden_keeps_the_servers_message() {
        let msg = r#"pods is forbidden: User "dev" cannot list resource "pods" in API group "" at the cluster scope"#;
        let s = classify(&api_err(403, msg), &WatchStatus::Ready, Instant::now());
        assert_eq!(s, WatchStatus::Forbidden { message: msg.into() });
    }

    #[test]
    fn other_errors_mark_stale_and_keep_the_first_since() {
        let t0 = Instant::now();
        let s = classify(&api_err(500, "boom"), &WatchStatus::Ready, t0);
        let WatchStatus::Stale { since, .. } = s.clone() else {
            panic!("{s:?}")
        };
        assert_eq!(since, t0);
        let later = classify(&api_err(503, "again"), &s, Instant::now());
        assert!(matches!(later, WatchStatus::Stale { since, .. } if since == t0));
    }

    #[test]
    fn trim_drops_managed_fields_and_last_applied() {
        let mut pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "managedFields": [{"manager": "kubectl"}],
                "annotations": {LAST_APPLIED: "{}", "keep": "me"}}
        }))
        .unwrap();
        trim(&mut pod);
        assert!(pod.managed_fields().is_empty());
        assert_eq!(pod.annotations().len(), 1);
        assert_eq!(pod.annotations()["keep"], "me");
    }

    #[test]
    fn init_apply_counts_progress_and_init_done_is_ready() {
        let shared = WatchShared::default();
        apply::<Pod>(&shared, Ok(watcher::Event::Init));
        apply(&shared, Ok(watcher::Event::InitApply(Pod::default())));
        apply(&shared, Ok(watcher::Event::InitApply(Pod::default())));
        assert_eq!(*shared.status.lock(), WatchStatus::Loading { listed: 2 });
        apply::<Pod>(&shared, Ok(watcher::Event::InitDone));
        assert_eq!(*shared.status.lock(), WatchStatus::Ready);
    }
}
