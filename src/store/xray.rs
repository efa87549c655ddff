//! What an xray view reads from the cache: the rows of the kinds it watches (and of every other
//! kind the cache already watches in its scope: custom resources own things too), and its
//! namespace's pods whole (their containers and what they use are not in a row). Read again only
//! when one of those watches moved, so the tree is rebuilt on change, never per frame.

use std::time::{Duration, Instant};

use super::cache::{Cache, Snapshot};
use crate::app::state::{State, ViewKind};
use crate::app::xray::{Fed, Xray, objs, watches};
use crate::app::{Input, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// A tree this big is rebuilt at most this often, so churn on 10,000 pods does not eat a core.
const BIG_INTERVAL: Duration = Duration::from_millis(500);
const BIG: usize = 2_000;

/// Keep every watch of the xray views on the stack running (the idle sweep stops them once no
/// xray needs them: closing the view is what stops them).
pub fn keep(state: &State, cache: &Cache) {
    for v in &state.stack {
        if let ViewKind::Xray(x) = &v.kind {
            ensure(state, cache, x);
        }
    }
}

fn ensure(state: &State, cache: &Cache, x: &Xray) -> Vec<(Kind, Scope)> {
    let mut all = watches(state, x);
    for (k, s) in &all {
        cache.ensure(*k, s.clone());
    }
    if whole_pods(x) {
        cache.ensure_objects(Kind::Pod, x.scope.clone());
    }
    // What else the cache watches in this scope (a custom resource's list the user opened).
    for (k, s) in cache.running() {
        let fits = s == Scope::All || s == x.scope;
        if fits && !matches!(k, Kind::Pod | Kind::Event) && !all.iter().any(|(a, _)| *a == k) {
            all.push((k, s));
        }
    }
    all
}

/// Whether the xray reads its scope's pods whole: not for a cluster-scoped object (a node, a
/// cluster role), whose scope is every namespace and whose tree holds no pods of its own.
fn whole_pods(x: &Xray) -> bool {
    x.kind.namespaced()
}

fn synced(status: Option<WatchStatus>) -> bool {
    matches!(status, Some(WatchStatus::Ready | WatchStatus::Stale { .. }))
}

/// Feed the xray on show when a watch it reads moved since its tree was built; true if held back
/// (a big tree rebuilt less than [`BIG_INTERVAL`] ago).
pub fn feed(state: &mut State, cache: &Cache, last: &mut Option<Instant>) -> bool {
    let ViewKind::Xray(x) = &state.top().kind else {
        return false;
    };
    let kinds = ensure(state, cache, x);
    let pods_scope = x.scope.clone();
    let generation = kinds
        .iter()
        .map(|(k, s)| cache.generation(*k, s))
        .fold(cache.objects_generation(Kind::Pod, &pods_scope), u64::wrapping_add)
        .wrapping_add(kinds.len() as u64);
    if x.built == Some(generation) {
        return false;
    }
    let big = x.tree.nodes.len() > BIG;
    if big && last.is_some_and(|t| t.elapsed() < BIG_INTERVAL) {
        return true;
    }
    let mut fed = Fed {
        generation,
        ..Fed::default()
    };
    for (k, s) in &kinds {
        let namespace = match s {
            Scope::Namespace(ns) => Some(ns.as_str()),
            Scope::All => None,
        };
        if let Some(rows) = cache.rows(*k, s) {
            if synced(cache.status(*k, s)) {
                fed.synced.insert(k.name());
            }
            let fits = |ns: &str| namespace.is_none_or(|n| n == ns) || ns.is_empty();
            fed.objs
                .extend(rows.iter().filter(|r| fits(&r.namespace)).map(|r| objs::of_row(*k, r)));
        }
    }
    let status = match whole_pods(x) {
        true => cache.objects_status(Kind::Pod, &pods_scope),
        false => kinds
            .iter()
            .find(|(k, _)| *k == x.kind)
            .and_then(|(k, s)| cache.status(*k, s)),
    };
    if whole_pods(x) && synced(status.clone()) {
        fed.synced.insert(Kind::Pod.name());
    }
    let pods = cache.snapshot(Kind::Pod, &pods_scope).filter(|_| whole_pods(x));
    if let Some(Snapshot::Pod(store)) = pods {
        fed.objs.extend(store.state().iter().map(|p| objs::of_pod(p)));
    }
    fed.status = status;
    *last = Some(Instant::now());
    update(state, Input::Xray(Box::new(fed)));
    false
}
