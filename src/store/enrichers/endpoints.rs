//! The ENDPOINTS column of services: ready/total endpoints from the EndpointSlices that name them
//! (`kubernetes.io/service-name`), as an enricher of services.

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
    let counts = model::triage::endpoint_counts(slices);
    services
        .iter()
        .map(|svc| match counts.get(&(svc.namespace.to_string(), svc.name.to_string())) {
            Some((ready, total)) => format!("{ready}/{total}"),
            None => "<none>".to_string(),
        })
        .collect()
}
