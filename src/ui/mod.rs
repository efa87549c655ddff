//! Drawing only: `(&State, now)` into a ratatui frame. No state changes, no I/O.

pub mod footer;
pub mod header;
pub mod help;
pub mod table;
pub mod views;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;

/// Draw the whole screen; `now` (Unix seconds) is what ages are measured against.
pub fn draw(frame: &mut Frame, state: &State, now: i64) {
    let [head, body, foot] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    header::render(frame, head, state);
    views::render(frame, body, state, now);
    footer::render(frame, foot, state);
    if state.help {
        help::render(frame, body, state);
    }
}

#[cfg(test)]
mod render_tests;

#[cfg(test)]
mod screen_render_tests;

#[cfg(test)]
mod health_render_tests;
