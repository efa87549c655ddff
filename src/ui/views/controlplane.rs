//! The control-plane screen: problems first, then API server, leaders, control-plane pods,
//! aggregated APIs, admission webhooks and kube-system warnings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::health::{Styles, ago, panel_problem, scrolled, section, status_line, wrap_chips};
use crate::app::State;
use crate::cluster::health::{Check, LeaseInfo, Panel, Report};

/// Draw the screen into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, st: &Styles, scroll: u16, now: i64) {
    let width = area.width.saturating_sub(2) as usize;
    let (lines, right) = match state.control_plane.as_deref() {
        Some(r) => {
            let refreshing = if state.cp_pending { ", refreshing…" } else { "" };
            let mut out = lines(st, r, &state.cp_first_transitions, now, width);
            if let Some(banner) = not_answering(state, st, r, now) {
                out.splice(0..0, banner);
            }
            (out, format!(" refreshed {}{refreshing} ", ago(Some(r.taken), now)))
        }
        None => {
            let (text, style) = match &state.connection {
                crate::app::state::Connection::Failed(msg) => (format!("✖ Cannot reach the cluster: {msg}"), st.bad),
                crate::app::state::Connection::Misconfigured(msg) => {
                    (format!("✖ Configuration error (not retried): {msg}"), st.bad)
                }
                crate::app::state::Connection::Lost { since, error } => (
                    format!(
                        "✖ API server not answering for {}s ({error})",
                        since.elapsed().as_secs()
                    ),
                    st.bad,
                ),
                _ => ("Loading control-plane health…".to_string(), st.warn),
            };
            // Wrapped: the reason is the whole point of the screen until a report arrives.
            let lines = super::health::wrap(&text, width.max(10))
                .into_iter()
                .map(|l| Line::from(Span::styled(l, style)))
                .collect();
            (lines, String::new())
        }
    };
    scrolled(frame, area, st, " control plane ".into(), right, lines, scroll);
}

/// While the API server does not answer, the report is old: say so above it, rather than let its
/// verdict and round trip read as current.
fn not_answering(state: &State, st: &Styles, r: &Report, now: i64) -> Option<Vec<Line<'static>>> {
    let crate::app::state::Connection::Lost { since, error } = &state.connection else {
        return None;
    };
    let text = format!(
        "✖ API SERVER NOT ANSWERING for {}s ({error}): what follows is from {}, not current",
        since.elapsed().as_secs(),
        ago(Some(r.taken), now)
    );
    Some(vec![Line::from(Span::styled(text, st.bad)), Line::raw("")])
}

/// Every line of the screen for `r` at `now`, `width` columns wide.
pub fn lines(st: &Styles, r: &Report, first: &[(String, i32)], now: i64, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let alerts = r.alerts(now);
    let unchecked = r.unchecked();
    let blind = unchecked.forbidden + unchecked.failed;
    let problems = alerts.len();
    if alerts.is_empty() && blind == 0 {
        out.push(Line::from(Span::styled(
            "✔ CONTROL PLANE OK: no problems found",
            st.good,
        )));
    } else if !alerts.is_empty() {
        let n = alerts.len();
        let s = if n == 1 { "" } else { "S" };
        out.push(Line::from(vec![
            Span::styled(format!("✖ {n} PROBLEM{s}"), st.bad),
            Span::styled("  (enter: every problem in the cluster, :triage)", st.dim),
        ]));
        out.extend(alerts.into_iter().map(|a| status_line(st, false, a)));
    }
    // What could not be checked is said, never counted as fine.
    let total = unchecked.total;
    let clear = if problems == 0 {
        format!("; no problems in the {} checked", total - blind)
    } else {
        String::new()
    };
    let mut unknown = Vec::new();
    if unchecked.forbidden > 0 {
        unknown.push(format!("{} of {total} checks not permitted", unchecked.forbidden));
    }
    if unchecked.failed > 0 {
        unknown.push(format!("{} of {total} checks unanswered", unchecked.failed));
    }
    if !unknown.is_empty() {
        let text = if blind == total {
            format!("? {}: nothing could be checked", unknown.join(", "))
        } else {
            format!("? {}{clear}", unknown.join(", "))
        };
        out.push(Line::from(Span::styled(text, st.warn.add_modifier(Modifier::BOLD))));
    }
    out.push(Line::raw(""));
    api_server(&mut out, st, r, now);
    leaders(&mut out, st, r, first, now);
    pods(&mut out, st, r);
    apis(&mut out, st, r);
    webhooks(&mut out, st, r);
    events(&mut out, st, r, now);
    out.push(Line::raw(""));
    passing(&mut out, st, r, width);
    out
}

fn api_server(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report, now: i64) {
    out.push(section(st, "API SERVER"));
    let mut first = vec![Span::styled("  version   ", st.dim)];
    match &r.api.version {
        Panel::Ok((v, platform)) => first.push(Span::raw(format!("{v} ({platform})"))),
        p => first.extend(panel_problem(st, p).map(|l| l.spans).unwrap_or_default()),
    }
    if let Some(ms) = r.api.rtt_ms {
        first.push(Span::styled("   round trip ", st.dim));
        first.push(Span::raw(format!("{ms}ms")));
    }
    first.push(Span::styled("   watch restarts ", st.dim));
    first.push(Span::styled(
        r.watch_restarts.to_string(),
        if r.watch_restarts > 0 { st.warn } else { st.good },
    ));
    first.push(Span::styled("   429s ", st.dim));
    first.push(Span::styled(
        r.throttled.to_string(),
        if r.throttled > 0 { st.warn } else { st.good },
    ));
    first.push(Span::styled(" (seen by kubedeck since start)", st.dim));
    out.push(Line::from(first));
    match &r.api.instances {
        Panel::Ok(list) if list.is_empty() => out.push(Line::from(vec![
            Span::styled("  instances ", st.dim),
            Span::styled("– no identity leases", st.dim),
        ])),
        Panel::Ok(list) => {
            for l in list {
                let fresh = !l.stale(now);
                out.push(Line::from(vec![
                    Span::styled("  instance  ", st.dim),
                    Span::styled(
                        if fresh { "✔ " } else { "✖ STALE " },
                        if fresh { st.good } else { st.bad },
                    ),
                    Span::raw(l.name.clone()),
                    Span::styled(format!("  renewed {}", ago(l.renewed, now)), st.dim),
                ]));
            }
        }
        p => {
            let mut spans = vec![Span::styled("  instances", st.dim)];
            spans.extend(panel_problem(st, p).map(|l| l.spans).unwrap_or_default());
            out.push(Line::from(spans));
        }
    }
    for (name, p) in [("readyz", &r.api.readyz), ("livez", &r.api.livez)] {
        checks(out, st, name, p);
    }
    out.push(Line::raw(""));
}

/// The passing checks, wrapped, at the end: failing ones are already at the top.
fn passing(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report, width: usize) {
    out.push(section(st, "PASSING CHECKS"));
    for (name, p) in [("readyz", &r.api.readyz), ("livez", &r.api.livez)] {
        let Panel::Ok(list) = p else { continue };
        let chips: Vec<Span<'static>> = list
            .iter()
            .filter(|c| c.passed)
            .map(|c| Span::styled(format!("✔ {}", c.name), st.good))
            .collect();
        let mut lines = wrap_chips(chips, 12, width);
        if let Some(first) = lines.first_mut() {
            first.spans[0] = Span::styled(format!("  {name:<10}"), st.dim);
        }
        out.extend(lines);
    }
}

/// One health endpoint: a verdict line and each failing check on its own line.
fn checks(out: &mut Vec<Line<'static>>, st: &Styles, name: &str, p: &Panel<Vec<Check>>) {
    let label = Span::styled(format!("  {name:<9} "), st.dim);
    let list = match p {
        Panel::Ok(list) => list,
        other => {
            let mut spans = vec![label];
            spans.extend(panel_problem(st, other).map(|l| l.spans).unwrap_or_default());
            out.push(Line::from(spans));
            return;
        }
    };
    let failed: Vec<&Check> = list.iter().filter(|c| !c.passed).collect();
    let verdict = if failed.is_empty() {
        Span::styled(format!("✔ all {} checks passed", list.len()), st.good)
    } else {
        Span::styled(format!("✖ {} of {} checks FAILING", failed.len(), list.len()), st.bad)
    };
    out.push(Line::from(vec![label, verdict]));
    for c in &failed {
        let why = c.note.clone().unwrap_or_default();
        out.push(Line::from(vec![
            Span::raw(" ".repeat(12)),
            Span::styled(format!("✖ [-]{} failed: {why}", c.name), st.bad),
        ]));
    }
}

fn leaders(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report, first: &[(String, i32)], now: i64) {
    out.push(section(st, "LEADERS (kube-system leases)"));
    let list = match &r.leaders {
        Panel::Ok(list) => list,
        p => {
            out.extend(panel_problem(st, p));
            out.push(Line::raw(""));
            return;
        }
    };
    for l in list {
        out.push(leader(st, l, first, now));
    }
    out.push(Line::raw(""));
}

fn leader(st: &Styles, l: &LeaseInfo, first: &[(String, i32)], now: i64) -> Line<'static> {
    let name = format!("{:<26}", l.name);
    if !l.present {
        return Line::from(vec![
            Span::styled("  – absent ", st.dim),
            Span::styled(name, st.dim),
            Span::styled("no lease (none running here)", st.dim),
        ]);
    }
    let stale = l.stale(now);
    let mut spans = vec![
        if stale {
            Span::styled("  ✖ STALE  ", st.bad)
        } else {
            Span::styled("  ✔ ok     ", st.good)
        },
        Span::styled(name, if stale { st.bad } else { Default::default() }),
        Span::styled("renewed ", st.dim),
        Span::styled(ago(l.renewed, now), if stale { st.bad } else { Default::default() }),
        Span::styled(format!(" (lease {}s)", l.duration.unwrap_or(0)), st.dim),
    ];
    if let Some(t) = l.transitions {
        spans.push(Span::styled("  transitions ", st.dim));
        spans.push(Span::raw(t.to_string()));
        let start = first.iter().find(|(n, _)| *n == l.name).map_or(t, |(_, s)| *s);
        if t > start {
            spans.push(Span::styled(
                format!(" ↑ +{} since start: flapping", t - start),
                st.warn,
            ));
        }
    }
    if stale {
        spans.push(Span::styled("  no leader", st.bad));
    }
    spans.push(Span::styled("  holder ", st.dim));
    spans.push(Span::raw(l.holder.clone().unwrap_or_else(|| "<none>".into())));
    Line::from(spans)
}

fn pods(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report) {
    out.push(section(st, "CONTROL-PLANE PODS (kube-system)"));
    match &r.pods {
        Panel::Ok(list) if list.is_empty() => out.push(Line::from(Span::styled(
            "  – not visible (managed control plane)",
            st.dim,
        ))),
        Panel::Ok(list) => {
            for p in list {
                let ok = p.healthy();
                out.push(Line::from(vec![
                    if ok {
                        Span::styled("  ✔ ready  ", st.good)
                    } else {
                        Span::styled("  ✖ NOT READY  ", st.bad)
                    },
                    Span::raw(format!("{:<24}", p.component)),
                    Span::raw(format!("{:<40}", p.name)),
                    Span::raw(format!("{}/{}  ", p.ready, p.total)),
                    Span::styled("restarts ", st.dim),
                    Span::styled(
                        format!("{:<4}", p.restarts),
                        if p.restarts > 0 { st.warn } else { st.good },
                    ),
                    Span::styled(format!("{}  {}", p.phase, p.node), st.dim),
                ]));
            }
        }
        p => out.extend(panel_problem(st, p)),
    }
    out.push(Line::raw(""));
}

fn apis(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report) {
    out.push(section(st, "AGGREGATED APIS"));
    match &r.apis {
        Panel::Ok(list) if list.is_empty() => out.push(status_line(st, true, "every APIService Available")),
        Panel::Ok(list) => {
            for a in list {
                out.push(Line::from(vec![
                    Span::styled("  ✖ UNAVAILABLE  ", st.bad),
                    Span::styled(a.name.clone(), st.bad),
                    Span::styled(format!("  → {}  ", a.service), st.dim),
                    Span::raw(format!("{}: {}", a.reason, a.message)),
                ]));
            }
            out.push(Line::from(Span::styled(
                "    clients that discover every API group slow down while one is unavailable",
                st.dim,
            )));
        }
        p => out.extend(panel_problem(st, p)),
    }
    out.push(Line::raw(""));
}

fn webhooks(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report) {
    out.push(section(st, "ADMISSION WEBHOOKS (failurePolicy Fail)"));
    match &r.webhooks {
        Panel::Ok(list) if list.is_empty() => out.push(status_line(st, true, "none without ready endpoints")),
        Panel::Ok(list) => {
            for w in list {
                out.push(Line::from(vec![
                    Span::styled("  ✖ BLOCKING  ", st.bad),
                    Span::styled(format!("{} {}/{}", w.kind, w.config, w.webhook), st.bad),
                    Span::styled(format!("  → {}: ", w.service), st.dim),
                    Span::raw(w.why.clone()),
                ]));
                out.push(Line::from(Span::styled(
                    format!("      matching {} requests are refused until it answers", w.rules),
                    st.warn,
                )));
            }
        }
        p => out.extend(panel_problem(st, p)),
    }
    out.push(Line::raw(""));
}

fn events(out: &mut Vec<Line<'static>>, st: &Styles, r: &Report, now: i64) {
    out.push(section(st, "WARNING EVENTS (kube-system, last hour)"));
    match &r.events {
        Panel::Ok(list) if list.is_empty() => out.push(status_line(st, true, "none")),
        Panel::Ok(list) => {
            for e in list.iter().take(20) {
                let count = if e.count > 1 {
                    format!(" (×{})", e.count)
                } else {
                    String::new()
                };
                out.push(Line::from(vec![
                    Span::styled("  ! ", st.warn),
                    Span::styled(format!("{:<9}", ago(e.last, now)), st.dim),
                    Span::styled(format!("{:<22}", e.reason), st.warn),
                    Span::raw(format!("{}  ", e.object)),
                    Span::styled(format!("{}{count}", e.message), st.dim),
                ]));
            }
        }
        p => out.extend(panel_problem(st, p)),
    }
}
