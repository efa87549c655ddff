//! What goes over the screen and takes keys before it, each a file filling in an [`Overlay`],
//! listed here in the order keys reach them (drawn in the reverse order, the first on top).

use super::screen::{KeyHint, Overlay};
use crate::app::state::State;

/// Declares the overlay modules and lists their `OVERLAY`s, in one place.
macro_rules! registry {
    ($($m:ident,)*) => {
        // Each module's own `//!` line says what it is.
        $(pub mod $m;)*
        /// Every overlay, in the order keys reach them.
        pub static OVERLAYS: &[&Overlay] = &[$(&$m::OVERLAY),*];
    };
}

registry! {
    demo,
    help,
    dialog,
    question,
    panel,
    log_prompt,
    completion,
}

/// The overlays up now, in the order keys reach them.
pub fn open(state: &State) -> impl Iterator<Item = &'static Overlay> + '_ {
    OVERLAYS.iter().copied().filter(|o| (o.open)(state))
}

/// The footer's hints of the first overlay up that takes every key; None: the screen's stand.
pub fn hints(state: &State) -> Option<Vec<KeyHint>> {
    open(state).find_map(|o| (o.hints)(state))
}

/// For overlays that let every key through to the screen: its hints stand.
pub fn screen_hints(_: &State) -> Option<Vec<KeyHint>> {
    None
}

/// What the key of the screen's `action` does instead while an overlay is up, if one takes it.
pub fn instead(state: &State, action: crate::app::action::Action) -> Option<&'static str> {
    open(state).find_map(|o| (o.instead)(state, action))
}

/// For overlays that take no key of the screen's, or every key (and so show hints of their own).
pub fn nothing_instead(_: &State, _: crate::app::action::Action) -> Option<&'static str> {
    None
}

/// For overlays whose keys are written in their box: no hints in the footer.
pub fn in_the_box(_: &State) -> Option<Vec<KeyHint>> {
    Some(Vec::new())
}

/// For overlays without a bottom line of their own.
pub fn no_footer(_: &mut ratatui::Frame, _: ratatui::layout::Rect, _: &State, _: &crate::config::theme::Theme) -> bool {
    false
}

/// For overlays drawn on the bottom line only.
pub fn no_render(_: &mut ratatui::Frame, _: ratatui::layout::Rect, _: &State, _: &crate::config::theme::Theme) {}

#[cfg(test)]
mod tests;
