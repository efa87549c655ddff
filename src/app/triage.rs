//! The triage screen's state changes (`:triage`): its rows from the store's findings, going to a
//! finding's object or its logs; and the problems-only toggle of every list. Its keys and drawing
//! are `screens::triage`; the findings come from `store::triage`.

use std::sync::Arc;

use model::triage::Finding;

use super::effect::Effect;
use super::nav::push;
use super::state::{State, View, ViewKind};
use super::table::{Sort, SortCol};
pub use super::triage_rows::{COLUMNS, TriageView, key, row_of, severity_cell};
use crate::cluster::logs::Target;
use crate::cluster::{Kind, Scope};

/// `:` command words that open the triage screen.
pub const COMMANDS: [&str; 2] = ["triage", "problems"];

/// Replace the stack with the triage screen; the control plane's report is asked for too, since
/// its problems are listed.
pub fn open(state: &mut State) -> Vec<Effect> {
    let mut view = View::new(ViewKind::Triage(Box::default()));
    view.sort = Sort {
        col: SortCol::Cell(0),
        descending: true,
    };
    state.stack = vec![view];
    super::controlplane::refresh(state)
}

/// Fresh findings for the triage views of the stack (on show or below).
pub fn received(state: &mut State, findings: Vec<Finding>, status: crate::cluster::watch::WatchStatus) {
    let page = state.page_rows;
    // While the screen is open the header counts what it lists.
    if matches!(state.top().kind, ViewKind::Triage(_)) {
        state.counts.problems = Some(model::triage::counts(&findings));
    }
    for view in &mut state.stack {
        let ViewKind::Triage(t) = &mut view.kind else { continue };
        let rows = findings.iter().map(|f| Arc::new(row_of(f))).collect();
        t.findings = findings.clone();
        t.synced = true;
        view.status = Some(status.clone());
        view.table.replace_rows(rows);
        view.refresh();
        view.table.scroll_into_view(page);
    }
}

/// The finding under the cursor.
pub fn current(state: &State) -> Option<&Finding> {
    let ViewKind::Triage(t) = &state.top().kind else {
        return None;
    };
    let row = state.top().table.current()?;
    t.findings.iter().find(|f| key(f) == row.key)
}

/// The kind a finding's object is listed as: its own, or the control-plane screen.
fn kind_of(f: &Finding) -> Option<Kind> {
    f.kind
}

/// `enter`: the object's list, pinned to its namespace, with the cursor on it (the control
/// plane's problems open `:cp`).
pub fn enter(state: &mut State) -> Vec<Effect> {
    let Some(f) = current(state).cloned() else {
        return vec![];
    };
    let Some(kind) = kind_of(&f) else {
        return super::controlplane::open(state);
    };
    let mut view = View::new(ViewKind::Resource(kind));
    view.pinned = Some(if kind.namespaced() {
        Scope::Namespace(f.namespace.clone())
    } else {
        Scope::All
    });
    view.subtitle = format!("{}: {}", f.name, f.problem);
    if !f.key.is_empty() {
        view.table.selected = Some(f.key.clone());
        view.seeking = Some((f.key.clone(), format!("{} {}", kind.name(), f.name)));
    }
    push(state, view)
}

/// Whether the finding under the cursor has logs (its object is a pod or a workload).
pub fn has_logs(state: &State) -> bool {
    current(state)
        .and_then(kind_of)
        .is_some_and(super::logs::glue::has_logs)
}

/// `l`: the logs of the finding's object.
pub fn logs(state: &mut State) -> Vec<Effect> {
    let Some(f) = current(state).cloned() else {
        return vec![];
    };
    let target = match kind_of(&f) {
        Some(Kind::Pod) => Target::Pod {
            namespace: f.namespace,
            name: f.name,
            container: None,
        },
        Some(kind) if super::logs::glue::has_logs(kind) => Target::Workload {
            kind,
            namespace: f.namespace,
            name: f.name,
        },
        _ => return vec![],
    };
    super::logs::glue::open_target(state, target)
}

/// The problems-only toggle of a list: keep the rows a rule flags, as of `now` (Unix seconds).
pub fn toggle_problems(state: &mut State, now: i64) {
    let ViewKind::Resource(kind) = state.top().kind else {
        return;
    };
    let page = state.page_rows;
    let view = state.top_mut();
    view.fixed.problems = match view.fixed.problems {
        Some(_) => None,
        None => Some((kind, now)),
    };
    view.refresh();
    view.table.scroll_into_view(page);
}

/// Whether triage rules look at `kind` (the toggle applies to its list).
pub fn has_rules(kind: Kind) -> bool {
    model::triage::watched(kind)
}
