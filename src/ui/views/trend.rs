//! The chart of a node's or pod's usage since kubedeck started looking (under node health and a
//! pod's describe): CPU and MEM side by side as ratatui sparklines, one bar per metrics sample.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Sparkline};

use crate::app::state::State;
use crate::config::theme::Theme;
use crate::store::enrichers::usage::{cpu_text, mem_text};
use crate::store::usage::Point;

/// Rows the chart takes: a border, three rows of bars, a border.
pub const HEIGHT: u16 = 5;

/// `area` split into the view's part and the chart's: no chart without samples or room.
pub fn split(area: Rect, state: &State) -> (Rect, Option<Rect>) {
    match &state.trend {
        Some(points) if !points.is_empty() && area.height > HEIGHT + 4 => {
            let [view, chart] = Layout::vertical([Constraint::Min(1), Constraint::Length(HEIGHT)]).areas(area);
            (view, Some(chart))
        }
        _ => (area, None),
    }
}

/// Draw the view with `draw` and, when there are samples, the chart under it.
pub fn with_chart(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, draw: impl FnOnce(&mut Frame, Rect)) {
    let (view, chart) = split(area, state);
    draw(frame, view);
    if let (Some(chart), Some(points)) = (chart, &state.trend) {
        render(frame, chart, points, theme);
    }
}

/// The two sparklines, each titled with its latest value and peak, the count of samples below.
pub fn render(frame: &mut Frame, area: Rect, points: &[Point], theme: &Theme) {
    let [left, right] = Layout::horizontal([Constraint::Percentage(50); 2]).areas(area);
    let n = points.len();
    let since = format!(
        " {n} sample{} since kubedeck started looking ",
        if n == 1 { "" } else { "s" }
    );
    let cpu: Vec<u64> = points.iter().map(|p| u64::from(p.cpu)).collect();
    let mem: Vec<u64> = points.iter().map(|p| u64::from(p.mem_ki)).collect();
    let (now_c, peak_c) = (cpu.last().copied().unwrap_or(0), cpu.iter().copied().max().unwrap_or(0));
    let (now_m, peak_m) = (mem.last().copied().unwrap_or(0), mem.iter().copied().max().unwrap_or(0));
    let mi = |kib: u64| mem_text(i128::from(kib) << 10);
    let charts = [
        (
            left,
            format!(
                " CPU now {} · peak {} ",
                cpu_text(now_c.into()),
                cpu_text(peak_c.into())
            ),
            cpu,
        ),
        (right, format!(" MEM now {} · peak {} ", mi(now_m), mi(peak_m)), mem),
    ];
    for (i, (at, title, data)) in charts.into_iter().enumerate() {
        let mut block = Block::bordered()
            .border_style(theme.border)
            .title(Span::styled(title, theme.title));
        if i == 0 {
            block = block.title_bottom(Span::styled(since.clone(), theme.dim));
        }
        frame.render_widget(Sparkline::default().block(block).data(data), at);
    }
}
