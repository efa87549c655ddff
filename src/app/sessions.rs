//! Which sessions the screens hold: a session started for a screen runs while some screen holds
//! its number, and the executor stops it when none does (the logs view left the stack).

use std::collections::HashSet;

use super::effect::SessionId;
use super::state::{State, ViewKind};

/// The sessions held by the views on the stack.
pub fn held(state: &State) -> HashSet<SessionId> {
    state
        .stack
        .iter()
        .filter_map(|v| match &v.kind {
            ViewKind::Logs(l) => Some(l.session),
            _ => None,
        })
        .collect()
}
