//! The xray view's own data: what it shows, its tree, folds and cursor, and what the store feeds
//! it. Plain data with the moves of its cursor; nothing here knows the rest of the state.

use std::collections::HashSet;

use super::tree::{self, Obj, Root, Tree};
use crate::cluster::ops::ObjRef;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// One xray view: what it shows, its tree, what is folded and where the cursor is.
#[derive(Debug, Clone, PartialEq)]
pub struct Xray {
    /// What the tree starts from.
    pub root: Root,
    /// The kind of a kind's tree, or of the object (its extra watch when it is not a usual one).
    pub kind: Kind,
    /// Where its watches look.
    pub scope: Scope,
    /// The tree, as last built.
    pub tree: Tree,
    /// The nodes on show, in order (folded nodes' children left out).
    pub lines: Vec<u32>,
    /// Ids of the folded nodes.
    pub folded: HashSet<u64>,
    /// The line under the cursor.
    pub cursor: usize,
    /// The first line on screen.
    pub offset: usize,
    /// The cache generation the tree was built from (None: not built yet).
    pub built: Option<u64>,
    /// The cursor has gone to the object asked about (done once, when it first appears).
    pub focused: bool,
    /// How its watches are doing (the pods' watch decides).
    pub status: Option<WatchStatus>,
    /// What the object's kind leads to beside ownership (an Ingress's Services), once fetched.
    pub links: Vec<ObjRef>,
}

impl Xray {
    /// An xray of `root`, not built yet.
    pub fn new(root: Root, kind: Kind, scope: Scope) -> Xray {
        Xray {
            root,
            kind,
            scope,
            tree: Tree::default(),
            lines: Vec::new(),
            folded: HashSet::new(),
            cursor: 0,
            offset: 0,
            built: None,
            focused: false,
            status: None,
            links: Vec::new(),
        }
    }

    /// The node under the cursor.
    pub fn current(&self) -> Option<&tree::Node> {
        let n = *self.lines.get(self.cursor)?;
        self.tree.nodes.get(n as usize)
    }

    /// Take a newly built tree: the cursor stays on the node it was on (by id), or goes to the
    /// object asked about the first time it is there.
    pub fn set_tree(&mut self, tree: Tree, page: usize) {
        // An object is followed by its uid (its owners may arrive after it, moving it down the
        // tree); a node without one (a container) by its place.
        let was = self.current().map(|n| (n.id, n.uid.clone()));
        self.tree = tree;
        self.lines = tree::visible(&self.tree, &self.folded);
        let focus = self
            .tree
            .nodes
            .get(self.tree.focus as usize)
            .filter(|n| n.uid.is_some());
        let want = match (self.focused, focus) {
            (false, Some(f)) => {
                self.focused = true;
                Some((f.id, f.uid.clone()))
            }
            _ => was,
        };
        let nodes = &self.tree.nodes;
        let found = want.and_then(|(id, uid)| match uid {
            Some(uid) => self
                .lines
                .iter()
                .position(|&n| nodes[n as usize].uid.as_ref() == Some(&uid)),
            None => self.lines.iter().position(|&n| nodes[n as usize].id == id),
        });
        self.cursor = found.unwrap_or(self.cursor.min(self.lines.len().saturating_sub(1)));
        self.scroll_into_view(page);
    }

    /// Fold the node under the cursor (`Some(true)`), unfold it (`Some(false)`) or toggle it.
    pub fn fold(&mut self, fold: Option<bool>) -> bool {
        let Some(node) = self.current() else { return false };
        if node.children.is_empty() {
            return false;
        }
        let id = node.id;
        let folded = self.folded.contains(&id);
        let want = fold.unwrap_or(!folded);
        if want == folded {
            return false;
        }
        if want {
            self.folded.insert(id);
        } else {
            self.folded.remove(&id);
        }
        self.lines = tree::visible(&self.tree, &self.folded);
        true
    }

    /// Move the cursor to node `n` if it is on show.
    fn go_to(&mut self, n: u32) {
        if let Some(pos) = self.lines.iter().position(|&l| l == n) {
            self.cursor = pos;
        }
    }

    /// Move the cursor by `by` lines (clamped).
    pub fn move_by(&mut self, by: isize) {
        let last = self.lines.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + by).clamp(0, last.max(0)) as usize;
    }

    /// Keep the cursor within the `page` lines on screen.
    pub fn scroll_into_view(&mut self, page: usize) {
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        self.offset = self.offset.min(self.lines.len().saturating_sub(1));
    }

    /// `right`: unfold, or (unfolded already) go to the first child.
    pub fn expand(&mut self) {
        if self.fold(Some(false)) {
            return;
        }
        if let Some(&first) = self.current().and_then(|n| n.children.first()) {
            self.go_to(first);
        }
    }

    /// `left`: fold, or (folded already, or a leaf) go to the parent.
    pub fn collapse(&mut self) {
        if self.fold(Some(true)) {
            return;
        }
        if let Some(p) = self.current().and_then(|n| n.parent) {
            self.go_to(p);
        }
    }
}

/// What the store read from the cache for an xray view: its objects and which kinds have synced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fed {
    /// The cache generation they are of.
    pub generation: u64,
    /// The objects.
    pub objs: Vec<Obj>,
    /// Kinds whose watches have synced.
    pub synced: HashSet<&'static str>,
    /// The pods' watch status (what the header says).
    pub status: Option<WatchStatus>,
}
