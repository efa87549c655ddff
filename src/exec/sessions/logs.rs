//! A log view's stream: the readers of every container it shows, until the view leaves the stack.

use super::super::session::{Asked, Ctx, Hold, Session};
use crate::app::{Effect, Input};
use crate::cluster::logs::{Params, Target, sources};

/// Read the logs of `target`.
pub struct Logs {
    /// What to read.
    pub target: Target,
    /// How to read.
    pub params: Params,
}

impl Session for Logs {
    const KIND: &'static str = "logs";
    const HOLD: Hold = Hold::Screen;

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::Logs {
                session,
                target,
                params,
            } => Ok(Asked::Start(Some(session), Logs { target, params })),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let Some(client) = ctx.client.clone() else {
            ctx.send(Input::Toast {
                text: "not connected: no logs to read".into(),
                error: true,
            });
            return;
        };
        let (tx, cancel) = (ctx.logs.clone(), ctx.cancel.clone());
        sources::read(client, self.target, self.params, ctx.id, tx, cancel).await;
        // The readers run on their own tasks (children of the token): the session lasts as long
        // as its view, so that closing the view stops them.
        ctx.cancel.cancelled().await;
    }
}
