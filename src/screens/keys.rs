//! The keys of a ConfigMap or Secret (KEY, SIZE, VALUE; a Secret's values masked until `x`):
//! `enter` on a key shows its value in a document.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::lists;
use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::state::{State, View, ViewKind};
use crate::app::text::{Body, Doc};
use crate::cluster::ops::ObjRef;
use crate::config::theme::Theme;
use crate::kinds::data::Keys;
use crate::kinds::drill;
use crate::kinds::extra::Data;
use crate::ui::views::{self, List};

/// The keys view.
pub static SCREEN: Screen = Screen {
    name: "keys",
    shows: |k| matches!(k, ViewKind::Keys(_)),
    scope: KeyScope::Table,
    commands: &[],
    act,
    // Every answer of a per-kind extra's GET: keys, decoded values, links.
    on_input: drill::on_input,
    applies,
    label,
    selected,
    header,
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn keys(state: &State) -> Option<&Keys> {
    match &state.top().kind {
        ViewKind::Keys(k) => Some(k),
        _ => None,
    }
}

fn applies(state: &State, action: Action) -> bool {
    let Some(k) = keys(state) else { return false };
    match action {
        a if lists::moving(a) || lists::sorting(state, a) => true,
        Action::Filter | Action::CopyName => true,
        Action::Enter => state.top().table.current().is_some(),
        Action::ToggleReveal => k.data == Data::Secret,
        _ => false,
    }
}

fn label(state: &State, action: Action) -> Option<String> {
    match (action, keys(state)) {
        (Action::ToggleReveal, Some(k)) if k.reveal => Some("mask values".into()),
        (Action::ToggleReveal, Some(_)) => Some("reveal values".into()),
        _ => lists::label(state, action),
    }
}

fn selected(state: &State) -> Option<ObjRef> {
    keys(state).map(|k| k.target.clone())
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Enter => {
            let k = keys(state)?;
            let key = state.top().table.current()?.name.clone();
            let value = k.value(&key)?.clone();
            let mut doc = Doc::loading(drill::target(&k.target));
            doc.title = Some(format!("{}: {key}", drill::said(&k.target)));
            doc.set_body(Body::Value {
                key: Some(key.to_string()),
                values: vec![(String::new(), value)],
                secret: k.data == Data::Secret,
            });
            state.stack.push(View::new(ViewKind::Doc(Box::new(doc))));
            Some(vec![])
        }
        Action::ToggleReveal => {
            let view = state.top_mut();
            let ViewKind::Keys(k) = &mut view.kind else { return None };
            k.reveal = !k.reveal;
            let rows = k.rows();
            view.table.set_rows(rows, &view.filter, &view.fixed, view.sort);
            Some(vec![])
        }
        _ => lists::act(state, action),
    }
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let view = state.top();
    let mut spans = vec![
        Span::styled("keys", theme.title),
        Span::raw(format!(" [{}/{}]", view.table.visible.len(), view.table.rows.len())),
        Span::styled(format!("  {}", view.subtitle), theme.dim),
    ];
    if !view.filter_text.is_empty() {
        spans.push(Span::styled(format!("  /{}", view.filter_text), theme.prompt));
    }
    if keys(state).is_some_and(Keys::masked) {
        spans.push(Span::styled("  values masked (x reveals)", theme.dim));
    }
    spans
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let Some(k) = keys(state) else { return };
    let what = List {
        plural: "keys",
        title: format!(" keys({}) ", drill::said(&k.target)),
        with_ns: false,
        scope: None,
        gone: k.error.as_ref().map(|e| format!("✗ {e}")),
    };
    views::list(frame, area, state, state.top(), &what, theme, now)
}

#[cfg(test)]
fn samples() -> Vec<State> {
    tests::samples()
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
