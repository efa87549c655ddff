//! kubedeck: a terminal dashboard for Kubernetes, with a built-in demo cluster.

pub mod cluster;
pub mod sim;
