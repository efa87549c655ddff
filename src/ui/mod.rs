//! Drawing only: `(&State, now)` into a ratatui frame. No state changes, no I/O.

pub mod clean;
pub mod demo;
pub mod dialogs;
pub mod footer;
pub mod header;
pub mod help;
pub mod table;
pub mod views;
pub mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::State;
use crate::config::theme::Theme;

/// Draw the whole screen in the built-in default theme (tests and benches).
pub fn draw(frame: &mut Frame, state: &State, now: i64) {
    static DEFAULT: std::sync::OnceLock<Theme> = std::sync::OnceLock::new();
    draw_with(frame, state, DEFAULT.get_or_init(Theme::default), now)
}

/// Draw the whole screen in `theme`; `now` (Unix seconds) is what ages are measured against.
pub fn draw_with(frame: &mut Frame, state: &State, theme: &Theme, now: i64) {
    let [head, body, foot] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(frame.area());
    // The theme's text style is the screen's base, so a light theme's foreground applies everywhere.
    let all = frame.area();
    frame.buffer_mut().set_style(all, theme.text);
    let screen = crate::screens::active(state);
    header::render(frame, head, state, theme, (screen.header)(state, theme));
    (screen.render)(frame, body, state, theme, now);
    footer::render(frame, foot, state, theme);
    // The first overlay takes keys first and is drawn last, on top.
    for overlay in crate::screens::overlays::open(state)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        (overlay.render)(frame, body, state, theme);
    }
    clean::scrub(frame.buffer_mut());
}

#[cfg(test)]
mod action_render_tests;

#[cfg(test)]
mod render_tests;

#[cfg(test)]
mod screen_render_tests;

#[cfg(test)]
mod health_render_tests;

#[cfg(test)]
mod node_panel_tests;

#[cfg(test)]
mod header_render_tests;

#[cfg(test)]
mod theme_render_tests;

#[cfg(test)]
mod logs_render_tests;

#[cfg(test)]
mod messages_render_tests;

#[cfg(test)]
mod table_render_tests;

#[cfg(test)]
mod contact_render_tests;

#[cfg(test)]
mod usage_render_tests;

#[cfg(test)]
mod xray_render_tests;
