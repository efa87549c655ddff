//! The two header lines: where we are connected, and what this view shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::counts::{Counts, Tally};
use crate::app::state::{Connection, ViewKind};
use crate::cluster::watch::WatchStatus;

/// Draw the header into a two-line area.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let key = Style::new().fg(Color::DarkGray);
    let val = Style::new().add_modifier(Modifier::BOLD);
    let conn = match &state.connection {
        Connection::Connecting => Span::styled("● connecting", Style::new().fg(Color::Yellow)),
        Connection::Connected => Span::styled("● connected", Style::new().fg(Color::Green)),
        Connection::Failed(msg) => Span::styled(format!("● unreachable: {msg}"), Style::new().fg(Color::Red)),
    };
    let ns = state.view_namespace().unwrap_or("all").to_string();
    let mut first = vec![
        Span::styled("kubedeck ", Style::new().fg(Color::Cyan).bold()),
        Span::styled("ctx ", key),
        Span::styled(
            if state.context.is_empty() {
                "-".to_string()
            } else {
                state.context.clone()
            },
            val,
        ),
        Span::styled("  k8s ", key),
        Span::styled(state.server_version.clone().unwrap_or_else(|| "?".into()), val),
        Span::styled("  ns ", key),
        Span::styled(ns, val),
        Span::raw("  "),
        conn,
    ];
    if state.readonly {
        first.push(Span::styled("  readonly", Style::new().fg(Color::Magenta)));
    }
    if state.connection == Connection::Connected {
        first.extend(count_spans(&state.counts));
    }
    let view = state.top();
    let second = match &view.kind {
        ViewKind::Resource(kind) => {
            let mut spans = vec![
                Span::styled(kind.plural(), Style::new().fg(Color::Cyan).bold()),
                Span::raw(format!(" [{}/{}]", view.table.visible.len(), view.table.rows.len())),
            ];
            if !view.subtitle.is_empty() {
                spans.push(Span::styled(format!("  {}", view.subtitle), key));
            }
            if !view.filter_text.is_empty() {
                spans.push(Span::styled(
                    format!("  /{}", view.filter_text),
                    Style::new().fg(Color::Yellow),
                ));
            }
            spans.push(Span::raw("  "));
            spans.push(status_span(view.status.as_ref()));
            spans
        }
        ViewKind::Containers { pod, .. } => vec![
            Span::styled("containers", Style::new().fg(Color::Cyan).bold()),
            Span::raw(format!(" [{}]", view.table.rows.len())),
            Span::styled(format!("  pod {pod}"), key),
        ],
        ViewKind::Contexts => vec![Span::styled("contexts", Style::new().fg(Color::Cyan).bold())],
        ViewKind::Doc(doc) => vec![Span::styled(doc.target.title(), Style::new().fg(Color::Cyan).bold())],
        ViewKind::ControlPlane { .. } => vec![
            Span::styled("control plane", Style::new().fg(Color::Cyan).bold()),
            Span::styled("  refreshes every 10s, r now", key),
        ],
        ViewKind::NodeHealth { node, .. } => vec![
            Span::styled("node health", Style::new().fg(Color::Cyan).bold()),
            Span::styled(format!("  node {node}  refreshes every 10s, r now"), key),
        ],
    };
    frame.render_widget(Paragraph::new(vec![Line::from(first), Line::from(second)]), area);
}

fn status_span(status: Option<&WatchStatus>) -> Span<'static> {
    match status {
        None => Span::styled("waiting", Style::new().fg(Color::Yellow)),
        Some(WatchStatus::Loading { listed }) => {
            Span::styled(format!("loading {listed}"), Style::new().fg(Color::Yellow))
        }
        Some(WatchStatus::Ready) => Span::styled("live", Style::new().fg(Color::Green)),
        Some(WatchStatus::Forbidden { .. }) => Span::styled("forbidden", Style::new().fg(Color::Red)),
        Some(WatchStatus::Stale { since, .. }) => Span::styled(
            format!("stale {}s", since.elapsed().as_secs()),
            Style::new().fg(Color::Red),
        ),
    }
}

/// "nodes ✓ 3/3  pods ✗ 8/10  ⚠ 2 warnings/1h": a glyph and the numbers, never colour alone.
fn count_spans(c: &Counts) -> Vec<Span<'static>> {
    let key = Style::new().fg(Color::DarkGray);
    let good = Style::new().fg(Color::Green);
    let bad = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    let mut spans = Vec::new();
    let scope = c.namespace.as_ref().map(|ns| format!(" ({ns})")).unwrap_or_default();
    for (label, t) in [("nodes", &c.nodes), ("pods", &c.pods)] {
        spans.push(Span::styled(format!("  {label} "), key));
        let (glyph, style) = match t {
            Tally::Of { .. } if t.bad() => ("✗ ", bad),
            Tally::Of { .. } => ("✓ ", good),
            _ => ("", key),
        };
        spans.push(Span::styled(format!("{glyph}{}", t.text()), style));
        if label == "pods" {
            spans.push(Span::styled(scope.clone(), key));
        }
    }
    let w = &c.warnings;
    let (glyph, style) = if w.bad() { ("⚠ ", bad) } else { ("", key) };
    spans.push(Span::styled("  ", key));
    spans.push(Span::styled(format!("{glyph}{} warnings/1h", w.text()), style));
    spans
}
