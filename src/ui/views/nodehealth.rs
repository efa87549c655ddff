//! The node health view: conditions, heartbeat, versions, taints, pods against capacity, requests
//! and limits against allocatable, and metrics-server usage when there is one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::health::{BAD, DIM, GOOD, WARN, ago, panel_problem, scrolled, section};
use crate::app::State;
use crate::cluster::describe::node::{bytes_string, cpu_string};
use crate::cluster::health::Panel;
use crate::cluster::nodehealth::{Allocation, NodeHealth, Usage};

/// Draw the view of `node` into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, node: &str, scroll: u16, now: i64) {
    let (lines, right) = match state.node_health.as_deref().filter(|h| h.name == node) {
        Some(h) => (lines(h, now), format!(" refreshed {} ", ago(Some(h.taken), now))),
        None => (
            vec![Line::from(Span::styled(format!("Loading node {node}…"), WARN))],
            String::new(),
        ),
    };
    scrolled(frame, area, format!(" node health({node}) "), right, lines, scroll);
}

/// Every line of the view at `now`.
pub fn lines(h: &NodeHealth, now: i64) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(e) = &h.error {
        out.push(Line::from(Span::styled(format!("✖ {e}"), BAD)));
        return out;
    }
    out.push(section("CONDITIONS"));
    for c in &h.conditions {
        let ok = c.healthy();
        let mut spans = vec![
            if ok {
                Span::styled("  ✔ ", GOOD)
            } else {
                Span::styled("  ✖ ", BAD)
            },
            Span::styled(format!("{:<20}", c.kind), if ok { Default::default() } else { BAD }),
            Span::styled(format!("{:<8}", c.status), if ok { GOOD } else { BAD }),
            Span::styled("since ", DIM),
            Span::raw(format!("{:<10}", ago(c.since, now))),
            Span::styled(format!("{}  ", c.reason), DIM),
        ];
        if !ok {
            spans.push(Span::raw(c.message.clone()));
        }
        out.push(Line::from(spans));
    }
    if h.conditions.is_empty() {
        out.push(Line::from(Span::styled("  ! no conditions reported", WARN)));
    }
    out.push(Line::raw(""));
    out.push(section("HEARTBEAT (kube-node-lease)"));
    match &h.lease {
        Panel::Ok(Some(l)) => {
            let stale = l.stale(now);
            out.push(Line::from(vec![
                if stale {
                    Span::styled("  ✖ STALE  ", BAD)
                } else {
                    Span::styled("  ✔ fresh  ", GOOD)
                },
                Span::styled("renewed ", DIM),
                Span::styled(ago(l.renewed, now), if stale { BAD } else { Default::default() }),
                Span::styled(format!(" (lease {}s)", l.duration.unwrap_or(0)), DIM),
            ]));
        }
        Panel::Ok(None) => out.push(Line::from(Span::styled("  – no lease for this node", DIM))),
        p => out.extend(panel_problem(p)),
    }
    out.push(Line::raw(""));
    out.push(section("VERSIONS"));
    let proxy = match (&h.kube_proxy, &h.load) {
        (v, _) if !v.is_empty() => v.clone(),
        (_, Panel::Ok(l)) => l
            .kube_proxy_from_pod
            .clone()
            .map_or("not reported".into(), |v| format!("{v} (from its pod)")),
        _ => "not reported".into(),
    };
    for (k, v) in [
        ("kubelet", h.kubelet.clone()),
        ("kube-proxy", proxy),
        ("runtime", h.runtime.clone()),
    ] {
        out.push(Line::from(vec![Span::styled(format!("  {k:<12}"), DIM), Span::raw(v)]));
    }
    out.push(Line::raw(""));
    out.push(section("SCHEDULING"));
    if h.unschedulable {
        out.push(Line::from(Span::styled("  ! cordoned (SchedulingDisabled)", WARN)));
    }
    if h.taints.is_empty() {
        out.push(Line::from(vec![
            Span::styled("  taints      ", DIM),
            Span::raw("<none>"),
        ]));
    }
    for t in &h.taints {
        out.push(Line::from(vec![
            Span::styled("  taint       ", DIM),
            Span::raw(t.clone()),
        ]));
    }
    out.push(Line::raw(""));
    out.push(section(
        "CAPACITY (non-terminated pods, as kubectl describe node sums them)",
    ));
    match &h.load {
        Panel::Ok(l) => {
            let cap = h.pod_capacity.unwrap_or(0);
            let full = cap > 0 && l.pods as i64 >= cap;
            out.push(Line::from(vec![
                Span::styled("  pods        ", DIM),
                Span::styled(
                    format!("{} of {cap}", l.pods),
                    if full { BAD } else { Default::default() },
                ),
                Span::styled(if full { "  ✖ FULL" } else { "" }, BAD),
            ]));
            out.push(alloc_line("cpu", &l.cpu, cpu_string));
            out.push(alloc_line("memory", &l.memory, bytes_string));
        }
        p => out.extend(panel_problem(p)),
    }
    out.push(Line::raw(""));
    out.push(section("USAGE (metrics-server)"));
    match &h.usage {
        Usage::Usage { cpu, memory } => {
            let a = match &h.load {
                Panel::Ok(l) => (l.cpu, l.memory),
                _ => Default::default(),
            };
            out.push(Line::from(vec![
                Span::styled("  cpu         ", DIM),
                Span::raw(format!("{} ({}%)", cpu_string(*cpu), a.0.pct(*cpu))),
            ]));
            out.push(Line::from(vec![
                Span::styled("  memory      ", DIM),
                Span::raw(format!("{} ({}%)", human_bytes(*memory), a.1.pct(*memory))),
            ]));
        }
        Usage::NotAvailable => out.push(Line::from(Span::styled("  – metrics-server not available", DIM))),
        Usage::Error(e) => out.push(Line::from(Span::styled(format!("  ! {e}"), WARN))),
    }
    out
}

fn alloc_line(name: &str, a: &Allocation, fmt: fn(i128) -> String) -> Line<'static> {
    let over = a.allocatable > 0 && a.requests > a.allocatable;
    let mut spans = vec![
        Span::styled(format!("  {name:<12}"), DIM),
        Span::styled("requests ", DIM),
        Span::raw(format!("{} ({}%)", fmt(a.requests), a.pct(a.requests))),
        Span::styled("   limits ", DIM),
        Span::raw(format!("{} ({}%)", fmt(a.limits), a.pct(a.limits))),
        Span::styled("   allocatable ", DIM),
        Span::raw(fmt(a.allocatable)),
    ];
    if over {
        spans.push(Span::styled("  ✖ OVER-REQUESTED", BAD));
    }
    Line::from(spans)
}

/// Memory usage in Mi, as `kubectl top node` prints it.
fn human_bytes(m: i128) -> String {
    format!("{}Mi", m / 1000 / (1 << 20))
}

/// Height of the health panel under the nodes list.
pub const STRIP_HEIGHT: u16 = 6;

/// The panel under the nodes list: the health of the node under the cursor, in four lines.
pub fn render_strip(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let Some(node) = crate::app::nodehealth::under_cursor(state) else {
        return;
    };
    let lines = match state.node_health.as_deref().filter(|h| h.name == node) {
        Some(h) => strip_lines(h, now),
        None => vec![Line::from(Span::styled(format!("Loading node {node}…"), WARN))],
    };
    let block = ratatui::widgets::Block::bordered().title(format!(" {node}: health (h: details) "));
    frame.render_widget(ratatui::widgets::Paragraph::new(lines).block(block), area);
}

/// Conditions that are not healthy (or that all are), heartbeat and versions, load, taints.
pub fn strip_lines(h: &NodeHealth, now: i64) -> Vec<Line<'static>> {
    if let Some(e) = &h.error {
        return vec![Line::from(Span::styled(format!("✖ {e}"), BAD))];
    }
    let bad: Vec<_> = h.conditions.iter().filter(|c| !c.healthy()).collect();
    let mut first = Vec::new();
    if bad.is_empty() {
        first.push(Span::styled(
            format!("✔ all {} conditions healthy", h.conditions.len()),
            GOOD,
        ));
    }
    for c in bad {
        first.push(Span::styled(format!("✖ {} {}", c.kind, c.status), BAD));
        first.push(Span::styled(
            format!(" since {} ({})   ", ago(c.since, now), c.reason),
            DIM,
        ));
    }
    if h.unschedulable {
        first.push(Span::styled("! cordoned", WARN));
    }
    let mut second = vec![Span::styled("heartbeat ", DIM)];
    match &h.lease {
        Panel::Ok(Some(l)) if l.stale(now) => {
            second.push(Span::styled(format!("✖ STALE renewed {}", ago(l.renewed, now)), BAD))
        }
        Panel::Ok(Some(l)) => second.push(Span::styled(format!("✔ renewed {}", ago(l.renewed, now)), GOOD)),
        Panel::Ok(None) => second.push(Span::styled("– no lease", DIM)),
        Panel::Forbidden(_) => second.push(Span::styled("! not permitted", WARN)),
        Panel::Failed(_) => second.push(Span::styled("! unavailable", WARN)),
    }
    second.push(Span::styled("   kubelet ", DIM));
    second.push(Span::raw(h.kubelet.clone()));
    second.push(Span::styled("   runtime ", DIM));
    second.push(Span::raw(h.runtime.clone()));
    let mut third = Vec::new();
    match &h.load {
        Panel::Ok(l) => {
            let pct = |a: &Allocation, v: i128| a.pct(v);
            third.push(Span::styled("pods ", DIM));
            third.push(Span::raw(format!("{} of {}", l.pods, h.pod_capacity.unwrap_or(0))));
            third.push(Span::styled("   cpu requests ", DIM));
            third.push(Span::raw(format!("{}%", pct(&l.cpu, l.cpu.requests))));
            third.push(Span::styled(" limits ", DIM));
            third.push(Span::raw(format!("{}%", pct(&l.cpu, l.cpu.limits))));
            third.push(Span::styled("   memory requests ", DIM));
            third.push(Span::raw(format!("{}%", pct(&l.memory, l.memory.requests))));
            third.push(Span::styled(" limits ", DIM));
            third.push(Span::raw(format!("{}%", pct(&l.memory, l.memory.limits))));
            if let Usage::Usage { cpu, memory } = &h.usage {
                third.push(Span::styled("   usage cpu ", DIM));
                third.push(Span::raw(format!("{}%", pct(&l.cpu, *cpu))));
                third.push(Span::styled(" memory ", DIM));
                third.push(Span::raw(format!("{}%", pct(&l.memory, *memory))));
            }
        }
        p => third.extend(panel_problem(p).map(|l| l.spans).unwrap_or_default()),
    }
    if h.usage == Usage::NotAvailable {
        third.push(Span::styled("   metrics-server not available", DIM));
    }
    let taints = if h.taints.is_empty() {
        "<none>".to_string()
    } else {
        h.taints.join(", ")
    };
    let fourth = vec![Span::styled("taints ", DIM), Span::raw(taints)];
    vec![
        Line::from(first),
        Line::from(second),
        Line::from(third),
        Line::from(fourth),
    ]
}
