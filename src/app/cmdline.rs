//! What the `:` command line remembers: the earlier commands `Up`/`Down` recall (kept for the
//! session; the loop saves them across runs through `crate::history`) and the candidates of the
//! last `Tab`. Plain data; the keys are `super::prompt`'s.

/// Commands the history keeps (the oldest go first), in the session and on disk.
pub const HISTORY_KEPT: usize = 200;

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
