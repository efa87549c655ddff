//! The text a plain-text filter searches in each row, lowercased once when the row changes, so
//! that a keystroke at 100,000 rows is one substring search per row and no regex or copy.

use std::ops::Range;
use std::sync::Arc;

use memchr::memmem::Finder;

use super::{Filter, Row};

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
}

impl SearchText {
    /// The indices among `among` whose rows pass `filter`, in their order: exactly what
    /// `Filter::matches` passes.
    pub(super) fn pass(&mut self, rows: &[Arc<Row>], filter: &Filter, among: &[usize]) -> Vec<usize> {
        let Some((needle, invert)) = filter.plain_ascii() else {
            self.keep(rows, filter);
            return among.iter().copied().filter(|&i| filter.matches(&rows[i])).collect();
        };
        self.sync(rows);
        let finder = Finder::new(needle.as_bytes());
        let hit = |i: usize| match &self.spans[i] {
            Some(r) => finder.find(&self.buf[r.clone()]).is_some() != invert,
            None => filter.matches(&rows[i]),
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
    pub(super) fn keep(&mut self, rows: &[Arc<Row>], filter: &Filter) {
        if filter.plain_ascii().is_some() {
            if !self.rows.is_empty() {
                self.sync(rows);
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
    fn sync(&mut self, rows: &[Arc<Row>]) {
        if self.rows.len() != rows.len() {
            return self.rebuild(rows);
        }
        for (i, row) in rows.iter().enumerate() {
            if Arc::ptr_eq(&self.rows[i], row) {
                continue;
            }
            if self.buf.capacity() - self.buf.len() < text_len(row) {
                return self.rebuild(rows);
            }
            self.spans[i] = write(&mut self.buf, row);
            self.rows[i] = row.clone();
        }
    }

    fn rebuild(&mut self, rows: &[Arc<Row>]) {
        let len: usize = rows.iter().map(|r| text_len(r)).sum();
        self.buf = Vec::with_capacity(len + len / 16);
        self.spans = rows.iter().map(|r| write(&mut self.buf, r)).collect();
        self.rows = rows.to_vec();
    }
}

/// The length of a row's text.
fn text_len(row: &Row) -> usize {
    row.name.len() + 1 + row.namespace.len() + row.cells.iter().map(|c| c.len() + 1).sum::<usize>()
}

/// Append the row's text to `buf`; its place, or None (and nothing kept) when it is not ASCII.
fn write(buf: &mut Vec<u8>, row: &Row) -> Option<Range<usize>> {
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
    Some(start..buf.len())
}
