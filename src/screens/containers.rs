//! The containers of one pod: their logs and the pod's object actions; nothing once the pod is gone.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use super::lists;
use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::state::{State, ViewKind};
use crate::cluster::Kind;
use crate::cluster::ops::ObjRef;
use crate::config::theme::Theme;
use crate::ui::views::{self, List};

/// A pod's containers.
pub static SCREEN: Screen = Screen {
    name: "containers",
    shows: |k| matches!(k, ViewKind::Containers { .. }),
    scope: KeyScope::Table,
    commands: &[],
    act,
    // Its rows come from the pod watch of its namespace, which the resource lists' input takes.
    applies,
    label: lists::label,
    selected,
    header,
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn pod(state: &State) -> (&str, &str) {
    match &state.top().kind {
        ViewKind::Containers { namespace, pod } => (namespace, pod),
        _ => ("", ""),
    }
}

fn applies(state: &State, action: Action) -> bool {
    use Action::*;
    if lists::moving(action) {
        return true;
    }
    // A deleted pod has no containers, no logs and nothing to act on.
    !state.top().pod_gone()
        && (lists::sorting(state, action)
            || matches!(action, Filter | CopyName | Logs | Xray | Wide)
            || crate::app::workload::works_on(Kind::Pod, action))
}

fn selected(state: &State) -> Option<ObjRef> {
    let (namespace, pod) = pod(state);
    Some(ObjRef::new(Kind::Pod, namespace, pod))
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::Logs => Some(crate::app::logs::glue::open(state)),
        Action::Xray => {
            let pod = selected(state)?;
            Some(crate::app::xray::open_object(state, pod))
        }
        Action::Shell | Action::Attach | Action::Debug => {
            use crate::app::debugging::{Purpose, start};
            let purpose = match action {
                Action::Shell => Purpose::Shell,
                Action::Attach => Purpose::Attach,
                _ => Purpose::Debug,
            };
            let container = state.top().table.current().map(|r| r.name.to_string());
            Some(start(state, purpose, selected(state), container))
        }
        Action::PortForward => {
            let container = state.top().table.current().map(|r| r.name.to_string());
            Some(crate::app::portforward::open(state, selected(state), container))
        }
        _ => lists::act(state, action),
    }
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let view = state.top();
    let mut spans = vec![
        Span::styled("containers", theme.title),
        Span::raw(format!(" [{}]", view.table.rows.len())),
        Span::styled(format!("  pod {}", pod(state).1), theme.dim),
    ];
    if view.pod_gone() {
        spans.push(Span::styled("  ✗ pod deleted", theme.error));
    }
    spans
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let view = state.top();
    let (namespace, pod) = pod(state);
    let what = List {
        plural: "containers",
        title: format!(" containers({namespace}/{pod}) "),
        with_ns: false,
        scope: None,
        gone: view
            .pod_gone()
            .then(|| format!("✗ Pod {namespace}/{pod} no longer exists: it was deleted. Esc goes back.")),
    };
    views::list(frame, area, state, view, &what, theme, now)
}

#[cfg(test)]
fn samples() -> Vec<State> {
    use crate::app::{Input, update};
    use crate::cluster::Scope;
    use crate::cluster::watch::WatchStatus;
    let mut s = crate::test_util::connected("demo", "shop", false);
    let pods = lists::sample_rows("pods", "shop", 1);
    crate::test_util::show(&mut s, Kind::Pod, Scope::Namespace("shop".into()), pods, WatchStatus::Ready);
    lists::act(&mut s, Action::Top);
    update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Enter));
    let rows = lists::sample_rows("c", "shop", 4).into_iter().map(std::sync::Arc::new).collect();
    let watch = (Kind::Pod, Scope::Namespace("shop".into()));
    update(&mut s, Input::Rows { watch, rows: Some(rows), status: WatchStatus::Ready });
    lists::act(&mut s, Action::Down);
    vec![s]
}
