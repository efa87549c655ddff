//! The names `Tab` found for the `:` word, on one line over the screen's last line (as vim's
//! wildmenu sits over its command line); the one in the line is highlighted. Keys go on to the line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{no_footer, nothing_instead, screen_hints};
use crate::app::cmdline::Completion;
use crate::app::state::{Mode, State};
use crate::config::theme::Theme;
use crate::screens::screen::Overlay;

/// The candidate line.
pub static OVERLAY: Overlay = Overlay {
    name: "completion",
    open: |state| matches!(state.mode, Mode::Command(_)) && state.cmdline.completion.is_some(),
    on_key: |_, _| None,
    render,
    footer: no_footer,
    hints: screen_hints,
    instead: nothing_instead,
    #[cfg(test)]
    samples,
};

fn render(frame: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let Some(c) = &state.cmdline.completion else { return };
    if body.height == 0 {
        return;
    }
    let area = Rect {
        y: body.bottom() - 1,
        height: 1,
        ..body
    };
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(line(c, usize::from(area.width), theme)), area);
}

/// The candidates that fit `width`, from the page holding the selected one; `<` and `>` say that
/// more are before or after.
fn line(c: &Completion, width: usize, theme: &Theme) -> Line<'static> {
    if c.candidates.is_empty() {
        let why = if c.without_registry {
            " (the server's resource list is still loading)"
        } else {
            ""
        };
        return Line::from(Span::styled(
            format!(" no command or resource name starts with {:?}{why}", c.typed),
            theme.warn,
        ));
    }
    // Pages of whole names, two spaces apart, room left for the markers.
    let room = width.saturating_sub(14).max(1);
    let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, name) in c.candidates.iter().enumerate() {
        let w = name.chars().count() + 2;
        if used + w > room && i > start {
            pages.push(start..i);
            (start, used) = (i, 0);
        }
        used += w;
    }
    pages.push(start..c.candidates.len());
    let at = c.selected.unwrap_or(0);
    let page = pages.iter().find(|p| p.contains(&at)).cloned().unwrap_or(0..0);
    let mut spans = vec![Span::styled(if page.start > 0 { "< " } else { "  " }, theme.dim)];
    for i in page.clone() {
        let style = if c.selected == Some(i) { theme.selected } else { theme.text };
        spans.push(Span::styled(c.candidates[i].clone(), style));
        spans.push(Span::raw("  "));
    }
    if page.end < c.candidates.len() {
        spans.push(Span::styled(format!("> {} more", c.candidates.len() - page.end), theme.dim));
    }
    Line::from(spans)
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::screens::apiresources::discovered();
    crate::test_util::type_keys(&mut s, ":de");
    crate::app::update(&mut s, crate::app::update::key(crossterm::event::KeyCode::Tab));
    vec![s]
}
