//! Saving one log line to a new file: read again from the server when it was cut, else as kept.

use super::super::session::{Asked, Ctx, Session};
use crate::app::{Effect, Input};
use crate::cluster::logs::whole::{self, WholeLine};

/// Save one line to `path`.
pub struct SaveLine {
    /// Where, as offered.
    pub path: String,
    /// The text kept.
    pub kept: String,
    /// Where to read a cut line again.
    pub whole: Option<WholeLine>,
}

impl Session for SaveLine {
    const KIND: &'static str = "save-line";

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::SaveLine { path, kept, whole } => Ok(Asked::Start(None, SaveLine { path, kept, whole })),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let file = crate::save::resolve(&self.path);
        let result = match (self.whole, ctx.client.clone()) {
            (Some(w), Some(client)) => whole::save(client, &w, &file).await,
            (Some(_), None) => Err("not connected: the whole line cannot be read again".into()),
            (None, _) => whole::save_kept(&self.kept, &file).await,
        };
        ctx.send(match result {
            Ok(n) => Input::Toast {
                text: format!("saved the line ({n} bytes) to {}", file.display()),
                error: false,
            },
            Err(e) => Input::Toast { text: e, error: true },
        });
    }
}
