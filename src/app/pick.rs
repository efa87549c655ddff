//! The data of the container picker and of the debug settings: plain types that the state,
//! dialogs, effects and inputs hold (the flows that use them are in `debugging.rs`).

use ratatui_textarea::TextArea;

use crate::cluster::ops::ObjRef;

/// What a chosen container is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An interactive shell (`s`).
    Shell,
    /// Attach to the main process (`a`).
    Attach,
    /// The target of an ephemeral debug container (`b`).
    Debug,
}

/// A pod's containers as the picker needs them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodContainers {
    /// The regular containers, in spec order.
    pub names: Vec<String>,
    /// The container the default-container annotation names (when it is one of them).
    pub default: Option<String>,
}

/// The container picker (and, for a debug container, the image to run).
#[derive(Debug, Clone)]
pub struct ContainerDialog {
    /// The pod.
    pub pod: ObjRef,
    /// What the container is chosen for.
    pub purpose: Purpose,
    /// Its containers.
    pub containers: PodContainers,
    /// The container under the cursor.
    pub cursor: usize,
    /// The debug container's image as typed (None: no image asked).
    pub image: Option<TextArea<'static>>,
    /// What was wrong with the last Enter.
    pub error: Option<String>,
}

/// Settings of the debug container and node shell (config `debug`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugSettings {
    /// The image a debug container or node shell runs.
    pub image: String,
    /// Where node shell pods are created.
    pub node_namespace: String,
}

impl Default for DebugSettings {
    fn default() -> DebugSettings {
        DebugSettings {
            image: "busybox:1.36".into(),
            node_namespace: "default".into(),
        }
    }
}
