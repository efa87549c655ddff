//! The two header lines: where we are connected, and what this view shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::counts::{Counts, Tally};
use crate::app::state::{Connection, ViewKind};
use crate::cluster::watch::WatchStatus;
use crate::config::theme::Theme;

/// Draw the header into a two-line area.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let key = theme.dim;
    let val = theme.text.add_modifier(Modifier::BOLD);
    let conn = connection_span(&state.connection, theme);
    let ns = state.view_namespace().unwrap_or("all").to_string();
    let mut first = vec![
        Span::styled("kubedeck ", theme.accent),
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
    if state.safety.readonly {
        first.extend([Span::raw("  "), Span::styled("readonly", theme.readonly)]);
    }
    if state.safety.protected {
        first.extend([Span::raw("  "), Span::styled("protected", theme.error.bold())]);
    }
    first.extend(counts_as_known(state, theme));
    let view = state.top();
    let second = match &view.kind {
        ViewKind::Resource(kind) => {
            let mut spans = vec![
                Span::styled(kind.plural(), theme.title),
                Span::raw(format!(" [{}/{}]", view.table.visible.len(), view.table.rows.len())),
            ];
            if !view.subtitle.is_empty() {
                spans.push(Span::styled(format!("  {}", view.subtitle), key));
            }
            if !view.filter_text.is_empty() {
                spans.push(Span::styled(format!("  /{}", view.filter_text), theme.prompt));
            }
            spans.push(Span::raw("  "));
            spans.push(status_span(view.status.as_ref(), theme));
            spans
        }
        ViewKind::Containers { pod, .. } => vec![
            Span::styled("containers", theme.title),
            Span::raw(format!(" [{}]", view.table.rows.len())),
            Span::styled(format!("  pod {pod}"), key),
        ],
        ViewKind::Contexts => vec![Span::styled("contexts", theme.title)],
        ViewKind::Doc(doc) => vec![Span::styled(doc.target.title(), theme.title)],
        ViewKind::History(h) => vec![Span::styled(
            format!("rollout history {}", h.target.kubectl_name()),
            theme.title,
        )],
        ViewKind::Logs(l) => super::views::logs::header_spans(l, theme),
        ViewKind::ControlPlane { .. } => vec![
            Span::styled("control plane", theme.title),
            Span::styled("  refreshes every 10s, ctrl-r now", key),
        ],
        ViewKind::NodeHealth { node, .. } => vec![
            Span::styled("node health", theme.title),
            Span::styled(format!("  node {node}  refreshes every 10s, ctrl-r now"), key),
        ],
    };
    frame.render_widget(Paragraph::new(vec![Line::from(first), Line::from(second)]), area);
}

/// The one connection state of this context, from the client build and the liveness probe; a lost
/// contact says for how long and why.
fn connection_span(c: &Connection, theme: &Theme) -> Span<'static> {
    match c {
        Connection::Connecting => Span::styled("● connecting", theme.warn),
        Connection::Connected => Span::styled("● connected", theme.ok),
        Connection::Failed(msg) => Span::styled(format!("✗ not connected (retrying): {msg}"), theme.error),
        Connection::Lost { since, error } => Span::styled(
            format!("✗ no contact {}s ({error})", since.elapsed().as_secs()),
            theme.error,
        ),
    }
}

/// The counts while they mean something: live when connected; when contact is lost, the last ones
/// seen, dimmed and marked stale, since nothing says they still hold.
fn counts_as_known(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    match &state.connection {
        Connection::Connected => count_spans(&state.counts, theme),
        Connection::Lost { .. } => {
            let mut spans: Vec<Span<'static>> = count_spans(&state.counts, theme)
                .into_iter()
                .map(|s| s.style(theme.dim))
                .collect();
            spans.push(Span::styled(" (stale)", theme.warn));
            spans
        }
        _ => vec![],
    }
}

fn status_span(status: Option<&WatchStatus>, theme: &Theme) -> Span<'static> {
    match status {
        None => Span::styled("… waiting", theme.warn),
        Some(s @ WatchStatus::Loading { .. }) => {
            Span::styled(format!("… loading {}", s.progress().unwrap_or_default()), theme.warn)
        }
        Some(WatchStatus::Ready) => Span::styled("● live", theme.ok),
        Some(WatchStatus::Forbidden { .. }) => Span::styled("✗ forbidden", theme.error),
        Some(WatchStatus::Stale { since, .. }) => {
            Span::styled(format!("✗ stale {}s", since.elapsed().as_secs()), theme.error)
        }
    }
}

/// "nodes ✓ 3/3  pods ✗ 8/10  ⚠ 2 warnings/1h": a glyph and the numbers, never colour alone.
fn count_spans(c: &Counts, theme: &Theme) -> Vec<Span<'static>> {
    let key = theme.dim;
    let good = theme.ok;
    let bad: Style = theme.error;
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
