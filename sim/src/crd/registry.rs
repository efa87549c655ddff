//! `'static` copies of what run-time resource definitions hold (`resources::intern` keeps the
//! definitions themselves). Each distinct value is leaked once, so a process leaks per distinct
//! CRD shape, never per request.

use parking_lot::RwLock;

use super::types::Custom;

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
pub fn leak_custom(c: Custom) -> &'static Custom {
    static CUSTOM: RwLock<Vec<&'static Custom>> = RwLock::new(Vec::new());
    interned(&CUSTOM, &c, || Box::leak(Box::new(c.clone())))
}
