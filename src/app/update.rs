//! The pure state machine: `update(state, input) -> effects`. No I/O here. Keys, actions and the
//! inputs addressed to a screen go to the screen on show (`crate::screens`); what every screen
//! shares (overlays, the filter and command lines, back, quit, help, object actions) is here.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{ALIASES, Action};
use super::effect::Effect;
use super::event::Input;
use super::keys::Match;
use super::nav::{switch_context, text_line, watch_top};
use super::state::{Connection, Mode, State, View, ViewKind};
use crate::cluster::Kind;
use crate::screens;

/// How long a toast stays up.
pub const TOAST_TTL: Duration = Duration::from_secs(4);

/// Lines the header, table frame and footer take from the terminal height.
pub const CHROME_ROWS: u16 = 6;

/// Apply one input to the state and return the I/O it asks for.
pub fn update(state: &mut State, input: Input) -> Vec<Effect> {
    let mut input = match input {
        Input::Key(key) if key.kind != KeyEventKind::Release => return on_key(state, key),
        other => other,
    };
    for screen in screens::SCREENS {
        match (screen.on_input)(state, input) {
            Ok(effects) => return effects,
            Err(back) => input = back,
        }
    }
    match input {
        // Taken by their screens above; a key release does nothing.
        Input::Key(_)
        | Input::Rows { .. }
        | Input::Feed { .. }
        | Input::Usage { .. }
        | Input::Xray(_)
        | Input::Contexts(..)
        | Input::Fetched { .. }
        | Input::ExecOutput { .. }
        | Input::ControlPlane(_)
        | Input::Triage { .. }
        | Input::Discovered { .. }
        | Input::NodeHealth(_)
        | Input::Logs(_)
        | Input::Edit(_)
        | Input::Gathered { .. } => vec![],
        Input::Paste(text) => {
            match &mut state.mode {
                Mode::Filter(ta) | Mode::Command(ta) => {
                    ta.insert_str(text.replace(['\n', '\r'], " "));
                    state.cmdline.edited();
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
            // After the first screen's watch: discovery runs beside it and never holds it up.
            let mut effects = watch_top(state);
            effects.extend(super::discovery::connected(state));
            effects
        }
        Input::CrdsChanged { context } => super::discovery::crds_changed(state, &context),
        Input::CrdWatch { context, refused } => {
            super::discovery::crd_watch(state, &context, refused);
            vec![]
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
        Input::Counts(counts) => {
            state.counts = counts;
            vec![]
        }
        Input::Error(msg) => {
            state.toast(msg, true);
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
        Input::Containers {
            pod,
            purpose,
            preselect,
            result,
        } => super::debugging::received(state, pod, purpose, preselect, result),
        Input::PortForwardInfo { target, result } => {
            match result {
                Ok(declared) if state.dialog.is_none() => {
                    let d = super::portforward::dialog(target, declared);
                    state.dialog = Some(super::dialog::Dialog::PortForward(Box::new(d)));
                }
                Ok(_) => {}
                Err(e) => state.toast(format!("port-forward {}: {e}", target.kubectl_name()), true),
            }
            vec![]
        }
        Input::PortForward { id, report } => {
            super::portforward::report(state, id, report);
            vec![]
        }
        Input::Owners { target, result } => super::owner::found(state, target, result),
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
    for overlay in screens::overlays::OVERLAYS {
        if (overlay.open)(state)
            && let Some(effects) = (overlay.on_key)(state, &key)
        {
            return effects;
        }
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
        Mode::Command(ta) => {
            return match super::prompt::on_key(state, ta, key) {
                Some(line) => run_command(state, &line),
                None => vec![],
            };
        }
    }
    let screen = screens::active(state);
    if let Some(effects) = (screen.on_key)(state, &key) {
        return effects;
    }
    let (typed, found) = state.lookup_typed(screen.scope, &key, screens::applies);
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

/// Perform a normal-mode action: the screen on show's, else a global or object action.
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    if !screens::applies(state, action) && !screens::explains(state, action) {
        return vec![];
    }
    // The panel over the screen takes the moving keys: it is what is read while it is open.
    if let Some(panel) = &mut state.panel
        && panel.act(action)
    {
        return vec![];
    }
    let screen = screens::active(state);
    if let Some(effects) = (screen.act)(state, action) {
        return effects;
    }
    match action {
        Action::Back => back(state),
        Action::Quit => {
            state.quit = true;
            vec![Effect::Quit]
        }
        Action::Command => {
            state.mode = Mode::Command(text_line(""));
            vec![]
        }
        Action::Help => {
            (state.help, state.help_scroll) = (true, 0);
            vec![]
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
        | Action::Drain => {
            let selected = (screen.selected)(state);
            super::workload::act(state, action, selected)
        }
        Action::Edit | Action::EditExternal => {
            let selected = (screen.selected)(state);
            super::edit::flow::open(state, selected, action == Action::EditExternal)
        }
        Action::Apply => super::edit::apply::open(state),
        Action::SetImage => {
            let selected = (screen.selected)(state);
            super::edit::image::open(state, selected)
        }
        _ => vec![],
    }
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

/// Run a `:` command line.
pub fn run_command(state: &mut State, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else { return vec![] };
    if cmd == "exec" {
        let rest = line.trim_start().strip_prefix("exec").unwrap_or_default();
        return super::run_cmd::start(state, rest);
    }
    let arg = words.next();
    if let Some(effects) = screens::open_command(state, cmd) {
        return effects;
    }
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
        "xray" => super::xray::command(state, arg, words.next()),
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
        _ => match ALIASES.iter().find(|(a, _)| *a == cmd) {
            Some((_, kind)) => super::nav::open_kind(state, *kind, arg),
            None => screens::apiresources::command(state, cmd, arg),
        },
    }
}

/// A key press without modifiers (helper for tests and scripted input).
pub fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
