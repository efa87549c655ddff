//! The help screen, generated from the active key map and the command aliases.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::State;
use crate::app::action::{ALIASES, key_label};

/// Draw the help overlay over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let [area] = Layout::horizontal([Constraint::Max(72)])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let mut lines = Vec::new();
    for b in state.keymap.iter().filter(|b| !(state.readonly && b.action.mutating())) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>10}  ", key_label(b)), Style::new().fg(Color::Cyan)),
            Span::raw(b.action.describe()),
        ]));
    }
    lines.push(Line::raw(""));
    let aliases: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).filter(|a| a.len() <= 3).collect();
    lines.push(Line::raw(format!(":{} [namespace|all]", aliases.join(" :"))));
    lines.push(Line::raw(":ctx [name]   :q"));
    lines.push(Line::raw("/regex   /!regex (invert)   /-l app=web (labels)"));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" help (esc to close) ")),
        area,
    );
}
