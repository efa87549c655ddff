//! Starts the workload controllers and the garbage collector.

use super::Ctx;
use super::{cronjob, daemonset, deployment, gc, job, replicaset, runner, statefulset};

/// Spawns every workload controller as a tokio task; they stop when `ctx.cancel` fires.
pub fn spawn(ctx: &Ctx) {
    for c in [
        deployment::controller(),
        replicaset::controller(),
        daemonset::controller(),
        statefulset::controller(),
        job::controller(),
        cronjob::controller(),
        gc::controller(),
    ] {
        tokio::spawn(runner::run(ctx.clone(), c));
    }
}
