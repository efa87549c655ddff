//! Named actions, as plain data: keymaps bind keys to these names; help and the footer list them.

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
    /// Sort by the CPU usage column, largest first (again: reverse).
    SortCpu,
    /// Sort by the MEM usage column, largest first (again: reverse).
    SortMem,
    /// Toggle the `-o wide` columns.
    Wide,
    /// Keep only the rows a triage rule flags.
    ProblemsOnly,
    /// Scroll a document left.
    ScrollLeft,
    /// Scroll a document right.
    ScrollRight,
    /// Start typing a search in a document.
    Search,
    /// Jump to the next search match.
    NextMatch,
    /// Jump to the previous search match.
    PrevMatch,
    /// Show or hide managedFields in the YAML view.
    ToggleManaged,
    /// Reveal or mask secret values.
    ToggleReveal,
    /// Copy `namespace/name` of the row under the cursor to the clipboard.
    CopyName,
    /// Scale the workload under the cursor.
    Scale,
    /// `rollout restart` the workload under the cursor.
    Restart,
    /// Pause the Deployment's rollout.
    Pause,
    /// Resume the Deployment's rollout.
    Resume,
    /// Rollout history of the workload under the cursor.
    History,
    /// Roll back to the revision selected in the history.
    Rollback,
    /// Delete the object under the cursor (asks first).
    Delete,
    /// Cordon the node under the cursor.
    Cordon,
    /// Uncordon the node under the cursor.
    Uncordon,
    /// Drain the node under the cursor.
    Drain,
    /// Open the logs of what is under the cursor (pod, container, workload, service).
    Logs,
    /// Open an interactive shell in the pod or container under the cursor (on a node: a debugging pod's).
    Shell,
    /// Attach to the main process of the pod's container under the cursor.
    Attach,
    /// Add an ephemeral debug container to the pod under the cursor and attach to it.
    Debug,
    /// Forward local ports to the pod, container or Service under the cursor (a dialog first).
    PortForward,
    /// Stop every port-forward (`:pf`).
    StopAllForwards,
    /// Refresh a health screen now (control plane, node health).
    Refresh,
    /// Open the health view of the node under the cursor.
    NodeHealth,
    /// An action only the log view has.
    Log(LogAction),
    /// Open the table of the owner of the row under the cursor, the cursor on the owner.
    Owner,
    /// Mark or unmark the row under the cursor (delete acts on every marked row).
    MarkRow,
    /// The pods that use the ConfigMap, Secret or claim under the cursor.
    UsedBy,
    /// Edit the object's YAML in kubedeck's editor.
    Edit,
    /// Edit the object's YAML in `$KUBE_EDITOR` / `$EDITOR` / `vi`.
    EditExternal,
    /// `kubectl set image` on the workload under the cursor.
    SetImage,
    /// Create or change objects from YAML (`:apply`).
    Apply,
    /// An action only the editor has.
    Editor(EditorAction),
    /// The owner tree of the row under the cursor (xray).
    Xray,
    /// Fold or unfold the xray node under the cursor.
    Fold,
    /// Unfold the xray node under the cursor, or go to its first child.
    Expand,
    /// Fold the xray node under the cursor, or go to its parent.
    Collapse,
}

/// Something the user can do in the editor (its other keys type or go to the text widget).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditorAction {
    /// Check, dry run and show the diff before applying.
    Save,
    /// Close the editor (asks first when the text changed).
    Close,
    /// Undo the last edit.
    Undo,
    /// Redo what was undone.
    Redo,
}

/// Where a binding applies: `global` everywhere, the others on their screens only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyScope {
    /// Every screen.
    Global,
    /// Lists of objects (resources, containers, contexts).
    Table,
    /// Describe and YAML documents.
    Document,
    /// The log view.
    Logs,
    /// The YAML editor: no global key is in force there, every other key types.
    Editor,
    /// The xray tree.
    Xray,
}

impl KeyScope {
    /// Every scope, in the order keymap files list them.
    pub const ALL: [KeyScope; 6] = [
        KeyScope::Global,
        KeyScope::Table,
        KeyScope::Document,
        KeyScope::Logs,
        KeyScope::Editor,
        KeyScope::Xray,
    ];

    /// The scope's name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            KeyScope::Global => "global",
            KeyScope::Table => "table",
            KeyScope::Document => "document",
            KeyScope::Logs => "logs",
            KeyScope::Editor => "editor",
            KeyScope::Xray => "xray",
        }
    }

    /// The scope a keymap file calls `name`.
    pub fn from_name(name: &str) -> Option<KeyScope> {
        KeyScope::ALL.into_iter().find(|s| s.name() == name)
    }
}

use KeyScope::{Document as D, Editor as E, Global as G, Logs as L, Table as T, Xray as X};

/// Every named action: its keymap name, its description, and the scopes a keymap binds it in.
/// Adding an action: a variant above, a line here, a line per scope in keymaps/*.yaml.
pub const ACTIONS: &[(Action, &str, &str, &[KeyScope])] = &[
    (Action::Up, "up", "up", &[T, D, L, X]),
    (Action::Down, "down", "down", &[T, D, L, X]),
    (Action::Top, "top", "top", &[T, D, L, X]),
    (Action::Bottom, "bottom", "bottom", &[T, D, L, X]),
    (Action::PageUp, "page-up", "page up", &[T, D, L, X]),
    (Action::PageDown, "page-down", "page down", &[T, D, L, X]),
    (Action::Enter, "enter", "open", &[T, X]),
    (Action::Back, "back", "back", &[G]),
    (Action::Quit, "quit", "quit", &[G]),
    (Action::Filter, "filter", "filter", &[T]),
    (Action::Command, "command", "command", &[G]),
    (Action::Help, "help", "help", &[G, E]),
    (Action::Describe, "describe", "describe", &[T, D, X]),
    (Action::Yaml, "yaml", "yaml", &[T, D, X]),
    (Action::AllNamespaces, "all-namespaces", "all ns", &[T]),
    (Action::SortBy(SortCol::Name), "sort-name", "sort name", &[T]),
    (Action::SortBy(SortCol::Age), "sort-age", "sort age", &[T]),
    (Action::SortPrev, "sort-prev", "sort ←", &[T]),
    (Action::SortNext, "sort-next", "sort →", &[T]),
    (Action::SortReverse, "sort-reverse", "reverse sort", &[T]),
    (Action::SortCpu, "sort-cpu", "sort by CPU", &[T]),
    (Action::SortMem, "sort-mem", "sort by MEM", &[T]),
    (Action::Wide, "wide", "wide", &[T]),
    (Action::ProblemsOnly, "problems-only", "problems only", &[T]),
    (Action::ScrollLeft, "scroll-left", "scroll left", &[D, L]),
    (Action::ScrollRight, "scroll-right", "scroll right", &[D, L]),
    (Action::Search, "search", "search", &[D, L, E]),
    (Action::NextMatch, "next-match", "next match", &[D, L, E]),
    (Action::PrevMatch, "prev-match", "previous match", &[D, L, E]),
    (Action::ToggleManaged, "toggle-managed", "managedFields", &[D]),
    (Action::ToggleReveal, "toggle-reveal", "reveal secrets", &[T, D]),
    (Action::CopyName, "copy-name", "copy name", &[T]),
    (Action::Scale, "scale", "scale", &[T]),
    (Action::Restart, "restart", "rollout restart", &[T]),
    (Action::Pause, "pause", "pause rollout", &[T]),
    (Action::Resume, "resume", "resume rollout", &[T]),
    (Action::History, "history", "rollout history", &[T]),
    (Action::Rollback, "rollback", "roll back (history)", &[T]),
    (Action::Delete, "delete", "delete", &[T, D]),
    (Action::Cordon, "cordon", "cordon node", &[T]),
    (Action::Uncordon, "uncordon", "uncordon node", &[T]),
    (Action::Drain, "drain", "drain node", &[T]),
    (Action::Logs, "logs", "logs", &[T]),
    (Action::Shell, "shell", "shell", &[T]),
    (Action::Attach, "attach", "attach", &[T]),
    (Action::Debug, "debug", "debug container", &[T]),
    (Action::PortForward, "port-forward", "port-forward", &[T]),
    (
        Action::StopAllForwards,
        "stop-all-forwards",
        "stop all port-forwards",
        &[T],
    ),
    (Action::Refresh, "refresh", "refresh", &[T]),
    (Action::NodeHealth, "node-health", "node health", &[T]),
    (Action::Log(LogAction::Follow), "follow", "follow", &[L]),
    (
        Action::Log(LogAction::FarLeft),
        "scroll-far-left",
        "scroll left fast",
        &[L],
    ),
    (
        Action::Log(LogAction::FarRight),
        "scroll-far-right",
        "scroll right fast",
        &[L],
    ),
    (Action::Log(LogAction::Wrap), "wrap", "wrap", &[L]),
    (Action::Log(LogAction::Timestamps), "timestamps", "timestamps", &[L]),
    (Action::Log(LogAction::Previous), "previous", "previous container", &[L]),
    (Action::Log(LogAction::Json), "json", "json raw/fields/indented", &[L]),
    (Action::Log(LogAction::Prefix), "prefix", "pod/container prefix", &[L]),
    (Action::Log(LogAction::Include), "include", "include regex", &[L]),
    (Action::Log(LogAction::Exclude), "exclude", "exclude regex", &[L]),
    (Action::Log(LogAction::Start), "since", "tail/since", &[L]),
    (Action::Log(LogAction::SaveShown), "save-shown", "save shown", &[L]),
    (Action::Log(LogAction::SaveAll), "save-all", "save buffer", &[L]),
    (Action::Log(LogAction::Mark), "mark", "select from here", &[L]),
    (Action::Log(LogAction::Copy), "copy", "copy (OSC 52)", &[L]),
    (Action::Log(LogAction::SaveLine), "save-line", "save whole line", &[L]),
    (Action::Owner, "owner", "jump to owner", &[T]),
    (Action::MarkRow, "mark-row", "mark/unmark", &[T]),
    (Action::UsedBy, "used-by", "used by (pods)", &[T]),
    (Action::Edit, "edit", "edit", &[T, D]),
    (Action::EditExternal, "edit-external", "edit in $EDITOR", &[T, D]),
    (Action::SetImage, "set-image", "set image", &[T]),
    (Action::Apply, "apply", "apply YAML", &[T]),
    (
        Action::Editor(EditorAction::Save),
        "save",
        "save: dry run, diff, apply",
        &[E],
    ),
    (Action::Editor(EditorAction::Close), "close", "close", &[E]),
    (Action::Editor(EditorAction::Undo), "undo", "undo", &[E]),
    (Action::Editor(EditorAction::Redo), "redo", "redo", &[E]),
    (Action::Xray, "xray", "xray (owner tree)", &[T]),
    (Action::Fold, "fold", "fold/unfold", &[X]),
    (Action::Expand, "expand", "unfold / first child", &[X]),
    (Action::Collapse, "collapse", "fold / parent", &[X]),
];

impl Action {
    /// The action's name in keymap files ("sort-column" for a column picked at run time, which has none).
    pub fn name(self) -> &'static str {
        ACTIONS.iter().find(|e| e.0 == self).map_or("sort-column", |e| e.1)
    }

    /// The action a keymap file names.
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|e| e.1 == name).map(|e| e.0)
    }

    /// Short description for help and the footer.
    pub fn describe(self) -> &'static str {
        ACTIONS.iter().find(|e| e.0 == self).map_or("sort column", |e| e.2)
    }

    /// The scopes a keymap binds this action in.
    pub fn scopes(self) -> &'static [KeyScope] {
        ACTIONS.iter().find(|e| e.0 == self).map_or(&[], |e| e.3)
    }

    /// Whether this action changes the cluster (hidden and refused with `--readonly`).
    pub fn mutating(self) -> bool {
        matches!(
            self,
            Action::Scale
                | Action::Restart
                | Action::Pause
                | Action::Resume
                | Action::Rollback
                | Action::Delete
                | Action::Cordon
                | Action::Uncordon
                | Action::Drain
                | Action::Edit
                | Action::EditExternal
                | Action::SetImage
                | Action::Apply
                | Action::Shell
                | Action::Attach
                | Action::Debug
                | Action::PortForward
        )
    }

    /// Whether two actions work on kinds that never overlap, so one key may bind both: the row's
    /// kind picks (`s`: scale on workloads, shell on pods, containers and nodes, as in k9s).
    pub fn kinds_disjoint(self, other: Action) -> bool {
        let pair = |a: Action, b: Action| (self == a && other == b) || (self == b && other == a);
        // Pods have no scale subresource: scale never reaches a pod or a container.
        pair(Action::Scale, Action::Shell)
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

/// Something the user can do in the log view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogAction {
    /// Toggle following the newest line.
    Follow,
    /// Newest line, and follow.
    Bottom,
    /// Oldest line kept.
    Top,
    /// One line up.
    Up,
    /// One line down.
    Down,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Scroll left.
    Left,
    /// Scroll right.
    Right,
    /// Scroll left fast.
    FarLeft,
    /// Scroll right fast.
    FarRight,
    /// Toggle wrapping.
    Wrap,
    /// Toggle timestamps.
    Timestamps,
    /// Toggle the previous container's logs.
    Previous,
    /// Cycle the JSON display.
    Json,
    /// Toggle the pod/container prefix.
    Prefix,
    /// Type a search.
    Search,
    /// Next match.
    Next,
    /// Previous match.
    Prev,
    /// Type an include filter.
    Include,
    /// Type an exclude filter.
    Exclude,
    /// Type where to start (tail or since).
    Start,
    /// Save the shown lines.
    SaveShown,
    /// Save the whole buffer.
    SaveAll,
    /// Start or clear a selection.
    Mark,
    /// Copy the selection through the terminal (OSC 52).
    Copy,
    /// Save the line under the cursor whole, even when the view keeps only its first 64 KiB.
    SaveLine,
}
