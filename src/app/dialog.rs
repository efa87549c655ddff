//! Dialogs and panels of the workload actions: plain data the update functions change and the ui draws.

use ratatui_textarea::TextArea;

use crate::cluster::ops::drain::Line;
use crate::cluster::ops::history::{DiffLine, History};
use crate::cluster::ops::{ObjRef, Op, Propagation};

/// What the session may do to the cluster. The config file (per context) and `--readonly` set these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Safety {
    /// No mutating action is offered or sent.
    pub readonly: bool,
    /// The context is protected: destructive actions need the object's name typed.
    pub protected: bool,
}

/// The scale dialog.
#[derive(Debug, Clone)]
pub struct ScaleDialog {
    /// What is scaled.
    pub target: ObjRef,
    /// `spec.replicas` now (None until fetched).
    pub current: Option<i64>,
    /// Why the new count may not stick (HPA, GitOps).
    pub warnings: Vec<String>,
    /// The desired count as typed.
    pub input: TextArea<'static>,
    /// What was wrong with the last Enter.
    pub error: Option<String>,
}

/// The first step of a delete: cascade and grace period.
#[derive(Debug, Clone)]
pub struct DeleteDialog {
    /// What is deleted.
    pub target: ObjRef,
    /// Dependents (tab cycles).
    pub propagation: Propagation,
    /// Grace period in seconds as typed (empty: the object's default).
    pub grace: TextArea<'static>,
    /// What was wrong with the last Enter.
    pub error: Option<String>,
    /// The other marked objects deleted with `target` (same kind, same choices).
    pub more: Vec<ObjRef>,
}

/// The last step before a request is sent.
#[derive(Debug, Clone)]
pub struct Confirm {
    /// The object.
    pub target: ObjRef,
    /// What will be done.
    pub op: Op,
    /// Lines naming object, namespace, context, and warnings.
    pub lines: Vec<String>,
    /// For a rollback: the template diff it applies.
    pub diff: Vec<DiffLine>,
    /// In a protected context, for a destructive op: the name as typed so far.
    pub typed: Option<TextArea<'static>>,
    /// What was wrong with the last Enter.
    pub error: Option<String>,
    /// The other objects the op goes to (marked rows), each reported on its own.
    pub more: Vec<ObjRef>,
}

impl Confirm {
    /// What a protected context wants typed: the name, or for several objects their number.
    pub fn expected(&self) -> String {
        if self.more.is_empty() {
            self.target.name.clone()
        } else {
            (self.more.len() + 1).to_string()
        }
    }
}

/// A modal dialog.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// Which container (and, for a debug container, which image).
    Container(super::pick::ContainerDialog),
    /// Desired replicas.
    Scale(ScaleDialog),
    /// Cascade and grace period.
    Delete(DeleteDialog),
    /// Yes/no, or type the name.
    Confirm(Confirm),
    /// Local address and ports of a port-forward.
    PortForward(Box<super::forwards::PfDialog>),
}

/// A live panel over the bottom of the screen: rollout status or drain progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// What it follows.
    pub kind: PanelKind,
    /// The object followed.
    pub target: ObjRef,
    /// "rollout status deployment.apps/web".
    pub title: String,
    /// Lines so far; keyed lines are replaced in place (countdowns).
    pub lines: Vec<Line>,
    /// Ended.
    pub done: bool,
    /// Ended badly.
    pub failed: bool,
    /// The first line on screen when scrolled back; None follows the newest lines.
    pub scroll: Option<usize>,
}

/// What a panel follows: it decides which reports reach it and whether closing it stops a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// `rollout status`, followed by a session that closing the panel stops.
    Rollout,
    /// A drain's progress; the drain goes on when the panel closes.
    Drain,
}

/// Lines of a panel on screen at most: it covers the bottom of the table, not all of it.
pub const PANEL_ROWS: usize = 8;

impl Panel {
    /// The first line on screen.
    pub fn first_shown(&self) -> usize {
        let last_page = self.lines.len().saturating_sub(PANEL_ROWS);
        self.scroll.map_or(last_page, |s| s.min(last_page))
    }

    /// Scroll through the panel's lines with a moving key; false for any other action. Scrolling
    /// down to the newest lines follows them again.
    pub fn act(&mut self, action: super::Action) -> bool {
        use super::Action::*;
        let last_page = self.lines.len().saturating_sub(PANEL_ROWS);
        let first = self.first_shown();
        let to = match action {
            Up => first.saturating_sub(1),
            Down => first + 1,
            PageUp => first.saturating_sub(PANEL_ROWS),
            PageDown => first + PANEL_ROWS,
            Top => 0,
            Bottom => last_page,
            _ => return false,
        };
        self.scroll = (to < last_page).then_some(to);
        true
    }

    /// Add a line, replacing an earlier one with the same key.
    pub fn push(&mut self, line: Line) {
        if let Some(k) = &line.key
            && let Some(old) = self.lines.iter_mut().find(|l| l.key.as_ref() == Some(k))
        {
            *old = line;
            return;
        }
        self.lines.push(line);
    }
}

/// What the history view holds.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryBody {
    /// Listing.
    Loading,
    /// The server's error.
    Failed(String),
    /// The revisions.
    Ready(History),
}

/// The rollout history screen of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    /// The workload.
    pub target: ObjRef,
    /// Its revisions.
    pub body: HistoryBody,
    /// Selected revision (index, newest first).
    pub cursor: usize,
    /// First diff line shown.
    pub diff_scroll: usize,
}

impl HistoryView {
    /// A history view waiting for its data.
    pub fn loading(target: ObjRef) -> HistoryView {
        HistoryView {
            target,
            body: HistoryBody::Loading,
            cursor: 0,
            diff_scroll: 0,
        }
    }

    /// The selected revision.
    pub fn selected(&self) -> Option<&crate::cluster::ops::history::Revision> {
        match &self.body {
            HistoryBody::Ready(h) => h.revisions.get(self.cursor),
            _ => None,
        }
    }

    /// The diff of the selected revision against the live template.
    pub fn diff(&self) -> Vec<DiffLine> {
        match (&self.body, self.selected()) {
            (HistoryBody::Ready(h), Some(r)) => crate::cluster::ops::history::diff(&h.live, &r.template, r.number),
            _ => Vec::new(),
        }
    }

    /// Move the cursor or scroll the diff; false when the key is not the view's.
    pub fn on_key(&mut self, key: &crossterm::event::KeyEvent) -> bool {
        use crossterm::event::KeyCode;
        let n = match &self.body {
            HistoryBody::Ready(h) => h.revisions.len(),
            _ => 0,
        };
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => {
                self.cursor = (self.cursor + 1).min(n.saturating_sub(1));
                self.diff_scroll = 0;
            }
            KeyCode::Char('k') | KeyCode::Up => {
                self.cursor = self.cursor.saturating_sub(1);
                self.diff_scroll = 0;
            }
            KeyCode::PageDown | KeyCode::Char('J') => self.diff_scroll += 10,
            KeyCode::PageUp | KeyCode::Char('K') => self.diff_scroll = self.diff_scroll.saturating_sub(10),
            _ => return false,
        }
        true
    }
}
