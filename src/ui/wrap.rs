//! Word wrapping of styled lines into rows of a given width, done before drawing so that a box can
//! be sized by the exact number of rows its text takes (ratatui's own wrapping does not say).

use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `lines` wrapped at word boundaries into rows at most `width` cells wide; a word longer than a
/// whole row is broken where it stands, and the spaces where a row breaks are dropped. Styles are kept.
pub fn wrap(lines: &[Line<'_>], width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in lines {
        let mut rows: Vec<Vec<Span<'static>>> = vec![Vec::new()];
        let mut used = 0;
        for span in &line.spans {
            for token in tokens(&span.content) {
                let w = token.width();
                if token.starts_with(char::is_whitespace) {
                    // A space at a break would start the next row with a gap.
                    if used + w > width {
                        break_row(&mut rows);
                        used = 0;
                    }
                    if used == 0 && rows.len() > 1 {
                        continue;
                    }
                } else if used + w > width && used > 0 && w <= width {
                    break_row(&mut rows);
                    used = 0;
                }
                for c in token.chars() {
                    let cw = c.width().unwrap_or(0);
                    if used + cw > width && used > 0 {
                        break_row(&mut rows);
                        used = 0;
                    }
                    push_char(rows.last_mut().expect("rows is never empty"), c, span.style);
                    used += cw;
                }
            }
        }
        out.extend(rows.into_iter().map(|spans| Line::from(spans).style(line.style)));
    }
    out
}

/// Runs of spaces and runs of everything else.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let space = first.is_whitespace();
        let end = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() != space)
            .map_or(rest.len(), |(i, _)| i);
        let (token, tail) = rest.split_at(end);
        rest = tail;
        Some(token)
    })
}

/// End the last row (without the spaces it ends in) and start a new one.
fn break_row(rows: &mut Vec<Vec<Span<'static>>>) {
    if let Some(row) = rows.last_mut() {
        while let Some(last) = row.last_mut() {
            let kept = last.content.trim_end().len();
            if kept > 0 {
                last.content.to_mut().truncate(kept);
                break;
            }
            row.pop();
        }
    }
    rows.push(Vec::new());
}

fn push_char(spans: &mut Vec<Span<'static>>, c: char, style: ratatui::style::Style) {
    match spans.last_mut() {
        Some(last) if last.style == style => last.content.to_mut().push(c),
        _ => spans.push(Span::styled(c.to_string(), style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Style, Stylize};

    fn texts(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn words_move_to_the_next_row_and_long_words_break() {
        let l = [Line::raw(
            "Warning: HorizontalPodAutoscaler web manages this Deployment",
        )];
        assert_eq!(
            texts(&wrap(&l, 18)),
            ["Warning: Horizonta", "lPodAutoscaler web", "manages this", "Deployment"]
        );
        assert_eq!(texts(&wrap(&[Line::raw("")], 10)), [""]);
        assert_eq!(texts(&wrap(&[Line::raw("a b")], 10)), ["a b"]);
    }

    #[test]
    fn styles_survive_the_break() {
        let l = [Line::from(vec![Span::raw("key "), Span::raw("value value").red()])];
        let rows = wrap(&l, 9);
        assert_eq!(texts(&rows), ["key value", "value"]);
        assert_eq!(rows[1].spans[0].style, Style::new().red());
    }
}
