//! The bottom line: the open text line, else the newest toast, else key hints from the key map.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::action::{Action, key_label};
use crate::app::state::Mode;

/// Draw the footer line.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let (prompt, ta) = match &state.mode {
        Mode::Filter(ta) => ("/", ta),
        Mode::Command(ta) => (":", ta),
        Mode::Normal => {
            frame.render_widget(Paragraph::new(normal_line(state)), area);
            return;
        }
    };
    let [p, rest] = Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(prompt).style(Style::new().fg(Color::Yellow)), p);
    frame.render_widget(ta, rest);
}

fn normal_line(state: &State) -> Line<'static> {
    if let Some(t) = state.toasts.last() {
        let color = if t.error { Color::Red } else { Color::Green };
        return Line::from(Span::styled(t.text.clone(), Style::new().fg(color)));
    }
    let mut spans = Vec::new();
    for b in state
        .keymap
        .iter()
        .filter(|b| b.footer && !(state.safety.readonly && b.action.mutating()))
    {
        spans.push(Span::styled(
            format!("<{}>", key_label(b)),
            Style::new().fg(Color::Cyan),
        ));
        let what = match b.action {
            // The footer says whether wide mode is on, so the toggle's state is always visible.
            Action::Wide if state.wide => "wide: on",
            Action::Wide => "wide: off",
            a => a.describe(),
        };
        spans.push(Span::raw(format!(" {what}  ")));
    }
    Line::from(spans)
}
