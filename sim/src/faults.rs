//! Fault injection: what tests (and demos) switch on to see kubedeck cope with a misbehaving server.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;

/// A refusal rule: `user` may not touch `plural` (in `namespace`, or anywhere when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deny {
    /// User name the rule applies to.
    pub user: String,
    /// Plural resource name, e.g. "pods".
    pub plural: String,
    /// Namespace the refusal is limited to; `None` refuses everywhere.
    pub namespace: Option<String>,
}

/// The switches. Every field can be flipped while the server runs.
pub struct Faults {
    latency_ms: AtomicU64,
    throttle: AtomicU32,
    throttled_total: AtomicU64,
    deny: Mutex<Vec<Deny>>,
    drop_watches: watch::Sender<u64>,
    failing_check: Mutex<Option<String>>,
    stale_leader: AtomicBool,
    drop_logs: watch::Sender<u64>,
    huge_log_line: Mutex<Option<(u64, jiff::Timestamp)>>,
    bidi_event: watch::Sender<bool>,
    frozen: watch::Sender<bool>,
    restarts: watch::Sender<(u64, Duration)>,
    confined: Mutex<HashMap<String, String>>,
    requests: Mutex<HashMap<String, u64>>,
    paths: Mutex<HashMap<String, u64>>,
    verbs: Mutex<HashMap<(&'static str, String), u64>>,
    webhook: Mutex<Option<Webhook>>,
    metrics_unavailable: AtomicBool,
    metrics_hook: Mutex<Option<MetricsHook>>,
    metrics_reads: AtomicU64,
}

/// What the cluster does when the metrics API goes down or comes back (true: down): its APIService's
/// status follows.
pub type MetricsHook = Box<dyn Fn(bool) + Send + Sync>;

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults").finish_non_exhaustive()
    }
}

/// A validating admission webhook that refuses every write of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The webhook's name, as the refusal quotes it.
    pub name: String,
    /// Plural resource name whose creates, updates and patches it refuses.
    pub plural: String,
    /// Why, as the webhook answers.
    pub message: String,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: AtomicU64::new(0),
            throttle: AtomicU32::new(0),
            throttled_total: AtomicU64::new(0),
            deny: Mutex::new(Vec::new()),
            drop_watches: watch::channel(0).0,
            failing_check: Mutex::new(None),
            stale_leader: AtomicBool::new(false),
            drop_logs: watch::channel(0).0,
            huge_log_line: Mutex::new(None),
            bidi_event: watch::channel(false).0,
            frozen: watch::channel(false).0,
            restarts: watch::channel((0, Duration::ZERO)).0,
            confined: Mutex::new(HashMap::new()),
            requests: Mutex::new(HashMap::new()),
            paths: Mutex::new(HashMap::new()),
            verbs: Mutex::new(HashMap::new()),
            webhook: Mutex::new(None),
            metrics_unavailable: AtomicBool::new(false),
            metrics_hook: Mutex::new(None),
            metrics_reads: AtomicU64::new(0),
        }
    }
}

impl Faults {
    /// Adds this much latency to every request.
    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Current added latency.
    pub fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    /// Answers the next `n` requests with 429 Too Many Requests.
    pub fn throttle_next(&self, n: u32) {
        self.throttle.store(n, Ordering::Relaxed);
    }

    /// Takes one 429 from the budget, if any is left.
    pub fn take_throttle(&self) -> bool {
        let took = self
            .throttle
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if took {
            self.throttled_total.fetch_add(1, Ordering::Relaxed);
        }
        took
    }

    /// How many requests were answered 429 so far.
    pub fn throttled_total(&self) -> u64 {
        self.throttled_total.load(Ordering::Relaxed)
    }

    /// Refuses a resource to a user with 403.
    pub fn deny(&self, rule: Deny) {
        self.deny.lock().push(rule);
    }

    /// Lifts every refusal.
    pub fn allow_all(&self) {
        self.deny.lock().clear();
    }

    /// Whether a user is refused a resource in a namespace.
    pub fn is_denied(&self, user: &str, plural: &str, namespace: Option<&str>) -> bool {
        if let Some(only) = self.confined.lock().get(user)
            && namespace != Some(only.as_str())
        {
            return true;
        }
        self.deny.lock().iter().any(|d| {
            d.user == user && d.plural == plural && (d.namespace.is_none() || d.namespace.as_deref() == namespace)
        })
    }

    /// Makes the `v1beta1.metrics.k8s.io` APIService unavailable (its service gone): the aggregator
    /// answers every metrics.k8s.io path with 503, discovery included.
    pub fn set_metrics_unavailable(&self, down: bool) {
        self.metrics_unavailable.store(down, Ordering::Relaxed);
        if let Some(hook) = &*self.metrics_hook.lock() {
            hook(down);
        }
    }

    /// Counts one GET or LIST of PodMetrics or NodeMetrics (discovery not included).
    pub fn count_metrics_read(&self) {
        self.metrics_reads.fetch_add(1, Ordering::Relaxed);
    }

    /// GETs and LISTs of PodMetrics and NodeMetrics so far, answered or refused with 503.
    pub fn metrics_reads(&self) -> u64 {
        self.metrics_reads.load(Ordering::Relaxed)
    }

    /// Sets what [`Faults::set_metrics_unavailable`] also does (the cluster: the APIService status).
    pub fn on_metrics_change(&self, hook: MetricsHook) {
        *self.metrics_hook.lock() = Some(hook);
    }

    /// Whether the metrics API is unavailable.
    pub fn metrics_unavailable(&self) -> bool {
        self.metrics_unavailable.load(Ordering::Relaxed)
    }

    /// Ends every open watch, as a broken connection would.
    pub fn drop_watches(&self) {
        self.drop_watches.send_modify(|n| *n += 1);
    }

    /// A receiver that changes whenever watches are dropped.
    pub fn watch_drops(&self) -> watch::Receiver<u64> {
        self.drop_watches.subscribe()
    }

    /// Installs a validating webhook that refuses writes of one resource (`None` removes it).
    pub fn set_webhook(&self, hook: Option<Webhook>) {
        *self.webhook.lock() = hook;
    }

    /// The refusing webhook of `plural`, if one is installed.
    pub fn webhook_for(&self, plural: &str) -> Option<Webhook> {
        self.webhook.lock().clone().filter(|w| w.plural == plural)
    }

    /// Makes a readyz/livez check fail (`None` heals it).
    pub fn set_failing_check(&self, check: Option<&str>) {
        *self.failing_check.lock() = check.map(String::from);
    }

    /// The check currently failing, if any.
    pub fn failing_check(&self) -> Option<String> {
        self.failing_check.lock().clone()
    }

    /// Stops the kube-scheduler leader from renewing its lease.
    pub fn set_stale_leader(&self, stale: bool) {
        self.stale_leader.store(stale, Ordering::Relaxed);
    }

    /// Whether the scheduler leader lease is left to go stale.
    pub fn stale_leader(&self) -> bool {
        self.stale_leader.load(Ordering::Relaxed)
    }

    /// Breaks every open follow log stream mid-body, as a dropped connection would.
    pub fn drop_logs(&self) {
        self.drop_logs.send_modify(|n| *n += 1);
    }

    /// A receiver that changes whenever log streams are dropped.
    pub fn log_drops(&self) -> watch::Receiver<u64> {
        self.drop_logs.subscribe()
    }

    /// Makes the line each container writes from now on (or its second line, for one started later)
    /// a JSON blob of `bytes` bytes; 0 stops.
    pub fn set_huge_log_line(&self, bytes: u64) {
        *self.huge_log_line.lock() = (bytes > 0).then(|| (bytes, jiff::Timestamp::now()));
    }

    /// The size of the huge log line, 0 when off.
    pub fn huge_log_line(&self) -> u64 {
        self.huge_log_line.lock().map_or(0, |(b, _)| b)
    }

    /// The size of the huge log line and when the fault was switched on.
    pub fn huge_log_line_since(&self) -> Option<(u64, jiff::Timestamp)> {
        *self.huge_log_line.lock()
    }

    /// Records a Warning Event whose message holds bidi controls and zero-width characters, and ends
    /// every log read with a line of the same text.
    pub fn bidi_event(&self) {
        self.bidi_event.send_replace(true);
    }

    /// A receiver that turns true when the bidi Event is asked for.
    pub fn bidi_events(&self) -> watch::Receiver<bool> {
        self.bidi_event.subscribe()
    }

    /// Allows `user` nothing outside `namespace` (cluster scope included), as a Role bound in one
    /// namespace does; discovery, `/version` and the health endpoints stay open, as for any user.
    pub fn confine(&self, user: &str, namespace: &str) {
        self.confined.lock().insert(user.into(), namespace.into());
    }

    /// Counts one authenticated request of `user`.
    pub fn count_request(&self, user: &str) {
        *self.requests.lock().entry(user.into()).or_default() += 1;
    }

    /// Requests `user` has made so far (watches count once, when they start).
    pub fn requests(&self, user: &str) -> u64 {
        self.requests.lock().get(user).copied().unwrap_or(0)
    }

    /// Counts one request to `path`, a LIST or a watch alike (a count per path, so that a long-running
    /// server stays bounded).
    pub fn count_path(&self, path: &str) {
        *self.paths.lock().entry(path.into()).or_default() += 1;
    }

    /// Requests to `path` so far (`/api/v1/pods`, `/api/v1/namespaces/NS/pods`; watches count once,
    /// when they start).
    pub fn requests_to(&self, path: &str) -> u64 {
        self.paths.lock().get(path).copied().unwrap_or(0)
    }

    /// Counts one request to the API of a resource by its RBAC verb (`list`, `watch`, `get` …) and
    /// resource (`pods`, `pods/log`); discovery, health, OpenAPI and the metrics API are not counted.
    pub fn count_verb(&self, verb: &'static str, resource: &str) {
        *self.verbs.lock().entry((verb, resource.into())).or_default() += 1;
    }

    /// The requests to resources so far, by verb and resource (see [`Faults::count_verb`]).
    pub fn verbs(&self) -> HashMap<(&'static str, String), u64> {
        self.verbs.lock().clone()
    }

    /// Freezes the server as `kill -STOP` would: connections are still accepted, but requests hang
    /// and open watches stop writing until [`Faults::thaw`].
    pub fn freeze(&self) {
        self.frozen.send_replace(true);
    }

    /// Ends a [`Faults::freeze`]: held requests and watches carry on.
    pub fn thaw(&self) {
        self.frozen.send_replace(false);
    }

    /// Whether the server is frozen.
    pub fn is_frozen(&self) -> bool {
        *self.frozen.borrow()
    }

    /// A receiver of the frozen flag.
    pub fn frozen(&self) -> watch::Receiver<bool> {
        self.frozen.subscribe()
    }

    /// Waits until the server is not frozen.
    pub async fn thawed(&self) {
        let mut rx = self.frozen.subscribe();
        let _ = rx.wait_for(|f| !*f).await.map(|_| ());
    }

    /// Restarts the server as a crashed API server restarts: every connection is dropped, new ones are
    /// refused for `down`, and it comes back with its watch history compacted (resumed watches get 410).
    pub fn restart(&self, down: Duration) {
        // Watch bodies end even where the connection is not read from or written to meanwhile.
        self.drop_watches();
        self.restarts.send_modify(|(n, d)| {
            *n += 1;
            *d = down;
        });
    }

    /// A receiver that changes on every [`Faults::restart`], with how long the server stays down.
    pub fn restarts(&self) -> watch::Receiver<(u64, Duration)> {
        self.restarts.subscribe()
    }
}
