//! The pure state machine: `update(state, input) -> effects`. No I/O here.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::{ALIASES, Action};
use super::effect::Effect;
use super::event::Input;
use super::keys::Match;
use super::state::{Connection, Mode, State, View, ViewKind};
use super::table::Row;
use super::text::{Body, Doc, Target};
use crate::cluster::describe::fetch::Fetched;
use crate::cluster::{Kind, Scope};

/// How long a toast stays up.
pub const TOAST_TTL: Duration = Duration::from_secs(4);

/// Lines the header, table frame and footer take from the terminal height.
pub const CHROME_ROWS: u16 = 6;

/// Apply one input to the state and return the I/O it asks for.
pub fn update(state: &mut State, input: Input) -> Vec<Effect> {
    match input {
        Input::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Input::Key(_) => vec![],
        Input::Paste(text) => {
            if super::logs::glue::paste(state, &text) {
                return vec![];
            }
            match &mut state.mode {
                Mode::Filter(ta) | Mode::Command(ta) => {
                    ta.insert_str(text.replace(['\n', '\r'], " "));
                }
                Mode::Normal => {}
            }
            apply_filter_line(state);
            vec![]
        }
        Input::Resize(height) => {
            state.page_rows = height.saturating_sub(CHROME_ROWS).max(1) as usize;
            let rows = state.page_rows;
            state.top_mut().table.scroll_into_view(rows);
            vec![]
        }
        Input::Connected {
            context,
            namespace,
            url,
        } => {
            state.context = context;
            state.url = url;
            state.connection = Connection::Connected;
            if state.namespace_from_context {
                state.namespace = Some(namespace.clone());
                state.home_namespace = namespace;
            } else if state.namespace.is_none() {
                // -A: "home" (the header's fallback when cluster-wide lists are refused, and where
                // 0 goes back to) is the context's namespace, as kubectl's default is.
                state.home_namespace = namespace;
            }
            watch_top(state)
        }
        Input::ServerVersion(v) => {
            state.server_version = Some(v);
            // The server answered: whatever failed before (it was down, unreachable) is over.
            state.connection = Connection::Connected;
            vec![]
        }
        Input::ConnectFailed(msg) => {
            super::messages::connect_failed(state, msg);
            vec![]
        }
        Input::Misconfigured { context, message } => {
            super::messages::misconfigured(state, context, message);
            vec![]
        }
        Input::ContactLost { since, error } => {
            state.connection = Connection::Lost { since, error };
            vec![]
        }
        Input::Rows { watch, rows, status } => {
            if state.wanted().as_ref() == Some(&watch) {
                let page = state.page_rows;
                let view = state.top_mut();
                view.status = Some(status);
                if let Some(rows) = rows {
                    view.table.replace_rows(rows);
                    view.refresh();
                    view.table.scroll_into_view(page);
                }
            }
            vec![]
        }
        Input::Contexts(names, current) => {
            if let Some(view) = state.stack.iter_mut().rev().find(|v| v.kind == ViewKind::Contexts) {
                let rows = names
                    .into_iter()
                    .map(|name| {
                        Arc::new(Row {
                            key: name.clone(),
                            cells: vec![if Some(&name) == current.as_ref() {
                                "*".into()
                            } else {
                                String::new()
                            }],
                            name,
                            ..Default::default()
                        })
                    })
                    .collect();
                view.table.replace_rows(rows);
                view.status = Some(crate::cluster::watch::WatchStatus::Ready);
                view.refresh();
            }
            vec![]
        }
        Input::Fetched { target, result } => {
            fetched(state, target, result);
            vec![]
        }
        Input::Counts(counts) => {
            state.counts = counts;
            vec![]
        }
        Input::Error(msg) => {
            state.toast(msg, true);
            vec![]
        }
        Input::ControlPlane(report) => {
            super::controlplane::received(state, *report);
            vec![]
        }
        Input::NodeHealth(health) => {
            super::nodehealth::received(state, *health);
            vec![]
        }
        Input::Notice(msg) => {
            state.toast(msg, false);
            vec![]
        }
        input @ (Input::Done { .. }
        | Input::ScaleInfo { .. }
        | Input::History { .. }
        | Input::DryRun { .. }
        | Input::Progress { .. }
        | Input::Rollout { .. }) => super::workload::on_input(state, input),
        Input::Logs(batch) => {
            super::logs::glue::feed(state, batch);
            vec![]
        }
        Input::NamespaceChecked { namespace, exists } => {
            super::namespaces::received(state, namespace, exists);
            vec![]
        }
        Input::SaveExists { path, text, lines } => {
            super::question::overwrite(state, path, text, lines);
            vec![]
        }
        Input::Toast { text, error } => {
            state.toast(text, error);
            vec![]
        }
        Input::Tick(now) => {
            for t in &mut state.toasts {
                t.shown_at.get_or_insert(now);
            }
            state.toasts.retain(|t| {
                t.shown_at
                    .is_none_or(|at| now.saturating_duration_since(at) < TOAST_TTL)
            });
            vec![]
        }
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if super::demo::dismiss(state) {
        return vec![];
    }
    if state.help {
        return super::help::on_key(state, key);
    }
    if state.dialog.is_some() {
        return super::workload::on_dialog_key(state, key);
    }
    if state.question.is_some() {
        return super::question::on_key(state, &key);
    }
    if state.panel.is_some() && key.code == KeyCode::Esc && matches!(state.mode, Mode::Normal) {
        return super::workload::close_panel(state);
    }
    match std::mem::take(&mut state.mode) {
        Mode::Normal => {}
        Mode::Filter(mut ta) => {
            match key.code {
                KeyCode::Esc => state.top_mut().clear_filter(),
                KeyCode::Enter => {}
                _ => {
                    ta.input(key);
                    state.mode = Mode::Filter(ta);
                    apply_filter_line(state);
                }
            }
            return vec![];
        }
        Mode::Command(mut ta) => {
            return match key.code {
                KeyCode::Esc => vec![],
                KeyCode::Enter => run_command(state, ta.lines().join(" ").trim()),
                _ => {
                    ta.input(key);
                    state.mode = Mode::Command(ta);
                    vec![]
                }
            };
        }
    }
    if let Some(effects) = super::logs::glue::key(state, &key) {
        return effects;
    }
    let page = state.page_rows + 1;
    if let ViewKind::Doc(doc) = &mut state.top_mut().kind
        && doc.on_typing_key(&key, page)
    {
        doc_notice(state);
        return vec![];
    }
    if let ViewKind::History(h) = &mut state.top_mut().kind
        && h.on_key(&key)
    {
        return vec![];
    }
    let (typed, found) = state.lookup_typed(&key);
    match found {
        // A mutating action in a read-only session reaches `act`, which refuses it with a reason.
        Match::Action(action) => act(state, action),
        Match::Prefix => {
            state.pending_keys = typed;
            vec![]
        }
        _ => vec![],
    }
}

/// Re-filter the top view from the text in the filter line.
fn apply_filter_line(state: &mut State) {
    let Mode::Filter(ta) = &state.mode else { return };
    let text = ta.lines().join(" ");
    let page = state.page_rows;
    state.top_mut().apply_filter(text, page);
}

fn text_line(initial: &str) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![initial.to_string()]);
    ta.move_cursor(ratatui_textarea::CursorMove::End);
    ta
}

/// Perform a normal-mode action.
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    if !super::applies::applies(state, action) && !super::applies::explained(state, action) {
        return vec![];
    }
    // The panel over the screen takes the moving keys: it is what is read while it is open.
    if let Some(panel) = &mut state.panel
        && panel.act(action)
    {
        return vec![];
    }
    if let Some(effects) = super::logs::glue::act(state, action) {
        return effects;
    }
    if let Some(effects) = super::controlplane::act(state, action) {
        return effects;
    }
    let page = state.page_rows as isize;
    let doc_page = state.page_rows + 1;
    if let ViewKind::Doc(doc) = &mut state.top_mut().kind
        && doc.act(action, doc_page)
    {
        doc_notice(state);
        return vec![];
    }
    match action {
        Action::Up => move_cursor(state, |t| t.move_by(-1)),
        Action::Down => move_cursor(state, |t| t.move_by(1)),
        Action::Top => move_cursor(state, |t| t.select(0)),
        Action::Bottom => move_cursor(state, |t| t.select(usize::MAX)),
        Action::PageUp => move_cursor(state, |t| t.move_by(-page)),
        Action::PageDown => move_cursor(state, |t| t.move_by(page)),
        Action::Enter => return enter(state),
        Action::Back => return back(state),
        Action::Quit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        Action::Filter => {
            if matches!(
                state.top().kind,
                ViewKind::Resource(_) | ViewKind::Contexts | ViewKind::Containers { .. }
            ) {
                state.mode = Mode::Filter(text_line(&state.top().filter_text));
            }
        }
        Action::Command => state.mode = Mode::Command(text_line("")),
        Action::Help => (state.help, state.help_scroll) = (true, 0),
        Action::Describe | Action::Yaml => return fetch(state, action == Action::Describe),
        Action::AllNamespaces => {
            state.namespace = match state.namespace {
                Some(_) => None,
                None => Some(state.home_namespace.clone()),
            };
            state.top_mut().pinned = None;
            return watch_top(state);
        }
        Action::SortBy(col) => {
            let view = state.top_mut();
            view.sort.descending = view.sort.col == col && !view.sort.descending;
            view.sort.col = col;
            view.refresh();
            view.table.scroll_into_view(page as usize);
        }
        Action::SortPrev | Action::SortNext | Action::SortReverse => {
            let wide = state.wide;
            let view = state.top_mut();
            match action {
                Action::SortReverse => view.sort.descending = !view.sort.descending,
                _ => {
                    let step = if action == Action::SortPrev { -1 } else { 1 };
                    view.sort.col = super::columns::step_sort(&view.kind, wide, view.sort.col, step);
                }
            }
            view.refresh();
            view.table.scroll_into_view(page as usize);
        }
        Action::Refresh => {}
        Action::NodeHealth => return super::nodehealth::open_selected(state),
        // Document actions outside a document do nothing.
        Action::ScrollLeft
        | Action::ScrollRight
        | Action::Search
        | Action::NextMatch
        | Action::PrevMatch
        | Action::ToggleManaged
        | Action::ToggleReveal
        | Action::Log(_) => {}
        Action::CopyName => {
            let Some(row) = state.top().table.current() else {
                return vec![];
            };
            let text = match row.namespace.as_str() {
                "" => row.name.clone(),
                ns => format!("{ns}/{}", row.name),
            };
            return vec![Effect::Copy(text)];
        }
        Action::Scale
        | Action::Restart
        | Action::Pause
        | Action::Resume
        | Action::History
        | Action::Rollback
        | Action::Delete
        | Action::Cordon
        | Action::Uncordon
        | Action::Drain => return super::workload::act(state, action),
        Action::Logs => return super::logs::glue::open(state),
        Action::Wide => {
            state.wide = !state.wide;
            // A sort column that just went out of sight would sort invisibly: fall back to NAME.
            let wide = state.wide;
            for view in &mut state.stack {
                let shown = super::columns::shown(&view.kind, wide);
                if !shown.is_empty() && !shown.iter().any(|c| c.sort_col() == view.sort.col) {
                    view.sort = Default::default();
                    view.refresh();
                }
            }
        }
    }
    vec![]
}

/// Show what a document's search has to say.
fn doc_notice(state: &mut State) {
    if let ViewKind::Doc(doc) = &mut state.top_mut().kind
        && let Some(n) = doc.notice.take()
    {
        state.toast(n, false);
    }
}

fn move_cursor(state: &mut State, f: impl FnOnce(&mut super::table::Table)) {
    let page = state.page_rows;
    let view = state.top_mut();
    f(&mut view.table);
    view.table.scroll_into_view(page);
}

fn watch_top(state: &mut State) -> Vec<Effect> {
    if super::controlplane::health_screen(state) {
        // Health screens are not watches: coming back to one (or connecting) refreshes it.
        return super::controlplane::due(state);
    }
    state.wanted().map(|(k, s)| Effect::Watch(k, s)).into_iter().collect()
}

fn push(state: &mut State, view: View) -> Vec<Effect> {
    state.stack.push(view);
    watch_top(state)
}

fn back(state: &mut State) -> Vec<Effect> {
    let view = state.top_mut();
    if !view.filter_text.is_empty() {
        view.clear_filter();
        return vec![];
    }
    if state.stack.len() > 1 {
        state.stack.pop();
        return watch_top(state);
    }
    vec![]
}

fn enter(state: &mut State) -> Vec<Effect> {
    let view = state.top();
    let Some(row) = view.table.current().cloned() else {
        return vec![];
    };
    let ns = Some(Scope::Namespace(row.namespace.clone()));
    // Owned objects are found by ownerReference uid, as the controllers and garbage collector do.
    let owned = |kind: Kind, what: &str| {
        let mut v = View::new(ViewKind::Resource(kind));
        v.pinned = ns.clone();
        v.fixed.owner = Some(row.key.clone());
        v.subtitle = format!("of {what} {}", row.name);
        v
    };
    match view.kind {
        ViewKind::Contexts => switch_context(state, row.name),
        ViewKind::Resource(Kind::Namespace) => {
            state.namespace = Some(row.name);
            push(state, View::new(ViewKind::Resource(Kind::Pod)))
        }
        ViewKind::Resource(Kind::Node) => {
            // Pods whose spec.nodeName is this node, in every namespace (`--field-selector spec.nodeName=`).
            let mut v = View::new(ViewKind::Resource(Kind::Pod));
            v.pinned = Some(Scope::All);
            v.fixed.node = Some(row.name.clone());
            v.subtitle = format!("node {}", row.name);
            push(state, v)
        }
        ViewKind::Resource(Kind::Pod) => {
            let mut v = View::new(ViewKind::Containers {
                namespace: row.namespace.clone(),
                pod: row.name.clone(),
            });
            v.pinned = ns;
            v.subtitle = format!("pod {}", row.name);
            push(state, v)
        }
        ViewKind::Resource(Kind::Deployment) => push(state, owned(Kind::ReplicaSet, "deployment")),
        ViewKind::Resource(Kind::CronJob) => push(state, owned(Kind::Job, "cronjob")),
        ViewKind::Resource(k @ (Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job)) => {
            let what = k.name().to_lowercase();
            push(state, owned(Kind::Pod, &what))
        }
        ViewKind::Resource(Kind::Service) if row.selector.is_some() => {
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
        ViewKind::Resource(_) => fetch(state, true),
        ViewKind::Doc(_) | ViewKind::Containers { .. } | ViewKind::History(_) | ViewKind::Logs(_) => vec![],
        ViewKind::ControlPlane { .. } | ViewKind::NodeHealth { .. } | ViewKind::Messages { .. } => vec![],
    }
}

/// Open a describe or YAML view of the object under the cursor (in a document: switch between the two),
/// showing "loading" until the fresh GET answers.
fn fetch(state: &mut State, describe: bool) -> Vec<Effect> {
    let view = state.top_mut();
    let target = match (&mut view.kind, view.table.current()) {
        (ViewKind::Resource(kind), Some(row)) => Target {
            kind: *kind,
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            describe,
        },
        (ViewKind::Doc(doc), _) if doc.target.describe != describe => {
            let target = Target {
                describe,
                ..doc.target.clone()
            };
            **doc = Doc::loading(target.clone());
            return vec![fetch_effect(&target)];
        }
        _ => return vec![],
    };
    let effect = fetch_effect(&target);
    state
        .stack
        .push(View::new(ViewKind::Doc(Box::new(Doc::loading(target)))));
    vec![effect]
}

fn fetch_effect(t: &Target) -> Effect {
    Effect::Fetch {
        kind: t.kind,
        namespace: t.namespace.clone(),
        name: t.name.clone(),
        describe: t.describe,
    }
}

/// Fill the (still open) document the result belongs to.
fn fetched(state: &mut State, target: Target, result: Result<Fetched, String>) {
    let doc = state.stack.iter_mut().rev().find_map(|v| match &mut v.kind {
        ViewKind::Doc(d) if d.target == target && d.body == Body::Loading => Some(d),
        _ => None,
    });
    let Some(doc) = doc else { return };
    doc.set_body(match result {
        Err(e) => Body::Failed(e),
        Ok(Fetched {
            describe: Some(lines), ..
        }) => Body::Describe(lines),
        Ok(f) => Body::Yaml(f.object),
    });
}

fn switch_context(state: &mut State, name: String) -> Vec<Effect> {
    state.leave_context();
    vec![Effect::SwitchContext(name)]
}

/// Run a `:` command line.
pub fn run_command(state: &mut State, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else { return vec![] };
    let arg = words.next();
    match cmd {
        "q" | "q!" | "quit" | "qa" => act(state, Action::Quit),
        "ctx" | "context" | "contexts" => match arg {
            Some(name) => switch_context(state, name.to_string()),
            None => {
                state.stack = vec![View::new(ViewKind::Contexts)];
                vec![Effect::ListContexts]
            }
        },
        "help" => act(state, Action::Help),
        // `:ns NAME` switches namespace without listing namespaces (which a user may not be allowed
        // to do) and stays on the kind in view, or shows pods.
        "ns" | "namespace" | "namespaces" if arg.is_some_and(|a| a != "all" && a != "-A") => {
            let kind = match state.top().kind {
                ViewKind::Resource(k) if k.namespaced() => k,
                _ => Kind::Pod,
            };
            state.namespace = arg.map(str::to_string);
            state.stack = vec![View::new(ViewKind::Resource(kind))];
            watch_top(state)
        }
        c if super::controlplane::COMMANDS.contains(&c) => super::controlplane::open(state),
        c if super::messages::COMMANDS.contains(&c) => super::messages::open(state),
        _ => match ALIASES.iter().find(|(a, _)| *a == cmd) {
            Some((_, kind)) => {
                match arg {
                    Some("all" | "-A") => state.namespace = None,
                    Some(ns) => state.namespace = Some(ns.to_string()),
                    None => {}
                }
                // A command starts a new stack, so Esc does not walk back through unrelated screens.
                state.stack = vec![View::new(ViewKind::Resource(*kind))];
                watch_top(state)
            }
            None => {
                state.toast(format!("unknown command {cmd:?}"), true);
                vec![]
            }
        },
    }
}

/// A key press without modifiers (helper for tests and scripted input).
pub fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
