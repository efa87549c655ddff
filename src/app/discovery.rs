//! Keeping the registry current: discovery at connect (beside the first screen, never before it),
//! again when a CustomResourceDefinition changes (watched where the user may), on a `:` word it does
//! not know (as kubectl resets its discovery cache on a resource it does not know and asks once more
//! before saying the server has no such resource type) and on a timer for users who may not watch
//! CRDs; one registry kept per context. A kind that is no longer served closes its screens.

use super::effect::Effect;
use super::state::{CrdWatch, Discovery, State, View, ViewKind};
use crate::cluster::Kind;

impl Discovery {
    /// Leave `context`: its registry is kept for when it is used again, the rest starts afresh.
    pub fn leave(&mut self, context: &str) {
        let mut others = std::mem::take(&mut self.others);
        if let Some(r) = self.registry.take() {
            others.insert(context.to_string(), r);
        }
        *self = Discovery {
            others,
            ..Discovery::default()
        };
    }
}

/// Connected to `state.context`: its registry from before is shown at once (if it was used
/// before), discovery reads it afresh behind, and CRDs are watched from now on.
pub fn connected(state: &mut State) -> Vec<Effect> {
    let d = &mut state.discovery;
    if let Some(r) = d.others.remove(&state.context) {
        d.registry = Some(r);
    }
    d.pending = true;
    vec![
        Effect::Discover(state.context.clone()),
        Effect::WatchCrds(state.context.clone()),
    ]
}

/// Read discovery again: now, or when the one under way answers (it may have started before the
/// change that asks for this one).
pub fn refresh(state: &mut State) -> Vec<Effect> {
    if state.discovery.pending {
        state.discovery.again = true;
        return vec![];
    }
    state.discovery.pending = true;
    vec![Effect::Discover(state.context.clone())]
}

/// A CRD of `context` was added, changed or deleted.
pub fn crds_changed(state: &mut State, context: &str) -> Vec<Effect> {
    if context != state.context {
        return vec![];
    }
    refresh(state)
}

/// The CRD watch of `context` runs (None) or was refused (why).
pub fn crd_watch(state: &mut State, context: &str, refused: Option<String>) {
    if context != state.context {
        return;
    }
    state.discovery.crds = match refused {
        None => CrdWatch::Watching,
        Some(why) => {
            state.log_message(
                format!(
                    "CustomResourceDefinitions cannot be watched ({why}): the resource list is read again \
                     every few minutes and when a : word is not in it"
                ),
                false,
            );
            CrdWatch::Refused(why)
        }
    };
}

/// Whether the timer re-reads discovery: connected, and CRDs cannot be watched.
pub fn polling(state: &State) -> bool {
    matches!(state.discovery.crds, CrdWatch::Refused(_))
        && matches!(state.connection, super::state::Connection::Connected)
}

/// A `:` line whose word is none of kubedeck's commands and not in the registry: read discovery
/// again and try the line once more when it answers; only then is the word unknown.
pub fn unknown(state: &mut State, line: String) -> Vec<Effect> {
    let word = line.split_whitespace().next().unwrap_or_default().to_string();
    let d = &state.discovery;
    // The first discovery is under way (or comes with the connection): it answers for this word too.
    let (note, effects) = if d.registry.is_none() && (d.pending || state.context.is_empty()) {
        ("the server's resource list is still loading", vec![])
    } else {
        ("reading the server's resource list again", refresh(state))
    };
    state.discovery.waiting = Some(line);
    state.toast(format!("{word:?} is not a kubedeck command: {note}…"), false);
    effects
}

/// Discovery's answer for `context` (one for a context left behind is dropped): the registry, the
/// screens of kinds no longer served closed. Also the waiting `:` line, for the caller to run again
/// ([`still_unknown`] when its word is still not there).
pub fn discovered(
    state: &mut State,
    context: String,
    result: Result<model::Registry, String>,
) -> (Vec<Effect>, Option<String>) {
    if context != state.context {
        return (vec![], None);
    }
    state.discovery.pending = false;
    let mut effects = Vec::new();
    match result {
        Ok(registry) => {
            let before = state
                .discovery
                .registry
                .as_ref()
                .map(|r| r.failed.as_slice())
                .unwrap_or_default();
            // kubectl's warning, kept in the message log rather than raised on every start, and
            // said once while the same group keeps failing.
            let new: Vec<String> = registry
                .failed
                .iter()
                .filter(|f| !before.contains(f))
                .map(|f| format!("couldn't get resource list for {}: {}", f.group_version, f.error))
                .collect();
            for text in new {
                state.log_message(text, true);
            }
            effects.extend(close_gone(state, &registry));
            state.discovery.registry = Some(registry);
            state.discovery.error = None;
        }
        Err(e) => {
            state.log_message(e.clone(), true);
            state.discovery.error = Some(e);
        }
    }
    if state.discovery.again {
        state.discovery.again = false;
        effects.extend(refresh(state));
        return (effects, None);
    }
    (effects, state.discovery.waiting.take())
}

/// A waiting `:` word discovery, read again, does not know either: unknown, in kubectl's words.
pub fn still_unknown(state: &mut State, word: &str) {
    // An error here is the last attempt's (an answer clears it): the word may yet be the server's.
    let why = match &state.discovery.error {
        Some(e) => format!(" (the server's resource list could not be read: {e})"),
        None => format!(": the server doesn't have a resource type {word:?}"),
    };
    state.toast(format!("unknown command {word:?}{why}"), true);
}

/// Close every view of a custom kind `registry` no longer has (its CRD was deleted), with what
/// opened above it; its watches stop. A kind whose group failed to answer is not gone.
fn close_gone(state: &mut State, registry: &model::Registry) -> Vec<Effect> {
    let served = |kind: Kind| {
        let Some(r) = kind.resource() else { return true };
        let failed = |f: &model::registry::Failed| f.group_version.rsplit_once('/').map_or("", |(g, _)| g) == r.group;
        registry
            .resources
            .iter()
            .any(|x| x.group == r.group && x.plural == r.plural)
            || registry.failed.iter().any(failed)
    };
    let view_kind = |v: &View| match &v.kind {
        ViewKind::Resource(k) => Some(*k),
        ViewKind::Doc(d) => Some(d.target.kind),
        _ => None,
    };
    let Some(first) = state
        .stack
        .iter()
        .position(|v| view_kind(v).is_some_and(|k| !served(k)))
    else {
        return vec![];
    };
    let mut gone: Vec<Kind> = state.stack[first..]
        .iter()
        .filter_map(view_kind)
        .filter(|k| !served(*k))
        .collect();
    gone.dedup();
    state.stack.truncate(first);
    if state.stack.is_empty() {
        state.stack.push(View::new(ViewKind::Resource(Kind::Pod)));
    }
    for kind in &gone {
        let name = kind
            .resource()
            .map_or_else(|| kind.plural().to_string(), |r| r.qualified());
        state.toast(
            format!("{name} is no longer served by the server: its screen is closed"),
            true,
        );
    }
    let mut effects: Vec<Effect> = gone.into_iter().map(Effect::Unwatch).collect();
    effects.extend(super::nav::watch_top(state));
    effects
}

#[cfg(test)]
#[path = "discovery_tests.rs"]
mod tests;
