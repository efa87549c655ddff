//! The rollout history screen: one row per revision, and the coloured diff of the selected
//! revision's pod template against the live one.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

use crate::app::dialog::{HistoryBody, HistoryView};
use crate::cluster::ops::history::{DiffLine, Revision};
use crate::config::theme::Theme;
use crate::ui::views::frame_block;

/// Colour of one diff line.
pub fn diff_line(l: &DiffLine, theme: &Theme) -> Line<'static> {
    match l {
        DiffLine::Header(t) => Line::styled(t.clone(), theme.accent),
        DiffLine::Same(t) => Line::styled(format!(" {t}"), theme.text),
        DiffLine::Removed(t) => Line::styled(format!("-{t}"), theme.diff_del),
        DiffLine::Added(t) => Line::styled(format!("+{t}"), theme.diff_add),
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
pub fn render(frame: &mut Frame, area: Rect, h: &HistoryView, now: i64, readonly: bool, theme: &Theme) {
    let title = format!(" history {} ", h.target.kubectl_name());
    let hist = match &h.body {
        HistoryBody::Loading => {
            let p = Paragraph::new("Loading revisions…")
                .style(theme.warn)
                .alignment(Alignment::Center)
                .block(frame_block(title, theme));
            frame.render_widget(p, area);
            return;
        }
        HistoryBody::Failed(e) => {
            let p = Paragraph::new(format!("✗ {e}"))
                .style(theme.error)
                .alignment(Alignment::Center)
                .block(frame_block(title, theme));
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
    let header = Row::new(["REVISION", "SOURCE", "AGE", "REPLICAS", "IMAGES", "CHANGE-CAUSE", ""]).style(theme.header);
    let rows = hist.revisions.iter().enumerate().map(|(i, r)| {
        let age = r
            .created
            .map(|t| crate::cluster::printers::age::human_duration(now - t))
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
        // The marks column says "current" and "restart only" in words; colour only repeats it.
        let mut style = theme.text;
        if r.restart_only {
            style = theme.dim;
        }
        if r.current {
            style = theme.ok;
        }
        if i == h.cursor {
            style = style.patch(theme.selected).add_modifier(Modifier::REVERSED);
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
    let table = Table::new(rows, widths).header(header).block(frame_block(title, theme));
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
        vec![Line::styled("No difference from the live pod template", theme.dim)]
    } else {
        diff.iter().skip(h.diff_scroll).map(|l| diff_line(l, theme)).collect()
    };
    let mut block = frame_block(diff_title, theme);
    if sel.is_some_and(|r| r.restart_only) {
        block = block.title_bottom(Span::styled(
            " restart only: same template as the revision before it, but for restartedAt ",
            theme.warn,
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(block), bottom);
}
