//! The text a plain-text filter searches in each row, lowercased once when the row changes, so
//! that a keystroke at 100,000 rows is one substring search per row and no regex or copy.

use std::ops::Range;
use std::sync::Arc;

use memchr::memmem::Finder;

use super::{Filter, Row};
use crate::store::usage_cols::UsageCols;

/// Each row's name, namespace and cells joined by line breaks and ASCII-lowercased, in one buffer.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchText {
    /// The rows the text describes, by identity: a row replaced by another object is written again.
    rows: Vec<Arc<Row>>,
    /// Every row's text; a row written again is appended and its old text left as garbage, within
    /// the room left at the last rebuild (so that the buffer is never doubled).
    buf: Vec<u8>,
    /// Per row, its text in `buf`; None for a row with non-ASCII text, which the regex decides
    /// (case folding outside ASCII is not ASCII lowercasing: the Kelvin sign matches `k`).
    spans: Vec<Option<Range<usize>>>,
    /// The usage cells written after each row's own (a new sample writes every row again).
    usage: Option<Arc<UsageCols>>,
}

impl SearchText {
    /// The indices among `among` whose rows pass `filter`, in their order: exactly what
    /// `Filter::matches` passes.
    pub(super) fn pass(
        &mut self,
        rows: &[Arc<Row>],
        filter: &Filter,
        among: &[usize],
        usage: Option<&Arc<UsageCols>>,
    ) -> Vec<usize> {
        let Some((needle, invert)) = filter.plain_ascii() else {
            self.keep(rows, filter, usage);
            let u = usage.map(Arc::as_ref);
            return among
                .iter()
                .copied()
                .filter(|&i| filter.matches_with(&rows[i], u))
                .collect();
        };
        self.sync(rows, usage);
        let finder = Finder::new(needle.as_bytes());
        let hit = |i: usize| match &self.spans[i] {
            Some(r) => finder.find(&self.buf[r.clone()]).is_some() != invert,
            None => filter.matches_with(&rows[i], usage.map(Arc::as_ref)),
        };
        // Most rows (the first keys): every row in the order of the text, read through once, then
        // the answers in the order asked; few rows: those alone.
        if among.len() < rows.len() / 4 {
            return among.iter().copied().filter(|&i| hit(i)).collect();
        }
        let hits: Vec<bool> = (0..rows.len()).map(hit).collect();
        among.iter().copied().filter(|&i| hits[i]).collect()
    }

    /// Keep the text only while `filter` searches it, up to date with `rows` (so that it holds no
    /// replaced rows alive); otherwise free it.
    pub(super) fn keep(&mut self, rows: &[Arc<Row>], filter: &Filter, usage: Option<&Arc<UsageCols>>) {
        if filter.plain_ascii().is_some() {
            if !self.rows.is_empty() {
                self.sync(rows, usage);
            }
        } else if self.buf.capacity() > 0 || !self.rows.is_empty() {
            *self = SearchText::default();
        }
    }

    /// Bytes this text holds (buffer, spans and row handles).
    pub(super) fn bytes(&self) -> usize {
        self.buf.capacity()
            + self.spans.capacity() * size_of::<Option<Range<usize>>>()
            + self.rows.capacity() * size_of::<Arc<Row>>()
    }

    /// Bring the text up to `rows`: the rows that are not the ones written are written again, or
    /// everything when rows came or went or the room for them ran out.
    fn sync(&mut self, rows: &[Arc<Row>], usage: Option<&Arc<UsageCols>>) {
        let same_usage = match (&self.usage, usage) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if self.rows.len() != rows.len() || !same_usage {
            return self.rebuild(rows, usage);
        }
        let u = usage.map(Arc::as_ref);
        for (i, row) in rows.iter().enumerate() {
            if Arc::ptr_eq(&self.rows[i], row) {
                continue;
            }
            if self.buf.capacity() - self.buf.len() < text_len(row, u) {
                return self.rebuild(rows, usage);
            }
            self.spans[i] = write(&mut self.buf, row, u);
            self.rows[i] = row.clone();
        }
    }

    fn rebuild(&mut self, rows: &[Arc<Row>], usage: Option<&Arc<UsageCols>>) {
        let u = usage.map(Arc::as_ref);
        let len: usize = rows.iter().map(|r| text_len(r, u)).sum();
        self.buf = Vec::with_capacity(len + len / 16);
        self.spans = rows.iter().map(|r| write(&mut self.buf, r, u)).collect();
        self.rows = rows.to_vec();
        self.usage = usage.cloned();
    }
}

/// The length of a row's text (its usage cells allowed for, not computed).
fn text_len(row: &Row, usage: Option<&UsageCols>) -> usize {
    let usage = usage.map_or(0, |_| USAGE_ROOM);
    row.name.len() + 1 + row.namespace.len() + row.cells.iter().map(|c| c.len() + 1).sum::<usize>() + usage
}

/// Room for a row's usage cells in its text ("1234m\n2048Mi\n…", a trend of 30 glyphs).
const USAGE_ROOM: usize = 160;

/// Append the row's text to `buf`; its place, or None (and nothing kept) when it is not ASCII.
fn write(buf: &mut Vec<u8>, row: &Row, usage: Option<&UsageCols>) -> Option<Range<usize>> {
    let start = buf.len();
    let fields = [&row.name, &row.namespace].into_iter().chain(&row.cells);
    for (n, f) in fields.enumerate() {
        if !f.is_ascii() {
            buf.truncate(start);
            return None;
        }
        if n > 0 {
            buf.push(b'\n');
        }
        let at = buf.len();
        buf.extend_from_slice(f.as_bytes());
        buf[at..].make_ascii_lowercase();
    }
    // The usage cells are ASCII (and lowercase) but the CPU trend's bar glyphs, which no ASCII
    // text matches, ignoring case or not: left out, so that the row is still searched here.
    if let Some(u) = usage {
        u.each(row, |c| {
            if c.is_ascii() {
                buf.push(b'\n');
                buf.extend_from_slice(c.as_bytes());
            }
        });
    }
    Some(start..buf.len())
}
