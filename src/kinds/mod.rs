//! Per-kind extras: what kubedeck knows of a kind beyond discovery (kubectl's describer, keys and
//! values, drill-downs, "used by"), keyed by group and kind. Each file here is one kind or one
//! family of kinds and is named once on the `kinds!` line; nothing else enumerates kinds.

pub mod data;
pub mod drill;
pub mod extra;
pub mod mounts;

use crate::cluster::Kind;
use extra::Extras;

/// Declares each file and lists its `EXTRAS`.
macro_rules! kinds {
    ($($file:ident),* $(,)?) => {
        $(mod $file;)*
        /// Every kind's extras.
        static ALL: &[&[Extras]] = &[$($file::EXTRAS),*];
    };
}

kinds!(configmap, secret, pvc, pv, ingress, crd, rbac, hpa, pdb);

/// The extras of `kind`, if kubedeck knows any.
pub fn of(kind: Kind) -> Option<&'static Extras> {
    find(kind.group(), kind.name())
}

/// The extras of the kind `group`/`kind`.
pub fn find(group: &str, kind: &str) -> Option<&'static Extras> {
    ALL.iter()
        .flat_map(|f| f.iter())
        .find(|e| e.group == group && e.kind == kind)
}

#[cfg(test)]
pub mod tests;
