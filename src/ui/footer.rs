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
    if let Some(q) = &state.question {
        frame.render_widget(Paragraph::new(q.text.as_str()).style(theme.prompt), area);
        return;
    }
    let (prompt, ta) = match &state.mode {
        Mode::Filter(ta) => ("/", ta),
        Mode::Command(ta) => (":", ta),
        Mode::Normal => {
            frame.render_widget(Paragraph::new(normal_line(state, theme, area.width)), area);
            return;
        }
    };
    let [p, rest] = Layout::horizontal([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(prompt).style(theme.prompt), p);
    frame.render_widget(ta, rest);
}

/// The footer's hints: for each action marked `footer` on this screen, its first key and description.
#[cfg(test)]
pub fn hints(state: &State) -> Vec<(String, String)> {
    hint_list(state).into_iter().map(|(_, k, w)| (k, w)).collect()
}

/// A footer hint: the action, its first key, what it says.
type Hint = (Action, String, String);

/// The hints the screen on show marks for the footer and as applying now.
fn hint_list(state: &State) -> Vec<Hint> {
    let hints = crate::screens::hints(state).into_iter().filter(|h| h.applies);
    hints
        .filter_map(|h| Some((h.action, h.footer_key?, h.footer_text)))
        .collect()
}

/// Drop hints from the end until the line fits `width`, but never those for help and the command
/// line: on a narrow terminal (80 columns over SSH) the way to every other key stays on screen.
fn fit(mut hints: Vec<Hint>, width: usize) -> Vec<Hint> {
    let len = |h: &Hint| h.1.chars().count() + h.2.chars().count() + 5;
    while hints.iter().map(len).sum::<usize>() > width {
        let Some(i) = hints
            .iter()
            .rposition(|h| !matches!(h.0, Action::Help | Action::Command))
        else {
            break;
        };
        hints.remove(i);
    }
    hints
}

fn normal_line(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    if let Some(t) = state.toasts.last() {
        // The word carries the meaning too, so a mono theme loses nothing.
        let (style, mut text) = if t.error {
            (theme.error, format!("✗ {}", t.text))
        } else {
            (theme.ok, t.text.clone())
        };
        // A message longer than the line says where to read it whole.
        const MORE: &str = "… (:messages)";
        if text.chars().count() > usize::from(width) {
            let keep = usize::from(width).saturating_sub(MORE.chars().count());
            text = text.chars().take(keep).collect::<String>() + MORE;
        }
        return Line::from(Span::styled(text, style));
    }
    let mut spans = Vec::new();
    let mut width = usize::from(width);
    if !state.pending_keys.is_empty() {
        let typed: Vec<String> = state.pending_keys.iter().map(|k| k.label()).collect();
        let typed = format!("{}… ", typed.join(" "));
        width = width.saturating_sub(typed.chars().count());
        spans.push(Span::styled(typed, theme.prompt));
    }
    for (_, key, what) in fit(hint_list(state), width) {
        spans.push(Span::styled(format!("<{key}>"), theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.text));
    }
    Line::from(spans)
}
