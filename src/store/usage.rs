//! metrics-server usage of the pods and nodes on screen: one LIST of PodMetrics per shown namespace
//! (or of all), or of NodeMetrics, no more often than the interval and only while asked for (a
//! screen with usage columns is fed rows). Fetched with the client that does not retry, so an
//! unavailable APIService (503) costs one request per interval, not a retry storm.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use parking_lot::Mutex;
use tokio::sync::mpsc;

pub use super::metrics_list::{Used, containers_of, used_of};
pub use super::sample::{Of, Sample};
pub use super::trends::{Point, TREND_LEN};

use super::trends::{TREND_IDLE, Trends, stamp_hash};
use crate::cluster::notice::Notice;
use crate::cluster::{Kind, Scope};

/// metrics-server's resolution: a new sample is taken every 15 s, so asking more often gains nothing.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

/// A pod's usage by container name.
pub type PerContainer = Vec<(String, Used)>;

/// Whether the metrics API answered the last time it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Availability {
    /// Not asked yet.
    #[default]
    Unknown,
    /// It answered.
    Available,
    /// It did not (absent, 503, refused): the reason, for the log.
    Unavailable(String),
}

#[derive(Default)]
struct Inner {
    samples: HashMap<(Kind, Scope), (Instant, Arc<Sample>)>,
    asked: HashMap<(Kind, Scope), Instant>,
    in_flight: HashSet<(Kind, Scope)>,
    /// The trends of pods and of nodes.
    trends: [Arc<Trends>; 2],
    /// One pod's containers from its own GET (the containers view without a fresh LIST): when asked, and the answer.
    one: HashMap<(String, String), (Instant, Option<PerContainer>)>,
    one_in_flight: HashSet<(String, String)>,
    availability: Availability,
    generation: u64,
}

/// The usage poller of one cluster connection.
pub struct Usage {
    client: Client,
    notices: mpsc::Sender<Notice>,
    interval: Mutex<Duration>,
    inner: Arc<Mutex<Inner>>,
}

/// The metrics API resource of a kind that has usage (pods, nodes).
fn resource(kind: Kind) -> Option<ApiResource> {
    let (k, plural) = match kind {
        Kind::Pod => ("PodMetrics", "pods"),
        Kind::Node => ("NodeMetrics", "nodes"),
        _ => return None,
    };
    Some(ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", k),
        plural,
    ))
}

impl Usage {
    /// A poller over `client` (the one that does not retry) that tells the loop of new samples on `notices`.
    pub fn new(client: Client, notices: mpsc::Sender<Notice>, interval: Duration) -> Usage {
        Usage {
            client,
            notices,
            interval: Mutex::new(interval),
            inner: Arc::default(),
        }
    }

    /// Ask no more often than `interval` from now on (tests shorten it).
    pub fn set_interval(&self, interval: Duration) {
        *self.interval.lock() = interval;
    }

    /// Bumped whenever a sample arrives or availability changes.
    pub fn generation(&self) -> u64 {
        self.inner.lock().generation
    }

    /// Whether the metrics API answered last time.
    pub fn availability(&self) -> Availability {
        self.inner.lock().availability.clone()
    }

    /// The latest sample of `kind` in `scope`, if any.
    pub fn sample(&self, kind: Kind, scope: &Scope) -> Option<Arc<Sample>> {
        self.inner
            .lock()
            .samples
            .get(&(kind, scope.clone()))
            .map(|(_, s)| s.clone())
    }

    /// Trend rings held, and the bytes they take.
    pub fn trend_memory(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        let each = inner.trends.each_ref().map(|t| t.memory());
        (each[0].0 + each[1].0, each[0].1 + each[1].1)
    }

    /// The trends of `kind`'s objects.
    fn trends(&self, kind: Kind) -> Arc<Trends> {
        self.inner.lock().trends[usize::from(kind == Kind::Node)].clone()
    }

    /// Whether a LIST for `kind` in `scope` would go out now: the last one is older than the
    /// interval and none is on its way.
    pub fn due(&self, kind: Kind, scope: &Scope) -> bool {
        let key = (kind, scope.clone());
        let interval = *self.interval.lock();
        Self::due_in(&self.inner.lock(), &key, interval)
    }

    fn due_in(inner: &Inner, key: &(Kind, Scope), interval: Duration) -> bool {
        let objects = inner.samples.get(key).map_or(0, |(_, s)| s.len());
        let every = spaced(interval, objects);
        !inner.in_flight.contains(key) && inner.asked.get(key).is_none_or(|t| t.elapsed() >= every)
    }

    /// Ask for usage of `kind` in `scope`: a LIST goes out when [`Usage::due`].
    pub fn want(&self, kind: Kind, scope: &Scope) {
        let Some(ar) = resource(kind) else { return };
        let key = (kind, scope.clone());
        let interval = *self.interval.lock();
        {
            let mut inner = self.inner.lock();
            if !Self::due_in(&inner, &key, interval) {
                return;
            }
            inner.in_flight.insert(key.clone());
            inner.asked.insert(key.clone(), Instant::now());
        }
        let namespace = match (kind, scope) {
            (Kind::Pod, Scope::Namespace(ns)) => Some(ns.as_str()),
            _ => None,
        };
        let url = <DynamicObject as kube::Resource>::url_path(&ar, namespace);
        let client = self.client.clone();
        let trends = self.trends(kind);
        let last = self.sample(kind, scope);
        let (inner, notices) = (self.inner.clone(), self.notices.clone());
        tokio::spawn(async move {
            let result = list(&client, &url, trends, last).await;
            // A LIST of every pod's metrics leaves ~18 MB of free pages with glibc at 10,000 pods (its
            // text, the HTTP layer's buffers): give them back, as after a watch's first sync.
            let trim = matches!(&result, Ok(s) if s.len() >= crate::memory::TRIM_AFTER_OBJECTS);
            let old = {
                let mut inner = inner.lock();
                inner.in_flight.remove(&key);
                let old = match result {
                    Ok(sample) => {
                        inner.availability = Availability::Available;
                        inner.samples.insert(key.clone(), (Instant::now(), Arc::new(sample)))
                    }
                    Err(e) => {
                        let why = crate::cluster::errors::explain(&e);
                        if inner.availability != Availability::Unavailable(why.clone()) {
                            tracing::info!("metrics API not available: {why}");
                        }
                        inner.availability = Availability::Unavailable(why);
                        inner.samples.remove(&key)
                    }
                };
                inner.generation += 1;
                old
            };
            // The last sample is freed here, not under the lock the event loop takes.
            drop(old);
            if trim {
                crate::memory::give_back();
            }
            let _ = notices.try_send(Notice::Changed(key.0));
        });
    }
}

/// Objects a LIST may hold before the time between LISTs grows with it.
pub const SPACED_FROM: usize = 25_000;

/// The time between LISTs of a sample of `objects`: `interval` up to [`SPACED_FROM`] objects, beyond
/// it in proportion (60 s for 100,000 pods at the default 15 s). Each LIST costs CPU in proportion to
/// its objects (~0.1 s at 25,000 pods, most of it reading and decoding their JSON), so polling keeps
/// to about the same share of a core at any size instead of growing without bound.
pub fn spaced(interval: Duration, objects: usize) -> Duration {
    if objects <= SPACED_FROM {
        return interval;
    }
    interval.mul_f64(objects as f64 / SPACED_FROM as f64)
}

/// One LIST of the metrics at `url`, as the sample the usage columns read, its objects' trends fed.
async fn list(client: &Client, url: &str, trends: Arc<Trends>, last: Option<Arc<Sample>>) -> kube::Result<Sample> {
    let mut req = kube::core::Request::new(url)
        .list(&ListParams::default())
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("list");
    // Read into one buffer the size of the last sample's text: `request_text` gathers the chunks, then
    // copies them twice (into one buffer, into a string) and checks the UTF-8 (the decoder checks
    // each string it reads anyway).
    let body = client.request_stream(req).await?;
    let mut text = Vec::with_capacity(last.as_ref().map_or(0, |s| s.text_len()));
    read_all(body, &mut text).await.map_err(kube::Error::ReadEvents)?;
    let mut sample = record(&text, trends, last.as_deref()).map_err(kube::Error::SerdeError)?;
    sample.set_text_len(text.len());
    Ok(sample)
}

/// Append every byte of `body` to `text` as its chunks come (`read_to_end` zeroes the room it reads
/// into first: a tenth of a sample's CPU went to that memset and the page faults it took).
async fn read_all(body: impl futures::AsyncBufRead, text: &mut Vec<u8>) -> std::io::Result<()> {
    use futures::AsyncBufReadExt;
    let mut body = Box::pin(body);
    loop {
        let chunk = body.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        let n = chunk.len();
        text.extend_from_slice(chunk);
        body.consume_unpin(n);
    }
}

/// The sample of a LIST's JSON, each object's ring fed when its `timestamp` is new; rings not fed
/// for [`TREND_IDLE`] are dropped, so memory follows what the samples hold.
fn record(json: &[u8], trends: Arc<Trends>, last: Option<&Sample>) -> serde_json::Result<Sample> {
    let mut sample = Sample::with_trends(trends, last);
    let mut stamps = Vec::with_capacity(last.map_or(0, Sample::len));
    super::metrics_list::decode_each(json, |m| {
        let containers = m.containers.iter().map(|(n, u)| (n.as_ref(), *u));
        sample.insert_with(m.namespace, m.name, m.used, containers, None);
        stamps.push(stamp_hash(m.timestamp));
    })?;
    sample.feed(&stamps, Instant::now());
    sample.shrink();
    Ok(sample)
}

/// A pod's entry in a LIST sample of its namespace or of all namespaces younger than `interval`.
fn fresh_list<'a>(inner: &'a Inner, key: &(String, String), interval: Duration) -> Option<Of<'a>> {
    [Scope::Namespace(key.0.clone()), Scope::All]
        .into_iter()
        .find_map(|scope| {
            let (at, sample) = inner.samples.get(&(Kind::Pod, scope))?;
            (at.elapsed() < interval).then_some(())?;
            sample.of(&key.0, &key.1)
        })
}

impl Usage {
    /// The usage of each container of pod `ns/pod`: from the LIST sample of its namespace (or of
    /// all) while that is fresh, else from the pod's own GET.
    pub fn containers(&self, ns: &str, pod: &str) -> Option<Vec<(String, Used)>> {
        let interval = *self.interval.lock();
        let key = (ns.to_string(), pod.to_string());
        let inner = self.inner.lock();
        let listed =
            fresh_list(&inner, &key, interval).map(|of| of.containers().map(|(n, u)| (n.to_string(), u)).collect());
        listed.or_else(|| inner.one.get(&key).and_then(|(_, v)| v.clone()))
    }

    /// The samples kubedeck took of `kind` `ns/name` since it started looking, oldest first.
    pub fn trend(&self, kind: Kind, ns: &str, name: &str) -> Vec<Point> {
        self.trends(kind).of(ns, name)
    }

    /// Whether [`Usage::want_pod`] would send a GET now.
    pub fn pod_due(&self, ns: &str, pod: &str) -> bool {
        let interval = *self.interval.lock();
        let key = (ns.to_string(), pod.to_string());
        let inner = self.inner.lock();
        fresh_list(&inner, &key, interval).is_none() && Self::pod_due_in(&inner, &key, interval)
    }

    fn pod_due_in(inner: &Inner, key: &(String, String), interval: Duration) -> bool {
        !inner.one_in_flight.contains(key) && inner.one.get(key).is_none_or(|(t, _)| t.elapsed() >= interval)
    }

    /// Ask for pod `ns/pod`'s containers' usage: nothing while a fresh LIST sample holds it (the
    /// pods table was just shown); else one GET of its PodMetrics, no more often than the interval.
    pub fn want_pod(&self, ns: &str, pod: &str) {
        let Some(ar) = resource(Kind::Pod) else { return };
        let interval = *self.interval.lock();
        let key = (ns.to_string(), pod.to_string());
        {
            let mut inner = self.inner.lock();
            if fresh_list(&inner, &key, interval).is_some() || !Self::pod_due_in(&inner, &key, interval) {
                return;
            }
            inner.one_in_flight.insert(key.clone());
            let now = Instant::now();
            inner.one.retain(|_, (t, _)| now.duration_since(*t) < TREND_IDLE);
            let kept = inner.one.get(&key).and_then(|(_, v)| v.clone());
            inner.one.insert(key.clone(), (now, kept));
        }
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), ns, &ar);
        let trends = self.trends(Kind::Pod);
        let (inner, notices) = (self.inner.clone(), self.notices.clone());
        tokio::spawn(async move {
            let result = api.get_opt(&key.1).await;
            {
                let mut inner = inner.lock();
                inner.one_in_flight.remove(&key);
                match result {
                    Ok(found) => {
                        // The pod's own sample feeds its trend too (a pod's describe charts it).
                        let found = found.as_ref().map(super::metrics_list::of_value);
                        let used = found.as_ref().map(|m| m.containers.clone()).unwrap_or_default();
                        if let Some(m) = found {
                            let one = (
                                m.namespace.as_str(),
                                m.name.as_str(),
                                stamp_hash(&m.timestamp),
                                Point::of(m.used),
                            );
                            trends.feed([one].into_iter(), Instant::now(), |_, _| {});
                        }
                        if let Some(entry) = inner.one.get_mut(&key) {
                            entry.1 = Some(used);
                        }
                        inner.availability = Availability::Available;
                    }
                    Err(e) => {
                        if let Some(entry) = inner.one.get_mut(&key) {
                            entry.1 = None;
                        }
                        inner.availability = Availability::Unavailable(crate::cluster::errors::explain(&e));
                    }
                }
                inner.generation += 1;
            }
            let _ = notices.try_send(Notice::Changed(Kind::Pod));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sample_reads_its_objects_trends_and_a_ring_keeps_the_last_thirty() {
        let list = |stamp: usize| {
            json!({"kind": "PodMetricsList", "items": [
                {"metadata": {"name": "web-1", "namespace": "shop"}, "timestamp": format!("t{stamp}"),
                 "containers": [{"name": "app", "usage": {"cpu": format!("{}n", stamp * 1_000_000), "memory": "1Ki"}}]},
                {"metadata": {"name": "web-2", "namespace": "shop"}, "timestamp": "t0",
                 "containers": [{"name": "app", "usage": {"cpu": "1m", "memory": "2Ki"}}]}]})
            .to_string()
        };
        let trends = Arc::new(Trends::default());
        let first = record(list(0).as_bytes(), trends.clone(), None).unwrap();
        let mut sample = first;
        for stamp in 1..TREND_LEN + 3 {
            sample = record(list(stamp).as_bytes(), trends.clone(), Some(&sample)).unwrap();
        }
        let of = sample.of("shop", "web-1").unwrap();
        let cpu: Vec<u32> = of.trend().iter().map(|p| p.cpu).collect();
        assert_eq!(cpu, (3..TREND_LEN as u32 + 3).collect::<Vec<_>>());
        assert_eq!(trends.of("shop", "web-1"), of.trend());
        // web-2's timestamp never changed: one point, however many samples named it.
        assert_eq!(sample.of("shop", "web-2").unwrap().trend().len(), 1);
        assert_eq!(
            of.containers().collect::<Vec<_>>(),
            [("app", Used { cpu: 32, mem: 1024 })]
        );
        assert_eq!(sample.get("shop", "web-3"), None);
        assert!(record(b"{\"items\": [{\"metadata\": 3}]}", trends, None).is_err());
    }

    #[test]
    fn lists_of_many_objects_are_spaced_in_proportion() {
        let base = Duration::from_secs(15);
        assert_eq!(spaced(base, 0), base);
        assert_eq!(spaced(base, SPACED_FROM), base);
        assert_eq!(spaced(base, 100_000), Duration::from_secs(60));
        assert_eq!(spaced(Duration::from_secs(30), 50_000), Duration::from_secs(60));
        // A big sample held: the next LIST is not due at the base interval.
        let mut inner = Inner::default();
        let key = (Kind::Pod, Scope::All);
        let big: Sample = (0..SPACED_FROM * 2)
            .map(|i| ("ns", format!("p{i}")))
            .collect::<Vec<_>>()
            .iter()
            .map(|(ns, n)| (*ns, n.as_str(), Used { cpu: 1, mem: 1 }))
            .collect();
        inner.samples.insert(key.clone(), (Instant::now(), Arc::new(big)));
        inner
            .asked
            .insert(key.clone(), Instant::now() - Duration::from_secs(20));
        assert!(!Usage::due_in(&inner, &key, base));
        inner
            .asked
            .insert(key.clone(), Instant::now() - Duration::from_secs(31));
        assert!(Usage::due_in(&inner, &key, base));
        inner.samples.clear();
        inner
            .asked
            .insert(key.clone(), Instant::now() - Duration::from_secs(20));
        assert!(Usage::due_in(&inner, &key, base));
    }

    #[test]
    fn usage_is_read_as_kubectl_top_prints_it() {
        let pod = json!({"containers": [
            {"name": "a", "usage": {"cpu": "64946990n", "memory": "53913Ki"}},
            {"name": "b", "usage": {"cpu": "1000001n", "memory": "1Mi"}}]});
        // 65.946991m in all rounds up to 66m; memory in bytes.
        assert_eq!(
            used_of(&pod),
            Used {
                cpu: 66,
                mem: 53913 * 1024 + 1048576
            }
        );
        let node = json!({"usage": {"cpu": "2", "memory": "1Gi"}});
        assert_eq!(
            used_of(&node),
            Used {
                cpu: 2000,
                mem: 1 << 30
            }
        );
    }
}
