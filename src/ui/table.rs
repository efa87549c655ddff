//! The table widget: builds ratatui rows only for the slice on screen, so 100,000 objects cost what 40 do.
//!
//! Widths come from the titles and the rows on screen. When they do not fit, the free-text columns
//! (MESSAGE, SELECTOR …) give way first and the identifying ones (NAME, OBJECT) last; a cut cell ends
//! in `…`, and the cut cells of the cursor row are written out whole in a detail line under the table.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TCell, Paragraph, Row as TRow, Table};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::table::{Row, Table as Data, visible_offset};
use crate::config::theme::Theme;

/// Columns of a table: titles and how to get each row's cells.
pub struct Columns<'a> {
    /// Column titles.
    pub titles: Vec<String>,
    /// Per title: whether the column holds free text, which gives way first when rows are too wide.
    pub free: Vec<bool>,
    /// The cells of one row, one per title.
    pub cells: &'a dyn Fn(&Row) -> Vec<String>,
    /// A style of its own for a cell (column index, text), over the row's: usage over thresholds.
    pub tint: Option<&'a Tint<'a>>,
}

/// A cell's own style from its column index and text, if it has one.
pub type Tint<'a> = dyn Fn(usize, &str) -> Option<Style> + 'a;

/// Cells between two columns.
const SPACING: usize = 2;
/// What a marked row shows in the mark column.
const MARK: &str = "●";
/// The narrowest a free-text column is cut to before identifying columns give way.
const FREE_MIN: usize = 8;
/// The narrowest an identifying column is cut to: two letters and `…`.
const FIXED_MIN: usize = 3;

/// Draw the visible slice of `data` inside `block`, with the cursor row highlighted.
pub fn render(frame: &mut Frame, area: Rect, block: Block<'_>, data: &Data, cols: &Columns<'_>, theme: &Theme) {
    let inner = block.inner(area);
    let room = inner.height.saturating_sub(1) as usize;
    // While rows are marked, a narrow first column carries the mark (a glyph, for mono themes too).
    let marking = !data.marks.is_empty();
    let mark_w = if marking { MARK.width() + SPACING } else { 0 };
    let total = usize::from(inner.width)
        .saturating_sub(SPACING * cols.titles.len().saturating_sub(1))
        .saturating_sub(mark_w);
    // The detail takes rows from the table, which can change the slice and so the widths: measure
    // with the whole height first, then lay out again with what is left.
    let first = layout(data, cols, room, total);
    let detail = detail(data, cols, &first.widths, theme, usize::from(inner.width), room / 3);
    let height = if detail.is_empty() {
        room
    } else {
        room - detail.len() - 1
    };
    let laid = if detail.is_empty() {
        first
    } else {
        layout(data, cols, height, total)
    };
    let mark_col = marking.then(|| Constraint::Length(MARK.width() as u16));
    let constraints: Vec<Constraint> = mark_col
        .into_iter()
        .chain(laid.widths.iter().map(|&w| Constraint::Length(w as u16)))
        .collect();
    let titles = cols.titles.iter().zip(&laid.widths);
    let mark_title = marking.then(|| Line::raw(""));
    let titles = mark_title
        .into_iter()
        .chain(titles.map(|(t, &w)| Line::raw(ellipsize(t, w).into_owned())));
    let header = TRow::new(titles).style(theme.header);
    // Rows in trouble are drawn in `warn`; their text (Warning, CrashLoopBackOff, NotReady) says why.
    let rows = laid.slice.into_iter().map(|(pos, cells)| {
        let row = data.visible.get(pos).map(|&i| &data.rows[i]);
        let warn = row.is_some_and(|r| r.warn);
        let marked = row.is_some_and(|r| data.marks.contains(&r.key));
        let mark = marking.then(|| if marked { MARK } else { "" }.to_string());
        let cells = cells.iter().zip(&laid.widths).enumerate().map(|(i, (c, &w))| {
            let cell = TCell::from(ellipsize(c, w).into_owned());
            match cols.tint.and_then(|t| t(i, c)) {
                Some(style) => cell.style(style),
                None => cell,
            }
        });
        let row = TRow::new(mark.into_iter().map(TCell::from).chain(cells).collect::<Vec<_>>());
        match (pos == data.cursor, warn) {
            // The cursor on a row in trouble keeps the warning and reverses it, in every theme.
            (true, true) => row.style(theme.warn.add_modifier(Modifier::REVERSED)),
            (true, false) => row.style(theme.selected),
            (false, _) if marked => row.style(theme.accent),
            (false, true) => row.style(theme.warn),
            (false, false) => row.style(theme.text),
        }
    });
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(SPACING as u16)
        .block(block.border_style(theme.border));
    frame.render_widget(table, area);
    if !detail.is_empty() {
        let y = inner.y + 1 + height as u16;
        let rule = Rect { y, height: 1, ..inner };
        frame.render_widget(Paragraph::new("─".repeat(inner.width.into())).style(theme.border), rule);
        let rest = Rect {
            y: y + 1,
            height: detail.len() as u16,
            ..inner
        };
        frame.render_widget(Paragraph::new(detail), rest);
    }
}

/// The rows on screen and the widths of their columns.
struct Laid {
    /// Position in `visible` and cells, per row on screen.
    slice: Vec<(usize, Vec<String>)>,
    /// Fitted column widths.
    widths: Vec<usize>,
}

fn layout(data: &Data, cols: &Columns<'_>, height: usize, total: usize) -> Laid {
    let offset = visible_offset(data.offset, data.cursor, height, data.visible.len());
    let slice: Vec<(usize, Vec<String>)> = data.visible[offset..(offset + height).min(data.visible.len())]
        .iter()
        .enumerate()
        .map(|(i, &r)| (offset + i, (cols.cells)(&data.rows[r])))
        .collect();
    // Widths from the titles and what is on screen only: the rest of the rows are never touched.
    let mut natural: Vec<usize> = cols.titles.iter().map(|t| t.width()).collect();
    for (_, cells) in &slice {
        for (w, c) in natural.iter_mut().zip(cells) {
            *w = (*w).max(c.width());
        }
    }
    let free: Vec<bool> = (0..natural.len()).map(|i| cols.free.get(i) == Some(&true)).collect();
    Laid {
        widths: fit(&natural, &free, total),
        slice,
    }
}

/// The cursor row's cells cut at the column edge, whole and wrapped to `width`, at most `max` rows
/// (the last one cut with `…`); empty when nothing of the cursor row is cut.
fn detail(
    data: &Data,
    cols: &Columns<'_>,
    widths: &[usize],
    theme: &Theme,
    width: usize,
    max: usize,
) -> Vec<Line<'static>> {
    let Some(row) = data.current() else { return vec![] };
    // One line per cut cell, so each value starts under the last.
    let mut cut = Vec::new();
    for ((title, cell), &w) in cols.titles.iter().zip((cols.cells)(row)).zip(widths) {
        if cell.width() > w {
            cut.push(Line::from(vec![
                Span::styled(format!("{title} "), theme.header),
                Span::styled(cell, theme.text),
            ]));
        }
    }
    if cut.is_empty() || max == 0 {
        return vec![];
    }
    let mut lines = super::wrap::wrap(&cut, width);
    if lines.len() > max {
        lines.truncate(max);
        if let Some(last) = lines.last_mut() {
            let text = ellipsize(&format!("{last}…"), width).into_owned();
            *last = Line::styled(text, theme.text);
        }
    }
    lines
}

/// Widths of columns whose content is `natural` wide, within `total` cells. If all fit, the last
/// column takes the slack. Otherwise the free-text columns are cut to one level (not below
/// `FREE_MIN` if the room allows, else to two letters), and only if that is not enough are the
/// widest identifying columns cut too.
pub fn fit(natural: &[usize], free: &[bool], total: usize) -> Vec<usize> {
    let mut out = natural.to_vec();
    let sum: usize = natural.iter().sum();
    if sum <= total {
        if let Some(last) = out.last_mut() {
            *last += total - sum;
        }
        return out;
    }
    let (free_idx, fixed_idx): (Vec<usize>, Vec<usize>) = (0..natural.len()).partition(|&i| free[i]);
    let fixed: usize = fixed_idx.iter().map(|&i| natural[i]).sum();
    let free_floor: usize = free_idx.iter().map(|&i| natural[i].min(FREE_MIN)).sum();
    let free_least: usize = free_idx.iter().map(|&i| natural[i].min(FIXED_MIN)).sum();
    if fixed + free_floor <= total {
        level(&mut out, &free_idx, total - fixed, FREE_MIN);
    } else if fixed + free_least <= total {
        level(&mut out, &free_idx, total - fixed, FIXED_MIN);
    } else {
        for &i in &free_idx {
            out[i] = natural[i].min(FIXED_MIN);
        }
        level(&mut out, &fixed_idx, total.saturating_sub(free_least), FIXED_MIN);
    }
    out
}

/// Cut the columns `idx` of `w` to one level so that together they take at most `budget` cells
/// (never below `min`); the cells left over go to the first cut columns.
fn level(w: &mut [usize], idx: &[usize], budget: usize, min: usize) {
    let sum_at = |l: usize| idx.iter().map(|&i| w[i].min(l)).sum::<usize>();
    let (mut lo, mut hi) = (0, idx.iter().map(|&i| w[i]).max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if sum_at(mid) <= budget { lo = mid } else { hi = mid - 1 }
    }
    let lvl = lo.max(min);
    let mut spare = budget.saturating_sub(sum_at(lvl));
    for &i in idx {
        if w[i] > lvl {
            let give = spare.min(w[i] - lvl);
            spare -= give;
            w[i] = lvl + give;
        }
    }
}

/// `s` cut to `width` cells, ending in `…` when anything was cut.
pub fn ellipsize(s: &str, width: usize) -> Cow<'_, str> {
    if s.width() <= width {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_gives_way_before_names() {
        // NAME, READY, SELECTOR at 40 cells: the selector is cut, the name is whole.
        assert_eq!(fit(&[24, 5, 60], &[false, false, true], 40), [24, 5, 11]);
        // Everything fits: the last column takes the slack.
        assert_eq!(fit(&[4, 5, 6], &[false, false, true], 20), [4, 5, 11]);
        // Two free columns share what is left; the short one keeps its text.
        assert_eq!(fit(&[10, 6, 50], &[false, true, true], 40), [10, 6, 24]);
        // Tight: the free column goes below its floor before a name is cut.
        assert_eq!(fit(&[24, 5, 60], &[false, false, true], 33), [24, 5, 4]);
        // The identifying columns alone do not fit: the widest is cut.
        assert_eq!(fit(&[30, 5, 50], &[false, false, true], 30), [22, 5, 3]);
    }

    #[test]
    fn cut_cells_end_in_an_ellipsis() {
        assert_eq!(ellipsize("checkout", 8), "checkout");
        assert_eq!(ellipsize("checkout", 6), "check…");
        assert_eq!(ellipsize("日本語", 4), "日…");
        assert_eq!(ellipsize("abc", 0), "");
    }
}
