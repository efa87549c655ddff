//! The table widget: builds ratatui rows only for the slice on screen, so 100,000 objects cost what 40 do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Row as TRow, Table};

use crate::app::table::{Row, Table as Data, visible_offset};
use crate::config::theme::Theme;

/// Columns of a table: titles and how to get each row's cells.
pub struct Columns<'a> {
    /// Column titles.
    pub titles: Vec<String>,
    /// The cells of one row, one per title.
    pub cells: &'a dyn Fn(&Row) -> Vec<String>,
}

/// Draw the visible slice of `data` inside `block`, with the cursor row highlighted.
pub fn render(frame: &mut Frame, area: Rect, block: Block<'_>, data: &Data, cols: &Columns<'_>, theme: &Theme) {
    let inner = block.inner(area);
    let height = inner.height.saturating_sub(1) as usize;
    let offset = visible_offset(data.offset, data.cursor, height, data.visible.len());
    let slice: Vec<(usize, Vec<String>)> = data.visible[offset..(offset + height).min(data.visible.len())]
        .iter()
        .enumerate()
        .map(|(i, &r)| (offset + i, (cols.cells)(&data.rows[r])))
        .collect();
    // Widths from the titles and what is on screen only: the rest of the rows are never touched.
    let mut widths: Vec<usize> = cols.titles.iter().map(|t| t.chars().count()).collect();
    for (_, cells) in &slice {
        for (w, c) in widths.iter_mut().zip(cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let last = widths.len().saturating_sub(1);
    let constraints: Vec<Constraint> = widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            if i == last {
                Constraint::Min(w as u16)
            } else {
                Constraint::Length(w as u16)
            }
        })
        .collect();
    let header = TRow::new(cols.titles.iter().map(|t| Line::raw(t.clone()))).style(theme.header);
    // Rows in trouble are drawn in `warn`; their text (Warning, CrashLoopBackOff, NotReady) says why.
    let rows = slice.into_iter().map(|(pos, cells)| {
        let warn = data.visible.get(pos).is_some_and(|&i| data.rows[i].warn);
        let row = TRow::new(cells);
        match (pos == data.cursor, warn) {
            // The cursor on a row in trouble keeps the warning and reverses it, in every theme.
            (true, true) => row.style(theme.warn.add_modifier(Modifier::REVERSED)),
            (true, false) => row.style(theme.selected),
            (false, true) => row.style(theme.warn),
            (false, false) => row.style(theme.text),
        }
    });
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(2)
        .block(block.border_style(theme.border));
    frame.render_widget(table, area);
}
