//! The triage screen's findings: while it is on show, the kinds its rules read are watched
//! (through the shared cache, so a watch another screen or the header keeps is not doubled; the
//! cache's sweep stops them once the screen has closed), and the rules run again when one of
//! them moved or the clock may have made a time rule true.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::Cache;
use super::header::WARNINGS;
use crate::app::state::ViewKind;
use crate::app::{Input, State, update};
use crate::cluster::rows::Row;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// Time rules (Pending over a minute, an OOM kill within the hour) are judged again this often.
const AGAIN: Duration = Duration::from_secs(10);
/// At most one evaluation this often, however fast the watches move.
const AT_MOST: Duration = Duration::from_millis(500);

/// The typed kinds the rules read (events apart: only Warnings are watched).
const TYPED: [Kind; 9] = [
    Kind::Pod,
    Kind::Node,
    Kind::Deployment,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::Job,
    Kind::CronJob,
    Kind::Service,
    Kind::EndpointSlice,
];

/// The registry's kinds the rules read that have no typed watch: claims, autoscalers, budgets.
const OTHERS: [(&str, &str); 3] = [
    ("", "PersistentVolumeClaim"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("policy", "PodDisruptionBudget"),
];

/// What was last evaluated: the watches' generations, and when.
#[derive(Debug, Default)]
pub struct Seen {
    generation: u64,
    at: Option<Instant>,
}

/// One watch the triage reads: kind, scope, field selector.
type Watch = (Kind, Scope, Option<&'static str>);

/// The watches the triage screen needs, in the namespace it lists (or all).
pub fn watches(state: &State) -> Vec<Watch> {
    let scope = match &state.namespace {
        Some(ns) => Scope::Namespace(ns.clone()),
        None => Scope::All,
    };
    let registry = state.discovery.registry.as_ref();
    let others = OTHERS.iter().filter_map(|(g, k)| {
        let r = registry?.resources.iter().find(|r| r.group == *g && r.kind == *k)?;
        Some(Kind::from_resource(r))
    });
    let mut out: Vec<Watch> = TYPED
        .into_iter()
        .chain(others)
        .map(|k| (k, scope.clone().for_kind(k), None))
        .collect();
    out.push((Kind::Event, scope, WARNINGS));
    out
}

/// Evaluate the rules for the triage screen on show, when its watches moved or time passed.
pub fn feed(state: &mut State, cache: &Cache, seen: &mut Seen) {
    if !matches!(state.top().kind, ViewKind::Triage(_)) {
        *seen = Seen::default();
        return;
    }
    let watches = watches(state);
    let mut generation = 0u64;
    for (kind, scope, fields) in &watches {
        cache.ensure_selected(*kind, scope.clone(), *fields);
        generation = generation.wrapping_add(cache.generation_selected(*kind, scope, *fields));
    }
    let elapsed = seen.at.map_or(Duration::MAX, |t| t.elapsed());
    if elapsed < AT_MOST || (generation == seen.generation && elapsed < AGAIN) {
        return;
    }
    *seen = Seen {
        generation,
        at: Some(Instant::now()),
    };
    let mut status = WatchStatus::Ready;
    let mut lists: Vec<(Kind, Vec<Arc<Row>>)> = Vec::new();
    for (kind, scope, fields) in &watches {
        match cache.status_selected(*kind, scope, *fields) {
            // A kind the user may not list is left out; the others still say what they know.
            Some(WatchStatus::Forbidden { .. }) => continue,
            Some(WatchStatus::Ready | WatchStatus::Stale { .. }) => {}
            _ => status = WatchStatus::Loading { listed: 0, total: None },
        }
        if let Some(rows) = cache.rows_selected(*kind, scope, *fields) {
            lists.push((*kind, rows));
        }
    }
    let now = jiff::Timestamp::now().as_second();
    let findings = super::findings::evaluate(&lists, now, state.control_plane.as_deref());
    update(state, Input::Triage { findings, status });
}
