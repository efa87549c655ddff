//! A yes/no question on the bottom line (overwrite a file?): `y` does what was asked, any other key
//! cancels and says so.

use crossterm::event::{KeyCode, KeyEvent};

use super::effect::Effect;
pub use super::state::Question;
use super::state::State;

/// Ask whether to overwrite the file at `path` (absolute) with a log save.
pub fn overwrite(state: &mut State, path: String, text: String, lines: usize) {
    state.question = Some(Question {
        text: format!("{path} exists: overwrite it with {lines} line(s)? (y/n)"),
        no: format!("not saved: {path} is unchanged"),
        yes: Effect::Save {
            path,
            text,
            lines,
            overwrite: true,
        },
    });
}

/// A key while a question is open: every key answers it.
pub fn on_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(q) = state.question.take() else { return vec![] };
    match key.code {
        KeyCode::Char('y' | 'Y') => vec![q.yes],
        _ => {
            state.toast(q.no, false);
            vec![]
        }
    }
}
