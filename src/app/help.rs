//! The help overlay as data: its entries (this screen's keys, then the global ones), its command
//! lines, and its keys: the screen's own scrolling keys scroll it; help, back or quit close it.

use crossterm::event::{KeyCode, KeyEvent};

use super::action::{ALIASES, Action};
use super::effect::Effect;
use super::keys::Match;
use super::state::State;

/// The help entries of the screen on show: every action bound here that does something on it
/// (less the mutating ones in read-only mode), its keys and its description, in keymap order.
pub fn entries(state: &State) -> Vec<(Vec<String>, String)> {
    let hints = crate::screens::hints(state).into_iter().filter(|h| h.applies);
    hints.map(|h| (h.keys, h.help)).collect()
}

/// The command syntax under the keys: every screen by its shortest alias (kubectl's short name).
pub fn commands() -> Vec<String> {
    let mut kinds = Vec::new();
    let mut aliases = Vec::new();
    for (alias, kind) in ALIASES {
        if !kinds.contains(kind) {
            kinds.push(*kind);
            aliases.push(*alias);
        }
    }
    vec![
        // Short enough lines for 80 columns.
        format!(":{} [namespace|all]", aliases.join(" :")),
        ":cp (control plane)   :ctx [name]   :msg (messages)   :exec CMD   :q".into(),
        "after :   tab completes (again: next name)   ↑ ↓ earlier commands".into(),
        "/regex   /!regex (invert)   /-l app=web,tier!=db (labels)".into(),
    ]
}

/// Lines of the help text: the entries in two columns, a blank line, the commands.
pub fn line_count(state: &State) -> usize {
    entries(state).len().div_ceil(2) + 1 + commands().len()
}

/// The first line help can start at with `rows` on screen, so the last page stays full.
pub fn max_scroll(state: &State, rows: usize) -> u16 {
    u16::try_from(line_count(state).saturating_sub(rows)).unwrap_or(u16::MAX)
}

/// A key while help is open.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let (typed, found) = state.lookup_typed(crate::screens::key_scope(state), &key, crate::screens::applies);
    // The help overlay takes the body of the screen less its frame: the table's rows plus one.
    let rows = state.page_rows + 1;
    let max = max_scroll(state, rows);
    let page = u16::try_from(state.page_rows).unwrap_or(u16::MAX);
    let scroll = &mut state.help_scroll;
    match found {
        _ if key.code == KeyCode::Esc => state.help = false,
        Match::Action(Action::Help | Action::Back | Action::Quit) => state.help = false,
        Match::Action(Action::Down) => *scroll = scroll.saturating_add(1).min(max),
        Match::Action(Action::Up) => *scroll = scroll.saturating_sub(1),
        Match::Action(Action::PageDown) => *scroll = scroll.saturating_add(page).min(max),
        Match::Action(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Match::Action(Action::Top) => *scroll = 0,
        Match::Action(Action::Bottom) => *scroll = max,
        Match::Prefix => state.pending_keys = typed,
        _ => {}
    }
    vec![]
}
