//! The `:` command line's keys: `Enter` runs it, `Up`/`Down` recall earlier commands starting with
//! what is typed, `Tab` completes the command word from kubedeck's own commands (which win) and the
//! registry's names, listing the candidates and stepping through them when pressed again.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::ALIASES;
use super::cmdline::Completion;
use super::nav::text_line;
use super::state::{Mode, State};

/// kubedeck's commands that are no screen's and no kind's (those come from the screens and
/// [`ALIASES`]); `run_command` understands each.
const OWN: &[&str] = &["q", "quit", "ctx", "context", "contexts", "help", "xray", "exec"];

/// A key while the command line is open (`ta` taken out of the mode; put back unless it closes):
/// the line to run when it is `Enter` (remembered in the history).
pub fn on_key(state: &mut State, mut ta: TextArea<'static>, key: KeyEvent) -> Option<String> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            state.cmdline.edited();
            return None;
        }
        KeyCode::Enter => {
            state.cmdline.edited();
            let line = ta.lines().join(" ");
            state.cmdline.remember(&line);
            return Some(line.trim().to_string());
        }
        KeyCode::Tab => complete(state, &mut ta, true),
        KeyCode::BackTab => complete(state, &mut ta, false),
        KeyCode::Up => recall(state, &mut ta, true),
        KeyCode::Char('p') if ctrl => recall(state, &mut ta, true),
        KeyCode::Down => recall(state, &mut ta, false),
        KeyCode::Char('n') if ctrl => recall(state, &mut ta, false),
        _ => {
            ta.input(key);
            state.cmdline.edited();
        }
    }
    state.mode = Mode::Command(ta);
    None
}

/// `Up` (`older`) or `Down`: the next earlier or later command starting with what was typed.
fn recall(state: &mut State, ta: &mut TextArea<'static>, older: bool) {
    let line = &mut state.cmdline;
    let (at, typed) = line
        .recall
        .take()
        .unwrap_or_else(|| (line.history.len(), ta.lines().join(" ")));
    let starts = |i: &usize| line.history[*i].starts_with(typed.as_str());
    let next = if older {
        (0..at).rev().find(starts)
    } else {
        (at + 1..line.history.len()).find(starts)
    };
    line.completion = None;
    match next {
        Some(i) => {
            *ta = text_line(&line.history[i]);
            line.recall = Some((i, typed));
        }
        // Past the newest: back to what was typed.
        None if !older => *ta = text_line(&typed),
        // Nothing older: stay on the oldest match.
        None => line.recall = Some((at, typed)),
    }
}

/// `Tab` (`forward`) or `Shift-Tab`: complete the command word as far as the candidates agree and
/// list them; pressed again, put each candidate in the line in turn.
fn complete(state: &mut State, ta: &mut TextArea<'static>, forward: bool) {
    state.cmdline.recall = None;
    if let Some(c) = &mut state.cmdline.completion
        && c.candidates.len() > 1
    {
        let n = c.candidates.len();
        c.selected = match (c.selected, forward) {
            (None, true) => Some(0),
            (None, false) => Some(n - 1),
            (Some(i), true) => (i + 1 < n).then_some(i + 1),
            (Some(i), false) => i.checked_sub(1),
        };
        *ta = text_line(c.selected.map_or(&c.typed, |i| &c.candidates[i]));
        return;
    }
    let typed = ta.lines().join(" ");
    // Only the command word completes: after it come a namespace or a context name.
    if typed.contains(char::is_whitespace) {
        return;
    }
    let candidates = candidates(state, &typed);
    let without_registry = state.discovery.registry.is_none();
    if let [only] = candidates.as_slice() {
        *ta = text_line(only);
        state.cmdline.completion = None;
        return;
    }
    let common = common_prefix(&candidates);
    let typed = if common.len() > typed.len() { common } else { typed };
    *ta = text_line(&typed);
    state.cmdline.completion = Some(Completion {
        typed,
        candidates,
        selected: None,
        without_registry,
    });
}

/// kubedeck's own command words (screens, kinds, the rest), sorted, each once.
pub fn own_commands() -> Vec<&'static str> {
    let screens = crate::screens::SCREENS.iter().flat_map(|s| s.commands.iter().copied());
    let mut out: Vec<&str> = screens
        .chain(ALIASES.iter().map(|(a, _)| *a))
        .chain(OWN.iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The names starting with `typed` (any case): kubedeck's own commands first, as they win over
/// the server's names, then the registry's.
pub fn candidates(state: &State, typed: &str) -> Vec<String> {
    let typed = typed.to_ascii_lowercase();
    let mut out: Vec<String> = own_commands()
        .into_iter()
        .filter(|c| c.starts_with(&typed))
        .map(str::to_string)
        .collect();
    let own = out.len();
    if let Some(registry) = &state.discovery.registry {
        for name in registry.names() {
            if name.starts_with(&typed) && !out[..own].contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The longest prefix every name shares.
fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut len = first.len();
    for n in &names[1..] {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_string()
}

#[cfg(test)]
#[path = "prompt_tests.rs"]
mod tests;
