//! Changes to the cluster as data: what an action is aimed at, what it does, how it ended.

use crate::Kind;

/// One object an action is aimed at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjRef {
    /// Its kind.
    pub kind: Kind,
    /// Its namespace ("" when cluster-scoped).
    pub namespace: String,
    /// Its name.
    pub name: String,
}

impl ObjRef {
    /// A reference to `kind` `namespace`/`name`.
    pub fn new(kind: Kind, namespace: &str, name: &str) -> ObjRef {
        ObjRef {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// How kubectl names its kind in results: `deployment.apps`, `node`.
    pub fn kubectl_kind(&self) -> String {
        singular_group(self.kind)
    }

    /// How kubectl names it in results: `deployment.apps/web`, `node/worker-1`.
    pub fn kubectl_name(&self) -> String {
        format!("{}/{}", self.kubectl_kind(), self.name)
    }

    /// How the API server names it in errors: `deployments.apps "web"`.
    pub fn api_name(&self) -> String {
        format!("{} \"{}\"", resource_group(self.kind), self.name)
    }

    /// `namespace/name`, or the name alone when cluster-scoped.
    pub fn path(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

/// The API group suffix kubectl prints after a kind: ".apps", ".cert-manager.io", "" for the core group.
fn group(kind: Kind) -> String {
    match kind.group() {
        "" => String::new(),
        g => format!(".{g}"),
    }
}

/// `deployment.apps`.
fn singular_group(kind: Kind) -> String {
    format!("{}{}", kind.name().to_lowercase(), group(kind))
}

/// `deployments.apps`.
fn resource_group(kind: Kind) -> String {
    format!("{}{}", kind.plural(), group(kind))
}

/// Which dependents a delete takes along (kubectl's `--cascade`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Delete now, dependents in the background (kubectl's default).
    #[default]
    Background,
    /// Delete dependents first, then the object.
    Foreground,
    /// Leave dependents behind.
    Orphan,
}

impl Propagation {
    /// The next choice, for a dialog that cycles through them.
    pub fn next(self) -> Propagation {
        match self {
            Propagation::Background => Propagation::Foreground,
            Propagation::Foreground => Propagation::Orphan,
            Propagation::Orphan => Propagation::Background,
        }
    }

    /// kubectl's `--cascade` word.
    pub fn word(self) -> &'static str {
        match self {
            Propagation::Background => "background",
            Propagation::Foreground => "foreground",
            Propagation::Orphan => "orphan",
        }
    }
}

/// A change to the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `kubectl scale --replicas`.
    Scale(u32),
    /// `kubectl rollout restart`.
    Restart,
    /// `kubectl rollout pause`.
    Pause,
    /// `kubectl rollout resume`.
    Resume,
    /// `kubectl delete --cascade --grace-period`.
    Delete {
        /// Dependents.
        propagation: Propagation,
        /// Seconds; None: the object's default.
        grace: Option<u32>,
    },
    /// `kubectl cordon`.
    Cordon,
    /// `kubectl uncordon`.
    Uncordon,
    /// `kubectl drain --ignore-daemonsets --delete-emptydir-data` through the eviction API.
    Drain,
    /// `kubectl rollout undo --to-revision`.
    Rollback(i64),
}

impl Op {
    /// The verb for confirmations and help ("scale to 3").
    pub fn describe(&self) -> String {
        match self {
            Op::Scale(n) => format!("scale to {n} replicas"),
            Op::Restart => "restart (rollout restart)".into(),
            Op::Pause => "pause the rollout".into(),
            Op::Resume => "resume the rollout".into(),
            Op::Delete { propagation, grace } => match grace {
                Some(g) => format!("delete (cascade {}, grace period {g}s)", propagation.word()),
                None => format!("delete (cascade {})", propagation.word()),
            },
            Op::Cordon => "cordon".into(),
            Op::Uncordon => "uncordon".into(),
            Op::Drain => "drain (evict every pod but DaemonSet pods)".into(),
            Op::Rollback(r) => format!("roll back to revision {r}"),
        }
    }

    /// Whether it can take work away from running pods: in a protected context it needs the name typed.
    pub fn destructive(&self) -> bool {
        matches!(self, Op::Delete { .. } | Op::Drain | Op::Rollback(_) | Op::Scale(0))
    }

    /// Whether it starts a rollout worth watching with a status panel.
    pub fn starts_rollout(&self) -> bool {
        matches!(self, Op::Restart | Op::Resume | Op::Rollback(_))
    }
}

/// A finished action: kubectl's success line, and whether the object changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Success {
    /// kubectl's line ("deployment.apps/web scaled").
    pub line: String,
    /// False when the object already was as asked (a rollback to the current template, a second
    /// cordon): no rollout follows from it.
    pub changed: bool,
}

impl Success {
    /// The action changed the object.
    pub fn changed(line: impl Into<String>) -> Success {
        Success {
            line: line.into(),
            changed: true,
        }
    }

    /// The object already was as asked; nothing was written.
    pub fn unchanged(line: impl Into<String>) -> Success {
        Success {
            line: line.into(),
            changed: false,
        }
    }
}

/// What an action ended with: its success, or the error as kubectl prints it.
pub type Outcome = Result<Success, String>;
