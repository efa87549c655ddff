//! What `update` asks the outside world to do; the executor (`exec`) performs it and feeds results back as inputs.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::cluster::ops::{ObjRef, Op};
use crate::cluster::{Kind, Scope};

/// A session's number: a long-lived task (log stream, rollout follow, drain, save, later a shell or
/// a port-forward) that the executor runs and lists under it until it ends or is stopped.
pub type SessionId = u64;

static SESSIONS: AtomicU64 = AtomicU64::new(1);

/// A fresh session number, never given twice: a screen keeps it to tell its session's events from
/// those of a session it replaced, and to keep the session running while it is open.
pub fn next_session() -> SessionId {
    SESSIONS.fetch_add(1, Ordering::Relaxed)
}

/// A request for I/O.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Make sure this watch runs and feed its rows (the top view changed).
    Watch(Kind, Scope),
    /// GET one object fresh and show it as YAML (`describe`: a describe-style text instead).
    Fetch {
        /// Its kind.
        kind: Kind,
        /// Its namespace ("" when cluster-scoped).
        namespace: String,
        /// Its name.
        name: String,
        /// Describe rather than YAML.
        describe: bool,
    },
    /// Read the kubeconfig contexts and feed them back.
    ListContexts,
    /// Drop every watch and connect with this context.
    SwitchContext(String),
    /// Leave the program.
    Quit,
    /// Put this text on the clipboard (OSC 52 or the display's clipboard).
    Copy(String),
    /// Change the cluster: the only effect that does (besides [`Effect::DryRunRollback`]'s dry run).
    Mutate {
        /// The object.
        target: ObjRef,
        /// The change.
        op: Op,
    },
    /// Send a rollback with `dryRun=All` and feed back the outcome (the step before the confirmation).
    DryRunRollback {
        /// The workload.
        target: ObjRef,
        /// The revision.
        revision: i64,
    },
    /// GET current replicas and HPA/GitOps warnings for the scale dialog.
    ScaleInfo(ObjRef),
    /// List the rollout history of a workload.
    LoadHistory(ObjRef),
    /// Follow `rollout status` of a workload until it ends (or the panel closes).
    FollowRollout(ObjRef),
    /// Stop following (the panel closed).
    StopFollow,
    /// Start reading logs for a log view (a new session replaces nothing: old ones stop when their view goes).
    Logs {
        /// Session the events are tagged with; it runs while a view holds it (see `app::sessions::held`).
        session: SessionId,
        /// What to read.
        target: crate::cluster::logs::Target,
        /// How to read.
        params: crate::cluster::logs::Params,
    },
    /// Save one log line whole to a new file (read again from the server when it was cut) and report back.
    SaveLine {
        /// Where, as offered (relative to the working directory).
        path: String,
        /// The text kept (saved as is when the line was not cut).
        kept: String,
        /// Where to read a cut line again.
        whole: Option<crate::cluster::logs::whole::WholeLine>,
    },
    /// Write text to a file (log save) and report back.
    Save {
        /// The path as typed.
        path: String,
        /// The contents.
        text: String,
        /// Number of lines, for the report.
        lines: usize,
        /// Replace an existing file (the user said yes); else an existing file is asked about.
        overwrite: bool,
    },
    /// Find out whether a namespace exists (an empty list is shown in it) and feed it back.
    CheckNamespace(String),
    /// Read the server's discovery documents into a registry and feed it back, tagged with the
    /// context it is about (a switch discards what comes back for another).
    Discover(String),
    /// Watch the CustomResourceDefinitions of this context (metadata only) and say when one
    /// changes, so discovery is read again; a refusal is said once.
    WatchCrds(String),
    /// Stop every watch of this kind (it is no longer served).
    Unwatch(Kind),
    /// Gather a control-plane report and feed it back.
    FetchControlPlane,
    /// Gather one node's health and feed it back.
    FetchNodeHealth(String),
    /// Suspend the dashboard and give the terminal to a session that needs it whole (a shell,
    /// attach, an external editor): see `exec::terminal` for what is left, handed over and restored.
    HandOverTerminal(crate::exec::terminal::HandOver),
    /// Open an interactive shell (bash, then sh) in a pod's container (None: the default
    /// container annotation's, else the first) through the terminal hand-over.
    Shell {
        /// The pod.
        pod: ObjRef,
        /// The container chosen.
        container: Option<String>,
    },
    /// GET a pod's containers for the picker of a shell, attach or debug container.
    Containers {
        /// The pod.
        pod: ObjRef,
        /// What the container is for.
        purpose: super::pick::Purpose,
        /// The container the cursor starts on (a container row's).
        preselect: Option<String>,
    },
    /// Attach to a container's main process through the terminal hand-over.
    Attach {
        /// The pod.
        pod: ObjRef,
        /// The container.
        container: String,
    },
    /// Add an ephemeral debug container targeting a container, wait until it runs, attach.
    Debug {
        /// The pod.
        pod: ObjRef,
        /// The container whose process namespace it joins.
        target: String,
        /// Its image.
        image: String,
    },
    /// Create a debugging pod on a node with the host's namespaces, attach, delete it after.
    NodeShell {
        /// The node.
        node: String,
        /// Where the pod is created.
        namespace: String,
        /// Its image.
        image: String,
    },
    /// Run a command without a TTY in a pod's container (None: the default container annotation's,
    /// else the first) and feed its output back as [`super::Input::ExecOutput`].
    Exec {
        /// The pod.
        pod: ObjRef,
        /// The container chosen.
        container: Option<String>,
        /// The command's words.
        command: Vec<String>,
        /// The title of the document that waits for the output.
        title: String,
    },
    /// GET a pod's container ports (of `container` only, when given) or a Service's ports, with the
    /// local port offered for each, for the port-forward dialog.
    PortForwardInfo {
        /// A pod or a Service.
        target: ObjRef,
        /// The container row `F` was pressed on.
        container: Option<String>,
    },
    /// Forward a local port to a pod's or Service's port until stopped or kubedeck ends.
    PortForward(Box<super::forwards::PfSpec>),
    /// Stop these forwards.
    StopPortForwards(Vec<SessionId>),
    /// GET an object's ownerReferences and feed them back (the jump to a row's owner).
    FindOwner(ObjRef),
    /// GET an object fresh with the lists a per-kind extra needs (`kinds/`), and feed them back.
    Gather {
        /// The object.
        from: ObjRef,
        /// The lists, each a kind in a scope.
        lists: Vec<(Kind, Scope)>,
        /// Which view or link asked.
        why: crate::kinds::extra::Why,
    },
    /// A request of the YAML editor (fetch, dry run, PUT, recovery file); answered with `Input::Edit`.
    Edit(super::edit::Request),
}

impl Effect {
    /// Whether it sends a write request (a dry run counts: read-only sends none at all).
    pub fn writes(&self) -> bool {
        match self {
            Effect::Edit(r) => r.writes(),
            // A shell changes running state: `--readonly` refuses it too (as k9s's readonly does).
            _ => matches!(
                self,
                Effect::Mutate { .. }
                    | Effect::DryRunRollback { .. }
                    | Effect::Shell { .. }
                    | Effect::Attach { .. }
                    | Effect::Debug { .. }
                    | Effect::NodeShell { .. }
                    | Effect::Exec { .. }
                    | Effect::PortForward(_)
            ),
        }
    }
}
