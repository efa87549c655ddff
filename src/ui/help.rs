//! The help screen, generated from the active key map and the command aliases.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::State;
use crate::app::action::{ALIASES, Action, key_label};

/// Draw the help overlay over `area`: key bindings grouped by action in two columns, then the command syntax.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let [area] = Layout::horizontal([Constraint::Max(90)]).flex(Flex::Center).areas(area);
    let mut groups: Vec<(Action, Vec<String>)> = Vec::new();
    for b in state
        .keymap
        .iter()
        .filter(|b| !(state.safety.readonly && b.action.mutating()))
    {
        match groups.iter_mut().find(|(a, _)| *a == b.action) {
            Some((_, keys)) => keys.push(key_label(b)),
            None => groups.push((b.action, vec![key_label(b)])),
        }
    }
    let entry = |(action, keys): &(Action, Vec<String>)| {
        Line::from(vec![
            Span::styled(format!("{:>16}  ", keys.join(" ")), Style::new().fg(Color::Cyan)),
            Span::raw(action.describe()),
        ])
    };
    let half = groups.len().div_ceil(2);
    let left: Vec<Line> = groups[..half].iter().map(entry).collect();
    let right: Vec<Line> = groups[half..].iter().map(entry).collect();
    let aliases: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).filter(|a| a.len() <= 3).collect();
    let commands = vec![
        Line::raw(format!(":{} [namespace|all]   :ctx [name]   :q", aliases.join(" :"))),
        Line::raw("/regex   /!regex (invert)   /-l app=web,tier!=db (labels)"),
    ];
    let block = Block::bordered().title(" help (esc to close) ");
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let [keys, cmds] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
    let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(keys);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
    frame.render_widget(Paragraph::new(commands), cmds);
}
