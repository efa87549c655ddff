//! The ENDPOINTS column of services: ready/total endpoints from the EndpointSlices that name them
//! (`kubernetes.io/service-name`), as an enricher of services.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::cluster::Kind;
use crate::cluster::rows::Row;
use crate::store::enrich::{Enricher, Needs};

/// Services gain ENDPOINTS ("ready/total", "<none>") before AGE; "?" while their slices are unknown.
pub static ENRICHER: Enricher = Enricher {
    kind: Kind::Service,
    title: "ENDPOINTS",
    before: "AGE",
    needs: Needs::Watch(Kind::EndpointSlice, cells),
};

/// This file's enrichers.
pub static ENRICHERS: &[&Enricher] = &[&ENRICHER];

fn cells(services: &[Arc<Row>], slices: Option<&[Arc<Row>]>) -> Vec<String> {
    // Not synced, or refused: not known.
    let Some(slices) = slices else {
        return vec!["?".to_string(); services.len()];
    };
    let counts = endpoint_counts(slices);
    services
        .iter()
        .map(|svc| match counts.get(&(svc.namespace.as_str(), svc.name.as_str())) {
            Some((ready, total)) => format!("{ready}/{total}"),
            None => "<none>".to_string(),
        })
        .collect()
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
