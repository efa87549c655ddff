//! The rollout history screen: one row per revision, and the coloured diff of the selected
//! revision's pod template against the live one.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use crate::app::dialog::{HistoryBody, HistoryView};
use crate::cluster::ops::history::{DiffLine, Revision};

/// Colour of one diff line.
pub fn diff_line(l: &DiffLine) -> Line<'static> {
    match l {
        DiffLine::Header(t) => Line::styled(t.clone(), Style::new().fg(Color::Cyan)),
        DiffLine::Same(t) => Line::raw(format!(" {t}")),
        DiffLine::Removed(t) => Line::styled(format!("-{t}"), Style::new().fg(Color::Red)),
        DiffLine::Added(t) => Line::styled(format!("+{t}"), Style::new().fg(Color::Green)),
    }
}

fn revision_cell(r: &Revision) -> String {
    let mut s = r.number.to_string();
    if !r.earlier.is_empty() {
        let e: Vec<String> = r.earlier.iter().map(|n| n.to_string()).collect();
        s.push_str(&format!(" (was {})", e.join(",")));
    }
    s
}

fn marks(r: &Revision) -> String {
    let mut m = Vec::new();
    if r.current {
        m.push("current");
    }
    if r.restart_only {
        m.push("restart only");
    }
    m.join(", ")
}

/// Draw the history view into `area` (read-only: without the rollback hint).
pub fn render(frame: &mut Frame, area: Rect, h: &HistoryView, now: i64, readonly: bool) {
    let title = format!(" history {} ", h.target.kubectl_name());
    let hist = match &h.body {
        HistoryBody::Loading => {
            let p = Paragraph::new("Loading revisions…")
                .fg(Color::Yellow)
                .alignment(Alignment::Center)
                .block(Block::bordered().title(title));
            frame.render_widget(p, area);
            return;
        }
        HistoryBody::Failed(e) => {
            let p = Paragraph::new(e.clone())
                .fg(Color::Red)
                .alignment(Alignment::Center)
                .block(Block::bordered().title(title));
            frame.render_widget(p, area);
            return;
        }
        HistoryBody::Ready(hist) => hist,
    };
    let n = hist.revisions.len() as u16;
    let [top, bottom] = Layout::vertical([
        Constraint::Length((n + 3).min(area.height / 2).max(4)),
        Constraint::Min(3),
    ])
    .areas(area);
    let header = Row::new(["REVISION", "SOURCE", "AGE", "REPLICAS", "IMAGES", "CHANGE-CAUSE", ""])
        .style(Style::new().add_modifier(Modifier::BOLD));
    let rows = hist.revisions.iter().enumerate().map(|(i, r)| {
        let age = r
            .created
            .map(|t| super::rows::human_duration(now - t))
            .unwrap_or_else(|| "<unknown>".into());
        let row = Row::new([
            revision_cell(r),
            r.source.clone(),
            age,
            r.replicas.clone().unwrap_or_else(|| "-".into()),
            r.images.join(" "),
            if r.change_cause.is_empty() {
                "<none>".into()
            } else {
                r.change_cause.clone()
            },
            marks(r),
        ]);
        let mut style = Style::new();
        if r.restart_only {
            style = style.fg(Color::DarkGray);
        }
        if r.current {
            style = style.fg(Color::Green);
        }
        if i == h.cursor {
            style = style.add_modifier(Modifier::REVERSED);
        }
        row.style(style)
    });
    let widths = [
        Constraint::Length(14),
        Constraint::Length(28),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Length(22),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title));
    frame.render_widget(table, top);

    let diff = h.diff();
    let sel = h.selected();
    let diff_title = match sel {
        Some(r) if r.current => format!(" revision {} is the live template ", r.number),
        Some(r) if readonly => format!(" diff live → revision {} ", r.number),
        Some(r) => format!(" diff live → revision {} (R rolls back to it) ", r.number),
        None => " diff ".into(),
    };
    let lines: Vec<Line> = if diff.is_empty() {
        vec![Line::styled(
            "No difference from the live pod template",
            Style::new().fg(Color::DarkGray),
        )]
    } else {
        diff.iter().skip(h.diff_scroll).map(diff_line).collect()
    };
    let mut block = Block::bordered().title(diff_title);
    if sel.is_some_and(|r| r.restart_only) {
        block = block.title_bottom(Span::styled(
            " restart only: same template as the revision before it, but for restartedAt ",
            Style::new().fg(Color::Yellow),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), bottom);
}
