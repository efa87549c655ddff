//! The log view's state: a bounded ring of lines from one or many sources, the filtered positions,
//! follow/scroll, search, and display toggles. Pure: keys and log events in, effects out.

pub mod format;
pub mod glue;
pub mod keys;
pub mod ring;

use std::collections::VecDeque;

use ratatui_textarea::TextArea;
use regex::Regex;

use crate::cluster::logs::{Event, Line, Params, SourceState, Target};
use ring::Ring;

/// One container of one pod whose lines the view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// How its stream is doing.
    pub state: SourceState,
}

/// How JSON lines are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonMode {
    /// As the container wrote them.
    #[default]
    Raw,
    /// `key=value` columns, level first.
    Fields,
    /// Indented over several rows.
    Indented,
}

/// What the log view's input line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// A search pattern (highlight, n/N).
    Search,
    /// Keep only lines matching this regex.
    Include,
    /// Hide lines matching this regex.
    Exclude,
    /// Where to start: tail N lines, since a duration, or all.
    Start,
    /// Save what is shown (filtered) to this path.
    SaveShown,
    /// Save the whole buffer to this path.
    SaveAll,
}

impl Prompt {
    /// The label before the input.
    pub fn label(self) -> &'static str {
        match self {
            Prompt::Search => "search: ",
            Prompt::Include => "include regex: ",
            Prompt::Exclude => "exclude regex: ",
            Prompt::Start => "start (tail lines, since 5m/2h/1d, or all): ",
            Prompt::SaveShown => "save shown lines to: ",
            Prompt::SaveAll => "save whole buffer to: ",
        }
    }
}

/// A fresh session number (one counter for every kind of session): events of older sessions are ignored.
pub use crate::app::effect::next_session;

/// The log view.
#[derive(Debug, Clone)]
pub struct LogView {
    /// What it reads.
    pub target: Target,
    /// How it reads.
    pub params: Params,
    /// The session its events are tagged with.
    pub session: u64,
    /// Sources by index.
    pub sources: Vec<Source>,
    /// The target failed as a whole (not found, forbidden, no selector).
    pub error: Option<String>,
    /// The lines.
    pub ring: Ring,
    /// With a filter: sequence numbers of the lines that pass, in order.
    pub shown: Option<VecDeque<u64>>,
    /// Include filter (text, compiled).
    pub include: Option<(String, Regex)>,
    /// Exclude filter (text, compiled).
    pub exclude: Option<(String, Regex)>,
    /// Search pattern (text, compiled).
    pub search: Option<(String, Regex)>,
    /// Stick to the newest line.
    pub follow: bool,
    /// Shown lines that arrived while not following.
    pub unseen: u64,
    /// Selected line (sequence number).
    pub cursor: u64,
    /// First line on screen when not following (sequence number).
    pub top: u64,
    /// Start of a selection for copying.
    pub mark: Option<u64>,
    /// Show the timestamps.
    pub timestamps: bool,
    /// Wrap long lines.
    pub wrap: bool,
    /// Show the pod/container prefix (on by default with several sources).
    pub prefix: Option<bool>,
    /// JSON drawing.
    pub json: JsonMode,
    /// Horizontal scroll in characters (when not wrapping).
    pub hscroll: usize,
    /// An open input line.
    pub prompt: Option<(Prompt, TextArea<'static>)>,
}

impl LogView {
    /// A view waiting for its first lines.
    pub fn new(target: Target, params: Params, session: u64) -> LogView {
        LogView {
            target,
            params,
            session,
            sources: Vec::new(),
            error: None,
            ring: Ring::default(),
            shown: None,
            include: None,
            exclude: None,
            search: None,
            follow: true,
            unseen: 0,
            cursor: 0,
            top: 0,
            mark: None,
            timestamps: false,
            wrap: false,
            prefix: None,
            json: JsonMode::Raw,
            hscroll: 0,
            prompt: None,
        }
    }

    /// Start over with new parameters and a new session (same filters and toggles).
    pub fn restart(&mut self, params: Params, session: u64) {
        let capacity = self.ring.capacity();
        *self = LogView {
            target: self.target.clone(),
            params,
            session,
            ring: Ring::new(capacity),
            shown: self.shown.as_ref().map(|_| VecDeque::new()),
            include: self.include.take(),
            exclude: self.exclude.take(),
            search: self.search.take(),
            timestamps: self.timestamps,
            wrap: self.wrap,
            prefix: self.prefix,
            json: self.json,
            ..LogView::new(self.target.clone(), Params::default(), session)
        };
    }

    /// Whether the prefix is drawn.
    pub fn show_prefix(&self) -> bool {
        self.prefix.unwrap_or(self.sources.len() > 1)
    }

    /// Apply events of this view's session.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Source { id, pod, container } => {
                let id = id as usize;
                if self.sources.len() <= id {
                    self.sources.resize(
                        id + 1,
                        Source {
                            pod: String::new(),
                            container: String::new(),
                            state: SourceState::Waiting(String::new()),
                        },
                    );
                }
                self.sources[id] = Source {
                    pod,
                    container,
                    state: SourceState::Waiting("connecting".into()),
                };
            }
            Event::State { id, state } => {
                if let Some(s) = self.sources.get_mut(id as usize) {
                    // Gone is final: a late "ended" from the reader does not revive it.
                    if s.state != SourceState::Gone {
                        s.state = state;
                    }
                }
            }
            Event::Target(e) => self.error = e,
            Event::Lines(lines) => {
                for line in lines {
                    self.push(line);
                }
                let first = self.ring.first();
                if let Some(shown) = &mut self.shown {
                    while shown.front().is_some_and(|&s| s < first) {
                        shown.pop_front();
                    }
                }
                if self.follow {
                    self.cursor = self.last().unwrap_or(first);
                }
                self.cursor = self.cursor.max(first);
                self.top = self.top.max(first);
                self.mark = self.mark.map(|m| m.max(first));
            }
        }
    }

    fn push(&mut self, line: Line) {
        let pass = self.passes(&line);
        let seq = self.ring.total();
        self.ring.push(line);
        if let Some(shown) = &mut self.shown
            && pass
        {
            shown.push_back(seq);
        }
        if pass && !self.follow {
            self.unseen += 1;
        }
    }

    /// Whether a line passes the include and exclude filters.
    pub fn passes(&self, line: &Line) -> bool {
        self.include.as_ref().is_none_or(|(_, r)| r.is_match(&line.text))
            && self.exclude.as_ref().is_none_or(|(_, r)| !r.is_match(&line.text))
    }

    /// Recompute the filtered positions after a filter changed.
    pub fn refilter(&mut self) {
        if self.include.is_none() && self.exclude.is_none() {
            self.shown = None;
        } else {
            let shown = self
                .ring
                .iter()
                .filter(|(_, l)| self.passes(l))
                .map(|(s, _)| s)
                .collect();
            self.shown = Some(shown);
        }
        let idx = self.index_of(self.cursor);
        self.cursor = self.seq_at(idx).unwrap_or(self.ring.first());
        self.top = self.cursor;
        if self.follow {
            self.cursor = self.last().unwrap_or(self.ring.first());
        }
    }

    /// Number of lines shown (after filters).
    pub fn len(&self) -> usize {
        match &self.shown {
            Some(s) => s.len(),
            None => self.ring.len(),
        }
    }

    /// Whether nothing is shown.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sequence number of the `i`th shown line.
    pub fn seq_at(&self, i: usize) -> Option<u64> {
        match &self.shown {
            Some(s) => s.get(i).copied(),
            None => (i < self.ring.len()).then(|| self.ring.first() + i as u64),
        }
    }

    /// Index among shown lines of the first one at or after `seq` (the last one when past the end).
    pub fn index_of(&self, seq: u64) -> usize {
        let i = match &self.shown {
            Some(s) => s.partition_point(|&x| x < seq),
            None => seq.saturating_sub(self.ring.first()) as usize,
        };
        i.min(self.len().saturating_sub(1))
    }

    /// The newest shown line.
    pub fn last(&self) -> Option<u64> {
        self.len().checked_sub(1).and_then(|i| self.seq_at(i))
    }

    /// Move the cursor by `delta` shown lines; moving stops following.
    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.is_empty() {
            return;
        }
        let i = self.index_of(self.cursor) as isize;
        let target = (i + delta).clamp(0, self.len() as isize - 1) as usize;
        self.set_cursor(target, page);
    }

    /// Put the cursor on shown line `i` and scroll it into view; stops following.
    pub fn set_cursor(&mut self, i: usize, page: usize) {
        self.hold(page);
        self.cursor = self.seq_at(i).unwrap_or(self.ring.first());
        let top = self.index_of(self.top);
        if i < top {
            self.top = self.cursor;
        } else if i >= top + page.max(1) {
            self.top = self.seq_at(i + 1 - page.max(1)).unwrap_or(self.cursor);
        }
    }

    /// Stop following; the page that was on screen stays on screen.
    pub fn hold(&mut self, page: usize) {
        if self.follow {
            self.follow = false;
            self.unseen = 0;
            let bottom = self.len().saturating_sub(page.max(1));
            self.top = self.seq_at(bottom).unwrap_or(self.ring.first());
            self.cursor = self.last().unwrap_or(self.ring.first());
        }
    }

    /// Stick to the bottom again.
    pub fn follow_on(&mut self) {
        self.follow = true;
        self.unseen = 0;
        self.cursor = self.last().unwrap_or(self.ring.first());
    }

    /// Jump to the next (or previous) shown line matching the search, wrapping around at the end
    /// (or start) as less and vim do; centred for context.
    pub fn find(&mut self, forward: bool, from_inclusive: bool, page: usize) -> Found {
        let Some((_, re)) = &self.search else { return Found::No };
        let n = self.len();
        if n == 0 {
            return Found::No;
        }
        let start = self.index_of(self.cursor);
        let hit = |i: usize| {
            self.seq_at(i)
                .and_then(|s| self.ring.get(s))
                .is_some_and(|l| re.is_match(&l.text))
        };
        let (found, wrapped) = if forward {
            let from = if from_inclusive { start } else { start + 1 };
            match (from..n).find(|&i| hit(i)) {
                Some(i) => (Some(i), false),
                None => ((0..from.min(n)).find(|&i| hit(i)), true),
            }
        } else {
            let to = if from_inclusive { start + 1 } else { start };
            match (0..to).rev().find(|&i| hit(i)) {
                Some(i) => (Some(i), false),
                None => ((to..n).rev().find(|&i| hit(i)), true),
            }
        };
        let Some(i) = found else { return Found::No };
        self.set_cursor(i, page);
        let half = page / 2;
        self.top = self.seq_at(i.saturating_sub(half)).unwrap_or(self.cursor);
        if wrapped { Found::Wrapped } else { Found::Yes }
    }

    /// The shown lines between the mark and the cursor (or the cursor line), oldest first.
    pub fn selection(&self) -> Vec<u64> {
        if self.is_empty() {
            return vec![];
        }
        let c = self.index_of(self.cursor);
        let m = self.mark.map_or(c, |m| self.index_of(m));
        (c.min(m)..=c.max(m)).filter_map(|i| self.seq_at(i)).collect()
    }
}

/// What a search jump found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A match on the way.
    Yes,
    /// A match only after wrapping past the end (or start).
    Wrapped,
    /// No shown line matches.
    No,
}

impl PartialEq for LogView {
    /// Two log views are the same view when they read the same session.
    fn eq(&self, other: &Self) -> bool {
        self.session == other.session
    }
}

/// Compile a pattern typed in the log view: smart case, spaces kept, an invalid regex refused with
/// the reason (a filter or search in force stays rather than silently changing meaning).
pub fn compile(text: &str) -> Result<Option<(String, Regex)>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let re = crate::app::pattern::compile(text, crate::app::pattern::Case::Smart)?;
    Ok(Some((text.to_string(), re)))
}

#[cfg(test)]
mod tests;
