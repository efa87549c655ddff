//! The describe and YAML views: coloured, scrolled both ways, search matches highlighted.
//!
//! Colour is never the only signal: keys are bold, comments italic and matches reversed (in
//! every built-in theme), so the views stay readable on a monochrome terminal.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::text::{Body, Doc, MASK};
use crate::config::theme::Theme;

/// Draw a document into `area`.
pub fn render(frame: &mut Frame, area: Rect, doc: &Doc, theme: &Theme) {
    let mut hints = Vec::new();
    if matches!(doc.body, Body::Yaml(_)) {
        hints.push(if doc.show_managed {
            "m: hide managedFields"
        } else {
            "m: managedFields"
        });
    }
    if doc.is_secret() {
        hints.push(if doc.reveal { "x: mask" } else { "x: reveal" });
    }
    let search = match (&doc.typing, doc.search.is_empty()) {
        (Some(t), _) => format!(" /{t}█ "),
        (None, false) => format!(
            " /{} [{}/{}] ",
            doc.search,
            if doc.matches.is_empty() { 0 } else { doc.current + 1 },
            doc.matches.len()
        ),
        (None, true) => String::new(),
    };
    let mut block =
        super::frame_block(format!(" {} ", doc.title()), theme).title_bottom(Line::from(search).left_aligned());
    if !hints.is_empty() {
        block = block.title_bottom(Line::from(format!(" {} ", hints.join("  "))).right_aligned());
    }
    let message = |text: String, style: Style| {
        Paragraph::new(text)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block.clone())
    };
    match &doc.body {
        Body::Loading => {
            let p = message(format!("Loading {}…", doc.title()), theme.warn);
            return frame.render_widget(p, area);
        }
        Body::Failed(e) => return frame.render_widget(message(format!("✗ {e}"), theme.error), area),
        _ => {}
    }
    let inner = block.inner(area);
    let yaml = matches!(doc.body, Body::Yaml(_));
    let lines: Vec<Line> = doc
        .lines
        .iter()
        .enumerate()
        .skip(doc.scroll)
        .take(inner.height as usize)
        .map(|(i, l)| {
            let mut styles = if yaml {
                yaml_styles(l, theme)
            } else {
                describe_styles(l, theme)
            };
            for (k, m) in doc.matches.iter().enumerate().filter(|(_, m)| m.line == i) {
                let style = if k == doc.current {
                    theme.search_current
                } else {
                    theme.search_hit
                };
                let start = l[..m.start].chars().count();
                let len = l[m.start..m.end].chars().count();
                for s in styles.iter_mut().skip(start).take(len) {
                    *s = style;
                }
            }
            spans(l, &styles, doc.hscroll)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Group per-character styles into spans, dropping the first `skip` characters.
fn spans(line: &str, styles: &[Style], skip: usize) -> Line<'static> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut cur = String::new();
    let mut cur_style = Style::new();
    for (c, st) in line.chars().zip(styles.iter().copied()).skip(skip) {
        if st != cur_style && !cur.is_empty() {
            out.push(Span::styled(std::mem::take(&mut cur), cur_style));
        }
        cur_style = st;
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(Span::styled(cur, cur_style));
    }
    Line::from(out)
}

fn fill(styles: &mut [Style], from: usize, to: usize, style: Style) {
    for s in styles.iter_mut().take(to).skip(from) {
        *s = style;
    }
}

/// Per-character styles of one line of YAML as serde_yaml writes it.
pub fn yaml_styles(line: &str, theme: &Theme) -> Vec<Style> {
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let mut styles = vec![theme.text; n];
    let mut i = chars.iter().take_while(|c| **c == ' ').count();
    if chars.get(i) == Some(&'#') {
        fill(&mut styles, i, n, theme.yaml_comment);
        return styles;
    }
    while chars.get(i) == Some(&'-') && matches!(chars.get(i + 1), Some(' ') | None) {
        fill(&mut styles, i, i + 1, theme.yaml_punct);
        i += 2;
    }
    let rest: String = chars[i.min(n)..].iter().collect();
    let value_at = match key_end(&rest) {
        Some(k) => {
            fill(&mut styles, i, i + k, theme.yaml_key);
            fill(&mut styles, i + k, i + k + 1, theme.yaml_punct);
            i + k + 1
        }
        None => i,
    };
    let value: String = chars[value_at.min(n)..].iter().collect();
    let trimmed = value.trim();
    let lead = value.len() - value.trim_start().len();
    let start = value_at + value[..lead].chars().count();
    let style = if trimmed.is_empty() {
        return styles;
    } else if trimmed == MASK || trimmed == format!("'{MASK}'") {
        theme.masked
    } else if matches!(trimmed, "|" | "|-" | "|+" | ">" | ">-" | "{}" | "[]") {
        theme.yaml_punct
    } else if is_literal(trimmed) {
        theme.yaml_literal
    } else {
        theme.yaml_string
    };
    fill(&mut styles, start, n, style);
    styles
}

/// Characters in the key of `key: value` / `key:`, if the text starts with one.
fn key_end(s: &str) -> Option<usize> {
    let quoted = s.starts_with('\'') || s.starts_with('"');
    let mut in_quote = quoted;
    let q = s.chars().next().unwrap_or(' ');
    for (ci, (bi, c)) in s.char_indices().enumerate() {
        if in_quote {
            if ci > 0 && c == q {
                in_quote = false;
            }
            continue;
        }
        if c == ':' && (s[bi + 1..].is_empty() || s[bi + 1..].starts_with(' ')) {
            return Some(ci);
        }
        if !quoted && (c == ' ' && s[bi..].trim_start().starts_with('#')) {
            return None;
        }
    }
    None
}

fn is_literal(s: &str) -> bool {
    matches!(s, "true" | "false" | "null" | "~") || s.parse::<f64>().is_ok()
}

/// Per-character styles of a describe line: field names bold, event warnings red.
pub fn describe_styles(line: &str, theme: &Theme) -> Vec<Style> {
    let n = line.chars().count();
    let mut styles = vec![theme.text; n];
    let indent = line.chars().take_while(|c| *c == ' ').count();
    let body = line.trim_start();
    if body.starts_with("Warning ") {
        fill(&mut styles, indent, indent + "Warning".len(), theme.error);
        return styles;
    }
    if body.starts_with("Type ") && body.contains("Reason") || body.starts_with("----") {
        fill(&mut styles, indent, n, theme.yaml_punct.add_modifier(Modifier::BOLD));
        return styles;
    }
    if let Some(pos) = body.find(':') {
        let key = &body[..pos];
        let after = &body[pos + 1..];
        if !key.is_empty() && (after.is_empty() || after.starts_with(' ')) && !key.contains("  ") {
            let k = key.chars().count();
            fill(&mut styles, indent, indent + k + 1, theme.yaml_key);
        }
    }
    styles
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
