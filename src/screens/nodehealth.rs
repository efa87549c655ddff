//! The health of one node (`H` on the nodes list): refreshed every few seconds and on `ctrl-r`,
//! scrolled; cordon, uncordon and drain work from it.

use ratatui::text::Span;

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, ViewKind};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;
use crate::ui::views::health::Styles;

/// A node's health.
pub static SCREEN: Screen = Screen {
    name: "nodehealth",
    shows: |k| matches!(k, ViewKind::NodeHealth { .. }),
    scope: KeyScope::Table,
    commands: &[],
    act,
    on_input,
    applies: |_, action| {
        super::lists::moving(action)
            || action == Action::Refresh
            || crate::app::workload::works_on(Kind::Node, action)
    },
    selected: |state| node(state).map(|n| ObjRef::new(Kind::Node, "", n)),
    header: |state, theme| {
        let node = node(state).unwrap_or_default();
        vec![
            Span::styled("node health", theme.title),
            Span::styled(format!("  node {node}  refreshes every 10s, ctrl-r now"), theme.dim),
        ]
    },
    render: |frame, area, state, theme, now| {
        if let ViewKind::NodeHealth { node, scroll } = &state.top().kind {
            let st = Styles::of(theme);
            crate::ui::views::trend::with_chart(frame, area, state, theme, |frame, area| {
                crate::ui::views::nodehealth::render(frame, area, state, &st, node, *scroll, now)
            })
        }
    },
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn node(state: &State) -> Option<&str> {
    match &state.top().kind {
        ViewKind::NodeHealth { node, .. } => Some(node),
        _ => None,
    }
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if action == Action::Refresh {
        return Some(crate::app::controlplane::due(state));
    }
    if action == Action::Shell {
        let node = node(state).map(|n| crate::cluster::ops::ObjRef::new(Kind::Node, "", n));
        return Some(crate::app::debugging::node_shell(state, node));
    }
    let page = state.page_rows;
    match &mut state.top_mut().kind {
        ViewKind::NodeHealth { scroll, .. } => super::screen::scroll(scroll, action, page).then(Vec::new),
        _ => None,
    }
}

/// Health data, kept for this view or the nodes list's strip of the node under the cursor.
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    match input {
        Input::NodeHealth(health) => crate::app::nodehealth::received(state, *health),
        other => return Err(other),
    }
    Ok(vec![])
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::test_util::connected("demo", "shop", false);
    crate::app::nodehealth::open(&mut s, "node-1".into());
    s.nh_pending = false;
    if let ViewKind::NodeHealth { scroll, .. } = &mut s.top_mut().kind {
        *scroll = 5;
    }
    vec![s]
}
