//! The log view of a pod, container, workload or service: its keymap scope, its prompts (search,
//! include, exclude, since), its streams' events, and the toggles the footer shows the state of.

use ratatui::text::Span;

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::logs::{LogView, glue};
use crate::app::state::{State, ViewKind};

/// The log view.
pub static SCREEN: Screen = Screen {
    name: "logs",
    shows: |k| matches!(k, ViewKind::Logs(_)),
    scope: KeyScope::Logs,
    commands: &[],
    on_key: glue::key,
    act: glue::act,
    on_input,
    applies,
    label,
    // Its keys are its own; object actions do not reach through it.
    header: |state, theme| match view(state) {
        Some(l) => crate::ui::views::logs::header_spans(l, theme),
        None => vec![Span::raw("")],
    },
    render: |frame, area, state, theme, _now| {
        if let Some(l) = view(state) {
            crate::ui::views::logs::render(frame, area, l, theme)
        }
    },
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn view(state: &State) -> Option<&LogView> {
    match &state.top().kind {
        ViewKind::Logs(l) => Some(l),
        _ => None,
    }
}

fn applies(_: &State, action: Action) -> bool {
    action.scopes().contains(&KeyScope::Logs)
}

/// Log toggles say their state, as wide does.
fn label(state: &State, action: Action) -> Option<String> {
    match action {
        Action::Log(a) => a.state(view(state)?),
        _ => None,
    }
}

/// Log lines for their session's view (on show or below), and pasted text into an open prompt.
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    match input {
        Input::Logs(batch) => glue::feed(state, batch),
        Input::Paste(text) if glue::paste(state, &text) => {}
        other => return Err(other),
    }
    Ok(vec![])
}

#[cfg(test)]
fn samples() -> Vec<State> {
    use crate::cluster::logs::{Event, Line};
    let mut s = (super::table::SCREEN.samples)().remove(0);
    glue::open(&mut s);
    let session = view(&s).map(|v| v.session).unwrap_or_default();
    let source = Event::Source {
        id: 0,
        pod: "web".into(),
        container: "app".into(),
    };
    let text = (0..100).map(|i| Line {
        source: 0,
        ts: None,
        text: format!("line {i} web {{\"a\":{i}}}"),
        cut: 0,
    });
    let lines = Event::Lines(text.collect());
    crate::app::update(&mut s, Input::Logs(vec![(session, source), (session, lines)]));
    if let ViewKind::Logs(l) = &mut s.top_mut().kind {
        l.move_by(-50, 10);
        l.hscroll = 8;
    }
    vec![s]
}
