//! The log view: per-source prefixes in the theme's source styles, search highlights, wrap or
//! horizontal scroll, and the states a stream can be in (connecting, waiting, refused, gone) said in
//! words, so that the `mono` theme loses nothing.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::logs::LogView;
use crate::app::logs::format::{self, thousands};
use crate::cluster::logs::{LINE_CAP, SourceState};
use crate::config::theme::Theme;
use crate::ui::clean;
use crate::ui::views::frame_block;

/// The header's second line for a log view.
pub fn header_spans(view: &LogView, theme: &Theme) -> Vec<Span<'static>> {
    let gone = view.sources.iter().filter(|s| s.state == SourceState::Gone).count();
    let mut spans = vec![
        Span::styled("logs", theme.title),
        Span::raw(format!(" {}", view.target.title())),
        Span::raw(format!("  {} source(s)", view.sources.len())),
    ];
    if gone > 0 {
        spans.push(Span::styled(format!(", {gone} gone"), theme.dim));
    }
    if view.params.previous {
        spans.push(Span::styled("  previous run", theme.accent));
    }
    let start = match (view.params.tail, view.params.since_seconds) {
        (_, Some(s)) => format!("  since {s}s"),
        (Some(n), None) => format!("  tail {n}"),
        (None, None) => "  all".into(),
    };
    spans.push(Span::raw(start));
    spans
}

/// Draw the log view into `area`.
pub fn render(frame: &mut Frame, area: Rect, view: &LogView, theme: &Theme) {
    let block = frame_block(format!(" logs({}) ", view.target.title()), theme)
        .title_bottom(Line::from(status(view, theme)).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let show_sources = view.sources.len() > 1 || view.sources.iter().any(|s| s.state != SourceState::Streaming);
    let [src_area, text_area] =
        Layout::vertical([Constraint::Length(u16::from(show_sources)), Constraint::Min(1)]).areas(inner);
    if show_sources {
        frame.render_widget(Paragraph::new(Line::from(source_spans(view, theme))), src_area);
    }
    if view.is_empty() {
        let (text, style) = empty_message(view, theme);
        let [mid] = Layout::vertical([Constraint::Length(4)])
            .flex(ratatui::layout::Flex::Center)
            .areas(text_area);
        let p = Paragraph::new(text)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        frame.render_widget(p, mid);
        return;
    }
    let rows = visible_rows(view, theme, text_area.width as usize, text_area.height as usize);
    frame.render_widget(Paragraph::new(rows).style(theme.text), text_area);
}

fn status(view: &LogView, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let sep = || Span::raw(" · ");
    if view.shown.is_some() {
        spans.push(Span::raw(format!(
            " {} of {} lines",
            thousands(view.len() as u64),
            thousands(view.ring.len() as u64)
        )));
    } else {
        spans.push(Span::raw(format!(" {} lines", thousands(view.ring.len() as u64))));
    }
    if view.ring.evicted() > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!(
                "{} older lines left the buffer (keeps {})",
                thousands(view.ring.evicted()),
                thousands(view.ring.capacity() as u64)
            ),
            theme.warn,
        ));
    }
    if let Some(m) = view.mark {
        let n = view.index_of(m).abs_diff(view.index_of(view.cursor)) + 1;
        let what = if n == 1 { "line" } else { "lines" };
        spans.push(sep());
        spans.push(Span::styled(
            format!("{} {what} selected", thousands(n as u64)),
            theme.selected,
        ));
    }
    if let Some((t, _)) = &view.include {
        spans.push(sep());
        spans.push(Span::styled(format!("+/{t}/"), theme.prompt));
    }
    if let Some((t, _)) = &view.exclude {
        spans.push(sep());
        spans.push(Span::styled(format!("-/{t}/"), theme.prompt));
    }
    if let Some((t, _)) = &view.search {
        spans.push(sep());
        spans.push(Span::styled(format!("search /{t}/"), theme.prompt));
    }
    let current = if view.follow { view.last() } else { Some(view.cursor) };
    if let Some(line) = current.and_then(|seq| view.ring.get(seq)).filter(|l| l.cut > 0) {
        spans.push(sep());
        spans.push(Span::styled(
            format!(
                "line cut at {} KiB, {} more bytes",
                LINE_CAP / 1024,
                thousands(line.cut)
            ),
            theme.warn,
        ));
    }
    spans.push(sep());
    if view.follow {
        spans.push(Span::styled("following ", theme.ok));
    } else {
        spans.push(Span::styled(
            format!("paused, {} new lines ", thousands(view.unseen)),
            theme.warn,
        ));
    }
    spans
}

/// The source legend: a glyph and name per source, its state as a word whenever it is not streaming.
fn source_spans(view: &LogView, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, s) in view.sources.iter().enumerate() {
        let name = match view.target {
            crate::cluster::logs::Target::Pod { .. } => s.container.clone(),
            _ => format!("{}/{}", s.pod, s.container),
        };
        let (suffix, style) = match &s.state {
            SourceState::Streaming => (String::new(), theme.log_source(i)),
            SourceState::Gone => (" (gone)".into(), theme.dim.crossed_out()),
            SourceState::Ended => (" (ended)".into(), theme.dim),
            SourceState::Reconnecting(_) => (" (reconnecting)".into(), theme.warn),
            SourceState::Waiting(m) if m.is_empty() => (" (waiting)".into(), theme.warn),
            SourceState::Waiting(m) => (format!(" ({m})"), theme.warn),
            SourceState::Failed(m) => (format!(" ({m})"), theme.error),
        };
        spans.push(Span::styled(format!("■ {name}{suffix}  "), style));
    }
    spans
}

fn empty_message(view: &LogView, theme: &Theme) -> (String, Style) {
    if let Some(e) = &view.error {
        return (format!("Error: {e}"), theme.error);
    }
    let failed: Vec<&str> = view
        .sources
        .iter()
        .filter_map(|s| match &s.state {
            SourceState::Failed(m) => Some(m.as_str()),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        return (failed.join("\n"), theme.error);
    }
    let waiting: Vec<&str> = view
        .sources
        .iter()
        .filter_map(|s| match &s.state {
            SourceState::Waiting(m) if !m.is_empty() && m != "connecting" => Some(m.as_str()),
            _ => None,
        })
        .collect();
    if !waiting.is_empty() {
        return (waiting.join("\n"), theme.warn);
    }
    if !view.ring.is_empty() {
        return (
            format!(
                "No lines match the filter ({} hidden)",
                thousands(view.ring.len() as u64)
            ),
            theme.dim,
        );
    }
    if view.sources.is_empty() {
        return ("Connecting…".into(), theme.warn);
    }
    if view
        .sources
        .iter()
        .all(|s| matches!(s.state, SourceState::Ended | SourceState::Gone))
    {
        return ("No log lines".into(), theme.dim);
    }
    ("Waiting for log lines…".into(), theme.dim)
}

/// The screen rows, filled from the bottom when following, else from the top line with the cursor kept in sight.
fn visible_rows(view: &LogView, theme: &Theme, width: usize, height: usize) -> Vec<Line<'static>> {
    let n = view.len();
    let rows_of = |i: usize| line_rows(view, theme, i, width);
    let backwards = |end: usize| {
        let mut out: Vec<Line<'static>> = Vec::new();
        for i in (0..=end).rev() {
            let mut r = rows_of(i);
            r.append(&mut out);
            out = r;
            if out.len() >= height {
                break;
            }
        }
        let skip = out.len().saturating_sub(height);
        out.split_off(skip)
    };
    if view.follow {
        return backwards(n - 1);
    }
    let cursor = view.index_of(view.cursor);
    let start = view.index_of(view.top).min(cursor);
    let mut out = Vec::new();
    let mut cursor_in = false;
    for i in start..n {
        let mut r = rows_of(i);
        if out.len() + r.len() > height && i <= cursor {
            if out.is_empty() && i == cursor {
                // A line taller than the screen shows from its start; its end is in the status line.
                r.truncate(height);
                return r;
            }
            break;
        }
        cursor_in |= i == cursor;
        out.append(&mut r);
        if out.len() >= height {
            break;
        }
    }
    if !cursor_in {
        return backwards(cursor);
    }
    out.truncate(height);
    out
}

/// The rows of shown line `i`: prefix, timestamp, body with search highlights; wrapped or scrolled.
/// Matches on the cursor line are the current ones (`n`/`N` put the cursor on a matching line).
fn line_rows(view: &LogView, theme: &Theme, i: usize, width: usize) -> Vec<Line<'static>> {
    let Some(seq) = view.seq_at(i) else { return vec![] };
    let Some(line) = view.ring.get(seq) else { return vec![] };
    let mut bg = Style::new();
    let mut current = false;
    if !view.follow {
        let cursor = view.index_of(view.cursor);
        let mark = view.mark.map_or(cursor, |m| view.index_of(m));
        // The status line says how many lines are selected, so the range is not shown by style alone.
        if (mark.min(cursor)..=mark.max(cursor)).contains(&i) {
            bg = theme.selected;
        }
        current = i == cursor;
    }
    let mut head: Vec<Span<'static>> = Vec::new();
    if view.show_prefix() {
        let gone = view
            .sources
            .get(line.source as usize)
            .is_some_and(|s| s.state == SourceState::Gone);
        let style = if gone {
            theme.dim
        } else {
            theme.log_source(line.source as usize)
        };
        head.push(Span::styled(format!("{} ", format::prefix(view, line)), style));
    }
    let head_width: usize = head.iter().map(|s| clean::width(&s.content)).sum();
    let mut out = Vec::new();
    let bodies = format::body(view, line);
    let last = bodies.len().saturating_sub(1);
    for (r, body) in bodies.into_iter().enumerate() {
        let mut spans: Vec<Span<'static>> = Vec::new();
        if view.timestamps {
            spans.push(Span::styled(format!("{} ", format::stamp(line)), theme.dim));
        }
        let hit = if current {
            theme.search_current
        } else {
            theme.search_hit
        };
        spans.extend(highlight(view, &body, hit));
        if r == last
            && let Some(m) = format::cut_marker(line)
        {
            spans.push(Span::styled(m, theme.warn));
        }
        let first: Vec<Span<'static>> = if r == 0 {
            head.clone()
        } else {
            vec![Span::raw(" ".repeat(head_width))]
        };
        let avail = width.saturating_sub(head_width).max(1);
        if view.wrap {
            for (k, chunk) in chunk(spans, avail).into_iter().enumerate() {
                let mut row = if k == 0 {
                    first.clone()
                } else {
                    vec![Span::raw(" ".repeat(head_width))]
                };
                row.extend(chunk);
                out.push(Line::from(row).patch_style(bg));
            }
        } else {
            let mut row = first;
            row.extend(slice(spans, view.hscroll, avail));
            out.push(Line::from(row).patch_style(bg));
        }
    }
    out
}

/// `text` with the search's matches in `hit`.
fn highlight(view: &LogView, text: &str, hit: Style) -> Vec<Span<'static>> {
    let Some((_, re)) = &view.search else {
        return vec![Span::raw(text.to_string())];
    };
    let mut spans = Vec::new();
    let mut at = 0;
    for m in re.find_iter(text) {
        if m.start() == m.end() {
            continue;
        }
        if m.start() > at {
            spans.push(Span::raw(text[at..m.start()].to_string()));
        }
        spans.push(Span::styled(text[m.start()..m.end()].to_string(), hit));
        at = m.end();
    }
    if at < text.len() {
        spans.push(Span::raw(text[at..].to_string()));
    }
    spans
}

/// Columns `skip..skip+take` of a row of spans, measured per grapheme (a wide one that would be cut goes).
fn slice(spans: Vec<Span<'static>>, skip: usize, take: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let (mut col, end) = (0usize, skip + take);
    for s in spans {
        if col >= end {
            break;
        }
        let text = if s.content.is_ascii() {
            // One column a byte: no need to find graphemes (most logs are ASCII, some lines are huge).
            let n = s.content.len();
            let (from, to) = (skip.saturating_sub(col).min(n), end.saturating_sub(col).min(n));
            col += n;
            s.content[from..to].to_string()
        } else {
            let mut text = String::new();
            for (g, w) in clean::graphemes(&s.content) {
                if col >= skip && col + w <= end {
                    text.push_str(g);
                }
                col += w;
                if col >= end {
                    break;
                }
            }
            text
        };
        if !text.is_empty() {
            out.push(Span::styled(text, s.style));
        }
    }
    out
}

/// A row of spans cut into rows of `width` columns, in one pass (a wide grapheme that does not fit
/// starts the next row).
fn chunk(spans: Vec<Span<'static>>, width: usize) -> Vec<Vec<Span<'static>>> {
    let width = width.max(1);
    let mut rows: Vec<Vec<Span<'static>>> = vec![vec![]];
    let mut col = 0;
    for s in spans {
        if s.content.is_ascii() {
            let mut rest: &str = &s.content;
            while !rest.is_empty() {
                if col == width {
                    rows.push(vec![]);
                    col = 0;
                }
                let (part, tail) = rest.split_at((width - col).min(rest.len()));
                rows.last_mut()
                    .expect("never empty")
                    .push(Span::styled(part.to_string(), s.style));
                col += part.len();
                rest = tail;
            }
            continue;
        }
        let mut text = String::new();
        for (g, w) in clean::graphemes(&s.content) {
            if col + w > width {
                if !text.is_empty() {
                    rows.last_mut()
                        .expect("never empty")
                        .push(Span::styled(std::mem::take(&mut text), s.style));
                }
                rows.push(vec![]);
                col = 0;
            }
            text.push_str(g);
            col += w;
        }
        if !text.is_empty() {
            rows.last_mut().expect("never empty").push(Span::styled(text, s.style));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: Vec<Vec<Span<'static>>>) -> Vec<String> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wrapping_and_slicing_count_screen_columns_per_grapheme() {
        let spans = vec![Span::raw("ab"), Span::raw("日本語e\u{301}x")];
        // 日 does not fit after "ab" in 3 columns: it starts the next row.
        assert_eq!(
            texts(chunk(spans.clone(), 3)),
            vec!["ab", "日", "本", "語e\u{301}", "x"]
        );
        assert_eq!(texts(chunk(spans.clone(), 4)), vec!["ab日", "本語", "e\u{301}x"]);
        let cut: String = slice(spans, 2, 5).iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(cut, "日本", "語 would straddle the edge and stays out");
        let long = "x".repeat(1000);
        assert_eq!(chunk(vec![Span::raw(long)], 100).len(), 10);
    }
}
