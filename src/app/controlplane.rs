//! The control-plane screen's state changes: opening it and asking for refreshes (its keys and
//! drawing are `screens::controlplane`).

use super::effect::Effect;
use super::state::{State, View, ViewKind};
use crate::cluster::health::Report;

pub use super::nodehealth::REFRESH_SECS;

/// `:` command words that open the control-plane screen.
pub const COMMANDS: [&str; 3] = ["cp", "controlplane", "control-plane"];

/// Whether `name` is a screen `--screen` can open: the control plane or a resource alias.
pub fn is_screen(name: &str) -> bool {
    COMMANDS.contains(&name) || super::action::ALIASES.iter().any(|(a, _)| *a == name)
}

/// Replace the stack with the control-plane screen and ask for a report.
pub fn open(state: &mut State) -> Vec<Effect> {
    state.stack = vec![View::new(ViewKind::ControlPlane { scroll: 0 })];
    refresh(state)
}

/// Ask for a fresh report unless one is already on its way.
pub fn refresh(state: &mut State) -> Vec<Effect> {
    // Before the client exists there is nothing to ask; connecting refreshes the screen on top.
    if state.cp_pending || state.connection != super::state::Connection::Connected {
        return vec![];
    }
    state.cp_pending = true;
    vec![Effect::FetchControlPlane]
}

/// A report arrived.
pub fn received(state: &mut State, report: Report) {
    state.cp_pending = false;
    for l in report.leaders.ok().into_iter().flatten() {
        if let Some(t) = l.transitions
            && !state.cp_first_transitions.iter().any(|(n, _)| *n == l.name)
        {
            state.cp_first_transitions.push((l.name.clone(), t));
        }
    }
    state.control_plane = Some(Box::new(report));
}

/// The periodic refresh of whatever health screen is on top (every ~10 s, from the event loop).
pub fn due(state: &mut State) -> Vec<Effect> {
    match &state.top().kind {
        // The triage screen lists the control plane's problems too.
        ViewKind::ControlPlane { .. } | ViewKind::Triage(_) => refresh(state),
        ViewKind::NodeHealth { node, .. } => {
            let node = node.clone();
            super::nodehealth::refresh(state, node)
        }
        ViewKind::Resource(crate::cluster::Kind::Node) => match state.top().table.current() {
            Some(row) => {
                let node = row.name.clone();
                super::nodehealth::refresh(state, node.to_string())
            }
            None => vec![],
        },
        _ => vec![],
    }
}

/// Whether the screen on top is a health screen (fetched, not watched).
pub fn health_screen(state: &State) -> bool {
    matches!(
        state.top().kind,
        ViewKind::ControlPlane { .. } | ViewKind::NodeHealth { .. }
    )
}

/// Whether the screen on top has health data to refresh periodically (health screens, and the
/// nodes list's panel of the node under the cursor).
pub fn periodic(state: &State) -> bool {
    health_screen(state)
        || matches!(
            state.top().kind,
            ViewKind::Resource(crate::cluster::Kind::Node) | ViewKind::Triage(_)
        )
}
