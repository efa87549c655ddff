//! The workload actions in the state machine: which object they aim at, their dialogs, the
//! read-only guard every write passes through, and what their results do to the screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::dialog::{Confirm, DeleteDialog, Dialog, HistoryBody, HistoryView, Panel, PanelKind, ScaleDialog};
use super::effect::Effect;
use super::event::Input;
use super::state::{State, View, ViewKind};
use crate::cluster::Kind;
use crate::cluster::ops::drain::Line;
use crate::cluster::ops::history::DiffLine;
use crate::cluster::ops::{ObjRef, Op};

/// The kinds an action applies to (None: every kind).
pub fn kinds(action: Action) -> Option<&'static [Kind]> {
    Some(match action {
        Action::Scale => &[Kind::Deployment, Kind::StatefulSet, Kind::ReplicaSet],
        Action::Restart | Action::History => &[Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet],
        Action::Pause | Action::Resume => &[Kind::Deployment],
        Action::Cordon | Action::Uncordon | Action::Drain => &[Kind::Node],
        Action::SetImage => &[Kind::Deployment, Kind::StatefulSet, Kind::DaemonSet, Kind::CronJob],
        Action::Shell => &[Kind::Pod, Kind::Node],
        Action::Attach | Action::Debug => &[Kind::Pod],
        Action::PortForward => &[Kind::Pod, Kind::Service],
        _ => return None,
    })
}

/// Whether an object action (scale, delete, drain, history …) works on objects of `kind`: scale on
/// any kind discovery gives a `scale` subresource, custom resources included.
pub fn works_on(kind: Kind, action: Action) -> bool {
    let object_action = action == Action::History || (action.mutating() && action != Action::Rollback);
    if let (Action::Scale, Some(r)) = (action, kind.resource()) {
        return r.has("scale");
    }
    object_action && kinds(action).is_none_or(|ks| ks.contains(&kind))
}

/// The readable refusal of a read-only session.
pub fn readonly_refusal(action: &str) -> String {
    format!("read-only session: {action} is disabled (--readonly)")
}

/// Perform a workload action on `selected`, the object of the screen on show (called by `update::act`).
pub fn act(state: &mut State, action: Action, selected: Option<ObjRef>) -> Vec<Effect> {
    if state.safety.readonly && action.mutating() {
        state.toast(readonly_refusal(action.describe()), true);
        return vec![];
    }
    if action == Action::Rollback {
        return rollback_selected(state);
    }
    let Some(target) = selected else {
        state.toast(format!("{}: nothing selected", action.describe()), true);
        return vec![];
    };
    if let Some(ks) = kinds(action)
        && !works_on(target.kind, action)
    {
        let mut names = ks.iter().map(|k| k.plural()).collect::<Vec<_>>().join(", ");
        if action == Action::Scale {
            names = format!("kinds with a scale subresource ({names} …)");
        }
        state.toast(
            format!("{} works on {names}, not {}", action.describe(), target.kind.plural()),
            true,
        );
        return vec![];
    }
    if let Some(why) = super::verbs::refusal(state, target.kind, action) {
        state.toast(why, true);
        return vec![];
    }
    match action {
        Action::Scale => {
            state.dialog = Some(Dialog::Scale(ScaleDialog {
                target: target.clone(),
                current: None,
                warnings: Vec::new(),
                input: TextArea::default(),
                error: None,
            }));
            vec![Effect::ScaleInfo(target)]
        }
        Action::History => {
            state
                .stack
                .push(View::new(ViewKind::History(Box::new(HistoryView::loading(
                    target.clone(),
                )))));
            vec![Effect::LoadHistory(target)]
        }
        Action::Delete => {
            // Marked rows of the list on show are deleted together, the cursor row only without marks.
            let mut marked = marked(state).into_iter();
            let (target, more) = match marked.next() {
                Some(first) => (first, marked.collect()),
                None => (target, Vec::new()),
            };
            state.dialog = Some(Dialog::Delete(DeleteDialog {
                target,
                propagation: Default::default(),
                grace: TextArea::default(),
                error: None,
                more,
            }));
            vec![]
        }
        Action::Restart => confirm(state, target, Op::Restart, vec![], vec![]),
        Action::Pause => confirm(state, target, Op::Pause, vec![], vec![]),
        Action::Resume => confirm(state, target, Op::Resume, vec![], vec![]),
        Action::Cordon => confirm(state, target, Op::Cordon, vec![], vec![]),
        Action::Uncordon => confirm(state, target, Op::Uncordon, vec![], vec![]),
        Action::Drain => {
            let note = "DaemonSet pods stay; emptyDir data of evicted pods is lost".to_string();
            confirm(state, target, Op::Drain, vec![note], vec![])
        }
        _ => vec![],
    }
}

/// The history's selected revision: a server-side dry run first, then the confirmation.
fn rollback_selected(state: &mut State) -> Vec<Effect> {
    let ViewKind::History(h) = &state.top().kind else {
        state.toast("roll back: open the rollout history (h) and pick a revision", true);
        return vec![];
    };
    let Some(rev) = h.selected() else { return vec![] };
    vec![Effect::DryRunRollback {
        target: h.target.clone(),
        revision: rev.number,
    }]
}

/// The marked rows of the list on show, as objects (hidden ones by a filter included).
pub fn marked(state: &State) -> Vec<ObjRef> {
    let view = state.top();
    let ViewKind::Resource(kind) = view.kind else {
        return Vec::new();
    };
    view.table
        .marked()
        .into_iter()
        .map(|r| ObjRef::new(kind, &r.namespace, &r.name))
        .collect()
}

/// Marked objects a confirmation lists by name; more are counted.
const LISTED: usize = 12;

/// The lines naming several objects: "3 certificates in context prod:" and one `namespace/name` a line.
pub fn several(state: &State, all: &[&ObjRef]) -> Vec<String> {
    let plural = all.first().map_or("objects", |t| t.kind.plural());
    let context = if state.context.is_empty() {
        "(no context)"
    } else {
        &state.context
    };
    let mut lines = vec![format!("{} {plural} in context {context}:", all.len())];
    lines.extend(all.iter().take(LISTED).map(|t| format!("  {}", t.path())));
    if all.len() > LISTED {
        lines.push(format!("  … and {} more", all.len() - LISTED));
    }
    lines
}

/// Where an object lives, for confirmations: "deployment web in namespace shop, context prod".
pub fn whereabouts(state: &State, t: &ObjRef) -> String {
    let kind = t.kind.name().to_lowercase();
    let context = if state.context.is_empty() {
        "(no context)"
    } else {
        &state.context
    };
    if t.namespace.is_empty() {
        format!("{kind} {} in context {context}", t.name)
    } else {
        format!("{kind} {} in namespace {}, context {context}", t.name, t.namespace)
    }
}

/// Open the final confirmation; in a protected context a destructive op needs the name typed.
fn confirm(state: &mut State, target: ObjRef, op: Op, extra: Vec<String>, diff: Vec<DiffLine>) -> Vec<Effect> {
    confirm_all(state, target, Vec::new(), op, extra, diff)
}

/// The final confirmation of `op` on `target` and `more` (marked rows), listing them all; in a
/// protected context a destructive op needs the name (for several objects, their number) typed.
fn confirm_all(
    state: &mut State,
    target: ObjRef,
    more: Vec<ObjRef>,
    op: Op,
    extra: Vec<String>,
    diff: Vec<DiffLine>,
) -> Vec<Effect> {
    let mut lines = if more.is_empty() {
        vec![format!(
            "{}: {}?",
            capitalised(&op.describe()),
            whereabouts(state, &target)
        )]
    } else {
        let all: Vec<&ObjRef> = std::iter::once(&target).chain(&more).collect();
        let mut lines = several(state, &all);
        lines[0] = format!("{}: {}", capitalised(&op.describe()), lines[0]);
        lines
    };
    lines.extend(extra);
    let typed = (state.safety.protected && op.destructive()).then(TextArea::default);
    let mut confirm = Confirm {
        target,
        op,
        lines,
        diff,
        typed,
        error: None,
        more,
    };
    if confirm.typed.is_some() {
        let what = if confirm.more.is_empty() {
            ""
        } else {
            " (the number of objects)"
        };
        confirm.lines.push(format!(
            "Context {} is protected: type {}{what} and press enter",
            state.context,
            confirm.expected()
        ));
    }
    state.dialog = Some(Dialog::Confirm(confirm));
    vec![]
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The one door to the cluster: nothing passes in a read-only session. Several objects get a
/// request each (each result is reported on its own), and their marks are done with.
fn mutate_all(state: &mut State, target: ObjRef, more: Vec<ObjRef>, op: Op) -> Vec<Effect> {
    if more.is_empty() {
        return mutate(state, target, op);
    }
    if state.safety.readonly {
        state.toast(readonly_refusal(&op.describe()), true);
        return vec![];
    }
    state.top_mut().table.marks.clear();
    std::iter::once(target)
        .chain(more)
        .map(|target| Effect::Mutate { target, op: op.clone() })
        .collect()
}

/// The one door to the cluster: nothing passes in a read-only session.
fn mutate(state: &mut State, target: ObjRef, op: Op) -> Vec<Effect> {
    if state.safety.readonly {
        state.toast(readonly_refusal(&op.describe()), true);
        return vec![];
    }
    if op == Op::Drain {
        state.panel = Some(Panel {
            kind: PanelKind::Drain,
            title: format!("drain node/{}", target.name),
            target: target.clone(),
            lines: Vec::new(),
            done: false,
            failed: false,
            scroll: None,
        });
    }
    vec![Effect::Mutate { target, op }]
}

/// Keys while a dialog is open: every key is the dialog's.
pub fn on_dialog_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = state.dialog.take() else {
        return vec![];
    };
    if key.code == KeyCode::Esc || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)) {
        return vec![];
    }
    match dialog {
        // The picker's keys go to `debugging::on_key` (screens/overlays/dialog.rs).
        Dialog::Container(_) => vec![],
        Dialog::Scale(mut d) => {
            if key.code != KeyCode::Enter {
                d.input.input(key);
                d.error = None;
                state.dialog = Some(Dialog::Scale(d));
                return vec![];
            }
            let text = d.input.lines().join("").trim().to_string();
            // spec.replicas is an int32.
            match whole_number(&text, "replicas", i32::MAX as u32) {
                Ok(n) => {
                    let mut extra = Vec::new();
                    if let Some(c) = d.current {
                        extra.push(format!("Replicas: {c} → {n}"));
                    }
                    extra.extend(d.warnings.iter().map(|w| format!("Warning: {w}")));
                    confirm(state, d.target, Op::Scale(n), extra, vec![])
                }
                Err(e) => {
                    d.error = Some(e);
                    state.dialog = Some(Dialog::Scale(d));
                    vec![]
                }
            }
        }
        Dialog::Delete(mut d) => match key.code {
            KeyCode::Tab | KeyCode::BackTab => {
                d.propagation = d.propagation.next();
                state.dialog = Some(Dialog::Delete(d));
                vec![]
            }
            KeyCode::Enter => {
                let text = d.grace.lines().join("").trim().to_string();
                let grace = if text.is_empty() {
                    None
                } else {
                    match whole_number(&text, "grace period (seconds)", u32::MAX) {
                        Ok(g) => Some(g),
                        Err(e) => {
                            d.error = Some(e);
                            state.dialog = Some(Dialog::Delete(d));
                            return vec![];
                        }
                    }
                };
                let op = Op::Delete {
                    propagation: d.propagation,
                    grace,
                };
                confirm_all(state, d.target, d.more, op, vec![], vec![])
            }
            _ => {
                d.grace.input(key);
                d.error = None;
                state.dialog = Some(Dialog::Delete(d));
                vec![]
            }
        },
        // The overlay gives its keys to `portforward::on_key`.
        d @ Dialog::PortForward(_) => {
            state.dialog = Some(d);
            vec![]
        }
        Dialog::Confirm(mut c) => {
            let expected = c.expected();
            if let Some(ta) = &mut c.typed {
                if key.code == KeyCode::Enter {
                    if ta.lines().join("") == expected {
                        return mutate_all(state, c.target, c.more, c.op);
                    }
                    c.error = Some(format!("type {expected} exactly to confirm (esc cancels)"));
                } else {
                    ta.input(key);
                    c.error = None;
                }
                state.dialog = Some(Dialog::Confirm(c));
                return vec![];
            }
            match key.code {
                KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => mutate_all(state, c.target, c.more, c.op),
                KeyCode::Char('n') | KeyCode::Char('N') => vec![],
                _ => {
                    state.dialog = Some(Dialog::Confirm(c));
                    vec![]
                }
            }
        }
    }
}

/// A count typed in a dialog: digits only, at most `max`; the error says which of the two failed.
pub fn whole_number(text: &str, what: &str, max: u32) -> Result<u32, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} must be a whole number, 0 or more (got {text:?})"));
    }
    match text.parse::<u64>() {
        Ok(n) if n <= u64::from(max) => Ok(n as u32),
        _ => Err(format!("{what} {text} is too large: at most {max}")),
    }
}

/// Results of the workload effects.
pub fn on_input(state: &mut State, input: Input) -> Vec<Effect> {
    match input {
        Input::Done { target, op, result } => {
            let mut effects = Vec::new();
            match &result {
                Ok(done) => state.toast(done.line.clone(), false),
                Err(e) => state.toast(e.clone(), true),
            }
            if let Some(p) = state.panel.as_mut().filter(|p| op == Op::Drain && p.target == target) {
                p.push(Line {
                    key: None,
                    text: match &result {
                        Ok(done) => done.line.clone(),
                        Err(e) => format!("error: {e}"),
                    },
                });
                p.done = true;
                p.failed = result.is_err();
            }
            if result.as_ref().is_ok_and(|done| done.changed) && op.starts_rollout() {
                state.panel = Some(Panel {
                    kind: PanelKind::Rollout,
                    title: format!("rollout status {}", target.kubectl_name()),
                    target: target.clone(),
                    lines: Vec::new(),
                    done: false,
                    failed: false,
                    scroll: None,
                });
                effects.push(Effect::FollowRollout(target.clone()));
            }
            if result.is_ok() && target.kind == Kind::Node {
                effects.extend(super::nodehealth::changed(state, &target.name));
            }
            // A history on screen shows the new revision numbers.
            if matches!(&state.top().kind, ViewKind::History(h) if h.target == target) && result.is_ok() {
                effects.push(Effect::LoadHistory(target));
            }
            effects
        }
        Input::ScaleInfo { target, result } => {
            match (&mut state.dialog, result) {
                (Some(Dialog::Scale(d)), Ok(info)) if d.target == target => {
                    d.current = info.current;
                    d.warnings = info.warnings;
                    if d.input.lines().join("").is_empty()
                        && let Some(c) = info.current
                    {
                        d.input = TextArea::new(vec![c.to_string()]);
                        d.input.move_cursor(ratatui_textarea::CursorMove::End);
                    }
                }
                (Some(Dialog::Scale(d)), Err(e)) if d.target == target => d.error = Some(e),
                _ => {}
            }
            vec![]
        }
        Input::History { target, result } => {
            for view in state.stack.iter_mut().rev() {
                if let ViewKind::History(h) = &mut view.kind
                    && h.target == target
                {
                    h.body = match result {
                        Ok(hist) => {
                            h.cursor = h.cursor.min(hist.revisions.len().saturating_sub(1));
                            HistoryBody::Ready(hist)
                        }
                        Err(e) => HistoryBody::Failed(e),
                    };
                    break;
                }
            }
            vec![]
        }
        Input::DryRun {
            target,
            revision,
            result,
        } => {
            match result {
                Err(e) => state.toast(e, true),
                Ok(done) if !done.changed => state.toast(done.line, false),
                Ok(_) => {
                    let diff = match &state.top().kind {
                        ViewKind::History(h) if h.target == target => h.diff(),
                        _ => Vec::new(),
                    };
                    let note = "Server-side dry run passed".to_string();
                    return confirm(state, target, Op::Rollback(revision), vec![note], diff);
                }
            }
            vec![]
        }
        Input::Progress { target, line } => {
            if let Some(p) = state.panel.as_mut().filter(|p| p.target == target) {
                p.push(line);
            }
            vec![]
        }
        Input::Rollout { target, reading } => {
            if let Some(p) = state
                .panel
                .as_mut()
                .filter(|p| p.target == target && p.kind == PanelKind::Rollout)
            {
                p.push(Line {
                    key: None,
                    text: reading.text,
                });
                p.done = reading.done;
                p.failed = reading.failed;
            }
            vec![]
        }
        _ => vec![],
    }
}

/// Esc with a panel open closes it (and stops following).
pub fn close_panel(state: &mut State) -> Vec<Effect> {
    match state.panel.take() {
        Some(p) if !p.done && p.kind == PanelKind::Rollout => vec![Effect::StopFollow],
        _ => vec![],
    }
}
