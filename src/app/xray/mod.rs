//! Xray: the owner tree of an object (`T` on a row) or of every object of a kind in a namespace
//! (`:xray KIND [NAMESPACE]`), as a folding tree. Its data comes from the cache (the store feeds it
//! when a watch it reads moves, see `store::xray`); the tree is built here, once per feed, and the
//! screen draws only the lines on show.

pub mod objs;
pub mod tree;
pub mod view;

use super::effect::Effect;
use super::nav::push;
use super::state::{State, View, ViewKind};
use crate::cluster::ops::ObjRef;
use crate::cluster::{Kind, Scope};
use tree::{Graph, Root};
pub use view::{Fed, Xray};

/// Build the tree of the xray on show from what the store read.
pub fn fed(state: &mut State, fed: Fed) {
    let page = state.page_rows;
    let view = state.top_mut();
    let ViewKind::Xray(x) = &mut view.kind else {
        return;
    };
    let tree = Graph::new(&fed.objs, &fed.synced).tree(&x.root, &x.links);
    x.built = Some(fed.generation);
    x.status = fed.status.clone();
    x.set_tree(tree, page);
    // The view's status is what the loop ticks on while it loads or is stale.
    view.status = fed.status;
}

/// Kinds related to pods that kubedeck has no types for: found in the registry by group and kind.
pub const RELATED: [(&str, &str); 4] = [
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "PersistentVolumeClaim"),
    ("", "ServiceAccount"),
];

/// Typed kinds every xray watches in its scope (pods are read whole, see `store::xray`).
pub const TYPED: [Kind; 8] = [
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::Job,
    Kind::CronJob,
    Kind::Service,
    Kind::EndpointSlice,
];

/// The row watches an xray reads: the owning and owned kinds, the pods' related kinds the
/// registry serves, the nodes, and its own kind.
pub fn watches(state: &State, x: &Xray) -> Vec<(Kind, Scope)> {
    let mut out: Vec<(Kind, Scope)> = TYPED.iter().map(|&k| (k, x.scope.clone().for_kind(k))).collect();
    for (group, kind) in RELATED {
        if let Some(k) = crate::kinds::drill::kind_named(state, group, kind) {
            out.push((k, x.scope.clone().for_kind(k)));
        }
    }
    out.push((Kind::Node, Scope::All));
    if x.kind != Kind::Pod && !out.iter().any(|(k, _)| *k == x.kind) {
        out.push((x.kind, x.scope.clone().for_kind(x.kind)));
    }
    out
}

fn scope_of(kind: Kind, namespace: Option<&str>) -> Scope {
    match namespace {
        Some(ns) if kind.namespaced() => Scope::Namespace(ns.to_string()),
        _ => Scope::All,
    }
}

/// `T` on a list: the xray of the row under the cursor.
pub fn open_row(state: &mut State) -> Vec<Effect> {
    let ViewKind::Resource(kind) = state.top().kind else {
        return vec![];
    };
    let Some(row) = state.top().table.current() else {
        return vec![];
    };
    let from = ObjRef::new(kind, &row.namespace, &row.name);
    open_object(state, from)
}

/// The xray of one object (`T` on its row, or on a container: its pod's).
pub fn open_object(state: &mut State, from: ObjRef) -> Vec<Effect> {
    let kind = from.kind;
    let root = Root::Object {
        what: kind.name(),
        namespace: from.namespace.clone(),
        name: from.name.clone(),
    };
    // Everything an object owns or is owned by lives in its namespace (cluster-scoped owners
    // aside, which the tree does not climb to).
    let scope = match from.namespace.as_str() {
        "" => Scope::All,
        ns => Scope::Namespace(ns.to_string()),
    };
    let subtitle = format!("{} {}", kind.name().to_lowercase(), tree::clean(&from.name));
    let mut effects = open(state, Xray::new(root, kind, scope), subtitle);
    // Where the kind leads beside ownership is in the object, not its row: read it once.
    if crate::kinds::drill::links_alone(kind) {
        effects.push(Effect::Gather {
            from,
            lists: vec![],
            why: crate::kinds::extra::Why::Xray,
        });
    }
    effects
}

/// The object of an xray arrived: what its kind leads to goes under it at the next feed.
pub fn linked(state: &mut State, from: &ObjRef, result: Result<crate::cluster::related::Gathered, String>) {
    let links = match result {
        Ok(g) => crate::kinds::drill::linked(state, from.kind, &g.object),
        Err(e) => Some(Err(e)),
    };
    let links = match links {
        Some(Ok(links)) => links,
        Some(Err(e)) => {
            state.toast(format!("xray {}: {e}", crate::kinds::drill::said(from)), false);
            return;
        }
        None => return,
    };
    for v in &mut state.stack {
        let ViewKind::Xray(x) = &mut v.kind else { continue };
        let Root::Object { what, namespace, name } = &x.root else {
            continue;
        };
        if *what == from.kind.name() && *namespace == from.namespace && *name == from.name {
            x.links = links.clone();
            // Built again from the cache at the next feed, with them.
            x.built = None;
        }
    }
}

fn open(state: &mut State, x: Xray, subtitle: String) -> Vec<Effect> {
    let mut v = View::new(ViewKind::Xray(Box::new(x)));
    v.subtitle = subtitle;
    push(state, v)
}

/// `:xray KIND [NAMESPACE]`: every object of the kind in the namespace (default: the one in use;
/// `all` or `-A`: every namespace), each with what it owns.
pub fn command(state: &mut State, kind: Option<&str>, namespace: Option<&str>) -> Vec<Effect> {
    let Some(word) = kind else {
        state.toast("xray: which kind? :xray KIND [NAMESPACE], e.g. :xray deploy shop", true);
        return vec![];
    };
    let alias = super::action::ALIASES.iter().find(|(a, _)| *a == word).map(|(_, k)| *k);
    let found = alias.or_else(|| {
        let r = state.discovery.registry.as_ref()?.find(word)?;
        Some(Kind::from_resource(r))
    });
    let Some(kind) = found else {
        state.toast(format!("xray: unknown kind {word:?} (:api-resources lists them)"), true);
        return vec![];
    };
    let ns = match namespace {
        Some("all" | "-A") => None,
        Some(ns) => Some(ns.to_string()),
        None => state.namespace.clone(),
    };
    let scope = scope_of(kind, ns.as_deref());
    let root = Root::Kind {
        what: kind.name(),
        plural: kind.plural(),
        namespace: ns.filter(|_| kind.namespaced()),
    };
    let subtitle = match &scope {
        Scope::Namespace(ns) => format!("{} in {ns}", kind.plural()),
        Scope::All => format!("{} (all)", kind.plural()),
    };
    let mut v = View::new(ViewKind::Xray(Box::new(Xray::new(root, kind, scope))));
    v.subtitle = subtitle;
    // A command starts a new stack, as the lists' commands do.
    state.stack = vec![v];
    vec![]
}

#[cfg(test)]
pub mod tests;
