//! The store, between the cluster's watches and the event loop: it owns the watch cache, turns the
//! top view's watch into ready rows (enriched from other watches, the containers of one pod, big
//! tables throttled) and keeps the header told. Watches only say "changed"; the loop then pulls.

pub mod cache;
pub(crate) mod containers;
pub mod enrich;
pub mod enriched;
pub mod enrichers;
pub mod findings;
pub mod header;
pub mod live;
pub mod metrics_list;
pub mod sample;
pub mod trends;
pub mod triage;
pub mod usage;
pub mod usage_cols;
pub mod xray;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cache::Cache;

use crate::app::state::ViewKind;
use crate::app::{Input, State, update};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// Big tables are re-projected at most this often, so churn on 100,000 pods does not eat a core.
const BIG_TABLE_INTERVAL: Duration = Duration::from_millis(500);
const BIG_TABLE: usize = 20_000;

/// The store of one cluster connection.
pub struct Store {
    cache: Arc<Cache>,
    /// The watch whose rows the top view was last fed, and its generation then.
    shown: Option<((Kind, Scope), u64)>,
    /// When rows were last fed (None: never), for the big-table throttle.
    last_fed: Option<Instant>,
    header_seen: header::HeaderSeen,
    triage_seen: triage::Seen,
    contact_seen: u64,
    usage: Option<usage::Usage>,
    /// When an xray tree was last fed (big ones are throttled).
    xray_fed: Option<Instant>,
}

impl Store {
    /// A store over `cache`.
    pub fn new(cache: Arc<Cache>) -> Store {
        Store {
            cache,
            shown: None,
            last_fed: None,
            header_seen: header::HeaderSeen::default(),
            triage_seen: triage::Seen::default(),
            contact_seen: 0,
            usage: None,
            xray_fed: None,
        }
    }

    /// The store, with usage columns filled by `usage`.
    pub fn with_usage(mut self, usage: usage::Usage) -> Store {
        self.usage = Some(usage);
        self
    }

    /// The usage poller, when there is one.
    pub fn usage(&self) -> Option<&usage::Usage> {
        self.usage.as_ref()
    }

    /// The watch cache.
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    /// Start (or keep) the watch of `kind` in `scope`, and feed the top view afresh even when its
    /// watch has not moved (a new view on the same watch needs its rows).
    pub fn watch(&mut self, kind: Kind, scope: Scope) {
        self.cache.ensure(kind, scope);
        self.shown = None;
    }

    /// Feed the top view fresh rows when its watch (or one its enrichers read) moved on since last
    /// time; true if some were held back.
    pub fn feed_rows(&mut self, state: &mut State) -> bool {
        self.feed_trend(state);
        if matches!(state.top().kind, ViewKind::Xray(_)) {
            return xray::feed(state, &self.cache, &mut self.xray_fed);
        }
        let Some(want) = state.wanted() else { return false };
        let cache = &self.cache;
        let mut copied = 0;
        let (rows, feed) = match &state.top().kind {
            ViewKind::Containers { namespace, pod } => {
                let (namespace, pod) = (namespace.clone(), pod.clone());
                // One pod, watched alone: the list watches keep rows, not the containers a pod has.
                cache.ensure_one(Kind::Pod, &namespace, &pod);
                let mut generation = cache.one_generation(Kind::Pod, &namespace, &pod);
                if let Some(u) = &self.usage {
                    u.want_pod(&namespace, &pod);
                    generation += u.generation();
                    state.metrics_na = matches!(u.availability(), usage::Availability::Unavailable(_));
                }
                if self.shown.as_ref() == Some(&(want.clone(), generation)) {
                    return false;
                }
                let mut rows = cache
                    .one(Kind::Pod, &namespace, &pod)
                    .map(|s| containers::of_snapshot(&s))
                    .unwrap_or_default();
                let used = self.usage.as_ref().and_then(|u| u.containers(&namespace, &pod));
                enrichers::usage::container_cells(&mut rows, used.as_deref());
                self.shown = Some((want.clone(), generation));
                (Some(rows), None)
            }
            _ => {
                let (kind, scope) = (want.0, &want.1);
                cache.ensure(kind, scope.clone());
                let enrichers = enrichers::of(kind);
                // Either the view's watch or one an enricher reads moving re-reads.
                let mut needed = 0u64;
                for k in enrichers.iter().flat_map(|e| e.watches()) {
                    cache.ensure(k, scope.clone());
                    needed = needed.wrapping_add(cache.generation(k, scope));
                }
                let mut generation = cache.generation(kind, scope).wrapping_add(needed);
                // Usage is asked for only while a view with its columns is fed.
                let metrics = enrichers::metrics_of(kind);
                let usage = self.usage.as_ref().zip(metrics);
                let mut usage_generation = 0;
                if let Some((u, of)) = usage {
                    u.want(of, scope);
                    usage_generation = u.generation();
                    generation += usage_generation;
                    state.metrics_na = matches!(u.availability(), usage::Availability::Unavailable(_));
                }
                if self.shown.as_ref() == Some(&(want.clone(), generation)) {
                    return false;
                }
                let big = state.top().table.rows.len() > BIG_TABLE;
                let recent = self.last_fed.is_some_and(|t| t.elapsed() < BIG_TABLE_INTERVAL);
                if big && recent && self.shown.as_ref().is_some_and(|(w, _)| *w == want) {
                    return true;
                }
                let sample = usage.and_then(|(u, of)| u.sample(of, scope));
                let cols = usage_cols::UsageCols::new(kind, sample.clone());
                let held = state.top().table.usage.clone();
                if cols
                    .as_ref()
                    .is_some_and(|c| held.as_deref().is_none_or(|h| !h.same(c)))
                {
                    let usage = cols.map(Arc::new);
                    update(
                        state,
                        Input::Usage {
                            watch: want.clone(),
                            usage,
                        },
                    );
                    // The sample the view let go of is freed off the loop (the poller holds only the new one).
                    crate::memory::drop_soon(held);
                }
                let basis = enriched::basis(&enrichers, needed, usage_generation);
                let since = enriched::since(state.top().table.fed(), &want, basis);
                let read = |mark| cache.changes_selected(kind, scope, None, mark);
                let needed_rows = |k| cache.rows(k, scope);
                let fed = enriched::feed(
                    want.clone(),
                    since,
                    basis,
                    read,
                    &enrichers,
                    needed_rows,
                    sample.as_deref(),
                );
                let Some((feed, adopt)) = fed else {
                    return false;
                };
                // The rows a cell changed in are copies: the cache keeps them instead of its own,
                // or every pod with metrics would be held twice (10,000 pods: ~20 MB).
                if !adopt.base.is_empty() {
                    copied = cache.adopt(kind, scope, &adopt.base, &adopt.shown);
                }
                self.shown = Some((want.clone(), generation));
                (None, Some(feed))
            }
        };
        let status = match &state.top().kind {
            ViewKind::Containers { namespace, pod } => cache.one_status(Kind::Pod, namespace, pod),
            _ => cache.status(want.0, &want.1),
        };
        let status = status.unwrap_or(WatchStatus::Loading { listed: 0, total: None });
        let input = match feed {
            Some(feed) => Input::Feed { feed, status },
            None => Input::Rows {
                watch: want,
                rows,
                status,
            },
        };
        update(state, input);
        self.last_fed = Some(Instant::now());
        // Each metrics sample changes the usage cells of every pod: their old rows, freed now, are
        // as many as the new, and glibc would keep their pages at the high-water mark for good.
        if copied >= crate::memory::TRIM_AFTER_OBJECTS {
            crate::memory::give_back_soon();
        }
        false
    }

    /// Ask for the usage the view on show reads, when due (the loop's usage timer): the sample's
    /// arrival wakes the loop for a frame; asking needs none.
    pub fn ask_usage(&self, state: &State) {
        let Some(u) = &self.usage else { return };
        match (&state.top().kind, trend_of(state)) {
            (ViewKind::Containers { namespace, pod }, _) => u.want_pod(namespace, pod),
            (_, Some((Kind::Node, ..))) => u.want(Kind::Node, &Scope::All),
            (_, Some((_, ns, pod))) => u.want_pod(&ns, &pod),
            _ => {
                if let Some((kind, scope)) = state.wanted()
                    && let Some(of) = enrichers::metrics_of(kind)
                {
                    u.want(of, &scope);
                }
            }
        }
    }

    /// Give the view on show the samples of its node or pod for its chart (node health, a pod's
    /// describe), asking for them while it stays: the nodes' one LIST, or the pod's one GET.
    fn feed_trend(&self, state: &mut State) {
        let trend = match (&self.usage, trend_of(state)) {
            (Some(u), Some((kind, ns, name))) => {
                match kind {
                    Kind::Node => u.want(Kind::Node, &Scope::All),
                    _ => u.want_pod(&ns, &name),
                }
                Some(u.trend(kind, &ns, &name))
            }
            _ => None,
        };
        if state.trend != trend {
            state.trend = trend;
        }
    }

    /// Tell the header what changed: contact with the API server, and the cluster counts.
    pub fn feed_header(&mut self, state: &mut State) {
        header::sync_contact(state, &self.cache, &mut self.contact_seen);
        triage::feed(state, &self.cache, &mut self.triage_seen);
        header::header_counts(state, &self.cache, &mut self.header_seen);
    }

    /// Stop the watches idle too long; the header's live as long as the header, so they are kept.
    pub fn sweep(&self, state: &State, now: Instant) {
        header::header_watches(state, &self.cache);
        xray::keep(state, &self.cache);
        self.cache.sweep(now);
    }
}

/// The node or pod whose chart the view on show draws: node health's node, a pod's describe.
pub fn trend_of(state: &State) -> Option<(Kind, String, String)> {
    match &state.top().kind {
        ViewKind::NodeHealth { node, .. } => Some((Kind::Node, String::new(), node.clone())),
        ViewKind::Doc(d) if d.target.kind == Kind::Pod && d.target.describe && d.title.is_none() => {
            Some((Kind::Pod, d.target.namespace.clone(), d.target.name.clone()))
        }
        _ => None,
    }
}
