//! Sorting a table by keys made once per row: a key's bytes compare as [`compare`] compares rows,
//! so that a sort of 100,000 rows is two million byte comparisons, not two million parses of
//! digit runs and lookups of names through each row.

use std::ops::Range;
use std::sync::Arc;

use super::{Row, Sort, SortCol, cell, trim_zeros};
#[cfg(doc)]
use super::{compare, natural, ordered};
use crate::store::usage_cols::UsageCols;

/// Sort `order`, indices into `rows`, as [`ordered`] orders them, usage cells read from `usage`
/// (each row's text made once, into its key).
pub(super) fn sort_order(rows: &[Arc<Row>], order: &mut [usize], sort: Sort, usage: Option<&UsageCols>) {
    let mut buf = Vec::new();
    let mut keyed: Vec<(Range<usize>, usize)> = order
        .iter()
        .map(|&i| {
            let start = buf.len();
            sort_key(&mut buf, &rows[i], sort.col, usage);
            (start..buf.len(), i)
        })
        .collect();
    // Unstable (no buffer, fewer moves) with the index as the last key: the order a stable sort gives.
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        let o = buf[ka.clone()].cmp(&buf[kb.clone()]);
        if sort.descending { o.reverse() } else { o }.then(a.cmp(b))
    });
    for (slot, (_, i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
}

/// Append the key of `row` by `col` to `buf`: what [`compare`] compares, in its order, each part
/// ended so that a shorter part sorts first.
pub(super) fn sort_key(buf: &mut Vec<u8>, row: &Row, col: SortCol, usage: Option<&UsageCols>) {
    match col {
        SortCol::Name => {}
        SortCol::Age => newest_first(buf, row.created),
        SortCol::Cell(n) => {
            natural_key(buf, &cell(row, n, usage));
            buf.push(END);
            newest_first(buf, row.stamp(n));
        }
    }
    text(buf, &row.namespace);
    buf.push(END);
    text(buf, &row.name);
}

/// Ends a part: below every byte a part starts with, since the bytes 0 and 1 of a text are escaped.
const END: u8 = 0;
const ESCAPE: u8 = 1;

/// A text whose bytes compare as the text does, with no `END` in it.
fn text(buf: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        raw(buf, b);
    }
}

fn raw(buf: &mut Vec<u8>, b: u8) {
    if b <= ESCAPE {
        buf.push(ESCAPE);
    }
    buf.push(b);
}

/// A time, the newest first and none last (as `b.cmp(a)` orders `Option`s).
fn newest_first(buf: &mut Vec<u8>, t: Option<i64>) {
    match t {
        // The sign bit flipped orders i64 as u64; inverted, the newest first.
        Some(t) => {
            buf.push(0);
            buf.extend_from_slice(&(!((t as u64) ^ (1 << 63))).to_be_bytes());
        }
        None => buf.extend_from_slice(&[1; 9]),
    }
}

/// Append a key of `text` whose byte order is [`natural`]'s order: each digit run becomes `0` (a
/// digit, so it sorts against other bytes as any digit does), the run's length without leading
/// zeros (8 bytes, big-endian) and those digits; other bytes stay (0 and 1 escaped).
pub(super) fn natural_key(buf: &mut Vec<u8>, text: &str) {
    let mut x = text.as_bytes();
    while let Some(&c) = x.first() {
        if c.is_ascii_digit() {
            let run = x.iter().take_while(|c| c.is_ascii_digit()).count();
            let digits = trim_zeros(&x[..run]);
            buf.push(b'0');
            buf.extend_from_slice(&(digits.len() as u64).to_be_bytes());
            buf.extend_from_slice(digits);
            x = &x[run..];
        } else {
            raw(buf, c);
            x = &x[1..];
        }
    }
}
