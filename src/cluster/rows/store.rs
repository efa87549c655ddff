//! The rows of one watch, kept up to date from kube-rs watcher events, with reflector semantics.

use std::collections::HashMap;
use std::sync::Arc;

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
}

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
            *self.rows.write() = fresh;
        }
    }

    fn put(&self, key: String, row: Row) {
        self.rows.write().insert(key, Arc::new(row));
    }

    fn remove(&self, key: &str) {
        self.rows.write().remove(key);
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
