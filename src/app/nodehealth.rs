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
    // What the nodes list held for this node is shown until fresh data arrives.
    if state.node_health.as_ref().is_some_and(|h| h.name != node) {
        state.node_health = None;
    }
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

/// The node whose health the nodes list shows: the one under the cursor.
pub fn under_cursor(state: &State) -> Option<&str> {
    if state.top().kind != ViewKind::Resource(Kind::Node) {
        return None;
    }
    state.top().table.current().map(|r| r.name.as_str())
}

/// On the nodes list, ask for the health of the node under the cursor when what is held is another's.
/// The event loop calls it after each frame's projection (rows arrive there, not through an input
/// whose effects it performs).
pub fn follow_cursor(state: &mut State) -> Vec<Effect> {
    let Some(node) = under_cursor(state) else {
        return vec![];
    };
    if state.node_health.as_ref().is_some_and(|h| h.name == node) {
        return vec![];
    }
    let node = node.to_string();
    refresh(state, node)
}

/// Data arrived; kept only if a view of that node is still open, or it is under the nodes list's cursor.
pub fn received(state: &mut State, health: NodeHealth) {
    state.nh_pending = false;
    let open = under_cursor(state) == Some(health.name.as_str())
        || state
            .stack
            .iter()
            .any(|v| matches!(&v.kind, ViewKind::NodeHealth { node, .. } if *node == health.name));
    if open {
        state.node_health = Some(Box::new(health));
    }
}
