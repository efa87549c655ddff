//! What the header is told of: the connection state the liveness probe finds, and the cluster
//! counts (nodes ready, pods running, recent warnings) from the header's own watches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::Cache;
use super::live::{Live, Role, node_ready, pod_running, warning_seen};
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

/// The header watches with their generations when last counted, when that was (None: never),
/// and what their rows count for, kept up to date from what changed in them.
#[derive(Debug, Default)]
pub struct HeaderSeen {
    gens: Vec<(HeaderWatch, u64)>,
    at: Option<Instant>,
    live: Live,
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

/// Recount the header when one of its watches moved or time alone may have changed a count (a
/// warning leaves the last hour, a pod has been Pending for a minute), at most once a second. Only
/// what changed is judged again (see [`Live`]).
pub fn header_counts(state: &mut State, cache: &Cache, seen: &mut HeaderSeen) {
    let watches = header_watches(state, cache);
    // The list on show counts too when rules look at its kind (its watch is the view's own), with
    // the EndpointSlices of its scope where they are watched.
    let shown: Vec<HeaderWatch> = state
        .wanted()
        .filter(|(k, _)| model::triage::watched(*k) && !matches!(k, Kind::Pod | Kind::Node))
        .map(|(k, s)| [(k, s.clone(), None), (Kind::EndpointSlice, s, None)])
        .into_iter()
        .flatten()
        .collect();
    let gens: Vec<(HeaderWatch, u64)> = watches
        .iter()
        .chain(&shown)
        .map(|w| (w.clone(), cache.generation_selected(w.0, &w.1, w.2)))
        .collect();
    let now = jiff::Timestamp::now().as_second();
    let due = seen.live.next_wake().is_some_and(|at| at <= now);
    if (gens == seen.gens && !due) || seen.elapsed() < Duration::from_secs(1) {
        return;
    }
    seen.gens = gens;
    seen.at = Some(Instant::now());
    let status = |(kind, scope, fields): &HeaderWatch| cache.status_selected(*kind, scope, *fields);
    let roles = [Role::Nodes, Role::Pods, Role::Warnings];
    // A list the user may not read is left out (its count says n/a).
    let lists: Vec<(HeaderWatch, Role)> = watches
        .iter()
        .cloned()
        .zip(roles)
        .filter(|(w, _)| !matches!(status(w), Some(WatchStatus::Forbidden { .. })))
        .chain(shown.into_iter().map(|w| (w, Role::Rules)))
        .collect();
    seen.live.update(&lists, now, |(kind, scope, fields), mark| {
        cache.changes_selected(*kind, scope, *fields, mark)
    });
    let live = &seen.live;
    let tally = |i: usize| match status(&watches[i]) {
        Some(WatchStatus::Forbidden { .. }) => Tally::Forbidden,
        Some(WatchStatus::Loading { .. }) | None => Tally::Unknown,
        _ => match (roles[i], live.tally(&watches[i], roles[i])) {
            (_, None) => Tally::Unknown,
            (Role::Warnings, Some((_, recent))) => Tally::Count(recent),
            (_, Some((total, bad))) => Tally::Of {
                good: total - bad,
                total,
            },
        },
    };
    // The problems once every header watch has synced; the triage screen's own when it is on show.
    let synced = watches.iter().all(|w| {
        matches!(
            status(w),
            Some(WatchStatus::Ready | WatchStatus::Stale { .. } | WatchStatus::Forbidden { .. })
        )
    });
    let problems = match &state.top().kind {
        crate::app::state::ViewKind::Triage(t) if t.synced => Some(model::triage::counts(&t.findings)),
        _ => synced.then(|| live.counts()),
    };
    let c = Counts {
        nodes: tally(0),
        pods: tally(1),
        warnings: tally(2),
        problems,
        namespace: match &watches[1].1 {
            Scope::Namespace(ns) => Some(ns.clone()),
            Scope::All => None,
        },
    };
    if c != state.counts {
        update(state, Input::Counts(c));
    }
}

/// Nodes whose STATUS starts with Ready (cordoned ones included, as kubectl shows "Ready,SchedulingDisabled").
pub fn nodes(rows: &[Arc<Row>]) -> Tally {
    let good = rows.iter().filter(|n| node_ready(n)).count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Pods whose kubectl STATUS is "Running" (a crash-looping pod is not, even in phase Running).
pub fn pods(rows: &[Arc<Row>]) -> Tally {
    let good = rows.iter().filter(|p| pod_running(p)).count();
    Tally::Of {
        good,
        total: rows.len(),
    }
}

/// Warning events last seen at or after `since` (Unix seconds).
pub fn warnings(rows: &[Arc<Row>], since: i64) -> Tally {
    let n = rows
        .iter()
        .filter(|e| warning_seen(e).is_some_and(|t| t >= since))
        .count();
    Tally::Count(n)
}
