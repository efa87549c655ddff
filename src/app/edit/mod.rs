//! Editing an object's YAML inside kubedeck, safely: the editor's state as plain data, the requests
//! it makes and the answers it gets. The steps of a save (check, dry run, diff, confirm, PUT with the
//! fetched resourceVersion, 409 handling) are in [`flow`]; the text and the object in [`yaml`]; the
//! re-apply after a conflict in [`merge`].

pub mod apply;
pub mod flow;
pub mod image;
pub mod merge;
pub mod yaml;

use std::time::Instant;

use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;
use serde_json::Value;

use crate::cluster::ops::ObjRef;
use crate::cluster::ops::history::DiffLine;

/// What the editor is doing.
#[derive(Debug, Clone)]
pub enum Stage {
    /// The fresh GET is under way.
    Loading,
    /// The GET failed: the server's words.
    Failed(String),
    /// The user edits the text.
    Editing,
    /// An unsaved edit of this object was found on disk: restore it or drop it?
    Recovered(String),
    /// The server-side dry run of this object is under way.
    Checking(Value),
    /// The dry run passed: the diff against the live object waits for a yes.
    Review(Box<Review>),
    /// The PUT of this object is under way.
    Applying(Value),
    /// The object changed on the server since the edit began (409).
    Conflict(Conflict),
    /// Closing with changes: discard them?
    Closing,
}

/// The confirmation of a save.
#[derive(Debug, Clone)]
pub struct Review {
    /// Live object → the dry run's result.
    pub diff: Vec<DiffLine>,
    /// The dry run's result: what the server would store.
    pub stored: Value,
    /// What the PUT will send.
    pub send: Value,
    /// First diff line shown.
    pub scroll: usize,
    /// In a protected context: the object's name as typed so far.
    pub typed: Option<TextArea<'static>>,
    /// The name to type in a protected context.
    pub confirm: String,
}

/// A 409 and what the server has now.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The object as it is on the server now.
    pub fresh: Value,
    /// Opened → fresh: what changed on the server since the edit began.
    pub diff: Vec<DiffLine>,
    /// First diff line shown.
    pub scroll: usize,
}

/// The editor screen: one object, its text and where the save stands.
#[derive(Debug, Clone)]
pub struct Editor {
    /// The object edited.
    pub target: ObjRef,
    /// The context it lives in (names the recovery file).
    pub context: String,
    /// What it is doing.
    pub stage: Stage,
    /// The object as fetched when the edit began (managedFields included).
    pub opened: Value,
    /// The lines the editor opened with (the text is modified when it differs).
    pub original: Vec<String>,
    /// The text.
    pub area: TextArea<'static>,
    /// The search being typed, if any.
    pub search: Option<TextArea<'static>>,
    /// The last search committed.
    pub pattern: String,
    /// What the last save attempt or search has to say (an error in red, or a note).
    pub message: Option<(String, bool)>,
    /// When the text was last written to the recovery file.
    pub kept_at: Option<Instant>,
    /// Opened with `E`: the text goes to the outside editor once fetched.
    pub external: bool,
    /// A Secret's values shown in the diffs (`x`); masked until asked.
    pub reveal: bool,
    /// Opened by `:apply`: new objects, server-side applied.
    pub apply: bool,
    /// What `:apply` applies, as the last save read it.
    pub docs: Vec<(ObjRef, Value)>,
    /// Opened by `i`: the one line `NAME=IMAGE …` of `kubectl set image`, sent as its patch.
    pub set_image: bool,
}

impl PartialEq for Editor {
    /// The same object, opened at the same version, with the same text (the widget has no equality).
    fn eq(&self, other: &Editor) -> bool {
        self.target == other.target && self.opened == other.opened && self.area.lines() == other.area.lines()
    }
}

impl Editor {
    /// An editor waiting for the object.
    pub fn loading(target: ObjRef, context: &str) -> Editor {
        Editor {
            target,
            context: context.to_string(),
            stage: Stage::Loading,
            opened: Value::Null,
            original: Vec::new(),
            area: TextArea::default(),
            search: None,
            pattern: String::new(),
            message: None,
            kept_at: None,
            external: false,
            reveal: false,
            apply: false,
            docs: Vec::new(),
            set_image: false,
        }
    }

    /// Start editing `object` (its text as `kubectl edit` shows it).
    pub fn open(&mut self, object: Value) {
        let text = yaml::editable(&object);
        self.original = text.lines().map(str::to_string).collect();
        self.opened = object;
        self.set_text(&text);
        self.stage = Stage::Editing;
    }

    /// Replace the text (the cursor at the top, history cleared).
    pub fn set_text(&mut self, text: &str) {
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.set_hard_tab_indent(false);
        area.set_tab_length(2);
        // The theme colours the drawn cells (ui::views::editor); the widget's own styles stay plain
        // so that the cursor and search matches stand out whatever the theme.
        area.set_line_number_style(Style::default().add_modifier(Modifier::DIM));
        area.set_cursor_line_style(Style::default());
        area.set_search_style(Style::default().add_modifier(Modifier::REVERSED));
        if !self.pattern.is_empty() {
            let _ = area.set_search_pattern(regex::escape(&self.pattern));
        }
        self.area = area;
    }

    /// The text as it stands.
    pub fn text(&self) -> String {
        let mut t = self.area.lines().join("\n");
        t.push('\n');
        t
    }

    /// Whether the text differs from what was opened.
    pub fn modified(&self) -> bool {
        self.area.lines() != self.original.as_slice()
    }

    /// Put the cursor on a problem's line and column and say what it is; the text stays as it is.
    pub fn show_problem(&mut self, p: &yaml::Problem) {
        if let Some((line, col)) = p.at {
            let row = u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX);
            let col = u16::try_from(col.saturating_sub(1)).unwrap_or(u16::MAX);
            self.area.move_cursor(ratatui_textarea::CursorMove::Jump(row, col));
        }
        self.message = Some((p.text(), true));
    }

    /// A Secret: its text never goes to disk (no recovery file).
    pub fn secret(&self) -> bool {
        self.target.kind.group().is_empty() && self.target.kind.name() == "Secret"
    }
}

/// A request of the editor to the cluster or the disk, performed by the `edit` session.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// GET the object fresh (as a DynamicObject: every field kept) and read its recovery file.
    Fetch {
        /// The object.
        target: ObjRef,
        /// Its context (names the recovery file).
        context: String,
    },
    /// PUT with `dryRun=All`.
    DryRun {
        /// The object.
        target: ObjRef,
        /// What would be sent.
        object: Value,
    },
    /// PUT for real; a 409 is answered with the fresh object.
    Apply {
        /// The object.
        target: ObjRef,
        /// What is sent (with the fetched resourceVersion).
        object: Value,
    },
    /// Write the text to the recovery file (mode 0600); never for a Secret.
    Keep {
        /// The object.
        target: ObjRef,
        /// Its context.
        context: String,
        /// The text.
        text: String,
    },
    /// A strategic merge patch (`kubectl set image`); answered as a dry run or a PUT is.
    Patch {
        /// The object.
        target: ObjRef,
        /// The patch.
        patch: Value,
        /// A dry run.
        dry: bool,
    },
    /// Server-side apply each document in order (field manager `kubedeck`).
    ApplyDocs {
        /// The objects and what to apply to each.
        docs: Vec<(ObjRef, Value)>,
        /// A dry run.
        dry: bool,
    },
    /// Remove the recovery file (applied or discarded).
    Forget {
        /// The object.
        target: ObjRef,
        /// Its context.
        context: String,
    },
}

impl Request {
    /// Whether it sends a write request (a dry run counts).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Request::DryRun { .. } | Request::Apply { .. } | Request::ApplyDocs { .. } | Request::Patch { .. }
        )
    }
}

/// How the server refused a write, in words (kubectl's line, then each cause with its field).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The words.
    pub text: String,
    /// A 409: the object changed on the server; the fresh object when it could be read.
    pub conflict: Option<Result<Value, String>>,
    /// The fields the server's causes name (a 422's), first first.
    pub fields: Vec<String>,
}

/// One document's server-side apply.
#[derive(Debug, Clone, PartialEq)]
pub struct DocResult {
    /// The object.
    pub target: ObjRef,
    /// It as it was (None: it did not exist).
    pub before: Option<Value>,
    /// It as stored (or as it would be), or the refusal.
    pub result: Result<Value, Refusal>,
}

/// The answer to a [`Request`].
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The object, and the text of an unsaved edit found on disk.
    Fetched {
        /// The object.
        target: ObjRef,
        /// The object or the server's error.
        result: Result<Value, String>,
        /// The recovery file's text, if there was one.
        recovered: Option<String>,
    },
    /// The dry run's result (the object as it would be stored) or the refusal.
    DryRun {
        /// The object.
        target: ObjRef,
        /// What the server would store, or why not.
        result: Result<Value, Refusal>,
    },
    /// The outside editor (`E`) returned with this text.
    External {
        /// The object.
        target: ObjRef,
        /// The text as the editor left it.
        text: String,
    },
    /// The results of `:apply`, one per document.
    AppliedDocs {
        /// A dry run's.
        dry: bool,
        /// In document order.
        results: Vec<DocResult>,
    },
    /// The PUT's result.
    Applied {
        /// The object.
        target: ObjRef,
        /// The stored object, or why not.
        result: Result<Value, Refusal>,
    },
}

impl Reply {
    /// The object it is about (None: several).
    pub fn target(&self) -> Option<&ObjRef> {
        Some(match self {
            Reply::AppliedDocs { .. } => return None,
            Reply::Fetched { target, .. }
            | Reply::DryRun { target, .. }
            | Reply::External { target, .. }
            | Reply::Applied { target, .. } => target,
        })
    }
}

/// The recovery file's name for an object of a context: every part kept readable, anything that
/// is not a plain name character replaced, so no name can climb out of the directory.
pub fn recovery_name(context: &str, target: &ObjRef) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string()
    };
    let ns = if target.namespace.is_empty() {
        "_"
    } else {
        &target.namespace
    };
    format!(
        "{}__{}__{}__{}.yaml",
        clean(context),
        clean(&target.kubectl_kind()),
        clean(ns),
        clean(&target.name)
    )
}

#[cfg(test)]
mod flow_tests;
