//! The YAML editor's requests, off the event loop: the fresh GET (with the recovery file's text),
//! the dry run, the PUT, and writing or removing the recovery file. Each answers with one input.

use super::super::session::{Asked, Ctx, Session};
use crate::app::edit::{Refusal, Reply, Request, recovery_name};
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
        let reply = |r: Reply| Input::Edit(Box::new(r));
        let not_connected = || "not connected to a cluster".to_string();
        match self.0 {
            Request::Fetch { target, context } => {
                let result = match &ctx.client {
                    Some(c) => edit::get(c, &target).await,
                    None => Err(not_connected()),
                };
                let name = recovery_name(&context, &target);
                let recovered = tokio::task::spawn_blocking(move || {
                    edit::recovery_dir().and_then(|d| edit::recovered(&d, &name))
                })
                .await
                .ok()
                .flatten();
                ctx.send(reply(Reply::Fetched {
                    target,
                    result,
                    recovered,
                }));
            }
            Request::DryRun { target, object } => {
                let result = put(&ctx, &target, &object, true).await;
                ctx.send(reply(Reply::DryRun { target, result }));
            }
            Request::Apply { target, object } => {
                let result = put(&ctx, &target, &object, false).await;
                ctx.send(reply(Reply::Applied { target, result }));
            }
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
        }
    }
}

async fn put(
    ctx: &Ctx,
    target: &crate::cluster::ops::ObjRef,
    object: &serde_json::Value,
    dry: bool,
) -> Result<serde_json::Value, Refusal> {
    match &ctx.client {
        Some(c) => edit::put(c, target, object, dry).await,
        None => Err(Refusal {
            text: "not connected to a cluster".into(),
            conflict: None,
        }),
    }
}
