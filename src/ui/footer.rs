//! The bottom line: the open text line, else the newest toast, else key hints from the key map.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::action::{Action, key_label};
use crate::app::logs::LogView;
use crate::app::logs::keys::{label, log_keymap};
use crate::app::state::{Mode, ViewKind};

/// Draw the footer line.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    if let ViewKind::Logs(view) = &state.top().kind {
        if let Some((prompt, ta)) = &view.prompt {
            let label = prompt.label();
            let [p, rest] =
                Layout::horizontal([Constraint::Length(label.chars().count() as u16), Constraint::Min(1)]).areas(area);
            frame.render_widget(Paragraph::new(label).style(Style::new().fg(Color::Yellow)), p);
            frame.render_widget(ta, rest);
            return;
        }
        if matches!(state.mode, Mode::Normal) && state.toasts.is_empty() {
            frame.render_widget(Paragraph::new(log_line(view)), area);
            return;
        }
    }
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
        .filter(|b| b.footer && !(state.readonly && b.action.mutating()))
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

/// The log view's key hints, generated from its key map.
fn log_line(view: &LogView) -> Line<'static> {
    let mut spans = Vec::new();
    for k in log_keymap().iter().filter(|k| k.footer) {
        spans.push(Span::styled(format!("<{}>", label(k)), Style::new().fg(Color::Cyan)));
        spans.push(Span::raw(format!(" {}  ", k.action.describe(Some(view)))));
    }
    spans.push(Span::styled("<esc>", Style::new().fg(Color::Cyan)));
    spans.push(Span::raw(" back"));
    Line::from(spans)
}
