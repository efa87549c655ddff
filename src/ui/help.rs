//! The help screen, generated from the active keymap (this screen's keys, then the global ones)
//! and the command aliases; it scrolls when it is taller than the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::State;
use crate::app::action::Action;
use crate::config::theme::Theme;

pub use crate::app::help::entries;

/// Draw the help overlay over `area`: key bindings in two columns, then the command syntax,
/// scrolled to `state.help_scroll`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let [area] = Layout::horizontal([Constraint::Max(100)])
        .flex(Flex::Center)
        .areas(area);
    let groups = entries(state);
    let width = groups
        .iter()
        .map(|(k, _)| k.join(" ").chars().count())
        .max()
        .unwrap_or(0);
    let half = usize::from(area.width.saturating_sub(2) / 2);
    let entry = |(keys, help): &(Vec<String>, String)| {
        let help = format!("{help:<w$}", w = half.saturating_sub(width + 2));
        vec![
            Span::styled(format!("{:>width$}  ", keys.join(" ")), theme.key),
            Span::styled(
                super::table::ellipsize(&help, half.saturating_sub(width + 2)).into_owned(),
                theme.text,
            ),
        ]
    };
    let rows = groups.len().div_ceil(2);
    let mut lines: Vec<Line> = (0..rows)
        .map(|i| {
            let mut spans = entry(&groups[i]);
            if let Some(right) = groups.get(i + rows) {
                spans.extend(entry(right));
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::raw(""));
    lines.extend(
        crate::app::help::commands()
            .into_iter()
            .map(|c| Line::styled(c, theme.dim)),
    );
    let scope = crate::screens::key_scope(state);
    let key = |a: Action, default: &str| state.keymap.first(scope, a).map_or(default.to_string(), |b| b.label());
    let close = key(Action::Back, "esc");
    let inner_rows = usize::from(area.height.saturating_sub(2));
    let more = lines.len() > inner_rows;
    let how = if more {
        format!(
            "{close} to close, {} {} to scroll",
            key(Action::Down, "down"),
            key(Action::Up, "up")
        )
    } else {
        format!("{close} to close")
    };
    let block = Block::bordered().border_style(theme.border).title(Span::styled(
        format!(" help: {} keys ({how}) ", state.keymap.name),
        theme.title,
    ));
    let top = state.help_scroll.min(crate::app::help::max_scroll(state, inner_rows));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top, 0)), area);
}
