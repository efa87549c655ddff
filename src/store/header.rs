//! What the header is told of: the connection state the liveness probe finds, and the cluster
//! counts (nodes ready, pods running, recent warnings) from the header's own watches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::Cache;
use crate::app::counts::{Counts, Tally};
use crate::app::{Input, State, update};
use crate::cluster::rows::Row;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// One watch behind the header: a kind, its scope, and the field selector the server filters with.
pub type HeaderWatch = (Kind, Scope, Option<&'static str>);

/// The events the header counts: the server keeps only Warnings in the watch, so an hour of Normal
/// events (tens of thousands after a large rollout) never crosses the wire or sits in memory.
pub const WARNINGS: Option<&str> = Some("type=Warning");

/// The header watches with their generations when last counted, and when that was (None: never).
#[derive(Debug, Clone, Default)]
pub struct HeaderSeen {
    gens: Vec<(HeaderWatch, u64)>,
    at: Option<Instant>,
}

impl HeaderSeen {
    fn elapsed(&self) -> Duration {
        self.at.map_or(Duration::MAX, |t| t.elapsed())
    }
}

/// Tell the screen what the liveness probe found, when that changed: the server's version on an
/// answer, how long and why there has been none on a loss.
pub fn sync_contact(state: &mut State, cache: &Cache, seen: &mut u64) {
    use crate::cluster::liveness::ContactState;
    let contact = cache.contact();
    let generation = contact.generation();
    if generation == *seen {
        return;
    }
    *seen = generation;
    let input = match contact.state() {
        ContactState::Unknown => return,
        ContactState::Up => Input::ServerVersion(contact.version().unwrap_or_default()),
        ContactState::Lost {
            since,
            error,
            ever_up: true,
        } => Input::ContactLost { since, error },
        ContactState::Lost { error, .. } => Input::ConnectFailed(error),
    };
    update(state, input);
}

/// The watches behind the header counts: nodes, and pods and Warning events cluster-wide, or in
/// the namespace in view when listing them cluster-wide is refused.
pub fn header_watches(state: &State, cache: &Cache) -> [HeaderWatch; 3] {
    let home = Scope::Namespace(state.namespace.clone().unwrap_or_else(|| state.home_namespace.clone()));
    let scoped = |kind: Kind, fields: Option<&'static str>| {
        cache.ensure_selected(kind, Scope::All, fields);
        match cache.status_selected(kind, &Scope::All, fields) {
            Some(WatchStatus::Forbidden { .. }) => {
                cache.ensure_selected(kind, home.clone(), fields);
                (kind, home.clone(), fields)
            }
            _ => (kind, Scope::All, fields),
        }
    };
    cache.ensure(Kind::Node, Scope::All);
    [
        (Kind::Node, Scope::All, None),
        scoped(Kind::Pod, None),
        scoped(Kind::Event, WARNINGS),
    ]
}

/// Recount the header when one of its watches moved (at most once a second) or a minute passed
/// (warnings age out of the last hour).
pub fn header_counts(state: &mut State, cache: &Cache, seen: &mut HeaderSeen) {
    let watches = header_watches(state, cache);
    // The list on show counts too when rules look at its kind (its watch is the view's own).
    let shown = state
        .wanted()
        .filter(|(k, _)| model::triage::watched(*k) && !matches!(k, Kind::Pod | Kind::Node));
    let gens: Vec<(HeaderWatch, u64)> = watches
        .iter()
        .cloned()
        .chain(shown.clone().map(|(k, s)| (k, s, None)))
        .map(|w| {
            let generation = cache.generation_selected(w.0, &w.1, w.2);
            (w, generation)
        })
        .collect();
    // The warnings count has a one-hour window, so it is recounted now and then even when quiet.
    let due = seen.elapsed() >= Duration::from_secs(60);
    if (gens == seen.gens && !due) || seen.elapsed() < Duration::from_secs(1) {
        return;
    }
    // Only a watch that moved is counted again: at 100,000 pods a recount is not free, and the
    // events watch moves far more often than the pods one.
    let moved = |i: usize| seen.gens.get(i) != Some(&gens[i]);
    let moved = [moved(0), moved(1), moved(2) || due];
    *seen = HeaderSeen {
        gens,
        at: Some(Instant::now()),
    };
    let now = jiff::Timestamp::now().as_second();
    let tally = |(kind, scope, fields): &HeaderWatch, f: &dyn Fn(&[Arc<Row>]) -> Tally| match cache
        .status_selected(*kind, scope, *fields)
    {
        Some(WatchStatus::Forbidden { .. }) => Tally::Forbidden,
        Some(WatchStatus::Loading { .. }) | None => Tally::Unknown,
        _ => cache
            .rows_selected(*kind, scope, *fields)
            .map_or(Tally::Unknown, |rows| f(&rows)),
    };
    let old = &state.counts;
    let c = Counts {
        nodes: if moved[0] {
            tally(&watches[0], &nodes)
        } else {
            old.nodes.clone()
        },
        pods: if moved[1] {
            tally(&watches[1], &pods)
        } else {
            old.pods.clone()
        },
        warnings: if moved[2] {
            tally(&watches[2], &|s| warnings(s, now - 3600))
        } else {
            old.warnings.clone()
        },
        problems: problems(state, cache, &watches, shown, now),
        namespace: match &watches[1].1 {
            Scope::Namespace(ns) => Some(ns.clone()),
            Scope::All => None,
        },
    };
    if c != state.counts {
        update(state, Input::Counts(c));
    }
}

/// The problems the rules find in what is watched already: nodes, pods and Warning events, and
/// the list on show (with its EndpointSlices where it has them); the triage screen's own when it
/// is on show. None until the header's watches have synced.
fn problems(
    state: &State,
    cache: &Cache,
    watches: &[HeaderWatch; 3],
    shown: Option<(Kind, Scope)>,
    now: i64,
) -> Option<[usize; 3]> {
    if let crate::app::state::ViewKind::Triage(t) = &state.top().kind
        && t.synced
    {
        return Some(model::triage::counts(&t.findings));
    }
    let mut lists = Vec::new();
    for (kind, scope, fields) in watches {
        match cache.status_selected(*kind, scope, *fields) {
            Some(WatchStatus::Ready | WatchStatus::Stale { .. }) => {}
            Some(WatchStatus::Forbidden { .. }) => continue,
            _ => return None,
        }
        lists.push((*kind, cache.rows_selected(*kind, scope, *fields)?));
    }
    if let Some((kind, scope)) = shown {
        lists.extend(cache.rows(kind, &scope).map(|rows| (kind, rows)));
        lists.extend(
            cache
                .rows(Kind::EndpointSlice, &scope)
                .map(|rows| (Kind::EndpointSlice, rows)),
        );
    }
    Some(model::triage::counts(&super::findings::evaluate(&lists, now, None)))
}

/// Nodes whose STATUS starts with Ready (cordoned ones included, as kubectl shows "Ready,SchedulingDisabled").
pub fn nodes(rows: &[Arc<Row>]) -> Tally {
    // STATUS is the first cell after NAME.
    let good = rows
        .iter()
        .filter(|n| n.cells.first().and_then(|s| s.split(',').next()) == Some("Ready"))
        .count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Pods whose kubectl STATUS is "Running" (a crash-looping pod is not, even in phase Running).
pub fn pods(rows: &[Arc<Row>]) -> Tally {
    // READY, then STATUS.
    let good = rows
        .iter()
        .filter(|p| p.cells.get(1).map(model::rows::Text::as_str) == Some("Running"))
        .count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Warning events last seen at or after `since` (Unix seconds).
pub fn warnings(rows: &[Arc<Row>], since: i64) -> Tally {
    // LAST SEEN is the first cell, and its stamp the time.
    let n = rows
        .iter()
        .filter(|e| e.warn && e.stamp(0).is_some_and(|t| t >= since))
        .count();
    Tally::Count(n)
}
