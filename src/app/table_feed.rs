//! Rows fed to a table as what changed since the rows it holds, so that a watch event among 100,000
//! rows costs what it changed: each changed row is found by its name, taken out of the order, of what
//! is shown and of the search text where its old value put it, and put back where its new one does,
//! by binary search. A batch too big for that, or a table whose order does not hold, is sorted again.

use std::cmp::Ordering;
use std::sync::Arc;

use super::sort_key::sort_order;
use super::{Filter, Fixed, Row, Sort, Table, by_name, ordered};
use crate::cluster::rows::Mark;
use crate::cluster::{Kind, Scope};
use crate::store::usage_cols::UsageCols;

/// Which rows of a watch a table holds: the watch, where its row store's change log stood when they
/// were read, and what their enriched cells were computed from (`store`: the generations of the
/// watches the enrichers read), so that the next feed can be what changed since.
#[derive(Debug, Clone, PartialEq)]
pub struct Fed {
    /// The watch the rows are of.
    pub watch: (Kind, Scope),
    /// Its row store's mark at the rows.
    pub mark: Mark,
    /// What the rows' enriched cells were computed from besides the rows (0: nothing).
    pub basis: u64,
}

/// Rows of a watch fed to the view on show.
#[derive(Debug, Clone)]
pub struct Feed {
    /// The rows the changes apply to (None: every row is given).
    pub since: Option<Fed>,
    /// The rows the view holds once fed.
    pub at: Fed,
    /// Every row, or the changes since `since`.
    pub rows: Fresh,
}

/// What a feed brings.
#[derive(Debug, Clone)]
pub enum Fresh {
    /// Every row, in no particular order.
    All(Vec<Arc<Row>>),
    /// The objects changed since, each once.
    Changed(Vec<Changed>),
}

/// One object changed since a feed.
#[derive(Debug, Clone)]
pub struct Changed {
    /// Its key as the row store keys it: `namespace/name`.
    pub key: String,
    /// Its row now; None once deleted.
    pub row: Option<Arc<Row>>,
}

/// Past this many changes (and a 256th of the rows), one sort costs less than moving a list's
/// entries for each create and delete.
pub(super) const MEND_MAX: usize = 64;

/// The filter, constraints, sort and usage cells a table is mended with.
#[derive(Clone, Copy)]
struct By<'a> {
    filter: &'a Filter,
    fixed: &'a Fixed,
    sort: Sort,
    usage: Option<&'a UsageCols>,
}

impl Table {
    /// Take `feed` (the view's filter, constraints and sort applied as `refresh` applies them):
    /// every row, or what changed since the rows held when they are the ones it starts from. False
    /// when it did not apply (the rows held are not those), and the next feed must give every row.
    pub fn feed(&mut self, feed: Feed, filter: &Filter, fixed: &Fixed, sort: Sort) -> bool {
        match feed.rows {
            Fresh::All(rows) => {
                self.replace_rows(rows);
                self.refresh(filter, fixed, sort);
            }
            Fresh::Changed(list) if feed.since.is_some() && self.fed == feed.since => {
                self.apply(list, filter, fixed, sort)
            }
            Fresh::Changed(_) => {
                self.fed = None;
                return false;
            }
        }
        self.fed = Some(feed.at);
        true
    }

    /// Which rows of a watch the table holds, when it was fed them (see [`Table::feed`]).
    pub fn fed(&self) -> Option<&Fed> {
        self.fed.as_ref()
    }

    /// Apply the changes to the rows, the order, what is shown, the search text, the marks and the
    /// cursor: as `replace_rows` and `refresh` would with every row, given that no two rows share a
    /// key or a namespace and name (a watch's rows do not).
    fn apply(&mut self, list: Vec<Changed>, filter: &Filter, fixed: &Fixed, sort: Sort) {
        if list.is_empty() {
            return;
        }
        let mendable = self.replaced.is_none()
            && matches!(&self.order, Some((s, f, _)) if *s == sort && f == fixed)
            && self.filtered.as_ref().is_some_and(|f| f.same(filter))
            && self.search.follows(&self.rows)
            && list.len() <= MEND_MAX + self.rows.len() / 256;
        let mut names = self.names();
        let Some(mut order) = self.order.take().filter(|_| mendable) else {
            return self.apply_all(&names, list, filter, fixed, sort);
        };
        let usage = self.usage.clone();
        let by = By {
            filter,
            fixed,
            sort,
            usage: usage.as_deref(),
        };
        // The row under the cursor, followed through the changes while it is the selected one.
        let mut cursor = self
            .visible
            .get(self.cursor)
            .copied()
            .filter(|&i| self.selected.as_ref() == Some(&self.rows[i].key));
        let tracked = cursor.is_some();
        let mut brought = false;
        let mut left: Vec<String> = Vec::new();
        let mut came: Vec<String> = Vec::new();
        let marks = !self.marks.is_empty();
        for c in list {
            let (ns, name) = c.key.split_once('/').unwrap_or(("", &c.key));
            let found = names
                .binary_search_by(|&j| (self.rows[j].namespace.as_str(), self.rows[j].name.as_str()).cmp(&(ns, name)))
                .ok();
            if let Some(r) = &c.row {
                brought |= self.selected.as_ref() == Some(&r.key);
                if marks {
                    came.push(r.key.clone());
                }
            }
            match (found, c.row) {
                (Some(p), Some(row)) => {
                    let i = names[p];
                    if row.key != self.rows[i].key {
                        if marks {
                            left.push(self.rows[i].key.clone());
                        }
                        cursor = cursor.filter(|&u| u != i);
                    }
                    let at = self.places(&order.2, i, by);
                    self.rows[i] = row;
                    self.search.set(i, &self.rows);
                    self.settle(&mut order.2, at, i, by);
                }
                (Some(p), None) => {
                    let i = names.remove(p);
                    if marks {
                        left.push(self.rows[i].key.clone());
                    }
                    cursor = cursor.filter(|&u| u != i);
                    let (o, v) = self.places(&order.2, i, by);
                    remove(&mut order.2, o);
                    remove(&mut self.visible, v);
                    // The last row takes its place: its index changes, and with it its entries.
                    let last = self.rows.len() - 1;
                    let at =
                        (i != last).then(|| (self.places(&order.2, last, by), name_place(&names, &self.rows, last)));
                    self.rows.swap_remove(i);
                    self.search.swap_remove(i);
                    if let Some((at, n)) = at {
                        cursor = cursor.map(|u| if u == last { i } else { u });
                        self.settle(&mut order.2, at, i, by);
                        let rows = &self.rows;
                        reposition(&mut names, n, i, true, |a, b| name_cmp(rows, a, b));
                    }
                }
                (None, Some(row)) => {
                    room(&mut self.rows);
                    self.rows.push(row);
                    self.search.push(&self.rows);
                    let i = self.rows.len() - 1;
                    let rows = &self.rows;
                    reposition(&mut names, None, i, true, |a, b| name_cmp(rows, a, b));
                    self.settle(&mut order.2, (None, None), i, by);
                }
                (None, None) => {}
            }
        }
        self.order = Some(order);
        self.by_name = Some(names);
        if marks {
            for k in left.iter().filter(|k| !came.contains(k)) {
                self.marks.remove(k);
            }
        }
        // The selected row's place is found by its sort position; only when it left and a row with
        // its key came (another place unknown), or it was not followed, are the shown rows searched.
        let found = match (tracked, cursor) {
            (true, Some(i)) => Some(self.place(&self.visible, i, by)),
            (true, None) if !brought => Some(None),
            _ => None,
        };
        match found {
            Some(pos) => self.put_cursor(pos),
            None => self.keep_cursor(),
        }
    }

    /// The changes applied to the rows, then every row sorted and filtered again.
    fn apply_all(&mut self, names: &[usize], list: Vec<Changed>, filter: &Filter, fixed: &Fixed, sort: Sort) {
        let mut gone = Vec::new();
        let mut added = Vec::new();
        for c in list {
            let (ns, name) = c.key.split_once('/').unwrap_or(("", &c.key));
            let found = names
                .binary_search_by(|&j| (self.rows[j].namespace.as_str(), self.rows[j].name.as_str()).cmp(&(ns, name)))
                .ok()
                .map(|p| names[p]);
            match (found, c.row) {
                (Some(i), Some(row)) => self.rows[i] = row,
                (Some(i), None) => gone.push(i),
                (None, Some(row)) => added.push(row),
                (None, None) => {}
            }
        }
        gone.sort_unstable();
        let mut rows = Vec::with_capacity(self.rows.len() - gone.len() + added.len());
        let mut next = gone.iter().peekable();
        for (i, r) in std::mem::take(&mut self.rows).into_iter().enumerate() {
            if next.next_if_eq(&&i).is_none() {
                rows.push(r);
            }
        }
        rows.extend(added);
        self.replace_rows(rows);
        self.order = None;
        self.replaced = None;
        self.filtered = None;
        self.refresh(filter, fixed, sort);
    }

    /// The rows' indices by namespace and name: kept from the last feed, or made from the order
    /// when that is by name over every row, or sorted.
    fn names(&mut self) -> Vec<usize> {
        if let Some(names) = self.by_name.take()
            && names.len() == self.rows.len()
        {
            return names;
        }
        match &self.order {
            Some((s, f, o))
                if *s == Sort::default()
                    && *f == Fixed::default()
                    && self.replaced.is_none()
                    && o.len() == self.rows.len() =>
            {
                o.clone()
            }
            _ => {
                let mut names: Vec<usize> = (0..self.rows.len()).collect();
                sort_order(&self.rows, &mut names, Sort::default(), None);
                names
            }
        }
    }

    /// Where row `i`, as it is now, sits in the order and in what is shown.
    fn places(&self, order: &[usize], i: usize, by: By) -> (Option<usize>, Option<usize>) {
        (self.place(order, i, by), self.place(&self.visible, i, by))
    }

    /// Where row `i`, as it is now, sits in `list` (ordered as the table sorts).
    fn place(&self, list: &[usize], i: usize, by: By) -> Option<usize> {
        let rows = &self.rows;
        list.binary_search_by(|&j| ordered(&rows[j], &rows[i], j, i, by.sort, by.usage))
            .ok()
    }

    /// Put row `i` (at `at` in the order and in what is shown, where it was) where it now goes in each.
    fn settle(&mut self, order: &mut Vec<usize>, at: (Option<usize>, Option<usize>), i: usize, by: By) {
        let rows = &self.rows;
        let cmp = |a: usize, b: usize| ordered(&rows[a], &rows[b], a, b, by.sort, by.usage);
        let kept = by.fixed.matches(&rows[i]);
        reposition(order, at.0, i, kept, cmp);
        let shown = kept && by.filter.matches_with(&rows[i], by.usage);
        reposition(&mut self.visible, at.1, i, shown, cmp);
    }

    /// The cursor at `pos` in what is shown when the selected row is there; otherwise in range, on
    /// the row there.
    pub(super) fn put_cursor(&mut self, pos: Option<usize>) {
        match pos {
            Some(pos) => self.cursor = pos,
            None => {
                self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
                self.selected = self.current().map(|r| r.key.clone());
            }
        }
    }
}

/// Room for one more entry in a full `v`: a sixteenth more, where a `Vec` would double (at 100,000
/// rows, 800 KB more for each list of indices the first create lengthens).
pub(super) fn room<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len() / 16 + 1);
    }
}

/// Rows `a` and `b` by namespace and name, then index.
fn name_cmp(rows: &[Arc<Row>], a: usize, b: usize) -> Ordering {
    by_name(&rows[a], &rows[b]).then(a.cmp(&b))
}

/// Where row `i` sits in `names`.
fn name_place(names: &[usize], rows: &[Arc<Row>], i: usize) -> Option<usize> {
    names.binary_search_by(|&j| name_cmp(rows, j, i)).ok()
}

fn remove(list: &mut Vec<usize>, at: Option<usize>) {
    if let Some(p) = at {
        list.remove(p);
    }
}

/// Move entry `i` of `list` (at `at` when it was in it, perhaps under another index: the list is
/// sorted by `cmp` but for that entry) to where `cmp` puts it, or out of the list when it does not `stay`: a rotation of the
/// entries between its old and new places, none when it stays put.
fn reposition(list: &mut Vec<usize>, at: Option<usize>, i: usize, stay: bool, cmp: impl Fn(usize, usize) -> Ordering) {
    let Some(p) = at else {
        if stay {
            let q = list.partition_point(|&j| cmp(j, i) == Ordering::Less);
            room(list);
            list.insert(q, i);
        }
        return;
    };
    if !stay {
        list.remove(p);
        return;
    }
    list[p] = i;
    if p > 0 && cmp(list[p - 1], i) == Ordering::Greater {
        let q = list[..p].partition_point(|&j| cmp(j, i) == Ordering::Less);
        list[q..=p].rotate_right(1);
    } else if p + 1 < list.len() && cmp(list[p + 1], i) == Ordering::Less {
        let q = p + 1 + list[p + 1..].partition_point(|&j| cmp(j, i) == Ordering::Less);
        list[p..q].rotate_left(1);
    }
}
