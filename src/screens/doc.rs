//! A describe or YAML document of one object, fetched fresh: scrolling, search, managedFields and
//! secret toggles, switching between describe and YAML, and deleting the object.

use crossterm::event::KeyEvent;
use ratatui::text::Span;

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::state::{State, View, ViewKind};
use crate::app::text::{Body, Doc, Target};
use crate::cluster::describe::fetch::Fetched;
use crate::cluster::ops::ObjRef;

/// Describe and YAML documents.
pub static SCREEN: Screen = Screen {
    name: "doc",
    shows: |k| matches!(k, ViewKind::Doc(_)),
    scope: KeyScope::Document,
    commands: &[],
    on_key,
    act,
    on_input,
    applies,
    selected,
    header: |state, theme| vec![Span::styled(doc(state).map(Doc::title).unwrap_or_default(), theme.title)],
    render: |frame, area, state, theme, _now| {
        if let Some(d) = doc(state) {
            crate::ui::views::trend::with_chart(frame, area, state, theme, |frame, area| {
                crate::ui::views::text::render(frame, area, d, theme)
            })
        }
    },
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn doc(state: &State) -> Option<&Doc> {
    match &state.top().kind {
        ViewKind::Doc(d) => Some(d),
        _ => None,
    }
}

fn doc_mut(state: &mut State) -> Option<&mut Doc> {
    match &mut state.top_mut().kind {
        ViewKind::Doc(d) => Some(d),
        _ => None,
    }
}

fn applies(state: &State, action: Action) -> bool {
    let Some(d) = doc(state) else { return false };
    match action {
        // Only a Secret's YAML has values to reveal, only YAML has managedFields.
        Action::ToggleReveal => d.is_secret(),
        Action::ToggleManaged => matches!(d.body, Body::Yaml(_)),
        // A value shown on its own is not the object's describe or YAML.
        // Nor is a document with a title of its own (values, `:exec` output), loading or not.
        Action::Describe | Action::Yaml if d.title.is_some() || matches!(d.body, Body::Value { .. } | Body::Output(_)) => {
            false
        }
        Action::NextMatch | Action::PrevMatch => !d.search.is_empty(),
        // The other one of the two.
        Action::Describe => !d.target.describe,
        Action::Yaml => d.target.describe,
        _ => action.scopes().contains(&KeyScope::Document),
    }
}

fn selected(state: &State) -> Option<ObjRef> {
    let t = &doc(state)?.target;
    Some(ObjRef::new(t.kind, &t.namespace, &t.name))
}

/// A key while a search is being typed.
fn on_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let page = state.page_rows + 1;
    if !doc_mut(state)?.on_typing_key(key, page) {
        return None;
    }
    notice(state);
    Some(vec![])
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows + 1;
    if doc_mut(state)?.act(action, page) {
        notice(state);
        return Some(vec![]);
    }
    match action {
        Action::Describe | Action::Yaml => Some(open(state, action == Action::Describe)),
        _ => None,
    }
}

/// Show what a document's search has to say.
fn notice(state: &mut State) {
    if let Some(n) = doc_mut(state).and_then(|d| d.notice.take()) {
        state.toast(n, false);
    }
}

/// Open a describe or YAML document of the object under the cursor of a list (in a document:
/// switch between the two), showing "loading" until the fresh GET answers.
pub fn open(state: &mut State, describe: bool) -> Vec<Effect> {
    let view = state.top_mut();
    let target = match (&mut view.kind, view.table.current()) {
        (ViewKind::Resource(kind), Some(row)) => Target {
            kind: *kind,
            namespace: row.namespace.to_string(),
            name: row.name.to_string(),
            describe,
        },
        (ViewKind::Doc(doc), _) if doc.target.describe != describe => {
            let target = Target {
                describe,
                ..doc.target.clone()
            };
            **doc = Doc::loading(target.clone());
            return vec![fetch(&target)];
        }
        _ => return vec![],
    };
    let action = if describe { Action::Describe } else { Action::Yaml };
    if let Some(why) = crate::app::verbs::refusal(state, target.kind, action) {
        state.toast(why, true);
        return vec![];
    }
    let effect = fetch(&target);
    state
        .stack
        .push(View::new(ViewKind::Doc(Box::new(Doc::loading(target)))));
    vec![effect]
}

fn fetch(t: &Target) -> Effect {
    Effect::Fetch {
        kind: t.kind,
        namespace: t.namespace.clone(),
        name: t.name.clone(),
        describe: t.describe,
    }
}

/// Fill the (still open) document the result belongs to.
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    let (target, result) = match input {
        Input::Fetched { target, result } => (target, result),
        Input::ExecOutput { title, result } => {
            crate::app::run_cmd::finished(state, &title, result);
            return Ok(vec![]);
        }
        other => return Err(other),
    };
    let doc = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
        ViewKind::Doc(d) if d.target == target && d.body == Body::Loading => Some(d),
        _ => None,
    });
    if let Some(doc) = doc {
        doc.set_body(match result {
            Err(e) => Body::Failed(e),
            Ok(Fetched {
                describe: Some(lines), ..
            }) => Body::Describe(lines),
            Ok(f) => Body::Yaml(f.object),
        });
    }
    Ok(vec![])
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut out = Vec::new();
    for (describe, kind) in [(true, "Pod"), (false, "Secret"), (false, "Pod")] {
        let mut s = crate::test_util::connected("demo", "shop", false);
        let target = Target {
            kind: crate::cluster::Kind::Pod,
            namespace: "shop".into(),
            name: "web-1".into(),
            describe,
        };
        let mut d = Doc::loading(target);
        d.set_body(if describe {
            Body::Describe((0..80).map(|i| format!("Line {i}: web")).collect())
        } else {
            let data: serde_json::Map<_, _> = (0..60).map(|i| (format!("k{i}"), "d2Vi".into())).collect();
            Body::Yaml(serde_json::json!({
                "kind": kind,
                "metadata": {"name": "web-1", "managedFields": [{"manager": "kubectl"}]},
                "data": data,
            }))
        });
        d.search = "web".into();
        d.rebuild();
        (d.scroll, d.hscroll, d.current) = (10, 8, 1);
        s.stack.push(View::new(ViewKind::Doc(Box::new(d))));
        out.push(s);
    }
    out
}
