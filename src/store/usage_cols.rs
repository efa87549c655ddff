//! A view's own usage columns (pods', nodes'), read from the metrics sample when a cell is read:
//! drawn (the rows on screen), sorted by (the sort key), or searched by a filter. Held beside the
//! rows, not in them: each sample changes every pod's usage, and at 10,000 pods copying every row
//! to rewrite its usage cells, then comparing and sorting them all again, cost ~80 ms per sample.

use std::sync::Arc;

use super::enrich::{Needs, UsageCell, printer_cells};
use super::enrichers;
use super::usage::Sample;
use crate::cluster::Kind;
use crate::cluster::rows::Row;

/// The usage columns of one kind's rows and the sample they read (None: none yet, or no metrics
/// API: every cell empty, as an unmeasured pod's).
pub struct UsageCols {
    /// Each usage column's cell index and how its text is computed, in cell order.
    cols: Vec<(usize, UsageCell)>,
    sample: Option<Arc<Sample>>,
}

impl std::fmt::Debug for UsageCols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cols: Vec<usize> = self.cols.iter().map(|(n, _)| *n).collect();
        f.debug_struct("UsageCols")
            .field("cols", &cols)
            .field("sample", &self.sample.as_ref().map(Arc::as_ptr))
            .finish()
    }
}

impl UsageCols {
    /// The usage columns of `kind` read from `sample`; None when its rows have none.
    pub fn new(kind: Kind, sample: Option<Arc<Sample>>) -> Option<UsageCols> {
        let base = printer_cells(kind);
        let cols: Vec<(usize, UsageCell)> = enrichers::of(kind)
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.needs {
                Needs::Usage(cell) => Some((base + i, cell)),
                _ => None,
            })
            .collect();
        (!cols.is_empty()).then_some(UsageCols { cols, sample })
    }

    /// Whether both read the same sample: every cell reads the same.
    pub fn same(&self, other: &UsageCols) -> bool {
        let cols = |u: &UsageCols| u.cols.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        let sample = match (&self.sample, &other.sample) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        sample && cols(self) == cols(other)
    }

    /// Whether cell `n` is a usage cell.
    pub fn covers(&self, n: usize) -> bool {
        self.cols.iter().any(|(c, _)| *c == n)
    }

    /// The text of `row`'s cell `n` if it is a usage cell (None: it is the row's own).
    pub fn cell(&self, row: &Row, n: usize) -> Option<String> {
        let (_, f) = self.cols.iter().find(|(c, _)| *c == n)?;
        Some(f(row, self.entry(row).as_ref()))
    }

    /// Every usage cell of `row`, in cell order (the sample looked up once).
    pub fn each(&self, row: &Row, mut f: impl FnMut(&str)) {
        let entry = self.entry(row);
        for (_, cell) in &self.cols {
            f(&cell(row, entry.as_ref()));
        }
    }

    fn entry(&self, row: &Row) -> Option<super::usage::Of<'_>> {
        self.sample.as_deref()?.of(&row.namespace, &row.name)
    }
}

/// Whether byte `b` can be in a usage cell's text, lowercased (`250m`, `128mi`, `45`, `-3m`; the
/// trend's bars are not ASCII): a plain filter with any other byte matches no usage cell.
pub fn may_show(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'm' | b'i' | b'-')
}
