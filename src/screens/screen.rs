//! What a screen is: plain data, a set of functions a screen file fills in and `screens/mod.rs`
//! registers. `update` dispatches keys, actions and inputs to the screen on show through it; the
//! drawing code draws its body and header with it; the footer and help list its hints with it.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::event::Input;
use crate::app::keys::Key;
use crate::app::state::{State, View, ViewKind};
use crate::cluster::ops::ObjRef;
use crate::config::theme::Theme;

/// One screen as a component.
pub struct Screen {
    /// Its name, for tests and messages.
    pub name: &'static str,
    /// Whether a view of the stack is this screen's.
    pub shows: fn(&ViewKind) -> bool,
    /// The keymap scope its keys are looked up in (before the global one).
    pub scope: KeyScope,
    /// `:` command words that open it (with `open`).
    pub commands: &'static [&'static str],
    /// Open it from the command line.
    pub open: fn(&mut State) -> Vec<Effect>,
    /// A key before the keymap sees it (typing into its search or prompt); None: not taken.
    pub on_key: fn(&mut State, &KeyEvent) -> Option<Vec<Effect>>,
    /// A keymap action while it is on show; None: not its own (the global actions follow).
    pub act: fn(&mut State, Action) -> Option<Vec<Effect>>,
    /// An input addressed to a view of this screen, on show or below; gives back what is not its.
    pub on_input: fn(&mut State, Input) -> Result<Vec<Effect>, Input>,
    /// Whether `action` does something on it now: the footer and help offer only those.
    pub applies: fn(&State, Action) -> bool,
    /// Whether a key that does not apply still answers with why (and so is let through).
    pub explains: fn(&State, Action) -> bool,
    /// The footer's word for `action` when it says a state ("wide: on"); None: the keymap's.
    pub label: fn(&State, Action) -> Option<String>,
    /// The object its object actions (delete, scale, cordon …) work on.
    pub selected: fn(&State) -> Option<ObjRef>,
    /// The header's second line: what it shows.
    pub header: fn(&State, &Theme) -> Vec<Span<'static>>,
    /// Draw its body into `area`, `now` (Unix seconds) being what ages are measured against.
    pub render: fn(&mut Frame, Rect, &State, &Theme, i64),
    /// States that show it with something to act on: the dead-key test presses every hint there.
    #[cfg(test)]
    pub samples: fn() -> Vec<State>,
}

/// A footer or help hint: an action bound on the screen, its keys, its words, and whether it does
/// something there now (gitui's `commands()`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// The action.
    pub action: Action,
    /// Its key sequences as written ("g g", "ctrl-f"), in keymap order.
    pub keys: Vec<String>,
    /// What the help says.
    pub help: String,
    /// What the footer says (the help's words, or the state of a toggle).
    pub footer_text: String,
    /// The first of its keys the keymap puts in the footer (None: help only).
    pub footer_key: Option<String>,
    /// Whether it does something on the screen now (else neither footer nor help offers it).
    pub applies: bool,
}

/// For fields with nothing to do: no key is taken.
pub fn no_key(_: &mut State, _: &KeyEvent) -> Option<Vec<Effect>> {
    None
}

/// For fields with nothing to do: no input is taken.
pub fn no_input(_: &mut State, input: Input) -> Result<Vec<Effect>, Input> {
    Err(input)
}

/// For fields with nothing to do: no action applies or is explained.
pub fn never(_: &State, _: Action) -> bool {
    false
}

/// For fields with nothing to do: the keymap's words.
pub fn no_label(_: &State, _: Action) -> Option<String> {
    None
}

/// For fields with nothing to do: no object.
pub fn no_object(_: &State) -> Option<ObjRef> {
    None
}

/// For screens not opened by a command.
pub fn no_open(_: &mut State) -> Vec<Effect> {
    vec![]
}

/// The fields a screen has nothing of its own for, to fill the rest of its literal with
/// (`..PLAIN`): no command, no keys or inputs taken, nothing applies, the keymap's words, no object,
/// and an empty header and body (which every screen gives itself).
pub const PLAIN: Screen = Screen {
    name: "",
    shows: |_| false,
    scope: KeyScope::Table,
    commands: &[],
    open: no_open,
    on_key: no_key,
    act: |_, _| None,
    on_input: no_input,
    applies: never,
    explains: never,
    label: no_label,
    selected: no_object,
    header: |_, _| Vec::new(),
    render: |_, _, _, _, _| {},
    #[cfg(test)]
    samples: Vec::new,
};

/// Open the text page `screen` (a [`ViewKind::Page`]) on top of the stack unless it is on show;
/// `esc` goes back to where the user was.
pub fn open_page(state: &mut State, screen: &'static str) -> Vec<Effect> {
    if !matches!(state.top().kind, ViewKind::Page { screen: s, .. } if s == screen) {
        state.stack.push(View::new(ViewKind::Page { screen, scroll: 0 }));
    }
    vec![]
}

/// Scroll a text screen (health, messages) whose first line on screen is `scroll` with a moving
/// action, `page` lines a page; false for any other action. The renderer clamps to the last line.
pub fn scroll(scroll: &mut u16, action: Action, page: usize) -> bool {
    let page = i32::try_from(page).unwrap_or(i32::MAX);
    let by = |s: &mut u16, n: i32| *s = (i32::from(*s) + n).clamp(0, i32::from(u16::MAX)) as u16;
    match action {
        Action::Up => by(scroll, -1),
        Action::Down => by(scroll, 1),
        Action::PageUp => by(scroll, -page),
        Action::PageDown => by(scroll, page),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = u16::MAX,
        _ => return false,
    }
    true
}

/// An overlay's footer hint: a key sequence and what it does.
pub type KeyHint = (Vec<Key>, String);

/// Something over the screen that takes keys before it: a dialog, a question, help, a text line,
/// the live panel, the demo notice. Plain data like [`Screen`], registered in `screens/mod.rs`.
pub struct Overlay {
    /// Its name, for tests.
    pub name: &'static str,
    /// Whether it is up.
    pub open: fn(&State) -> bool,
    /// A key while it is up; None: the key goes on to what is under it.
    pub on_key: fn(&mut State, &KeyEvent) -> Option<Vec<Effect>>,
    /// Draw it over the body.
    pub render: fn(&mut Frame, Rect, &State, &Theme),
    /// Draw its own bottom line (a question, a text line being typed); false: it has none.
    pub footer: fn(&mut Frame, Rect, &State, &Theme) -> bool,
    /// The footer's hints while it is up, when it takes every key (so the screen's would do
    /// nothing): its key sequences and words. None: keys reach the screen, whose hints stand.
    pub hints: fn(&State) -> Option<Vec<KeyHint>>,
    /// A screen action whose key it takes while up, and what that key does then (the footer says
    /// so instead of the screen's word).
    pub instead: fn(&State, Action) -> Option<&'static str>,
    /// States with it up: the overlay test presses its hints there.
    #[cfg(test)]
    pub samples: fn() -> Vec<State>,
}
