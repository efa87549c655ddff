//! The CRD watch of the context in use, for the registry: it says when a CRD changes (discovery is
//! then read again) and when it cannot run. One at a time; a context switch stops it.

use super::super::session::{Asked, Ctx, Session};
use crate::app::{Effect, Input};
use crate::cluster::crds::{self, Said};

/// Watch the CRDs of `context`.
pub struct WatchCrds {
    /// The context it is about (answers for another are dropped).
    pub context: String,
}

impl Session for WatchCrds {
    const KIND: &'static str = "crds";
    const ONE_AT_A_TIME: bool = true;

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::WatchCrds(context) => Ok(Asked::Start(None, WatchCrds { context })),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let Some(client) = ctx.client.clone() else { return };
        let context = self.context;
        crds::watch(client, |said| {
            let context = context.clone();
            ctx.send(match said {
                Said::Watching => Input::CrdWatch { context, refused: None },
                Said::Refused(why) => Input::CrdWatch {
                    context,
                    refused: Some(why),
                },
                Said::Changed => Input::CrdsChanged { context },
            })
        })
        .await;
    }
}
