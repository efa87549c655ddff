//! The port-forwards running in the background (`:pf`): local → remote, the pod serving, bytes,
//! connections, errors, since. `D` stops one (asks), `ctrl-k` stops all (asks), `e` changes where
//! one listens.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::screen::{open_page, PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::portforward::Forward;
use crate::app::state::{Question, State, ViewKind};
use crate::config::theme::Theme;
use crate::ui::clean::clean;
use crate::ui::views::health::ago;

/// Its name in [`ViewKind::Page`] (whose `scroll` is the cursor here).
const NAME: &str = "portforwards";

/// The port-forward list.
pub static SCREEN: Screen = Screen {
    name: NAME,
    shows: |k| matches!(k, ViewKind::Page { screen: NAME, .. }),
    scope: KeyScope::Table,
    commands: &["pf", "portforwards", "port-forwards"],
    open: |state| open_page(state, NAME),
    act,
    applies,
    header: |state, theme| {
        vec![
            Span::styled("port-forwards", theme.title),
            Span::raw(format!(" [{}]", state.forwards.len())),
            // The keys of this list are the table's for other things (D, e): said here.
            Span::styled("  D stop · ctrl-k stop all · e move (each asks or opens the dialog)", theme.dim),
        ]
    },
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn applies(state: &State, action: Action) -> bool {
    match action {
        a if super::lists::moving(a) => true,
        Action::Delete | Action::Edit | Action::StopAllForwards => !state.forwards.is_empty(),
        _ => false,
    }
}

/// The row under the cursor.
fn cursor(state: &State) -> usize {
    match state.top().kind {
        ViewKind::Page { scroll, .. } => usize::from(scroll).min(state.forwards.len().saturating_sub(1)),
        _ => 0,
    }
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let at = cursor(state);
    let current = state.forwards.get(at).map(|f| (f.spec.id, describe(f)));
    match action {
        Action::Delete => {
            let (id, what) = current?;
            state.question = Some(Question {
                text: format!("stop port-forward {what}? (y/n)"),
                yes: Effect::StopPortForwards(vec![id]),
                no: format!("port-forward {what} goes on"),
            });
        }
        Action::StopAllForwards => {
            let ids: Vec<_> = state.forwards.iter().map(|f| f.spec.id).collect();
            state.question = Some(Question {
                text: format!("stop all {} port-forwards? (y/n)", ids.len()),
                yes: Effect::StopPortForwards(ids),
                no: "the port-forwards go on".into(),
            });
        }
        Action::Edit => crate::app::portforward::edit(state, current?.0),
        a => {
            let page = state.page_rows;
            let last = state.forwards.len().saturating_sub(1);
            let ViewKind::Page { scroll, .. } = &mut state.top_mut().kind else { return None };
            *scroll = (*scroll).min(last as u16);
            let moved = super::screen::scroll(scroll, a, page);
            *scroll = (*scroll).min(last as u16);
            return moved.then(Vec::new);
        }
    }
    Some(vec![])
}

/// `127.0.0.1:8080 → svc/shop/web:80`.
fn describe(f: &Forward) -> String {
    format!("{} → {}", f.local(), clean(&f.remote()))
}

/// Bytes in a few characters: `912 B`, `3.4 KiB`, `12.0 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// The cells of one row.
pub fn cells(f: &Forward, now: i64) -> [String; 8] {
    let pod = match &f.pod {
        Some((p, port)) => format!("{}:{port}", clean(p)),
        None => "…".into(),
    };
    [
        f.local(),
        clean(&f.remote()).into_owned(),
        pod,
        bytes(f.stats.bytes_in),
        bytes(f.stats.bytes_out),
        format!("{}/{}", f.stats.open, f.stats.total),
        f.stats.errors.to_string(),
        ago(Some(f.since), now),
    ]
}

const TITLES: [&str; 8] = ["LOCAL", "REMOTE", "POD", "IN", "OUT", "CONN", "ERRORS", "SINCE"];

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let block = Block::bordered()
        .title(Span::styled(format!(" port-forwards [{}] ", state.forwards.len()), theme.title))
        .border_style(theme.border);
    if state.forwards.is_empty() {
        let text = "No port-forwards. F on a pod, a container or a Service starts one.";
        frame.render_widget(Paragraph::new(Line::styled(text, theme.dim)).block(block), area);
        return;
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let at = cursor(state);
    let error = state.forwards.get(at).and_then(|f| f.last_error.as_ref());
    let [table_area, detail] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(if error.is_some() { 1 } else { 0 }),
    ])
    .areas(inner);
    let room = usize::from(table_area.height.saturating_sub(1)).max(1);
    let first = at.saturating_sub(room - 1);
    let rows = state.forwards.iter().enumerate().skip(first).take(room).map(|(i, f)| {
        let style = if i == at { theme.selected } else { theme.text };
        Row::new(cells(f, now)).style(style)
    });
    // The counters keep their width; REMOTE and POD share what is left.
    let widths = [
        Constraint::Length(21),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Length(8),
    ];
    let table = Table::new(rows, widths)
        .header(Row::new(TITLES).style(theme.header))
        .column_spacing(2);
    frame.render_widget(table, table_area);
    if let Some(e) = error {
        let line = Line::styled(format!("last error: {}", clean(e)), theme.error);
        frame.render_widget(Paragraph::new(line), detail);
    }
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::test_util::connected("demo", "shop", false);
    crate::app::portforward::tests_support::forwards(&mut s);
    // A third row, the cursor on the middle one: every moving key moves it.
    let mut third = s.forwards[0].clone();
    third.spec.id += 10;
    s.forwards.push(third);
    (SCREEN.open)(&mut s);
    act(&mut s, Action::Down);
    vec![s]
}
