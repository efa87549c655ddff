//! Saving log text to a file, off the event loop; an existing file is asked about first.

use super::super::session::{Asked, Ctx, Session};
use crate::app::{Effect, Input};

/// Write `text` to `path`.
pub struct Save {
    /// The path as typed.
    pub path: String,
    /// The contents.
    pub text: String,
    /// Number of lines, for the report.
    pub lines: usize,
    /// Replace an existing file.
    pub overwrite: bool,
}

impl Session for Save {
    const KIND: &'static str = "save";

    fn asked(effect: Effect) -> Result<Asked<Self>, Effect> {
        match effect {
            Effect::Save {
                path,
                text,
                lines,
                overwrite,
            } => Ok(Asked::Start(
                None,
                Save {
                    path,
                    text,
                    lines,
                    overwrite,
                },
            )),
            other => Err(other),
        }
    }

    async fn run(self, ctx: Ctx) {
        let Save {
            path,
            text,
            lines,
            overwrite,
        } = self;
        let written = tokio::task::spawn_blocking(move || {
            let result = crate::save::save(&path, &text, overwrite);
            (result, text)
        })
        .await;
        let Ok((result, text)) = written else { return };
        ctx.send(match result {
            Ok(crate::save::Saved::Written(file)) => Input::Toast {
                text: format!("saved {lines} line(s) to {}", file.display()),
                error: false,
            },
            Ok(crate::save::Saved::Exists(file)) => Input::SaveExists {
                path: file.display().to_string(),
                text,
                lines,
            },
            Err(e) => Input::Toast { text: e, error: true },
        });
    }
}
