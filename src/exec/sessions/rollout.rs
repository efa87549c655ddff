//! `rollout status` of a workload, followed for its panel until it ends or the panel closes.

use std::time::Duration;

use super::super::session::{Asked, Ctx, Session};
use crate::app::{Effect, Input};
use crate::cluster::ops::{ObjRef, status};

/// How often a rollout status panel re-reads its object.
const STATUS_POLL: Duration = Duration::from_secs(1);

/// Follow the rollout of `target`.
pub struct Follow {
    /// The workload.
    pub target: ObjRef,
}

impl Session for Follow {
    const KIND: &'static str = "rollout";
    const ONE_AT_A_TIME: bool = true;

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::FollowRollout(target) => Ok(Asked::Start(None, Follow { target })),
            Effect::StopFollow => Ok(Asked::Stop),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let Some(client) = ctx.client.clone() else { return };
        let emit = |reading| {
            ctx.send(Input::Rollout {
                target: self.target.clone(),
                reading,
            })
        };
        status::follow(&client, &self.target, STATUS_POLL, emit).await;
    }
}
