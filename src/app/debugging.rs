//! Getting into a pod from the keyboard, in the state machine: a shell, an attach, an ephemeral
//! debug container, a node shell. A pod with several containers asks which one in a dialog (the
//! `kubectl.kubernetes.io/default-container` annotation's first, as kubectl picks it); the debug
//! container's dialog asks for the image too. Each ends in an effect the executor runs on the
//! handed-over terminal; `--readonly` refuses them all (each is a `create` on a pod subresource).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::Action;
use super::dialog::Dialog;
use super::effect::Effect;
pub use super::pick::{ContainerDialog, DebugSettings, PodContainers, Purpose};
use super::state::State;
use crate::cluster::ops::ObjRef;

/// The action `purpose` comes from (its words in refusals).
fn action_of(purpose: Purpose) -> Action {
    match purpose {
        Purpose::Shell => Action::Shell,
        Purpose::Attach => Action::Attach,
        Purpose::Debug => Action::Debug,
    }
}

fn refused(state: &mut State, action: Action) -> bool {
    if state.safety.readonly {
        // The words of every read-only refusal (`workload::readonly_refusal`).
        state.toast(
            format!("read-only session: {} is disabled (--readonly)", action.describe()),
            true,
        );
    }
    state.safety.readonly
}

/// Begin `purpose` on `pod`: at once when the container is known (a container row), else after
/// reading the pod's containers (a picker when several).
pub fn start(state: &mut State, purpose: Purpose, pod: Option<ObjRef>, container: Option<String>) -> Vec<Effect> {
    if refused(state, action_of(purpose)) {
        return vec![];
    }
    let Some(pod) = pod else { return vec![] };
    match (purpose, container) {
        (Purpose::Shell, Some(c)) => vec![Effect::Shell {
            pod,
            container: Some(c),
        }],
        (Purpose::Attach, Some(c)) => vec![Effect::Attach { pod, container: c }],
        (purpose, preselect) => vec![Effect::Containers {
            pod,
            purpose,
            preselect,
        }],
    }
}

/// A shell on a node: a debugging pod on it with the host's namespaces, attached.
pub fn node_shell(state: &mut State, node: Option<ObjRef>) -> Vec<Effect> {
    if refused(state, Action::Shell) {
        return vec![];
    }
    let Some(node) = node else { return vec![] };
    vec![Effect::NodeShell {
        node: node.name,
        namespace: state.debug.node_namespace.clone(),
        image: state.debug.image.clone(),
    }]
}

/// The pod's containers arrived: go on at once when the choice is made (the annotation's or the
/// only container, for a shell or an attach), else open the picker.
pub fn received(
    state: &mut State,
    pod: ObjRef,
    purpose: Purpose,
    preselect: Option<String>,
    result: Result<PodContainers, String>,
) -> Vec<Effect> {
    let containers = match result {
        Ok(c) if c.names.is_empty() => {
            state.toast(format!("pod {} has no containers", pod.name), true);
            return vec![];
        }
        Ok(c) => c,
        Err(e) => {
            state.toast(e, true);
            return vec![];
        }
    };
    let chosen = containers
        .default
        .clone()
        .or_else(|| (containers.names.len() == 1).then(|| containers.names[0].clone()));
    if purpose != Purpose::Debug
        && let Some(c) = chosen.clone()
    {
        return chosen_effect(pod, purpose, c, String::new());
    }
    let at = preselect.or(chosen);
    let cursor = at
        .and_then(|c| containers.names.iter().position(|n| *n == c))
        .unwrap_or(0);
    let image = (purpose == Purpose::Debug).then(|| {
        let mut ta = TextArea::new(vec![state.debug.image.clone()]);
        ta.move_cursor(ratatui_textarea::CursorMove::End);
        ta
    });
    state.dialog = Some(Dialog::Container(ContainerDialog {
        pod,
        purpose,
        containers,
        cursor,
        image,
        error: None,
    }));
    vec![]
}

fn chosen_effect(pod: ObjRef, purpose: Purpose, container: String, image: String) -> Vec<Effect> {
    vec![match purpose {
        Purpose::Shell => Effect::Shell {
            pod,
            container: Some(container),
        },
        Purpose::Attach => Effect::Attach { pod, container },
        Purpose::Debug => Effect::Debug {
            pod,
            target: container,
            image,
        },
    }]
}

/// A key while the picker is open: esc and ctrl-c close it, up/down (tab) move, 1–9 pick (when no
/// image is typed), enter takes the container under the cursor; other keys type the image.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Dialog::Container(mut d)) = state.dialog.take() else {
        return vec![];
    };
    if key.code == KeyCode::Esc || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL)) {
        return vec![];
    }
    let n = d.containers.names.len().max(1);
    match key.code {
        KeyCode::Up | KeyCode::BackTab => d.cursor = (d.cursor + n - 1) % n,
        KeyCode::Down | KeyCode::Tab => d.cursor = (d.cursor + 1) % n,
        KeyCode::Char(c @ '1'..='9') if d.image.is_none() => {
            let i = c as usize - '1' as usize;
            if let Some(name) = d.containers.names.get(i) {
                return chosen_effect(d.pod, d.purpose, name.clone(), String::new());
            }
        }
        KeyCode::Enter => {
            let name = d.containers.names.get(d.cursor).cloned().unwrap_or_default();
            let image = d.image.as_ref().map(|t| t.lines().join("").trim().to_string());
            match image.as_deref() {
                Some("") => d.error = Some("an image is needed, e.g. busybox:1.36".into()),
                Some(i) if i.contains(char::is_whitespace) => {
                    d.error = Some(format!("an image reference has no spaces (got {i:?})"));
                }
                _ => return chosen_effect(d.pod, d.purpose, name, image.unwrap_or_default()),
            }
        }
        _ => {
            if let Some(ta) = &mut d.image {
                ta.input(key);
                d.error = None;
            }
        }
    }
    state.dialog = Some(Dialog::Container(d));
    vec![]
}

#[cfg(test)]
#[path = "debugging_tests.rs"]
mod tests;
