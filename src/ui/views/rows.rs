//! What the reader adds to the watch cache's rows: the containers of one pod, and the ENDPOINTS
//! column of services joined from their EndpointSlices.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::app::columns::SERVICE_ENDPOINTS_CELL;
use crate::app::table::Row;
use crate::cluster::cache::Snapshot;

pub use crate::cluster::printers::age::human_duration;
pub use crate::cluster::rows::pod_in_trouble;

/// The container rows of the pod in a one-pod snapshot (none while it is not there).
pub fn containers(snapshot: &Snapshot) -> Vec<Arc<Row>> {
    let Snapshot::Pod(store) = snapshot else { return vec![] };
    store
        .state()
        .first()
        .map(|p| super::containers::rows(p).into_iter().map(Arc::new).collect())
        .unwrap_or_default()
}

/// Fill the ENDPOINTS cell of service rows ("ready/total", "<none>") from EndpointSlice rows;
/// without slices (not synced, or refused) it stays "?".
pub fn join_endpoints(services: &mut [Arc<Row>], slices: Option<&[Arc<Row>]>) {
    let Some(slices) = slices else { return };
    let counts = endpoint_counts(slices);
    for svc in services {
        let text = match counts.get(&(svc.namespace.as_str(), svc.name.as_str())) {
            Some((ready, total)) => format!("{ready}/{total}"),
            None => "<none>".to_string(),
        };
        if svc.cells.get(SERVICE_ENDPOINTS_CELL) != Some(&text) {
            let row = Arc::make_mut(svc);
            if let Some(cell) = row.cells.get_mut(SERVICE_ENDPOINTS_CELL) {
                *cell = text;
            }
        }
    }
}

/// Ready and total endpoints per service (namespace, name), from the `kubernetes.io/service-name` label.
fn endpoint_counts(slices: &[Arc<Row>]) -> HashMap<(&str, &str), (usize, usize)> {
    let mut seen: HashMap<(&str, &str), (HashSet<&str>, usize)> = HashMap::new();
    for es in slices {
        let Some(svc) = es.label("kubernetes.io/service-name") else {
            continue;
        };
        let entry = seen.entry((es.namespace.as_str(), svc)).or_default();
        for (id, ready) in &es.backends {
            // Dual-stack services have one slice per family: count each backend once.
            if entry.0.insert(id) {
                entry.1 += usize::from(*ready);
            }
        }
    }
    seen.into_iter()
        .map(|(k, (ids, ready))| (k, (ready, ids.len())))
        .collect()
}
