//! Everything that can happen to the state: keys, data, results of effects, time.

use std::sync::Arc;
use std::time::Instant;

use crossterm::event::KeyEvent;

use super::table::Row;
use crate::cluster::ops::drain::Line;
use crate::cluster::ops::history::History;
use crate::cluster::ops::precheck::ScaleInfo;
use crate::cluster::ops::status::Reading;
use crate::cluster::ops::{ObjRef, Op, Outcome};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{Kind, Scope};

/// An input to [`super::update::update`].
#[derive(Debug, Clone)]
pub enum Input {
    /// A key press.
    Key(KeyEvent),
    /// Pasted text (goes to an open text line).
    Paste(String),
    /// The terminal now has this many rows.
    Resize(u16),
    /// The client was built.
    Connected {
        /// Context name.
        context: String,
        /// The context's namespace.
        namespace: String,
        /// API server URL.
        url: String,
    },
    /// The server answered /version.
    ServerVersion(String),
    /// The client could not be built, or the server is unreachable.
    ConnectFailed(String),
    /// The context's configuration cannot work (said once, not retried).
    Misconfigured {
        /// The context it is about, when the kubeconfig names one.
        context: Option<String>,
        /// What is wrong, in words.
        message: String,
    },
    /// The server answered before but does not now (the liveness probe failed).
    ContactLost {
        /// The last answer.
        since: std::time::Instant,
        /// Why, in a few words.
        error: String,
    },
    /// Fresh rows and status of a watch.
    Rows {
        /// The watch they come from; ignored unless the top view wants it.
        watch: (Kind, Scope),
        /// Projected rows (None: unchanged, only the status is new).
        rows: Option<Vec<Arc<Row>>>,
        /// The watch status.
        status: WatchStatus,
    },
    /// Rows of a watch as its row store holds them (`store`): every row, or what changed since the
    /// rows the view holds.
    Feed {
        /// The rows, and the watch they come from (ignored unless the top view wants it).
        feed: crate::app::table::Feed,
        /// The watch status.
        status: WatchStatus,
    },
    /// The usage columns of a watch's rows read from a new sample (`store::usage_cols`).
    Usage {
        /// The watch whose rows they describe; ignored unless the top view wants it.
        watch: (Kind, Scope),
        /// The columns and their sample.
        usage: Option<Arc<crate::store::usage_cols::UsageCols>>,
    },
    /// What the cache holds for the xray on show (see `store::xray`).
    Xray(Box<super::xray::view::Fed>),
    /// The kubeconfig contexts and the current one.
    Contexts(Vec<String>, Option<String>),
    /// The result of an [`super::Effect::Fetch`].
    Fetched {
        /// What was fetched.
        target: super::text::Target,
        /// The object (and describe text), or the server's error.
        result: Result<crate::cluster::describe::fetch::Fetched, String>,
    },
    /// The result of an [`super::Effect::Exec`]: the document lines, or why it did not run.
    ExecOutput {
        /// The title of the document it goes to.
        title: String,
        /// Output lines (stdout, stderr, exit code), or the failure in words.
        result: Result<Vec<String>, String>,
    },
    /// An effect failed.
    Error(String),
    /// Fresh header counts.
    Counts(super::counts::Counts),
    /// Time passes (expires toasts).
    Tick(Instant),
    /// An effect succeeded and says so (a neutral toast).
    Notice(String),
    /// The answer to [`super::Effect::Containers`].
    Containers {
        /// The pod.
        pod: ObjRef,
        /// What the container is for.
        purpose: super::pick::Purpose,
        /// The container the cursor starts on.
        preselect: Option<String>,
        /// Its containers, or the error.
        result: Result<super::pick::PodContainers, String>,
    },
    /// A [`super::Effect::Mutate`] ended.
    Done {
        /// The object.
        target: ObjRef,
        /// The change.
        op: Op,
        /// kubectl's success line or the error.
        result: Outcome,
    },
    /// The answer to [`super::Effect::PortForwardInfo`].
    PortForwardInfo {
        /// The pod or Service.
        target: ObjRef,
        /// Its ports with the local port offered for each, or the error.
        result: Result<Vec<super::forwards::Declared>, String>,
    },
    /// A port-forward session's news.
    PortForward {
        /// Its session.
        id: super::effect::SessionId,
        /// What it says.
        report: super::forwards::Report,
    },
    /// The answer to [`super::Effect::ScaleInfo`].
    ScaleInfo {
        /// The object.
        target: ObjRef,
        /// Replicas and warnings, or the error.
        result: Result<ScaleInfo, String>,
    },
    /// The answer to [`super::Effect::LoadHistory`].
    History {
        /// The workload.
        target: ObjRef,
        /// Its history, or the error.
        result: Result<History, String>,
    },
    /// The answer to [`super::Effect::DryRunRollback`].
    DryRun {
        /// The workload.
        target: ObjRef,
        /// The revision.
        revision: i64,
        /// The dry run's outcome.
        result: Outcome,
    },
    /// A line of drain progress.
    Progress {
        /// The node.
        target: ObjRef,
        /// The line.
        line: Line,
    },
    /// A new rollout status reading.
    Rollout {
        /// The workload.
        target: ObjRef,
        /// kubectl's line.
        reading: Reading,
    },
    /// Log events, tagged with their session.
    Logs(Vec<crate::cluster::logs::Tagged>),
    /// A message for the user (an effect's report).
    Toast {
        /// The message.
        text: String,
        /// Shown as an error.
        error: bool,
    },
    /// Whether a namespace exists (None: could not be told, e.g. not permitted).
    NamespaceChecked {
        /// The namespace.
        namespace: String,
        /// The answer.
        exists: Option<bool>,
    },
    /// A save found its file already there (absolute path): ask before overwriting.
    SaveExists {
        /// The absolute path.
        path: String,
        /// The contents to write.
        text: String,
        /// Number of lines.
        lines: usize,
    },
    /// The answer to [`super::Effect::Discover`].
    Discovered {
        /// The context it is about.
        context: String,
        /// The registry, or why discovery failed as a whole.
        result: Result<model::Registry, String>,
    },
    /// A CustomResourceDefinition was added, changed or deleted (a burst is said once).
    CrdsChanged {
        /// The context it is about.
        context: String,
    },
    /// The CRD watch runs (`refused` None), or why it cannot.
    CrdWatch {
        /// The context it is about.
        context: String,
        /// The server's refusal (403) or why the watch cannot run.
        refused: Option<String>,
    },
    /// Fresh findings for the triage screen.
    Triage {
        /// Every problem found, worst first.
        findings: Vec<model::triage::Finding>,
        /// The least ready status of the watches they were found in.
        status: WatchStatus,
    },
    /// A control-plane report.
    ControlPlane(Box<crate::cluster::health::Report>),
    /// One node's health.
    NodeHealth(Box<crate::cluster::nodehealth::NodeHealth>),
    /// The answer to [`super::Effect::FindOwner`].
    Owners {
        /// The object whose owners they are.
        target: ObjRef,
        /// Its ownerReferences, the controller first, or the server's error.
        result: Result<Vec<crate::cluster::ops::owner::Owner>, String>,
    },
    /// The answer to [`super::Effect::Gather`].
    Gathered {
        /// The object.
        from: ObjRef,
        /// Which view or link asked.
        why: crate::kinds::extra::Why,
        /// The object and lists, or the error.
        result: Result<crate::cluster::related::Gathered, String>,
    },
    /// An answer to an `Effect::Edit` (the YAML editor's requests).
    Edit(Box<super::edit::Reply>),
}
