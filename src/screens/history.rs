//! The rollout history of a workload: its revisions, the diff of the selected one against the live
//! template, rollback to it, and the workload's own object actions.

use crossterm::event::KeyEvent;
use ratatui::text::Span;

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::dialog::{HistoryBody, HistoryView};
use crate::app::effect::Effect;
use crate::app::state::{State, ViewKind};

/// Rollout history and rollback.
pub static SCREEN: Screen = Screen {
    name: "history",
    shows: |k| matches!(k, ViewKind::History(_)),
    scope: KeyScope::Table,
    commands: &[],
    on_key,
    act,
    // Its data comes with the workload actions' results (`app::workload::on_input`).
    applies,
    selected: |state| view(state).map(|h| h.target.clone()),
    header: |state, theme| {
        let name = view(state).map(|h| h.target.kubectl_name()).unwrap_or_default();
        vec![Span::styled(format!("rollout history {name}"), theme.title)]
    },
    render: |frame, area, state, theme, now| {
        if let Some(h) = view(state) {
            crate::ui::views::history::render(frame, area, h, now, state.safety.readonly, theme)
        }
    },
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn view(state: &State) -> Option<&HistoryView> {
    match &state.top().kind {
        ViewKind::History(h) => Some(h),
        _ => None,
    }
}

fn view_mut(state: &mut State) -> Option<&mut HistoryView> {
    match &mut state.top_mut().kind {
        ViewKind::History(h) => Some(h),
        _ => None,
    }
}

fn applies(state: &State, action: Action) -> bool {
    let Some(h) = view(state) else { return false };
    super::lists::moving(action)
        || action == Action::Rollback
        || (action != Action::History && crate::app::workload::works_on(h.target.kind, action))
}

/// Its fixed keys (j k move through the revisions, J K or page keys scroll the diff).
fn on_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    view_mut(state)?.on_key(key).then(Vec::new)
}

/// The moving keys of the keymap do what its fixed keys do, and top and bottom go to the newest
/// and oldest revision.
fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let h = view_mut(state)?;
    let last = match &h.body {
        HistoryBody::Ready(hist) => hist.revisions.len().saturating_sub(1),
        _ => 0,
    };
    match action {
        Action::Up => h.cursor = h.cursor.saturating_sub(1),
        Action::Down => h.cursor = (h.cursor + 1).min(last),
        Action::Top => h.cursor = 0,
        Action::Bottom => h.cursor = last,
        Action::PageDown => h.diff_scroll += 10,
        Action::PageUp => h.diff_scroll = h.diff_scroll.saturating_sub(10),
        _ => return None,
    }
    if matches!(action, Action::Up | Action::Down | Action::Top | Action::Bottom) {
        h.diff_scroll = 0;
    }
    Some(vec![])
}

#[cfg(test)]
fn samples() -> Vec<State> {
    use crate::cluster::ops::ObjRef;
    use crate::cluster::ops::history::{self, REVISION};
    use serde_json::json;
    let web = ObjRef::new(crate::cluster::Kind::Deployment, "shop", "web");
    let t = |image: &str| json!({"spec": {"containers": [{"name": "web", "image": image}]}});
    let rs = |name: &str, rev: &str, image: &str| {
        json!({"metadata": {"name": name, "annotations": {REVISION: rev},
            "ownerReferences": [{"uid": "u", "controller": true}]},
            "spec": {"replicas": 3, "template": t(image)}})
    };
    let owner = json!({"metadata": {"uid": "u", "annotations": {REVISION: "3"}}, "spec": {"template": t("c")}});
    let children = [rs("web-a", "1", "a"), rs("web-b", "2", "b"), rs("web-c", "3", "c")];
    let mut h = HistoryView::loading(web.clone());
    h.body = HistoryBody::Ready(history::from_objects(&web, &owner, &children));
    (h.cursor, h.diff_scroll) = (1, 10);
    let mut s = crate::test_util::connected("demo", "shop", false);
    s.stack
        .push(crate::app::state::View::new(ViewKind::History(Box::new(h))));
    vec![s]
}
