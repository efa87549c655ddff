//! The kinds of session, one file each, and the one place that says which effect starts or stops
//! which: adding a kind is its file plus its `mod` line and its line in [`route`].

mod drain;
mod logs;
mod rollout;
mod save;
mod save_line;

use super::session::{Base, Session, Sessions, next_session};
use crate::app::Effect;
use crate::cluster::ops::Op;

/// Start or stop the session `effect` asks for; gives the effect back when it is not about one.
pub fn route(effect: Effect, sessions: &mut Sessions, base: &Base) -> Option<Effect> {
    match effect {
        Effect::Logs {
            session,
            target,
            params,
        } => sessions.start(base, session, logs::Logs { target, params }),
        Effect::FollowRollout(target) => sessions.start(base, next_session(), rollout::Follow { target }),
        Effect::StopFollow => sessions.stop_kind(ROLLOUT),
        Effect::Mutate { target, op: Op::Drain } => sessions.start(base, next_session(), drain::Drain { target }),
        Effect::Save {
            path,
            text,
            lines,
            overwrite,
        } => sessions.start(
            base,
            next_session(),
            save::Save {
                path,
                text,
                lines,
                overwrite,
            },
        ),
        Effect::SaveLine { path, kept, whole } => {
            sessions.start(base, next_session(), save_line::SaveLine { path, kept, whole })
        }
        other => return Some(other),
    }
    None
}

/// The kind of the rollout follow, which closing its panel or switching contexts stops.
pub const ROLLOUT: &str = <rollout::Follow as Session>::KIND;
