//! Versioned object storage with one global resourceVersion and a retained window of watch events.
//!
//! Objects are kept as serialized JSON (what LIST and WATCH send) plus the few parsed facts that
//! selectors, garbage collection and controllers index on, so 100,000 pods cost little more than
//! their JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::index::index;
pub use super::index::{Key, Obj, selectable_fields};
use super::managed::{Writer, stamp_create, stamp_update};
use super::resources::{RESOURCES, ResId, res};
use super::status::ApiError;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// Created.
    Added,
    /// Changed.
    Modified,
    /// Removed for good.
    Deleted,
}

impl EventType {
    /// The watch event `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watchers see it. Its resourceVersion is `obj.rv`.
#[derive(Debug)]
pub struct Event {
    /// Kind of change.
    pub kind: EventType,
    /// The object after the change (for a delete: its last state, stamped with the delete's version).
    pub obj: Arc<Obj>,
    /// The object before the change, so watches with selectors can turn moves into ADDED/DELETED.
    pub prev: Option<Arc<Obj>>,
}

/// Normalises an object as a decode into the API types and an encode back would: `null`
/// members, empty lists, and empty maps of map-typed fields (all `omitempty` in the Go types)
/// disappear, so a client that sends `"annotations": {}` stores the same object as one that
/// leaves it out. Empty structs such as `resources: {}` stay, as they do on the real server.
pub fn normalize(v: &mut Value) {
    const MAPS: &[&str] = &[
        "labels",
        "annotations",
        "nodeSelector",
        "matchLabels",
        "data",
        "stringData",
        "binaryData",
    ];
    match v {
        Value::Object(m) => {
            m.retain(|k, x| match x {
                Value::Null => false,
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !(o.is_empty() && MAPS.contains(&k.as_str())),
                _ => true,
            });
            m.values_mut().for_each(normalize);
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// A fresh uid in the usual 8-4-4-4-12 form.
pub fn new_uid() -> String {
    let mut b: [u8; 16] = rand::random();
    // RFC 4122 version 4, as the API server's uids are.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The current time as the API server writes timestamps.
pub fn now_str() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn random_suffix(n: usize) -> String {
    // The alphabet of the real name generator: no vowels, no confusable digits.
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..n)
        .map(|_| ALPHA[rand::random_range(0..ALPHA.len())] as char)
        .collect()
}

/// What one established CRD serves.
#[derive(Debug, Clone)]
pub struct Served {
    /// Served versions in discovery order (preferred first).
    pub defs: Vec<ResId>,
    /// Where its objects are stored: every served version reads and writes the storage version's
    /// objects (the demo cluster converts nothing; `conversion.strategy: None` changes only
    /// `apiVersion`, which the demo does not rewrite).
    pub storage: ResId,
}

/// Retained events after a version, and a receiver for the live ones.
pub type WatchStart = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

/// Who is writing: the API (client requests) or the simulation's own controllers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client request: server-owned metadata is overwritten.
    Api,
    /// The simulation: may preset creationTimestamp (to make ages realistic).
    Internal,
}

type ObjMap = BTreeMap<(String, String), Arc<Obj>>;

/// What a resource without objects (a custom resource never written) lists.
static EMPTY: ObjMap = BTreeMap::new();

struct Inner {
    rv: u64,
    /// Objects by resource id; custom resources' maps are added when first written.
    objs: Vec<ObjMap>,
    /// owner uid → dependents, for garbage collection.
    owned: HashMap<String, BTreeSet<Key>>,
    history: VecDeque<Arc<Event>>,
    /// A watch from a resourceVersion below this one has lost events: 410.
    compacted_below: u64,
}

/// The object store shared by the HTTP server and the simulated controllers.
pub struct Store {
    inner: Mutex<Inner>,
    /// The custom resources this cluster serves, by CRD name (see `crd::served`).
    pub(crate) custom: Mutex<BTreeMap<String, Served>>,
    tx: broadcast::Sender<Arc<Event>>,
    history_cap: usize,
}

impl Inner {
    fn map(&self, id: ResId) -> &ObjMap {
        self.objs.get(id.0 as usize).unwrap_or(&EMPTY)
    }

    fn map_mut(&mut self, id: ResId) -> &mut ObjMap {
        let i = id.0 as usize;
        if self.objs.len() <= i {
            self.objs.resize_with(i + 1, BTreeMap::new);
        }
        &mut self.objs[i]
    }

    fn push(&mut self, ev: Event, tx: &broadcast::Sender<Arc<Event>>, cap: usize) {
        let ev = Arc::new(ev);
        self.history.push_back(ev.clone());
        while self.history.len() > cap {
            if let Some(old) = self.history.pop_front() {
                self.compacted_below = old.obj.rv;
            }
        }
        let _ = tx.send(ev);
    }

    fn link(&mut self, o: &Obj) {
        for u in &o.owners {
            self.owned.entry(u.clone()).or_default().insert(o.key());
        }
    }

    fn unlink(&mut self, o: &Obj) {
        for u in &o.owners {
            if let Some(set) = self.owned.get_mut(u) {
                set.remove(&o.key());
                if set.is_empty() {
                    self.owned.remove(u);
                }
            }
        }
    }
}

impl Store {
    /// A store that retains the last `history_cap` events for watches.
    pub fn new(history_cap: usize) -> Self {
        let (tx, _) = broadcast::channel(1 << 16);
        Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objs: vec![BTreeMap::new(); RESOURCES.len()],
                owned: HashMap::new(),
                history: VecDeque::new(),
                compacted_below: 0,
            }),
            custom: Mutex::new(BTreeMap::new()),
            tx,
            history_cap,
        }
    }

    /// The current global resourceVersion.
    pub fn rv(&self) -> u64 {
        self.inner.lock().rv
    }

    /// One object.
    pub fn get(&self, id: ResId, ns: &str, name: &str) -> Option<Arc<Obj>> {
        self.inner
            .lock()
            .map(id)
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// One object, parsed.
    pub fn get_value(&self, id: ResId, ns: &str, name: &str) -> Option<Value> {
        self.get(id, ns, name).map(|o| o.value())
    }

    /// Every object of a resource (in one namespace, or all), ordered by namespace and name, with the list's resourceVersion.
    pub fn list(&self, id: ResId, ns: Option<&str>) -> (Vec<Arc<Obj>>, u64) {
        let g = self.inner.lock();
        let map = g.map(id);
        let items = match ns {
            Some(ns) => map
                .range((ns.to_string(), String::new())..)
                .take_while(|((n, _), _)| n == ns)
                .map(|(_, o)| o.clone())
                .collect(),
            None => map.values().cloned().collect(),
        };
        (items, g.rv)
    }

    /// One page of a LIST: up to `limit` objects after the key `after` that satisfy `keep`, in key
    /// order, and whether more follow. Only the page is collected, so paging through 100,000 pods
    /// costs what one full LIST costs.
    pub fn list_page(
        &self,
        id: ResId,
        ns: Option<&str>,
        after: Option<(&str, &str)>,
        limit: usize,
        keep: impl Fn(&Obj) -> bool,
    ) -> (Vec<Arc<Obj>>, bool) {
        use std::ops::Bound;
        let g = self.inner.lock();
        let map = g.map(id);
        let start = match (after, ns) {
            (Some((n, m)), _) => Bound::Excluded((n.to_string(), m.to_string())),
            (None, Some(n)) => Bound::Included((n.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        let mut it = map
            .range((start, Bound::Unbounded))
            .take_while(|((n, _), _)| ns.is_none_or(|want| want == n))
            .map(|(_, o)| o)
            .filter(|o| keep(o));
        let page: Vec<Arc<Obj>> = it.by_ref().take(limit).cloned().collect();
        let more = it.next().is_some();
        (page, more)
    }

    /// Number of objects after the key `after` (in one namespace, or all): LIST's remainingItemCount.
    pub fn count_after(&self, id: ResId, ns: Option<&str>, after: (&str, &str)) -> usize {
        use std::ops::Bound;
        let g = self.inner.lock();
        let start = Bound::Excluded((after.0.to_string(), after.1.to_string()));
        g.map(id)
            .range((start, Bound::Unbounded))
            .take_while(|((n, _), _)| ns.is_none_or(|want| want == n))
            .count()
    }

    /// Number of objects of a resource.
    pub fn count(&self, id: ResId) -> usize {
        self.inner.lock().map(id).len()
    }

    /// Objects whose ownerReferences name this uid.
    pub fn dependents(&self, owner_uid: &str) -> Vec<Key> {
        self.inner
            .lock()
            .owned
            .get(owner_uid)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Creates an object; `metadata.namespace` must already be set for namespaced resources.
    pub fn create(&self, id: ResId, v: Value, origin: Origin) -> Result<Arc<Obj>, ApiError> {
        self.create_by(id, v, origin, None)
    }

    /// [`Store::create`] recording `by` as the creator in managedFields (`None`: the simulation's
    /// component that creates such objects).
    pub fn create_by(&self, id: ResId, mut v: Value, origin: Origin, by: Option<Writer>) -> Result<Arc<Obj>, ApiError> {
        let def = id.def();
        if !v["metadata"].is_object() {
            v["metadata"] = json!({});
        }
        let md = &mut v["metadata"];
        if md["name"].as_str().unwrap_or("").is_empty() {
            match md["generateName"].as_str() {
                Some(prefix) if !prefix.is_empty() => md["name"] = json!(format!("{prefix}{}", random_suffix(5))),
                _ => {
                    return Err(ApiError::invalid(
                        def,
                        "",
                        vec![super::status::Cause::required("metadata.name")],
                    ));
                }
            }
        }
        let name = md["name"].as_str().unwrap_or_default().to_string();
        let ns = if def.namespaced {
            md["namespace"].as_str().unwrap_or("default").to_string()
        } else {
            String::new()
        };
        if def.namespaced {
            md["namespace"] = json!(ns);
        } else if let Some(m) = md.as_object_mut() {
            m.remove("namespace");
        }
        md["uid"] = json!(new_uid());
        if origin == Origin::Api || md.get("creationTimestamp").is_none_or(|t| t.is_null()) {
            md["creationTimestamp"] = json!(now_str());
        }
        if let Some(m) = md.as_object_mut() {
            m.remove("deletionTimestamp");
            m.remove("deletionGracePeriodSeconds");
        }
        // Kinds whose strategy does not track generation (pods only from v1.34; this server is v1.33).
        let untracked = [
            "Pod",
            "Node",
            "Service",
            "Namespace",
            "PersistentVolume",
            "PersistentVolumeClaim",
        ];
        if v.get("spec").is_some() && !untracked.contains(&def.kind) {
            v["metadata"]["generation"] = json!(1);
        }
        v["apiVersion"] = json!(def.api_version());
        v["kind"] = json!(def.kind);
        super::defaults::apply(def.kind, &mut v);
        normalize(&mut v);
        stamp_create(def.kind, &def.api_version(), &mut v, origin == Origin::Internal, by);
        if super::admission::admit(def.kind, &mut v) {
            normalize(&mut v);
        }

        let mut g = self.inner.lock();
        let k = (ns, name.clone());
        if g.map(id).contains_key(&k) {
            return Err(ApiError::already_exists(def, &name));
        }
        g.rv += 1;
        let rv = g.rv;
        v["metadata"]["resourceVersion"] = json!(rv.to_string());
        let obj = Arc::new(index(id, &v, rv));
        g.link(&obj);
        g.map_mut(id).insert(k, obj.clone());
        g.push(
            Event {
                kind: EventType::Added,
                obj: obj.clone(),
                prev: None,
            },
            &self.tx,
            self.history_cap,
        );
        Ok(obj)
    }

    /// Read-modify-write under the store lock. A change that alters nothing writes nothing,
    /// as on the real server. An object being deleted whose last finalizer goes is removed.
    pub fn update_with(
        &self,
        id: ResId,
        ns: &str,
        name: &str,
        f: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Arc<Obj>, ApiError> {
        self.update_by(id, ns, name, None, f)
    }

    /// [`Store::update_with`] recording what changed under `by` in managedFields (`None`: the
    /// simulation's component that writes such changes; status changes go to the status writer).
    pub fn update_by(
        &self,
        id: ResId,
        ns: &str,
        name: &str,
        by: Option<Writer>,
        f: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Arc<Obj>, ApiError> {
        let def = id.def();
        let mut g = self.inner.lock();
        let k = (ns.to_string(), name.to_string());
        let cur = g
            .map(id)
            .get(&k)
            .cloned()
            .ok_or_else(|| ApiError::not_found(def, name))?;
        let old = cur.value();
        let mut v = old.clone();
        f(&mut v)?;
        super::defaults::apply(def.kind, &mut v);
        normalize(&mut v);
        // Server-owned identity never changes through an update.
        for field in [
            "uid",
            "creationTimestamp",
            "name",
            "namespace",
            "generation",
            "resourceVersion",
        ] {
            match old["metadata"].get(field) {
                Some(x) => v["metadata"][field] = x.clone(),
                None => {
                    if let Some(m) = v["metadata"].as_object_mut() {
                        m.remove(field);
                    }
                }
            }
        }
        if old["metadata"].get("deletionTimestamp").is_some() {
            v["metadata"]["deletionTimestamp"] = old["metadata"]["deletionTimestamp"].clone();
        }
        v["apiVersion"] = json!(def.api_version());
        v["kind"] = json!(def.kind);
        if v == old {
            return Ok(cur);
        }
        stamp_update(def.kind, &def.api_version(), &old, &mut v, by, &now_str());
        let spec_changed = v.as_object().zip(old.as_object()).is_some_and(|(a, b)| {
            a.iter()
                .any(|(key, val)| key != "metadata" && key != "status" && b.get(key) != Some(val))
                || b.keys()
                    .any(|key| key != "metadata" && key != "status" && !a.contains_key(key))
        });
        let gone_deleting = v["metadata"].get("deletionTimestamp").is_some_and(|t| !t.is_null())
            && v["metadata"]["finalizers"].as_array().is_none_or(|f| f.is_empty())
            && def.kind != "Pod"
            && def.kind != "Namespace";
        if spec_changed && let Some(generation) = old["metadata"]["generation"].as_i64() {
            v["metadata"]["generation"] = json!(generation + 1);
        }
        g.rv += 1;
        let rv = g.rv;
        v["metadata"]["resourceVersion"] = json!(rv.to_string());
        let obj = Arc::new(index(id, &v, rv));
        g.unlink(&cur);
        if gone_deleting {
            g.map_mut(id).remove(&k);
            g.push(
                Event {
                    kind: EventType::Deleted,
                    obj: obj.clone(),
                    prev: Some(cur),
                },
                &self.tx,
                self.history_cap,
            );
        } else {
            g.link(&obj);
            g.map_mut(id).insert(k, obj.clone());
            g.push(
                Event {
                    kind: EventType::Modified,
                    obj: obj.clone(),
                    prev: Some(cur),
                },
                &self.tx,
                self.history_cap,
            );
        }
        Ok(obj)
    }

    /// Removes an object for good, emitting DELETED stamped with a new resourceVersion.
    pub fn remove(&self, id: ResId, ns: &str, name: &str) -> Result<Arc<Obj>, ApiError> {
        let mut g = self.inner.lock();
        let k = (ns.to_string(), name.to_string());
        let cur = g
            .map_mut(id)
            .remove(&k)
            .ok_or_else(|| ApiError::not_found(id.def(), name))?;
        g.unlink(&cur);
        g.rv += 1;
        let rv = g.rv;
        let mut v = cur.value();
        v["metadata"]["resourceVersion"] = json!(rv.to_string());
        let obj = Arc::new(index(id, &v, rv));
        g.push(
            Event {
                kind: EventType::Deleted,
                obj: obj.clone(),
                prev: Some(cur),
            },
            &self.tx,
            self.history_cap,
        );
        Ok(obj)
    }

    /// Events after `from_rv` still in the window, and a receiver for the ones to come.
    /// A version older than the window is 410 Expired.
    pub fn watch_from(&self, from_rv: u64) -> Result<WatchStart, ApiError> {
        let g = self.inner.lock();
        if from_rv < g.compacted_below {
            return Err(ApiError::expired(from_rv, g.compacted_below));
        }
        let start = g.history.partition_point(|e| e.obj.rv <= from_rv);
        let past = g.history.range(start..).cloned().collect();
        Ok((past, self.tx.subscribe()))
    }

    /// Receiver of every change from now on (controllers use this).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.tx.subscribe()
    }

    /// Drops the whole watch window, as an etcd compaction does: every watch resumed from an older version gets 410.
    pub fn compact(&self) {
        let mut g = self.inner.lock();
        g.history.clear();
        g.compacted_below = g.rv;
    }

    /// The oldest resourceVersion a watch may still start from.
    pub fn oldest_watchable(&self) -> u64 {
        self.inner.lock().compacted_below
    }
}

/// Shorthand for the namespace a value names.
pub fn ns_of(v: &Value) -> &str {
    v["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Shorthand for the name a value names.
pub fn name_of(v: &Value) -> &str {
    v["metadata"]["name"].as_str().unwrap_or_default()
}

/// The Pod resource id (used on hot paths).
pub fn pods() -> ResId {
    res("Pod")
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
