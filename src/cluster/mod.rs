//! Everything that talks to (or describes) a Kubernetes API server; knows nothing of the screen.

pub mod printers;
