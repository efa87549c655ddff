//! The xray tree (`T` on a row, `:xray KIND [NAMESPACE]`): an object's owners up to the top one
//! and everything below, each node's state in words and colour; `enter`/`o` opens a node (its
//! table with the cursor on it, or its pod's containers), `space` folds, `left`/`right` fold and
//! unfold or walk to the parent and first child.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::screen::{PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::nav::push;
use crate::app::state::{State, View, ViewKind};
use crate::app::text::{Doc, Target};
use crate::app::xray::Xray;
use crate::app::xray::tree::{Node, Tone, guide};
use crate::cluster::ops::ObjRef;
use crate::cluster::{Kind, Scope};
use crate::config::theme::Theme;

/// The xray tree.
pub static SCREEN: Screen = Screen {
    name: "xray",
    shows: |k| matches!(k, ViewKind::Xray(_)),
    scope: KeyScope::Xray,
    // `:xray KIND [NAMESPACE]` takes words: the command line's own (see `update::run_command`).
    commands: &[],
    act,
    on_input,
    applies,
    explains: |_, _| false,
    selected,
    header,
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn xray(state: &State) -> Option<&Xray> {
    match &state.top().kind {
        ViewKind::Xray(x) => Some(x),
        _ => None,
    }
}

fn xray_mut(state: &mut State) -> Option<&mut Xray> {
    match &mut state.top_mut().kind {
        ViewKind::Xray(x) => Some(x),
        _ => None,
    }
}

fn applies(state: &State, action: Action) -> bool {
    use Action::{Collapse, Describe, Enter, Expand, Fold, Yaml};
    let Some(x) = xray(state) else { return false };
    let Some(node) = x.current() else { return false };
    let last = x.lines.len().saturating_sub(1);
    match action {
        Action::Up | Action::Top | Action::PageUp => x.cursor > 0,
        Action::Down | Action::Bottom | Action::PageDown => x.cursor < last,
        Fold => !node.children.is_empty(),
        Expand => !node.children.is_empty(),
        Collapse => !node.children.is_empty() || node.parent.is_some(),
        Enter => node.kind.is_some() || node.container.is_some(),
        Describe | Yaml => node.kind.is_some() || node.container.is_some(),
        _ => false,
    }
}

fn selected(state: &State) -> Option<ObjRef> {
    let node = xray(state)?.current()?;
    Some(ObjRef::new(node.kind?, &node.namespace, &node.name))
}

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows;
    let x = xray_mut(state)?;
    let page_by = page.max(1) as isize;
    match action {
        Action::Up => x.move_by(-1),
        Action::Down => x.move_by(1),
        Action::PageUp => x.move_by(-page_by),
        Action::PageDown => x.move_by(page_by),
        Action::Top => x.cursor = 0,
        Action::Bottom => x.cursor = x.lines.len().saturating_sub(1),
        Action::Fold => {
            x.fold(None);
        }
        Action::Expand => x.expand(),
        Action::Collapse => x.collapse(),
        Action::Enter => return Some(enter(state)),
        Action::Describe | Action::Yaml => return Some(doc(state, action == Action::Describe)),
        _ => return None,
    }
    x.scroll_into_view(page);
    Some(vec![])
}

/// A node's object: its table with the cursor on it (as the owner jump opens one), or for a
/// container its pod's containers; an object the cache does not hold is described instead.
fn enter(state: &mut State) -> Vec<Effect> {
    let Some(node) = xray(state).and_then(Xray::current).cloned() else {
        return vec![];
    };
    if let Some(key) = &node.container {
        let mut v = View::new(ViewKind::Containers {
            namespace: node.namespace.clone(),
            pod: pod_of(state).unwrap_or_default(),
        });
        v.pinned = Some(Scope::Namespace(node.namespace.clone()));
        v.table.selected = Some(key.clone());
        v.subtitle = format!("pod {}", pod_of(state).unwrap_or_default());
        return push(state, v);
    }
    let Some(kind) = node.kind else { return vec![] };
    let Some(uid) = node.uid.clone() else {
        return doc(state, true);
    };
    let mut v = View::new(ViewKind::Resource(kind));
    v.pinned = Some(match kind.namespaced() {
        true => Scope::Namespace(node.namespace.clone()),
        false => Scope::All,
    });
    v.table.selected = Some(uid.clone());
    v.subtitle = "from xray".into();
    v.seeking = Some((uid, format!("{} {}", node.what, node.name)));
    push(state, v)
}

/// The pod a container node belongs to: its parent's name.
fn pod_of(state: &State) -> Option<String> {
    let x = xray(state)?;
    let parent = x.current()?.parent?;
    Some(x.tree.nodes[parent as usize].name.clone())
}

/// Describe or YAML of the node's object (a container's: its pod's).
fn doc(state: &mut State, describe: bool) -> Vec<Effect> {
    let Some(node) = xray(state).and_then(Xray::current).cloned() else {
        return vec![];
    };
    let (kind, name) = match (&node.container, node.kind) {
        (Some(_), _) => (Kind::Pod, pod_of(state).unwrap_or_default()),
        (None, Some(k)) => (k, node.name.clone()),
        (None, None) => return vec![],
    };
    let action = if describe { Action::Describe } else { Action::Yaml };
    if let Some(why) = crate::app::verbs::refusal(state, kind, action) {
        state.toast(why, true);
        return vec![];
    }
    let target = Target {
        kind,
        namespace: node.namespace.clone(),
        name,
        describe,
    };
    let effect = Effect::Fetch {
        kind,
        namespace: target.namespace.clone(),
        name: target.name.clone(),
        describe,
    };
    state.stack.push(View::new(ViewKind::Doc(Box::new(Doc::loading(target)))));
    vec![effect]
}

/// The store's reading of the cache, for the xray on show (one for a view left since is dropped).
fn on_input(state: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    match input {
        Input::Xray(fed) => {
            crate::app::xray::fed(state, *fed);
            Ok(vec![])
        }
        Input::Gathered {
            from,
            why: crate::kinds::extra::Why::Xray,
            result,
        } => {
            crate::app::xray::linked(state, &from, result);
            Ok(vec![])
        }
        other => Err(other),
    }
}

fn header(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let view = state.top();
    let mut spans = vec![Span::styled("xray", theme.title)];
    if !view.subtitle.is_empty() {
        spans.push(Span::styled(format!("  {}", view.subtitle), theme.dim));
    }
    if let Some(x) = xray(state) {
        // As the lists say it: [on show/all], folded nodes' children not on show.
        spans.push(Span::raw(format!(" [{}/{}]  ", x.lines.len(), x.tree.nodes.len())));
        spans.push(crate::ui::header::status_span(x.status.as_ref(), theme));
    }
    spans
}

/// The style of a state's words.
fn tone(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Plain => theme.dim,
        Tone::Good => theme.ok,
        Tone::Busy => theme.warn,
        Tone::Bad => theme.error.add_modifier(Modifier::BOLD),
    }
}

/// One node's line: guide, fold mark, kind, name, state.
fn line(x: &Xray, n: u32, theme: &Theme, cursor: bool) -> Line<'static> {
    let node: &Node = &x.tree.nodes[n as usize];
    let mark = match (node.children.is_empty(), x.folded.contains(&node.id)) {
        (true, _) => "  ",
        (false, true) => "▸ ",
        (false, false) => "▾ ",
    };
    let focus = x.tree.focus == n && node.uid.is_some();
    let mut name = theme.text.add_modifier(Modifier::BOLD);
    if focus {
        name = name.add_modifier(Modifier::UNDERLINED);
    }
    let mut spans = vec![
        Span::styled(guide(&x.tree, n), theme.border),
        Span::styled(mark, theme.accent),
        Span::styled(format!("{} ", node.what), theme.dim),
        Span::styled(node.name.clone(), name),
    ];
    if !node.namespace.is_empty() && node.depth == 0 {
        spans.push(Span::styled(format!(" ({})", node.namespace), theme.dim));
    }
    if !node.state.0.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(node.state.0.clone(), tone(theme, node.state.1)));
    }
    let line = Line::from(spans);
    if cursor { line.style(theme.selected) } else { line }
}

/// Only the lines on screen are drawn: the tree of 10,000 pods costs a page a frame.
fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, _now: i64) {
    let Some(x) = xray(state) else { return };
    let title = format!(" xray {} ", state.top().subtitle);
    let block = crate::ui::views::frame_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    let lines: Vec<Line> = match x.tree.nodes.is_empty() {
        true => vec![Line::styled("loading…", theme.dim)],
        false => x
            .lines
            .iter()
            .enumerate()
            .skip(x.offset)
            .take(height)
            .map(|(i, &n)| line(x, n, theme, i == x.cursor))
            .collect(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let top = crate::app::xray::tests::sample_state();
    let mut inside = top.clone();
    for _ in 0..3 {
        crate::app::update::act(&mut inside, Action::Down);
    }
    vec![top, inside]
}
