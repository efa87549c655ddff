//! One kube-rs watcher + reflector, with its status and change notices.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use kube::runtime::reflector::store::Writer;
use kube::runtime::watcher;
use kube::{Api, Resource};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Kind;
use super::liveness::{Contact, ContactState};
pub use super::notice::Notice;
use super::rows::{Project, RowStore};

pub use model::watch_status::{WatchStatus, thousands};

/// What a running watch shares with the cache: status and a generation bumped on every change.
#[derive(Debug)]
pub struct WatchShared {
    /// The current status.
    pub status: Mutex<WatchStatus>,
    /// Bumped after each batch of events or status change.
    pub generation: AtomicU64,
    /// How the watch lists now: a refused streaming list turns into paged lists.
    pub initial_list: Mutex<InitialList>,
    /// The server's count of objects when the watch started (a LIST with limit=1 answers it).
    pub estimate: Mutex<Option<usize>>,
    last_event: Mutex<Instant>,
}

impl Default for WatchShared {
    fn default() -> Self {
        WatchShared {
            status: Mutex::new(WatchStatus::Loading { listed: 0, total: None }),
            generation: AtomicU64::new(0),
            initial_list: Mutex::new(FALLBACK),
            estimate: Mutex::new(None),
            last_event: Mutex::new(Instant::now()),
        }
    }
}

/// How a watch fetches the objects that exist when it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialList {
    /// LIST in pages of this many objects, then WATCH from the list's resourceVersion.
    Paged(u32),
    /// One LIST without a limit, then WATCH.
    Unpaged,
    /// One WATCH with `sendInitialEvents=true` (the WatchList feature, on by default from Kubernetes 1.32).
    /// A server that refuses it gets [`FALLBACK`] instead, for the rest of this watch's life.
    Streaming,
}

/// What a streaming watch falls back to when the server answers `sendInitialEvents` with an error.
pub const FALLBACK: InitialList = InitialList::Paged(500);

impl InitialList {
    /// The kube-rs watcher configuration for this strategy.
    pub fn config(self) -> watcher::Config {
        let config = watcher::Config::default();
        match self {
            InitialList::Paged(n) => config.page_size(n),
            InitialList::Unpaged => watcher::Config {
                page_size: None,
                ..config
            },
            InitialList::Streaming => config.streaming_lists(),
        }
    }
}

/// Where a watch keeps what it receives.
pub enum Sink<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + Hash + Clone,
{
    /// Typed objects, trimmed by the function first, in a reflector store (few objects, read whole).
    Objects(Writer<K>, fn(&mut K)),
    /// Only the row projection of each object (lists of any size).
    Rows(Arc<RowStore>, Project<K>),
}

impl<K> Sink<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    fn apply(&mut self, event: &mut watcher::Event<K>) {
        match self {
            Sink::Objects(writer, trim) => {
                match event {
                    watcher::Event::Apply(o) | watcher::Event::Delete(o) | watcher::Event::InitApply(o) => trim(o),
                    watcher::Event::Init | watcher::Event::InitDone => {}
                }
                writer.apply_watcher_event(event);
            }
            Sink::Rows(store, project) => store.apply(event, *project),
        }
    }
}

/// Run a watcher into `sink` until `cancel` fires, reporting status in `shared` and notices on `notices`;
/// with `fields`, only the objects that field selector matches (one object by `metadata.name=…`,
/// Warning events by `type=Warning`). Failures are retried with a back-off that
/// `contact` cuts short when the API server answers again.
#[allow(clippy::too_many_arguments)]
pub async fn run<K>(
    api: Api<K>,
    mut sink: Sink<K>,
    initial: InitialList,
    fields: Option<String>,
    kind: Kind,
    shared: Arc<WatchShared>,
    notices: mpsc::Sender<Notice>,
    cancel: CancellationToken,
    contact: Arc<Contact>,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Default + Eq + Hash + Clone,
{
    // The estimate counts the whole list; a selected watch is a part of it.
    if fields.is_none() {
        tokio::spawn(estimate(
            api.clone(),
            kind,
            shared.clone(),
            notices.clone(),
            cancel.clone(),
        ));
    }
    let open = move |initial: InitialList| {
        let mut config = initial.config();
        if let Some(fields) = &fields {
            config = config.fields(fields);
        }
        watcher(api.clone(), config).boxed()
    };
    let watch = Watch {
        kind,
        shared,
        notices,
        cancel,
        contact,
    };
    drive(watch, initial, open, move |event| sink.apply(event)).await
}

/// What a running watch reports to and stops on, whatever it lists.
pub struct Watch {
    /// The kind it watches (named in notices and logs).
    pub kind: Kind,
    /// Status and generation, shared with the cache.
    pub shared: Arc<WatchShared>,
    /// Where "changed" notices go.
    pub notices: mpsc::Sender<Notice>,
    /// Stops it.
    pub cancel: CancellationToken,
    /// The liveness probe's view of the API server.
    pub contact: Arc<Contact>,
}

/// The events a watch stream yields: kube-rs's watcher's, or any stream with its semantics
/// (`Init`, `InitApply`…, `InitDone`, then `Apply`/`Delete`; an error, then the next poll retries).
pub type Events<T> = BoxStream<'static, Result<watcher::Event<T>, watcher::Error>>;

/// Drive the stream `open` starts (for an initial-list strategy) into `sink` until `cancel` fires,
/// with the status, stale marker, 403, back-off and contact handling every watch shares.
pub async fn drive<T>(
    watch: Watch,
    initial: InitialList,
    mut open: impl FnMut(InitialList) -> Events<T>,
    mut sink: impl FnMut(&mut watcher::Event<T>),
) {
    let Watch {
        kind,
        shared,
        notices,
        cancel,
        contact,
    } = watch;
    let mut initial = initial;
    'restart: loop {
        *shared.initial_list.lock() = initial;
        // Back-off is ours rather than kube-rs's `default_backoff`, so the watch knows when a retry
        // has started (a re-established watch is silent until something changes, and without this
        // the data would read "stale" for as long as the cluster stays quiet), and so that the
        // liveness probe can cut it short.
        let mut stream = open(initial);
        let mut synced = false;
        // Objects of the initial list so far, to know whether its decoding memory is worth returning.
        let mut listed = 0usize;
        let mut failures = 0u32;
        let mut retrying = false;
        let mut failed_at = Instant::now();
        let mut regained = contact.regained();
        loop {
            let item = tokio::select! {
                _ = cancel.cancelled() => return,
                item = stream.next() => item,
                // Only once the server has answered since the failure (where a probe runs): a
                // retry that hangs on a silent server is no recovery, however long it stays quiet.
                _ = tokio::time::sleep(RECOVERED_AFTER), if retrying => {
                    if contact.state() != ContactState::Unknown && !contact.answered_since(failed_at) {
                        continue;
                    }
                    retrying = false;
                    failures = 0;
                    recovered(&shared);
                    shared.generation.fetch_add(1, Ordering::Relaxed);
                    let _ = notices.try_send(Notice::Changed(kind));
                    continue;
                }
                // Contact came back after a loss: a watch that heard nothing since the loss was
                // noticed may sit on a half-open connection that will never speak again: start over,
                // after a loss long enough for that. A shorter one is a server slow to answer (under
                // load, e.g. serving 100,000 pods): starting over would list everything again and
                // keep it slow, the next probe timing out and the watches listing again, for ever.
                _ = regained.changed() => {
                    let noticed = contact.noticed_loss().unwrap_or_else(Instant::now);
                    if starts_over(*shared.last_event.lock(), noticed, contact.last_loss()) {
                        tracing::debug!(kind = kind.plural(), "contact regained; watch starts over");
                        continue 'restart;
                    }
                    continue;
                }
            };
            let Some(mut item) = item else { return };
            // Coalesce a burst (a list page, a storm of updates) into one notice.
            let failed = loop {
                if initial == InitialList::Streaming
                    && !synced
                    && let Err(err) = &item
                    && refuses_streaming(err)
                {
                    tracing::info!(kind = kind.plural(), error = %err, "streaming list refused; listing in pages");
                    initial = FALLBACK;
                    continue 'restart;
                }
                if let Ok(event) = &mut item {
                    let done = matches!(event, watcher::Event::InitDone);
                    listed += usize::from(matches!(event, watcher::Event::InitApply(_)));
                    synced |= done;
                    sink(event);
                    if done && std::mem::take(&mut listed) >= crate::memory::TRIM_AFTER_OBJECTS {
                        crate::memory::give_back();
                    }
                }
                let failed = match &item {
                    Ok(_) => None,
                    Err(e) => Some(Retry::of(e)),
                };
                if failed == Some(Retry::Connection) {
                    contact.suspect();
                }
                apply(&shared, kind, item, contact.last_answer());
                if failed.is_some() {
                    break failed;
                }
                match stream.next().now_or_never() {
                    Some(Some(next)) => item = next,
                    _ => break None,
                }
            };
            shared.generation.fetch_add(1, Ordering::Relaxed);
            // A full channel already holds notices that make the UI re-read everything it shows.
            let _ = notices.try_send(Notice::Changed(kind));
            let Some(retry) = failed else {
                failures = 0;
                retrying = false;
                continue;
            };
            failed_at = Instant::now();
            let delay = retry.delay(failures);
            if retry != Retry::Gone {
                failures = failures.saturating_add(1);
            }
            regained.mark_unchanged();
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
                // The server answers again: retry now rather than at the end of a long back-off.
                // A refusal (403) is not about reachability and keeps its own long wait.
                _ = regained.changed(), if retry != Retry::Forbidden => {}
            }
            retrying = true;
        }
    }
}

/// How a failed watch waits before it tries again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// 410 Gone: its resourceVersion is too old; it lists again at once (after a little jitter).
    Gone,
    /// 403 Forbidden: asking again soon would be refused again; wait long.
    Forbidden,
    /// The connection failed (refused, reset, timed out): back off exponentially.
    Connection,
    /// Any other answer from the server: back off exponentially.
    Other,
}

impl Retry {
    fn of(err: &watcher::Error) -> Retry {
        match api_status(err).map(|s| s.code) {
            Some(410) => Retry::Gone,
            Some(403) => Retry::Forbidden,
            Some(_) => Retry::Other,
            None if matches!(err, watcher::Error::NoResourceVersion) => Retry::Other,
            None => Retry::Connection,
        }
    }

    fn delay(self, failures: u32) -> Duration {
        match self {
            Retry::Gone => Duration::from_secs_f64(rand::random_range(0.0..GONE_JITTER_SECS)),
            Retry::Forbidden => FORBIDDEN_RETRY.mul_f64(rand::random_range(0.9..1.1)),
            Retry::Connection | Retry::Other => backoff_delay(failures),
        }
    }
}

/// Whether a failed streaming list means the server cannot stream lists (so paged lists are worth a
/// try): an answer that refuses the request, but not a refused user or an unreachable server.
fn refuses_streaming(err: &watcher::Error) -> bool {
    api_status(err).is_some_and(|s| s.code != 403 && s.code != 410)
}

/// The longest wait, in seconds, before a watch whose version is too old lists again.
const GONE_JITTER_SECS: f64 = 1.0;

/// A watch the server refused (403) asks again after about this long; a context or namespace
/// change starts other watches at once.
pub const FORBIDDEN_RETRY: Duration = Duration::from_secs(300);

/// A retried watch that has not failed again for this long is taken as re-established.
const RECOVERED_AFTER: Duration = Duration::from_secs(2);

/// The shortest loss of contact after which a watch that heard nothing may sit on a dead connection:
/// client-go's HTTP/2 health check closes a connection silent for 30 s whose ping goes unanswered
/// for 15 s more.
pub const HALF_OPEN_AFTER: Duration = Duration::from_secs(45);

/// Whether a watch last heard from at `heard` starts over once contact returns after a loss
/// noticed at `noticed` that lasted `lasted`.
fn starts_over(heard: Instant, noticed: Instant, lasted: Option<Duration>) -> bool {
    heard < noticed && lasted.is_some_and(|d| d >= HALF_OPEN_AFTER)
}

/// The wait before retry `n` (from 0): 0.8 s doubling to 60 s, with ±20% jitter so that many clients
/// dropped at once do not come back at once. It may grow long: the liveness probe, every 2–3 s
/// while contact is lost, wakes every waiting watch as soon as the server answers.
fn backoff_delay(n: u32) -> Duration {
    let base = 0.8 * 2f64.powi(n.min(7) as i32);
    let jitter = rand::random_range(0.8..1.2);
    Duration::from_secs_f64((base * jitter).min(60.0))
}

/// A stale watch that reconnected: the data is live again.
fn recovered(shared: &WatchShared) {
    let mut status = shared.status.lock();
    if matches!(*status, WatchStatus::Stale { .. }) {
        *status = WatchStatus::Ready;
    }
}

/// Ask the server how many objects there are (a LIST of one item carries `remainingItemCount`), so
/// that the first sync can say "3,500 / ~10,000". Best effort: on any error there is no estimate.
pub async fn estimate<K>(
    api: Api<K>,
    kind: Kind,
    shared: Arc<WatchShared>,
    notices: mpsc::Sender<Notice>,
    cancel: CancellationToken,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let params = kube::api::ListParams::default().limit(1);
    let list = tokio::select! {
        _ = cancel.cancelled() => return,
        list = api.list_metadata(&params) => list,
    };
    let Ok(list) = list else { return };
    let remaining = list.metadata.remaining_item_count.unwrap_or(0).max(0) as usize;
    let total = list.items.len() + remaining;
    *shared.estimate.lock() = Some(total);
    let mut status = shared.status.lock();
    if let WatchStatus::Loading { total: t, .. } = &mut *status {
        *t = Some(total);
        drop(status);
        shared.generation.fetch_add(1, Ordering::Relaxed);
        let _ = notices.try_send(Notice::Changed(kind));
    }
}

/// Apply one watcher event to `shared`'s status; `last_answer` is the liveness probe's last answer.
fn apply<T>(
    shared: &WatchShared,
    kind: Kind,
    item: Result<watcher::Event<T>, watcher::Error>,
    last_answer: Option<Instant>,
) {
    let mut status = shared.status.lock();
    match item {
        // A re-list after a failure keeps saying what it said (stale, forbidden, live) until objects
        // arrive: a retry that is refused again must not flicker through "loading".
        Ok(watcher::Event::Init) => {
            if let WatchStatus::Loading { .. } = *status {
                *status = WatchStatus::Loading {
                    listed: 0,
                    total: *shared.estimate.lock(),
                }
            }
        }
        Ok(watcher::Event::InitApply(_)) => {
            let listed = match &*status {
                WatchStatus::Loading { listed, .. } => listed + 1,
                _ => 1,
            };
            *status = WatchStatus::Loading {
                listed,
                total: *shared.estimate.lock(),
            };
        }
        Ok(watcher::Event::InitDone) | Ok(watcher::Event::Apply(_)) | Ok(watcher::Event::Delete(_)) => {
            *shared.last_event.lock() = Instant::now();
            if !matches!(*status, WatchStatus::Loading { .. }) {
                *status = WatchStatus::Ready;
            }
            if matches!(item, Ok(watcher::Event::InitDone)) {
                *status = WatchStatus::Ready;
            }
        }
        Err(err) => {
            super::counters::watch_restarted();
            // A live watch of a quiet namespace hears nothing for minutes: its data was current
            // until the server last answered, and its age must agree with the header's.
            let last_event = *shared.last_event.lock();
            let current = match (&*status, last_answer) {
                (WatchStatus::Ready, Some(answered)) => last_event.max(answered),
                _ => last_event,
            };
            let next = classify(&err, &status, current);
            // Once per change of state, not once per retry: an unreachable server is one line.
            // In words, as the screen says it: the error's own text stops at "client error (Connect)".
            let said = super::errors::explain(&err);
            if std::mem::discriminant(&next) != std::mem::discriminant(&*status) {
                tracing::warn!(kind = kind.plural(), error = %said, "watch failed");
            } else {
                tracing::debug!(kind = kind.plural(), error = %said, "watch failed again");
            }
            *status = next;
        }
    }
}

/// The API server's Status in a watcher error, if the server answered.
pub fn api_status(err: &watcher::Error) -> Option<&kube::core::Status> {
    match err {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some(s.as_ref()),
        watcher::Error::WatchError(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// The status a watcher error leads to; `current_until` is when the data was last known current.
pub fn classify(err: &watcher::Error, current: &WatchStatus, current_until: Instant) -> WatchStatus {
    match api_status(err) {
        Some(s) if s.code == 403 => WatchStatus::Forbidden {
            message: s.message.clone(),
        },
        // 410 Gone: the watcher re-lists by itself; Init will follow.
        Some(s) if s.code == 410 => current.clone(),
        _ => match current {
            WatchStatus::Stale { since, .. } => WatchStatus::Stale {
                since: *since,
                error: super::errors::explain(err),
            },
            _ => WatchStatus::Stale {
                since: current_until,
                error: super::errors::explain(err),
            },
        },
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
