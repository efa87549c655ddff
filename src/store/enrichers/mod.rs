//! The enricher registry: each file here is one column a kind's rows gain from another watch, and
//! is named once on the `enrichers!` line; the store and the table's columns read this list.

use super::enrich::{Enricher, printer_cells};
use crate::cluster::Kind;

/// Declares each enricher file and lists its `ENRICHERS`; within a kind, cells follow this order.
macro_rules! enrichers {
    ($($file:ident),* $(,)?) => {
        $(pub mod $file;)*
        /// Every enricher, by file.
        static ALL: &[&[&Enricher]] = &[$($file::ENRICHERS),*];
    };
}

enrichers!(endpoints, usage, workload_usage, node_allocated);

/// The enrichers of `kind`, in the order of their cells.
pub fn of(kind: Kind) -> Vec<&'static Enricher> {
    ALL.iter()
        .flat_map(|f| f.iter())
        .copied()
        .filter(|e| e.kind == kind)
        .collect()
}

/// Whether `kind`'s rows have usage columns (their view asks for metrics while shown).
pub fn has_usage(kind: Kind) -> bool {
    metrics_of(kind).is_some()
}

/// The kind whose metrics `kind`'s usage columns read: its own (pods, nodes), or its pods' (workloads).
pub fn metrics_of(kind: Kind) -> Option<Kind> {
    of(kind).iter().find_map(|e| e.metrics())
}

/// The enriched columns of `kind` as (title, the title it goes before, its cell).
pub fn columns(kind: Kind) -> Vec<(&'static str, &'static str, usize)> {
    let base = printer_cells(kind);
    of(kind)
        .into_iter()
        .enumerate()
        .map(|(i, e)| (e.title, e.before, base + i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_have_endpoints_after_their_printer_cells() {
        assert_eq!(columns(Kind::Service), [("ENDPOINTS", "AGE", 6)]);
        assert_eq!(columns(Kind::Deployment), [("CPU", "AGE", 7), ("MEM", "AGE", 8)]);
    }
}
