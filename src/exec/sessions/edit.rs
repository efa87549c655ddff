//! The YAML editor's requests, off the event loop: the fresh GET (with the recovery file's text),
//! the dry run, the PUT, and writing or removing the recovery file. Each answers with one input.

use super::super::session::{Asked, Ctx, Session};
use crate::app::edit::{Request, recovery_name};
use crate::app::{Effect, Input};
use crate::cluster::ops::edit;

/// One request of the editor.
pub struct Edit(Request);

impl Session for Edit {
    const KIND: &'static str = "edit";

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::Edit(r) => Ok(Asked::Start(None, Edit(r))),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        match self.0 {
            Request::Keep { target, context, text } => {
                // A Secret's values never touch the disk in clear.
                if target.kind.group().is_empty() && target.kind.name() == "Secret" {
                    return;
                }
                let name = recovery_name(&context, &target);
                let kept = tokio::task::spawn_blocking(move || match edit::recovery_dir() {
                    Some(d) => edit::keep(&d, &name, &text).map(|_| ()),
                    None => Err(std::io::Error::other("no state directory ($XDG_STATE_HOME, $HOME)")),
                })
                .await;
                if let Ok(Err(e)) = kept {
                    ctx.send(Input::Error(format!("the edit could not be kept on disk: {e}")));
                }
            }
            Request::Forget { target, context } => {
                let name = recovery_name(&context, &target);
                let _ = tokio::task::spawn_blocking(move || {
                    if let Some(d) = edit::recovery_dir() {
                        edit::forget(&d, &name);
                    }
                })
                .await;
            }
            request => {
                let dir = edit::recovery_dir();
                if let Some(reply) = edit::answer(ctx.client.as_ref(), request, dir.as_deref()).await {
                    ctx.send(Input::Edit(Box::new(reply)));
                }
            }
        }
    }
}
