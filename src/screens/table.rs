//! Resource lists (pods, deployments, nodes …): drill-downs, describe and YAML, logs, the object
//! actions of the kind, and the node health strip of the nodes list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;

use super::lists;
use super::screen::{Screen, no_key, no_open};
use crate::app::action::{Action, KeyScope};
use crate::app::debugging::Purpose;
use crate::app::effect::Effect;
use crate::app::nav::{push, watch_top};
use crate::app::state::{State, View, ViewKind};
use crate::cluster::ops::ObjRef;
use crate::cluster::{Kind, Scope};
use crate::config::theme::Theme;
use crate::ui::views::{self, List, health, nodehealth};

/// The resource lists.
pub static SCREEN: Screen = Screen {
    name: "table",
    shows: |k| matches!(k, ViewKind::Resource(_)),
    scope: KeyScope::Table,
    // `:pods`, `:deploy ns` … are the command line's own (they start a new stack).
    commands: &[],
    open: no_open,
    on_key: no_key,
    act,
    on_input: lists::rows,
    applies,
    explains,
    label: lists::label,
    selected,
    header,
    render,
    #[cfg(test)]
    samples,
};

fn kind(state: &State) -> Kind {
    match state.top().kind {
        ViewKind::Resource(k) => k,
        _ => Kind::Pod,
    }
}

fn applies(state: &State, action: Action) -> bool {
    use Action::*;
    let kind = kind(state);
    match action {
        a if lists::moving(a) || lists::sorting(state, a) => true,
        Enter | Filter | CopyName => true,
        Describe | Yaml => crate::app::verbs::refusal(state, kind, action).is_none(),
        AllNamespaces => kind.namespaced(),
        Wide => crate::app::columns::all(&ViewKind::Resource(kind)).iter().any(|c| c.wide),
        ProblemsOnly => crate::app::triage::has_rules(kind),
        Logs => crate::app::logs::glue::has_logs(kind),
        Refresh | NodeHealth => kind == Kind::Node,
        Owner | MarkRow | Xray => state.top().table.current().is_some(),
        ToggleReveal | UsedBy => crate::kinds::drill::applies(kind, action),
        _ => crate::app::workload::works_on(kind, action) && crate::app::verbs::refusal(state, kind, action).is_none(),
    }
}

/// On a list of another kind, an object action or logs say which kinds they work on (as
/// `--readonly` says what it refuses).
fn explains(_: &State, action: Action) -> bool {
    use Action::*;
    matches!(action, Logs | History | Describe | Yaml) || action.mutating()
}

fn selected(state: &State) -> Option<ObjRef> {
    let row = state.top().table.current()?;
    Some(ObjRef::new(kind(state), &row.namespace, &row.name))
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if let Some(effects) = lists::act(state, action) {
        return Some(effects);
    }
    Some(match action {
        Action::Enter => enter(state),
        Action::Describe | Action::Yaml => super::doc::open(state, action == Action::Describe),
        Action::ProblemsOnly => {
            crate::app::triage::toggle_problems(state, jiff::Timestamp::now().as_second());
            vec![]
        }
        Action::AllNamespaces => {
            state.namespace = match state.namespace {
                Some(_) => None,
                None => Some(state.home_namespace.clone()),
            };
            state.top_mut().pinned = None;
            watch_top(state)
        }
        Action::Refresh => crate::app::controlplane::due(state),
        Action::NodeHealth => crate::app::nodehealth::open_selected(state),
        Action::Logs => crate::app::logs::glue::open(state),
        Action::Shell if kind(state) == Kind::Node => crate::app::debugging::node_shell(state, selected(state)),
        Action::Shell => crate::app::debugging::start(state, Purpose::Shell, selected(state), None),
        Action::Attach => crate::app::debugging::start(state, Purpose::Attach, selected(state), None),
        Action::Debug => crate::app::debugging::start(state, Purpose::Debug, selected(state), None),
        Action::PortForward => crate::app::portforward::open(state, selected(state), None),
        Action::Owner => crate::app::owner::jump(state),
        Action::Xray => crate::app::xray::open_row(state),
        Action::MarkRow => {
            state.top_mut().table.toggle_mark();
            vec![]
        }
        Action::ToggleReveal | Action::UsedBy => crate::kinds::drill::act(state, kind(state), action),
        _ => return None,
    })
}

fn enter(state: &mut State) -> Vec<Effect> {
    let view = state.top();
    let Some(row) = view.table.current().cloned() else {
        return vec![];
    };
    let ns = Some(Scope::Namespace(row.namespace.to_string()));
    // Owned objects are found by ownerReference uid, as the controllers and garbage collector do.
    let owned = |kind: Kind, what: &str| {
        let mut v = View::new(ViewKind::Resource(kind));
        v.pinned = ns.clone();
        v.fixed.owner = Some(row.key.clone());
        v.subtitle = format!("of {what} {}", row.name);
        v
    };
    match kind(state) {
        Kind::Namespace => {
            state.namespace = Some(row.name.to_string());
            push(state, View::new(ViewKind::Resource(Kind::Pod)))
        }
        Kind::Node => {
            // Pods whose spec.nodeName is this node, in every namespace (`--field-selector spec.nodeName=`).
            let mut v = View::new(ViewKind::Resource(Kind::Pod));
            v.pinned = Some(Scope::All);
            v.fixed.node = Some(row.name.to_string());
            v.subtitle = format!("node {}", row.name);
            push(state, v)
        }
        Kind::Pod => {
            let mut v = View::new(ViewKind::Containers {
                namespace: row.namespace.to_string(),
                pod: row.name.to_string(),
            });
            v.pinned = ns;
            v.subtitle = format!("pod {}", row.name);
            push(state, v)
        }
        Kind::Deployment => push(state, owned(Kind::ReplicaSet, "deployment")),
        Kind::CronJob => push(state, owned(Kind::Job, "cronjob")),
        k @ (Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job) => {
            let what = k.name().to_lowercase();
            push(state, owned(Kind::Pod, &what))
        }
        Kind::Service if row.selector.is_some() => {
            let selector = row.selector.unwrap_or_default();
            let mut v = View::new(ViewKind::Resource(Kind::Pod));
            v.pinned = ns;
            v.subtitle = selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            v.fixed.labels = Some(selector);
            push(state, v)
        }
        // A kind's extras (`kinds/`) know where it leads; else describe.
        k => crate::kinds::drill::enter(state, k, &row).unwrap_or_else(|| super::doc::open(state, true)),
    }
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let view = state.top();
    let mut spans = vec![
        Span::styled(kind(state).plural(), theme.title),
        Span::raw(format!(" [{}/{}]", view.table.visible.len(), view.table.rows.len())),
    ];
    if !view.subtitle.is_empty() {
        spans.push(Span::styled(format!("  {}", view.subtitle), theme.dim));
    }
    if !view.filter_text.is_empty() {
        // Spaces at either end count: quoted, they can be seen.
        let t = &view.filter_text;
        let shown = if t.trim() == t { t.clone() } else { format!("{t:?}") };
        spans.push(Span::styled(format!("  /{shown}"), theme.prompt));
    }
    if let Some(note) = &view.filter_note {
        spans.push(Span::styled(format!("  ✗ {note}"), theme.error));
    }
    if state.metrics_na && crate::store::enrichers::has_usage(kind(state)) {
        // Said once here rather than on every row.
        spans.push(Span::styled("  CPU/MEM n/a (metrics API not available)", theme.dim));
    }
    spans.push(Span::raw("  "));
    match crate::app::namespaces::missing(state) {
        Some(ns) => spans.push(Span::styled(format!("✗ no namespace {ns}"), theme.error)),
        None => spans.push(crate::ui::header::status_span(view.status.as_ref(), theme)),
    }
    spans
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let view = state.top();
    let kind = kind(state);
    let ns = state.view_namespace();
    let title = match (kind.namespaced(), ns) {
        (true, Some(ns)) => format!(" {}({ns}) ", kind.plural()),
        (true, None) => format!(" {}(all) ", kind.plural()),
        (false, _) => format!(" {} ", kind.plural()),
    };
    let title = match view.table.marks.len() {
        0 => title,
        n => format!("{title}[{n} marked] "),
    };
    let title = match view.fixed.problems {
        Some(_) => format!("{title}[problems only] "),
        None => title,
    };
    let with_ns = kind.namespaced() && ns.is_none();
    let scope = if kind.namespaced() { ns } else { None };
    let what = List {
        plural: kind.plural(),
        title,
        with_ns,
        scope,
        gone: crate::app::namespaces::missing(state)
            .map(|ns| format!("✗ Namespace {ns} does not exist. :ns lists the namespaces.")),
    };
    // The nodes list keeps the health of the node under the cursor below the table.
    let strip = crate::app::nodehealth::under_cursor(state).is_some() && area.height > nodehealth::STRIP_HEIGHT * 2;
    if strip {
        let [table, below] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(nodehealth::STRIP_HEIGHT)]).areas(area);
        views::list(frame, table, state, view, &what, theme, now);
        nodehealth::render_strip(frame, below, state, &health::Styles::of(theme), now);
    } else {
        views::list(frame, area, state, view, &what, theme, now)
    }
}

#[cfg(test)]
fn samples() -> Vec<State> {
    use crate::cluster::watch::WatchStatus;
    let mut out = Vec::new();
    for kind in [Kind::Pod, Kind::Deployment, Kind::Node, Kind::Service, Kind::Namespace] {
        let mut s = crate::test_util::connected("demo", "shop", false);
        let ns = if kind.namespaced() { "shop" } else { "" };
        let mut rows = lists::sample_rows(kind.plural(), ns, 5);
        rows[2].selector = Some(vec![("app".into(), "web".into())]);
        let scope = Scope::Namespace("shop".into()).for_kind(kind);
        crate::test_util::show(&mut s, kind, scope, rows, WatchStatus::Ready);
        lists::act(&mut s, Action::Down);
        lists::act(&mut s, Action::Down);
        out.push(s);
    }
    out
}
