//! The demo cluster's first-screen notice: why it is on, and how to reach a real cluster.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::demo::Demo;
use crate::config::theme::Theme;

/// The notice's text.
pub fn lines(demo: &Demo, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::raw("No kubeconfig was found, so kubedeck is showing its built-in demo cluster:"),
        Line::raw("a simulated API server on 127.0.0.1 with made-up workloads. Nothing you do"),
        Line::raw("here reaches a real cluster."),
        Line::raw(""),
        Line::styled("Looked for a kubeconfig at:", theme.dim),
    ];
    out.extend(demo.looked_at.iter().map(|p| Line::raw(format!("  {p}"))));
    out.extend([
        Line::raw(""),
        Line::styled("To use a real cluster:", theme.dim),
        Line::raw("  kubedeck --kubeconfig FILE, or export KUBECONFIG=FILE,"),
        Line::raw("  or put the file at ~/.kube/config (kubectl reads the same places)."),
        Line::raw("  kubedeck --demo starts this demo without this notice."),
        Line::raw(""),
        Line::styled("Press any key to continue.", theme.dim),
    ]);
    out
}

/// Draw the notice over the middle of `area`.
pub fn render(frame: &mut Frame, area: Rect, demo: &Demo, theme: &Theme) {
    let text = lines(demo, theme);
    let width = area.width.min(84);
    let inner = width.saturating_sub(2).max(1) as usize;
    // Rows once wrapped, so that a narrow terminal still shows every line.
    let rows: usize = text.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let r = super::dialogs::centered(area, width, rows as u16 + 2);
    let title = theme.warn.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let block = Block::bordered()
        .border_style(theme.warn)
        .title(Line::styled(" DEMO CLUSTER — not a real cluster ", title));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.text)
            .wrap(Wrap { trim: false })
            .block(block),
        r,
    );
}
