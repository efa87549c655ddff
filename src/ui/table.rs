//! The table widget: builds ratatui rows only for the slice on screen, so 100,000 objects cost what 40 do.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Row as TRow, Table};

use crate::app::table::{Row, Table as Data, visible_offset};

/// Columns of a table: titles and how to get each row's cells.
pub struct Columns<'a> {
    /// Column titles.
    pub titles: Vec<String>,
    /// The cells of one row, one per title.
    pub cells: &'a dyn Fn(&Row) -> Vec<String>,
}

/// Draw the visible slice of `data` inside `block`, with the cursor row highlighted.
pub fn render(frame: &mut Frame, area: Rect, block: Block<'_>, data: &Data, cols: &Columns<'_>) {
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
    let header = TRow::new(cols.titles.iter().map(|t| Line::raw(t.clone())))
        .style(Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD));
    let cursor_style = Style::new().add_modifier(Modifier::REVERSED);
    // Rows in trouble are bold yellow; their text (Warning, CrashLoopBackOff, NotReady) says why.
    let warn_style = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
    let rows = slice.into_iter().map(|(pos, cells)| {
        let warn = data.visible.get(pos).is_some_and(|&i| data.rows[i].warn);
        let row = TRow::new(cells);
        match (pos == data.cursor, warn) {
            (true, true) => row.style(warn_style.add_modifier(Modifier::REVERSED)),
            (true, false) => row.style(cursor_style),
            (false, true) => row.style(warn_style),
            (false, false) => row,
        }
    });
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(2)
        .block(block);
    frame.render_widget(table, area);
}
