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
    /// Put this text on the clipboard (OSC 52 or the display's clipboard).
    Copy(String),
    /// Gather a control-plane report and feed it back.
    FetchControlPlane,
    /// Gather one node's health and feed it back.
    FetchNodeHealth(String),
}
