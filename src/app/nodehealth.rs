//! The node health view's part of `update`: opened with `h` on the nodes screen, refreshed periodically.

use super::effect::Effect;
use super::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::nodehealth::NodeHealth;

/// Seconds between refreshes of the health screens and of the nodes list's health panel.
pub const REFRESH_SECS: u64 = 10;

/// Open the health view of the node under the cursor (nodes screen only).
pub fn open_selected(state: &mut State) -> Vec<Effect> {
    if state.top().kind != ViewKind::Resource(Kind::Node) {
        return vec![];
    }
    let Some(row) = state.top().table.current().cloned() else {
        return vec![];
    };
    open(state, row.name.to_string())
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

/// On the nodes list, ask for the health of the node under the cursor when what is held is another's,
/// or was fetched a refresh interval or more before `now` (coming back to the list after a while
/// must not show old data as current). The event loop calls it after each frame's projection (rows
/// arrive there, not through an input whose effects it performs).
pub fn follow_cursor(state: &mut State, now: i64) -> Vec<Effect> {
    let Some(node) = under_cursor(state) else {
        return vec![];
    };
    let max_age = REFRESH_SECS as i64;
    if state
        .node_health
        .as_ref()
        .is_some_and(|h| h.name == node && now - h.taken < max_age)
    {
        return vec![];
    }
    let node = node.to_string();
    refresh(state, node)
}

/// A cordon, uncordon or drain of `node` went through: its health on screen (view or panel) is
/// fetched again at once, so that it shows the change rather than the state before it.
pub fn changed(state: &mut State, node: &str) -> Vec<Effect> {
    if state.node_health.as_ref().is_none_or(|h| h.name != node) {
        return vec![];
    }
    // A fetch already on its way may have left before the change.
    state.nh_pending = false;
    refresh(state, node.to_string())
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
