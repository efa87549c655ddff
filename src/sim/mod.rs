//! The demo cluster: a Kubernetes API server simulation served over HTTP on loopback.

pub mod controllers;
pub mod events;
pub mod faults;
pub mod options;
pub mod resources;
pub mod scenario;
pub mod select;
pub mod status;
pub mod store;
