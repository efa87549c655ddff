//! The `:` command line: its keys, the earlier commands `Up`/`Down` recall (kept for the session;
//! the loop saves them across runs through `crate::history`), and `Tab` completion of the command
//! word from kubedeck's own commands and the registry's names. Plain data and pure functions.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::ALIASES;
use super::effect::Effect;
use super::nav::text_line;
use super::state::{Mode, State};

/// Commands the history keeps (the oldest go first), in the session and on disk.
pub const HISTORY_KEPT: usize = 200;

/// kubedeck's commands that are no screen's and no kind's (those come from the screens and
/// [`ALIASES`]); `run_command` understands each.
const OWN: &[&str] = &["q", "quit", "ctx", "context", "contexts", "help"];

/// What the command line remembers between keys and between commands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CmdLine {
    /// Commands run, oldest first, each once (running one again moves it to the end).
    pub history: Vec<String>,
    /// Commands run since the loop last saved (it takes them).
    pub unsaved: Vec<String>,
    /// While `Up`/`Down` recall: the entry in the line, and what was typed before the first `Up`
    /// (only entries starting with it are recalled, and `Down` past the newest gives it back).
    pub recall: Option<(usize, String)>,
    /// The candidates of the last `Tab` (shown over the screen's last line).
    pub completion: Option<Completion>,
}

/// The names a `Tab` found for the word typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    /// What the line held after the first `Tab` (the common prefix), back after the last candidate.
    pub typed: String,
    /// Matching names: kubedeck's own commands first, then the server's.
    pub candidates: Vec<String>,
    /// The candidate in the line while `Tab` cycles (None: `typed`).
    pub selected: Option<usize>,
    /// The server's resource list is not there yet: only kubedeck's own commands were looked at.
    pub without_registry: bool,
}

impl CmdLine {
    /// Keep `line` as the newest command (a repeat moves to the end); the oldest go past the bound.
    pub fn remember(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() {
            return;
        }
        self.history.retain(|h| h != line);
        self.history.push(line.to_string());
        let over = self.history.len().saturating_sub(HISTORY_KEPT);
        self.history.drain(..over);
        self.unsaved.push(line.to_string());
    }

    /// The line was edited: recall and completion start afresh from what it holds now.
    pub fn edited(&mut self) {
        self.recall = None;
        self.completion = None;
    }
}

/// A key while the command line is open (`ta` taken out of the mode; put back unless it closes).
pub fn on_key(state: &mut State, mut ta: TextArea<'static>, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            state.cmdline.edited();
            return vec![];
        }
        KeyCode::Enter => {
            state.cmdline.edited();
            let line = ta.lines().join(" ");
            state.cmdline.remember(&line);
            return super::update::run_command(state, line.trim());
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
    vec![]
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
#[path = "cmdline_tests.rs"]
mod tests;
