//! The node health view's part of `update`: opened with `h` on the nodes screen, refreshed periodically.

use super::effect::Effect;
use super::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::nodehealth::NodeHealth;

/// Open the health view of the node under the cursor (nodes screen only).
pub fn open_selected(state: &mut State) -> Vec<Effect> {
    if state.top().kind != ViewKind::Resource(Kind::Node) {
        return vec![];
    }
    let Some(row) = state.top().table.current().cloned() else {
        return vec![];
    };
    open(state, row.name)
}

/// Push the health view of `node` and ask for its data.
pub fn open(state: &mut State, node: String) -> Vec<Effect> {
    let mut view = View::new(ViewKind::NodeHealth {
        node: node.clone(),
        scroll: 0,
    });
    view.subtitle = format!("node {node}");
    state.stack.push(view);
    // Whatever was shown belongs to another node (or is old).
    state.node_health = None;
    state.nh_pending = false;
    refresh(state, node)
}

/// Ask for fresh data unless a request is on its way.
pub fn refresh(state: &mut State, node: String) -> Vec<Effect> {
    if state.nh_pending || state.connection != super::state::Connection::Connected {
        return vec![];
    }
    state.nh_pending = true;
    vec![Effect::FetchNodeHealth(node)]
}

/// Data arrived; kept only if a view of that node is still open.
pub fn received(state: &mut State, health: NodeHealth) {
    state.nh_pending = false;
    let open = state
        .stack
        .iter()
        .any(|v| matches!(&v.kind, ViewKind::NodeHealth { node, .. } if *node == health.name));
    if open {
        state.node_health = Some(Box::new(health));
    }
}
