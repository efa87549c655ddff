//! Where the log view meets the rest of the screen: opening it from a row, feeding it events, keys.

use crossterm::event::KeyEvent;

use super::keys::{self, Outcome};
use super::{LogView, next_session};
use crate::app::action::{Action, LogAction};
use crate::app::effect::Effect;
use crate::app::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::logs::{Params, Tagged, Target};

/// Whether objects of `kind` have logs (their pods'): pods, workloads and services.
pub fn has_logs(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::Deployment
            | Kind::StatefulSet
            | Kind::DaemonSet
            | Kind::Job
            | Kind::ReplicaSet
            | Kind::Service
    )
}

/// Open the logs of the row under the cursor: a pod (all containers), a container, a workload or a service.
pub fn open(state: &mut State) -> Vec<Effect> {
    let view = state.top();
    let Some(row) = view.table.current() else {
        return vec![];
    };
    let target = match &view.kind {
        ViewKind::Resource(Kind::Pod) => Target::Pod {
            namespace: row.namespace.to_string(),
            name: row.name.to_string(),
            container: None,
        },
        ViewKind::Containers { namespace, pod } => Target::Pod {
            namespace: namespace.clone(),
            name: pod.clone(),
            container: Some(row.name.to_string()),
        },
        ViewKind::Resource(kind) if *kind != Kind::Pod && has_logs(*kind) => Target::Workload {
            kind: *kind,
            namespace: row.namespace.to_string(),
            name: row.name.to_string(),
        },
        ViewKind::Resource(kind) => {
            let what = kind.plural();
            state.toast(
                format!("{what} have no logs: open them from pods, containers, workloads or services"),
                true,
            );
            return vec![];
        }
        _ => return vec![],
    };
    open_target(state, target)
}

/// Open the logs of `target` over the view on show.
pub fn open_target(state: &mut State, target: Target) -> Vec<Effect> {
    let params = Params::default();
    let session = next_session();
    let effect = Effect::Logs {
        session,
        target: target.clone(),
        params: params.clone(),
    };
    let mut view = LogView::new(target, params, session);
    view.ring = super::ring::Ring::new(state.log_lines);
    state.stack.push(View::new(ViewKind::Logs(Box::new(view))));
    vec![effect]
}

/// Feed log events to the view of their session; events of closed sessions are dropped.
pub fn feed(state: &mut State, batch: Vec<Tagged>) {
    for (session, event) in batch {
        let view = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
            ViewKind::Logs(l) if l.session == session => Some(l),
            _ => None,
        });
        if let Some(v) = view {
            v.apply(event);
        }
    }
}

/// Lines of log text on screen (the table's page minus the log status line).
pub fn page(state: &State) -> usize {
    state.page_rows.saturating_sub(1).max(1)
}

/// A key for the log view on top, if it is one and the key is a log key.
pub fn key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    let page = page(state);
    let ViewKind::Logs(view) = &mut state.top_mut().kind else {
        return None;
    };
    let Outcome { effects, toast } = keys::on_key(view, key, page)?;
    if let Some((text, error)) = toast {
        state.toast(text, error);
    }
    Some(effects)
}

/// A keymap action in the log view on top, if it is one and the action is a log action.
pub fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = page(state);
    let ViewKind::Logs(view) = &mut state.top_mut().kind else {
        return None;
    };
    let Outcome { effects, toast } = keys::act(view, LogAction::from_action(action)?, page);
    if let Some((text, error)) = toast {
        state.toast(text, error);
    }
    Some(effects)
}

/// Pasted text into an open log prompt; false if none is open.
pub fn paste(state: &mut State, text: &str) -> bool {
    match &mut state.top_mut().kind {
        ViewKind::Logs(v) => match &mut v.prompt {
            Some((_, ta)) => {
                ta.insert_str(text.replace(['\n', '\r'], " "));
                true
            }
            None => false,
        },
        _ => false,
    }
}
