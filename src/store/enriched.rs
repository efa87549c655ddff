//! What a view is fed: what its watch's row store says changed since the rows the view holds, with
//! the cells of the kind's enrichers filled in those rows alone. At 100,000 pods a watch event
//! costs its own rows, not a list of every row, its enrichment and a comparison with the last.

use std::sync::Arc;

use super::enrich::{self, Enricher, Needs};
use super::usage::Sample;
use crate::app::table::{Changed, Fed, Feed, Fresh};
use crate::cluster::rows::{Changes, Mark, Row};
use crate::cluster::{Kind, Scope};

/// What the enriched cells of a view's rows were computed from besides the rows: the generations
/// of the watches the enrichers read (`needed`), and the usage generation (`usage`) when a column
/// sums the sample (a workload's pods'); both only grow, so an equal basis means equal inputs.
pub fn basis(enrichers: &[&Enricher], needed: u64, usage: u64) -> u64 {
    let sums = enrichers.iter().any(|e| matches!(e.needs, Needs::PodsUsage(..)));
    needed.wrapping_add(if sums { usage } else { 0 })
}

/// Where the rows a view's table holds stand, when a feed of what changed since applies to them:
/// rows of the same watch, enriched on the same basis.
pub fn since<'a>(held: Option<&'a Fed>, watch: &(Kind, Scope), basis: u64) -> Option<&'a Fed> {
    held.filter(|f| f.watch == *watch && f.basis == basis)
}

/// The rows to adopt after a feed (see `Cache::adopt`): as the row store gave them, and enriched.
#[derive(Debug, Default)]
pub struct Adopt {
    /// The row store's rows.
    pub base: Vec<Arc<Row>>,
    /// The same rows enriched.
    pub shown: Vec<Arc<Row>>,
}

/// The feed of `watch`'s rows for a table holding those at `since`: what `read` (a row store's
/// changes since a mark, and its mark now) gives, every row when `since` is None or too old, with
/// the cells of `enrichers` filled as [`enrich::apply`] fills them (`basis`: see [`basis`];
/// `needed`: the rows of a watch an enricher reads; `sample`: the usage a workload column sums).
/// None when the watch is not running.
pub fn feed(
    watch: (Kind, Scope),
    since: Option<&Fed>,
    basis: u64,
    read: impl FnOnce(Mark) -> Option<(Changes, Mark)>,
    enrichers: &[&Enricher],
    needed: impl Fn(Kind) -> Option<Vec<Arc<Row>>>,
    sample: Option<&Sample>,
) -> Option<(Feed, Adopt)> {
    let (changes, mark) = read(since.map_or(Mark::default(), |f| f.mark))?;
    let kind = watch.0;
    // The rows' own usage is read from the sample when drawn (`store::usage_cols`): only joins and
    // workload sums are written into rows.
    let writes = enrichers.iter().any(|e| !matches!(e.needs, Needs::Usage(_)));
    let mut adopt = Adopt::default();
    let mut enrich = |rows: &mut Vec<Arc<Row>>| {
        if writes && !rows.is_empty() {
            adopt.base = rows.clone();
            enrich::apply(kind, rows, enrichers, &needed, sample);
            adopt.shown = rows.clone();
        }
    };
    let (since, rows) = match changes {
        Changes::All(mut rows) => {
            enrich(&mut rows);
            (None, Fresh::All(rows))
        }
        Changes::Since(list) => {
            let mut rows: Vec<Arc<Row>> = list.iter().filter_map(|c| c.row.clone()).collect();
            enrich(&mut rows);
            let mut rows = rows.into_iter();
            let list = list
                .into_iter()
                .map(|c| Changed {
                    key: c.key,
                    row: c.row.and_then(|_| rows.next()),
                })
                .collect();
            (since.cloned(), Fresh::Changed(list))
        }
    };
    let at = Fed { watch, mark, basis };
    Some((Feed { since, at, rows }, adopt))
}

#[cfg(test)]
#[path = "enriched_tests.rs"]
mod tests;
