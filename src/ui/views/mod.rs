//! The body of the screen for each kind of view, including its loading, empty, forbidden and stale states.

pub mod rows;
pub mod text;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::table::{self, Columns};
use crate::app::State;
use crate::app::state::{Connection, View, ViewKind};
use crate::app::table::Row;
use crate::cluster::Kind;
use crate::cluster::watch::WatchStatus;

/// Draw the top view into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let view = state.top();
    match &view.kind {
        ViewKind::Resource(kind) => resource(frame, area, state, view, *kind, now),
        ViewKind::Contexts => {
            let cells = |r: &Row| vec![r.cells.first().cloned().unwrap_or_default(), r.name.clone()];
            let cols = Columns {
                titles: vec!["CURRENT".into(), "NAME".into()],
                cells: &cells,
            };
            table::render(frame, area, Block::bordered().title(" contexts "), &view.table, &cols);
        }
        ViewKind::Doc(doc) => text::render(frame, area, doc),
        ViewKind::Text { title, lines } => {
            let shown: Vec<Line> = lines
                .iter()
                .skip(view.table.cursor)
                .map(|l| Line::raw(l.as_str()))
                .collect();
            frame.render_widget(
                Paragraph::new(shown).block(Block::bordered().title(format!(" {title} "))),
                area,
            );
        }
    }
}

fn resource(frame: &mut Frame, area: Rect, state: &State, view: &View, kind: Kind, now: i64) {
    let ns = state.view_namespace();
    let title = match (kind.namespaced(), ns) {
        (true, Some(ns)) => format!(" {}({ns}) ", kind.plural()),
        (true, None) => format!(" {}(all) ", kind.plural()),
        (false, _) => format!(" {} ", kind.plural()),
    };
    let block = Block::bordered().title(title);
    let message = |text: String, color: Color| {
        Paragraph::new(text)
            .style(Style::new().fg(color))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
    };
    let centered = |frame: &mut Frame, p: Paragraph<'_>| {
        let inner = block.inner(area);
        frame.render_widget(block.clone(), area);
        let [mid] = Layout::vertical([Constraint::Length(3)])
            .flex(ratatui::layout::Flex::Center)
            .areas(inner);
        frame.render_widget(p, mid);
    };
    let empty = view.table.rows.is_empty();
    match (&view.status, &state.connection) {
        (Some(WatchStatus::Forbidden { message: msg }), _) => {
            return centered(frame, message(format!("Forbidden: {msg}"), Color::Red));
        }
        (None, Connection::Failed(msg)) if empty => {
            return centered(frame, message(format!("Cannot reach the cluster: {msg}"), Color::Red));
        }
        (None, _) | (Some(WatchStatus::Loading { listed: 0 }), _) if empty => {
            return centered(frame, message(format!("Loading {}…", kind.plural()), Color::Yellow));
        }
        (Some(WatchStatus::Loading { listed }), _) if empty => {
            return centered(
                frame,
                message(format!("Loading {}: {listed} listed…", kind.plural()), Color::Yellow),
            );
        }
        (Some(WatchStatus::Ready), _) if empty => {
            let text = match (kind.namespaced(), ns) {
                (true, Some(ns)) => format!("No {} in namespace {ns}", kind.plural()),
                _ => format!("No {} found", kind.plural()),
            };
            return centered(frame, message(text, Color::DarkGray));
        }
        _ => {}
    }
    let mut area = area;
    if let Some(WatchStatus::Stale { since, error }) = &view.status {
        let [banner, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        let text = format!(
            "stale: connection lost {}s ago, reconnecting ({error})",
            since.elapsed().as_secs()
        );
        frame.render_widget(Paragraph::new(text).style(Style::new().fg(Color::Red)), banner);
        area = rest;
    }
    if view.table.visible.is_empty() {
        return centered(
            frame,
            message(format!("No {} match the filter", kind.plural()), Color::DarkGray),
        );
    }
    let with_ns = kind.namespaced() && ns.is_none();
    let mut titles: Vec<String> = Vec::new();
    if with_ns {
        titles.push("NAMESPACE".into());
    }
    titles.push("NAME".into());
    titles.extend(rows::columns(kind).iter().map(|s| s.to_string()));
    titles.push("AGE".into());
    let cells = move |r: &Row| {
        let mut out = Vec::with_capacity(r.cells.len() + 3);
        if with_ns {
            out.push(r.namespace.clone());
        }
        out.push(r.name.clone());
        out.extend(r.cells.iter().cloned());
        out.push(
            r.created
                .map_or_else(|| "<unknown>".into(), |c| rows::human_duration(now - c)),
        );
        out
    };
    table::render(frame, area, block, &view.table, &Columns { titles, cells: &cells });
}
