//! One metrics LIST as the usage columns read it, flat: every object's namespace and name in one
//! text, a fixed-size entry per object, its containers in one vector, and an index of entry numbers.
//! A sample of 100,000 pods is a handful of allocations (it was ~400,000: a map per namespace, a
//! string per name, a box of containers and a string per container), so building one every 15 s and
//! freeing the last leaves no scattered chunks behind for the allocator to keep.

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use std::sync::Arc;

use hashbrown::HashTable;

use super::metrics_list::Used;
use super::trends::{Point, Ring, Trends};
use model::rows::Text;

/// The usage of one LIST, looked up by namespace and name.
#[derive(Default)]
pub struct Sample {
    /// Every entry's namespace then name, back to back.
    names: String,
    entries: Vec<Entry>,
    containers: Vec<Container>,
    /// Entry numbers by the hash of their namespace and name.
    index: HashTable<u32>,
    hasher: RandomState,
    /// Where the entries' trends are kept (None: no trends, as in most tests).
    trends: Option<Arc<Trends>>,
    /// The length of the LIST's text it was read from (the next LIST's buffer is made this size).
    text_len: usize,
}

/// One object: where its names are, its usage, its trend's ring and its containers.
struct Entry {
    at: u32,
    namespace_len: u16,
    name_len: u16,
    cpu: i64,
    mem: i64,
    ring: Option<Ring>,
    first_container: u32,
    containers: u32,
}

/// One container of a pod: its name and usage.
struct Container {
    name: Text,
    cpu: i64,
    mem: i64,
}

/// One object's part of a [`Sample`].
#[derive(Clone, Copy)]
pub struct Of<'a> {
    /// Usage now.
    pub used: Used,
    containers: &'a [Container],
    trend: Option<(&'a Trends, Ring)>,
}

impl std::fmt::Debug for Of<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Of")
            .field("used", &self.used)
            .field("containers", &self.containers().collect::<Vec<_>>())
            .finish()
    }
}

impl Of<'_> {
    /// The object's last samples, oldest first (empty: no trend kept for it).
    pub fn trend(&self) -> Vec<Point> {
        self.trend.map(|(t, ring)| t.points(ring)).unwrap_or_default()
    }

    /// A pod's usage by container, in the LIST's order (none for a node).
    pub fn containers(&self) -> impl Iterator<Item = (&str, Used)> {
        self.containers.iter().map(|c| (c.name.as_str(), used(c.cpu, c.mem)))
    }
}

fn used(cpu: i64, mem: i64) -> Used {
    Used {
        cpu: cpu.into(),
        mem: mem.into(),
    }
}

fn narrow(v: i128) -> i64 {
    v.clamp(i64::MIN.into(), i64::MAX.into()) as i64
}

impl std::fmt::Debug for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sample").field("objects", &self.entries.len()).finish()
    }
}

impl Sample {
    /// An empty sample whose trends are read from `trends`, with room for as many objects as `like`
    /// holds (the last sample of the same LIST: no vector grown and copied, no index rehashed).
    pub fn with_trends(trends: Arc<Trends>, like: Option<&Sample>) -> Sample {
        let room = |f: fn(&Sample) -> usize| like.map_or(0, f);
        Sample {
            names: String::with_capacity(room(|s| s.names.len())),
            entries: Vec::with_capacity(room(|s| s.entries.len())),
            containers: Vec::with_capacity(room(|s| s.containers.len())),
            index: HashTable::with_capacity(room(|s| s.entries.len())),
            trends: Some(trends),
            ..Sample::default()
        }
    }

    /// The length of the text the sample was read from.
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// Note the length of the text the sample was read from.
    pub fn set_text_len(&mut self, len: usize) {
        self.text_len = len;
    }

    /// Objects in the sample.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the sample holds no object.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn hash(&self, namespace: &str, name: &str) -> u64 {
        self.hasher.hash_one((namespace, name))
    }

    fn names_of(&self, e: &Entry) -> (&str, &str) {
        let at = e.at as usize;
        let mid = at + e.namespace_len as usize;
        (&self.names[at..mid], &self.names[mid..mid + e.name_len as usize])
    }

    fn find(&self, namespace: &str, name: &str) -> Option<usize> {
        let hash = self.hash(namespace, name);
        let eq = |&i: &u32| self.names_of(&self.entries[i as usize]) == (namespace, name);
        self.index.find(hash, eq).map(|&i| i as usize)
    }

    /// The entry of `namespace/name`.
    pub fn of(&self, namespace: &str, name: &str) -> Option<Of<'_>> {
        let e = &self.entries[self.find(namespace, name)?];
        let first = e.first_container as usize;
        Some(Of {
            used: used(e.cpu, e.mem),
            containers: &self.containers[first..first + e.containers as usize],
            trend: self.trends.as_deref().zip(e.ring),
        })
    }

    /// The usage of `namespace/name`.
    pub fn get(&self, namespace: &str, name: &str) -> Option<Used> {
        self.find(namespace, name)
            .map(|i| used(self.entries[i].cpu, self.entries[i].mem))
    }

    /// Add (or replace) `namespace/name`'s entry of usage alone: no containers, no trend.
    pub fn insert(&mut self, namespace: &str, name: &str, usage: Used) {
        self.insert_with(namespace, name, usage, [], None);
    }

    /// Add (or replace) `namespace/name`'s entry: its usage, its containers' and its trend's ring.
    pub fn insert_with<'c>(
        &mut self,
        namespace: &str,
        name: &str,
        usage: Used,
        containers: impl IntoIterator<Item = (&'c str, Used)>,
        ring: Option<Ring>,
    ) {
        let first_container = self.containers.len() as u32;
        self.containers.extend(containers.into_iter().map(|(n, u)| Container {
            name: n.into(),
            cpu: narrow(u.cpu),
            mem: narrow(u.mem),
        }));
        // Names longer than a Kubernetes name can be (253) are cut rather than overflow the lengths.
        let (namespace, name) = (cut(namespace), cut(name));
        let entry = Entry {
            at: self.names.len() as u32,
            namespace_len: namespace.len() as u16,
            name_len: name.len() as u16,
            cpu: narrow(usage.cpu),
            mem: narrow(usage.mem),
            ring,
            first_container,
            containers: self.containers.len() as u32 - first_container,
        };
        if let Some(i) = self.find(namespace, name) {
            self.entries[i] = Entry {
                at: self.entries[i].at,
                ..entry
            };
            return;
        }
        self.names.push_str(namespace);
        self.names.push_str(name);
        let i = self.entries.len() as u32;
        self.entries.push(entry);
        let hash = self.hash(namespace, name);
        let (entries, names, hasher) = (&self.entries, &self.names, &self.hasher);
        self.index.insert_unique(hash, i, |&j| {
            let e = &entries[j as usize];
            let at = e.at as usize;
            let mid = at + e.namespace_len as usize;
            hasher.hash_one((&names[at..mid], &names[mid..mid + e.name_len as usize]))
        });
    }

    /// Feed each entry's trend in the sample's rings with its usage (`stamps[i]`: the hash of entry
    /// `i`'s sample `timestamp`), and name its ring; nothing for a sample without rings.
    pub fn feed(&mut self, stamps: &[u64], now: std::time::Instant) {
        let Some(trends) = self.trends.clone() else { return };
        let mut rings = vec![None; self.entries.len()];
        let objects = self.entries.iter().zip(stamps).map(|(e, &stamp)| {
            let (namespace, name) = self.names_of(e);
            (namespace, name, stamp, Point::of(used(e.cpu, e.mem)))
        });
        trends.feed(objects, now, |i, r| rings[i] = Some(r));
        for (e, r) in self.entries.iter_mut().zip(rings) {
            e.ring = r;
        }
    }

    /// Add `namespace/name`'s entry with a trend of `points` (tests).
    #[cfg(test)]
    pub fn insert_with_trend(&mut self, namespace: &str, name: &str, usage: Used, points: &[Point]) {
        let trends = self.trends.get_or_insert_with(Default::default).clone();
        let mut ring = None;
        for (stamp, p) in points.iter().enumerate() {
            let one = [(namespace, name, stamp as u64, *p)];
            trends.feed(one.into_iter(), std::time::Instant::now(), |_, r| ring = Some(r));
        }
        self.insert_with(namespace, name, usage, [], ring);
    }

    /// Give back the spare capacity the building left.
    pub fn shrink(&mut self) {
        self.names.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.containers.shrink_to_fit();
    }

    /// Bytes the sample holds (the bench's figure).
    pub fn bytes(&self) -> usize {
        self.names.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.containers.capacity() * std::mem::size_of::<Container>()
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

fn cut(s: &str) -> &str {
    if s.len() <= u16::MAX as usize {
        return s;
    }
    let mut end = u16::MAX as usize;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A sample of `(namespace, name, usage)` alone, no containers or trends (tests build them so).
impl<'a> FromIterator<(&'a str, &'a str, Used)> for Sample {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str, Used)>>(iter: I) -> Sample {
        let mut s = Sample::default();
        for (ns, name, u) in iter {
            s.insert(ns, name, u);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(cpu: i128, mem: i128) -> Used {
        Used { cpu, mem }
    }

    #[test]
    fn entries_are_found_by_namespace_and_name_not_by_their_joined_text() {
        let mut s = Sample::default();
        s.insert_with("ab", "c", u(1, 10), [("app", u(1, 10))], None);
        s.insert("a", "bc", u(2, 20));
        s.insert_with("shop", "web-1", u(3, 30), [("app", u(2, 20)), ("side", u(1, 10))], None);
        assert_eq!(s.get("ab", "c"), Some(u(1, 10)));
        assert_eq!(s.get("a", "bc"), Some(u(2, 20)));
        assert_eq!(s.get("abc", ""), None);
        let web = s.of("shop", "web-1").unwrap();
        assert_eq!(
            web.containers().collect::<Vec<_>>(),
            [("app", u(2, 20)), ("side", u(1, 10))]
        );
        assert_eq!(s.of("a", "bc").unwrap().containers().count(), 0);
        assert!(web.trend().is_empty());
        // A second insert replaces the first.
        s.insert_with("a", "bc", u(5, 50), [("x", u(5, 50))], None);
        assert_eq!(s.get("a", "bc"), Some(u(5, 50)));
        assert_eq!(s.of("a", "bc").unwrap().containers().count(), 1);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_sample_of_many_objects_costs_tens_of_bytes_each() {
        let names: Vec<(String, String)> = (0..10_000)
            .map(|i| (format!("bulk-{:02}", i % 10), format!("load-{:04}-{i:06}", i / 100)))
            .collect();
        let mut s = Sample::default();
        for (ns, name) in &names {
            s.insert_with(ns, name, u(100, 64 << 20), [("app", u(100, 64 << 20))], None);
        }
        s.shrink();
        for (ns, name) in &names {
            assert_eq!(s.get(ns, name), Some(u(100, 64 << 20)));
        }
        // 40-byte entry, 40-byte container, ~25 bytes of names, the index: it was ~240 bytes a pod
        // (nested maps, a string per name and per container, a box of containers).
        let per = s.bytes() / names.len();
        assert!(per < 130, "{per} bytes per pod");
    }
}
