//! The help screen over the screen: the keys that do something there, the command syntax; it
//! scrolls with the moving keys and closes with back, help or quit.

use super::{no_footer, nothing_instead};
use crate::app::action::Action;
use crate::app::state::State;
use crate::screens::screen::{KeyHint, Overlay};

/// The help screen.
pub static OVERLAY: Overlay = Overlay {
    name: "help",
    open: |state| state.help,
    on_key: |state, key| Some(crate::app::help::on_key(state, *key)),
    render: |frame, area, state, theme| crate::ui::help::render(frame, area, state, theme),
    footer: no_footer,
    hints,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

/// Closing, and scrolling when there is more than fits.
fn hints(state: &State) -> Option<Vec<KeyHint>> {
    let scope = crate::screens::key_scope(state);
    let key = |a: Action| state.keymap.first(scope, a).map(|b| b.keys.clone());
    let mut out: Vec<KeyHint> = key(Action::Back).map(|k| (k, "close".into())).into_iter().collect();
    if crate::app::help::max_scroll(state, state.page_rows + 1) > 0 {
        out.extend(key(Action::Down).map(|k| (k, "scroll down".into())));
        out.extend(key(Action::Up).map(|k| (k, "scroll up".into())));
    }
    Some(out)
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut out = Vec::new();
    for screen in [&crate::screens::table::SCREEN, &crate::screens::doc::SCREEN] {
        let mut s = (screen.samples)().remove(0);
        (s.help, s.help_scroll, s.page_rows) = (true, 1, 4);
        out.push(s);
    }
    out
}
