//! Table data of a list view: compact row projections, filtering, sorting and a cursor that follows its object.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use regex::Regex;

use super::pattern::{self, Case};
pub use feed::{Changed, Fed, Feed, Fresh};
use search::SearchText;
use sort_key::sort_order;

pub use crate::cluster::rows::Row;
use crate::labels::LabelSelector;
use crate::store::usage_cols::UsageCols;

/// A column to sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortCol {
    /// NAMESPACE then NAME.
    Name,
    /// AGE (youngest first when ascending, as in k9s).
    Age,
    /// The n-th kind-specific cell.
    Cell(usize),
}

/// Sort order of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The column.
    pub col: SortCol,
    /// Reverse order.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            col: SortCol::Name,
            descending: false,
        }
    }
}

impl Sort {
    /// The order a fresh view of `kind` starts in: events newest first (by LAST SEEN), others by name.
    pub fn default_for(kind: crate::cluster::Kind) -> Sort {
        match kind {
            // LAST SEEN is the first cell of an event row; time cells sort newest first.
            crate::cluster::Kind::Event => Sort {
                col: SortCol::Cell(0),
                descending: false,
            },
            _ => Sort::default(),
        }
    }
}

/// A compiled filter line: regex (case-insensitive, `!` inverts) or `-l selector`.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Everything passes.
    None,
    /// Rows where some cell matches (or, inverted, none does).
    Regex {
        /// The pattern (an invalid regex is taken literally).
        re: Regex,
        /// `!` prefix.
        invert: bool,
        /// The pattern is plain text (no regex syntax, or taken literally): it cannot match across a
        /// line break, so a row's fields can be searched as one text, one search instead of one per cell.
        plain: bool,
    },
    /// Rows whose labels satisfy the selector (equality and set-based, as `kubectl -l`).
    Labels(LabelSelector),
}

impl Filter {
    /// Compile the text typed after `/`, as typed (spaces are part of a pattern). The note says how
    /// the text was read when that is not what it looks like: an invalid regex matched as plain text,
    /// a selector comparing a label with an empty value. An invalid selector is an error, with the reason.
    pub fn parse(text: &str) -> Result<(Filter, Option<String>), String> {
        if text.is_empty() {
            return Ok((Filter::None, None));
        }
        if let Some(sel) = text.strip_prefix("-l") {
            let sel = LabelSelector::parse(sel).map_err(|e| format!("invalid selector: {e}"))?;
            let note = match sel.empty_values().as_slice() {
                [] => None,
                keys => Some(format!("matching an empty value of label {}", keys.join(", "))),
            };
            return Ok((Filter::Labels(sel), note));
        }
        let (invert, pat) = match text.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, text),
        };
        let p = pattern::compile_or_text(pat, Case::Ignore)?;
        let plain = (is_plain(pat) || p.note.is_some()) && !pat.contains('\n');
        Ok((
            Filter::Regex {
                re: p.re,
                invert,
                plain,
            },
            p.note,
        ))
    }

    /// Whether the filter typed as `new` can only hide rows that the one typed as `old` showed: `new`
    /// is `old` with more plain text after it (no regex syntax, no `!`, no `-l`), so a case-insensitive
    /// substring that can only get rarer.
    pub fn narrows(old: &str, new: &str) -> bool {
        new.starts_with(old) && is_plain(new) && !new.starts_with('!') && !new.starts_with("-l")
    }

    /// Whether `other` passes exactly the rows this one passes (the same compiled text).
    fn same(&self, other: &Filter) -> bool {
        match (self, other) {
            (Filter::None, Filter::None) => true,
            (
                Filter::Regex { re, invert, plain },
                Filter::Regex {
                    re: r,
                    invert: i,
                    plain: p,
                },
            ) => re.as_str() == r.as_str() && invert == i && plain == p,
            (Filter::Labels(a), Filter::Labels(b)) => a == b,
            _ => false,
        }
    }

    /// For a plain-text filter of ASCII text: the text ASCII-lowercased, and whether it inverts.
    fn plain_ascii(&self) -> Option<(String, bool)> {
        let Filter::Regex {
            re,
            invert,
            plain: true,
        } = self
        else {
            return None;
        };
        // A plain pattern is the text as typed, or the text escaped when it was not a valid regex.
        let mut text = String::with_capacity(re.as_str().len());
        let mut chars = re.as_str().chars();
        while let Some(c) = chars.next() {
            text.push(if c == '\\' { chars.next()? } else { c });
        }
        text.is_ascii().then(|| (text.to_ascii_lowercase(), *invert))
    }

    /// Whether a row passes.
    pub fn matches(&self, row: &Row) -> bool {
        self.matches_with(row, None)
    }

    /// Whether a row passes, its usage cells read from `usage`.
    pub fn matches_with(&self, row: &Row, usage: Option<&UsageCols>) -> bool {
        match self {
            Filter::None => true,
            Filter::Regex { re, invert, plain } => {
                // The name first: while a filter is short it is where most rows match.
                let hit = re.is_match(&row.name)
                    || match plain {
                        true => rest_matches(re, row),
                        false => re.is_match(&row.namespace) || row.cells.iter().any(|c| re.is_match(c)),
                    }
                    || usage.is_some_and(|u| {
                        let mut hit = false;
                        u.each(row, |c| hit = hit || re.is_match(c));
                        hit
                    });
                hit != *invert
            }
            Filter::Labels(sel) => sel.matches_pairs(&row.labels),
        }
    }
}

/// Whether `text` has no regex syntax: it matches itself (case aside).
fn is_plain(text: &str) -> bool {
    !text.contains(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$'])
}

/// Whether a plain-text `re` matches the namespace or a cell of `row`: the fields joined by line
/// breaks into one reused buffer and searched once. A search has a fixed cost that a dozen short
/// cells pay a dozen times, which at 100,000 rows is what a keystroke cost.
fn rest_matches(re: &Regex, row: &Row) -> bool {
    thread_local! {
        static TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    TEXT.with_borrow_mut(|text| {
        text.clear();
        text.push_str(&row.namespace);
        for c in &row.cells {
            text.push('\n');
            text.push_str(c);
        }
        re.is_match(text)
    })
}

/// Constraints of a drill-down view (pods of a deployment, pods on a node).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fixed {
    /// Only rows whose labels contain all of these.
    pub labels: Option<Vec<(String, String)>>,
    /// Only rows on this node.
    pub node: Option<String>,
    /// Only rows with an ownerReference to this uid.
    pub owner: Option<String>,
    /// Only these objects, as (namespace, name) (the pods using a ConfigMap, a claim's volume).
    pub names: Option<Vec<(String, String)>>,
    /// Only rows a triage rule flags (the problems-only toggle): their kind, and the time they are judged at.
    pub problems: Option<(crate::cluster::Kind, i64)>,
}

impl Fixed {
    fn matches(&self, row: &Row) -> bool {
        let labels_ok = self.labels.as_ref().is_none_or(|sel| {
            sel.iter()
                .all(|(k, v)| row.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        });
        labels_ok
            && self.node.as_ref().is_none_or(|n| row.node.as_deref() == Some(n))
            && self.owner.as_ref().is_none_or(|o| row.owners.iter().any(|x| x == o))
            && self
                .names
                .as_ref()
                .is_none_or(|names| names.iter().any(|(ns, name)| *ns == row.namespace && *name == row.name))
            && self
                .problems
                .is_none_or(|(kind, now)| model::triage::flagged(kind, row, &model::triage::Ctx::at(now)))
    }
}

/// Rows of one view with the visible subset (filtered + sorted indices) and the cursor.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Every row, in arrival order (shared with the watch cache, never copied).
    pub rows: Vec<Arc<Row>>,
    /// Indices into `rows` of the shown rows, in display order.
    pub visible: Vec<usize>,
    /// Cursor position in `visible`.
    pub cursor: usize,
    /// First shown position in `visible` (scrolling).
    pub offset: usize,
    /// Key of the row under the cursor, so it stays put when rows move.
    pub selected: Option<String>,
    /// Indices of the rows that pass the view's fixed constraints, sorted, and for which sort and
    /// constraints: a filter change is then one pass over them, never a sort of 100,000 rows.
    order: Option<(Sort, Fixed, Vec<usize>)>,
    /// The rows `order` was computed for, after `replace_rows`: if the new rows sit at the same
    /// places, the order is mended where they changed (one pod changing among 100,000).
    replaced: Option<Vec<Arc<Row>>>,
    /// The filter `visible` was computed with (None: unknown), so that rows that changed are
    /// filtered alone.
    filtered: Option<Filter>,
    /// Keys of the marked rows (`space`): a filter hides rows but keeps their marks; a row that
    /// leaves the list leaves the marks.
    pub marks: std::collections::BTreeSet<String>,
    /// The rows' text a plain filter searches, kept up to date with the rows so that the first key
    /// after `/` finds it ready.
    search: SearchText,
    /// The rows' usage cells, read from a metrics sample (`store::usage_cols`), not held in them.
    pub usage: Option<Arc<UsageCols>>,
    /// Which rows of a watch these are, so that the next feed can be what changed since.
    fed: Option<Fed>,
    /// Indices of the rows by namespace and name, for a feed of changes to find its rows.
    by_name: Option<Vec<usize>>,
}

impl Table {
    /// The row under the cursor.
    pub fn current(&self) -> Option<&Row> {
        self.visible
            .get(self.cursor)
            .and_then(|&i| self.rows.get(i))
            .map(Arc::as_ref)
    }

    /// Read the rows' usage cells from `usage` from now on (call `refresh` next): only what a usage
    /// cell decides is done again, the order when sorted by one and the filter's pass when a
    /// filter could match one; the rows themselves are not touched.
    pub fn set_usage(&mut self, usage: Option<Arc<UsageCols>>, filter: &Filter, sort: Sort) {
        let by_usage = |u: &Option<Arc<UsageCols>>| match sort.col {
            SortCol::Cell(n) => u.as_ref().is_some_and(|u| u.covers(n)),
            _ => false,
        };
        if by_usage(&self.usage) || by_usage(&usage) {
            self.order = None;
            self.replaced = None;
        }
        if matches!(filter, Filter::Regex { .. }) {
            self.filtered = None;
        }
        self.usage = usage;
    }

    /// The text of `row`'s cell `n` as drawn without its time: the row's own, or its usage.
    pub fn cell<'a>(&self, row: &'a Row, n: usize) -> Cow<'a, str> {
        cell(row, n, self.usage.as_deref())
    }

    /// Replace the rows and recompute the view.
    pub fn set_rows(&mut self, rows: Vec<Row>, filter: &Filter, fixed: &Fixed, sort: Sort) {
        self.replace_rows(rows.into_iter().map(Arc::new).collect());
        self.refresh(filter, fixed, sort);
    }

    /// Replace the rows (call `refresh` next); the only way rows should change, so that `refresh`
    /// knows whether the sorted order still holds.
    pub fn replace_rows(&mut self, rows: Vec<Arc<Row>>) {
        if !self.marks.is_empty() {
            let marks = std::mem::take(&mut self.marks);
            self.marks = rows
                .iter()
                .filter(|r| marks.contains(&r.key))
                .map(|r| r.key.clone())
                .collect();
        }
        self.fed = None;
        self.by_name = None;
        let old = std::mem::replace(&mut self.rows, rows);
        // Only the first replacement since the order was computed is what the order describes.
        if self.order.is_some() && self.replaced.is_none() {
            self.replaced = Some(old);
        }
    }

    /// The rows that changed since `order` was computed, if it can be mended rather than computed
    /// again: the same sort and constraints, every row at its place (the same object), and few
    /// changed. Empty when nothing changed.
    fn changed(&self, sort: Sort, fixed: &Fixed) -> Option<Vec<usize>> {
        let (s, f, _) = self.order.as_ref()?;
        if *s != sort || f != fixed {
            return None;
        }
        let Some(old) = &self.replaced else {
            return Some(Vec::new());
        };
        if old.len() != self.rows.len() {
            return None;
        }
        let mut changed = Vec::new();
        for (i, (a, b)) in old.iter().zip(&self.rows).enumerate() {
            if Arc::ptr_eq(a, b) {
                continue;
            }
            // Past a few, one sort of every row costs less than a search per row.
            if a.key != b.key || changed.len() > 64 + self.rows.len() / 16 {
                return None;
            }
            changed.push(i);
        }
        Some(changed)
    }

    /// Recompute filtering and sorting, keeping the cursor on the same object when it is still shown.
    /// Rows that changed in place are moved to their new places, in the order and in what is shown;
    /// otherwise every row is sorted (and filtered) again.
    pub fn refresh(&mut self, filter: &Filter, fixed: &Fixed, sort: Sort) {
        let changed = self.changed(sort, fixed);
        let old = self.replaced.take();
        let same_filter = self.filtered.as_ref().is_some_and(|f| f.same(filter));
        let rows = &self.rows;
        let usage = self.usage.as_deref();
        let mended = match (changed, self.order.as_mut()) {
            (Some(changed), Some((_, _, order))) => {
                let old = old.as_deref().unwrap_or(rows);
                // Out with each changed row where its old value sorted it; then in where its new one does.
                for &i in &changed {
                    let at = |&j: &usize| ordered(&old[j], &old[i], j, i, sort, usage);
                    if let Ok(p) = order.binary_search_by(at) {
                        order.remove(p);
                    }
                    if same_filter && let Ok(p) = self.visible.binary_search_by(at) {
                        self.visible.remove(p);
                    }
                }
                for &i in &changed {
                    if !fixed.matches(&rows[i]) {
                        continue;
                    }
                    let at = |&j: &usize| ordered(&rows[j], &rows[i], j, i, sort, usage);
                    let p = order.binary_search_by(at).unwrap_or_else(|p| p);
                    order.insert(p, i);
                    if same_filter && filter.matches_with(&rows[i], usage) {
                        let p = self.visible.binary_search_by(at).unwrap_or_else(|p| p);
                        self.visible.insert(p, i);
                    }
                }
                true
            }
            _ => false,
        };
        if !mended {
            let mut order: Vec<usize> = (0..rows.len()).filter(|&i| fixed.matches(&rows[i])).collect();
            sort_order(rows, &mut order, sort, usage);
            self.order = Some((sort, fixed.clone(), order));
            self.filtered = None;
        }
        if !(same_filter && self.filtered.is_some()) {
            let order = self.order.as_ref().map_or(&[][..], |(_, _, o)| o.as_slice());
            self.visible = self.search.pass(rows, filter, order, self.usage.as_deref());
            self.filtered = Some(filter.clone());
        } else {
            self.search.sync(rows);
        }
        self.keep_cursor();
    }

    /// Keep only the shown rows that also pass `filter`, in their order; for a filter that
    /// [`Filter::narrows`] the last one, it gives what `refresh` would, without the full pass and sort.
    pub fn narrow(&mut self, filter: &Filter) {
        let shown = std::mem::take(&mut self.visible);
        self.visible = self.search.pass(&self.rows, filter, &shown, self.usage.as_deref());
        self.filtered = Some(filter.clone());
        self.keep_cursor();
    }

    /// After `visible` changed: the cursor follows the selected object, or stays in range.
    fn keep_cursor(&mut self) {
        // Where it was, most often: a watch event elsewhere moved nothing above it.
        let here = |k: &String| {
            let i = *self.visible.get(self.cursor)?;
            (self.rows[i].key == *k).then_some(self.cursor)
        };
        let found = self
            .selected
            .as_ref()
            .and_then(|k| here(k).or_else(|| self.visible.iter().position(|&i| &self.rows[i].key == k)));
        self.put_cursor(found);
    }

    /// Mark the row under the cursor, or unmark it; false when there is no row.
    pub fn toggle_mark(&mut self) -> bool {
        let Some(key) = self.current().map(|r| r.key.clone()) else {
            return false;
        };
        if !self.marks.remove(&key) {
            self.marks.insert(key);
        }
        true
    }

    /// The marked rows, in the order shown (hidden ones, by a filter, after them in row order).
    pub fn marked(&self) -> Vec<&Row> {
        if self.marks.is_empty() {
            return Vec::new();
        }
        let mut shown = vec![false; self.rows.len()];
        for &i in &self.visible {
            shown[i] = true;
        }
        let hidden = (0..self.rows.len()).filter(|&i| !shown[i]);
        self.visible
            .iter()
            .copied()
            .chain(hidden)
            .map(|i| self.rows[i].as_ref())
            .filter(|r| self.marks.contains(&r.key))
            .collect()
    }

    /// Bytes held by the text a plain filter searches.
    pub fn search_bytes(&self) -> usize {
        self.search.bytes()
    }

    /// Move the cursor to `pos` (clamped) and remember the object under it.
    pub fn select(&mut self, pos: usize) {
        self.cursor = pos.min(self.visible.len().saturating_sub(1));
        self.selected = self.current().map(|r| r.key.clone());
    }

    /// Move the cursor by `delta` rows.
    pub fn move_by(&mut self, delta: isize) {
        self.select(self.cursor.saturating_add_signed(delta));
    }

    /// Adjust `offset` so the cursor is inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = visible_offset(self.offset, self.cursor, height, self.visible.len());
    }
}

/// The first row to show so that `cursor` is visible in `height` rows, moving as little as possible from `offset`.
pub fn visible_offset(offset: usize, cursor: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let mut off = offset.min(len.saturating_sub(height));
    if cursor < off {
        off = cursor;
    } else if cursor >= off + height {
        off = cursor + 1 - height;
    }
    off
}

/// The order of rows `a` and `b` (at indices `i` and `j`) in a table sorted by `sort`: the index
/// last, the order a stable sort gives.
fn ordered(a: &Row, b: &Row, i: usize, j: usize, sort: Sort, usage: Option<&UsageCols>) -> Ordering {
    let o = compare(a, b, sort.col, usage);
    if sort.descending { o.reverse() } else { o }.then(i.cmp(&j))
}

/// Cell `n` of `row`: its own, or its usage read from `usage`.
fn cell<'a>(row: &'a Row, n: usize, usage: Option<&UsageCols>) -> Cow<'a, str> {
    match usage.and_then(|u| u.cell(row, n)) {
        Some(text) => Cow::Owned(text),
        None => Cow::Borrowed(row.cells.get(n).map_or("", model::rows::Text::as_str)),
    }
}

fn by_name(a: &Row, b: &Row) -> Ordering {
    a.namespace.cmp(&b.namespace).then_with(|| a.name.cmp(&b.name))
}

/// Rows whose cell `n` compares equal: time columns keep "" as text, so the stamps decide (newest
/// first, like Age); for RESTARTS the count decides and the latest restart breaks ties.
fn cell_ties(a: &Row, b: &Row, n: usize) -> Ordering {
    b.stamp(n).cmp(&a.stamp(n)).then_with(|| by_name(a, b))
}

fn compare(a: &Row, b: &Row, col: SortCol, usage: Option<&UsageCols>) -> Ordering {
    match col {
        SortCol::Name => by_name(a, b),
        // Youngest first, as k9s and `kubectl get --sort-by` on age read naturally.
        SortCol::Age => b.created.cmp(&a.created).then_with(|| by_name(a, b)),
        SortCol::Cell(n) => natural(&cell(a, n, usage), &cell(b, n, usage)).then_with(|| cell_ties(a, b, n)),
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let z = s.iter().take_while(|&&c| c == b'0').count();
    &s[z..]
}

/// Compare texts with digit runs as numbers: "2/3" < "10/10", "10.0.0.9" < "10.0.0.12", "9" < "10".
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (i, j) = (run(x), run(y));
                let (dx, dy) = (trim_zeros(&x[..i]), trim_zeros(&y[..j]));
                let o = dx.len().cmp(&dy.len()).then_with(|| dx.cmp(dy));
                if o != Ordering::Equal {
                    return o;
                }
                x = &x[i..];
                y = &y[j..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

#[path = "table_search.rs"]
mod search;

#[path = "table_sort_key.rs"]
mod sort_key;

#[path = "table_feed.rs"]
mod feed;

#[cfg(test)]
#[path = "table_equiv_tests.rs"]
mod equiv_tests;

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "table_mend_tests.rs"]
mod mend_tests;

#[cfg(test)]
#[path = "table_feed_tests.rs"]
mod feed_tests;
