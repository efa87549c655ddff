//! What discovery says the server allows on a kind: an action whose verb (or subresource) the
//! server does not serve is refused with that reason, rather than sent to come back 405.

use model::Resource;

use super::action::Action;
use super::state::State;
use crate::cluster::Kind;

/// What discovery said of `kind`: the resource of a [`Kind::Other`], the registry's entry (same
/// group and plural) of a typed kind; None before discovery has answered.
pub fn resource(state: &State, kind: Kind) -> Option<&Resource> {
    if let Some(r) = kind.resource() {
        return Some(r);
    }
    let registry = state.discovery.registry.as_ref()?;
    registry
        .resources
        .iter()
        .find(|r| r.group == kind.group() && r.plural == kind.plural())
}

/// The verb an action needs on the object's resource (None: it needs none, or several).
fn verb(action: Action) -> Option<&'static str> {
    Some(match action {
        Action::Delete => "delete",
        Action::Describe | Action::Yaml => "get",
        Action::Restart | Action::Pause | Action::Resume | Action::Cordon | Action::Uncordon => "patch",
        _ => return None,
    })
}

/// Why the server will not take `action` on objects of `kind`, by its discovery; None when it
/// will, or when discovery has not said.
pub fn refusal(state: &State, kind: Kind, action: Action) -> Option<String> {
    let r = resource(state, kind)?;
    if action == Action::Scale && !r.has("scale") {
        return Some(format!(
            "{}: the server has no scale subresource for {}",
            action.describe(),
            r.qualified()
        ));
    }
    let verb = verb(action)?;
    if r.can(verb) {
        return None;
    }
    let allowed = if r.verbs.is_empty() {
        "none".to_string()
    } else {
        r.verbs.join(", ")
    };
    Some(format!(
        "{}: the server does not allow {verb} on {} (its verbs: {allowed})",
        action.describe(),
        r.qualified()
    ))
}
