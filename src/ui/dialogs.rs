//! The action dialogs (scale, delete, confirm) and the live rollout-status / drain panel.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui_textarea::TextArea;

use crate::app::State;
use crate::app::action::Action;
use crate::app::dialog::{Dialog, PANEL_ROWS, Panel};
use crate::app::workload::{several, whereabouts};
use crate::config::theme::Theme;

/// A `width` × `height` box in the middle of `area` (clipped to it).
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(r);
    r
}

fn warn(text: String, theme: &Theme) -> Line<'static> {
    Line::styled(text, theme.warn)
}

fn error(text: &Option<String>, theme: &Theme) -> Line<'static> {
    // The glyph carries the meaning where colour does not (mono).
    Line::styled(text.as_ref().map(|t| format!("✗ {t}")).unwrap_or_default(), theme.error)
}

fn hint(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.dim)
}

/// Draw `lines`, then a one-line text field labelled `label`, then more lines.
#[allow(clippy::too_many_arguments)]
fn with_field(
    frame: &mut Frame,
    area: Rect,
    title: String,
    before: Vec<Line<'static>>,
    field: Option<(&str, &TextArea<'static>)>,
    after: Vec<Line<'static>>,
    border: Style,
    theme: &Theme,
) {
    let width = area.width.saturating_sub(4).min(100);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    // Long lines (warnings, names) are wrapped here, so that the box has a row for each.
    let before = super::wrap::wrap(&before, inner_w);
    let after = super::wrap::wrap(&after, inner_w);
    let (top_h, bottom_h) = (before.len() as u16, after.len() as u16);
    let h = top_h + bottom_h + if field.is_some() { 1 } else { 0 } + 2;
    let rect = centered(area, width, h);
    let block = Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(border);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [top, mid, bottom] = Layout::vertical([
        Constraint::Length(top_h),
        Constraint::Length(if field.is_some() { 1 } else { 0 }),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(before), top);
    if let Some((label, ta)) = field {
        let [l, f] = Layout::horizontal([Constraint::Length(label.len() as u16 + 1), Constraint::Min(1)]).areas(mid);
        frame.render_widget(Paragraph::new(label.to_string()).style(theme.accent), l);
        let mut ta = ta.clone();
        ta.set_cursor_line_style(Style::new());
        ta.set_style(Style::new().add_modifier(Modifier::UNDERLINED));
        frame.render_widget(&ta, f);
    }
    frame.render_widget(Paragraph::new(after), bottom);
}

/// Draw the open dialog over `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, dialog: &Dialog, theme: &Theme) {
    match dialog {
        Dialog::Container(d) => container(frame, area, state, d, theme),
        Dialog::PortForward(d) => port_forward(frame, area, state, d, theme),
        Dialog::Scale(d) => {
            let mut before = vec![Line::raw(format!("Scale {}", whereabouts(state, &d.target)))];
            before.push(Line::raw(match d.current {
                Some(c) => format!("Current replicas: {c}"),
                None => "Current replicas: …".into(),
            }));
            before.extend(d.warnings.iter().map(|w| warn(format!("⚠ {w}"), theme)));
            let after = vec![error(&d.error, theme), hint("enter: next   esc: cancel", theme)];
            with_field(
                frame,
                area,
                format!(" scale {} ", d.target.kubectl_name()),
                before,
                Some(("Desired replicas:", &d.input)),
                after,
                theme.accent,
                theme,
            );
        }
        Dialog::Delete(d) => {
            let all: Vec<&crate::cluster::ops::ObjRef> = std::iter::once(&d.target).chain(&d.more).collect();
            let (title, mut before) = if d.more.is_empty() {
                (
                    format!(" delete {} ", d.target.kubectl_name()),
                    vec![Line::raw(format!("Delete {}", whereabouts(state, &d.target)))],
                )
            } else {
                let mut lines = several(state, &all);
                lines[0] = format!("Delete the marked {}", lines[0]);
                let title = format!(" delete {} {} ", all.len(), d.target.kind.plural());
                (title, lines.into_iter().map(Line::raw).collect())
            };
            before.extend([Line::from(vec![
                Span::styled("Cascade: ", theme.accent),
                Span::styled(d.propagation.word(), Style::new().add_modifier(Modifier::BOLD)),
                Span::styled("  (tab: background / foreground / orphan)", theme.dim),
            ])]);
            let after = vec![
                hint("empty grace period: the object's default", theme),
                error(&d.error, theme),
                hint("enter: next   esc: cancel", theme),
            ];
            with_field(
                frame,
                area,
                title,
                before,
                Some(("Grace period (s):", &d.grace)),
                after,
                theme.error,
                theme,
            );
        }
        Dialog::Confirm(c) => {
            let mut before: Vec<Line> = c
                .lines
                .iter()
                .map(|l| {
                    if l.starts_with("Warning:") {
                        warn(l.clone(), theme)
                    } else {
                        Line::raw(l.clone())
                    }
                })
                .collect();
            let room = area.height.saturating_sub(before.len() as u16 + 8) as usize;
            if !c.diff.is_empty() {
                before.extend(
                    c.diff
                        .iter()
                        .take(room)
                        .map(|l| super::views::history::diff_line(l, theme)),
                );
                if c.diff.len() > room {
                    before.push(hint(&format!("… {} more diff lines", c.diff.len() - room), theme));
                }
            }
            let color = if c.op.destructive() { theme.error } else { theme.warn };
            let title = format!(" confirm: {} ", c.op.describe());
            match &c.typed {
                Some(ta) => {
                    let after = vec![error(&c.error, theme), hint("enter: confirm   esc: cancel", theme)];
                    with_field(frame, area, title, before, Some(("Name:", ta)), after, color, theme);
                }
                None => {
                    before.push(hint("y / enter: do it   n / esc: cancel", theme));
                    with_field(frame, area, title, before, None, vec![], color, theme);
                }
            }
        }
    }
}

/// The container picker: the pod's containers, the cursor's marked, the default one said; for a
/// debug container the image field under them.
fn container(frame: &mut Frame, area: Rect, state: &State, d: &crate::app::pick::ContainerDialog, theme: &Theme) {
    use crate::app::pick::Purpose;
    let (title, ask) = match d.purpose {
        Purpose::Shell => ("shell", "Open a shell in which container"),
        Purpose::Attach => ("attach", "Attach to which container"),
        Purpose::Debug => ("debug container", "Target container, whose processes the debugger sees"),
    };
    let mut before = vec![Line::raw(whereabouts(state, &d.pod)), Line::raw(format!("{ask}?"))];
    for (i, name) in d.containers.names.iter().enumerate() {
        let here = i == d.cursor;
        let mut spans = vec![
            Span::styled(if here { "▸ " } else { "  " }, theme.accent),
            Span::raw(format!("{}) ", i + 1)),
            Span::styled(
                crate::ui::clean::clean(name).into_owned(),
                if here {
                    theme.accent.add_modifier(Modifier::REVERSED)
                } else {
                    theme.text
                },
            ),
        ];
        if d.containers.default.as_deref() == Some(name.as_str()) {
            spans.push(Span::styled("  (default-container)", theme.dim));
        }
        before.push(Line::from(spans));
    }
    let mut after = vec![error(&d.error, theme)];
    let keys = if d.image.is_some() {
        after.push(warn(
            "An ephemeral container stays in the pod: it cannot be removed or restarted.".into(),
            theme,
        ));
        "↑ ↓ tab: container   enter: add and attach   esc: cancel"
    } else {
        "↑ ↓ or 1–9: container   enter: open   esc: cancel"
    };
    after.push(hint(keys, theme));
    let field = d.image.as_ref().map(|ta| ("Image:", ta));
    let title = format!(" {title} {} ", d.pod.kubectl_name());
    with_field(frame, area, title, before, field, after, theme.accent, theme);
}

/// Draw the live panel over the bottom of `area`, at its scroll position.
pub fn render_panel(frame: &mut Frame, area: Rect, state: &State, p: &Panel, theme: &Theme) {
    let shown = p.lines.len().clamp(1, PANEL_ROWS) as u16;
    let h = (shown + 2).min(area.height);
    let rect = Rect {
        y: area.y + area.height - h,
        height: h,
        ..area
    };
    let (progress, color) = match (p.done, p.failed) {
        (false, _) => ("… running", theme.warn),
        (true, false) => ("✓ done", theme.ok),
        (true, true) => ("✗ failed", theme.error),
    };
    let first = p.first_shown();
    // Where the window is, once there is more than fits, so that the scrollback is not hidden.
    let how = if p.lines.len() > PANEL_ROWS {
        let key = |a: Action| {
            let b = state.keymap.first(crate::screens::key_scope(state), a);
            b.map_or_else(|| a.describe().to_string(), |b| b.label())
        };
        let last = (first + PANEL_ROWS).min(p.lines.len());
        let follow = if p.scroll.is_none() { " (newest)" } else { "" };
        let n = p.lines.len();
        let (down, up) = (key(Action::Down), key(Action::Up));
        format!(
            "lines {}–{last} of {n}{follow}, {down} {up} scroll, esc closes",
            first + 1
        )
    } else {
        "esc closes".into()
    };
    let block = Block::bordered()
        .title(Span::styled(format!(" {} — {progress} ({how}) ", p.title), theme.title))
        .border_style(color);
    let lines: Vec<Line> = if p.lines.is_empty() {
        vec![hint("waiting for the first status…", theme)]
    } else {
        p.lines
            .iter()
            .skip(first)
            .take(PANEL_ROWS)
            .map(|l| Line::styled(l.text.clone(), theme.text))
            .collect()
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The port-forward dialog: what is forwarded, the declared ports, the address and ports fields.
fn port_forward(frame: &mut Frame, area: Rect, state: &State, d: &crate::app::portforward::PfDialog, theme: &Theme) {
    let verb = if d.editing.is_some() {
        "Move the forward to"
    } else {
        "Forward to"
    };
    let mut before = vec![Line::raw(format!("{verb} {}", whereabouts(state, &d.target)))];
    if d.declared.is_empty() && d.editing.is_none() {
        before.push(hint("no TCP port declared: type the ports", theme));
    }
    for p in &d.declared {
        let name = if p.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", super::clean::clean(&p.name))
        };
        let local = if p.local == p.port {
            String::new()
        } else {
            format!(": taken here, offered {}", p.local)
        };
        before.push(hint(&format!("  port {}{name}{local}", p.port), theme));
    }
    let after = vec![
        hint(
            "ports: LOCAL:REMOTE, PORT, :REMOTE (any local), FROM-TO; comma-separated",
            theme,
        ),
        error(&d.error, theme),
        hint("tab: other field   enter: start   esc: cancel", theme),
    ];
    let width = area.width.saturating_sub(4).min(90);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let before = super::wrap::wrap(&before, inner_w);
    let after = super::wrap::wrap(&after, inner_w);
    let h = before.len() as u16 + after.len() as u16 + 2 + 2;
    let rect = centered(area, width, h);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" port-forward {} ", d.target.kubectl_name()),
            theme.title,
        ))
        .border_style(theme.accent);
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [top, addr, ports, bottom] = Layout::vertical([
        Constraint::Length(before.len() as u16),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(before), top);
    for (row, label, ta, focused) in [
        (addr, "Local address:", &d.address, !d.on_ports),
        (ports, "Ports:", &d.ports, d.on_ports),
    ] {
        let [l, f] = Layout::horizontal([Constraint::Length(15), Constraint::Min(1)]).areas(row);
        frame.render_widget(Paragraph::new(label).style(theme.accent), l);
        let mut ta = ta.clone();
        ta.set_cursor_line_style(Style::new());
        ta.set_style(Style::new().add_modifier(Modifier::UNDERLINED));
        if !focused {
            // Only the field typed into shows a cursor.
            ta.set_cursor_style(Style::new().add_modifier(Modifier::UNDERLINED));
        }
        frame.render_widget(&ta, f);
    }
    frame.render_widget(Paragraph::new(after), bottom);
}
