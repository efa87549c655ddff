//! The help screen, generated from the active keymap (this screen's keys, then the global ones)
//! and the command aliases.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::app::State;
use crate::app::action::{ALIASES, Action};
use crate::config::theme::Theme;

/// The help entries of the screen on show: every action bound here (less the mutating ones in
/// read-only mode), its keys and its description, in keymap order.
pub fn entries(state: &State) -> Vec<(Vec<String>, String)> {
    let mut groups: Vec<(Action, Vec<String>, String)> = Vec::new();
    for b in state.keymap.active(state.key_scope()) {
        if state.safety.readonly && b.action.mutating() {
            continue;
        }
        match groups.iter_mut().find(|(a, ..)| *a == b.action) {
            Some((_, keys, _)) => keys.push(b.label()),
            None => groups.push((b.action, vec![b.label()], b.help.clone())),
        }
    }
    groups.into_iter().map(|(_, k, h)| (k, h)).collect()
}

/// Draw the help overlay over `area`: key bindings in two columns, then the command syntax.
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
    let entry = |(keys, help): &(Vec<String>, String)| {
        Line::from(vec![
            Span::styled(format!("{:>width$}  ", keys.join(" ")), theme.key),
            Span::styled(help.clone(), theme.text),
        ])
    };
    let mut entries: Vec<Line> = groups.iter().map(entry).collect();
    let half = entries.len().div_ceil(2);
    let right: Vec<Line> = entries.split_off(half);
    let left = entries;
    let aliases: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).filter(|a| a.len() <= 3).collect();
    let commands = vec![
        Line::styled(format!(":{} [namespace|all]", aliases.join(" :")), theme.dim),
        Line::styled(":cp (control plane)   :ctx [name]   :msg (messages)   :q", theme.dim),
        Line::styled("/regex   /!regex (invert)   /-l app=web,tier!=db (labels)", theme.dim),
    ];
    let close = state
        .keymap
        .first(state.key_scope(), Action::Back)
        .map_or("esc".to_string(), |b| b.label());
    let block = Block::bordered().border_style(theme.border).title(Span::styled(
        format!(" help: {} keys ({close} to close) ", state.keymap.name),
        theme.title,
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let [keys, cmds] = Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
    let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(keys);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
    frame.render_widget(Paragraph::new(commands), cmds);
}
