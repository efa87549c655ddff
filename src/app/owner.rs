//! The jump to a row's owner: its ownerReferences read fresh, the owner's apiVersion and kind
//! resolved through the registry (custom resources included), the owner's table opened with the
//! cursor on it, and a message when it is gone.

use super::effect::Effect;
use super::nav::push;
use super::state::{State, View, ViewKind};
use crate::cluster::ops::ObjRef;
use crate::cluster::ops::owner::Owner;
use crate::cluster::{Kind, Scope};

/// Ask for the owners of the row under the cursor; a typed row without owner uids has none, which
/// is said without a request.
pub fn jump(state: &mut State) -> Vec<Effect> {
    let ViewKind::Resource(kind) = state.top().kind else {
        return vec![];
    };
    let Some(row) = state.top().table.current() else {
        return vec![];
    };
    let target = ObjRef::new(kind, &row.namespace, &row.name);
    if kind.typed() && row.owners.is_empty() {
        state.toast(no_owner(&target), false);
        return vec![];
    }
    vec![Effect::FindOwner(target)]
}

fn no_owner(t: &ObjRef) -> String {
    format!("{} {} has no owner", t.kind.name().to_lowercase(), t.path())
}

/// The kind an ownerReference names: the registry's resource of that group and kind, else a
/// typed kind kubedeck knows (before discovery has answered).
pub fn resolve(state: &State, owner: &Owner) -> Option<Kind> {
    let group = owner.group();
    let served = state
        .discovery
        .registry
        .as_ref()
        .and_then(|reg| reg.resources.iter().find(|r| r.group == group && r.kind == owner.kind));
    match served {
        Some(r) => Some(Kind::from_resource(r)),
        None => Kind::of(group, &owner.kind),
    }
}

/// The owners of `target` arrived: open the first's (the controller's) table, pinned to its
/// namespace, to put the cursor on it once its rows have synced.
pub fn found(state: &mut State, target: ObjRef, result: Result<Vec<Owner>, String>) -> Vec<Effect> {
    // An answer for a list no longer on show opens nothing over what the user went to since.
    if state.top().kind != ViewKind::Resource(target.kind) {
        return vec![];
    }
    let owners = match result {
        Ok(o) => o,
        Err(e) => {
            state.toast(e, true);
            return vec![];
        }
    };
    let Some(owner) = owners.first() else {
        state.toast(no_owner(&target), false);
        return vec![];
    };
    let what = format!("{} {}", owner.kind, owner.name);
    let Some(kind) = resolve(state, owner) else {
        state.toast(
            format!(
                "owner {what}: this cluster does not serve kind {} of {}",
                owner.kind, owner.api_version
            ),
            true,
        );
        return vec![];
    };
    let mut view = View::new(ViewKind::Resource(kind));
    view.pinned = Some(if kind.namespaced() {
        Scope::Namespace(target.namespace.clone())
    } else {
        Scope::All
    });
    view.table.selected = Some(owner.uid.clone());
    view.subtitle = format!("owner of {} {}", target.kind.name().to_lowercase(), target.name);
    view.seeking = Some((owner.uid.clone(), what));
    push(state, view)
}

/// The view on show has synced: the cursor goes on the object it was opened to show, or the
/// message says it is gone.
pub fn settle(state: &mut State) {
    let page = state.page_rows;
    let view = state.top_mut();
    let Some((uid, what)) = view.seeking.take() else {
        return;
    };
    let table = &mut view.table;
    match table.visible.iter().position(|&i| table.rows[i].key == uid) {
        Some(pos) => {
            table.select(pos);
            table.scroll_into_view(page);
        }
        None => state.toast(format!("owner {what} is gone"), true),
    }
}
