//! The bottom line: the open text line, else the newest toast, else key hints from the active keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::action::Action;
use crate::app::state::Mode;
use crate::config::theme::Theme;

/// Draw the footer line.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    for overlay in crate::screens::overlays::open(state) {
        if (overlay.footer)(frame, area, state, theme) {
            return;
        }
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

/// A footer hint: whether it stays on a narrow line (help, the command line), its first key, what it says.
type Hint = (bool, String, String);

/// The hints of the overlay that takes every key, else those the screen on show marks for the
/// footer and as applying now.
fn hint_list(state: &State) -> Vec<Hint> {
    if let Some(keys) = crate::screens::overlays::hints(state) {
        let label = |keys: Vec<crate::app::keys::Key>| keys.iter().map(|k| k.label()).collect::<Vec<_>>().join(" ");
        return keys.into_iter().map(|(k, w)| (false, label(k), w)).collect();
    }
    let hints = crate::screens::hints(state).into_iter().filter(|h| h.applies);
    let pinned = |a: Action| matches!(a, Action::Help | Action::Command);
    hints
        .filter_map(|h| {
            // The panel's esc closes it rather than going back: the footer says what it does.
            let text = crate::screens::overlays::instead(state, h.action).map_or(h.footer_text, str::to_string);
            Some((pinned(h.action), h.footer_key?, text))
        })
        .collect()
}

/// Drop hints from the end until the line fits `width`, but never those for help and the command
/// line: on a narrow terminal (80 columns over SSH) the way to every other key stays on screen.
fn fit(mut hints: Vec<Hint>, width: usize) -> Vec<Hint> {
    let len = |h: &Hint| h.1.chars().count() + h.2.chars().count() + 5;
    while hints.iter().map(len).sum::<usize>() > width {
        let Some(i) = hints.iter().rposition(|h| !h.0) else {
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
