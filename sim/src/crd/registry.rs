//! Resource definitions that CustomResourceDefinitions add at run time.
//!
//! A [`ResId`] indexes a process-wide table so that `ResId::def()` needs no store at hand. The
//! table only grows: an identical definition (two demo clusters, or a CRD re-created) reuses its
//! entry, so a process leaks one small definition per distinct CRD shape, never per request.
//! Which definitions a given cluster serves is the store's business (`Store::serve_custom`).

use parking_lot::RwLock;

use crate::resources::{RESOURCES, ResId, ResourceDef};

static DYNAMIC: RwLock<Vec<&'static ResourceDef>> = RwLock::new(Vec::new());

/// The definition at `i` in the run-time table.
pub fn get(i: usize) -> &'static ResourceDef {
    DYNAMIC.read()[i]
}

/// The id of a definition equal to `def`, adding it to the table if it is new.
pub fn intern(def: ResourceDef) -> ResId {
    if let Some(i) = DYNAMIC.read().iter().position(|d| **d == def) {
        return id_at(i);
    }
    let mut w = DYNAMIC.write();
    // Another thread may have added it between the read and the write lock.
    if let Some(i) = w.iter().position(|d| **d == def) {
        return id_at(i);
    }
    w.push(Box::leak(Box::new(def)));
    id_at(w.len() - 1)
}

fn id_at(i: usize) -> ResId {
    let id = RESOURCES.len() + i;
    ResId(u16::try_from(id).expect("fewer than 65,536 distinct custom resource definitions"))
}

/// The one leaked copy of `value` in `table`, leaking it on first sight.
fn interned<T: PartialEq + ?Sized>(
    table: &RwLock<Vec<&'static T>>,
    value: &T,
    leak: impl FnOnce() -> &'static T,
) -> &'static T {
    if let Some(x) = table.read().iter().find(|x| ***x == *value) {
        return x;
    }
    let mut w = table.write();
    if let Some(x) = w.iter().find(|x| ***x == *value) {
        return x;
    }
    let x = leak();
    w.push(x);
    x
}

/// A `'static` copy of a string of a run-time definition (each distinct text leaked once).
pub fn leak_str(s: &str) -> &'static str {
    static STRS: RwLock<Vec<&'static str>> = RwLock::new(Vec::new());
    interned(&STRS, s, || Box::leak(s.to_string().into_boxed_str()))
}

/// A `'static` copy of a list of strings (short names, categories, subresources).
pub fn leak_list(items: &[String]) -> &'static [&'static str] {
    static LISTS: RwLock<Vec<&'static [&'static str]>> = RwLock::new(Vec::new());
    let v: Vec<&'static str> = items.iter().map(|s| leak_str(s)).collect();
    interned(&LISTS, v.as_slice(), || Box::leak(v.clone().into_boxed_slice()))
}

/// A `'static` copy of a CRD's extras.
pub fn leak_custom(c: crate::crd::Custom) -> &'static crate::crd::Custom {
    static CUSTOM: RwLock<Vec<&'static crate::crd::Custom>> = RwLock::new(Vec::new());
    interned(&CUSTOM, &c, || Box::leak(Box::new(c.clone())))
}
