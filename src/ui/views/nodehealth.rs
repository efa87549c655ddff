//! The node health view: conditions, heartbeat, versions, taints, pods against capacity, requests
//! and limits against allocatable, and metrics-server usage when there is one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::health::{Styles, ago, panel_problem, scrolled, section};
use crate::app::State;
use crate::cluster::describe::node::{bytes_string, cpu_string};
use crate::cluster::health::Panel;
use crate::cluster::nodehealth::{Allocation, NodeHealth, Usage};

/// Draw the view of `node` into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, st: &Styles, node: &str, scroll: u16, now: i64) {
    let (lines, right) = match state.node_health.as_deref().filter(|h| h.name == node) {
        Some(h) => (lines(st, h, now), format!(" refreshed {} ", ago(Some(h.taken), now))),
        None => (
            vec![Line::from(Span::styled(format!("Loading node {node}…"), st.warn))],
            String::new(),
        ),
    };
    scrolled(frame, area, st, format!(" node health({node}) "), right, lines, scroll);
}

/// Every line of the view at `now`.
pub fn lines(st: &Styles, h: &NodeHealth, now: i64) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(e) = &h.error {
        out.push(Line::from(Span::styled(format!("✖ {e}"), st.bad)));
        return out;
    }
    out.push(section(st, "CONDITIONS"));
    for c in &h.conditions {
        let ok = c.healthy();
        let mut spans = vec![
            if ok {
                Span::styled("  ✔ ", st.good)
            } else {
                Span::styled("  ✖ ", st.bad)
            },
            Span::styled(format!("{:<20}", c.kind), if ok { Default::default() } else { st.bad }),
            Span::styled(format!("{:<8}", c.status), if ok { st.good } else { st.bad }),
            Span::styled("since ", st.dim),
            Span::raw(format!("{:<10}", ago(c.since, now))),
            Span::styled(format!("{}  ", c.reason), st.dim),
        ];
        if !ok {
            spans.push(Span::raw(c.message.clone()));
        }
        out.push(Line::from(spans));
    }
    if h.conditions.is_empty() {
        out.push(Line::from(Span::styled("  ! no conditions reported", st.warn)));
    }
    out.push(Line::raw(""));
    out.push(section(st, "HEARTBEAT (kube-node-lease)"));
    match &h.lease {
        Panel::Ok(Some(l)) => {
            // Judged when fetched (see `strip_lines`); the title says how long ago that was.
            let stale = l.stale(h.taken);
            out.push(Line::from(vec![
                if stale {
                    Span::styled("  ✖ STALE  ", st.bad)
                } else {
                    Span::styled("  ✔ fresh  ", st.good)
                },
                Span::styled("renewed ", st.dim),
                Span::styled(ago(l.renewed, h.taken), if stale { st.bad } else { Default::default() }),
                Span::styled(format!(" (lease {}s)", l.duration.unwrap_or(0)), st.dim),
            ]));
        }
        Panel::Ok(None) => out.push(Line::from(Span::styled("  – no lease for this node", st.dim))),
        p => out.extend(panel_problem(st, p)),
    }
    out.push(Line::raw(""));
    out.push(section(st, "VERSIONS"));
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
        out.push(Line::from(vec![
            Span::styled(format!("  {k:<12}"), st.dim),
            Span::raw(v),
        ]));
    }
    out.push(Line::raw(""));
    out.push(section(st, "SCHEDULING"));
    if h.unschedulable {
        out.push(Line::from(Span::styled("  ! cordoned (SchedulingDisabled)", st.warn)));
    }
    if h.taints.is_empty() {
        out.push(Line::from(vec![
            Span::styled("  taints      ", st.dim),
            Span::raw("<none>"),
        ]));
    }
    for t in &h.taints {
        out.push(Line::from(vec![
            Span::styled("  taint       ", st.dim),
            Span::raw(t.clone()),
        ]));
    }
    out.push(Line::raw(""));
    out.push(section(
        st,
        "CAPACITY (non-terminated pods, as kubectl describe node sums them)",
    ));
    match &h.load {
        Panel::Ok(l) => {
            let cap = h.pod_capacity.unwrap_or(0);
            let full = cap > 0 && l.pods as i64 >= cap;
            out.push(Line::from(vec![
                Span::styled("  pods        ", st.dim),
                Span::styled(
                    format!("{} of {cap}", l.pods),
                    if full { st.bad } else { Default::default() },
                ),
                Span::styled(if full { "  ✖ FULL" } else { "" }, st.bad),
            ]));
            out.push(alloc_line(st, "cpu", &l.cpu, cpu_string));
            out.push(alloc_line(st, "memory", &l.memory, bytes_string));
        }
        p => out.extend(panel_problem(st, p)),
    }
    out.push(Line::raw(""));
    out.push(section(st, "USAGE (metrics-server)"));
    match &h.usage {
        Usage::Usage { cpu, memory } => {
            let a = match &h.load {
                Panel::Ok(l) => (l.cpu, l.memory),
                _ => Default::default(),
            };
            out.push(Line::from(vec![
                Span::styled("  cpu         ", st.dim),
                Span::raw(format!("{} ({}%)", cpu_string(*cpu), a.0.pct(*cpu))),
            ]));
            out.push(Line::from(vec![
                Span::styled("  memory      ", st.dim),
                Span::raw(format!("{} ({}%)", human_bytes(*memory), a.1.pct(*memory))),
            ]));
        }
        Usage::NotAvailable => out.push(Line::from(Span::styled("  – metrics-server not available", st.dim))),
        Usage::Error(e) => out.push(Line::from(Span::styled(format!("  ! {e}"), st.warn))),
    }
    out
}

fn alloc_line(st: &Styles, name: &str, a: &Allocation, fmt: fn(i128) -> String) -> Line<'static> {
    let over = a.allocatable > 0 && a.requests > a.allocatable;
    let mut spans = vec![
        Span::styled(format!("  {name:<12}"), st.dim),
        Span::styled("requests ", st.dim),
        Span::raw(format!("{} ({}%)", fmt(a.requests), a.pct(a.requests))),
        Span::styled("   limits ", st.dim),
        Span::raw(format!("{} ({}%)", fmt(a.limits), a.pct(a.limits))),
        Span::styled("   allocatable ", st.dim),
        Span::raw(fmt(a.allocatable)),
    ];
    if over {
        spans.push(Span::styled("  ✖ OVER-REQUESTED", st.bad));
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
pub fn render_strip(frame: &mut Frame, area: Rect, state: &State, st: &Styles, now: i64) {
    let Some(node) = crate::app::nodehealth::under_cursor(state) else {
        return;
    };
    let lines = match state.node_health.as_deref().filter(|h| h.name == node) {
        Some(h) => strip_lines(st, h, now),
        None => vec![Line::from(Span::styled(format!("Loading node {node}…"), st.warn))],
    };
    // The key named is the active keymap's (`H`, `g H` in vim), and none when it is unbound.
    let details = state
        .keymap
        .first(
            crate::app::action::KeyScope::Table,
            crate::app::action::Action::NodeHealth,
        )
        .map(|b| format!(" ({}: details)", b.label()))
        .unwrap_or_default();
    let block = ratatui::widgets::Block::bordered()
        .border_style(st.border)
        .title(format!(" {node}: health{details} "));
    frame.render_widget(ratatui::widgets::Paragraph::new(lines).block(block), area);
}

/// Conditions that are not healthy (or that all are), heartbeat and versions, load, taints.
pub fn strip_lines(st: &Styles, h: &NodeHealth, now: i64) -> Vec<Line<'static>> {
    if let Some(e) = &h.error {
        return vec![Line::from(Span::styled(format!("✖ {e}"), st.bad))];
    }
    let bad: Vec<_> = h.conditions.iter().filter(|c| !c.healthy()).collect();
    let mut first = Vec::new();
    if bad.is_empty() {
        first.push(Span::styled(
            format!("✔ all {} conditions healthy", h.conditions.len()),
            st.good,
        ));
    }
    for c in bad {
        first.push(Span::styled(format!("✖ {} {}", c.kind, c.status), st.bad));
        first.push(Span::styled(
            format!(" since {} ({})   ", ago(c.since, now), c.reason),
            st.dim,
        ));
    }
    let mut second = vec![Span::styled("heartbeat ", st.dim)];
    // The lease is judged as it was when fetched: data held from a while ago (until the next
    // refresh) must not make a node that renewed on time look stale.
    match &h.lease {
        Panel::Ok(Some(l)) if l.stale(h.taken) => second.push(Span::styled(
            format!("✖ STALE renewed {}", ago(l.renewed, h.taken)),
            st.bad,
        )),
        Panel::Ok(Some(l)) => second.push(Span::styled(format!("✔ renewed {}", ago(l.renewed, h.taken)), st.good)),
        Panel::Ok(None) => second.push(Span::styled("– no lease", st.dim)),
        Panel::Forbidden(_) => second.push(Span::styled("! not permitted", st.warn)),
        Panel::Failed(_) => second.push(Span::styled("! unavailable", st.warn)),
    }
    second.push(Span::styled("   kubelet ", st.dim));
    second.push(Span::raw(h.kubelet.clone()));
    second.push(Span::styled("   runtime ", st.dim));
    second.push(Span::raw(h.runtime.clone()));
    let mut third = Vec::new();
    match &h.load {
        Panel::Ok(l) => {
            let pct = |a: &Allocation, v: i128| a.pct(v);
            third.push(Span::styled("pods ", st.dim));
            third.push(Span::raw(format!("{} of {}", l.pods, h.pod_capacity.unwrap_or(0))));
            third.push(Span::styled("   cpu requests ", st.dim));
            third.push(Span::raw(format!("{}%", pct(&l.cpu, l.cpu.requests))));
            third.push(Span::styled(" limits ", st.dim));
            third.push(Span::raw(format!("{}%", pct(&l.cpu, l.cpu.limits))));
            third.push(Span::styled("   memory requests ", st.dim));
            third.push(Span::raw(format!("{}%", pct(&l.memory, l.memory.requests))));
            third.push(Span::styled(" limits ", st.dim));
            third.push(Span::raw(format!("{}%", pct(&l.memory, l.memory.limits))));
            if let Usage::Usage { cpu, memory } = &h.usage {
                third.push(Span::styled("   usage cpu ", st.dim));
                third.push(Span::raw(format!("{}%", pct(&l.cpu, *cpu))));
                third.push(Span::styled(" memory ", st.dim));
                third.push(Span::raw(format!("{}%", pct(&l.memory, *memory))));
            }
        }
        p => third.extend(panel_problem(st, p).map(|l| l.spans).unwrap_or_default()),
    }
    if h.usage == Usage::NotAvailable {
        third.push(Span::styled("   metrics-server not available", st.dim));
    }
    let taints = if h.taints.is_empty() {
        "<none>".to_string()
    } else {
        h.taints.join(", ")
    };
    let mut fourth = Vec::new();
    // Cordoning sets spec.unschedulable; the taint it brings is added later (by the node
    // lifecycle controller), so the cordon is said in its own words, beside the taints.
    if h.unschedulable {
        fourth.push(Span::styled("! cordoned (unschedulable)   ", st.warn));
    }
    fourth.extend([Span::styled("taints ", st.dim), Span::raw(taints)]);
    vec![
        Line::from(first),
        Line::from(second),
        Line::from(third),
        Line::from(fourth),
    ]
}
