//! The trend of each pod or node kubedeck has seen in a metrics sample: its last [`TREND_LEN`]
//! points, kept in place in one vector of fixed-size rings (a new sample writes a point into each
//! ring; it used to allocate a new slice per object per sample, and the two generations of slices
//! alive around a sample, interleaved in the heap, kept the process at its peak). Samples read the
//! rings they name through a read lock, so a ring is never copied to be shown.

use std::hash::BuildHasher;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use parking_lot::RwLock;

use model::rows::Text;

/// Samples kept per pod or node for its trend (at 15 s, the last 7.5 minutes).
pub const TREND_LEN: usize = 30;
/// A trend not fed for this long (its object gone from the samples) is dropped.
pub const TREND_IDLE: Duration = Duration::from_secs(600);

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
    pub fn of(used: super::metrics_list::Used) -> Point {
        let narrow = |v: i128| v.clamp(0, u32::MAX as i128) as u32;
        Point {
            cpu: narrow(used.cpu),
            mem_ki: narrow(used.mem >> 10),
        }
    }
}

/// Which ring holds an object's trend: its slot, and the slot's generation when it was given out
/// (a slot given to another object since reads as no trend, never as the other's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    slot: u32,
    generation: u32,
}

/// The rings of one kind.
pub struct Trends {
    rings: RwLock<Rings>,
}

struct Rings {
    slots: Slots,
    /// Slot numbers of live slots by the hash of their namespace and name.
    index: HashTable<u32>,
    hasher: RandomState,
    free: Vec<u32>,
    epoch: Instant,
}

struct Slot {
    namespace: Text,
    name: Text,
    generation: u32,
    live: bool,
    /// The hash of the `timestamp` of the last point: a point is added only for a newer sample.
    stamp: u64,
    /// Seconds since the epoch of the last sample that named the object.
    fed: u32,
    len: u8,
    next: u8,
    points: [Point; TREND_LEN],
}

/// Slots in pages of [`PAGE`]: grown a page at a time, not doubled (a doubled vector of 100,000
/// rings would hold room for 131,072 of 312 bytes), and never moved.
#[derive(Default)]
struct Slots {
    pages: Vec<Vec<Slot>>,
    len: usize,
}

const PAGE: usize = 512;

impl Slots {
    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> Option<&Slot> {
        self.pages.get(i / PAGE)?.get(i % PAGE)
    }

    fn push(&mut self, slot: Slot) {
        if self.len.is_multiple_of(PAGE) {
            self.pages.push(Vec::with_capacity(PAGE));
        }
        self.pages.last_mut().expect("a page with room").push(slot);
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.pages.iter().flatten()
    }

    fn capacity(&self) -> usize {
        self.pages.len() * PAGE
    }
}

impl std::ops::Index<usize> for Slots {
    type Output = Slot;

    fn index(&self, i: usize) -> &Slot {
        &self.pages[i / PAGE][i % PAGE]
    }
}

impl std::ops::IndexMut<usize> for Slots {
    fn index_mut(&mut self, i: usize) -> &mut Slot {
        &mut self.pages[i / PAGE][i % PAGE]
    }
}

impl Default for Trends {
    fn default() -> Trends {
        Trends {
            rings: RwLock::new(Rings {
                slots: Slots::default(),
                index: HashTable::new(),
                hasher: RandomState::default(),
                free: Vec::new(),
                epoch: Instant::now(),
            }),
        }
    }
}

/// A sample's `timestamp` as the rings keep it: only equality matters, and a string per object would
/// double a ring's size.
pub fn stamp_hash(stamp: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(stamp)
}

impl Rings {
    fn secs(&self, now: Instant) -> u32 {
        now.saturating_duration_since(self.epoch).as_secs().min(u32::MAX as u64) as u32
    }

    fn find(&self, namespace: &str, name: &str) -> Option<u32> {
        let hash = self.hasher.hash_one((namespace, name));
        let slots = &self.slots;
        let eq = |&i: &u32| {
            let s = &slots[i as usize];
            s.namespace == namespace && s.name == name
        };
        self.index.find(hash, eq).copied()
    }

    /// The ring of `namespace/name`, made when there is none, fed `point` when `stamp` is new.
    fn feed(&mut self, namespace: &str, name: &str, stamp: u64, point: Point, now: Instant) -> Ring {
        let fed = self.secs(now);
        let slot = match self.find(namespace, name) {
            Some(i) => i,
            None => self.add(namespace, name, stamp, fed),
        };
        let s = &mut self.slots[slot as usize];
        s.fed = fed;
        if s.stamp != stamp || s.len == 0 {
            s.stamp = stamp;
            s.points[s.next as usize] = point;
            s.next = ((s.next as usize + 1) % TREND_LEN) as u8;
            s.len = (s.len + 1).min(TREND_LEN as u8);
        }
        Ring {
            slot,
            generation: s.generation,
        }
    }

    fn add(&mut self, namespace: &str, name: &str, stamp: u64, fed: u32) -> u32 {
        let fresh = |generation| Slot {
            namespace: namespace.into(),
            name: name.into(),
            generation,
            live: true,
            stamp,
            fed,
            len: 0,
            next: 0,
            points: [Point::default(); TREND_LEN],
        };
        let slot = match self.free.pop() {
            Some(i) => {
                let s = &mut self.slots[i as usize];
                *s = fresh(s.generation.wrapping_add(1));
                i
            }
            None => {
                self.slots.push(fresh(0));
                (self.slots.len() - 1) as u32
            }
        };
        let hash = self.hasher.hash_one((namespace, name));
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index.insert_unique(hash, slot, |&i| {
            let s = &slots[i as usize];
            hasher.hash_one((s.namespace.as_str(), s.name.as_str()))
        });
        slot
    }

    /// Drop the rings not fed for [`TREND_IDLE`]: their slots are given to the next new objects.
    fn sweep(&mut self, now: Instant) {
        let Some(before) = self.secs(now).checked_sub(TREND_IDLE.as_secs() as u32) else {
            return;
        };
        for i in 0..self.slots.len() {
            let s = &self.slots[i];
            if !s.live || s.fed >= before {
                continue;
            }
            let hash = self.hasher.hash_one((s.namespace.as_str(), s.name.as_str()));
            if let Ok(entry) = self.index.find_entry(hash, |&j| j as usize == i) {
                entry.remove();
            }
            let s = &mut self.slots[i];
            s.live = false;
            s.generation = s.generation.wrapping_add(1);
            s.namespace = Text::default();
            s.name = Text::default();
            self.free.push(i as u32);
        }
    }

    fn points(&self, slot: usize) -> Vec<Point> {
        let s = &self.slots[slot];
        let (len, next) = (s.len as usize, s.next as usize);
        // The oldest point is at `next` once the ring is full, at 0 before.
        let start = if len == TREND_LEN { next } else { 0 };
        (0..len).map(|k| s.points[(start + k) % TREND_LEN]).collect()
    }
}

/// Objects fed per hold of the write lock: a frame reading a trend waits for at most this many.
const FEED_CHUNK: usize = 4096;

impl Trends {
    /// Feed the ring of each of `objects` (namespace, name, `timestamp` hash, point), in chunks
    /// under the write lock, then drop the rings not fed for [`TREND_IDLE`]; `ring(i, r)` is told
    /// each object's ring.
    pub fn feed<'a>(
        &self,
        objects: impl ExactSizeIterator<Item = (&'a str, &'a str, u64, Point)>,
        now: Instant,
        mut ring: impl FnMut(usize, Ring),
    ) {
        let mut objects = objects.enumerate().peekable();
        while objects.peek().is_some() {
            let mut rings = self.rings.write();
            for (i, (namespace, name, stamp, point)) in objects.by_ref().take(FEED_CHUNK) {
                ring(i, rings.feed(namespace, name, stamp, point, now));
            }
        }
        self.rings.write().sweep(now);
    }

    /// The points of `ring`, oldest first (none when its slot went to another object).
    pub fn points(&self, ring: Ring) -> Vec<Point> {
        let rings = self.rings.read();
        match rings.slots.get(ring.slot as usize) {
            Some(s) if s.live && s.generation == ring.generation => rings.points(ring.slot as usize),
            _ => Vec::new(),
        }
    }

    /// The points of `namespace/name`'s ring, oldest first (none: not seen in the last samples).
    pub fn of(&self, namespace: &str, name: &str) -> Vec<Point> {
        let rings = self.rings.read();
        rings
            .find(namespace, name)
            .map(|i| rings.points(i as usize))
            .unwrap_or_default()
    }

    /// Rings held and the bytes they take (slots, index, names beyond what fits in place).
    pub fn memory(&self) -> (usize, usize) {
        let rings = self.rings.read();
        let heap: usize = rings
            .slots
            .iter()
            .map(|s: &Slot| {
                [&s.namespace, &s.name]
                    .iter()
                    .filter(|t| t.is_heap_allocated())
                    .map(|t| t.capacity())
                    .sum::<usize>()
            })
            .sum();
        let bytes = rings.slots.capacity() * std::mem::size_of::<Slot>()
            + rings.index.capacity() * (std::mem::size_of::<u32>() + 1)
            + rings.free.capacity() * 4
            + heap;
        (rings.slots.len() - rings.free.len(), bytes)
    }
}

/// The rings after `samples` LISTs of `pods` pods (each a newer `timestamp`): how many rings and the
/// bytes they hold (the `ui_scale` bench's figure).
pub fn measure(pods: usize, samples: usize) -> (usize, usize) {
    let t = Trends::default();
    let names: Vec<(String, String)> = (0..pods)
        .map(|i| (format!("bulk-{:02}", i % 10), format!("load-{:04}-{i:06}", i / 100)))
        .collect();
    let now = Instant::now();
    for s in 0..samples {
        let point = |i: usize| Point {
            cpu: (i + s) as u32,
            mem_ki: 64 << 10,
        };
        let objects = names
            .iter()
            .enumerate()
            .map(|(i, (ns, n))| (ns.as_str(), n.as_str(), s as u64, point(i)));
        t.feed(objects, now, |_, _| {});
    }
    t.memory()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(cpu: u32) -> Point {
        Point { cpu, mem_ki: cpu * 2 }
    }

    #[test]
    fn a_ring_keeps_the_last_thirty_points_of_new_samples_only() {
        let t = Trends::default();
        let now = Instant::now();
        let mut last = None;
        for s in 0..TREND_LEN as u32 + 3 {
            t.feed([("shop", "web-1", u64::from(s), p(s))].into_iter(), now, |_, r| {
                last = Some(r)
            });
            // The same sample again (its timestamp unchanged) adds nothing.
            t.feed([("shop", "web-1", u64::from(s), p(99))].into_iter(), now, |_, _| {});
        }
        let cpu: Vec<u32> = t.points(last.unwrap()).iter().map(|p| p.cpu).collect();
        assert_eq!(cpu, (3..TREND_LEN as u32 + 3).collect::<Vec<_>>());
        assert_eq!(t.of("shop", "web-1"), t.points(last.unwrap()));
        assert!(t.of("shop", "web-2").is_empty());
        assert_eq!(t.memory().0, 1);
    }

    #[test]
    fn a_ring_not_fed_for_ten_minutes_is_dropped_and_its_slot_never_shows_another_object() {
        let t = Trends::default();
        let start = Instant::now();
        let mut old = None;
        t.feed([("shop", "gone", 1, p(7))].into_iter(), start, |_, r| old = Some(r));
        let later = start + TREND_IDLE + Duration::from_secs(1);
        let mut new = None;
        t.feed([("shop", "new", 1, p(8))].into_iter(), later, |_, r| new = Some(r));
        let (old, new) = (old.unwrap(), new.unwrap());
        assert!(t.of("shop", "gone").is_empty());
        assert_eq!(t.points(new), [p(8)]);
        // The next new object takes the dropped slot: a sample still naming the old ring reads nothing.
        let mut again = None;
        t.feed(
            [("shop", "new", 1, p(8)), ("shop", "third", 1, p(9))].into_iter(),
            later,
            |i, r| {
                if i == 1 {
                    again = Some(r)
                }
            },
        );
        assert_eq!(again.unwrap().slot, old.slot);
        assert!(t.points(old).is_empty());
        assert_eq!(t.points(again.unwrap()), [p(9)]);
        assert_eq!(t.memory().0, 2);
    }

    #[test]
    fn rings_cost_little_more_than_their_points() {
        let (n, bytes) = measure(10_000, TREND_LEN + 5);
        assert_eq!(n, 10_000);
        // 240 bytes of points, the slot's names in place, the index: it was 390 a pod (a map keyed by
        // two strings, a slice of points per ring reallocated every sample).
        assert!(bytes / n < 340, "{} bytes per pod", bytes / n);
    }
}
