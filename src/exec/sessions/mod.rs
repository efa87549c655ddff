//! The kinds of session, one file each, and the one list of them: adding a kind is its file (a
//! type implementing [`Session`]) plus its line in the `kinds!` list below.

use super::session::{Base, Session, Sessions};
use crate::app::Effect;

/// Declares each kind's module and offers each effect to the kinds in turn.
macro_rules! kinds {
    ($($file:ident::$kind:ident),* $(,)?) => {
        $(mod $file;)*

        /// Start or stop the session `effect` asks for; gives the effect back when it is not about one.
        pub fn route(effect: Effect, sessions: &mut Sessions, base: &Base) -> Option<Effect> {
            $(let effect = sessions.route::<$file::$kind>(base, effect)?;)*
            Some(effect)
        }
    };
}

kinds! {
    logs::Logs,
    rollout::Follow,
    drain::Drain,
    save::Save,
    save_line::SaveLine,
    crds::WatchCrds,
    edit::Edit,
    portforward::Forward,
}

/// The kind of the rollout follow, which closing its panel or switching contexts stops.
pub const ROLLOUT: &str = <rollout::Follow as Session>::KIND;

/// The kind of the CRD watch, which a context switch stops.
pub const CRDS: &str = <crds::WatchCrds as Session>::KIND;
