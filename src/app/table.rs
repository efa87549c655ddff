//! Table data of a list view: compact row projections, filtering, sorting and a cursor that follows its object.

use std::cmp::Ordering;
use std::sync::Arc;

use regex::Regex;

use super::pattern::{self, Case};

pub use crate::cluster::rows::Row;
use crate::labels::LabelSelector;

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
        Ok((Filter::Regex { re: p.re, invert }, p.note))
    }

    /// Whether the filter typed as `new` can only hide rows that the one typed as `old` showed: `new`
    /// is `old` with more plain text after it (no regex syntax, no `!`, no `-l`), so a case-insensitive
    /// substring that can only get rarer.
    pub fn narrows(old: &str, new: &str) -> bool {
        let plain = |t: &str| !t.contains(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
        new.starts_with(old) && plain(new) && !new.starts_with('!') && !new.starts_with("-l")
    }

    /// Whether a row passes.
    pub fn matches(&self, row: &Row) -> bool {
        match self {
            Filter::None => true,
            Filter::Regex { re, invert } => {
                let hit =
                    re.is_match(&row.name) || re.is_match(&row.namespace) || row.cells.iter().any(|c| re.is_match(c));
                hit != *invert
            }
            Filter::Labels(sel) => sel.matches_pairs(&row.labels),
        }
    }
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
    /// places and none moved in the sort, the order still holds (one pod changing among 100,000).
    replaced: Option<Vec<Arc<Row>>>,
    /// Keys of the marked rows (`space`): a filter hides rows but keeps their marks; a row that
    /// leaves the list leaves the marks.
    pub marks: std::collections::BTreeSet<String>,
}

impl Table {
    /// The row under the cursor.
    pub fn current(&self) -> Option<&Row> {
        self.visible
            .get(self.cursor)
            .and_then(|&i| self.rows.get(i))
            .map(Arc::as_ref)
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
        let old = std::mem::replace(&mut self.rows, rows);
        // Only the first replacement since the order was computed is what the order describes.
        if self.order.is_some() && self.replaced.is_none() {
            self.replaced = Some(old);
        }
    }

    /// Whether `order`, computed for the rows before `replace_rows`, still sorts the current rows.
    fn order_holds(&self, sort: Sort, fixed: &Fixed) -> bool {
        let Some((s, f, _)) = &self.order else { return false };
        if *s != sort || f != fixed {
            return false;
        }
        let Some(old) = &self.replaced else { return true };
        old.len() == self.rows.len()
            && old.iter().zip(&self.rows).all(|(a, b)| {
                Arc::ptr_eq(a, b)
                    || a.key == b.key
                        && compare(a, b, sort.col) == Ordering::Equal
                        && fixed.matches(a) == fixed.matches(b)
            })
    }

    /// Recompute filtering and sorting, keeping the cursor on the same object when it is still shown.
    pub fn refresh(&mut self, filter: &Filter, fixed: &Fixed, sort: Sort) {
        let holds = self.order_holds(sort, fixed);
        self.replaced = None;
        let rows = &self.rows;
        if !holds {
            let mut order: Vec<usize> = (0..rows.len()).filter(|&i| fixed.matches(&rows[i])).collect();
            order.sort_by(|&a, &b| {
                let o = compare(&rows[a], &rows[b], sort.col);
                if sort.descending { o.reverse() } else { o }
            });
            self.order = Some((sort, fixed.clone(), order));
        }
        let order = self.order.as_ref().map_or(&[][..], |(_, _, o)| o.as_slice());
        self.visible = order.iter().copied().filter(|&i| filter.matches(&rows[i])).collect();
        self.keep_cursor();
    }

    /// Keep only the shown rows that also pass `filter`, in their order; for a filter that
    /// [`Filter::narrows`] the last one, it gives what `refresh` would, without the full pass and sort.
    pub fn narrow(&mut self, filter: &Filter) {
        let rows = &self.rows;
        self.visible.retain(|&i| filter.matches(&rows[i]));
        self.keep_cursor();
    }

    /// After `visible` changed: the cursor follows the selected object, or stays in range.
    fn keep_cursor(&mut self) {
        let found = self
            .selected
            .as_ref()
            .and_then(|k| self.visible.iter().position(|&i| &self.rows[i].key == k));
        match found {
            Some(pos) => self.cursor = pos,
            None => {
                self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
                self.selected = self.current().map(|r| r.key.clone());
            }
        }
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

fn compare(a: &Row, b: &Row, col: SortCol) -> Ordering {
    let by_name = || a.namespace.cmp(&b.namespace).then_with(|| a.name.cmp(&b.name));
    match col {
        SortCol::Name => by_name(),
        // Youngest first, as k9s and `kubectl get --sort-by` on age read naturally.
        SortCol::Age => b.created.cmp(&a.created).then_with(by_name),
        SortCol::Cell(n) => {
            let (x, y) = (
                a.cells.get(n).map_or("", String::as_str),
                b.cells.get(n).map_or("", String::as_str),
            );
            // Time columns keep "" as text, so the stamps decide (newest first, like Age); for
            // RESTARTS the count decides and the latest restart breaks ties.
            natural(x, y)
                .then_with(|| b.stamp(n).cmp(&a.stamp(n)))
                .then_with(by_name)
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, labels: &[(&str, &str)]) -> Row {
        Row {
            key: format!("uid-{name}"),
            namespace: "default".into(),
            name: name.into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    fn names(t: &Table) -> Vec<&str> {
        t.visible.iter().map(|&i| t.rows[i].name.as_str()).collect()
    }

    #[test]
    fn the_sorted_order_is_kept_only_while_it_still_sorts_the_rows() {
        let rows: Vec<Arc<Row>> = ["c", "a", "b"].iter().map(|n| Arc::new(row(n, &[]))).collect();
        let by_status = Sort {
            col: SortCol::Cell(0),
            descending: false,
        };
        let status = |r: &Arc<Row>, s: &str| {
            let mut r = (**r).clone();
            r.cells = vec![s.into()];
            Arc::new(r)
        };
        let rows: Vec<Arc<Row>> = rows.iter().map(|r| status(r, "Running")).collect();
        let mut t = Table::default();
        t.replace_rows(rows.clone());
        t.refresh(&Filter::None, &Fixed::default(), by_status);
        assert_eq!(names(&t), ["a", "b", "c"]);
        // A change that leaves the sort key alone keeps the order (and must equal a full sort)…
        let mut same = rows.clone();
        same[1] = Arc::new(Row {
            warn: true,
            ..(*same[1]).clone()
        });
        t.replace_rows(same);
        t.refresh(&Filter::None, &Fixed::default(), by_status);
        assert_eq!(names(&t), ["a", "b", "c"]);
        assert!(t.current().is_some());
        // …one that moves a row in the sort does not.
        let mut moved = rows.clone();
        moved[1] = status(&moved[1], "Terminating");
        t.replace_rows(moved.clone());
        t.refresh(&Filter::None, &Fixed::default(), by_status);
        assert_eq!(names(&t), ["b", "c", "a"]);
        // Rows in other places (a new object re-hashed the store) are sorted again.
        let mut reordered = moved;
        reordered.swap(0, 2);
        t.replace_rows(reordered);
        t.refresh(&Filter::None, &Fixed::default(), by_status);
        assert_eq!(names(&t), ["b", "c", "a"]);
    }

    #[test]
    fn typing_on_narrows_to_what_a_full_refresh_shows() {
        assert!(Filter::narrows("", "web"));
        assert!(Filter::narrows("we", "web-"));
        assert!(!Filter::narrows("web", "we"), "deleting widens");
        assert!(!Filter::narrows("web", "web.*"), "regex syntax");
        assert!(!Filter::narrows("", "!web"));
        assert!(!Filter::narrows("-", "-l app=web"));
        let rows: Vec<Row> = ["web-1", "WEB-10", "web-2", "db-web", "db-0", "webby"]
            .iter()
            .map(|n| row(n, &[]))
            .collect();
        let sort = Sort {
            col: SortCol::Name,
            descending: true,
        };
        let mut typed = Table::default();
        typed.set_rows(rows.clone(), &Filter::None, &Fixed::default(), sort);
        typed.select(2);
        let mut old = String::new();
        for new in ["w", "we", "web", "web-", "web-1"] {
            assert!(Filter::narrows(&old, new));
            let filter = Filter::parse(new).unwrap().0;
            typed.narrow(&filter);
            let mut full = Table::default();
            full.set_rows(rows.clone(), &filter, &Fixed::default(), sort);
            assert_eq!(names(&typed), names(&full), "after {new:?}");
            old = new.to_string();
        }
        assert_eq!(names(&typed), ["web-1", "WEB-10"], "case-insensitive, still sorted");
    }

    #[test]
    fn regex_inverted_and_label_filters() {
        let rows = vec![
            row("web-1", &[("app", "web")]),
            row("db-0", &[("app", "db")]),
            row("web-2", &[]),
        ];
        let mut t = Table::default();
        let f = Filter::parse("^web").unwrap().0;
        t.set_rows(rows.clone(), &f, &Fixed::default(), Sort::default());
        assert_eq!(names(&t), ["web-1", "web-2"]);
        t.refresh(&Filter::parse("!web").unwrap().0, &Fixed::default(), Sort::default());
        assert_eq!(names(&t), ["db-0"]);
        t.refresh(
            &Filter::parse("-l app=web").unwrap().0,
            &Fixed::default(),
            Sort::default(),
        );
        assert_eq!(names(&t), ["web-1"]);
        t.refresh(
            &Filter::parse("-l app!=web").unwrap().0,
            &Fixed::default(),
            Sort::default(),
        );
        assert_eq!(names(&t), ["db-0", "web-2"]);
        // An unbalanced bracket is searched for literally instead of failing.
        t.refresh(&Filter::parse("web[").unwrap().0, &Fixed::default(), Sort::default());
        assert!(names(&t).is_empty());
        t.refresh(
            &Filter::parse("-l app in (db, api)").unwrap().0,
            &Fixed::default(),
            Sort::default(),
        );
        assert_eq!(names(&t), ["db-0"]);
        assert!(Filter::parse("-l a b").is_err());
    }

    #[test]
    fn cursor_follows_its_object_when_rows_move() {
        let mut t = Table::default();
        let f = Filter::None;
        t.set_rows(
            vec![row("b", &[]), row("c", &[]), row("d", &[])],
            &f,
            &Fixed::default(),
            Sort::default(),
        );
        t.select(1);
        assert_eq!(t.current().unwrap().name, "c");
        t.set_rows(
            vec![row("a", &[]), row("b", &[]), row("c", &[]), row("d", &[])],
            &f,
            &Fixed::default(),
            Sort::default(),
        );
        assert_eq!(t.current().unwrap().name, "c");
        assert_eq!(t.cursor, 2);
        // When the object goes away the cursor keeps its position, clamped.
        t.set_rows(vec![row("a", &[])], &f, &Fixed::default(), Sort::default());
        assert_eq!(t.current().unwrap().name, "a");
    }

    #[test]
    fn sort_by_age_puts_the_youngest_first_and_descending_reverses() {
        let mut rows = vec![row("old", &[]), row("new", &[])];
        rows[0].created = Some(100);
        rows[1].created = Some(200);
        let mut t = Table::default();
        t.set_rows(
            rows,
            &Filter::None,
            &Fixed::default(),
            Sort {
                col: SortCol::Age,
                descending: false,
            },
        );
        assert_eq!(names(&t), ["new", "old"]);
        t.refresh(
            &Filter::None,
            &Fixed::default(),
            Sort {
                col: SortCol::Age,
                descending: true,
            },
        );
        assert_eq!(names(&t), ["old", "new"]);
    }

    #[test]
    fn natural_order_reads_numbers_ratios_and_ips() {
        assert_eq!(natural("2/3", "10/10"), Ordering::Less);
        assert_eq!(natural("3/3", "2/3"), Ordering::Greater);
        assert_eq!(natural("10.0.0.9", "10.0.0.12"), Ordering::Less);
        assert_eq!(natural("9", "10"), Ordering::Less);
        assert_eq!(natural("007", "7"), Ordering::Equal);
        assert_eq!(natural("Running", "Pending"), Ordering::Greater);
    }

    #[test]
    fn cell_sort_uses_numbers_then_stamps() {
        let mut rows = vec![row("a", &[]), row("b", &[]), row("c", &[])];
        rows[0].cells = vec!["10".into(), String::new()];
        rows[1].cells = vec!["9".into(), String::new()];
        rows[2].cells = vec!["10".into(), String::new()];
        rows[0].stamps = vec![Some(100), Some(5)];
        rows[1].stamps = vec![None, Some(50)];
        rows[2].stamps = vec![Some(200), Some(7)];
        let mut t = Table::default();
        let sort = |n| Sort {
            col: SortCol::Cell(n),
            descending: false,
        };
        t.set_rows(rows, &Filter::None, &Fixed::default(), sort(0));
        // 9 restarts first; of the two with 10, the one restarted last (stamp 200) first.
        assert_eq!(names(&t), ["b", "c", "a"]);
        // An age column: newest stamp first.
        t.refresh(&Filter::None, &Fixed::default(), sort(1));
        assert_eq!(names(&t), ["b", "c", "a"]);
        let mut changed = t.rows.clone();
        Arc::make_mut(&mut changed[1]).stamps[1] = Some(1);
        t.replace_rows(changed);
        t.refresh(&Filter::None, &Fixed::default(), sort(1));
        assert_eq!(names(&t), ["c", "a", "b"]);
    }

    #[test]
    fn offset_moves_only_as_much_as_needed() {
        assert_eq!(visible_offset(0, 5, 10, 100), 0);
        assert_eq!(visible_offset(0, 15, 10, 100), 6);
        assert_eq!(visible_offset(20, 15, 10, 100), 15);
        assert_eq!(visible_offset(95, 99, 10, 100), 90);
    }
}
