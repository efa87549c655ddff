//! The help screen, generated from the active key map and the command aliases.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::State;
use crate::app::action::{ALIASES, Action, key_label};
use crate::app::logs::keys::{LogAction, label, log_keymap};

/// Draw the help overlay over `area`: key bindings grouped by action in two columns, then the command syntax.
pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let [area] = Layout::horizontal([Constraint::Max(90)]).flex(Flex::Center).areas(area);
    let mut groups: Vec<(Action, Vec<String>)> = Vec::new();
    for b in state.keymap.iter().filter(|b| !(state.readonly && b.action.mutating())) {
        match groups.iter_mut().find(|(a, _)| *a == b.action) {
            Some((_, keys)) => keys.push(key_label(b)),
            None => groups.push((b.action, vec![key_label(b)])),
        }
    }
    let entry = |keys: &[String], what: String| {
        Line::from(vec![
            Span::styled(format!("{:>16}  ", keys.join(" ")), Style::new().fg(Color::Cyan)),
            Span::raw(what),
        ])
    };
    let mut entries: Vec<Line> = Vec::new();
    // In a log view its own keys come first; global keys it does not take still work.
    if let crate::app::state::ViewKind::Logs(_) = &state.top().kind {
        let mut log_groups: Vec<(LogAction, Vec<String>)> = Vec::new();
        for k in log_keymap() {
            match log_groups.iter_mut().find(|(a, _)| *a == k.action) {
                Some((_, keys)) => keys.push(label(&k)),
                None => log_groups.push((k.action, vec![label(&k)])),
            }
        }
        entries.extend(log_groups.iter().map(|(a, keys)| entry(keys, a.describe(None))));
        groups.retain(|(a, _)| matches!(a, Action::Quit | Action::Help | Action::Command | Action::Back));
    }
    entries.extend(groups.iter().map(|(a, keys)| entry(keys, a.describe().to_string())));
    let half = entries.len().div_ceil(2);
    let right: Vec<Line> = entries.split_off(half);
    let left = entries;
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
