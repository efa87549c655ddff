//! What a session made in the cluster and must not leave behind if kubedeck ends under it: a node
//! shell's pod. The session holds an entry while the pod lives (dropping the hold forgets it) and
//! deletes the pod itself when it ends; a SIGHUP or SIGTERM, which ends kubedeck at once, deletes
//! what is still held first ([`clean_up`], bounded in time).

use std::sync::Mutex;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams};

struct Entry {
    id: u64,
    client: Client,
    namespace: String,
    name: String,
}

static HELD: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A pod held for deletion at exit until dropped.
pub struct Hold(u64);

impl Drop for Hold {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock() {
            held.retain(|e| e.id != self.0);
        }
    }
}

/// Hold the pod `namespace/name` for deletion should kubedeck end before the session does.
pub fn hold(client: &Client, namespace: &str, name: &str) -> Hold {
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(mut held) = HELD.lock() {
        held.push(Entry {
            id,
            client: client.clone(),
            namespace: namespace.into(),
            name: name.into(),
        });
    }
    Hold(id)
}

/// The pods held now, as `namespace/name`.
pub fn held() -> Vec<String> {
    HELD.lock()
        .map(|h| h.iter().map(|e| format!("{}/{}", e.namespace, e.name)).collect())
        .unwrap_or_default()
}

/// Delete every held pod (grace 0), waiting at most `limit` for the answers; the holds go.
pub async fn clean_up(limit: Duration) {
    let entries: Vec<Entry> = HELD.lock().map(|mut h| std::mem::take(&mut *h)).unwrap_or_default();
    let deletes = entries.into_iter().map(|e| async move {
        let pods: Api<Pod> = Api::namespaced(e.client, &e.namespace);
        match pods.delete(&e.name, &DeleteParams::default().grace_period(0)).await {
            Ok(_) => tracing::info!(pod = %e.name, "deleted a node shell's pod at exit"),
            Err(err) => tracing::warn!(pod = %e.name, "deleting a node shell's pod at exit failed: {err}"),
        }
    });
    let _ = tokio::time::timeout(limit, futures::future::join_all(deletes)).await;
}
