//! Simulated controllers that make the demo cluster alive.

pub mod churn;
pub mod cron;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod deployment_status;
pub mod endpoints;
pub mod gc;
pub mod hpa;
pub mod job;
pub mod kubelet;
pub mod kubelet_status;
pub mod kubelet_steps;
#[cfg(test)]
mod kubelet_tests;
pub mod leases;
pub mod pdb;
pub mod podutil;
pub mod replicaset;
pub mod revisions;
pub mod runner;
pub mod scheduler;
pub mod simkit;
pub mod statefulset;
mod statefulset_pods;
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
    spawn_node_side(ctx);
    tokio::spawn(super::events::run_expiry(ctx.store.clone(), ctx.cancel.clone()));
    tokio::spawn(super::hostile::run(ctx.clone()));
    tokio::spawn(super::crd::controller::run(ctx.clone()));
}

/// Starts the node side: scheduler and kubelets, leases and heartbeats, endpoints, PDB status, churn.
pub fn spawn_node_side(ctx: &Ctx) {
    tokio::spawn(kubelet::run(ctx.clone()));
    tokio::spawn(leases::run(ctx.clone()));
    tokio::spawn(endpoints::run(ctx.clone()));
    tokio::spawn(pdb::run(ctx.clone()));
    tokio::spawn(hpa::run(ctx.clone()));
    tokio::spawn(churn::run(ctx.clone()));
}
