//! What the per-kind extras do on screen: `enter` on a row (its keys view, or where its link
//! leads), `x` on a Secret row (every value decoded), "used by", and the answers coming back.

use super::data::{Keys, values};
use super::extra::{Data, Link, Why};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::nav::watch_top;
use crate::app::state::{State, View, ViewKind};
use crate::app::table::Row;
use crate::app::text::{Body, Doc, Target};
use crate::cluster::ops::ObjRef;
use crate::cluster::related::Gathered;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// Whether `action` does something on a row of `kind`.
pub fn applies(kind: Kind, action: Action) -> bool {
    let Some(x) = super::of(kind) else { return false };
    match action {
        Action::ToggleReveal => x.data == Some(Data::Secret),
        Action::UsedBy => x.used_by.is_some(),
        _ => false,
    }
}

/// `kind namespace/name` as the titles say it: `configmap shop/web`, `crd x.example.com`.
pub fn said(obj: &ObjRef) -> String {
    let kind = obj.kind.name().to_lowercase();
    match obj.namespace.as_str() {
        "" => format!("{kind} {}", obj.name),
        ns => format!("{kind} {ns}/{}", obj.name),
    }
}

/// `enter` on a row of `kind`: its keys view, or where its link leads; None: no extra knows.
pub fn enter(state: &mut State, kind: Kind, row: &Row) -> Option<Vec<Effect>> {
    let x = super::of(kind)?;
    let from = ObjRef::new(kind, &row.namespace, &row.name);
    if let Some(data) = x.data {
        let mut v = View::new(ViewKind::Keys(Box::new(Keys::loading(from.clone(), data))));
        v.subtitle = said(&from);
        state.stack.push(v);
        return Some(vec![Effect::Gather {
            from,
            lists: vec![],
            why: Why::Keys,
        }]);
    }
    Some(follow(state, from, x.enter?, Why::Enter))
}

/// `x` (every value of a Secret decoded, in a document) and "used by" on a row of `kind`.
pub fn act(state: &mut State, kind: Kind, action: Action) -> Vec<Effect> {
    let Some(row) = state.top().table.current() else {
        return vec![];
    };
    let from = ObjRef::new(kind, &row.namespace, &row.name);
    match (action, super::of(kind)) {
        (Action::ToggleReveal, Some(x)) if x.data == Some(Data::Secret) => {
            let mut doc = Doc::loading(target(&from));
            doc.title = Some(format!("decoded {}", said(&from)));
            state.stack.push(View::new(ViewKind::Doc(Box::new(doc))));
            vec![Effect::Gather {
                from,
                lists: vec![],
                why: Why::Decode,
            }]
        }
        (Action::UsedBy, Some(x)) => match x.used_by {
            Some(link) => follow(state, from, link, Why::UsedBy),
            None => vec![],
        },
        _ => vec![],
    }
}

/// A document about `obj` (YAML, so that `d` describes it).
pub fn target(obj: &ObjRef) -> Target {
    Target {
        kind: obj.kind,
        namespace: obj.namespace.clone(),
        name: obj.name.clone(),
        describe: false,
    }
}

/// The objects `kind`'s `enter` link leads to, found in `object` alone (no list needed): what an
/// xray shows beside ownership (an Ingress's Services, a claim's volume). Err: what to say instead.
pub fn linked(state: &State, kind: Kind, object: &serde_json::Value) -> Option<Result<Vec<ObjRef>, String>> {
    let link = super::of(kind)?.enter?;
    if !link.needs.is_empty() {
        return None;
    }
    let found = match (link.resolve)(object, &[]) {
        Ok(found) => found,
        Err(e) => return Some(Err(e)),
    };
    let mut out = Vec::new();
    for f in found {
        let Some(k) = kind_named(state, &f.group, &f.kind) else {
            continue;
        };
        for (ns, name) in f.objects.into_iter().flatten() {
            out.push(ObjRef::new(k, &ns, &name));
        }
    }
    Some(Ok(out))
}

/// Whether `kind`'s `enter` link is worked out from the object alone (see [`linked`]).
pub fn links_alone(kind: Kind) -> bool {
    super::of(kind)
        .and_then(|x| x.enter)
        .is_some_and(|l| l.needs.is_empty())
}

/// Ask for the object and the lists `link` needs.
fn follow(state: &mut State, from: ObjRef, link: Link, why: Why) -> Vec<Effect> {
    let mut lists = Vec::new();
    for need in link.needs {
        let Some(kind) = kind_named(state, need.group, need.kind) else {
            state.toast(format!("{}: discovery lists no {} here", said(&from), need.kind), true);
            return vec![];
        };
        let scope = match need.everywhere {
            true => Scope::All,
            false => Scope::Namespace(from.namespace.clone()),
        };
        lists.push((kind, scope.for_kind(kind)));
    }
    vec![Effect::Gather { from, lists, why }]
}

/// The kind `group`/`kind`: a typed one, or the one discovery lists.
pub fn kind_named(state: &State, group: &str, kind: &str) -> Option<Kind> {
    Kind::of(group, kind).or_else(|| {
        let registry = state.discovery.registry.as_ref()?;
        let r = registry.resources.iter().find(|r| r.group == group && r.kind == kind)?;
        Some(Kind::from_resource(r))
    })
}

/// The answer to [`Effect::Gather`]: fills the keys view or the decoded document that asked for it,
/// or opens where a link leads (when its list is still on show).
// An input that is not this one goes back by value, as every screen's does (see `screens`).
#[allow(clippy::result_large_err)]
pub fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    let Input::Gathered { from, why, result } = input else {
        return Err(input);
    };
    Ok(match why {
        Why::Keys => {
            fill_keys(state, &from, result);
            vec![]
        }
        Why::Decode => {
            fill_decoded(state, &from, result);
            vec![]
        }
        Why::Enter | Why::UsedBy => opened(state, &from, why, result),
        // The xray's own (see `screens::xray`).
        Why::Xray => return Err(Input::Gathered { from, why, result }),
    })
}

fn fill_keys(state: &mut State, from: &ObjRef, result: Result<Gathered, String>) {
    let page = state.page_rows;
    for v in state.stack.iter_mut().filter(|v| v.status.is_none()) {
        let ViewKind::Keys(keys) = &mut v.kind else { continue };
        if keys.target != *from {
            continue;
        }
        match &result {
            Ok(g) => keys.values = values(&g.object, keys.data),
            Err(e) => keys.error = Some(e.clone()),
        }
        let rows = keys.rows();
        v.status = Some(WatchStatus::Ready);
        v.table.set_rows(rows, &v.filter, &v.fixed, v.sort);
        v.table.scroll_into_view(page);
    }
}

fn fill_decoded(state: &mut State, from: &ObjRef, result: Result<Gathered, String>) {
    let want = target(from);
    for v in &mut state.stack {
        let ViewKind::Doc(doc) = &mut v.kind else { continue };
        if doc.target != want || doc.body != Body::Loading || doc.title.is_none() {
            continue;
        }
        doc.reveal = true;
        doc.set_body(match &result {
            Ok(g) => Body::Value {
                key: None,
                values: values(&g.object, Data::Secret),
                secret: true,
            },
            Err(e) => Body::Failed(e.clone()),
        });
    }
}

fn opened(state: &mut State, from: &ObjRef, why: Why, result: Result<Gathered, String>) -> Vec<Effect> {
    // The user has moved on: what they asked about is no longer on show.
    if state.top().kind != ViewKind::Resource(from.kind) {
        return vec![];
    }
    let gathered = match result {
        Ok(g) => g,
        Err(e) => {
            state.toast(format!("{}: {e}", said(from)), true);
            return vec![];
        }
    };
    let link = super::of(from.kind).and_then(|x| if why == Why::Enter { x.enter } else { x.used_by });
    let Some(link) = link else { return vec![] };
    let found = match (link.resolve)(&gathered.object, &gathered.lists) {
        Ok(found) => found,
        Err(e) => {
            state.toast(format!("{}: {e}", said(from)), false);
            return vec![];
        }
    };
    let subtitle = format!("{} {}", link.what, said(from));
    let mut views = Vec::new();
    let mut unknown = false;
    for f in found
        .into_iter()
        .filter(|f| f.objects.as_ref().is_none_or(|o| !o.is_empty()))
    {
        let Some(kind) = kind_named(state, &f.group, &f.kind) else {
            state.toast(format!("{}: discovery lists no {} here", said(from), f.kind), true);
            unknown = true;
            continue;
        };
        let mut v = View::new(ViewKind::Resource(kind));
        v.subtitle = subtitle.clone();
        if let Some(objects) = f.objects {
            let mut namespaces: Vec<&str> = objects.iter().map(|(ns, _)| ns.as_str()).collect();
            namespaces.sort_unstable();
            namespaces.dedup();
            v.pinned = Some(match namespaces.as_slice() {
                [ns] if kind.namespaced() => Scope::Namespace(ns.to_string()),
                _ => Scope::All,
            });
            v.fixed.names = Some(objects);
        }
        views.push(v);
    }
    if views.is_empty() {
        if !unknown {
            state.toast(format!("{}: {}", said(from), link.none), false);
        }
        return vec![];
    }
    // The first found ends on top: esc walks back through the others to the list.
    views.reverse();
    state.stack.extend(views);
    watch_top(state)
}
