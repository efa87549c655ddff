//! The text a plain-text filter searches in each row, lowercased when the row comes or changes, so
//! that a keystroke at 100,000 rows is one substring search per row and no regex or copy, the first
//! one after `/` included: the text is kept from the table's first rows on, mended where rows
//! changed (reading each row's separate strings, not searching, is what a build costs).

use std::collections::HashMap;
use std::sync::Arc;

use memchr::memmem::Finder;

use super::{Filter, Row};
use crate::store::usage_cols::UsageCols;

/// A row's text in the buffer: start and length; `NONE` for a row with non-ASCII text, which the
/// regex decides (case folding outside ASCII is not ASCII lowercasing: the Kelvin sign matches `k`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

const NONE: Span = Span {
    start: u32::MAX,
    len: 0,
};

/// Each row's name, namespace and cells joined by line breaks and ASCII-lowercased, in one buffer.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchText {
    /// The rows the text describes, by identity: a row replaced by another object is written again.
    rows: Vec<Arc<Row>>,
    /// Every row's text; a row written again is appended and its old text left as garbage until
    /// the live text is copied into a new buffer (a copy, not a read of every row's strings).
    buf: Vec<u8>,
    /// Per row (as `rows`), its text in `buf`.
    spans: Vec<Span>,
    /// Bytes of `buf` no span refers to.
    garbage: usize,
}

impl SearchText {
    /// The indices among `among` whose rows pass `filter`, their usage cells read from `usage`, in
    /// their order: exactly what `Filter::matches_with` passes.
    pub(super) fn pass(
        &mut self,
        rows: &[Arc<Row>],
        filter: &Filter,
        among: &[usize],
        usage: Option<&UsageCols>,
    ) -> Vec<usize> {
        self.sync(rows);
        let Some((needle, invert)) = filter.plain_ascii() else {
            return among
                .iter()
                .copied()
                .filter(|&i| filter.matches_with(&rows[i], usage))
                .collect();
        };
        let finder = Finder::new(needle.as_bytes());
        // The usage cells change with every sample, so they are not in the kept text: they are
        // read for a filter that could match them at all (digits, `m`, `Mi`, `-`), which the
        // words one filters rows by cannot.
        let usage = usage.filter(|_| needle.bytes().all(crate::store::usage_cols::may_show));
        let in_usage = |row: &Row| {
            usage.is_some_and(|u| {
                let mut hit = false;
                u.each(row, |c| {
                    hit = hit || finder.find(c.to_ascii_lowercase().as_bytes()).is_some()
                });
                hit
            })
        };
        let hit = |i: usize| match self.spans[i] {
            NONE => filter.matches_with(&rows[i], usage),
            s => {
                (finder
                    .find(&self.buf[s.start as usize..(s.start + s.len) as usize])
                    .is_some()
                    || in_usage(&rows[i]))
                    != invert
            }
        };
        // Most rows (the first keys): every row in the order of the text, read through once, then
        // the answers in the order asked; few rows: those alone.
        if among.len() < rows.len() / 4 {
            return among.iter().copied().filter(|&i| hit(i)).collect();
        }
        let hits: Vec<bool> = (0..rows.len()).map(hit).collect();
        among.iter().copied().filter(|&i| hits[i]).collect()
    }

    /// The text kept for row `i`, None when the regex decides it (for tests).
    #[cfg(test)]
    pub(super) fn text_of(&self, i: usize) -> Option<&[u8]> {
        let s = self.spans[i];
        (s != NONE).then(|| &self.buf[s.start as usize..(s.start + s.len) as usize])
    }

    /// Rows the text describes (for tests).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Bytes this text holds (buffer, spans and row handles).
    pub(super) fn bytes(&self) -> usize {
        self.buf.capacity() + self.spans.capacity() * size_of::<Span>() + self.rows.capacity() * size_of::<Arc<Row>>()
    }

    /// Bring the text up to `rows` (and hold no row that left them): rows at their places keep
    /// their text, and so do rows that moved; only new and changed rows are written.
    pub(super) fn sync(&mut self, rows: &[Arc<Row>]) {
        if self.rows.len() != rows.len() {
            return self.moved(rows);
        }
        let changed: Vec<usize> = (0..rows.len())
            .filter(|&i| !Arc::ptr_eq(&self.rows[i], &rows[i]))
            .collect();
        if changed.is_empty() {
            return;
        }
        // Most rows new (a new metrics sample changes every pod): written afresh.
        if changed.len() > rows.len() / 2 {
            return self.rebuild(rows);
        }
        for &i in &changed {
            self.drop_text(i);
            self.rows[i] = rows[i].clone();
        }
        self.write_rows(&changed);
    }

    /// Whether the text describes as many rows as `rows` (it follows them since the last `sync`,
    /// so that `set`, `swap_remove` and `push` may mend it).
    pub(super) fn follows(&self, rows: &[Arc<Row>]) -> bool {
        self.rows.len() == rows.len()
    }

    /// Row `i` of `rows` changed: its text written again.
    pub(super) fn set(&mut self, i: usize, rows: &[Arc<Row>]) {
        self.drop_text(i);
        self.rows[i] = rows[i].clone();
        self.write_rows(&[i]);
    }

    /// Row `i` left, the last row taking its place (as `Vec::swap_remove`).
    pub(super) fn swap_remove(&mut self, i: usize) {
        self.drop_text(i);
        self.spans.swap_remove(i);
        self.rows.swap_remove(i);
    }

    /// The last row of `rows` came: its text written.
    pub(super) fn push(&mut self, rows: &[Arc<Row>]) {
        let Some(row) = rows.last() else { return };
        super::feed::room(&mut self.rows);
        super::feed::room(&mut self.spans);
        self.rows.push(row.clone());
        self.spans.push(NONE);
        self.write_rows(&[self.rows.len() - 1]);
    }

    /// Rows came, went or moved (a create or delete: the watch's rows come in its map's order):
    /// each row keeps its text where it is the same row.
    fn moved(&mut self, rows: &[Arc<Row>]) {
        if self.rows.is_empty() || rows.is_empty() {
            return self.rebuild(rows);
        }
        let at: HashMap<*const Row, Span> = self
            .rows
            .iter()
            .zip(&self.spans)
            .map(|(r, s)| (Arc::as_ptr(r), *s))
            .collect();
        let mut missing = Vec::new();
        let mut live = 0;
        self.spans = rows
            .iter()
            .enumerate()
            .map(|(i, r)| match at.get(&Arc::as_ptr(r)) {
                Some(s) => {
                    live += s.len as usize;
                    *s
                }
                None => {
                    missing.push(i);
                    NONE
                }
            })
            .collect();
        drop(at);
        self.garbage = self.buf.len() - live;
        self.rows = rows.to_vec();
        self.write_rows(&missing);
    }

    /// Every row's text written anew.
    fn rebuild(&mut self, rows: &[Arc<Row>]) {
        let mut buf = Vec::new();
        self.spans = rows.iter().map(|r| write(&mut buf, r)).collect();
        // The room doubling left, beyond a sixteenth for rows to come.
        buf.shrink_to(buf.len() + buf.len() / 16);
        self.buf = buf;
        self.garbage = 0;
        self.rows = rows.to_vec();
    }

    /// Row `i`'s text is no longer its row's.
    fn drop_text(&mut self, i: usize) {
        self.garbage += self.spans[i].len as usize;
        self.spans[i] = NONE;
    }

    /// Write the text of `self.rows[i]` for each `i` of `which` (their spans NONE), making room
    /// by copying the live text into a new buffer when there is none, or when garbage outweighs it.
    fn write_rows(&mut self, which: &[usize]) {
        let needed: usize = which.iter().map(|&i| text_len(&self.rows[i])).sum();
        let live = self.buf.len() - self.garbage;
        if self.buf.len() + needed > self.buf.capacity() || self.garbage > live / 2 {
            self.compact(needed);
        }
        for &i in which {
            self.spans[i] = write(&mut self.buf, &self.rows[i]);
        }
    }

    /// Copy the live text into a new buffer with room for `more` bytes and a sixteenth to spare
    /// (so that the buffer is never doubled): a copy, not a read of every row's strings.
    fn compact(&mut self, more: usize) {
        let want = self.buf.len() - self.garbage + more;
        let mut buf = Vec::with_capacity(want + want / 16);
        for s in self.spans.iter_mut().filter(|s| **s != NONE) {
            let start = buf.len();
            buf.extend_from_slice(&self.buf[s.start as usize..(s.start + s.len) as usize]);
            s.start = start as u32;
        }
        self.buf = buf;
        self.garbage = 0;
    }
}

/// The length of a row's text.
fn text_len(row: &Row) -> usize {
    row.name.len() + 1 + row.namespace.len() + row.cells.iter().map(|c| c.len() + 1).sum::<usize>()
}

/// Append the row's text to `buf`; its place, or NONE (and nothing kept) when it is not ASCII or
/// the buffer has outgrown the spans' offsets.
fn write(buf: &mut Vec<u8>, row: &Row) -> Span {
    let start = buf.len();
    let fields = [&row.name, &row.namespace].into_iter().chain(&row.cells);
    for (n, f) in fields.enumerate() {
        if !f.is_ascii() {
            buf.truncate(start);
            return NONE;
        }
        if n > 0 {
            buf.push(b'\n');
        }
        let at = buf.len();
        buf.extend_from_slice(f.as_bytes());
        buf[at..].make_ascii_lowercase();
    }
    match (u32::try_from(start), u32::try_from(buf.len() - start)) {
        (Ok(start), Ok(len)) if start.checked_add(len).is_some_and(|end| end < u32::MAX) => Span { start, len },
        _ => {
            buf.truncate(start);
            NONE
        }
    }
}
