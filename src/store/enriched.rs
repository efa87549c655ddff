//! The enriched rows of the last feed, so that a feed after a few objects changed enriches those
//! alone: at 10,000 pods with metrics, enriching every row copied every row (its cache row lacks the
//! usage cells), and the view then compared every row with the one before.

use std::collections::HashMap;
use std::sync::Arc;

use super::enrich::{self, Enricher, Needs};
use super::usage::Sample;
use crate::cluster::rows::Row;
use crate::cluster::{Kind, Scope};

/// What enriched cells were computed from, besides the row itself: the view's watch, the
/// generations of the watches the enrichers read, and the usage sample when a column sums it.
#[derive(Clone)]
struct Basis {
    watch: (Kind, Scope),
    needed: u64,
    sample: Option<Arc<Sample>>,
}

impl PartialEq for Basis {
    fn eq(&self, other: &Basis) -> bool {
        self.watch == other.watch
            && self.needed == other.needed
            && match (&self.sample, &other.sample) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

/// The rows of the last feed, as the watch gave them and as enriched, at the same positions.
#[derive(Default)]
pub struct Memo {
    basis: Option<Basis>,
    /// Held, so that a pointer below cannot be reused by a new row while it is remembered.
    source: Vec<Arc<Row>>,
    out: Vec<Arc<Row>>,
}

impl Memo {
    /// `rows` of `watch` with the cells of `enrichers` filled, as [`enrich::apply`] fills them; a
    /// row the last call saw unchanged (the same shared row), on the same basis (`needed`: the
    /// generations of the watches the enrichers read; `sample`: the usage sample), keeps what it
    /// was given then, so only new and changed rows are enriched (and copied).
    pub fn apply(
        &mut self,
        watch: (Kind, Scope),
        rows: Vec<Arc<Row>>,
        enrichers: &[&Enricher],
        needed: u64,
        needed_rows: impl Fn(Kind) -> Option<Vec<Arc<Row>>>,
        sample: Option<Arc<Sample>>,
    ) -> Vec<Arc<Row>> {
        let kind = watch.0;
        // The rows' own usage is not in them (`store::usage_cols`): a new sample enriches no row
        // unless a column sums it over other rows (a workload's pods).
        let sums_usage = enrichers.iter().any(|e| matches!(e.needs, Needs::PodsUsage(..)));
        let sample = sample.filter(|_| sums_usage);
        let basis = Basis { watch, needed, sample };
        let same = self.basis.as_ref() == Some(&basis);
        let mut out = Vec::with_capacity(rows.len());
        let mut fresh = Vec::new();
        // Built only when a row is not where it was (a create or delete moves the others).
        let mut index: Option<HashMap<*const Row, usize>> = None;
        for (i, r) in rows.iter().enumerate() {
            let before = match same {
                false => None,
                true if self.source.get(i).is_some_and(|s| Arc::ptr_eq(s, r)) => Some(i),
                true => index
                    .get_or_insert_with(|| {
                        self.source
                            .iter()
                            .enumerate()
                            .map(|(j, s)| (Arc::as_ptr(s), j))
                            .collect()
                    })
                    .get(&Arc::as_ptr(r))
                    .copied(),
            };
            match before {
                Some(j) => out.push(self.out[j].clone()),
                None => {
                    out.push(r.clone());
                    fresh.push(i);
                }
            }
        }
        if !fresh.is_empty() {
            let mut batch: Vec<Arc<Row>> = fresh.iter().map(|&i| std::mem::take(&mut out[i])).collect();
            enrich::apply(kind, &mut batch, enrichers, needed_rows, basis.sample.as_deref());
            for (&i, row) in fresh.iter().zip(batch) {
                out[i] = row;
            }
        }
        self.basis = Some(basis);
        self.source = rows;
        self.out.clone_from(&out);
        out
    }

    /// The cache now holds the last enriched rows in place of the watch's (see `Cache::adopt`), so
    /// the next feed hands those back: remember them, not the watch's rows, which would otherwise
    /// stay alive here (every pod held twice). A row the watch changed since is a new row anyway.
    pub fn adopted(&mut self) {
        self.source.clone_from(&self.out);
    }
}

#[cfg(test)]
#[path = "enriched_tests.rs"]
mod tests;
