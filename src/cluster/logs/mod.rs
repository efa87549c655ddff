//! Container logs: one reader task per (pod, container) that reconnects without gap or duplicate, and a
//! source manager that follows every pod a workload or service selects, like stern.

pub mod resume;
pub mod sources;
pub mod stream;
pub mod whole;

use jiff::Timestamp;

use super::Kind;

pub use sources::start;

/// What to read the logs of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One pod: every container, or only `container`.
    Pod {
        /// Namespace.
        namespace: String,
        /// Pod name.
        name: String,
        /// One container only.
        container: Option<String>,
    },
    /// Every pod a workload (Deployment, StatefulSet, DaemonSet, Job, ReplicaSet) or Service selects.
    Workload {
        /// Its kind.
        kind: Kind,
        /// Namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

impl Target {
    /// A short title: "pod web-1", "deployment web".
    pub fn title(&self) -> String {
        match self {
            Target::Pod {
                namespace,
                name,
                container: Some(c),
            } => format!("{namespace}/{name} [{c}]"),
            Target::Pod { namespace, name, .. } => format!("{namespace}/{name}"),
            Target::Workload { kind, namespace, name } => {
                format!("{}/{namespace}/{name}", kind.name().to_lowercase())
            }
        }
    }
}

/// Where a read starts and whether it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Keep the stream open for new lines.
    pub follow: bool,
    /// Start with the last N lines of each container (`tailLines`).
    pub tail: Option<i64>,
    /// Start with the lines of the last N seconds (`sinceSeconds`).
    pub since_seconds: Option<i64>,
    /// Read the previous (terminated) run of each container.
    pub previous: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            follow: true,
            tail: Some(1000),
            since_seconds: None,
            previous: false,
        }
    }
}

/// The most bytes of a line's text kept: past it the rest is counted, not kept, so that one line of
/// many megabytes costs what 64 KiB cost (to read, search, filter, wrap and draw).
pub const LINE_CAP: usize = 64 * 1024;

/// One log line; the server's timestamp is kept apart from the text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// The source (index announced by [`Event::Source`]).
    pub source: u32,
    /// The time the runtime stamped on it.
    pub ts: Option<Timestamp>,
    /// The text, without the timestamp and the newline (at most [`LINE_CAP`] bytes).
    pub text: String,
    /// Bytes of the line past the cap that were not kept (0 for a whole line).
    pub cut: u64,
}

/// How a source is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    /// Connected, lines flow.
    Streaming,
    /// The connection broke; reading again from the last timestamp seen.
    Reconnecting(String),
    /// The container has not started yet (the server's message); retried.
    Waiting(String),
    /// The server refused (403, no previous container, bad container): not retried.
    Failed(String),
    /// The stream ended and will not resume (not following, or the container finished for good).
    Ended,
    /// The pod went away.
    Gone,
}

/// What the readers report, tagged with the session that asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new source: a container of a pod.
    Source {
        /// Its index.
        id: u32,
        /// Pod name.
        pod: String,
        /// Container name.
        container: String,
    },
    /// Lines, in order per source.
    Lines(Vec<Line>),
    /// A source changed state.
    State {
        /// Which.
        id: u32,
        /// Its new state.
        state: SourceState,
    },
    /// The target itself failed (not found, forbidden, no selector); `None` clears an earlier failure.
    Target(Option<String>),
}

/// A session's event: sessions let a reopened view ignore its previous streams' stragglers.
pub type Tagged = (u64, Event);
