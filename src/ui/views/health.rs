//! Shared pieces of the health screens: styles, section titles, refused panels, wrapped check
//! lists, wrapped text, clock times and the scrolled frame. State is always a word or glyph too, never colour alone.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::cluster::health::Panel;

/// The styles of the health screens, taken from the theme.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    /// Something failing (with ✖): the theme's error style, bold.
    pub bad: Style,
    /// Passing (with ✔).
    pub good: Style,
    /// Not permitted, unknown or changing (with !).
    pub warn: Style,
    /// Labels and absent things.
    pub dim: Style,
    /// Section titles.
    pub section: Style,
    /// Frame borders.
    pub border: Style,
}

impl Styles {
    /// The health screens' styles in `theme`.
    pub fn of(theme: &crate::config::theme::Theme) -> Styles {
        Styles {
            bad: theme.error.add_modifier(Modifier::BOLD),
            good: theme.ok,
            warn: theme.warn,
            dim: theme.dim,
            section: theme.title.add_modifier(Modifier::BOLD),
            border: theme.border,
        }
    }
}

/// A section title line.
pub fn section(st: &Styles, title: &str) -> Line<'static> {
    Line::from(Span::styled(title.to_string(), st.section))
}

/// "  ✔ text" / "  ✖ text".
pub fn status_line(st: &Styles, ok: bool, text: impl Into<String>) -> Line<'static> {
    if ok {
        Line::from(vec![Span::styled("  ✔ ", st.good), Span::raw(text.into())])
    } else {
        Line::from(vec![Span::styled("  ✖ ", st.bad), Span::styled(text.into(), st.bad)])
    }
}

/// The line of a refused or failed panel, or None when it has data.
pub fn panel_problem<T>(st: &Styles, p: &Panel<T>) -> Option<Line<'static>> {
    match p {
        Panel::Ok(_) => None,
        Panel::Forbidden(msg) => Some(Line::from(vec![
            Span::styled("  ! not permitted", st.warn.add_modifier(Modifier::BOLD)),
            Span::styled(format!(": {msg}"), st.dim),
        ])),
        Panel::Failed(msg) => Some(Line::from(vec![
            Span::styled("  ! unavailable", st.warn.add_modifier(Modifier::BOLD)),
            Span::styled(format!(": {msg}"), st.dim),
        ])),
    }
}

/// Lay `chips` (already styled) out in lines no wider than `width`, each line starting with `indent`.
pub fn wrap_chips(chips: Vec<Span<'static>>, indent: usize, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut cur: Vec<Span<'static>> = vec![Span::raw(" ".repeat(indent))];
    let mut used = indent;
    for chip in chips {
        let w = chip.content.chars().count() + 2;
        if used + w > width && used > indent {
            lines.push(Line::from(std::mem::take(&mut cur)));
            cur.push(Span::raw(" ".repeat(indent)));
            used = indent;
        }
        cur.push(chip);
        cur.push(Span::raw("  "));
        used += w;
    }
    if used > indent {
        lines.push(Line::from(cur));
    }
    lines
}

/// Draw `lines` in a bordered frame, from line `scroll` (clamped so the last page stays full).
pub fn scrolled(
    frame: &mut Frame,
    area: Rect,
    st: &Styles,
    title: String,
    right: String,
    lines: Vec<Line<'static>>,
    scroll: u16,
) {
    let block = Block::bordered()
        .border_style(st.border)
        .title(title)
        .title(Line::from(right).alignment(Alignment::Right));
    let height = block.inner(area).height as usize;
    let max = lines.len().saturating_sub(height);
    let top = (scroll as usize).min(max) as u16;
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top, 0)), area);
}

/// "4s ago" from a timestamp, or "never".
pub fn ago(t: Option<i64>, now: i64) -> String {
    match t {
        Some(t) => format!(
            "{} ago",
            crate::cluster::printers::age::human_duration((now - t).max(0))
        ),
        None => "never".into(),
    }
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
