//! Screens as components: one file per screen fills in a [`Screen`] (its key scope, keys, inputs,
//! footer hints, header and body), and the list below registers it. `update`, the footer, help and
//! the drawing code reach the screen on show only through here. A new screen is a new file and a
//! line in the list.

// A screen gives an input that is not its own back by value, for the next screen to look at:
// boxing it would allocate for every input and every screen.
#![allow(clippy::result_large_err)]

pub mod lists;
pub mod overlays;
pub mod screen;

pub use screen::{Hint, Overlay, Screen};

use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::state::{State, ViewKind};

/// Declares the screen modules and lists their `SCREEN`s, in one place.
macro_rules! registry {
    ($($m:ident,)*) => {
        // Each module's own `//!` line says what it is.
        $(pub mod $m;)*
        /// Every screen.
        pub static SCREENS: &[&Screen] = &[$(&$m::SCREEN),*];
    };
}

registry! {
    table,
    containers,
    contexts,
    doc,
    logs,
    history,
    controlplane,
    triage,
    nodehealth,
    messages,
    portforwards,
    apiresources,
    keys,
    editor,
    xray,
}

/// The screen a view belongs to.
pub fn of(kind: &ViewKind) -> &'static Screen {
    SCREENS
        .iter()
        .find(|s| (s.shows)(kind))
        .copied()
        .unwrap_or_else(|| panic!("no screen shows {kind:?}"))
}

/// The screen on show.
pub fn active(state: &State) -> &'static Screen {
    of(&state.top().kind)
}

/// The keymap scope of the screen on show.
pub fn key_scope(state: &State) -> KeyScope {
    active(state).scope
}

/// Whether a global action does something: back only when there is a view or a filter to leave.
fn global_applies(state: &State, action: Action) -> bool {
    match action {
        Action::Back => state.stack.len() > 1 || !state.top().filter_text.is_empty(),
        Action::Quit | Action::Command | Action::Help => true,
        _ => false,
    }
}

/// Whether `action` does something on the screen on show.
pub fn applies(state: &State, action: Action) -> bool {
    global_applies(state, action) || (active(state).applies)(state, action)
}

/// Whether a key that does not apply on the screen on show still answers with why.
pub fn explains(state: &State, action: Action) -> bool {
    (active(state).explains)(state, action)
}

/// The hints of the screen on show: every action bound in its scope and the global one, in keymap
/// order, each with its keys and whether it applies now (mutating ones never in a read-only session).
pub fn hints(state: &State) -> Vec<Hint> {
    let screen = active(state);
    let mut out: Vec<Hint> = Vec::new();
    for b in state.keymap.active(screen.scope) {
        if let Some(h) = out.iter_mut().find(|h| h.action == b.action) {
            h.keys.push(b.label());
            if b.footer && h.footer_key.is_none() {
                h.footer_key = Some(b.label());
            }
            continue;
        }
        let applies = !(state.safety.readonly && b.action.mutating()) && applies(state, b.action);
        out.push(Hint {
            action: b.action,
            keys: vec![b.label()],
            help: b.help.clone(),
            footer_text: (screen.label)(state, b.action).unwrap_or_else(|| b.help.clone()),
            footer_key: b.footer.then(|| b.label()),
            applies,
        });
    }
    out
}

/// Open the screen a `:` command word names, if one does.
pub fn open_command(state: &mut State, word: &str) -> Option<Vec<Effect>> {
    let screen = SCREENS.iter().find(|s| s.commands.contains(&word))?;
    Some((screen.open)(state))
}

#[cfg(test)]
mod tests;
