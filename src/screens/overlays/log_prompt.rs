//! The log view's prompts (search, include, exclude, since) on the bottom line: every key edits
//! the text until enter or esc.

use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::Paragraph;

use super::{nothing_instead, in_the_box, no_render};
use crate::app::logs::Prompt;
use crate::app::state::{State, ViewKind};
use crate::screens::screen::Overlay;

/// The open prompt.
pub static OVERLAY: Overlay = Overlay {
    name: "log prompt",
    open: |state| prompt(state).is_some(),
    on_key: crate::app::logs::glue::key,
    render: no_render,
    footer: |frame, area, state, theme| {
        let Some((prompt, ta)) = prompt(state) else { return false };
        let label = prompt.label();
        let [p, rest] =
            Layout::horizontal([Constraint::Length(label.chars().count() as u16), Constraint::Min(1)]).areas(area);
        frame.render_widget(Paragraph::new(label).style(theme.prompt), p);
        frame.render_widget(ta, rest);
        true
    },
    // The prompt line says what is typed.
    hints: in_the_box,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

fn prompt(state: &State) -> Option<&(Prompt, ratatui_textarea::TextArea<'static>)> {
    match &state.top().kind {
        ViewKind::Logs(view) => view.prompt.as_ref(),
        _ => None,
    }
}

#[cfg(test)]
fn samples() -> Vec<State> {
    use crate::app::action::{Action, LogAction};
    let mut out = Vec::new();
    for action in [Action::Search, Action::Log(LogAction::Include), Action::Log(LogAction::Start)] {
        let mut s = (crate::screens::logs::SCREEN.samples)().remove(0);
        crate::app::update::act(&mut s, action);
        assert!(prompt(&s).is_some(), "{action:?} opened a prompt");
        out.push(s);
    }
    out
}
