//! The message log (`:messages`): every toast and error, newest first, wrapped so that none is cut.
//! It only scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::screen::{open_page, PLAIN, Screen};
use crate::app::action::{Action, KeyScope};
use crate::app::effect::Effect;
use crate::app::state::{Message, State, ViewKind};
use crate::config::theme::Theme;
use crate::ui::views::health::{Styles, ago, clock, scrolled, wrap};

/// Its name in [`ViewKind::Page`].
const NAME: &str = "messages";

/// Columns before a message's text: its time and mark (`12:04:05  ✗ `).
const INDENT: usize = 12;

/// The message log.
pub static SCREEN: Screen = Screen {
    name: NAME,
    shows: |k| matches!(k, ViewKind::Page { screen: NAME, .. }),
    scope: KeyScope::Table,
    commands: &["messages", "msg"],
    open: |state| open_page(state, NAME),
    act,
    applies: |_, action| super::lists::moving(action),
    header: |state, theme| {
        vec![
            Span::styled("messages", theme.title),
            Span::raw(format!(" [{}]", state.messages.len())),
            Span::styled("  newest first, kept whole; also in the log file", theme.dim),
        ]
    },
    render,
    #[cfg(test)]
    samples,
    ..PLAIN
};

fn act(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let page = state.page_rows;
    match &mut state.top_mut().kind {
        ViewKind::Page { scroll, .. } => super::screen::scroll(scroll, action, page).then(Vec::new),
        _ => None,
    }
}

fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, now: i64) {
    let ViewKind::Page { scroll, .. } = state.top().kind else { return };
    let st = Styles::of(theme);
    let width = usize::from(area.width.saturating_sub(2));
    let mut out = Vec::new();
    for m in state.messages.iter().rev() {
        out.extend(lines(&st, m, width));
    }
    if out.is_empty() {
        out.push(Line::from(Span::styled("No messages yet.", st.dim)));
    }
    let right = state
        .messages
        .back()
        .map(|m| format!(" last {} ", ago(Some(m.at), now)))
        .unwrap_or_default();
    let title = format!(" messages ({} kept, newest first) ", state.messages.len());
    scrolled(frame, area, &st, title, right, out, scroll);
}

/// One message: its time and mark, then the whole text wrapped at `width` under itself.
fn lines(st: &Styles, m: &Message, width: usize) -> Vec<Line<'static>> {
    let (mark, style) = if m.error { ("✗ ", st.bad) } else { ("· ", st.good) };
    let room = width.saturating_sub(INDENT).max(10);
    let mut out = Vec::new();
    for (i, piece) in m.text.lines().flat_map(|l| wrap(l, room)).enumerate() {
        let lead = if i == 0 {
            Span::styled(format!("{:<8}  {mark}", clock(m.at)), st.dim)
        } else {
            Span::raw(" ".repeat(INDENT))
        };
        out.push(Line::from(vec![lead, Span::styled(piece, style)]));
    }
    out
}

#[cfg(test)]
fn samples() -> Vec<State> {
    let mut s = crate::test_util::connected("demo", "shop", false);
    for i in 0..40 {
        s.log_message(format!("message {i}"), i % 3 == 0);
    }
    (SCREEN.open)(&mut s);
    act(&mut s, Action::PageDown);
    vec![s]
}
