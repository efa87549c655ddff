//! Whether the namespace a list shows exists: an empty list in a namespace that does not exist
//! says so, instead of looking like a quiet namespace that is `● live`. One check per namespace
//! shown (the namespace watch when it runs, else one GET), never a poll.

use super::effect::Effect;
pub use super::state::NsCheck;
use super::state::{State, ViewKind};
use crate::cluster::Scope;
use crate::cluster::watch::WatchStatus;

/// The namespace of the top view's list when that list is live and has no rows.
fn empty_list_namespace(state: &State) -> Option<String> {
    let view = state.top();
    let ViewKind::Resource(kind) = view.kind else {
        return None;
    };
    if !kind.namespaced() || view.status != Some(WatchStatus::Ready) || !view.table.rows.is_empty() {
        return None;
    }
    match state.wanted()?.1 {
        Scope::Namespace(ns) => Some(ns),
        Scope::All => None,
    }
}

/// The check the top view needs now (run after rows are projected): an empty live list in a
/// namespace not checked yet. Rows seen in a namespace prove it exists.
pub fn check(state: &mut State) -> Vec<Effect> {
    let listed = match state.wanted() {
        Some((_, Scope::Namespace(ns))) if !state.top().table.rows.is_empty() => Some(ns),
        _ => None,
    };
    if let Some(c) = &mut state.ns_check
        && listed.is_some_and(|ns| ns == c.name)
    {
        c.exists = Some(true);
    }
    let Some(ns) = empty_list_namespace(state) else {
        return vec![];
    };
    if state.ns_check.as_ref().is_some_and(|c| c.name == ns) {
        return vec![];
    }
    state.ns_check = Some(NsCheck {
        name: ns.clone(),
        exists: None,
    });
    vec![Effect::CheckNamespace(ns)]
}

/// The answer to a check.
pub fn received(state: &mut State, namespace: String, exists: Option<bool>) {
    if let Some(c) = state.ns_check.as_mut().filter(|c| c.name == namespace) {
        c.exists = exists;
    }
}

/// The namespace the top view lists, when its list is empty because the namespace does not exist.
pub fn missing(state: &State) -> Option<String> {
    let ns = empty_list_namespace(state)?;
    let known = state.ns_check.as_ref()?;
    (known.name == ns && known.exists == Some(false)).then_some(ns)
}
