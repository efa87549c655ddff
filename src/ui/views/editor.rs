//! The editor screen: the text (ratatui-textarea, line numbers, search matches) coloured as YAML,
//! a status line (cursor, modified, search being typed, the question of the moment), the last
//! error or note, and over the text the diff of a save or of a conflict.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::frame_block;
use super::history::diff_line;
use crate::app::edit::{Editor, Stage};
use crate::cluster::ops::history::DiffLine;
use crate::config::theme::Theme;

/// Draw the editor into `area`.
pub fn render(frame: &mut Frame, area: Rect, ed: &Editor, theme: &Theme) {
    let title = if ed.apply {
        " apply (documents separated by ---) ".to_string()
    } else if ed.set_image {
        format!(" set image {} ", ed.target.kubectl_name())
    } else {
        format!(" edit {} ", ed.target.kubectl_name())
    };
    match &ed.stage {
        Stage::Loading | Stage::Failed(_) => {
            let (text, style) = match &ed.stage {
                Stage::Failed(e) => (format!("✗ {e}"), theme.error),
                _ => ("Fetching the object…".to_string(), theme.warn),
            };
            let p = Paragraph::new(text)
                .style(style)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: false })
                .block(frame_block(title, theme));
            frame.render_widget(p, area);
            return;
        }
        _ => {}
    }
    let message: Vec<Line> = ed
        .message
        .iter()
        .flat_map(|(text, error)| {
            let style = if *error { theme.error } else { theme.warn };
            text.lines()
                .map(move |l| Line::styled(l.to_string(), style))
                .collect::<Vec<_>>()
        })
        .collect();
    let message_rows = (message.len() as u16).min(area.height / 3);
    let [text_area, message_area, status_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(message_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut block = frame_block(title, theme);
    if ed.modified() {
        block = block.title_top(Line::styled(" modified ", theme.warn).right_aligned());
    }
    // The editor's own widget is drawn (not a copy): it keeps its scroll position between frames.
    let inner = block.inner(text_area);
    frame.render_widget(block, text_area);
    frame.render_widget(&ed.area, inner);
    colour_yaml(frame.buffer_mut(), inner, &ed.area, theme);
    frame.render_widget(Paragraph::new(message).wrap(Wrap { trim: false }), message_area);
    frame.render_widget(Paragraph::new(status_line(ed, theme)), status_area);
    match &ed.stage {
        Stage::Review(r) => {
            let title = match &r.typed {
                Some(_) => {
                    " diff: live → after save (server dry run) · type the name, then enter · esc: back to the text "
                }
                None => " diff: live → after save (server dry run) · y/enter apply · esc/n back to the text ",
            };
            let title = match (ed.secret(), ed.reveal) {
                (true, false) => format!("{title}· x reveals the values "),
                (true, true) => format!("{title}· x masks the values "),
                _ => title.to_string(),
            };
            overlay_diff(frame, text_area, &r.diff, r.scroll, &title, theme);
        }
        Stage::Conflict(c) => {
            let title = " changed on the server since the edit began · r re-apply your edits on it · l reload (drop your edits) · esc back ";
            overlay_diff(frame, text_area, &c.diff, c.scroll, title, theme);
        }
        _ => {}
    }
}

/// The bottom line: the question of the moment, the search being typed, or where the cursor is.
fn status_line(ed: &Editor, theme: &Theme) -> Line<'static> {
    let ask = |t: String| Line::styled(t, theme.warn.add_modifier(Modifier::BOLD));
    match &ed.stage {
        Stage::Recovered(_) => {
            return ask("An unsaved edit of this object was kept from before: restore it? (y/n)".into());
        }
        Stage::Closing => return ask("Discard your changes? (y/n)".into()),
        Stage::Checking(_) => return ask("Server-side dry run…".into()),
        Stage::Applying(_) => return ask("Applying…".into()),
        Stage::Review(r) => {
            if let Some(t) = &r.typed {
                return Line::from(vec![
                    Span::styled(
                        format!("protected context: type {} to apply: ", r.confirm),
                        theme.prompt,
                    ),
                    Span::raw(t.lines().join("")),
                ]);
            }
        }
        _ => {}
    }
    if let Some(s) = &ed.search {
        return Line::from(vec![
            Span::styled("search: ", theme.prompt),
            Span::raw(s.lines().join("")),
            Span::styled("█", theme.prompt),
        ]);
    }
    let ratatui_textarea::DataCursor(row, col) = ed.area.cursor();
    let mut spans = vec![Span::styled(
        format!("Ln {}, Col {}  ·  {} lines", row + 1, col + 1, ed.area.lines().len()),
        theme.dim,
    )];
    if ed.modified() {
        spans.push(Span::styled("  ·  modified", theme.warn));
    }
    if ed.secret() {
        spans.push(Span::styled("  ·  Secret: kept in memory only", theme.dim));
    }
    Line::from(spans)
}

fn overlay_diff(frame: &mut Frame, area: Rect, diff: &[DiffLine], scroll: usize, title: &str, theme: &Theme) {
    let inner = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(2),
    };
    let lines: Vec<Line> = diff.iter().skip(scroll).map(|l| diff_line(l, theme)).collect();
    frame.render_widget(Clear, inner);
    frame.render_widget(
        Paragraph::new(lines).block(frame_block(title.to_string(), theme)),
        inner,
    );
}

/// The widget draws one style for all text: colour the YAML in the cells it drew, from the same
/// per-character styles the YAML view uses, leaving cursor, selection and search cells alone.
fn colour_yaml(buf: &mut Buffer, inner: Rect, ta: &ratatui_textarea::TextArea, theme: &Theme) {
    let (top_row, top_col) = ta.scroll_offset();
    let gutter = ta.line_number_width();
    let lines = ta.lines();
    for r in 0..inner.height {
        let Some(line) = lines.get(top_row as usize + r as usize) else {
            break;
        };
        for gx in inner.x..(inner.x + gutter).min(inner.x + inner.width) {
            if let (Some(cell), Some(fg)) = (buf.cell_mut((gx, inner.y + r)), theme.dim.fg) {
                cell.set_fg(fg);
            }
        }
        let styles = super::text::yaml_styles(line, theme);
        let mut x = 0u16;
        for (i, c) in line.chars().enumerate() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u16;
            let col = x;
            x += w.max(1);
            if col < top_col {
                continue;
            }
            let sx = inner.x + gutter + (col - top_col);
            if sx >= inner.x + inner.width {
                break;
            }
            let Some(fg) = styles.get(i).and_then(|s| s.fg).or(theme.text.fg) else {
                continue;
            };
            if let Some(cell) = buf.cell_mut((sx, inner.y + r)) {
                let plain = cell.bg == Color::Reset && !cell.modifier.contains(Modifier::REVERSED);
                if plain {
                    cell.set_fg(fg);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::{draw, text};

    #[test]
    fn the_editor_shows_numbered_coloured_text_its_status_and_keys() {
        let samples = crate::screens::editor::samples();
        let buf = draw(&samples[0], 100, 24, 0);
        let screen = text(&buf);
        assert!(screen.contains(" 1 #apiVersion: apps/v1"), "{screen}");
        assert!(screen.contains("edit deployment.apps/web"), "{screen}");
        assert!(screen.contains("Ln 1, Col 2"), "{screen}");
        assert!(screen.contains("modified"), "{screen}");
        assert!(
            screen.contains("ctrl-s"),
            "the footer offers the editor's keys: {screen}"
        );
        assert!(
            !screen.contains("quit"),
            "no global key is offered in the editor: {screen}"
        );
        // Keys are coloured as the YAML view colours them.
        let theme = crate::config::theme::Theme::default();
        let row = (0..buf.area.height)
            .find(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, *y)].symbol())
                    .collect::<String>()
                    .contains("kind: Deployment")
            })
            .unwrap();
        let x = (0..buf.area.width).find(|x| buf[(*x, row)].symbol() == "k").unwrap();
        assert_eq!(buf[(x, row)].fg, theme.yaml_key.fg.unwrap());
        let review = text(&draw(&samples[1], 100, 24, 0));
        assert!(review.contains("live → after save (server dry run)"), "{review}");
        let conflict = text(&draw(&samples[2], 100, 24, 0));
        assert!(
            conflict.contains("changed on the server since the edit began"),
            "{conflict}"
        );
    }
}
