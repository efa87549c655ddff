//! The control-plane screen (`:cp`): refreshed every few seconds and on `ctrl-r`, scrolled.

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::controlplane::{COMMANDS, due, open, received};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::ui::views::health::Styles;
use ratatui::text::Span;

/// The control plane's health.
pub static SCREEN: Screen = Screen {
    name: "controlplane",
    shows: |k| matches!(k, ViewKind::ControlPlane { .. }),
    scope: KeyScope::Table,
    commands: &COMMANDS,
    open,
    act,
    on_input,
    // `enter` goes from the control plane's problems to every problem in the cluster.
    applies: |_, action| super::lists::moving(action) || matches!(action, Action::Refresh | Action::Enter),
    label: |_, action| (action == Action::Enter).then(|| "every problem".into()),
    header: |_, theme| {
        vec![
            Span::styled("control plane", theme.title),
            Span::styled("  refreshes every 10s, ctrl-r now; enter: every problem (:triage)", theme.dim),
        ]
    },
    render: |frame, area, state, theme, now| {
        if let ViewKind::ControlPlane { scroll } = state.top().kind {
            crate::ui::views::controlplane::render(frame, area, state, &Styles::of(theme), scroll, now)
        }
    },
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if action == Action::Refresh {
        return Some(due(state));
    }
    if action == Action::Enter {
        return Some(crate::app::triage::open(state));
    }
    let page = state.page_rows;
    match &mut state.top_mut().kind {
        ViewKind::ControlPlane { scroll } => super::screen::scroll(scroll, action, page).then(Vec::new),
        _ => None,
    }
}

/// A report, kept whether or not the screen is on show (coming back to it shows the last one).
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    match input {
        Input::ControlPlane(report) => received(state, *report),
        other => return Err(other),
    }
    Ok(vec![])
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::test_util::connected("demo", "shop", false);
    open(&mut s);
    s.cp_pending = false;
    s.stack = vec![crate::app::state::View::new(ViewKind::ControlPlane { scroll: 5 })];
    vec![s]
}
