//! Drawing pieces of the screens' bodies: lists with their loading, empty, forbidden and stale
//! states, documents, logs, history, health (each screen in `crate::screens` picks its own).

pub mod controlplane;
pub mod editor;
pub mod health;
pub mod history;
pub mod logs;
pub mod nodehealth;
pub mod text;
pub mod trend;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::table::{self, Columns};
use crate::app::State;
use crate::app::columns::{self, Source, TimeFmt};
use crate::app::state::{Connection, View, ViewKind};
use crate::app::table::Row;
use crate::cluster::printers::age::human_duration;
use crate::cluster::watch::WatchStatus;
use crate::config::theme::Theme;

/// What a list view is about, for its frame title and messages.
pub struct List<'a> {
    /// "pods".
    pub plural: &'static str,
    /// The frame title.
    pub title: String,
    /// Show a NAMESPACE column first.
    pub with_ns: bool,
    /// The namespace named in "No pods in namespace x".
    pub scope: Option<&'a str>,
    /// Why the live list is empty, when it is because what it lists from is gone (or never was).
    pub gone: Option<String>,
}

/// The text of cell `n` of a row, time columns drawn against `now`.
pub fn cell_text(row: &Row, n: usize, time: Option<TimeFmt>, now: i64) -> String {
    let text = row.cells.get(n).map_or("", model::rows::Text::as_str);
    match (time, row.stamp(n)) {
        (Some(TimeFmt::Age), Some(t)) => human_duration(now - t),
        (Some(TimeFmt::Ago), Some(t)) => format!("{text} ({} ago)", human_duration(now - t)),
        _ => text.to_string(),
    }
}

/// A bordered frame with a title, in the theme's border and title styles.
pub fn frame_block(title: String, theme: &Theme) -> Block<'static> {
    Block::bordered()
        .border_style(theme.border)
        .title(Span::styled(title, theme.title))
}

/// Draw `view` as a list of `what` into `area`, or why there is nothing to list.
pub fn list(frame: &mut Frame, area: Rect, state: &State, view: &View, what: &List<'_>, theme: &Theme, now: i64) {
    let block = frame_block(what.title.clone(), theme);
    let message = |text: String, style: Style| (text, style);
    let centered = |frame: &mut Frame, area: Rect, (text, style): (String, Style)| {
        let inner = block.inner(area);
        frame.render_widget(block.clone(), area);
        // Wrapped lines (about: word wrapping may take one more), so that no line is cut off.
        let width = usize::from(inner.width.max(1));
        let lines: usize = text.lines().map(|l| l.chars().count().div_ceil(width).max(1) + 1).sum();
        let height = u16::try_from(lines).unwrap_or(u16::MAX).clamp(1, inner.height);
        let p = Paragraph::new(text)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let [mid] = Layout::vertical([Constraint::Length(height)])
            .flex(ratatui::layout::Flex::Center)
            .areas(inner);
        frame.render_widget(p, mid);
    };
    let plural = what.plural;
    let empty = view.table.rows.is_empty();
    match (&view.status, &state.connection) {
        (Some(WatchStatus::Forbidden { message: msg }), _) => {
            let hint = if plural == "namespaces" {
                "\n\nType :ns NAME to work in a namespace you may use."
            } else {
                ""
            };
            return centered(frame, area, message(format!("✗ Forbidden: {msg}{hint}"), theme.error));
        }
        (None | Some(WatchStatus::Stale { .. }), Connection::Failed(msg)) if empty => {
            let at = if state.url.is_empty() {
                String::new()
            } else {
                format!(" at {}", state.url)
            };
            return centered(
                frame,
                area,
                message(
                    format!("✗ Cannot connect to the cluster{at} (retrying): {msg}"),
                    theme.error,
                ),
            );
        }
        (None, Connection::Misconfigured(msg)) if empty => {
            let text = format!(
                "✗ This context cannot be used as configured (not retried):\n{msg}\n\n\
                 Fix it, then choose the context again (:ctx). :messages keeps this message."
            );
            return centered(frame, area, message(text, theme.error));
        }
        (None, _) | (Some(WatchStatus::Loading { listed: 0, total: None }), _) if empty => {
            return centered(frame, area, message(format!("Loading {plural}…"), theme.warn));
        }
        (Some(s @ WatchStatus::Loading { .. }), _) if empty => {
            let progress = s.progress().unwrap_or_default();
            return centered(
                frame,
                area,
                message(format!("Loading {plural}: {progress}"), theme.warn),
            );
        }
        // Nothing to show and no word from the server: say so, not that a filter hid it.
        (Some(WatchStatus::Stale { since, error }), _) if empty => {
            let text = format!(
                "✗ No {plural} to show: connection lost {}s ago, reconnecting ({error})",
                since.elapsed().as_secs()
            );
            return centered(frame, area, message(text, theme.error));
        }
        (Some(WatchStatus::Ready), _) if empty && what.gone.is_some() => {
            return centered(frame, area, message(what.gone.clone().unwrap_or_default(), theme.error));
        }
        (Some(WatchStatus::Ready), _) if empty => {
            let text = match what.scope {
                Some(ns) => format!("No {plural} in namespace {ns}"),
                None => format!("No {plural} found"),
            };
            return centered(frame, area, message(text, theme.dim));
        }
        _ => {}
    }
    let mut area = area;
    // Below the stale banner: the filter's message must not cover it.
    if let Some(WatchStatus::Stale { since, error }) = &view.status {
        let [banner, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let text = format!(
            "✗ stale: connection lost {}s ago, reconnecting ({error})",
            since.elapsed().as_secs()
        );
        frame.render_widget(Paragraph::new(text).style(theme.error), banner);
        area = rest;
    }
    if view.table.visible.is_empty() {
        return centered(frame, area, message(format!("No {plural} match the filter"), theme.dim));
    }
    let cols = columns::shown(&view.kind, state.wide);
    let with_ns = what.with_ns;
    let mut titles: Vec<String> = Vec::new();
    let mut free: Vec<bool> = Vec::new();
    if with_ns {
        titles.push("NAMESPACE".into());
        free.push(false);
    }
    for c in &cols {
        free.push(c.free);
        if c.sort_col() == view.sort.col {
            // The arrow says which way, so the order is not told by position alone.
            let arrow = if view.sort.descending { "↓" } else { "↑" };
            titles.push(format!("{}{arrow}", c.title));
        } else {
            titles.push(c.title.clone());
        }
    }
    // Usage percentages over the configured thresholds take the warning or error colour.
    let plain: Vec<String> = titles_plain(with_ns, &cols);
    let levels = state.usage_levels;
    let tint = move |i: usize, text: &str| {
        use crate::store::enrichers::usage::{Level, level};
        match level(plain.get(i)?, text, levels)? {
            Level::Warn => Some(theme.warn),
            Level::Error => Some(theme.error),
        }
    };
    // Pods and Services with a port-forward running carry a marker after the name (a handful of
    // forwards at most, looked up for the visible rows only).
    let forwarded = match view.kind {
        ViewKind::Resource(k) => crate::app::portforward::forwarded(state, k),
        _ => Vec::new(),
    };
    // The usage cells are read from the view's sample, for the rows drawn only.
    let usage = view.table.usage.as_deref();
    let cells = move |r: &Row| {
        let mut out = Vec::with_capacity(cols.len() + 1);
        if with_ns {
            out.push(r.namespace.to_string());
        }
        for c in &cols {
            out.push(match c.source {
                Source::Name if forwarded.contains(&(r.namespace.as_str(), r.name.as_str())) => {
                    format!("{} {}", r.name, crate::app::portforward::MARKER)
                }
                Source::Name => r.name.to_string(),
                Source::Cell(n) => match usage.and_then(|u| u.cell(r, n)) {
                    Some(text) => text,
                    None => cell_text(r, n, c.time, now),
                },
            });
        }
        out
    };
    table::render(
        frame,
        area,
        block,
        &view.table,
        &Columns {
            titles,
            free,
            cells: &cells,
            tint: Some(&tint),
        },
        theme,
    );
}

/// The titles without the sort arrow, NAMESPACE first when shown.
fn titles_plain(with_ns: bool, cols: &[columns::ColSpec]) -> Vec<String> {
    let ns = with_ns.then(|| "NAMESPACE".to_string());
    ns.into_iter().chain(cols.iter().map(|c| c.title.clone())).collect()
}
