//! The rows of one watch, kept up to date from kube-rs watcher events, with reflector semantics.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kube::Resource;
use kube::runtime::watcher::Event;
use parking_lot::RwLock;

use super::Row;

/// The rows of one watch, keyed by namespace/name as the reflector keys its objects.
#[derive(Debug, Default)]
pub struct RowStore {
    rows: RwLock<HashMap<String, Arc<Row>>>,
    /// Rows of a (re)list in progress; they replace `rows` at once when it ends, as a reflector does,
    /// so that a re-list after 410 Gone leaves nothing ghostly behind and shows no half-list.
    buffer: parking_lot::Mutex<Option<HashMap<String, Arc<Row>>>>,
    /// The keys changed lately, so that a reader (the header's counts) can take what changed since
    /// it last read rather than every row. Locked after `rows`.
    log: parking_lot::Mutex<Log>,
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
            Event::Init => *self.buffer.lock() = Some(HashMap::new()),
            Event::InitApply(obj) => self.listed(key_of(obj), project(obj)),
            Event::InitDone => self.synced(),
            Event::Apply(obj) => self.put(key_of(obj), project(obj)),
            Event::Delete(obj) => self.remove(&key_of(obj)),
        }
    }

    /// Apply one event of rows already projected (a Table watch's), keyed by namespace/name.
    pub fn apply_rows(&self, event: &mut Event<Row>) {
        let key = |r: &Row| format!("{}/{}", r.namespace, r.name);
        match event {
            Event::Init => *self.buffer.lock() = Some(HashMap::new()),
            Event::InitApply(row) => self.listed(key(row), std::mem::take(row)),
            Event::InitDone => self.synced(),
            Event::Apply(row) => self.put(key(row), std::mem::take(row)),
            Event::Delete(row) => self.remove(&key(row)),
        }
    }

    fn listed(&self, key: String, row: Row) {
        self.buffer
            .lock()
            .get_or_insert_with(HashMap::new)
            .insert(key, Arc::new(row));
    }

    fn synced(&self) {
        if let Some(fresh) = self.buffer.lock().take() {
            let mut rows = self.rows.write();
            *rows = fresh;
            *self.log.lock() = Log::default();
        }
    }

    fn put(&self, key: String, row: Row) {
        let mut rows = self.rows.write();
        let was = rows.insert(key.clone(), Arc::new(row)).is_some();
        self.note(key, was, rows.len());
    }

    fn remove(&self, key: &str) {
        let mut rows = self.rows.write();
        if rows.remove(key).is_some() {
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
            return (Changes::All(rows.values().cloned().collect()), next);
        }
        let mut seen = std::collections::HashSet::new();
        let changed = log
            .keys
            .range((mark.seq - log.start) as usize..)
            .filter(|(key, _)| seen.insert(key.as_str()))
            .map(|(key, was)| Change {
                key: key.clone(),
                was: *was,
                row: rows.get(key).cloned(),
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
        let mut key = String::new();
        let mut adopted = 0;
        for (b, s) in base.iter().zip(shown) {
            if Arc::ptr_eq(b, s) {
                continue;
            }
            key.clear();
            key.push_str(&b.namespace);
            key.push('/');
            key.push_str(&b.name);
            if let Some(held) = rows.get_mut(key.as_str())
                && Arc::ptr_eq(held, b)
            {
                *held = s.clone();
                adopted += 1;
            }
        }
        adopted
    }

    /// Every row, in no particular order (cheap: the rows are shared, not copied).
    pub fn rows(&self) -> Vec<Arc<Row>> {
        self.rows.read().values().cloned().collect()
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
