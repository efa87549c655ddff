//! What the event loop keeps the header told of: the connection state the liveness probe finds, and
//! the cluster counts from the header's own watches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::{Input, State, update};
use crate::cluster::cache::Cache;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

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

/// The watches behind the header counts: nodes, and pods and events cluster-wide, or in the
/// namespace in view when listing them cluster-wide is refused.
pub fn header_watches(state: &State, cache: &Cache) -> [(Kind, Scope); 3] {
    let home = Scope::Namespace(state.namespace.clone().unwrap_or_else(|| state.home_namespace.clone()));
    let scoped = |kind: Kind| {
        cache.ensure(kind, Scope::All);
        match cache.status(kind, &Scope::All) {
            Some(crate::cluster::watch::WatchStatus::Forbidden { .. }) => {
                cache.ensure(kind, home.clone());
                (kind, home.clone())
            }
            _ => (kind, Scope::All),
        }
    };
    cache.ensure(Kind::Node, Scope::All);
    [(Kind::Node, Scope::All), scoped(Kind::Pod), scoped(Kind::Event)]
}

/// Recount the header when one of its watches moved (at most once a second) or a minute passed
/// (warnings age out of the last hour).
pub fn header_counts(state: &mut State, cache: &Cache, seen: &mut HeaderSeen) {
    use crate::app::counts::{self, Counts, Tally};
    let watches = header_watches(state, cache);
    let gens: Vec<((Kind, Scope), u64)> = watches
        .iter()
        .map(|(k, s)| ((*k, s.clone()), cache.generation(*k, s)))
        .collect();
    // The warnings count has a one-hour window, so it is recounted now and then even when quiet.
    let due = seen.1.elapsed() >= Duration::from_secs(60);
    if (gens == seen.0 && !due) || seen.1.elapsed() < Duration::from_secs(1) {
        return;
    }
    // Only a watch that moved is counted again: at 100,000 pods a recount is not free, and the
    // events watch moves far more often than the pods one.
    let moved = |i: usize| seen.0.get(i) != Some(&gens[i]);
    let moved = [moved(0), moved(1), moved(2) || due];
    *seen = (gens, Instant::now());
    let now = jiff::Timestamp::now().as_second();
    let tally = |(kind, scope): &(Kind, Scope), f: &dyn Fn(&[Arc<crate::cluster::rows::Row>]) -> Tally| match cache
        .status(*kind, scope)
    {
        Some(WatchStatus::Forbidden { .. }) => Tally::Forbidden,
        Some(WatchStatus::Loading { .. }) | None => Tally::Unknown,
        _ => cache.rows(*kind, scope).map_or(Tally::Unknown, |rows| f(&rows)),
    };
    let old = &state.counts;
    let c = Counts {
        nodes: if moved[0] {
            tally(&watches[0], &counts::nodes)
        } else {
            old.nodes.clone()
        },
        pods: if moved[1] {
            tally(&watches[1], &counts::pods)
        } else {
            old.pods.clone()
        },
        warnings: if moved[2] {
            tally(&watches[2], &|s| counts::warnings(s, now - 3600))
        } else {
            old.warnings.clone()
        },
        namespace: match &watches[1].1 {
            Scope::Namespace(ns) => Some(ns.clone()),
            Scope::All => None,
        },
    };
    if c != state.counts {
        update(state, Input::Counts(c));
    }
}

/// The header watches with their generations when last counted, and when that was.
pub type HeaderSeen = (Vec<((Kind, Scope), u64)>, Instant);
