//! Simulated controllers that make the demo cluster alive.

pub mod daemonset;
pub mod deployment;
pub mod deployment_status;
pub mod gc;
pub mod podutil;
pub mod replicaset;
pub mod runner;
#[cfg(test)]
mod testkit;
pub mod workloads;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::faults::Faults;
use super::options::SimOptions;
use super::store::Store;

/// What every controller task gets.
#[derive(Clone)]
pub struct Ctx {
    /// Objects.
    pub store: Arc<Store>,
    /// Fault switches.
    pub faults: Arc<Faults>,
    /// Settings.
    pub opts: SimOptions,
    /// Cancelled when the demo cluster stops.
    pub cancel: CancellationToken,
}

/// Starts every controller as a tokio task.
pub fn spawn_all(ctx: &Ctx) {
    workloads::spawn(ctx);
}
