//! `kubectl drain`: cordon, then evict pod by pod with progress lines, then the outcome.

use super::super::session::{Asked, Ctx, Session};
use crate::app::{Effect, Input};
use crate::cluster::ops::{ObjRef, Op, drain};

/// Drain the node `target`.
pub struct Drain {
    /// The node.
    pub target: ObjRef,
}

impl Session for Drain {
    const KIND: &'static str = "drain";

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::Mutate { target, op: Op::Drain } => Ok(Asked::Start(None, Drain { target })),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let Some(client) = ctx.client.clone() else {
            ctx.send(Input::Error("not connected to a cluster".into()));
            return;
        };
        let emit = |line| {
            ctx.send(Input::Progress {
                target: self.target.clone(),
                line,
            })
        };
        // Evictions answered 429 (a PodDisruptionBudget) are retried by the drain's own countdown.
        let evictor = ctx.no_retry.clone().unwrap_or_else(|| client.clone());
        let opts = drain::DrainOptions::default();
        let result = drain::drain(&client, &evictor, &self.target.name, &opts, emit).await;
        ctx.send(Input::Done {
            target: self.target,
            op: Op::Drain,
            result,
        });
    }
}
