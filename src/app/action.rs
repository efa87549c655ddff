//! Named actions and the default key map, as plain data: help and the footer are generated from it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::table::SortCol;

/// Something the user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Cursor up one row.
    Up,
    /// Cursor down one row.
    Down,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Open what is under the cursor (pods of a deployment, a namespace, a context).
    Enter,
    /// Leave this view (or clear the filter first).
    Back,
    /// Leave kubedeck.
    Quit,
    /// Open the filter line.
    Filter,
    /// Open the command line.
    Command,
    /// Toggle the help screen.
    Help,
    /// Describe the object under the cursor.
    Describe,
    /// Show the YAML of the object under the cursor.
    Yaml,
    /// Toggle between every namespace and the current one.
    AllNamespaces,
    /// Sort by a column (again: reverse).
    SortBy(SortCol),
    /// Sort by the column left of the current sort column.
    SortPrev,
    /// Sort by the column right of the current sort column.
    SortNext,
    /// Reverse the sort direction.
    SortReverse,
    /// Toggle the `-o wide` columns.
    Wide,
    /// Refresh a health screen now (control plane, node health).
    Refresh,
    /// Open the health view of the node under the cursor.
    NodeHealth,
}

impl Action {
    /// Short description for help and the footer.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Enter => "open",
            Action::Back => "back",
            Action::Quit => "quit",
            Action::Filter => "filter",
            Action::Command => "command",
            Action::Help => "help",
            Action::Describe => "describe",
            Action::Yaml => "yaml",
            Action::AllNamespaces => "all ns",
            Action::SortBy(SortCol::Name) => "sort name",
            Action::SortBy(SortCol::Age) => "sort age",
            Action::SortBy(SortCol::Cell(_)) => "sort column",
            Action::SortPrev => "sort ←",
            Action::SortNext => "sort →",
            Action::SortReverse => "reverse sort",
            Action::Wide => "wide",
            Action::Refresh => "refresh",
            Action::NodeHealth => "node health",
        }
    }

    /// Whether this action changes the cluster (hidden with `--readonly`). None does yet.
    pub fn mutating(self) -> bool {
        false
    }
}

/// One key bound to an action in normal mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers (shift is implied by upper-case chars and ignored for them).
    pub mods: KeyModifiers,
    /// What it does.
    pub action: Action,
    /// Shown in the footer (the help screen shows every binding).
    pub footer: bool,
}

const fn bind(code: KeyCode, action: Action, footer: bool) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        action,
        footer,
    }
}

/// The default bindings.
pub fn default_keymap() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        bind(Char(':'), Action::Command, true),
        bind(Char('/'), Action::Filter, true),
        bind(Enter, Action::Enter, true),
        bind(Esc, Action::Back, true),
        bind(Char('d'), Action::Describe, true),
        bind(Char('y'), Action::Yaml, true),
        bind(Char('0'), Action::AllNamespaces, true),
        bind(Char('w'), Action::Wide, true),
        bind(Char('?'), Action::Help, true),
        bind(Char('q'), Action::Quit, true),
        bind(Char('j'), Action::Down, false),
        bind(Down, Action::Down, false),
        bind(Char('k'), Action::Up, false),
        bind(Up, Action::Up, false),
        bind(Char('g'), Action::Top, false),
        bind(Home, Action::Top, false),
        bind(Char('G'), Action::Bottom, false),
        bind(End, Action::Bottom, false),
        bind(PageDown, Action::PageDown, false),
        Binding {
            code: Char('f'),
            mods: KeyModifiers::CONTROL,
            action: Action::PageDown,
            footer: false,
        },
        bind(PageUp, Action::PageUp, false),
        Binding {
            code: Char('b'),
            mods: KeyModifiers::CONTROL,
            action: Action::PageUp,
            footer: false,
        },
        bind(Char('N'), Action::SortBy(SortCol::Name), false),
        bind(Char('A'), Action::SortBy(SortCol::Age), false),
        bind(Char('<'), Action::SortPrev, false),
        bind(Char('>'), Action::SortNext, false),
        bind(Char('S'), Action::SortReverse, false),
        Binding {
            code: Char('c'),
            mods: KeyModifiers::CONTROL,
            action: Action::Quit,
            footer: false,
        },
        bind(Char('r'), Action::Refresh, false),
        bind(Char('h'), Action::NodeHealth, false),
    ]
}

/// The action bound to a key event, if any.
pub fn lookup(keymap: &[Binding], key: &KeyEvent) -> Option<Action> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    keymap
        .iter()
        .find(|b| b.code == key.code && b.mods == mods)
        .map(|b| b.action)
}

/// How a binding's key is written in help and the footer.
pub fn key_label(b: &Binding) -> String {
    let key = match b.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageUp => "pgup".into(),
        KeyCode::PageDown => "pgdn".into(),
        other => format!("{other:?}").to_lowercase(),
    };
    if b.mods.contains(KeyModifiers::CONTROL) {
        format!("ctrl-{key}")
    } else {
        key
    }
}

/// Resource aliases of the command line, kubectl's short names first.
pub const ALIASES: &[(&str, crate::cluster::Kind)] = {
    use crate::cluster::Kind::*;
    &[
        ("po", Pod),
        ("pod", Pod),
        ("pods", Pod),
        ("no", Node),
        ("node", Node),
        ("nodes", Node),
        ("svc", Service),
        ("service", Service),
        ("services", Service),
        ("deploy", Deployment),
        ("deployment", Deployment),
        ("deployments", Deployment),
        ("rs", ReplicaSet),
        ("replicaset", ReplicaSet),
        ("replicasets", ReplicaSet),
        ("sts", StatefulSet),
        ("statefulset", StatefulSet),
        ("statefulsets", StatefulSet),
        ("ds", DaemonSet),
        ("daemonset", DaemonSet),
        ("daemonsets", DaemonSet),
        ("job", Job),
        ("jobs", Job),
        ("cj", CronJob),
        ("cronjob", CronJob),
        ("cronjobs", CronJob),
        ("ns", Namespace),
        ("namespace", Namespace),
        ("namespaces", Namespace),
        ("ev", Event),
        ("event", Event),
        ("events", Event),
    ]
};
