//! What `update` asks the outside world to do; the event loop performs it and feeds results back as inputs.

use crate::cluster::{Kind, Scope};

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
    /// Start reading logs for a log view (a new session replaces nothing: old ones stop when their view goes).
    Logs {
        /// Session the events are tagged with.
        session: u64,
        /// What to read.
        target: crate::cluster::logs::Target,
        /// How to read.
        params: crate::cluster::logs::Params,
    },
    /// Write text to a file (log save) and report back.
    Save {
        /// The path as typed.
        path: String,
        /// The contents.
        text: String,
        /// Number of lines, for the report.
        lines: usize,
    },
    /// Put text on the clipboard through the terminal (OSC 52), which works over SSH.
    Copy(String),
}
