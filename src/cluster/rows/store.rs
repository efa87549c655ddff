//! The rows of one watch, kept up to date from kube-rs watcher events, with reflector semantics.

use std::borrow::Borrow;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kube::Resource;
use kube::runtime::watcher::Event;
use parking_lot::RwLock;

use model::quantity::Capacity;

use super::{Labels, Owners, Row};

/// The rows of one watch, keyed by namespace/name as the reflector keys its objects.
#[derive(Debug, Default)]
pub struct RowStore {
    rows: RwLock<Rows>,
    /// Rows of a (re)list in progress; they replace `rows` at once when it ends, as a reflector does,
    /// so that a re-list after 410 Gone leaves nothing ghostly behind and shows no half-list.
    buffer: parking_lot::Mutex<Option<Rows>>,
    /// The keys changed lately, so that a reader (the header's counts) can take what changed since
    /// it last read rather than every row. Locked after `rows`.
    log: parking_lot::Mutex<Log>,
    /// Label sets, owners and capacities of the rows stored lately (see [`Recent`]).
    recent: parking_lot::Mutex<Recent>,
}

/// How many label sets (and owner lists) new rows are compared with.
const RECENT: usize = 8;

/// The label sets, owner lists and capacities of the rows stored lately, most recent first, so
/// that a row with the same ones shares their copy: the pods of one ReplicaSet, which a list gives
/// one after another (by name), hold one copy rather than one each. No table to sweep: what is not
/// among the last few is simply not shared.
#[derive(Debug, Default)]
struct Recent {
    labels: VecDeque<Labels>,
    owners: VecDeque<Owners>,
    capacities: VecDeque<Arc<Capacity>>,
}

/// `held` made to share an equal one of `recent`, or remembered there.
fn share<T: PartialEq + ?Sized>(recent: &mut VecDeque<std::sync::Arc<T>>, held: &mut std::sync::Arc<T>) {
    match recent.iter().position(|r| **r == **held) {
        Some(0) => *held = recent[0].clone(),
        Some(i) => {
            let r = recent.remove(i).expect("found");
            *held = r.clone();
            recent.push_front(r);
        }
        None => {
            recent.push_front(held.clone());
            recent.truncate(RECENT);
        }
    }
}

/// Where a reader of a store's changes has read up to (see [`RowStore::changes`]); the default
/// has read nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    epoch: u64,
    seq: u64,
}

/// What changed in a store since a reader's mark.
#[derive(Debug)]
pub enum Changes {
    /// Every row: the mark was of other rows (never read, a re-list or another store since) or
    /// too many changes ago to list them.
    All(Vec<Arc<Row>>),
    /// The rows changed since the mark, each once.
    Since(Vec<Change>),
}

/// One key changed since a mark.
#[derive(Debug)]
pub struct Change {
    /// Its key (namespace/name).
    pub key: String,
    /// Whether the store held the key at the mark.
    pub was: bool,
    /// The row now; None once deleted.
    pub row: Option<Arc<Row>>,
}

/// Rows found by their namespace and name, which the rows hold themselves: a `namespace/name`
/// String a row was ~70 bytes a pod.
type Rows = HashSet<Held>;

/// A held row, hashed and compared by its namespace and name.
#[derive(Debug, Clone)]
struct Held(Arc<Row>);

/// What a held row is found by.
trait Id {
    /// Namespace ("" for cluster-scoped objects) and name.
    fn id(&self) -> (&str, &str);
}

impl Id for Held {
    fn id(&self) -> (&str, &str) {
        (&self.0.namespace, &self.0.name)
    }
}

impl Id for (&str, &str) {
    fn id(&self) -> (&str, &str) {
        *self
    }
}

impl Hash for dyn Id + '_ {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.id().hash(h);
    }
}

impl PartialEq for dyn Id + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for dyn Id + '_ {}

impl Hash for Held {
    fn hash<H: Hasher>(&self, h: &mut H) {
        // As `dyn Id` hashes, so that a lookup by (namespace, name) finds it.
        (self as &dyn Id).hash(h);
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Held {}

impl<'a> Borrow<dyn Id + 'a> for Held {
    fn borrow(&self) -> &(dyn Id + 'a) {
        self
    }
}

/// A log key (namespace/name) as the (namespace, name) rows are found by; namespaces hold no '/'.
fn id_of(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

/// Epochs are unique across stores, so a mark never applies to another store's rows.
static EPOCHS: AtomicU64 = AtomicU64::new(1);

/// The changed keys, numbered from `start`, of the rows as of `epoch` (a new epoch on each
/// re-list, when the rows are replaced at once).
#[derive(Debug)]
struct Log {
    epoch: u64,
    start: u64,
    keys: VecDeque<(String, bool)>,
}

impl Default for Log {
    fn default() -> Log {
        Log {
            epoch: EPOCHS.fetch_add(1, Ordering::Relaxed),
            start: 0,
            keys: VecDeque::new(),
        }
    }
}

/// The log keeps at least this many changes (and a sixteenth of the rows): a reader further
/// behind reads every row, which costs about as much as that many changes.
const LOG_MIN: usize = 4096;

fn key_of<K: Resource>(obj: &K) -> String {
    let meta = obj.meta();
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or(""),
        meta.name.as_deref().unwrap_or("")
    )
}

impl RowStore {
    /// Apply one watcher event, projecting objects with `project`.
    pub fn apply<K: Resource>(&self, event: &Event<K>, project: impl Fn(&K) -> Row) {
        match event {
            Event::Init => *self.buffer.lock() = Some(Rows::new()),
            Event::InitApply(obj) => self.listed(project(obj)),
            Event::InitDone => self.synced(),
            Event::Apply(obj) => self.put(key_of(obj), project(obj)),
            Event::Delete(obj) => self.remove(&key_of(obj)),
        }
    }

    /// Apply one event of rows already projected (a Table watch's), keyed by namespace/name.
    pub fn apply_rows(&self, event: &mut Event<Row>) {
        let key = |r: &Row| format!("{}/{}", r.namespace, r.name);
        match event {
            Event::Init => *self.buffer.lock() = Some(Rows::new()),
            Event::InitApply(row) => self.listed(std::mem::take(row)),
            Event::InitDone => self.synced(),
            Event::Apply(row) => self.put(key(row), std::mem::take(row)),
            Event::Delete(row) => self.remove(&key(row)),
        }
    }

    /// `row` sharing the labels, owners and capacity of a row stored lately where they are the same.
    fn shared(&self, mut row: Row) -> Row {
        let mut recent = self.recent.lock();
        if !row.labels.is_empty() {
            share(&mut recent.labels, &mut row.labels);
        }
        if !row.owners.is_empty() {
            share(&mut recent.owners, &mut row.owners);
        }
        if let Some(capacity) = &mut row.capacity {
            share(&mut recent.capacities, capacity);
        }
        row
    }

    fn listed(&self, row: Row) {
        let row = self.shared(row);
        self.buffer
            .lock()
            .get_or_insert_with(Rows::new)
            .replace(Held(Arc::new(row)));
    }

    fn synced(&self) {
        if let Some(fresh) = self.buffer.lock().take() {
            let mut rows = self.rows.write();
            *rows = fresh;
            *self.log.lock() = Log::default();
        }
    }

    fn put(&self, key: String, row: Row) {
        let row = self.shared(row);
        let mut rows = self.rows.write();
        let was = rows.replace(Held(Arc::new(row))).is_some();
        self.note(key, was, rows.len());
    }

    fn remove(&self, key: &str) {
        let mut rows = self.rows.write();
        if rows.remove(&id_of(key) as &dyn Id) {
            self.note(key.to_string(), true, rows.len());
        }
    }

    /// Log a changed key (called with `rows` locked for writing, so readers see both or neither).
    fn note(&self, key: String, was: bool, len: usize) {
        let mut log = self.log.lock();
        log.keys.push_back((key, was));
        let cap = LOG_MIN.max(len / 16);
        while log.keys.len() > cap {
            log.keys.pop_front();
            log.start += 1;
        }
    }

    /// What changed since `mark`, and the mark to read from next time. Rows adopted
    /// ([`RowStore::adopt`]) are not changes: their content is the watch's.
    pub fn changes(&self, mark: Mark) -> (Changes, Mark) {
        let rows = self.rows.read();
        let log = self.log.lock();
        let next = Mark {
            epoch: log.epoch,
            seq: log.start + log.keys.len() as u64,
        };
        if mark.epoch != log.epoch || mark.seq < log.start || mark.seq > next.seq {
            return (Changes::All(rows.iter().map(|h| h.0.clone()).collect()), next);
        }
        let mut seen = std::collections::HashSet::new();
        let changed = log
            .keys
            .range((mark.seq - log.start) as usize..)
            .filter(|(key, _)| seen.insert(key.as_str()))
            .map(|(key, was)| Change {
                key: key.clone(),
                was: *was,
                row: rows.get(&id_of(key) as &dyn Id).map(|h| h.0.clone()),
            })
            .collect();
        (Changes::Since(changed), next)
    }

    /// Hold `shown[i]` (the row as a view shows it: `base[i]` with the cells other watches and usage
    /// fill) in place of `base[i]`, where that is still the row held (one changed since stays), so
    /// that the cache and the view share one copy of each row rather than each keeping its own. The
    /// rows' content is the watch's plus cells, so the generation does not move. Rows adopted.
    pub fn adopt(&self, base: &[Arc<Row>], shown: &[Arc<Row>]) -> usize {
        let mut rows = self.rows.write();
        let mut adopted = 0;
        for (b, s) in base.iter().zip(shown) {
            if Arc::ptr_eq(b, s) {
                continue;
            }
            if rows
                .get(&(b.namespace.as_str(), b.name.as_str()) as &dyn Id)
                .is_some_and(|held| Arc::ptr_eq(&held.0, b))
            {
                rows.replace(Held(s.clone()));
                adopted += 1;
            }
        }
        adopted
    }

    /// Every row, in no particular order (cheap: the rows are shared, not copied).
    pub fn rows(&self) -> Vec<Arc<Row>> {
        self.rows.read().iter().map(|h| h.0.clone()).collect()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.read().len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(name: &str) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some("ns".into());
        p
    }

    fn names(s: &RowStore) -> Vec<String> {
        let mut v: Vec<String> = s.rows().iter().map(|r| r.name.to_string()).collect();
        v.sort();
        v
    }

    fn project(p: &Pod) -> Row {
        Row {
            namespace: p.metadata.namespace.clone().unwrap_or_default().into(),
            name: p.metadata.name.clone().unwrap_or_default().into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_relist_replaces_every_row_at_once() {
        let s = RowStore::default();
        s.apply(&Event::Apply(pod("a")), project);
        s.apply(&Event::Apply(pod("b")), project);
        s.apply(&Event::Delete(pod("a")), project);
        assert_eq!(names(&s), ["b"]);
        // A re-list (after 410 Gone) that no longer holds "b": until it ends, the old rows stay.
        s.apply::<Pod>(&Event::Init, project);
        s.apply(&Event::InitApply(pod("c")), project);
        assert_eq!(names(&s), ["b"]);
        s.apply::<Pod>(&Event::InitDone, project);
        assert_eq!(names(&s), ["c"]);
    }

    /// (key, was, name of the row now) of each change.
    fn since(c: Changes) -> Vec<(String, bool, Option<String>)> {
        let Changes::Since(list) = c else {
            panic!("every row, not what changed")
        };
        let mut v: Vec<_> = list
            .into_iter()
            .map(|c| (c.key, c.was, c.row.map(|r| r.name.to_string())))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_reader_gets_each_changed_key_once_and_every_row_after_a_relist() {
        let s = RowStore::default();
        s.apply(&Event::Apply(pod("a")), project);
        let (first, mark) = s.changes(Mark::default());
        assert!(matches!(first, Changes::All(rows) if rows.len() == 1));
        s.apply(&Event::Apply(pod("a")), project);
        s.apply(&Event::Apply(pod("b")), project);
        s.apply(&Event::Apply(pod("c")), project);
        s.apply(&Event::Delete(pod("c")), project);
        s.apply(&Event::Delete(pod("zz")), project);
        let (c, mark) = s.changes(mark);
        assert_eq!(
            since(c),
            [
                ("ns/a".into(), true, Some("a".into())),
                ("ns/b".into(), false, Some("b".into())),
                ("ns/c".into(), false, None),
            ]
        );
        let (c, mark) = s.changes(mark);
        assert_eq!(since(c), []);
        s.apply::<Pod>(&Event::Init, project);
        s.apply(&Event::InitApply(pod("d")), project);
        s.apply::<Pod>(&Event::InitDone, project);
        assert!(matches!(s.changes(mark).0, Changes::All(rows) if rows.len() == 1));
        // Another store's mark is not this one's.
        assert!(matches!(RowStore::default().changes(mark).0, Changes::All(_)));
    }

    #[test]
    fn rows_are_found_by_their_own_namespace_and_name_cluster_scoped_too() {
        let s = RowStore::default();
        let node = |name: &str| {
            let mut p = pod(name);
            p.metadata.namespace = None;
            p
        };
        s.apply(&Event::Apply(node("n1")), project);
        s.apply(&Event::Apply(pod("n1")), project);
        let (_, mark) = s.changes(Mark::default());
        // A change replaces the row held (not kept beside it), and a delete finds it by its log key.
        s.apply(&Event::Apply(node("n1")), project);
        s.apply(&Event::Delete(pod("n1")), project);
        assert_eq!(
            since(s.changes(mark).0),
            [("/n1".into(), true, Some("n1".into())), ("ns/n1".into(), true, None)]
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s.rows()[0].namespace, "");
    }

    #[test]
    fn rows_with_the_labels_owners_and_capacity_of_a_recent_row_share_them() {
        let s = RowStore::default();
        let labelled = |name: &str, rs: &str| {
            let mut p = pod(name);
            p.metadata.labels = Some([("app".to_string(), rs.to_string())].into());
            p.metadata.owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                uid: format!("uid-{rs}"),
                ..Default::default()
            }]);
            p
        };
        // Pods of ReplicaSet "a" request 1m of CPU, those of "b" 2m.
        let of_pod_meta = |p: &Pod| {
            let name = p.metadata.name.as_deref().unwrap_or("");
            Row {
                capacity: Some(Arc::new(Capacity::Pod {
                    cpu_request: Some(if name.starts_with('a') { 1 } else { 2 }),
                    cpu_limit: None,
                    mem_request: None,
                    mem_limit: None,
                })),
                ..Row::of_meta(&p.metadata)
            }
        };
        s.apply::<Pod>(&Event::Init, of_pod_meta);
        for (name, rs) in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("b2", "b")] {
            s.apply(&Event::InitApply(labelled(name, rs)), of_pod_meta);
        }
        s.apply::<Pod>(&Event::InitDone, of_pod_meta);
        s.apply(&Event::Apply(labelled("a3", "a")), of_pod_meta);
        let mut rows = s.rows();
        rows.sort_by(|x, y| x.name.cmp(&y.name));
        let (a, b) = (&rows[0], &rows[3]);
        for r in &rows {
            let like = if r.name.starts_with('a') { a } else { b };
            assert!(
                Arc::ptr_eq(&r.labels, &like.labels),
                "{} has a copy of its labels",
                r.name
            );
            assert!(
                Arc::ptr_eq(&r.owners, &like.owners),
                "{} has a copy of its owners",
                r.name
            );
            let (cap, like) = (r.capacity.as_ref().unwrap(), like.capacity.as_ref().unwrap());
            assert!(Arc::ptr_eq(cap, like), "{} has a copy of its capacity", r.name);
        }
        // Shared, still each row's own.
        assert_eq!(a.label("app"), Some("a"));
        assert_eq!(*b.owners, ["uid-b"]);
        assert!(matches!(
            b.capacity.as_deref(),
            Some(Capacity::Pod {
                cpu_request: Some(2),
                ..
            })
        ));
    }

    #[test]
    fn a_reader_too_far_behind_gets_every_row() {
        let s = RowStore::default();
        let (_, mark) = s.changes(Mark::default());
        for i in 0..=LOG_MIN {
            s.apply(&Event::Apply(pod(&format!("p{}", i % 3))), project);
        }
        assert!(matches!(s.changes(mark).0, Changes::All(rows) if rows.len() == 3));
    }

    #[test]
    fn an_adopted_row_replaces_its_base_unless_the_watch_changed_it_since() {
        let s = RowStore::default();
        s.apply(&Event::Apply(pod("a")), project);
        s.apply(&Event::Apply(pod("b")), project);
        let mut base = s.rows();
        base.sort_by(|x, y| x.name.cmp(&y.name));
        let shown: Vec<Arc<Row>> = base
            .iter()
            .map(|r| {
                Arc::new(Row {
                    cells: vec!["1m".into()],
                    ..(**r).clone()
                })
            })
            .collect();
        // "b" changes in between: its new row stays, its old shown copy is not taken.
        s.apply(&Event::Apply(pod("b")), project);
        assert_eq!(s.adopt(&base, &shown), 1);
        let held = s.rows();
        let a = held.iter().find(|r| r.name == "a").unwrap();
        assert!(
            Arc::ptr_eq(a, &shown[0]),
            "the cache holds the shown row itself, not a copy"
        );
        let b = held.iter().find(|r| r.name == "b").unwrap();
        assert!(b.cells.is_empty() && !Arc::ptr_eq(b, &base[1]));
    }
}
