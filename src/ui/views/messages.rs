//! The message log (`:messages`): every toast and error, newest first, wrapped so that none is cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::health::{Styles, ago, scrolled};
use crate::app::State;
use crate::app::state::Message;

/// Columns before a message's text: its time and mark (`12:04:05  ✗ `).
const INDENT: usize = 12;

/// Draw the log into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, st: &Styles, scroll: u16, now: i64) {
    let width = usize::from(area.width.saturating_sub(2));
    let mut out = Vec::new();
    for m in state.messages.iter().rev() {
        out.extend(lines(st, m, width));
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
    scrolled(frame, area, st, title, right, out, scroll);
}

/// One message: its time and mark, then the whole text wrapped at `width` under itself.
pub fn lines(st: &Styles, m: &Message, width: usize) -> Vec<Line<'static>> {
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

/// The local wall-clock time of a Unix second, `HH:MM:SS`.
pub fn clock(at: i64) -> String {
    let Ok(t) = jiff::Timestamp::from_second(at) else {
        return "??:??:??".into();
    };
    t.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%H:%M:%S")
        .to_string()
}

/// `text` cut into pieces of at most `width` characters, at a space when there is one.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest: &str = text;
    while rest.chars().count() > width {
        let cut = rest.char_indices().nth(width).map_or(rest.len(), |(i, _)| i);
        let at = rest[..cut].rfind(' ').filter(|&i| i > 0).unwrap_or(cut);
        out.push(rest[..at].to_string());
        rest = rest[at..].trim_start_matches(' ');
    }
    out.push(rest.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character_and_cuts_at_spaces() {
        let text = "kubeconfig /home/u/.kube/config:7:3: field users[0].user: invalid type";
        let pieces = wrap(text, 20);
        assert!(pieces.iter().all(|p| p.chars().count() <= 20), "{pieces:?}");
        let squeezed = |s: &str| s.replace(' ', "");
        assert_eq!(squeezed(&pieces.concat()), squeezed(text));
        assert!(
            pieces[0].ends_with("config:7:3:") || pieces[0].ends_with("kubeconfig"),
            "{pieces:?}"
        );
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }
}
