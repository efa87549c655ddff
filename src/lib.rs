//! kubedeck: a terminal dashboard for Kubernetes, with a built-in demo cluster.

pub mod sim;
