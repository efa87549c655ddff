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

use super::metrics_list::Metrics;
use crate::cluster::notice::Notice;
use crate::cluster::{Kind, Scope};

/// metrics-server's resolution: a new sample is taken every 15 s, so asking more often gains nothing.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

/// Samples kept per pod or node for its trend (at 15 s, the last 7.5 minutes).
pub const TREND_LEN: usize = 30;
/// A trend not fed for this long (its object gone from screen) is dropped.
const TREND_IDLE: Duration = Duration::from_secs(600);

/// The usage of one LIST, by namespace then name (looked up by `&str`, no key built per lookup),
/// one entry per object: its usage, its trend (the ring's own points, shared, not copied) and, for
/// pods, its containers' usage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    objects: HashMap<String, HashMap<String, Of>>,
}

/// One object's part of a [`Sample`].
#[derive(Debug, Clone, PartialEq)]
pub struct Of {
    /// Usage now.
    pub used: Used,
    /// The last samples, oldest first, at most [`TREND_LEN`].
    pub trend: Arc<[Point]>,
    /// A pod's usage by container (empty for a node).
    pub containers: Box<[(String, Used)]>,
}

impl From<Used> for Of {
    /// An entry of usage alone: no trend yet, no containers.
    fn from(used: Used) -> Of {
        Of {
            used,
            trend: Arc::new([]),
            containers: Box::default(),
        }
    }
}

impl Sample {
    /// The entry of `namespace/name`.
    pub fn of(&self, namespace: &str, name: &str) -> Option<&Of> {
        self.objects.get(namespace)?.get(name)
    }

    /// The usage of `namespace/name`.
    pub fn get(&self, namespace: &str, name: &str) -> Option<&Used> {
        self.of(namespace, name).map(|o| &o.used)
    }

    /// Set the entry of `namespace/name`.
    pub fn insert(&mut self, namespace: &str, name: &str, of: Of) {
        // The namespace's key is allocated once, not once per object.
        match self.objects.get_mut(namespace) {
            Some(m) => m.insert(name.to_string(), of),
            None => self
                .objects
                .entry(namespace.to_string())
                .or_default()
                .insert(name.to_string(), of),
        };
    }
}

/// One point of a trend: CPU in millicores and memory in KiB, four bytes each (a pod at 4 million
/// cores or 4 TiB is not one), so 30 of them cost 240 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Point {
    /// CPU, millicores.
    pub cpu: u32,
    /// Memory working set, KiB.
    pub mem_ki: u32,
}

impl Point {
    /// The point of `used`, saturating rather than wrapping.
    pub fn of(used: Used) -> Point {
        let narrow = |v: i128| v.clamp(0, u32::MAX as i128) as u32;
        Point {
            cpu: narrow(used.cpu),
            mem_ki: narrow(used.mem >> 10),
        }
    }
}

/// One object's trend: a point per metrics-server sample, a new one only for a newer `timestamp`
/// (kept as its hash: only equality matters, and a string per pod would double the ring's size).
/// The points are shared with the samples that show them: a new point makes a new slice.
struct Ring {
    stamp: u64,
    points: Arc<[Point]>,
    fed: Instant,
}

impl Ring {
    /// Bytes this ring holds (for the bench's figure): the ring and its points with their counts.
    fn bytes(&self) -> usize {
        std::mem::size_of::<Ring>() + 2 * std::mem::size_of::<usize>() + std::mem::size_of_val(&*self.points)
    }

    /// Add `point` at the end, the oldest dropped beyond [`TREND_LEN`].
    fn push(&mut self, point: Point) {
        let skip = (self.points.len() + 1).saturating_sub(TREND_LEN);
        self.points = self.points[skip..].iter().copied().chain([point]).collect();
    }
}

fn stamp_hash(stamp: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(stamp)
}

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
    rings: HashMap<(Kind, String, String), Ring>,
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
        (inner.rings.len(), inner.rings.values().map(Ring::bytes).sum())
    }

    /// Whether a LIST for `kind` in `scope` would go out now: the last one is older than the
    /// interval and none is on its way.
    pub fn due(&self, kind: Kind, scope: &Scope) -> bool {
        let key = (kind, scope.clone());
        let interval = *self.interval.lock();
        Self::due_in(&self.inner.lock(), &key, interval)
    }

    fn due_in(inner: &Inner, key: &(Kind, Scope), interval: Duration) -> bool {
        !inner.in_flight.contains(key) && inner.asked.get(key).is_none_or(|t| t.elapsed() >= interval)
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
        let (inner, notices) = (self.inner.clone(), self.notices.clone());
        tokio::spawn(async move {
            let result = list(&client, &url).await;
            // A LIST of every pod's metrics leaves its text's pages with glibc: give them back, as
            // after a watch's first sync.
            let trim = matches!(&result, Ok(l) if l.len() >= crate::memory::TRIM_AFTER_OBJECTS);
            {
                let mut inner = inner.lock();
                inner.in_flight.remove(&key);
                match result {
                    Ok(list) => {
                        let sample = record(&mut inner.rings, key.0, list);
                        inner.samples.insert(key.clone(), (Instant::now(), Arc::new(sample)));
                        inner.availability = Availability::Available;
                    }
                    Err(e) => {
                        let why = crate::cluster::errors::explain(&e);
                        if inner.availability != Availability::Unavailable(why.clone()) {
                            tracing::info!("metrics API not available: {why}");
                        }
                        inner.samples.remove(&key);
                        inner.availability = Availability::Unavailable(why);
                    }
                }
                inner.generation += 1;
            }
            if trim {
                crate::memory::give_back();
            }
            let _ = notices.try_send(Notice::Changed(key.0));
        });
    }
}

/// One LIST of the metrics at `url`, decoded into what the usage columns read.
async fn list(client: &Client, url: &str) -> kube::Result<Vec<Metrics>> {
    let mut req = kube::core::Request::new(url)
        .list(&ListParams::default())
        .map_err(kube::Error::BuildRequest)?;
    req.extensions_mut().insert("list");
    let text = client.request_text(req).await?;
    super::metrics_list::decode(&text).map_err(kube::Error::SerdeError)
}

/// A pod's containers in a LIST sample of its namespace or of all namespaces younger than `interval`.
fn fresh_list<'a>(inner: &'a Inner, key: &(String, String), interval: Duration) -> Option<&'a [(String, Used)]> {
    [Scope::Namespace(key.0.clone()), Scope::All]
        .into_iter()
        .find_map(|scope| {
            let (at, sample) = inner.samples.get(&(Kind::Pod, scope))?;
            (at.elapsed() < interval).then_some(())?;
            sample.of(&key.0, &key.1).map(|o| &*o.containers)
        })
}

impl Usage {
    /// The usage of each container of pod `ns/pod`: from the LIST sample of its namespace (or of
    /// all) while that is fresh, else from the pod's own GET.
    pub fn containers(&self, ns: &str, pod: &str) -> Option<Vec<(String, Used)>> {
        let interval = *self.interval.lock();
        let key = (ns.to_string(), pod.to_string());
        let inner = self.inner.lock();
        fresh_list(&inner, &key, interval)
            .map(<[_]>::to_vec)
            .or_else(|| inner.one.get(&key).and_then(|(_, v)| v.clone()))
    }

    /// The samples kubedeck took of `kind` `ns/name` since it started looking, oldest first.
    pub fn trend(&self, kind: Kind, ns: &str, name: &str) -> Vec<Point> {
        let inner = self.inner.lock();
        let ring = inner.rings.get(&(kind, ns.to_string(), name.to_string()));
        ring.map(|r| r.points.to_vec()).unwrap_or_default()
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
                            record(&mut inner.rings, Kind::Pod, vec![m]);
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

/// The sample of a LIST's `items`, each object's ring fed when its `timestamp` is new; rings not fed
/// for [`TREND_IDLE`] are dropped, so memory follows what is on screen.
fn record(rings: &mut HashMap<(Kind, String, String), Ring>, kind: Kind, items: Vec<Metrics>) -> Sample {
    let now = Instant::now();
    let mut sample = Sample::default();
    for m in items {
        let stamp = stamp_hash(&m.timestamp);
        // The key is built from the item's own strings and given back: no copy for a known object.
        let key = (kind, m.namespace, m.name);
        if !rings.contains_key(&key) {
            let ring = Ring {
                stamp,
                points: Arc::new([]),
                fed: now,
            };
            rings.insert(key.clone(), ring);
        }
        let Some(ring) = rings.get_mut(&key) else { continue };
        ring.fed = now;
        if ring.stamp != stamp || ring.points.is_empty() {
            ring.push(Point::of(m.used));
            ring.stamp = stamp;
        }
        let of = Of {
            used: m.used,
            trend: ring.points.clone(),
            containers: m.containers.into_boxed_slice(),
        };
        let (_, namespace, name) = &key;
        sample.insert(namespace, name, of);
    }
    rings.retain(|_, r| now.duration_since(r.fed) < TREND_IDLE);
    sample
}

/// The trend rings after `samples` LISTs of `pods` pods (each a newer `timestamp`): how many rings and
/// the bytes they hold, keys included (the `ui_scale` bench's figure).
pub fn measure_rings(pods: usize, samples: usize) -> (usize, usize) {
    let mut rings = HashMap::new();
    for s in 0..samples {
        let items: Vec<Metrics> = (0..pods)
            .map(|i| Metrics {
                namespace: format!("bulk-{:02}", i % 10),
                name: format!("load-{:04}-{i:06}", i / 100),
                timestamp: format!("2026-01-01T00:{:02}:{:02}Z", s / 4, s % 4 * 15),
                used: Used {
                    cpu: (i + s) as i128,
                    mem: 64 << 20,
                },
                containers: vec![(
                    "app".into(),
                    Used {
                        cpu: (i + s) as i128,
                        mem: 64 << 20,
                    },
                )],
            })
            .collect();
        record(&mut rings, Kind::Pod, items);
    }
    let keys: usize = rings
        .keys()
        .map(|(_, ns, name): &(Kind, String, String)| ns.capacity() + name.capacity())
        .sum();
    let slots = rings.capacity() * (std::mem::size_of::<(Kind, String, String)>() + std::mem::size_of::<Ring>() + 1);
    (
        rings.len(),
        rings.values().map(Ring::bytes).sum::<usize>() - rings.len() * std::mem::size_of::<Ring>() + keys + slots,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trend_rings_stay_bounded() {
        let (n, bytes) = measure_rings(10_000, TREND_LEN + 5);
        // 30 points of 8 bytes, the ring, its key and its map slot: under 500 bytes a pod (it was 707
        // with i128 CPU and the timestamp kept as a string).
        assert_eq!(n, 10_000);
        assert!(bytes / n < 500, "{} bytes per pod", bytes / n);
    }

    #[test]
    fn a_sample_shows_the_rings_own_points_and_a_ring_keeps_the_last_thirty() {
        let ar = resource(Kind::Pod).unwrap();
        let item = |stamp: usize| {
            let mut o = DynamicObject::new("web-1", &ar).within("shop");
            o.data = json!({"timestamp": format!("t{stamp}"),
                "containers": [{"name": "app", "usage": {"cpu": format!("{}n", stamp * 1_000_000), "memory": "1Ki"}}]});
            o
        };
        let mut rings = HashMap::new();
        let mut sample = Sample::default();
        for stamp in 0..TREND_LEN + 3 {
            sample = record(
                &mut rings,
                Kind::Pod,
                vec![super::super::metrics_list::of_value(&item(stamp))],
            );
        }
        let of = sample.of("shop", "web-1").unwrap();
        let ring = &rings[&(Kind::Pod, "shop".to_string(), "web-1".to_string())];
        // One allocation of points serves the ring and the sample (they were two copies).
        assert!(Arc::ptr_eq(&of.trend, &ring.points));
        let cpu: Vec<u32> = of.trend.iter().map(|p| p.cpu).collect();
        assert_eq!(cpu, (3..TREND_LEN as u32 + 3).collect::<Vec<_>>());
        assert_eq!(*of.containers, [("app".to_string(), Used { cpu: 32, mem: 1024 })]);
        assert_eq!(sample.get("shop", "web-2"), None);
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
