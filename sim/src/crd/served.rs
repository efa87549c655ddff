//! Which custom resources one demo cluster serves: discovery lists them, request paths resolve
//! to them, and namespace deletion empties them.

use crate::resources::{RESOURCES, ResId, lookup};
use crate::store::{Served, Store};

impl Store {
    /// Starts (or updates) serving a CRD's resources.
    pub fn serve_custom(&self, crd: &str, served: Served) {
        self.custom.lock().insert(crd.to_string(), served);
    }

    /// Stops serving a CRD's resources; returns what it served.
    pub fn unserve_custom(&self, crd: &str) -> Option<Served> {
        self.custom.lock().remove(crd)
    }

    /// What a CRD serves, if it is established.
    pub fn served_custom(&self, crd: &str) -> Option<Served> {
        self.custom.lock().get(crd).cloned()
    }

    /// Every served custom resource definition, for discovery.
    pub fn custom_defs(&self) -> Vec<ResId> {
        self.custom
            .lock()
            .values()
            .flat_map(|s| s.defs.iter().copied())
            .collect()
    }

    /// The storage resource of every served custom resource.
    pub fn custom_storage(&self) -> Vec<ResId> {
        self.custom.lock().values().map(|s| s.storage).collect()
    }

    /// The resource a request path names: a built-in one, or a served custom one (resolved to
    /// where its objects are stored).
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<ResId> {
        if let Some(id) = lookup(group, version, plural) {
            return Some(id);
        }
        let custom = self.custom.lock();
        custom.values().find_map(|s| {
            s.defs
                .iter()
                .any(|d| {
                    let d = d.def();
                    d.group == group && d.version == version && d.plural == plural
                })
                .then_some(s.storage)
        })
    }

    /// Every resource this cluster serves: built-in ones, then custom ones.
    pub fn all_defs(&self) -> Vec<ResId> {
        (0..RESOURCES.len() as u16)
            .map(ResId)
            .chain(self.custom_defs())
            .collect()
    }
}
