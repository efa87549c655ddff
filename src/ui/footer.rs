//! The bottom line: the open text line, else the newest toast, else key hints from the active keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::action::Action;
use crate::app::state::{Mode, ViewKind};
use crate::config::theme::Theme;

/// Draw the footer line.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let ViewKind::Logs(view) = &state.top().kind
        && let Some((prompt, ta)) = &view.prompt
    {
        let label = prompt.label();
        let [p, rest] =
            Layout::horizontal([Constraint::Length(label.chars().count() as u16), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(label).style(theme.prompt), p);
        frame.render_widget(ta, rest);
        return;
    }
    let (prompt, ta) = match &state.mode {
        Mode::Filter(ta) => ("/", ta),
        Mode::Command(ta) => (":", ta),
        Mode::Normal => {
            frame.render_widget(Paragraph::new(normal_line(state, theme)), area);
            return;
        }
    };
    let [p, rest] = Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(prompt).style(theme.prompt), p);
    frame.render_widget(ta, rest);
}

/// The footer's hints: for each action marked `footer` on this screen, its first key and description.
pub fn hints(state: &State) -> Vec<(String, String)> {
    let mut out: Vec<(Action, String, String)> = Vec::new();
    for b in state.keymap.active(state.key_scope()) {
        if !b.footer || (state.safety.readonly && b.action.mutating()) || out.iter().any(|(a, ..)| *a == b.action) {
            continue;
        }
        let what = match b.action {
            // The footer says whether wide mode is on, so the toggle's state is always visible.
            Action::Wide if state.wide => "wide: on".to_string(),
            Action::Wide => "wide: off".to_string(),
            // Log toggles say their state, as wide does.
            Action::Log(a) => match &state.top().kind {
                ViewKind::Logs(view) => a.state(view).unwrap_or_else(|| b.help.clone()),
                _ => b.help.clone(),
            },
            _ => b.help.clone(),
        };
        out.push((b.action, b.label(), what));
    }
    out.into_iter().map(|(_, k, w)| (k, w)).collect()
}

fn normal_line(state: &State, theme: &Theme) -> Line<'static> {
    if let Some(t) = state.toasts.last() {
        // The word carries the meaning too, so a mono theme loses nothing.
        let (style, text) = if t.error {
            (theme.error, format!("✗ {}", t.text))
        } else {
            (theme.ok, t.text.clone())
        };
        return Line::from(Span::styled(text, style));
    }
    let mut spans = Vec::new();
    if !state.pending_keys.is_empty() {
        let typed: Vec<String> = state.pending_keys.iter().map(|k| k.label()).collect();
        spans.push(Span::styled(format!("{}… ", typed.join(" ")), theme.prompt));
    }
    for (key, what) in hints(state) {
        spans.push(Span::styled(format!("<{key}>"), theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.text));
    }
    Line::from(spans)
}
