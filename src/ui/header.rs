//! The two header lines: where we are connected, and what this view shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::State;
use crate::app::counts::{Counts, Tally};
use crate::app::state::Connection;
use crate::cluster::watch::WatchStatus;
use crate::config::theme::Theme;

/// Draw the header into a two-line area: where we are, then `second`, what the screen shows.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, second: Vec<Span<'static>>) {
    let first = fit(first_line(state, theme), area.width as usize);
    frame.render_widget(Paragraph::new(vec![first, Line::from(second)]), area);
}

/// One field of the header's first line: its spans, a shorter form for narrow terminals, and how
/// much each matters (0 most): on a narrow terminal the least important forms give way first.
pub struct Segment {
    /// When the field leaves: 0 never (safety, connection, where you are), higher numbers sooner.
    pub priority: u8,
    /// The field as shown when there is room.
    pub full: Vec<Span<'static>>,
    /// A shorter form, and the priority of the room the full form takes beyond it.
    pub short: Option<(u8, Vec<Span<'static>>)>,
}

impl Segment {
    fn new(priority: u8, full: Vec<Span<'static>>) -> Segment {
        Segment {
            priority,
            full,
            short: None,
        }
    }

    fn or_short(mut self, at: u8, short: Vec<Span<'static>>) -> Segment {
        self.short = Some((at, short));
        self
    }
}

/// The first line's fields in display order.
pub fn first_line(state: &State, theme: &Theme) -> Vec<Segment> {
    let key = theme.dim;
    let val = theme.text.add_modifier(Modifier::BOLD);
    let conn = connection_span(&state.connection, theme);
    let ns = state.view_namespace().unwrap_or("all").to_string();
    let context = if state.context.is_empty() {
        "-".to_string()
    } else {
        state.context.clone()
    };
    let mut out = vec![Segment::new(5, vec![Span::styled("kubedeck", theme.accent)])];
    if state.demo.is_some() {
        // Reverse video reads as a marker in every theme, mono included.
        let marker = theme.warn.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        out.push(
            Segment::new(0, vec![Span::styled(" DEMO CLUSTER — not a real cluster ", marker)])
                .or_short(3, vec![Span::styled(" DEMO CLUSTER ", marker)]),
        );
    }
    let name = Span::styled(context, val);
    out.push(Segment::new(0, vec![Span::styled("ctx ", key), name.clone()]).or_short(2, vec![name]));
    out.push(Segment::new(
        4,
        vec![
            Span::styled("k8s ", key),
            Span::styled(state.server_version.clone().unwrap_or_else(|| "?".into()), val),
        ],
    ));
    out.push(Segment::new(1, vec![Span::styled("ns ", key), Span::styled(ns, val)]));
    // Safety first: a long connection error after them must not push them off the line.
    if state.safety.readonly {
        out.push(Segment::new(0, vec![Span::styled("readonly", theme.readonly)]));
    }
    if state.safety.protected {
        out.push(Segment::new(0, vec![Span::styled("protected", theme.error.bold())]));
    }
    out.push(Segment::new(0, vec![conn]));
    out.extend(counts_as_known(state, theme));
    out
}

/// The line that fits `width`: every field whole if they fit; else, from the least important
/// priority up, full forms give way to short ones and then fields leave (the rightmost of equals
/// first), until the rest fits. Fields of priority 0 stay whatever the width.
pub fn fit(mut segments: Vec<Segment>, width: usize) -> Line<'static> {
    const GAP: usize = 2;
    fn len(segments: &[Segment], keep: &[bool]) -> usize {
        let kept = segments.iter().zip(keep).filter(|(_, k)| **k);
        let text = kept.map(|(s, _)| s.full.iter().map(Span::width).sum::<usize>() + GAP);
        text.sum::<usize>().saturating_sub(GAP)
    }
    // (priority, drop rather than shorten, index): shortening a field goes before dropping one.
    let mut moves: Vec<(u8, bool, usize)> = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        if let Some((at, _)) = &s.short {
            moves.push((*at, false, i));
        }
        if s.priority > 0 {
            moves.push((s.priority, true, i));
        }
    }
    moves.sort_by_key(|&(p, drop, i)| (std::cmp::Reverse(p), drop, std::cmp::Reverse(i)));
    let mut keep = vec![true; segments.len()];
    for (_, drop, i) in moves {
        if len(&segments, &keep) <= width {
            break;
        }
        if drop {
            keep[i] = false;
        } else if let Some((_, short)) = segments[i].short.take() {
            segments[i].full = short;
        }
    }
    let mut spans = Vec::new();
    for (s, _) in segments.into_iter().zip(keep).filter(|(_, k)| *k) {
        if !spans.is_empty() {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        spans.extend(s.full);
    }
    Line::from(spans)
}

/// The one connection state of this context, from the client build and the liveness probe; a lost
/// contact says for how long and why.
fn connection_span(c: &Connection, theme: &Theme) -> Span<'static> {
    match c {
        Connection::Connecting => Span::styled("● connecting", theme.warn),
        Connection::Connected => Span::styled("● connected", theme.ok),
        Connection::Failed(msg) => Span::styled(format!("✗ not connected (retrying): {msg}"), theme.error),
        Connection::Misconfigured(_) => Span::styled("✗ configuration error, not retried (:messages)", theme.error),
        Connection::Lost { since, error } => Span::styled(
            format!("✗ no contact {}s ({error})", since.elapsed().as_secs()),
            theme.error,
        ),
    }
}

/// The counts while they mean something: live when connected; when contact is lost, the last ones
/// seen, dimmed and marked stale, since nothing says they still hold.
fn counts_as_known(state: &State, theme: &Theme) -> Vec<Segment> {
    match &state.connection {
        Connection::Connected => count_segments(&state.counts, theme),
        Connection::Lost { .. } => {
            let dim = |spans: Vec<Span<'static>>| spans.into_iter().map(|s| s.style(theme.dim)).collect();
            let mut out: Vec<Segment> = count_segments(&state.counts, theme)
                .into_iter()
                .map(|s| Segment {
                    priority: s.priority,
                    full: dim(s.full),
                    short: s.short.map(|(at, short)| (at, dim(short))),
                })
                .collect();
            // Outlasts the counts it qualifies (fields of higher numbers leave first).
            out.push(Segment::new(1, vec![Span::styled("(stale)", theme.warn)]));
            out
        }
        _ => vec![],
    }
}

/// A watch's status in a word and a glyph.
pub fn status_span(status: Option<&WatchStatus>, theme: &Theme) -> Span<'static> {
    match status {
        None => Span::styled("… waiting", theme.warn),
        Some(s @ WatchStatus::Loading { .. }) => {
            Span::styled(format!("… loading {}", s.progress().unwrap_or_default()), theme.warn)
        }
        Some(WatchStatus::Ready) => Span::styled("● live", theme.ok),
        Some(WatchStatus::Forbidden { .. }) => Span::styled("✗ forbidden", theme.error),
        Some(WatchStatus::Stale { since, .. }) => {
            Span::styled(format!("✗ stale {}s", since.elapsed().as_secs()), theme.error)
        }
    }
}

/// "nodes ✓ 3/3", "pods ✗ 8/10", "⚠ 2 warnings/1h": a glyph and the numbers, never colour alone.
fn count_segments(c: &Counts, theme: &Theme) -> Vec<Segment> {
    let key = theme.dim;
    let good = theme.ok;
    let bad: Style = theme.error;
    let mut out = Vec::new();
    let scope = c.namespace.as_ref().map(|ns| format!(" ({ns})")).unwrap_or_default();
    for (label, t, priority) in [("nodes", &c.nodes, 2), ("pods", &c.pods, 2)] {
        let (glyph, style) = match t {
            Tally::Of { .. } if t.bad() => ("✗ ", bad),
            Tally::Of { .. } => ("✓ ", good),
            _ => ("", key),
        };
        let mut spans = vec![
            Span::styled(format!("{label} "), key),
            Span::styled(format!("{glyph}{}", t.text()), style),
        ];
        if label == "pods" && !scope.is_empty() {
            let short = spans.clone();
            spans.push(Span::styled(scope.clone(), key));
            out.push(Segment::new(priority, spans).or_short(3, short));
        } else {
            out.push(Segment::new(priority, spans));
        }
    }
    let w = &c.warnings;
    let (glyph, style) = if w.bad() { ("⚠ ", bad) } else { ("", key) };
    out.push(
        Segment::new(3, vec![Span::styled(format!("{glyph}{} warnings/1h", w.text()), style)])
            .or_short(3, vec![Span::styled(format!("{glyph}{}", w.text()), style)]),
    );
    out.extend(c.problems.map(|p| problem_segment(p, theme)));
    out
}

/// "problems ✖ 2 ⚠ 5 · 1" (errors, warnings, infos), "problems ✓ 0" when none: it outlasts every
/// field but the demo marker, the context and the connection (its short form drops the word).
fn problem_segment([errors, warnings, infos]: [usize; 3], theme: &Theme) -> Segment {
    let mut counts = Vec::new();
    for (n, glyph, style) in [
        (errors, "✖", theme.error),
        (warnings, "⚠", theme.warn),
        (infos, "·", theme.dim),
    ] {
        if n > 0 {
            if !counts.is_empty() {
                counts.push(Span::raw(" "));
            }
            counts.push(Span::styled(format!("{glyph} {n}"), style));
        }
    }
    if counts.is_empty() {
        counts.push(Span::styled("✓ 0", theme.ok));
    }
    let mut full = vec![Span::styled("problems ", theme.dim)];
    full.extend(counts.iter().cloned());
    Segment::new(0, full).or_short(2, counts)
}
